/*
 * int3 with no SIGTRAP handler: the process is killed by SIGTRAP, so umss
 * exits 128 + 5.  int3 is a trap (SDM vol. 3A, 6.5: the saved rip is past
 * it), so it retires and counts; nothing after it runs.
 *
 *   mov $1, %eax; mov $2, %ebx; int3       3
 *
 * expect-instructions: 3
 * expect-status: 133
 */
	.text
	.globl _start
_start:
	mov	$1, %eax
	mov	$2, %ebx
	int3
	mov	$60, %eax
	xor	%edi, %edi
	syscall
