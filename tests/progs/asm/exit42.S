/*
 * exit_group(42) and nothing else: the final syscall counts (it executed).
 *
 *   mov $231, %eax; mov $42, %edi; syscall     3
 *
 * expect-instructions: 3
 * expect-status: 42
 */
	.text
	.globl _start
_start:
	mov	$231, %eax		/* exit_group */
	mov	$42, %edi
	syscall
