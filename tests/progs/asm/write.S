/*
 * write(1, "hello from umss exact-write\n", 28), checks the return value,
 * then exit(0).  The output must reach umss's own stdout unchanged.
 *
 *   mov $1, %eax; mov $1, %edi; lea msg, %rsi; mov $len, %edx; syscall  5
 *   cmp $len, %rax; jne bad                                             2
 *   exit(0)                                                             3
 *
 * expect-instructions: 10
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$1, %eax		/* write */
	mov	$1, %edi
	lea	msg(%rip), %rsi
	mov	$len, %edx
	syscall
	cmp	$len, %rax
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

	.section .rodata
msg:	.ascii	"hello from umss exact-write\n"
	.set	len, . - msg
