/*
 * A thread made with a raw clone(2) (no libc): the new thread counts down a
 * loop of 1000 and ends the whole process with exit_group(7) while the
 * first thread is blocked in pause(), a syscall it dies in (it ran, so it
 * counts).  The new thread first sleeps 50 ms so that the first thread
 * is in pause() by then under every engine (without it, a user-mode
 * engine's new thread could end the process before the first one ran its
 * last four instructions, as natively it could on a busy machine): both
 * threads' instructions are then fixed and the count is exact.
 *
 * clone flags: CLONE_VM 0x100 | CLONE_FS 0x200 | CLONE_FILES 0x400 |
 * CLONE_SIGHAND 0x800 | CLONE_THREAD 0x10000 | CLONE_SYSVSEM 0x40000.
 *
 * first thread: mov, lea, xor, xor, xor, mov, syscall (clone)       7
 *               test, jz; mov, syscall (pause)                      4
 * new thread:   test, jz (it starts after the clone syscall)        2
 *               lea, xor, mov, syscall (nanosleep 50 ms)            4
 *               mov $1000, %ecx; 1: dec; jnz 1b                     1 + 2000
 *               mov, mov, syscall (exit_group)                      3
 *
 * expect-instructions: 2021
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
	lea	sleep_50ms(%rip), %rdi
	xor	%esi, %esi
	mov	$35, %eax		/* nanosleep */
	syscall
	mov	$1000, %ecx
1:	dec	%ecx
	jnz	1b
	mov	$231, %eax		/* exit_group(7) */
	mov	$7, %edi
	syscall

	.section .rodata
	.balign	8
sleep_50ms:
	.quad	0, 50000000

	.bss
	.balign	16
	.skip	4096
stack_top:
