/* x86-64 instruction decoder: prefixes, VEX/EVEX, opcode forms, ModRM/SIB,
 * displacement and immediates.  Freestanding: no libc, no globals that
 * change, no allocation.  Encoding rules: Intel SDM vol. 2 chapter 2 and
 * AMD APM vol. 3 chapter 1. */
#include "decoder/x86_decode.h"
#include "decoder/x86_form.h"

#include "decoder/x86_tables.inc"

/* Checks that bytes [0, n) may be read: an instruction is at most 15 bytes
 * (SDM 2.3.11, APM 1.1); short of that, missing bytes are "truncated". */
#define NEED(n)                                                         \
	do {                                                            \
		if ((n) > 15)                                           \
			return X86_TOO_LONG;                            \
		if ((size_t)(n) > avail)                                \
			return X86_TRUNCATED;                           \
	} while (0)

/* Bytes that are legacy prefixes or REX in 64-bit mode (SDM 2.1.1, 2.2.1):
 * 26 2E 36 3E 40-4F 64 65 66 67 F0 F2 F3. */
/* The prefixes the fast path handles itself: 26 2E 36 3E 64 65 66. */
static const uint64_t fast_prefix_bits[4] = {
	0x4040404000000000ull,
	0x0000007000000000ull,
	0,
	0,
};

static const uint64_t prefix_bits[4] = {
	0x4040404000000000ull, /* 26 2e 36 3e */
	0x000000f00000ffffull, /* 40-4f 64-67 */
	0,
	0x000d000000000000ull, /* f0 f2 f3 */
};

/* Immediate bytes by kind (X86_IMM_*) and operand size 2, 4, 8 (index
 * osz >> 2): iz is 16 or 32 bits, iv 16/32/64 (SDM A.2.2 z, v); moffs and
 * xbegin are fixed up in the code. */
static const uint8_t imm_size[10][3] = {
	{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {2, 4, 4}, {2, 4, 8},
	{2, 2, 2}, {0, 0, 0}, {1, 1, 1}, {2, 4, 4}, {1, 1, 1},
};
static const uint8_t imm2_size[10] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 1};
#define IMM_UNSIGNED ((1u << X86_IMM_IW) | (1u << X86_IMM_IWIB) | (1u << X86_IMM_MOFFS) | \
		      (1u << X86_IMM_I8I8))

static inline uint64_t
load_le(const uint8_t *p, unsigned n, size_t room)
{
	uint64_t v = 0;
	if (room >= 8) {
		__builtin_memcpy(&v, p, 8);
		return n >= 8 ? v : v & ((1ull << (8 * n)) - 1);
	}
	for (unsigned k = 0; k < n; k++)
		v |= (uint64_t)p[k] << (8 * k);
	return v;
}

/* x87 memory operands by escape (D8..DF) and ModRM.reg, in bytes (SDM
 * vol. 1 8.1.10 and the instruction pages): m32fp, m64fp, m16/m32/m64int,
 * m80 (fld/fstp m80, fbld, fbstp), 2-byte control/status words, and the
 * 28-byte environment / 108-byte state images (14 and 94 with 66). */
static const uint8_t x87_size[8][8] = {
	{4, 4, 4, 4, 4, 4, 4, 4},
	{4, 0, 4, 4, 28, 2, 28, 2},
	{4, 4, 4, 4, 4, 4, 4, 4},
	{4, 4, 4, 4, 0, 10, 0, 10},
	{8, 8, 8, 8, 8, 8, 8, 8},
	{8, 8, 8, 8, 108, 0, 108, 2},
	{2, 2, 2, 2, 2, 2, 2, 2},
	{2, 2, 2, 2, 10, 8, 10, 8},
};
/* Bit r set: /r stores to memory (fst/fstp/fist/fisttp/fnstenv/fnsave/
 * fnstcw/fnstsw/fbstp); the others read. */
static const uint8_t x87_writes[8] = {0x00, 0xcc, 0x00, 0x8e, 0x00, 0xce, 0x00, 0xce};

static inline int
form_matches(const struct x86_form *f, unsigned ppbit, unsigned mod3, unsigned reg,
	     unsigned rm, unsigned w, unsigned l)
{
	if (!(f->pp & ppbit))
		return 0;
	if (f->mod == 1 && mod3)
		return 0;
	if (f->mod == 2 && !mod3)
		return 0;
	if (f->reg != 0xff && f->reg != reg)
		return 0;
	if (f->rm != 0xff && f->rm != rm)
		return 0;
	if (f->w && f->w != w + 1)
		return 0;
	if (!(f->l & (1u << l)))
		return 0;
	return 1;
}

