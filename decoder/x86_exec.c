/* What a decoded instruction does with a given register state: effective
 * addresses, the memory it touches, and where execution goes next.
 * Freestanding like x86_decode.c. */
#include "decoder/x86_decode.h"

#define RFLAGS_CF (1ull << 0)
#define RFLAGS_PF (1ull << 2)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_SF (1ull << 7)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_OF (1ull << 11)

/* Condition codes, SDM vol. 1 appendix B (table B-1). */
int
x86_cond_true(unsigned cc, uint64_t f)
{
	int cf = !!(f & RFLAGS_CF), zf = !!(f & RFLAGS_ZF), sf = !!(f & RFLAGS_SF);
	int of = !!(f & RFLAGS_OF), pf = !!(f & RFLAGS_PF);
	int r;
	switch ((cc >> 1) & 7) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

static uint64_t
seg_base(const struct x86_insn *insn, const struct x86_regs *regs)
{
	if (insn->seg == 4)
		return regs->fs_base;
	if (insn->seg == 5)
		return regs->gs_base;
	return 0;
}

static uint64_t
addr_mask(const struct x86_insn *insn, uint64_t a)
{
	return insn->addrsize == 4 ? (uint32_t)a : a;
}

/* Effective address without the segment base, SDM 2.1.5 / 2.2.1.
 * rsp_adjust is added when the base is rsp (pop r/m uses rsp after the
 * pop, SDM POP). */
static uint64_t
ea_offset(const struct x86_insn *insn, const struct x86_regs *regs, uint64_t rsp_adjust)
{
	unsigned rex = insn->rex;
	uint64_t a;
	if (insn->flags & X86_F_MOFFS)
		return addr_mask(insn, (uint64_t)insn->imm);
	if (insn->flags & X86_F_RIPREL)
		return addr_mask(insn, regs->rip + insn->len + (int64_t)insn->disp);
	a = (uint64_t)(int64_t)insn->disp;
	if (insn->flags & X86_F_SIB) {
		unsigned base = insn->sib & 7, index = (insn->sib >> 3) & 7;
		unsigned scale = insn->sib >> 6;
		if (!(base == 5 && (insn->modrm >> 6) == 0)) {
			base |= (rex & 1) << 3;
			a += regs->gpr[base] + (base == X86_RSP ? rsp_adjust : 0);
		}
		index |= (rex & 2) << 2;
		if (index != 4 && !(insn->flags & (X86_F_GATHER | X86_F_SCATTER)))
			a += regs->gpr[index] << scale;
	} else {
		unsigned base = (insn->modrm & 7) | ((rex & 1) << 3);
		a += regs->gpr[base] + (base == X86_RSP ? rsp_adjust : 0);
	}
	return addr_mask(insn, a);
}

uint64_t
x86_insn_ea(const struct x86_insn *insn, const struct x86_regs *regs)
{
	return ea_offset(insn, regs, 0) + seg_base(insn, regs);
}

static void
mem_set(struct x86_mem *m, uint64_t addr, uint32_t size, unsigned access, unsigned kind)
{
	m->addr = addr;
	m->count = 1;
	m->size = size;
	m->access = (uint8_t)access;
	m->kind = (uint8_t)kind;
	m->dir = 1;
}

/* The near-branch operand size: 8, or 2 on AMD with 66 (x86_decode). */
static unsigned
branch_size(const struct x86_insn *insn)
{
	return insn->opsize == 2 ? 2 : 8;
}

int
x86_insn_mem(const struct x86_insn *insn, const struct x86_regs *regs,
	     struct x86_mem out[X86_MAX_MEM])
{
	int n = 0;
	uint64_t rsp = regs->gpr[X86_RSP];
	unsigned op = insn->opcode, osz = insn->opsize;
	int legacy1 = insn->enc == X86_ENC_LEGACY && insn->map == 0;
	int legacy2 = insn->enc == X86_ENC_LEGACY && insn->map == 1;
	unsigned reg = (insn->modrm >> 3) & 7;
	uint64_t pop_adjust = 0;

	if (insn->flags & X86_F_STACK) {
		if (legacy1 && ((op >= 0x50 && op <= 0x57) || op == 0x68 || op == 0x6a ||
				op == 0x9c || (op == 0xff && reg == 6))) {
			mem_set(&out[n++], rsp - osz, osz, X86_ACC_WRITE, X86_MEM_STACK);
		} else if (legacy2 && (op == 0xa0 || op == 0xa8)) {
			mem_set(&out[n++], rsp - osz, osz, X86_ACC_WRITE, X86_MEM_STACK);
		} else if ((legacy1 && ((op >= 0x58 && op <= 0x5f) || op == 0x8f || op == 0x9d ||
					op == 0xc9)) ||
			   (legacy2 && (op == 0xa1 || op == 0xa9))) {
			uint64_t from = op == 0xc9 ? regs->gpr[X86_RBP] : rsp;
			mem_set(&out[n++], from, osz, X86_ACC_READ, X86_MEM_STACK);
			if (op == 0x8f)
				pop_adjust = osz;
		} else if (legacy1 && (op == 0xe8 || (op == 0xff && reg == 2))) {
			unsigned s = branch_size(insn);
			mem_set(&out[n++], rsp - s, s, X86_ACC_WRITE, X86_MEM_STACK);
		} else if (legacy1 && (op == 0xc2 || op == 0xc3)) {
			unsigned s = branch_size(insn);
			mem_set(&out[n++], rsp, s, X86_ACC_READ, X86_MEM_STACK);
		} else if (legacy1 && (op == 0xca || op == 0xcb)) {
			mem_set(&out[n++], rsp, 2 * osz, X86_ACC_READ, X86_MEM_STACK);
		} else if (legacy1 && op == 0xff && reg == 3) {
			mem_set(&out[n++], rsp - 2 * osz, 2 * osz, X86_ACC_WRITE, X86_MEM_STACK);
		} else if (legacy1 && op == 0xcf) {
			/* iret pops rip, cs, rflags, rsp, ss (SDM IRET). */
			mem_set(&out[n++], rsp, 5 * osz, X86_ACC_READ, X86_MEM_STACK);
		} else if (legacy1 && op == 0xc8) {
			/* enter: rbp and (level) frame pointers below rsp. */
			unsigned level = insn->imm2 & 31;
			unsigned bytes = osz * (1 + level);
			mem_set(&out[n++], rsp - bytes, bytes, X86_ACC_WRITE, X86_MEM_STACK);
		}
	}
	if ((insn->flags & X86_F_MEM) && !(insn->flags & X86_F_NOMEMACCESS)) {
		unsigned kind = X86_MEM_EXPLICIT;
		if (insn->flags & X86_F_XSAVE)
			kind = X86_MEM_XSAVE;
		else if (insn->flags & X86_F_GATHER)
			kind = X86_MEM_GATHER;
		else if (insn->flags & X86_F_SCATTER)
			kind = X86_MEM_SCATTER;
		uint64_t a = ea_offset(insn, regs, pop_adjust) + seg_base(insn, regs);
		mem_set(&out[n++], a, insn->mem_size, insn->mem_access, kind);
	}
	if (insn->flags & X86_F_STRING) {
		/* String instructions (SDM vol. 1 7.3.9): [rsi] honours a
		 * segment override, [rdi] always uses ES (base 0). */
		uint64_t count = 1;
		uint32_t size = (op & 1) ? osz : 1;
		int8_t dir = (regs->rflags & RFLAGS_DF) ? -1 : 1;
		uint64_t src = addr_mask(insn, regs->gpr[X86_RSI]) + seg_base(insn, regs);
		uint64_t dst = addr_mask(insn, regs->gpr[X86_RDI]);
		if (insn->flags & X86_F_REP_STRING)
			count = addr_mask(insn, regs->gpr[X86_RCX]);
		switch (op & 0xfe) {
		case 0xa4: /* movs */
			mem_set(&out[n++], src, size, X86_ACC_READ, X86_MEM_STRING_SRC);
			mem_set(&out[n++], dst, size, X86_ACC_WRITE, X86_MEM_STRING_DST);
			break;
		case 0xa6: /* cmps */
			mem_set(&out[n++], src, size, X86_ACC_READ, X86_MEM_STRING_SRC);
			mem_set(&out[n++], dst, size, X86_ACC_READ, X86_MEM_STRING_DST);
			break;
		case 0xaa: /* stos */
		case 0x6c: /* ins */
			mem_set(&out[n++], dst, size, X86_ACC_WRITE, X86_MEM_STRING_DST);
			break;
		case 0xac: /* lods */
		case 0x6e: /* outs */
			mem_set(&out[n++], src, size, X86_ACC_READ, X86_MEM_STRING_SRC);
			break;
		case 0xae: /* scas */
			mem_set(&out[n++], dst, size, X86_ACC_READ, X86_MEM_STRING_DST);
			break;
		}
		for (int k = 0; k < n; k++) {
			if (out[k].kind == X86_MEM_STRING_SRC || out[k].kind == X86_MEM_STRING_DST) {
				out[k].count = count;
				out[k].dir = dir;
			}
		}
	}
	if (legacy1 && op == 0xd7) {
		/* xlat: [rbx + al] (SDM XLAT). */
		uint64_t a = addr_mask(insn, regs->gpr[X86_RBX] + (regs->gpr[X86_RAX] & 0xff));
		mem_set(&out[n++], a + seg_base(insn, regs), 1, X86_ACC_READ, X86_MEM_XLAT);
	}
	return n;
}

static int
read_target(x86_read_fn read, void *cookie, uint64_t addr, unsigned size, uint64_t *v)
{
	uint64_t t = 0;
	if (read(cookie, addr, &t, size) < 0)
		return X86_NEXT_READ_FAILED;
	*v = size == 2 ? (uint16_t)t : t;
	return X86_NEXT_OK;
}

int
x86_next_rip(const struct x86_insn *insn, const struct x86_regs *regs,
	     x86_read_fn read, void *cookie, uint64_t *next)
{
	uint64_t fall = regs->rip + insn->len;
	uint64_t target = fall + (uint64_t)insn->imm;
	uint64_t rcx = addr_mask(insn, regs->gpr[X86_RCX]);
	int taken;
	/* With 66 on AMD, near branches truncate the target to 16 bits
	 * (APM vol. 3, JMP/Jcc/CALL in 64-bit mode). */
	if (insn->opsize == 2)
		target &= 0xffff;
	switch (insn->cf) {
	case X86_CF_NONE:
		*next = fall;
		return X86_NEXT_OK;
	case X86_CF_JCC:
		*next = x86_cond_true(insn->cond, regs->rflags) ? target : fall;
		return X86_NEXT_OK;
	case X86_CF_LOOP: {
		/* rcx (ecx with 67) is decremented first, flags unchanged. */
		uint64_t c = addr_mask(insn, rcx - 1);
		int zf = !!(regs->rflags & RFLAGS_ZF);
		taken = c != 0;
		if (insn->cond == 0)
			taken = taken && !zf;
		else if (insn->cond == 1)
			taken = taken && zf;
		*next = taken ? target : fall;
		return X86_NEXT_OK;
	}
	case X86_CF_JRCXZ:
		*next = rcx == 0 ? target : fall;
		return X86_NEXT_OK;
	case X86_CF_JMP:
	case X86_CF_CALL:
		*next = target;
		return X86_NEXT_OK;
	case X86_CF_JMP_IND:
	case X86_CF_CALL_IND: {
		unsigned s = branch_size(insn);
		uint64_t v;
		if (!(insn->flags & X86_F_MEM)) {
			v = regs->gpr[(insn->modrm & 7) | ((insn->rex & 1) << 3)];
			*next = s == 2 ? (uint16_t)v : v;
			return X86_NEXT_OK;
		}
		int r = read_target(read, cookie, x86_insn_ea(insn, regs), s, &v);
		if (r == X86_NEXT_OK)
			*next = v;
		return r;
	}
	case X86_CF_RET: {
		uint64_t v;
		int r = read_target(read, cookie, regs->gpr[X86_RSP], branch_size(insn), &v);
		if (r == X86_NEXT_OK)
			*next = v;
		return r;
	}
	default:
		/* Includes xbegin/xabort: this CPU has no RTM and raises #UD
		 * (tests/unit/decoder_cpu.c). */
		return X86_NEXT_UNKNOWN;
	}
}
