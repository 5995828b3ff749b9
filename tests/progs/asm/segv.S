/*
 * A store to address 0 with no SIGSEGV handler: killed by SIGSEGV (umss
 * exits 128 + 11).  A faulting instruction does not retire (SDM vol. 3A,
 * 6.5: a fault reports the faulting instruction's own address), so it is
 * not counted.
 *
 *   mov $1, %eax; xor %ebx, %ebx      2
 *   mov %eax, (%rbx)                  faults: not counted
 *
 * expect-instructions: 2
 * expect-status: 139
 */
	.text
	.globl _start
_start:
	mov	$1, %eax
	xor	%ebx, %ebx
	mov	%eax, (%rbx)
	mov	$60, %eax
	xor	%edi, %edi
	syscall