/* disp8*N scale for an EVEX memory operand (SDM 2.7.5, tables 2-34, 2-35). */
static unsigned
evex_disp8_n(const struct x86_form *f, unsigned vl, unsigned w, unsigned b)
{
	unsigned vbytes = 16u << (vl > 2 ? 2 : vl);
	unsigned es = f->es ? f->es : (w ? 8 : 4);
	switch (f->tuple) {
	case X86_T_FV:
		return b ? es : vbytes;
	case X86_T_HV:
		return b ? 4 : vbytes / 2;
	case X86_T_FVM:
		return vbytes;
	case X86_T_HVM:
		return vbytes / 2;
	case X86_T_QVM:
		return vbytes / 4;
	case X86_T_OVM:
		return vbytes / 8;
	case X86_T_T1S:
	case X86_T_T1F:
		return es;
	case X86_T_T2:
		return 2 * es;
	case X86_T_T4:
		return 4 * es;
	case X86_T_T8:
		return 8 * es;
	case X86_T_M128:
		return 16;
	case X86_T_DUP:
		return vl == 0 ? 8 : vbytes;
	default:
		return vbytes;
	}
}


/* Memory operand size of a legacy-encoded form (0 when not modelled). */
static inline unsigned
legacy_mem_size(const struct x86_form *f, unsigned osz, unsigned w, unsigned pp,
		enum x86_vendor vendor)
{
	if (f->cmpx)
		return w ? 16 : 8;
	if ((f->sz & X86_SZ_PP_MASK) == X86_SZ_PP) {
		unsigned n = (f->sz >> (3 * pp)) & 7;
		return n ? 1u << (n - 1) : 0;
	}
	switch (f->sz) {
	case 0:
		return 0;
	case X86_SZ_V:
		return osz;
	case X86_SZ_W:
		return w ? 8 : 4;
	case X86_SZ_P:
		/* Far pointers: AMD reads m16:32 even with REX.W (decoder_cpu). */
		return 2 + (osz == 8 && vendor == X86_VENDOR_AMD ? 4 : osz);
	default:
		return f->sz > 255 ? 0 : f->sz;
	}
}

/* The common case, taken when at least 16 bytes are readable (reads may
 * reach byte 22: x86_decode() pads 16..22-byte buffers): no legacy
 * prefix but an optional 66 and one REX, the one-byte or 0F map, and an
 * opcode with a single form, or a group whose forms differ only in
 * ModRM.reg, with nothing special to check (x86_index bits 31/30, set by
 * the generator).  Returns 0, or -1 to let the general path decode; the
 * fuzzer and decoder-check compare both paths (buffers under 16 bytes
 * take the general one). */
