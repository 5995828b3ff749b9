/*
 * Division by zero raises #DE, a fault: not counted.  With no handler
 * SIGFPE kills the process: umss exits 128 + 8.
 *
 *   mov $10, %eax; xor %edx, %edx; xor %ecx, %ecx     3
 *   div %ecx                                          faults: not counted
 *
 * expect-instructions: 3
 * expect-status: 136
 */
	.text
	.globl _start
_start:
	mov	$10, %eax
	xor	%edx, %edx
	xor	%ecx, %ecx
	div	%ecx
	mov	$60, %eax
	xor	%edi, %edi
	syscall
