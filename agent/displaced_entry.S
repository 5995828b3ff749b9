/*
 * Engine displaced, the assembly half (agent/displaced.c is the rest).
 *
 * Every stub ends with an exit:
 *     mov %rax, %gs:AS_D_RAX; movabs $NEXT, %rax; jmp *%gs:AS_D_EXIT
 * so the handler starts with the program's registers live but rax
 * (saved), rax = the address of the next instruction, and %gs:AS_D_CUR =
 * the instruction that just retired.
 *
 * disp_exit is the per-instruction path: it touches only rax, rbx, rcx
 * and the arithmetic flags (saved with seto/lahf: pushfq/popfq would need
 * a stack switch and popfq is microcoded), never the program's stack,
 * and does: look NEXT up in the direct-mapped table (64-byte entries,
 * see struct disp_l1 in displaced.c), check that NEXT's code bytes are
 * still the ones its stub copies (two masked 8-byte compares of a 16-byte
 * window that never leaves NEXT's pages), append the retired instruction
 * to the trace ring, and jump to NEXT's stub.  Anything else (not in the
 * table, changed code, a full ring) goes to C through disp_c_exit.
 *
 * Stubs of code that cannot change unseen end with linked exits instead
 * (agent/displaced_link.c): disp_step appends to the ring, then the exit
 * jumps through a slot, straight to the next stub once linked, through
 * disp_unlinked until then.
 *
 * The byte compare uses unaligned loads, which fault with the AC flag
 * set; displaced.c points AS_D_EXIT at disp_c_exit while AC is set.
 */
#include "common/agent_abi.h"

#define L1_MASK 0xffff   /* DISP_L1_SIZE - 1 (displaced.c) */

/*
 * LOOKUP: rbx = next; finds next's table entry (rcx) and checks its code
 * bytes; anything wrong goes to 1f.  Leaves next's stub in AS_D_TARGET.
 */
.macro LOOKUP
	/* entry = l1 + ((next ^ next >> 16) & mask) * 64 */
	mov	%rbx, %rcx
	shr	$16, %rcx
	xor	%rbx, %rcx
	and	$L1_MASK, %ecx
	shl	$6, %rcx
	add	%gs:AS_D_L1, %rcx
	cmp	(%rcx), %rbx
	jne	1f
	mov	%rbx, %gs:AS_D_TMP		/* next, while rbx holds code bytes */
	mov	16(%rcx), %rbx			/* the 16-byte window around next */
	mov	(%rbx), %rax
	mov	8(%rbx), %rbx
	xor	24(%rcx), %rax
	xor	32(%rcx), %rbx
	and	40(%rcx), %rax
	and	48(%rcx), %rbx
	or	%rax, %rbx
	mov	%gs:AS_D_TMP, %rbx		/* next again */
	jnz	1f
	mov	8(%rcx), %rax
	mov	%rax, %gs:AS_D_TARGET
	/* Threads: another thread may have rewritten the entry while this
	 * one read it (agent/displaced.c promote writes the address last,
	 * after invalidating it first): the address still there means
	 * everything read above belongs to it. */
	cmp	(%rcx), %rbx
	jne	1f
.endm

/* The program's flags, rax, rbx and rcx back (flags from AS_D_FLAGS). */
.macro RESTORE
	mov	%gs:AS_D_FLAGS, %eax
	add	$0x7f, %al			/* OF = (al == 1) */
	sahf
	mov	%gs:AS_D_RAX, %rax
	mov	%gs:AS_D_RBX, %rbx
	mov	%gs:AS_D_RCX, %rcx
.endm

/*
 * APPEND: the trace ring (agent/ring.h ring_put): the word at d_ptr =
 * cur, then head + 1 published in the shared header, after the word (x86
 * keeps stores in order): the tracer reads up to the published head at
 * any time.  d_room words fit before the limit or the ring's end; none
 * left goes to 1f.  cur = next (rbx).
 */
.macro APPEND
	mov	%gs:AS_D_ROOM, %rcx
	sub	$1, %rcx
	jb	1f
	mov	%rcx, %gs:AS_D_ROOM
	mov	%gs:AS_D_PTR, %rax
	mov	%gs:AS_D_CUR, %rcx
	mov	%rcx, (%rax)
	add	$8, %rax
	mov	%rax, %gs:AS_D_PTR
	mov	%gs:AS_RING_HEAD, %rcx
	add	$1, %rcx
	mov	%rcx, %gs:AS_RING_HEAD
	mov	%gs:AS_RING_HDR, %rax
	mov	%rcx, (%rax)
	mov	%rbx, %gs:AS_D_CUR
.endm

/* TO_C: the flags, rbx and rcx back, rax = next: a stub exit's register
 * convention, for disp_c_exit. */
