/*
 * REP MOVSB copies 4096 bytes from a filled source: one instruction.
 * A REP STOSQ of 512 quadwords fills the source first: one instruction.
 *
 *   lea src, %rdi; mov $512, %ecx; mov $0x0102030405060708, %rax   3
 *   rep stosq                                                        1
 *   lea src, %rsi; lea dst, %rdi; mov $4096, %ecx                    3
 *   rep movsb                                                        1
 *   test %rcx,%rcx; jnz bad                                          2
 *   movabs $0x0102030405060708, %rax; cmp %rax, dst+4088; jne bad    3
 *   exit(0)                                                          3
 *
 * expect-instructions: 16
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	lea	src(%rip), %rdi
	mov	$512, %ecx
	movabs	$0x0102030405060708, %rax
	rep stosq
	lea	src(%rip), %rsi
	lea	dst(%rip), %rdi
	mov	$4096, %ecx
	rep movsb
	test	%rcx, %rcx
	jnz	bad
	movabs	$0x0102030405060708, %rax
	cmp	%rax, dst+4088(%rip)
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

	.bss
	.balign 4096
src:	.skip 4096
dst:	.skip 4096
