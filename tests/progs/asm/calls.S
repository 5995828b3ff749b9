/*
 * Direct calls, a call chain three deep and recursion: sum(n) = n + sum(n-1)
 * computed recursively for n = 100 (result 5050).
 *
 * sum(n > 0): test, jz, push, dec, call, pop, add, ret = 8 + sum(n-1)
 * sum(0):     test, jz, xor, ret                        = 4
 * so sum(100) = 100 * 8 + 4 = 804.
 * one() -> two() -> three(): call one (1) + one: call, ret (2) + two: call,
 * ret (2) + three: mov, ret (2) = 7.
 *
 *   mov $100, %edi; call sum             1 + 1 + 804
 *   cmp $5050, %rax; jne bad             2
 *   call one                             7 (counted above, including the call)
 *   cmp $3, %eax; jne bad                2
 *   exit(0)                              3
 *
 * expect-instructions: 820
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$100, %edi
	call	sum
	cmp	$5050, %rax
	jne	bad
	call	one
	cmp	$3, %eax
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

sum:
	test	%rdi, %rdi
	jz	1f
	push	%rdi
	dec	%rdi
	call	sum
	pop	%rdi
	add	%rdi, %rax
	ret
1:	xor	%eax, %eax
	ret

one:	call	two
	ret
two:	call	three
	ret
three:	mov	$3, %eax
	ret