.macro TO_C
	mov	%gs:AS_D_FLAGS, %eax
	add	$0x7f, %al
	sahf
	mov	%rbx, %rax
	mov	%gs:AS_D_RBX, %rbx
	mov	%gs:AS_D_RCX, %rcx
.endm

	.text
	.globl disp_exit
disp_exit:
	mov	%rbx, %gs:AS_D_RBX
	mov	%rcx, %gs:AS_D_RCX
	mov	%rax, %rbx			/* rbx = next */
	seto	%al				/* OF */
	lahf					/* SF ZF AF PF CF */
	mov	%eax, %gs:AS_D_FLAGS
	LOOKUP
	APPEND
	RESTORE
	jmp	*%gs:AS_D_TARGET
1:	TO_C
	jmp	disp_c_exit

/*
 * disp_ind: disp_exit for the indirect branches of stubs with linked
 * exits, called on the agent's stack (the program's rsp in AS_D_RSP):
 * it returns to the stub, which jumps to AS_D_TARGET itself, so that
 * every indirect branch has a jump of its own for the predictor instead
 * of disp_exit's one shared jump.  rax = next, the program's rax in
 * AS_D_RAX.  d_go is looked at first: it is 0 while AC is set, when
 * LOOKUP's unaligned loads would fault.
 */
	.globl disp_ind
disp_ind:
	mov	%rbx, %gs:AS_D_RBX
	mov	%rcx, %gs:AS_D_RCX
	mov	%rax, %rbx			/* rbx = next */
	seto	%al
	lahf
	mov	%eax, %gs:AS_D_FLAGS
	cmpq	$0, %gs:AS_D_GO
	je	1f
	LOOKUP
	APPEND
	RESTORE
	ret
1:	TO_C
	mov	%gs:AS_D_RSP, %rsp
	jmp	disp_c_exit

/*
 * disp_step: the ring append of a linked exit (agent/displaced_link.c),
 * called on the agent's stack (the program's rsp in AS_D_RSP) with the
 * program's flags live: it uses none (jrcxz, lea).  Appends the retired
 * instruction (d_cur) and publishes head, then d_cur = the exit's next,
 * read from the exit's data at return address + 24, and returns to the
 * exit, which jumps through its slot.  C wants control (d_go = 0) or no room: to C as a
 * stub exit.
 */
step_slow:	/* before disp_step: in jrcxz's reach */
	mov	%gs:AS_D_RCX, %rcx
	mov	%rax, %gs:AS_D_RAX
	pop	%rax
	mov	24(%rax), %rax
	mov	%gs:AS_D_RSP, %rsp
	jmp	disp_c_exit

	.globl disp_step
disp_step:
	mov	%rcx, %gs:AS_D_RCX
	mov	%gs:AS_D_GO, %rcx
	jrcxz	step_slow
	mov	%gs:AS_D_ROOM, %rcx
	jrcxz	step_slow
	lea	-1(%rcx), %rcx
	mov	%rcx, %gs:AS_D_ROOM
	mov	%rax, %gs:AS_D_RAX
	mov	%gs:AS_D_PTR, %rcx
	mov	%gs:AS_D_CUR, %rax
	mov	%rax, (%rcx)
	lea	8(%rcx), %rcx
	mov	%rcx, %gs:AS_D_PTR
	mov	%gs:AS_RING_HEAD, %rcx
	lea	1(%rcx), %rcx
	mov	%rcx, %gs:AS_RING_HEAD
	mov	%gs:AS_RING_HDR, %rax
	mov	%rcx, (%rax)
	mov	(%rsp), %rax			/* the exit's return address */
	mov	%rax, %gs:AS_D_LAST
	mov	24(%rax), %rax			/* its next */
	mov	%rax, %gs:AS_D_CUR
	mov	%gs:AS_D_RAX, %rax
	mov	%gs:AS_D_RCX, %rcx
	ret

/*
 * disp_unlinked: where a linked exit's slot points until it is linked.
 * d_cur = next is already recorded as the predecessor's successor (the
 * predecessor is in the ring); every program register is live.  next's
 * stub runs when the table has it and it may not be linked to; anything
 * else goes to C (disp_c_link), which looks next up, links the slot
 * (AS_D_LAST + 16) when it may, and runs next.
 */
	.globl disp_unlinked
disp_unlinked:
	mov	%rax, %gs:AS_D_RAX
	mov	%rbx, %gs:AS_D_RBX
	mov	%rcx, %gs:AS_D_RCX
	mov	%gs:AS_D_CUR, %rbx		/* rbx = next */
	seto	%al
	lahf
	mov	%eax, %gs:AS_D_FLAGS
	LOOKUP
	cmpq	$0, 56(%rcx)			/* linkable: C links it */
	jne	1f
	RESTORE
	jmp	*%gs:AS_D_TARGET
