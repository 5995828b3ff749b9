/*
 * cat: copies stdin to stdout with read(0, buf, 4096) and write(1, ...)
 * until read returns 0 (or an error), then exit(0).  Its count depends on
 * the input; tests/cases/exact-cat.sh feeds it a regular file of fewer than
 * 4096 bytes, which one read returns whole:
 *
 *   read: xor, xor, lea, mov, syscall; test, jle           7   (data)
 *   write: mov, mov, mov, lea, syscall; jmp                6
 *   read: xor, xor, lea, mov, syscall; test, jle           7   (0: done)
 *   exit(0)                                                3
 *
 * and with stdin /dev/null (as tests/run runs every test): 7 + 3 = 10.
 *
 * expect-instructions: 10
 * expect-status: 0
 */
	.text
	.globl _start
_start:
1:	xor	%eax, %eax		/* read */
	xor	%edi, %edi
	lea	buf(%rip), %rsi
	mov	$4096, %edx
	syscall
	test	%rax, %rax
	jle	2f
	mov	%rax, %rdx
	mov	$1, %eax		/* write */
	mov	$1, %edi
	lea	buf(%rip), %rsi
	syscall
	jmp	1b
2:	mov	$60, %eax
	xor	%edi, %edi
	syscall

	.bss
buf:	.skip	4096
