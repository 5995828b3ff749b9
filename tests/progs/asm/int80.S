/*
 * The 32-bit system call gate from 64-bit code: int $0x80 with the i386
 * numbers, getpid (20) then write (4) of a line to fd 1, then a 64-bit
 * exit.  Where the kernel has IA32 emulation (CONFIG_IA32_EMULATION, not
 * disabled with ia32_emulation=false) it works like `syscall`; elsewhere
 * it faults (SIGSEGV) and tests/cases/exact-int80.sh skips.
 *
 *   mov $20, %eax; int $0x80; test %eax, %eax; jle bad              4
 *   mov $4, %eax; mov $1, %ebx; mov $msg, %ecx; mov $len, %edx;
 *   int $0x80; cmp $len, %eax; jne bad                              7
 *   exit(0)                                                         3
 *
 * expect-instructions: 14
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$20, %eax		/* i386 getpid */
	int	$0x80
	test	%eax, %eax
	jle	bad
	mov	$4, %eax		/* i386 write */
	mov	$1, %ebx
	mov	$msg, %ecx		/* below 4 GiB: the static program is at 0x400000 */
	mov	$len, %edx
	int	$0x80
	cmp	$len, %eax
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

	.section .rodata
msg:	.ascii	"written through int $0x80\n"
	.set	len, . - msg
