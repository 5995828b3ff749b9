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
#define AS_RING_DATA 256  /* the trace ring's words (struct agent_state ring_*) */
#define AS_RING_LIMIT 264
#define AS_RING_HEAD 272
/* Engine displaced (agent/displaced.c, agent/displaced_entry.S): the
 * handler's per-thread words, addressed %gs:AS_D_* by generated stubs. */
#define AS_ENGINE 312     /* AGENT_ENGINE_*, set by the tracer before the start */
#define AS_D_CUR 320      /* the instruction running from a stub (or next to handle) */
#define AS_D_TARGET 328   /* the stub the handler jumps to */
#define AS_D_EXIT 336     /* where stubs return: the fast handler or the C one */
#define AS_D_EXIT_C 344   /* the C handler (exits that must always be checked) */
#define AS_D_L1 352       /* the stub lookup table */
#define AS_D_RAX 360      /* the program's rax/rbx/rcx while the handler runs */
#define AS_D_RBX 368
#define AS_D_RCX 376
#define AS_D_FLAGS 384    /* lahf/seto image of the program's arithmetic flags */
#define AS_D_TMP 392      /* a stub's scratch word (call indirect's target) */
#define AS_RING_MASK 400
#define AS_RING_HDR 408
/* Threads (agent/thread_slots.c, docs/AGENT.md "Threads"). */
#define AS_SLOT_BUSY 416  /* a thread slot's busy word (the tracer clears it when the thread is gone), or 0 */
/* Engine displaced's linked exits (agent/displaced_link.c). */
#define AS_D_ROOM 440     /* ring words that fit at AS_D_PTR before the limit or the ring's end */
#define AS_D_PTR 448      /* where the next ring word goes (ring_data + (ring_head & mask) * 8) */
#define AS_D_RSP 456      /* the program's rsp while disp_step runs on the agent's stack */
#define AS_D_STEP 464     /* the address of disp_step (agent/displaced_entry.S) */
#define AS_D_LAST 472     /* disp_step's return address of the last linked exit taken */
#define AS_D_IND 480      /* the address of disp_ind (agent/displaced_entry.S) */
#define AS_D_GO 488       /* 0: C wants control at the next boundary (a queued signal, AC set) */

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
#define AGENT_REQ_PROT 6        /* req_result = PROT_* of the mapping at req_arg[0], ~0 if none; req_arg[1..2] = its bounds,
				 * req_arg[3] = 1 if MAP_SHARED */
#define AGENT_REQ_ARENA 7       /* displaced mapped a stub arena [req_arg[0], +req_arg[1]) (req_arg[2] = 0),
				 * or patch a trampoline page (req_arg[2] = its PROT_*): not the program's;
				 * req_arg[2] = ~0: the agent unmapped that range again */
#define AGENT_REQ_RING 8        /* a new trace ring: req_arg[0] = its memfd, [1] = address, [2] = bytes,
				 * [3] = the state block that writes it */

/* agent_state.reserved[AGENT_RECORDED_SLOT]: 1 while the program's system
 * call running now was recorded before it ran (exit, execve, kill with
 * SIGKILL), so a death inside it must not record it again. */
#define AGENT_RECORDED_SLOT 1
/* agent_state.reserved[AGENT_VCHILD_SLOT]: while the agent runs a clone
 * whose child shares the memory (vfork, posix_spawn), the address of the
 * child's own state block (agent/process.c), else 0. */
#define AGENT_VCHILD_SLOT 2

#define AGENT_ENGINE_PATCH 0
#define AGENT_ENGINE_DISPLACED 1

#define AGENT_WHY_SYSCALL 1     /* req_arg[1] = syscall number */
#define AGENT_WHY_SIGACTION 2   /* req_arg[1] = signal number */
#define AGENT_WHY_ARCH_PRCTL 3  /* req_arg[1] = code */
#define AGENT_WHY_TRAMPOLINE 4  /* no trampoline page within reach: req_arg[1] = address */
#define AGENT_WHY_TRAPFLAG 6    /* the program set TF in rflags: req_arg[1] = address */
#define AGENT_WHY_UNPATCH 5     /* the program's bytes could not be put back: req_arg[1] = address */
#define AGENT_WHY_DISP_FULL 7   /* engine displaced: no room for more records (req_arg[1] = address) */
#define AGENT_WHY_RING 8        /* the trace ring could not be made: req_arg[1] = -errno */
#define AGENT_WHY_AGENT_MEMORY 9 /* the program maps/unmaps/protects over the agent's image: req_arg[1] = address */
#define AGENT_WHY_THREADS 10    /* every thread slot is in use: req_arg[1] = how many there are */

/*
 * The trace ring (docs/AGENT.md "Trace ring"): one per agent state block,
 * a memfd mapped MAP_SHARED by the agent (at a fixed place in its own
 * memory) and by the tracer, which drains it while the program runs and
 * still holds it when the program dies without a stop (SIGKILL).  A
 * header page, then a power-of-two number of words.  Single producer
 * (the agent thread of the state block), single consumer (the tracer):
 * the producer writes words at head & mask, then publishes head; the
 * consumer reads up to head, then publishes tail (x86 keeps stores in
 * order, loads in order).  head and tail only grow.
 */
#define RING_HDR_BYTES 4096
#define RING_WAIT_GATE 0        /* a full ring stops at the gate (AGENT_REQ_FLUSH) */
#define RING_WAIT_FUTEX 1       /* a full ring waits on a futex at tail (the tracer drains concurrently) */

/*
 * Trace words.  An instruction is its address (canonical user
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
	uint64_t ring_data;     /* the trace ring's words (ring_hdr + RING_HDR_BYTES) */
	uint64_t ring_limit;    /* head may grow up to here: the tail last seen + capacity */
	uint64_t ring_head;     /* words written, the agent's copy (published in ring_hdr) */
	uint64_t patch_addr;    /* 0, or where a jump is written over the program's code */
	uint64_t patch_orig;    /* the 8 bytes there before the patch (5 changed) */
	uint64_t instructions;  /* retired, counted by the agent */
	uint64_t reentry;       /* address of agent_reentry (trampolines jump there) */
	uint64_t engine;        /* AGENT_ENGINE_* */
	/* engine displaced: see the AS_D_* offsets */
	uint64_t d_cur, d_target, d_exit, d_exit_c, d_l1;
	uint64_t d_rax, d_rbx, d_rcx, d_flags, d_tmp;
	uint64_t ring_mask;     /* capacity in words - 1 */
	uint64_t ring_hdr;      /* struct agent_ring_header, 0 before the ring is open */
	/* threads: the slot this state block belongs to (its busy word, 0
	 * for the first thread and vfork children), engine patch's run lock
	 * held by this thread, steps since it last let others run */
	uint64_t slot_busy, run_held, run_steps;
	/* engine displaced, linked exits: see the AS_D_ROOM... offsets */
	uint64_t d_room, d_ptr, d_rsp, d_step, d_last, d_ind, d_go;
};

/* The trace ring's first page. */
struct agent_ring_header {
	uint64_t head;          /* written by the agent: words published */
	uint64_t pad0[7];
	uint64_t tail;          /* written by the tracer: words consumed (futex at its low half) */
	uint64_t waiting;       /* the agent waits in a futex for tail to move */
	uint64_t pad1[6];
	uint64_t wait_mode;     /* RING_WAIT_*, set by the tracer when it maps the ring */
};

_Static_assert(__builtin_offsetof(struct agent_state, ctx) == AS_CTX, "ctx");
_Static_assert(__builtin_offsetof(struct agent_state, ctx.rip) == AS_CTX_RIP, "rip");
_Static_assert(__builtin_offsetof(struct agent_state, ctx.rflags) == AS_CTX_RFLAGS, "rflags");
_Static_assert(__builtin_offsetof(struct agent_state, pending) == AS_PENDING, "pending");
_Static_assert(__builtin_offsetof(struct agent_state, ring_data) == AS_RING_DATA, "ring_data");
_Static_assert(__builtin_offsetof(struct agent_state, ring_limit) == AS_RING_LIMIT, "ring_limit");
_Static_assert(__builtin_offsetof(struct agent_state, ring_head) == AS_RING_HEAD, "ring_head");
_Static_assert(__builtin_offsetof(struct agent_state, ring_mask) == AS_RING_MASK, "ring_mask");
_Static_assert(__builtin_offsetof(struct agent_state, ring_hdr) == AS_RING_HDR, "ring_hdr");
_Static_assert(__builtin_offsetof(struct agent_state, engine) == AS_ENGINE, "engine");
_Static_assert(__builtin_offsetof(struct agent_state, d_cur) == AS_D_CUR, "d_cur");
_Static_assert(__builtin_offsetof(struct agent_state, d_exit_c) == AS_D_EXIT_C, "d_exit_c");
_Static_assert(__builtin_offsetof(struct agent_state, d_rax) == AS_D_RAX, "d_rax");
_Static_assert(__builtin_offsetof(struct agent_state, d_tmp) == AS_D_TMP, "d_tmp");
_Static_assert(__builtin_offsetof(struct agent_state, slot_busy) == AS_SLOT_BUSY, "slot_busy");
_Static_assert(__builtin_offsetof(struct agent_state, d_room) == AS_D_ROOM, "d_room");
_Static_assert(__builtin_offsetof(struct agent_state, d_last) == AS_D_LAST, "d_last");
_Static_assert(__builtin_offsetof(struct agent_state, d_ind) == AS_D_IND, "d_ind");
_Static_assert(__builtin_offsetof(struct agent_state, d_go) == AS_D_GO, "d_go");
#endif

#endif
