/*
 * Writing machine code into a stub arena byte by byte (agent/displaced.c,
 * agent/displaced_link.c).  %gs-relative operands address the thread's
 * struct agent_state (common/agent_abi.h AS_*).
 */
#ifndef UMSS_AGENT_STUB_EMIT_H
#define UMSS_AGENT_STUB_EMIT_H

#include "agent/agent.h"

struct sb {
	uint8_t *p;
};

static inline void
put(struct sb *b, const void *v, unsigned n)
{
	memcpy(b->p, v, n);
	b->p += n;
}

static inline void
put8(struct sb *b, uint8_t v)
{
	*b->p++ = v;
}

static inline void
put32(struct sb *b, uint32_t v)
{
	put(b, &v, 4);
}

static inline void
put64(struct sb *b, uint64_t v)
{
	put(b, &v, 8);
}

/* op %rax, %gs:off (opcode 0x89 store, 0x8b load) */
static inline void
gs_rax(struct sb *b, uint8_t op, uint32_t off)
{
	static const uint8_t pre[] = { 0x65, 0x48 };
	put(b, pre, 2);
	put8(b, op);
	put8(b, 0x04);
	put8(b, 0x25);
	put32(b, off);
}

static inline void
movabs_rax(struct sb *b, uint64_t v)
{
	put8(b, 0x48);
	put8(b, 0xb8);
	put64(b, v);
}

/* op %rsp, %gs:off (opcode 0x89 store, 0x8b load) */
static inline void
gs_rsp(struct sb *b, uint8_t op, uint32_t off)
{
	static const uint8_t pre[] = { 0x65, 0x48 };
	put(b, pre, 2);
	put8(b, op);
	put8(b, 0x24);
	put8(b, 0x25);
	put32(b, off);
}

/* jmp *%gs:off (0x24) or call *%gs:off (0x14) */
static inline void
gs_branch(struct sb *b, uint8_t modrm, uint32_t off)
{
	put8(b, 0x65);
	put8(b, 0xff);
	put8(b, modrm);
	put8(b, 0x25);
	put32(b, off);
}

/* One instruction that does nothing, n (0-7) bytes long. */
static inline void
put_nop(struct sb *b, unsigned n)
{
	static const uint8_t nops[8][7] = {
		{ 0 },
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	};
	put(b, nops[n], n);
}

#endif
