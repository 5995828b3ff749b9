/*
 * Exact-count workload: a no-libc static loop whose instruction count is
 * known by construction, so the count umss reports can be checked.
 *
 *   2 instructions before the loop (mov, xor)
 *   4 instructions per iteration (add, xor, dec, jnz), ITERS iterations
 *   3 instructions to exit (mov, xor, syscall)
 *
 * instructions = 4 * ITERS + 5.  ITERS comes from the build (-DITERS=N,
 * bench/bench.mk) and is passed to bench/run.py, which checks the count.
 * `syscall` is the last instruction: exit_group never returns.
 */
	.globl	_start
	.text
_start:
	mov	$ITERS, %ecx
	xor	%eax, %eax
1:	add	%rcx, %rax
	xor	%rax, %rdx
	dec	%rcx
	jnz	1b
	mov	$231, %eax		/* exit_group */
	xor	%edi, %edi
	syscall
