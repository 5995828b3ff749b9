/*
 * REP string instructions with rcx = 0 run no iteration but still retire
 * once each (SDM vol. 2B, REP: "if count register is 0 ... exit"): they
 * must write nothing and leave rsi/rdi alone.
 *
 *   lea buf, %rdi; lea buf+64, %rsi; xor %ecx, %ecx; mov $0x55, %al  4
 *   rep stosb; rep movsb; repe cmpsb; rep stosq                      4
 *   test %rcx,%rcx; jnz bad                                          2
 *   lea buf, %rdx; cmp %rdx, %rdi; jne bad                           3
 *   cmpb $0, buf; jne bad                                            2
 *   exit(0)                                                          3
 *
 * expect-instructions: 18
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	lea	buf(%rip), %rdi
	lea	buf+64(%rip), %rsi
	xor	%ecx, %ecx
	mov	$0x55, %al
	rep stosb
	rep movsb
	repe cmpsb
	rep stosq
	test	%rcx, %rcx
	jnz	bad
	lea	buf(%rip), %rdx
	cmp	%rdx, %rdi
	jne	bad
	cmpb	$0, buf(%rip)
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

	.bss
buf:	.skip 128
