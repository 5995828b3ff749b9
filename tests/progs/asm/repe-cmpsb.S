/*
 * REPE CMPSB that stops early: two 64-byte strings differ first at index
 * 10, so the instruction runs 11 iterations and leaves rcx = 64 - 11 = 53,
 * ZF = 0, rsi = a + 11.  Then REPNE SCASB finds the first 'x' at index 5
 * of a (6 iterations, rcx = 100 - 6 = 94).  Each is one instruction.
 *
 *   lea a, %rsi; lea b, %rdi; mov $64, %ecx        3
 *   repe cmpsb                                     1
 *   je bad                                         1  (ZF = 0: not taken)
 *   cmp $53, %rcx; jne bad                         2
 *   lea a+11, %rdx; cmp %rdx, %rsi; jne bad        3
 *   lea a, %rdi; mov $100, %ecx; mov $'x', %al     3
 *   repne scasb                                    1
 *   jne bad                                        1  (found: ZF = 1)
 *   cmp $94, %rcx; jne bad                         2
 *   exit(0)                                        3
 *
 * expect-instructions: 20
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	lea	a(%rip), %rsi
	lea	b(%rip), %rdi
	mov	$64, %ecx
	repe cmpsb
	je	bad
	cmp	$53, %rcx
	jne	bad
	lea	a+11(%rip), %rdx
	cmp	%rdx, %rsi
	jne	bad
	lea	a(%rip), %rdi
	mov	$100, %ecx
	mov	$'x', %al
	repne scasb
	jne	bad
	cmp	$94, %rcx
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

	.data
a:	.ascii	"01234x6789A123456789012345678901234567890123456789012345678901234"
b:	.ascii	"01234x6789B123456789012345678901234567890123456789012345678901234"
