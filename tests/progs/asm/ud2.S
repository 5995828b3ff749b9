/*
 * ud2 raises #UD, a fault: it does not retire and is not counted.  With no
 * handler SIGILL kills the process: umss exits 128 + 4.
 *
 *   xor %eax, %eax; inc %eax       2
 *   ud2                            faults: not counted
 *
 * expect-instructions: 2
 * expect-status: 132
 */
	.text
	.globl _start
_start:
	xor	%eax, %eax
	inc	%eax
	ud2
