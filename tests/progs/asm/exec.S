/*
 * execve: first of a file that does not exist (it fails with -ENOENT and
 * the program goes on: no exec happened), then of /proc/self/exe with an
 * extra argument; the new image sees argc 2 and exits 5.  The successful
 * execve's syscall counts once, in the old image; the new image's
 * instructions follow in the same process.
 *
 * first image:  mov (argc), cmp, je                              3
 *               execve(missing): lea, lea, lea, mov, syscall     5
 *               cmp $-2, %rax; jne bad                           2
 *               execve(self): lea, lea, lea, mov, syscall        5
 * second image: mov (argc), cmp, je                              3
 *               exit(5): mov, mov, syscall                       3
 *
 * expect-instructions: 21
 * expect-status: 5
 */
	.text
	.globl _start
_start:
	mov	(%rsp), %rax		/* argc */
	cmp	$2, %rax
	je	second
	lea	missing(%rip), %rdi
	lea	args(%rip), %rsi
	lea	24(%rsp), %rdx		/* envp: past argc, argv[0] and its NULL */
	mov	$59, %eax		/* execve */
	syscall
	cmp	$-2, %rax		/* -ENOENT */
	jne	bad
	lea	self(%rip), %rdi
	lea	args(%rip), %rsi
	lea	24(%rsp), %rdx
	mov	$59, %eax		/* execve */
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall
second:
	mov	$60, %eax
	mov	$5, %edi
	syscall

	.data
	.balign	8
args:	.quad	self, again, 0
self:	.asciz	"/proc/self/exe"
again:	.asciz	"again"
missing: .asciz	"/nonexistent/umss-test-program"