static inline int
decode_fast(const uint8_t *b, enum x86_vendor vendor, struct x86_insn *d)
{
	unsigned i = 0, rex = 0, c = b[0], map = 0, w = 0, fl, opsize_pfx = 0;
	unsigned seg_last = 0, seg_fsgs = 0;
	/* Up to three of 66 and the segment prefixes (no LOCK, REP, 67). */
	for (unsigned k = 0; k < 3 && ((fast_prefix_bits[c >> 6] >> (c & 63)) & 1); k++) {
		if (c == 0x66) {
			opsize_pfx = 1;
		} else if (c >= 0x64) {
			seg_last = seg_fsgs = c - 0x60; /* 64 -> 4 (fs), 65 -> 5 (gs) */
		} else {
			seg_last = 0;
		}
		c = b[++i];
	}
	if ((c & 0xf0) == 0x40) {
		rex = c;
		w = (c >> 3) & 1;
		c = b[++i];
	}
	if ((prefix_bits[c >> 6] >> (c & 63)) & 1)
		return -1;
	i++;
	if (c == 0x0f) {
		c = b[i++];
		map = 1;
	}
	uint32_t ix = x86_index[map][c];
	const struct x86_form *f;
	if (ix & 0x80000000u) {
		f = &x86_forms[(ix >> 8) & 0xffff];
	} else if (ix & 0x40000000u) {
		/* A group: the form is chosen by ModRM.reg alone. */
		unsigned k = x86_groups[(ix >> 24) & 0x3f][(b[i] >> 3) & 7];
		if (k == 0xffff)
			return -1;
		f = &x86_forms[k];
	} else {
		return -1;
	}
	fl = f->flags;
	unsigned osz = w ? 8 : 4;
	if (opsize_pfx) {
		/* 66 selects this form (mandatory prefix) or is the operand
		 * size; a form that only exists with 66 keeps 32 bits. */
		if (!(f->pp & 2))
			return -1;
		if (!w && (f->pp & 1))
			osz = 2;
	} else if (!(f->pp & 1)) {
		return -1;
	}
	if (fl & (X86_FF_D64 | X86_FF_F64)) {
		if (opsize_pfx && (fl & X86_FF_F64))
			return -1; /* 66 on near branches: vendor rules, general path */
		osz = opsize_pfx && !w ? 2 : 8;
	}
	*d = (struct x86_insn){ 0 };
	if (opsize_pfx) {
		d->prefixes = X86_PFX_OPSIZE;
		d->pp = map ? 1 : 0; /* a mandatory prefix only outside map 0 */
	}
	d->seg = (uint8_t)(vendor == X86_VENDOR_AMD ? seg_fsgs : seg_last);
	if (fl & X86_FF_MODRM) {
		unsigned modrm = b[i++];
		unsigned mod = modrm >> 6, rm = modrm & 7;
		d->modrm = (uint8_t)modrm;
		d->flags = X86_F_MODRM;
		if (mod == 3) {
			if (f->mod == 1)
				return -1;
		} else {
			if (f->mod == 2)
				return -1;
			d->flags |= X86_F_MEM;
			unsigned ds = mod == 1 ? 1 : mod == 2 ? 4 : 0;
			if (rm == 4) {
				d->sib = b[i++];
				d->flags |= X86_F_SIB;
				if (mod == 0 && (d->sib & 7) == 5)
					ds = 4;
			} else if (mod == 0 && rm == 5) {
				ds = 4;
				d->flags |= X86_F_RIPREL;
			}
			uint64_t raw;
			__builtin_memcpy(&raw, b + i, 8);
			int32_t d8 = (int8_t)raw, d32 = (int32_t)(uint32_t)raw;
			d->disp = ds == 4 ? d32 : ds == 1 ? d8 : 0;
			d->disp_size = (uint8_t)ds;
			i += ds;
			d->mem_size = f->sz < 256 && !f->cmpx
					      ? (uint8_t)f->sz
					      : (uint8_t)legacy_mem_size(f, osz, w, opsize_pfx && map, vendor);
			d->mem_access = (uint8_t)(f->acc & 3);
			if (f->acc == 4)
				d->flags |= X86_F_NOMEMACCESS;
		}
	} else if (f->mod == 1) {
		return -1;
	}
	unsigned ik = f->imm;
	if (ik) {
		unsigned isz = imm_size[ik][osz >> 2];
		uint64_t v;
		__builtin_memcpy(&v, b + i, 8);
		if (isz < 8) {
			unsigned sh = 64 - 8 * isz;
			/* Sign- or zero-extend the low isz bytes. */
			v = ((IMM_UNSIGNED >> ik) & 1) ? (v << sh) >> sh
						       : (uint64_t)((int64_t)(v << sh) >> sh);
		}
		d->imm = (int64_t)v;
		d->imm_size = (uint8_t)isz;
		i += isz;
		if (ik == X86_IMM_REL8 || ik == X86_IMM_RELZ)
			d->flags |= X86_F_REL;
		if (imm2_size[ik]) {
			d->imm2 = b[i];
			d->imm2_size = 1;
			i++;
		}
	}
	d->len = (uint8_t)i;
	d->map = (uint8_t)map;
	d->opcode = (uint8_t)c;
	d->opsize = (uint8_t)osz;
	d->addrsize = 8;
	d->cf = f->cf;
	if (f->cf == X86_CF_JCC)
		d->cond = c & 15;
	else if (f->cf == X86_CF_LOOP)
		d->cond = (uint8_t)(c - 0xe0);
	d->w = (uint8_t)w;
	d->disp8_n = 1;
	if (rex) {
		d->rex = (uint8_t)rex;
		d->prefixes |= X86_PFX_REX;
	}
	if (fl & (X86_FF_STACK | X86_FF_STRING | X86_FF_XSAVE)) {
		if (fl & X86_FF_STACK)
			d->flags |= X86_F_STACK;
		if (fl & X86_FF_STRING)
			d->flags |= X86_F_STRING;
		if (fl & X86_FF_XSAVE)
			d->flags |= X86_F_XSAVE;
	}
	return 0;
}

/* An undefined instruction laid out as a ModRM byte at b[i] (with its SIB
 * and displacement) followed by imm immediate bytes.  The CPU applies the
 * 15-byte limit (#GP) before raising #UD (tests/unit/decoder_cpu.c), so
 * this still measures it. */
static int
undefined_shape(const uint8_t *b, size_t avail, unsigned i, int has_modrm, unsigned imm)
{
	if (has_modrm) {
		NEED(i + 1);
		unsigned modrm = b[i++], mod = modrm >> 6, rm = modrm & 7;
		if (mod != 3) {
			unsigned ds = mod == 1 ? 1 : mod == 2 ? 4 : 0;
			if (rm == 4) {
				NEED(i + 1);
				if (mod == 0 && (b[i] & 7) == 5)
					ds = 4;
				i++;
			} else if (mod == 0 && rm == 5) {
				ds = 4;
			}
			i += ds;
		}
	}
	NEED(i + imm);
	return X86_INVALID;
}

