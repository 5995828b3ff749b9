/*
 * Two switch-style jump tables, each walked for indices 0..3: an absolute
 * table (jmp *table(,%rcx,8)) and a position-independent table of 32-bit
 * offsets from its own base (the shape gcc emits for -fPIC switches).
 *
 *   xor %ecx, %ecx; xor %eax, %eax                            2
 *   absolute, per index: jmp *table(,%rcx,8); add; jmp join;
 *                        inc; cmp; jne                        6 * 4 = 24
 *   xor %ecx, %ecx                                            1
 *   relative, per index: lea; movslq; add; jmp *%rsi; add; jmp;
 *                        inc; cmp; jne                        9 * 4 = 36
 *   cmp $3333, %eax; jne bad                                  2
 *   exit(0)                                                   3
 *
 * expect-instructions: 68
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	xor	%ecx, %ecx
	xor	%eax, %eax
next:	jmp	*table(,%rcx,8)
case0:	add	$1, %eax
	jmp	join
case1:	add	$10, %eax
	jmp	join
case2:	add	$100, %eax
	jmp	join
case3:	add	$1000, %eax
	jmp	join
join:	inc	%ecx
	cmp	$4, %ecx
	jne	next

	xor	%ecx, %ecx
next2:	lea	rtable(%rip), %rdx
	movslq	(%rdx,%rcx,4), %rsi
	add	%rdx, %rsi
	jmp	*%rsi
rcase0:	add	$2, %eax
	jmp	join2
rcase1:	add	$20, %eax
	jmp	join2
rcase2:	add	$200, %eax
	jmp	join2
rcase3:	add	$2000, %eax
	jmp	join2
join2:	inc	%ecx
	cmp	$4, %ecx
	jne	next2

	cmp	$3333, %eax
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

	.section .rodata
	.balign 8
table:	.quad	case0, case1, case2, case3
rtable:	.long	rcase0 - rtable, rcase1 - rtable, rcase2 - rtable, rcase3 - rtable
