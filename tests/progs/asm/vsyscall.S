/*
 * A call into the legacy vsyscall page (time() at 0xffffffffff600400).
 * The page is execute-only: its bytes cannot be read and its code never
 * runs; the fetch faults and the kernel emulates the call and the return
 * (arch/x86/entry/vsyscall/vsyscall_64.c emulate_vsyscall), without a
 * single-step trap of its own: a ptrace step from the vsyscall address
 * also runs the caller's next instruction before it traps.  umss records
 * the emulated call as one record at its address; the instruction after
 * the call must still be recorded.
 *
 *   mov $0xffffffffff600400, %rax; xor %edi, %edi; call *%rax     3
 *   the vsyscall (one record)                                     1
 *   test %rax, %rax; jle bad                                      2
 *   exit(0)                                                       3
 *
 * expect-instructions: 9
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$0xffffffffff600400, %rax	/* vsyscall time(NULL) */
	xor	%edi, %edi
	call	*%rax
	test	%rax, %rax
	jle	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall
