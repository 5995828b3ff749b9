/*
 * What the tracer and the in-process agent share: the layout of the agent
 * image's header, of the per-thread state block (found through the gs
 * base) and of the trace buffer, and the requests the agent makes of the
 * tracer.  Included by C on both sides and by agent/entry.S, so the offsets
 * are macros, checked against the struct with _Static_assert below.
 */
#ifndef UMSS_COMMON_AGENT_ABI_H
#define UMSS_COMMON_AGENT_ABI_H

/* Offsets in struct agent_state (bytes). */
#define AS_SELF 0         /* the state's own address */
#define AS_STACK_TOP 8    /* top of the agent's stack */
#define AS_CTX 16         /* struct x86_regs: gpr[16], rip, rflags, fs_base, gs_base */
#define AS_CTX_GPR(i) (AS_CTX + 8 * (i))
#define AS_CTX_RIP (AS_CTX + 128)
#define AS_CTX_RFLAGS (AS_CTX + 136)
#define AS_PENDING 176    /* the instruction running in place under a patch */

/* Offsets in the image header (the first bytes of the flat image). */
#define AH_MAGIC 0
#define AH_START 8        /* entry for the first instruction */
#define AH_GATE 16        /* the int3 of agent_gate: a stop there is a request */
#define AH_COPY_BEGIN 24  /* [begin, end): instructions of agent_safe_copy that may fault */
#define AH_COPY_END 32
#define AH_COPY_FIXUP 40  /* where a faulting agent_safe_copy resumes (rax = -EFAULT) */
#define AH_STATE 48       /* offset of struct agent_state */
#define AH_MEM_SIZE 56    /* bytes to map: image + bss */
#define AGENT_MAGIC 0x31746e6567615355 /* "USagent1" */

/* Requests (agent_state.req) the agent makes with agent_gate(). */
#define AGENT_REQ_FLUSH 1       /* the trace buffer is full: drain it */
#define AGENT_REQ_STEP 2        /* step ctx once in the kernel (a fallback) */
#define AGENT_REQ_SYNC 3        /* drain and re-read the memory map (after mmap & co) */
#define AGENT_REQ_UNSUPPORTED 4 /* req_arg[0] = AGENT_WHY_*, req_arg[1] = detail */
#define AGENT_REQ_FAILED 5      /* agent bug or resource failure: req_arg[0] = AGENT_WHY_* */
#define AGENT_REQ_PROT 6        /* req_result = PROT_* of the mapping at req_arg[0], ~0 if none */

#define AGENT_WHY_SYSCALL 1     /* req_arg[1] = syscall number */
#define AGENT_WHY_SIGACTION 2   /* req_arg[1] = signal number */
#define AGENT_WHY_ARCH_PRCTL 3  /* req_arg[1] = code */
#define AGENT_WHY_TRAMPOLINE 4  /* no trampoline page within reach: req_arg[1] = address */
#define AGENT_WHY_TRAPFLAG 6    /* the program set TF in rflags: req_arg[1] = address */
#define AGENT_WHY_UNPATCH 5     /* the program's bytes could not be put back: req_arg[1] = address */

/*
 * Trace buffer words.  An instruction is its address (canonical user
 * addresses are below 2^47).  A code record is a marker word with bit 63
 * set, the length in bits 56-59 and the address below, then two words
 * holding the (up to 15) bytes.
 */
#define AGENT_REC_CODE (1ull << 63)
#define AGENT_REC_LEN_SHIFT 56
#define AGENT_REC_ADDR_MASK ((1ull << 56) - 1)

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "decoder/x86_decode.h"

/* Per-thread agent state: gs base points here.  All fields 8 bytes. */
struct agent_state {
	uint64_t self;          /* this struct's address in the program */
	uint64_t stack_top;     /* initial rsp of the agent's stack */
	struct x86_regs ctx;    /* the program's registers (rip = current instruction) */
	uint64_t pending;       /* address of the instruction resumed in place */
	uint64_t reserved[3];
	uint64_t req;           /* AGENT_REQ_*, set before agent_gate() */
	uint64_t req_arg[4];
	uint64_t req_result;    /* the tracer's answer (AGENT_REQ_PROT) */
	uint64_t buf;           /* trace buffer address (uint64_t words) */
	uint64_t buf_cap;       /* words */
	uint64_t buf_len;       /* words in use; the tracer sets 0 after draining */
	uint64_t patch_addr;    /* 0, or where a jump is written over the program's code */
	uint64_t patch_orig;    /* the 8 bytes there before the patch (5 changed) */
	uint64_t instructions;  /* retired, counted by the agent */
	uint64_t reentry;       /* address of agent_reentry (trampolines jump there) */
};

_Static_assert(__builtin_offsetof(struct agent_state, ctx) == AS_CTX, "ctx");
_Static_assert(__builtin_offsetof(struct agent_state, ctx.rip) == AS_CTX_RIP, "rip");
_Static_assert(__builtin_offsetof(struct agent_state, ctx.rflags) == AS_CTX_RFLAGS, "rflags");
_Static_assert(__builtin_offsetof(struct agent_state, pending) == AS_PENDING, "pending");
#endif

#endif