/* An undefined VEX/EVEX instruction (bad prefix before it, reserved
 * bits, a map or opcode this CPU lacks): still measured (the CPU raises
 * #GP rather than #UD past 15 bytes, decoder_cpu): ModRM (none for VEX
 * 0F 77), SIB, displacement, and the imm8 of map 3 and of the map 1
 * opcodes that have one.  i is just past the opcode. */
static int
vex_undefined(const uint8_t *b, size_t avail, unsigned i, unsigned enc, unsigned map, unsigned op)
{
	if (enc == X86_ENC_VEX && map == 1 && op == 0x77)
		return X86_INVALID;
	unsigned imm = map == 3 || (map == 1 && ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
						 (op >= 0xc4 && op <= 0xc6)));
	return undefined_shape(b, avail, i, 1, imm);
}

int
x86_decode(const uint8_t *b, size_t avail, enum x86_vendor vendor, struct x86_insn *out)
{
	if (avail >= 23) {
		if (decode_fast(b, vendor, out) == 0)
			return X86_OK;
	} else if (avail >= 16) {
		/* The agent reads 16 bytes of code: the fast path's 8-byte
		 * loads may reach byte 22, so it runs on a padded copy.  A
		 * form it accepts is at most 15 bytes, so the padding only
		 * ever lands in the bits it masks off (decoder-check and
		 * decoder-fuzz compare this with the unpadded decode). */
		uint8_t pad[24];
		__builtin_memcpy(pad, b, 16);
		__builtin_memset(pad + 16, 0, 8);
		if (decode_fast(pad, vendor, out) == 0)
			return X86_OK;
	}
	return x86_decode_general(b, avail, vendor, out);
}

