/*
 * LOOP, LOOPE, LOOPNE, JRCXZ and JECXZ (SDM vol. 2A, LOOP/LOOPcc, Jcc).
 * `1: loop 1b` and `3: loope 3b` jump to themselves: each execution is its
 * own instruction, although rip does not change, unlike the iterations of a
 * REP string instruction (a tracer that folds every step that stays at the
 * same rip into one record gets 27 here instead of 1030).
 *
 *   mov $1000, %ecx                                1
 *   1: loop 1b   (999 taken, the 1000th falls)     1000
 *   jrcxz 2f     (rcx = 0: taken)                  1
 *   2: mov $5, %ecx; jrcxz bad; jecxz bad          3   (neither taken)
 *   xor %eax, %eax (ZF = 1); 3: loope 3b           1 + 5 (rcx 5 -> 0)
 *   mov $10, %ecx; xor %ebx, %ebx                  2
 *   4: inc %ebx; cmp $3, %ebx; loopne 4b           3 * 3 (stops at ebx = 3)
 *   cmp $7, %ecx; jne bad                          2   (rcx = 10 - 3)
 *   movabs $1 << 32, %rcx; jrcxz bad; jecxz 5f     3   (jecxz taken)
 *   5: exit(0)                                     3
 *
 * expect-instructions: 1030
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$1000, %ecx
1:	loop	1b
	jrcxz	2f
	jmp	bad
2:	mov	$5, %ecx
	jrcxz	bad
	jecxz	bad
	xor	%eax, %eax
3:	loope	3b
	mov	$10, %ecx
	xor	%ebx, %ebx
4:	inc	%ebx
	cmp	$3, %ebx
	loopne	4b
	cmp	$7, %ecx
	jne	bad
	movabs	$0x100000000, %rcx
	jrcxz	bad
	jecxz	5f
	jmp	bad
5:	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall
