/*
 * The agent's ways in and out: the image header the tracer reads, the first
 * entry, the re-entry from a patch's trampoline (saves the program's
 * registers without touching its stack), the resume into program code
 * (restores them exactly), the gate to the tracer and a memory copy that may
 * fault.  The state block is at the gs base, so none of this needs a free
 * register (DESIGN.md "Invariants").
 */
#include "common/agent_abi.h"

	.section .text.head, "ax"
	.globl agent_header
agent_header:
	.quad AGENT_MAGIC
	.quad agent_start - agent_header
	.quad agent_gate_trap - agent_header
	.quad agent_safe_copy_begin - agent_header
	.quad agent_safe_copy_end - agent_header
	.quad agent_safe_copy_fixup - agent_header
	.quad agent_state_block - agent_header
	.quad agent_mem_end - agent_header

	.text
/* First entry: the tracer wrote the program's registers into the state's
 * ctx and set the gs base; rip = here, other registers are don't-care. */
	.globl agent_start
agent_start:
	lea	agent_stack_end(%rip), %rsp
	lea	agent_state_block(%rip), %rdi
	xor	%esi, %esi
	call	agent_run
	ud2

/* Re-entry from a trampoline: the program just reached the patched
 * instruction.  mov does not change flags, so save rsp first, switch to the
 * agent's stack, then save rflags with pushfq. */
	.globl agent_reentry
agent_reentry:
	mov	%rsp, %gs:AS_CTX_GPR(4)
	mov	%gs:AS_STACK_TOP, %rsp
	pushfq
	mov	%rax, %gs:AS_CTX_GPR(0)
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
	mov	$1, %esi
	call	agent_run
	ud2

/* void agent_resume(void): loads the program's registers from ctx and
 * jumps to ctx.rip.  popfq comes last but for mov and jmp, which leave
 * the flags alone. */
	.globl agent_resume
agent_resume:
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
	jmp	*%gs:AS_CTX_RIP

/* void agent_gate(void): a request to the tracer (state.req).  The tracer
 * sees the SIGTRAP of this int3 with rip = agent_gate_trap, answers, and
 * continues without delivering it. */
	.globl agent_gate
agent_gate:
	int3
agent_gate_trap:
	ret

/* long agent_safe_copy(void *dst, const void *src, size_t n): 0, or
 * -EFAULT when src or dst is not accessible.  A fault inside [begin, end)
 * stops the thread with SIGSEGV/SIGBUS; the tracer moves rip to the fixup
 * instead of delivering it (as the kernel's exception tables do). */
	.globl agent_safe_copy
agent_safe_copy:
	mov	%rdx, %rcx
agent_safe_copy_begin:
	rep movsb
agent_safe_copy_end:
	xor	%eax, %eax
	ret
agent_safe_copy_fixup:
	mov	$-14, %rax
	ret

	.section .note.GNU-stack, "", @progbits

/* The agent's stack (one thread for now). */
	.bss
	.balign 64
	.globl agent_stack_end
agent_stack:
	.skip 262144
agent_stack_end:
