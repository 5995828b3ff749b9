/*
 * Jumps into the middle of instructions.  The bytes eb ff c0 are
 * `jmp .+1` (displacement -1: to its own second byte), where ff c0 decode
 * as `inc %eax`.  Then `movabs $imm, %rcx` (48 b9 + 8 bytes) is entered at
 * its third byte, inside the immediate, whose bytes 90 90 90 eb 03 decode
 * as three nops and a `jmp` over the rest of the movabs.
 *
 *   xor %eax, %eax                                  1
 *   jmp (eb ff) into itself; inc %eax (ff c0)       2
 *   jmp hidden+2                                    1
 *   nop; nop; nop; jmp +3 (eb 03)                   4
 *   cmp $1, %eax; jne bad                           2
 *   exit(0)                                         3
 *
 * expect-instructions: 13
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	xor	%eax, %eax
	.byte	0xeb, 0xff, 0xc0	/* jmp .+1; the target is ff c0: inc %eax */
	jmp	hidden+2
hidden:	movabs	$0x03eb909090, %rcx	/* 48 b9 90 90 90 eb 03 00 00 00 */
	cmp	$1, %eax
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall
