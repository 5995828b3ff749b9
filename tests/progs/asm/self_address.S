/*
 * Code that looks at itself: `call 1f; 1: pop` must see the real address
 * of 1 (an engine running the code elsewhere would give itself away), and
 * loads of the bytes of the very next instruction (where engine patch
 * puts its jump) must see the program's own bytes.  Exit 0 when all hold,
 * 1 otherwise.
 *
 *   call 1f; pop; lea; cmp; jne                         5
 *   movzbl 2f(%rip); nop; cmp; jne                      4
 *   movl 3f(%rip); mov $42, %edi; cmp; jne              4
 *   exit(0): xor, mov, syscall                          3
 *
 * expect-instructions: 16
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	call	1f
1:	pop	%rax
	lea	1b(%rip), %rdx
	cmp	%rdx, %rax
	jne	bad
	movzbl	2f(%rip), %edi
2:	nop
	cmp	$0x90, %edi
	jne	bad
	movl	3f(%rip), %esi
3:	mov	$42, %edi
	cmp	$0x00002abf, %esi	/* bf 2a 00 00: mov $42, %edi */
	jne	bad
	xor	%edi, %edi
	mov	$60, %eax
	syscall
bad:	mov	$1, %edi
	mov	$60, %eax
	syscall
