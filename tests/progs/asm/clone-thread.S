/*
 * A thread made with a raw clone(2) (no libc): the new thread counts down a
 * loop of 1000 and ends the whole process with exit_group(7) while the
 * first thread is blocked in pause(), a syscall it dies in (it ran, so it
 * counts).  Both threads' instructions are fixed, whatever the
 * interleaving: the count is exact with two threads.
 *
 * clone flags: CLONE_VM 0x100 | CLONE_FS 0x200 | CLONE_FILES 0x400 |
 * CLONE_SIGHAND 0x800 | CLONE_THREAD 0x10000 | CLONE_SYSVSEM 0x40000.
 *
 * first thread: mov, lea, xor, xor, xor, mov, syscall (clone)       7
 *               test, jz; mov, syscall (pause)                      4
 * new thread:   test, jz (it starts after the clone syscall)        2
 *               mov $1000, %ecx; 1: dec; jnz 1b                     1 + 2000
 *               mov, mov, syscall (exit_group)                      3
 *
 * expect-instructions: 2017
 * expect-status: 7
 */
	.text
	.globl _start
_start:
	mov	$0x50f00, %edi
	lea	stack_top(%rip), %rsi
	xor	%edx, %edx		/* parent_tid */
	xor	%r10d, %r10d		/* child_tid */
	xor	%r8d, %r8d		/* tls */
	mov	$56, %eax		/* clone */
	syscall
	test	%rax, %rax
	jz	thread
	mov	$34, %eax		/* pause: until the other thread ends us */
	syscall
	ud2
thread:
	mov	$1000, %ecx
1:	dec	%ecx
	jnz	1b
	mov	$231, %eax		/* exit_group(7) */
	mov	$7, %edi
	syscall

	.bss
	.balign	16
	.skip	4096
stack_top:
