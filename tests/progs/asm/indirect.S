/*
 * Indirect jumps and calls through a register, through memory (RIP-relative,
 * base register, absolute disp32, SIB with index), RET used as a jump
 * (push; ret) and RET imm16.  f() counts its calls in r8d.
 *
 *   xor %r8d, %r8d                                  1
 *   lea t1, %rax; jmp *%rax                         2
 *   t1: jmp *ptr_t2(%rip)                           1
 *   t2: mov $ptr_t3, %ebx; jmp *(%rbx)              2
 *   t3: jmp *ptr_t4 (absolute)                      1
 *   t4: lea f, %rcx; call *%rcx                     2 + 2 (f)
 *   call *ptr_f(%rip)                               1 + 2 (f)
 *   mov $ptr_f, %edx; call *(%rdx)                  2 + 2 (f)
 *   xor %esi, %esi; call *ptr_f(,%rsi,8)            2 + 2 (f)
 *   push $t5; ret                                   2
 *   t5: push $0; call g; (g: ret $8)                3
 *   cmp $4, %r8d; jne bad                           2
 *   exit(0)                                         3
 *   (f: inc %r8d; ret = 2)
 *
 * expect-instructions: 32
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	xor	%r8d, %r8d
	lea	t1(%rip), %rax
	jmp	*%rax
	ud2
t1:	jmp	*ptr_t2(%rip)
	ud2
t2:	mov	$ptr_t3, %ebx
	jmp	*(%rbx)
	ud2
t3:	jmp	*ptr_t4
	ud2
t4:	lea	f(%rip), %rcx
	call	*%rcx
	call	*ptr_f(%rip)
	mov	$ptr_f, %edx
	call	*(%rdx)
	xor	%esi, %esi
	call	*ptr_f(,%rsi,8)
	push	$t5
	ret
	ud2
t5:	push	$0
	call	g
	cmp	$4, %r8d
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

f:	inc	%r8d
	ret
g:	ret	$8

	.data
	.balign 8
ptr_t2:	.quad	t2
ptr_t3:	.quad	t3
ptr_t4:	.quad	t4
ptr_f:	.quad	f