1:	/* Not in the table yet (the first run of the exit, mostly) or to be
	 * linked: C looks next up and links the slot in one visit. */
	RESTORE
	jmp	disp_c_link

/* Saves the program's registers into ctx (rsp and rax already there),
 * then rflags, and calls displaced_c(state, why). */
.macro SAVE_AND_CALL why
	mov	%gs:AS_STACK_TOP, %rsp
	pushfq
	mov	%rcx, %gs:AS_CTX_GPR(1)
	mov	%rdx, %gs:AS_CTX_GPR(2)
	mov	%rbx, %gs:AS_CTX_GPR(3)
	mov	%rbp, %gs:AS_CTX_GPR(5)
	mov	%rsi, %gs:AS_CTX_GPR(6)
	mov	%rdi, %gs:AS_CTX_GPR(7)
	mov	%r8, %gs:AS_CTX_GPR(8)
	mov	%r9, %gs:AS_CTX_GPR(9)
	mov	%r10, %gs:AS_CTX_GPR(10)
	mov	%r11, %gs:AS_CTX_GPR(11)
	mov	%r12, %gs:AS_CTX_GPR(12)
	mov	%r13, %gs:AS_CTX_GPR(13)
	mov	%r14, %gs:AS_CTX_GPR(14)
	mov	%r15, %gs:AS_CTX_GPR(15)
	pop	%rax
	mov	%rax, %gs:AS_CTX_RFLAGS
	/* The agent runs with DF, AC and TF clear whatever the program set. */
	pushq	$0x202
	popfq
	mov	%gs:AS_SELF, %rdi
	mov	$\why, %esi
	call	displaced_c
	ud2
.endm

/* A stub's exit to C: %gs:AS_D_CUR retired, rax = next, the program's rax
 * at %gs:AS_D_RAX. */
	.globl disp_c_exit
disp_c_exit:
	mov	%rax, %gs:AS_CTX_RIP
	mov	%gs:AS_D_RAX, %rax
	mov	%rax, %gs:AS_CTX_GPR(0)
	mov	%rsp, %gs:AS_CTX_GPR(4)
	SAVE_AND_CALL 1

/* The handler found %gs:AS_D_CUR's entry but C must run it (a syscall, a
 * fallback, popf); all the program's registers are live. */
	.globl disp_c_insn
disp_c_insn:
	mov	%rax, %gs:AS_CTX_GPR(0)
	mov	%gs:AS_D_CUR, %rax
	mov	%rax, %gs:AS_CTX_RIP
	mov	%rsp, %gs:AS_CTX_GPR(4)
	SAVE_AND_CALL 0

/* As disp_c_insn, and C links the slot of the last linked exit to
 * %gs:AS_D_CUR's stub first. */
disp_c_link:
	mov	%rax, %gs:AS_CTX_GPR(0)
	mov	%gs:AS_D_CUR, %rax
	mov	%rax, %gs:AS_CTX_RIP
	mov	%rsp, %gs:AS_CTX_GPR(4)
	SAVE_AND_CALL 3

/* The tracer took the thread out of a stub, disp_exit or a system call
 * to start a signal handler: ctx = the handler's entry (agent/signal.c,
 * tracer/patch_engine.c take_signal). */
	.globl disp_sigentry
disp_sigentry:
	mov	%gs:AS_STACK_TOP, %rsp
	mov	%gs:AS_SELF, %rdi
	mov	$2, %esi
	call	displaced_c
	ud2

/* void disp_resume(void): the program's registers from ctx, then the stub
 * at %gs:AS_D_TARGET (popfq last but mov and jmp, which keep the flags). */
	.globl disp_resume
disp_resume:
	mov	%gs:AS_CTX_RFLAGS, %rax
	push	%rax
	mov	%gs:AS_CTX_GPR(0), %rax
	mov	%gs:AS_CTX_GPR(1), %rcx
	mov	%gs:AS_CTX_GPR(2), %rdx
	mov	%gs:AS_CTX_GPR(3), %rbx
	mov	%gs:AS_CTX_GPR(5), %rbp
	mov	%gs:AS_CTX_GPR(6), %rsi
	mov	%gs:AS_CTX_GPR(7), %rdi
	mov	%gs:AS_CTX_GPR(8), %r8
	mov	%gs:AS_CTX_GPR(9), %r9
	mov	%gs:AS_CTX_GPR(10), %r10
	mov	%gs:AS_CTX_GPR(11), %r11
	mov	%gs:AS_CTX_GPR(12), %r12
	mov	%gs:AS_CTX_GPR(13), %r13
	mov	%gs:AS_CTX_GPR(14), %r14
	mov	%gs:AS_CTX_GPR(15), %r15
	popfq
	mov	%gs:AS_CTX_GPR(4), %rsp
	jmp	*%gs:AS_D_TARGET

	.section .note.GNU-stack, "", @progbits
