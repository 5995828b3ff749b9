/*
 * Self-modifying code: the program makes its code page writable, runs
 * `mov $1, %eax`, rewrites that instruction's immediate to 5 and runs it
 * again (x86 keeps instruction fetch coherent with stores, SDM vol. 3A,
 * 11.6).  The trace must count both runs and carry both versions of the
 * bytes (b8 01 00 00 00, then b8 05 00 00 00).
 *
 *   mprotect(page, 4096, RWX): lea, and, mov, mov, mov, syscall      6
 *   xor %r12d, %r12d; mov $2, %ebx                                   2
 *   per pass: mov $imm, %eax; add %eax, %r12d; movb $5, target+1;
 *             dec %ebx; jnz                                   5 * 2 = 10
 *   cmp $6, %r12d; jne bad                                           2
 *   exit(0)                                                          3
 *
 * expect-instructions: 23
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	lea	target(%rip), %rdi
	and	$-4096, %rdi
	mov	$4096, %esi
	mov	$7, %edx		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	mov	$10, %eax		/* mprotect */
	syscall
	xor	%r12d, %r12d
	mov	$2, %ebx
again:
	.globl	target
target:	mov	$1, %eax
	add	%eax, %r12d
	movb	$5, target+1(%rip)
	dec	%ebx
	jnz	again
	cmp	$6, %r12d
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall
