/*
 * A synthetic program for trace library tests and benchmarks: functions made
 * of basic blocks with loops (backward branches taken ~90% of the time),
 * forward branches (taken ~30%), calls (depth-limited) and returns, with
 * x86-like instruction lengths.  Its execution is an instruction stream
 * shaped like real code, so compression and speed measured on it mean
 * something (real traces later confirm it).
 */
#ifndef UMSS_TESTS_TRACEFMT_SYNTH_H
#define UMSS_TESTS_TRACEFMT_SYNTH_H

#include <stdint.h>
#include <stdlib.h>

enum synth_kind { SYN_PLAIN, SYN_JCC, SYN_CALL, SYN_RET };

struct synth_insn {
	uint64_t addr;
	uint8_t len;
	uint8_t kind;
	uint8_t taken_pct; /* SYN_JCC: chance the branch is taken, % */
	uint32_t target;   /* SYN_JCC, SYN_CALL: instruction index */
};

struct synth {
	struct synth_insn *insns;
	uint32_t n;
	uint32_t *fn_start; /* instruction index of each function */
	uint32_t nfn;
	uint64_t rng;
	uint32_t pc;
	uint32_t stack[64];
	uint32_t depth;
};

static inline uint64_t
synth_rand(uint64_t *s)
{
	/* xorshift64* (Vigna, "An experimental exploration of Marsaglia's
	 * xorshift generators"). */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Deterministic instruction bytes for an address (first is the length). */
static inline void
synth_bytes(uint64_t addr, uint8_t len, uint8_t *out)
{
	uint64_t s = addr * 0x9e3779b97f4a7c15ull | 1;
	for (uint8_t i = 0; i < len; i++)
		out[i] = (uint8_t)synth_rand(&s);
}

static inline void
synth_init(struct synth *p, uint32_t nfn, uint64_t base, uint64_t seed)
{
	uint64_t s = seed | 1;
	uint32_t cap = nfn * 200;
	p->insns = calloc(cap, sizeof(*p->insns));
	p->fn_start = calloc(nfn, sizeof(*p->fn_start));
	p->nfn = nfn;
	p->n = 0;
	uint64_t addr = base;
	static const uint8_t lens[16] = { 1, 2, 3, 3, 3, 4, 4, 4,
					  5, 5, 5, 6, 7, 7, 8, 10 };
	/* Block starts of the current function, for branch targets. */
	uint32_t blocks[24];
	for (uint32_t f = 0; f < nfn; f++) {
		p->fn_start[f] = p->n;
		uint32_t nb = 2 + (uint32_t)(synth_rand(&s) % 20);
		uint32_t first = p->n;
		/* Lay out blocks first; patch forward targets afterwards. */
		uint32_t pending[24], npending = 0;
		for (uint32_t b = 0; b < nb; b++) {
			blocks[b] = p->n;
			uint32_t k = 1 + (uint32_t)(synth_rand(&s) % 7);
			for (uint32_t i = 0; i < k; i++) {
				struct synth_insn *in = &p->insns[p->n++];
				in->addr = addr;
				in->len = lens[synth_rand(&s) % 16];
				in->kind = SYN_PLAIN;
				addr += in->len;
			}
			struct synth_insn *t = &p->insns[p->n];
			t->addr = addr;
			if (b == nb - 1) {
				t->kind = SYN_RET;
				t->len = 1;
			} else {
				uint64_t c = synth_rand(&s) % 10;
				if (c < 3) {
					t->kind = SYN_JCC; /* loop */
					t->len = 2;
					t->taken_pct = 90;
					t->target = blocks[synth_rand(&s) % (b + 1)];
				} else if (c < 6) {
					t->kind = SYN_JCC; /* forward */
					t->len = synth_rand(&s) % 2 ? 2 : 6;
					t->taken_pct = 30;
					pending[npending++] = p->n;
				} else if (c < 8 && f > 0) {
					t->kind = SYN_CALL;
					t->len = 5;
					t->target = p->fn_start[synth_rand(&s) % f];
				} else {
					t->kind = SYN_PLAIN;
					t->len = 3;
				}
			}
			addr += t->len;
			p->n++;
		}
		for (uint32_t i = 0; i < npending; i++) {
			uint32_t at = pending[i];
			/* Any later block start of this function. */
			uint32_t later[24], nl = 0;
			for (uint32_t b = 0; b < nb; b++)
				if (blocks[b] > at)
					later[nl++] = blocks[b];
			p->insns[at].target = nl ? later[synth_rand(&s) % nl]
						  : first;
		}
		addr = (addr + 15) & ~15ull; /* functions 16-byte aligned */
	}
	p->rng = seed * 7 + 1;
	p->pc = p->fn_start[nfn - 1];
	p->depth = 0;
}

/* Index of the next executed instruction. */
static inline uint32_t
synth_step(struct synth *p)
{
	uint32_t cur = p->pc;
	const struct synth_insn *in = &p->insns[cur];
	uint32_t next = cur + 1;
	switch (in->kind) {
	case SYN_JCC:
		if (synth_rand(&p->rng) % 100 < in->taken_pct)
			next = in->target;
		break;
	case SYN_CALL:
		if (p->depth < 64) {
			p->stack[p->depth++] = cur + 1;
			next = in->target;
		}
		break;
	case SYN_RET:
		next = p->depth ? p->stack[--p->depth]
				: p->fn_start[p->nfn - 1];
		break;
	}
	p->pc = next;
	return cur;
}

static inline void
synth_free(struct synth *p)
{
	free(p->insns);
	free(p->fn_start);
}

#endif /* UMSS_TESTS_TRACEFMT_SYNTH_H */
