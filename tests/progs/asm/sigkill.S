/*
 * The program sends itself SIGKILL: kill(getpid(), SIGKILL).  The kill
 * syscall executes (the kernel carries it out), so like a final exit it
 * counts; nothing after it runs.  umss exits 128 + 9 with a complete trace.
 *
 *   mov $39, %eax; syscall                               2   getpid
 *   mov %eax, %edi; mov $9, %esi; mov $62, %eax; syscall  4   kill
 *
 * expect-instructions: 6
 * expect-status: 137
 */
	.text
	.globl _start
_start:
	mov	$39, %eax		/* getpid */
	syscall
	mov	%eax, %edi
	mov	$9, %esi		/* SIGKILL */
	mov	$62, %eax		/* kill */
	syscall
	mov	$60, %eax
	xor	%edi, %edi
	syscall