int
x86_decode_general(const uint8_t *b, size_t avail, enum x86_vendor vendor, struct x86_insn *out)
{
	struct x86_insn *d = out;
	unsigned i = 0, last_rep = 0, seg_last = 0, seg_fsgs = 0;
	unsigned pfx = 0, rex = 0;
	unsigned op, map = 0, mapidx, enc = X86_ENC_LEGACY;
	unsigned w = 0, vl = 0, pp = 0, vvvv = 0;
	unsigned rx = 0, xx = 0, bx = 0; /* REX/VEX/EVEX R, X, B as 8 or 0 */
	unsigned evex_b = 0, aaa = 0, z = 0, vprime = 0, rprime = 0;

	*d = (struct x86_insn){ 0 };
	/* Legacy prefixes and REX (SDM 2.1.1, 2.2.1): a REX not directly
	 * before the opcode is ignored. */
	for (;;) {
		NEED(i + 1);
		unsigned c = b[i];
		if (!((prefix_bits[c >> 6] >> (c & 63)) & 1))
			break;
		switch (c) {
		case 0xf0:
			pfx |= X86_PFX_LOCK;
			break;
		case 0xf2:
			pfx |= X86_PFX_REPNE;
			last_rep = 3;
			break;
		case 0xf3:
			pfx |= X86_PFX_REP;
			last_rep = 2;
			break;
		case 0x2e: case 0x36: case 0x3e: case 0x26:
			seg_last = 0;
			break;
		case 0x64:
			seg_last = seg_fsgs = 4;
			break;
		case 0x65:
			seg_last = seg_fsgs = 5;
			break;
		case 0x66:
			pfx |= X86_PFX_OPSIZE;
			break;
		case 0x67:
			pfx |= X86_PFX_ADDRSIZE;
			break;
		default: /* REX */
			rex = c;
			i++;
			continue;
		}
		rex = 0;
		i++;
	}
	/* 64-bit mode ignores CS/DS/ES/SS overrides.  AMD (APM 1.2.4) ignores
	 * them entirely, so an earlier FS/GS still counts; Intel uses the
	 * last segment prefix. */
	d->seg = (uint8_t)(vendor == X86_VENDOR_AMD ? seg_fsgs : seg_last);
	op = b[i++];
	if (op == 0x0f) {
		NEED(i + 1);
		op = b[i++];
		map = 1;
		if (op == 0x38 || op == 0x3a) {
			map = op == 0x38 ? 2 : 3;
			NEED(i + 1);
			op = b[i++];
		} else if (op == 0x0f) {
			/* 3DNow! (ModRM, then an imm8 opcode suffix): Zen
			 * dropped it (CPUID Fn8000_0001 EDX[31] is clear
			 * here), the CPU raises #UD. */
			return undefined_shape(b, avail, i, 1, 1);
		}
		if (rex) {
			pfx |= X86_PFX_REX;
			w = (rex >> 3) & 1;
			rx = (rex & 4) << 1;
			xx = (rex & 2) << 2;
			bx = (rex & 1) << 3;
		}
		pp = last_rep ? last_rep : (pfx & X86_PFX_OPSIZE) ? 1 : 0;
	} else if (op == 0xc4 || op == 0xc5 || op == 0x62) {
		/* VEX (SDM 2.3) and EVEX (SDM 2.7): always these in 64-bit
		 * mode.  66/F2/F3/LOCK/REX before them raise #UD (SDM 2.3.2). */
		unsigned p0, p1, p2, vbad = 0;
		if (pfx & (X86_PFX_LOCK | X86_PFX_REP | X86_PFX_REPNE | X86_PFX_OPSIZE) || rex)
			vbad = 1;
		if (op == 0xc5) {
			NEED(i + 1);
			p0 = b[i++];
			rx = (~p0 >> 4) & 8;
			vvvv = (~p0 >> 3) & 15;
			vl = (p0 >> 2) & 1;
			pp = p0 & 3;
			map = 1;
			enc = X86_ENC_VEX;
		} else if (op == 0xc4) {
			NEED(i + 2);
			p0 = b[i++];
			p1 = b[i++];
			rx = (~p0 >> 4) & 8;
			xx = (~p0 >> 3) & 8;
			bx = (~p0 >> 2) & 8;
			map = p0 & 0x1f;
			w = p1 >> 7;
			vvvv = (~p1 >> 3) & 15;
			vl = (p1 >> 2) & 1;
			pp = p1 & 3;
			enc = X86_ENC_VEX;
			if (map < 1 || map > 3)
				vbad = 1;
		} else {
			NEED(i + 3);
			p0 = b[i++];
			p1 = b[i++];
			p2 = b[i++];
			rx = (~p0 >> 4) & 8;
			xx = (~p0 >> 3) & 8;
			bx = (~p0 >> 2) & 8;
			rprime = (~p0 >> 4) & 1 ? 16 : 0;
			map = p0 & 7;
			w = p1 >> 7;
			vvvv = (~p1 >> 3) & 15;
			pp = p1 & 3;
			z = p2 >> 7;
			vl = (p2 >> 5) & 3;
			evex_b = (p2 >> 4) & 1;
			vprime = (~p2 >> 3) & 1 ? 16 : 0;
			aaa = p2 & 7;
			enc = X86_ENC_EVEX;
			/* P0 bit 3 must be 0 and P1 bit 2 must be 1 (SDM
			 * 2.7.1); maps 5 and 6 are AVX512-FP16, which this CPU
			 * lacks. */
			if ((p0 & 0x08) || !(p1 & 0x04) || map < 1 || map > 3)
				vbad = 1;
		}
		NEED(i + 1);
		op = b[i++];
		if (vbad)
			return vex_undefined(b, avail, i, enc, map, op);
	} else if (op == 0x8f) {
		/* 8F /0 is pop r/m; 8F followed by a byte whose bits 4:0 are
		 * 8 or more is XOP (APM vol. 3 1.9: maps 8-10, laid out like
		 * VEX3); other 8F /r are undefined.  Zen 4 dropped XOP and
		 * raises #UD, but still measures XOP lengths for the 15-byte
		 * limit: with an imm32 for map 10 and no immediate for maps 8
		 * and 9 (tests/unit/decoder_cpu.c). */
		NEED(i + 1);
		if (b[i] & 0x18) {
			unsigned xmap = b[i] & 0x1f;
			if (xmap > 10 || rex ||
			    (pfx & (X86_PFX_LOCK | X86_PFX_REP | X86_PFX_REPNE | X86_PFX_OPSIZE)))
				return X86_INVALID; /* as VEX: these prefixes make it #UD */
			NEED(i + 3);
			return undefined_shape(b, avail, i + 3, 1, xmap == 10 ? 4 : 0);
		}
		if (b[i] & 0x38)
			return undefined_shape(b, avail, i, 1, 0);
	}
	if (enc == X86_ENC_LEGACY && map == 0 && rex) {
		pfx |= X86_PFX_REX;
		w = (rex >> 3) & 1;
		rx = (rex & 4) << 1;
		xx = (rex & 2) << 2;
		bx = (rex & 1) << 3;
	}
	mapidx = enc == X86_ENC_LEGACY ? map : enc == X86_ENC_VEX ? map + 3 : map + 6;

	uint32_t ix = x86_index[mapidx][op];
	if (!ix) {
		if (enc != X86_ENC_LEGACY)
			return vex_undefined(b, avail, i, enc, map, op);
		/* One-byte opcodes dropped in 64-bit mode keep their 32-bit
		 * layout for the 15-byte check: 82 /r ib (alias of 80), aam/aad
		 * ib, far call/jmp ptr16:32. */
		if (map == 0 && op == 0x82)
			return undefined_shape(b, avail, i, 1, 1);
		if (map == 0 && (op == 0xd4 || op == 0xd5))
			return undefined_shape(b, avail, i, 0, 1);
		if (map == 0 && (op == 0x9a || op == 0xea))
			return undefined_shape(b, avail, i, 0, (pfx & X86_PFX_OPSIZE) ? 4 : 6);
		return X86_INVALID;
	}
	const struct x86_form *f = &x86_forms[(ix >> 8) & 0xffff];
	unsigned nforms = ix & 0xff;
	unsigned modrm = 0, mod3 = 1, reg = 0, rm = 0;
	/* Mandatory prefix as a mask bit: none, 66, F3, F2. */
	unsigned ppbit = 1u << (pp == 0 ? 0 : pp == 1 ? 1 : pp == 2 ? 2 : 3);
	unsigned lsel = enc == X86_ENC_LEGACY ? 0 : vl;
	if (f->pp != 0xf || f->w || nforms > 1) {
		/* No form for this prefix at all: invalid.  Like Zydis, a
		 * legacy opcode still takes its ModRM byte first (so the
		 * 15-byte limit and truncation win), a VEX/EVEX one does not. */
		const struct x86_form *g = f, *gend = f + nforms;
		for (; g < gend; g++)
			if ((g->pp & ppbit) && (!g->w || g->w == w + 1))
				break;
		if (g == gend) {
			if (enc == X86_ENC_LEGACY)
				return undefined_shape(b, avail, i, f->flags & X86_FF_MODRM, 0);
			return vex_undefined(b, avail, i, enc, map, op);
		}
	}
	if (f->flags & X86_FF_MODRM) {
		NEED(i + 1);
		modrm = b[i++];
		/* mov cr/dr ignore ModRM.mod: always registers (SDM MOV-CR). */
		mod3 = (modrm >> 6) == 3 || (f->flags2 & X86_FF2_CRDR);
		reg = (modrm >> 3) & 7;
		rm = modrm & 7;
		d->flags |= X86_F_MODRM;
	}
	/* EVEX reg-reg with b=1: L'L is the rounding control (SDM 2.7.1). */
	const struct x86_form *end = f + nforms;
	for (; f < end; f++) {
		unsigned l = lsel;
		if (enc == X86_ENC_EVEX && evex_b && mod3 && (f->flags & (X86_FF_ER | X86_FF_SAE)))
			l = (f->l & 4) ? 2 : 0;
		if (form_matches(f, ppbit, mod3, reg, rm, w, l))
			break;
	}
	if (f == end) {
		const struct x86_form *f0 = end - nforms;
		/* Without a form the immediate is unknown: ModRM, SIB and
		 * displacement only (as Zydis measures it). */
		if (enc == X86_ENC_LEGACY)
			return undefined_shape(b, avail, (f0->flags & X86_FF_MODRM) ? i - 1 : i,
					       f0->flags & X86_FF_MODRM, 0);
		return vex_undefined(b, avail, (f0->flags & X86_FF_MODRM) ? i - 1 : i, enc, map, op);
	}

	unsigned fl = f->flags, fl2 = f->flags2;
	/* Checks that do not change the length are collected in bad and
	 * reported after all bytes are read, as Zydis does: a page end
	 * must yield "truncated", not "invalid", when bytes are missing. */
	int bad = 0;
	/* Operand size (SDM 2.2.1.2, table 2-4; default-64 notes in A.2.5). */
	unsigned osz = w ? 8 : (pfx & X86_PFX_OPSIZE) ? 2 : 4;
	if (fl & X86_FF_D64)
		osz = (pfx & X86_PFX_OPSIZE) && !w ? 2 : 8;
	if (fl & X86_FF_F64) {
		/* Near branches: Intel ignores 66 in 64-bit mode; AMD honours
		 * it (16-bit target, APM vol. 3 "Near branches in 64-bit
		 * mode"); REX.W wins over 66 on both. */
		osz = (vendor == X86_VENDOR_AMD && (pfx & X86_PFX_OPSIZE) && !w) ? 2 : 8;
	}
	/* 66 as the mandatory prefix (wruss, adcx, ...) is not an operand
	 * size; adox (F3) ignores a 66 as well (SDM ADCX/ADOX: 32/64 only). */
	if (enc == X86_ENC_LEGACY && map && !w &&
	    ((pp == 1 && !(f->pp & 1)) || (map == 2 && op == 0xf6)))
		osz = 4;
	unsigned asz = (pfx & X86_PFX_ADDRSIZE) ? 4 : 8;

	if (enc != X86_ENC_LEGACY) {
		/* With VSIB, EVEX.V' extends the index register instead. */
		if ((fl & X86_FF_NV) &&
		    (vvvv != 0 || (vprime && !(fl & (X86_FF_GATHER | X86_FF_SCATTER)))))
			bad = 1;
		/* Mask-register operands: only k0..k7 exist. */
		if ((fl2 & X86_FF2_KR) && (rx || rprime))
			bad = 1;
		if ((fl2 & X86_FF2_KV) && (vvvv & 8))
			bad = 1;
		if (enc == X86_ENC_EVEX) {
			/* SDM 2.7: broadcast only with a memory operand of a
			 * full/half tuple; b on registers selects rounding/SAE;
			 * zeroing needs a mask. */
			if (evex_b && !mod3 && f->tuple != X86_T_FV && f->tuple != X86_T_HV)
				bad = 1;
			if (evex_b && mod3 && !(fl & (X86_FF_ER | X86_FF_SAE)))
				bad = 1;
			if (z && !aaa)
				bad = 1;
			if ((fl2 & X86_FF2_GPR_REG) && rprime)
				bad = 1;
			if ((fl2 & X86_FF2_NOMASK) && aaa)
				bad = 1;
			if ((fl2 & X86_FF2_NOZ) && z)
				bad = 1;
			if (z && !mod3 && f->acc == 2)
				bad = 1;
		}
	}
	if (fl2 & X86_FF2_CRDR) {
		/* Only cr0, cr2, cr3, cr4, cr8 and dr0-dr7 exist (#UD). */
		unsigned n = reg | rx;
		if ((op & 1) ? rx != 0 : !(n == 0 || n == 2 || n == 3 || n == 4 || n == 8))
			bad = 1;
	}

	if (fl & X86_FF_X87) {
		if (mod3) {
			if (!((x87_reg_valid[op & 7] >> (modrm - 0xc0)) & 1))
				bad = 1;
		} else if ((x87_mem_invalid[op & 7] >> reg) & 1) {
			bad = 1;
		}
	}
	if (map == 0 && enc == X86_ENC_LEGACY) {
		/* mov Sreg: only ES CS SS DS FS GS; mov to CS is #UD. */
		if (op == 0x8c && reg > 5)
			bad = 1;
		if (op == 0x8e && (reg > 5 || reg == 1))
			bad = 1;
	}
	if ((fl & (X86_FF_GATHER | X86_FF_SCATTER)) && rm != 4)
		bad = 1; /* VSIB needs a SIB byte (SDM 2.3.12) */

	/* ModRM memory operand: SIB and displacement (SDM 2.1.5, 2.2.1.3). */
	if ((d->flags & X86_F_MODRM) && !mod3) {
		unsigned mod = modrm >> 6;
		d->flags |= X86_F_MEM;
		if (rm == 4) {
			NEED(i + 1);
			d->sib = b[i++];
			d->flags |= X86_F_SIB;
			if (fl & (X86_FF_GATHER | X86_FF_SCATTER)) {
				/* SDM VPGATHERDD etc.: #UD if destination,
				 * index and mask registers are not all
				 * different; EVEX forms need a mask k1-k7. */
				unsigned idx = ((d->sib >> 3) & 7) | xx;
				unsigned dst = reg | rx;
				if (enc == X86_ENC_VEX) {
					if (dst == idx || dst == vvvv || idx == vvvv)
						bad = 1;
				} else {
					idx |= vprime;
					dst |= rprime;
					if (!aaa || z)
						bad = 1;
					if ((fl & X86_FF_GATHER) && dst == idx)
						bad = 1;
				}
			}
			if (mod == 0 && (d->sib & 7) == 5)
				d->disp_size = 4;
		} else if (mod == 0 && rm == 5) {
			d->disp_size = 4;
			d->flags |= X86_F_RIPREL;
		}
		if (mod == 1)
			d->disp_size = 1;
		else if (mod == 2)
			d->disp_size = 4;
		NEED(i + d->disp_size);
		if (d->disp_size == 1)
			d->disp = (int8_t)b[i];
		else if (d->disp_size == 4)
			d->disp = (int32_t)(uint32_t)load_le(b + i, 4, avail - i);
		i += d->disp_size;
	}
	if ((pfx & X86_PFX_LOCK) && (!(fl & X86_FF_LOCK) || mod3))
		bad = 1; /* SDM vol. 2 LOCK: #UD otherwise */

	/* Immediates. */
	unsigned ik = f->imm;
	unsigned isz = imm_size[ik][osz >> 2], isz2 = imm2_size[ik];
	unsigned is_signed = !((IMM_UNSIGNED >> ik) & 1);
	if (ik >= X86_IMM_MOFFS) {
		if (ik == X86_IMM_MOFFS) {
			isz = asz;
			d->flags |= X86_F_MOFFS | X86_F_MEM;
		} else if (ik == X86_IMM_REL8 || ik == X86_IMM_RELZ) {
			d->flags |= X86_F_REL;
			/* xbegin takes rel16 with 66 on both vendors (SDM XBEGIN). */
			if (f->cf == X86_CF_XBEGIN)
				isz = (pfx & X86_PFX_OPSIZE) && !w ? 2 : 4;
		}
	}
	NEED(i + isz + isz2);
	if (isz) {
		uint64_t v = load_le(b + i, isz, avail - i);
		if (is_signed && isz < 8) {
			uint64_t sign = 1ull << (8 * isz - 1);
			v = (v ^ sign) - sign;
		}
		d->imm = (int64_t)v;
		i += isz;
	}
	if (isz2) {
		d->imm2 = b[i];
		i += isz2;
	}
	if (bad)
		return X86_INVALID;

	d->len = (uint8_t)i;
	d->enc = (uint8_t)enc;
	d->map = (uint8_t)map;
	d->opcode = (uint8_t)op;
	d->modrm = (uint8_t)modrm;
	d->rex = (uint8_t)rex;
	d->prefixes = (uint8_t)pfx;
	d->opsize = (uint8_t)osz;
	d->addrsize = (uint8_t)asz;
	d->cf = f->cf;
	if (d->cf == X86_CF_JCC)
		d->cond = op & 15;
	else if (d->cf == X86_CF_LOOP)
		d->cond = (uint8_t)(op - 0xe0);
	d->imm_size = (uint8_t)isz;
	d->imm2_size = (uint8_t)isz2;
	d->pp = (uint8_t)pp;
	d->w = (uint8_t)w;
	d->vl = (uint8_t)vl;
	d->vvvv = (uint8_t)(vvvv | vprime);
	d->evex_aaa = (uint8_t)aaa;
	d->evex_z = (uint8_t)z;
	d->evex_b = (uint8_t)evex_b;
	d->disp8_n = 1;
	(void)rx;
	(void)xx;
	(void)bx;
	(void)rprime;

	/* REX.B/X extend ModRM.rm / SIB; keep them in the insn for address
	 * computation. */
	d->rex = (uint8_t)(0x40 | (w << 3) | (rx >> 1) | (xx >> 2) | (bx >> 3));
	if (!(pfx & X86_PFX_REX) && enc == X86_ENC_LEGACY)
		d->rex = 0;

	if (fl & X86_FF_STACK)
		d->flags |= X86_F_STACK;
	if (fl & X86_FF_STRING) {
		d->flags |= X86_F_STRING;
		if (pfx & (X86_PFX_REP | X86_PFX_REPNE))
			d->flags |= X86_F_REP_STRING;
	}
	if (fl & X86_FF_XSAVE)
		d->flags |= X86_F_XSAVE;
	if (fl & X86_FF_GATHER)
		d->flags |= X86_F_GATHER;
	if (fl & X86_FF_SCATTER)
		d->flags |= X86_F_SCATTER;
	if (f->acc == 4 && (d->flags & X86_F_MEM))
		d->flags |= X86_F_NOMEMACCESS;

	/* Explicit memory operand size and access. */
	if (d->flags & X86_F_MEM) {
		unsigned size = 0;
		if (enc == X86_ENC_EVEX) {
			unsigned n = evex_disp8_n(f, vl, w, evex_b);
			if (d->disp_size == 1) {
				d->disp8_n = (uint8_t)n;
				d->disp *= (int32_t)n;
			}
			size = n;
			if (f->sz == X86_SZ_VL)
				size = 16u << (vl > 2 ? 2 : vl); /* expand/compress */
			if (evex_b)
				d->flags |= X86_F_BCST;
		} else if (enc == X86_ENC_LEGACY) {
			size = legacy_mem_size(f, osz, w, pp, vendor);
		} else if (f->sz == X86_SZ_V) {
			size = osz;
		} else if (f->sz == X86_SZ_W) {
			size = w ? 8 : 4;
		} else if (f->sz >= X86_SZ_HALF && f->sz <= X86_SZ_EIGHTH) {
			size = (16u << vl) >> (f->sz - X86_SZ_HALF + 1);
		} else if (f->sz == X86_SZ_P) {
			size = 2 + (osz == 8 && vendor == X86_VENDOR_AMD ? 4 : osz);
		} else if (f->sz) {
			size = f->sz;
		} else if (enc == X86_ENC_VEX) {
			size = 16u << vl;
		}
		if (f->imm == X86_IMM_MOFFS)
			size = (op & 1) ? osz : 1;
		if (map == 0 && op == 0x63 && enc == X86_ENC_LEGACY)
			size = 4; /* movsxd reads 32 bits even with 66 (decoder_cpu) */
		d->mem_size = (uint8_t)(size > 255 ? 0 : size);
		d->mem_access = (uint8_t)(f->acc & 3);
		if (f->imm == X86_IMM_MOFFS)
			d->mem_access = (op & 2) ? X86_ACC_WRITE : X86_ACC_READ;
		if (fl & X86_FF_X87) {
			unsigned x = x87_size[op & 7][reg];
			if ((pfx & X86_PFX_OPSIZE) && (x == 28 || x == 108))
				x -= 14;
			d->mem_size = (uint8_t)x;
			d->mem_access = (uint8_t)(((x87_writes[op & 7] >> reg) & 1) ? X86_ACC_WRITE
										  : X86_ACC_READ);
		}
		if (!f->acc && enc != X86_ENC_LEGACY)
			d->mem_access = X86_ACC_READ;
	}
	return X86_OK;
}
