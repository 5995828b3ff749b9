/*
 * Ends as its first argument says: N < 1000 exits with status N (the kernel
 * keeps N & 0xff), N >= 1000 sends itself signal N - 1000 with kill(2)
 * (getpid first) and, if that returns, exits 99.  With no argument it
 * exits 0; tests/cases/trace-status.sh runs it with arguments.
 *
 * no argument: mov (argc), cmp, jb; mov, xor, syscall       6
 *
 * expect-instructions: 6
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	(%rsp), %rax		/* argc */
	cmp	$2, %rax
	jb	done
	mov	16(%rsp), %rsi		/* argv[1] */
	xor	%edi, %edi
1:	movzbl	(%rsi), %eax
	sub	$'0', %eax
	cmp	$9, %eax
	ja	2f
	imul	$10, %rdi, %rdi
	add	%rax, %rdi
	inc	%rsi
	jmp	1b
2:	cmp	$1000, %rdi
	jb	exit
	lea	-1000(%rdi), %r12
	mov	$39, %eax		/* getpid */
	syscall
	mov	%eax, %edi
	mov	%r12, %rsi
	mov	$62, %eax		/* kill */
	syscall
	mov	$99, %edi
	jmp	exit
done:
	xor	%edi, %edi
exit:
	mov	$60, %eax
	syscall
