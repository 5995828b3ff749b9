/*
 * REP STOSB over 4096 bytes (two pages, the buffer is page aligned) is one
 * instruction however many iterations it runs.  The program checks its own
 * work: rcx must be 0 and rdi one past the buffer, and the last byte 0xab.
 *
 *   lea buf, %rdi; mov $4096, %ecx; mov $0xab, %al     3
 *   rep stosb                                           1
 *   test %rcx,%rcx; jnz bad                             2
 *   lea buf+4096, %rdx; cmp %rdx, %rdi; jne bad         3
 *   cmpb $0xab, buf+4095; jne bad                       2
 *   exit(0)                                             3
 *
 * expect-instructions: 14
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	lea	buf(%rip), %rdi
	mov	$4096, %ecx
	mov	$0xab, %al
	rep stosb
	test	%rcx, %rcx
	jnz	bad
	lea	buf+4096(%rip), %rdx
	cmp	%rdx, %rdi
	jne	bad
	cmpb	$0xab, buf+4095(%rip)
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
buf:	.skip 8192
