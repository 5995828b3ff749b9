/*
 * Prints its initial stack pointer in hex (16 digits and a newline): the
 * stack is where the kernel put it, so the output tells whether ASLR was
 * on, and with ASLR off whether the program's arguments, environment and
 * auxiliary vector (all on the stack above it) have the same size as in a
 * native run.  Not in tests/progs/asm/: its native output changes from run
 * to run (ASLR), so it is built by tests/cases/trace-aslr.sh itself.
 *
 *   mov %rsp, %rax; lea buf+16, %rdi; movb $'\n', (%rdi);
 *   mov $16, %ecx; lea hex, %rsi                                   5
 *   per digit: dec, mov, and, movzbl, mov, shr, dec, jnz           8 * 16
 *   write(1, buf, 17): mov, mov, lea, mov, syscall                 5
 *   exit(0)                                                        3
 *
 * expect-instructions: 141
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	%rsp, %rax
	lea	buf+16(%rip), %rdi
	movb	$'\n', (%rdi)
	mov	$16, %ecx
	lea	hex(%rip), %rsi
1:	dec	%rdi
	mov	%eax, %edx
	and	$15, %edx
	movzbl	(%rsi,%rdx), %edx
	mov	%dl, (%rdi)
	shr	$4, %rax
	dec	%ecx
	jnz	1b
	mov	$1, %eax		/* write */
	mov	$1, %edi
	lea	buf(%rip), %rsi
	mov	$17, %edx
	syscall
	mov	$60, %eax
	xor	%edi, %edi
	syscall

	.section .rodata
hex:	.ascii	"0123456789abcdef"
	.bss
buf:	.skip	17
