/*
 * The red zone (System V x86-64 ABI 3.2.2): a leaf may keep data in the
 * 128 bytes below rsp, and nothing may change them.  16 quadwords are
 * stored at -128..-8(%rsp), then 16 more instructions run (arithmetic,
 * branches, a syscall), then the 16 are summed back; any change gives a
 * wrong exit status.  Sum of 1..16 = 136.
 *
 *   xor %eax, %eax                                  1
 *   16 x (inc %eax; mov %rax, -8*k(%rsp))           32
 *   mov $8, %ecx; 1: dec %ecx; jnz 1b               1 + 16
 *   mov $39, %eax; syscall (getpid)                 2
 *   xor %edi, %edi; 16 x add -8*k(%rsp), %rdi        17
 *   mov $60, %eax; syscall                          2
 *
 * expect-instructions: 71
 * expect-status: 136
 */
	.text
	.globl _start
_start:
	xor	%eax, %eax
	.irp k, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
	inc	%eax
	mov	%rax, -8*\k(%rsp)
	.endr
	mov	$8, %ecx
1:	dec	%ecx
	jnz	1b
	mov	$39, %eax		/* getpid */
	syscall
	xor	%edi, %edi
	.irp k, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
	add	-8*\k(%rsp), %rdi
	.endr
	mov	$60, %eax		/* exit */
	syscall
