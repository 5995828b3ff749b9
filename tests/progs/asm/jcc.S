/*
 * Every Jcc condition (SDM vol. 2A, Jcc, table of 16 conditions), each in
 * its short (rel8, 0x70+cc) and near (rel32, 0x0f 0x80+cc) encoding, each
 * once taken and once not taken.  The flags are set exactly with
 * `push $imm; popf` (CF bit 0, PF 2, ZF 6, SF 7, OF 11; bit 1 reads as 1).
 *
 * taken:     push, popf, jcc (taken over the failure stub)      = 3
 * not taken: push, popf, jcc (falls through), jmp over the stub = 4
 * per condition: short taken + short not + near taken + near not = 14
 * 16 conditions * 14 = 224, + exit(0) 3.
 * A wrong decision exits with a code naming the check (1..64).
 *
 * expect-instructions: 227
 * expect-status: 0
 */
	.text
	.globl _start

	.set	id, 0
	.macro	taken cc, flags, form
	.set	id, id + 1
	push	$\flags
	popf
	\form j\cc 1f
	mov	$id, %edi
	jmp	fail
1:
	.endm

	.macro	nottaken cc, flags, form
	.set	id, id + 1
	push	$\flags
	popf
	\form j\cc 1f
	jmp	2f
1:	mov	$id, %edi
	jmp	fail
2:
	.endm

	/* cc, flags that make it true, flags that make it false */
	.macro	cond cc, yes, no
	taken	\cc, \yes
	nottaken \cc, \no
	taken	\cc, \yes, {disp32}
	nottaken \cc, \no, {disp32}
	.endm

_start:
	cond	o,  0x802, 0x002
	cond	no, 0x002, 0x802
	cond	b,  0x003, 0x002
	cond	ae, 0x002, 0x003
	cond	e,  0x042, 0x002
	cond	ne, 0x002, 0x042
	cond	be, 0x003, 0x002
	cond	a,  0x002, 0x042
	cond	s,  0x082, 0x002
	cond	ns, 0x002, 0x082
	cond	p,  0x006, 0x002
	cond	np, 0x002, 0x006
	cond	l,  0x082, 0x882
	cond	ge, 0x882, 0x802
	cond	le, 0x802, 0x002
	cond	g,  0x882, 0x842
	mov	$60, %eax
	xor	%edi, %edi
	syscall
fail:
	mov	$60, %eax
	syscall
