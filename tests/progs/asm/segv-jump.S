/*
 * A jump to unmapped address 0: the jump itself retires (rip becomes 0);
 * the fault is the fetch at 0, which is no instruction, so nothing more is
 * counted.  Killed by SIGSEGV: umss exits 128 + 11.
 *
 *   mov $7, %eax; xor %ebx, %ebx; jmp *%rbx     3
 *
 * expect-instructions: 3
 * expect-status: 139
 */
	.text
	.globl _start
_start:
	mov	$7, %eax
	xor	%ebx, %ebx
	jmp	*%rbx
