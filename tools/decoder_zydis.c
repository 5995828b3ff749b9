/* Differential comparison of our decoder with Zydis 4 (the oracle).  The
 * differences we accept on purpose, each with its reason, are in
 * allowed_difference() and docs/DECODER.md: where Zydis and this CPU
 * disagree, the CPU wins. */
#include "tools/decoder_zydis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
zcmp_init(struct zcmp *z)
{
	memset(z, 0, sizeof(*z));
	ZydisDecoderInit(&z->dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	/* This machine is AMD: 66 changes near branches (APM vol. 3). */
	ZydisDecoderEnableMode(&z->dec, ZYDIS_DECODER_MODE_AMD_BRANCHES, ZYAN_TRUE);
	/* No MPX on AMD: 0F 1A/1B are hint NOPs, F2 before branches is ignored. */
	ZydisDecoderEnableMode(&z->dec, ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE);
	z->regctx = calloc(1, sizeof(*z->regctx));
	if (!z->regctx)
		abort();
	for (int i = 0; i < 16; i++) {
		/* Distinct values whose sums do not collide. */
		uint64_t v = 0x100000000ull * (uint64_t)(i + 1) + 0x1000ull * (uint64_t)(i * i + 3) +
			     (uint64_t)i * 0x11;
		z->regs.gpr[i] = v;
		z->regctx->values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR64, (ZyanU8)i)] = v;
		z->regctx->values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR32, (ZyanU8)i)] = (uint32_t)v;
		z->regctx->values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR16, (ZyanU8)i)] = (uint16_t)v;
	}
}

void
zcmp_fini(struct zcmp *z)
{
	free(z->regctx);
	z->regctx = NULL;
}

int
zcmp_zydis_cf(const ZydisDecodedInstruction *insn, const ZydisDecodedOperand *ops)
{
	int far = insn->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
	int rel = insn->operand_count_visible > 0 && ops &&
		  ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
	switch (insn->mnemonic) {
	case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JB:
	case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_JNZ:
	case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_JS:
	case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JNP:
	case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JLE:
	case ZYDIS_MNEMONIC_JNLE:
		return X86_CF_JCC;
	case ZYDIS_MNEMONIC_LOOP: case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE:
		return X86_CF_LOOP;
	case ZYDIS_MNEMONIC_JRCXZ: case ZYDIS_MNEMONIC_JECXZ: case ZYDIS_MNEMONIC_JCXZ:
		return X86_CF_JRCXZ;
	case ZYDIS_MNEMONIC_JMP:
		return far ? X86_CF_FAR : rel ? X86_CF_JMP : X86_CF_JMP_IND;
	case ZYDIS_MNEMONIC_CALL:
		return far ? X86_CF_FAR : rel ? X86_CF_CALL : X86_CF_CALL_IND;
	case ZYDIS_MNEMONIC_RET:
		return far ? X86_CF_FAR : X86_CF_RET;
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
		return X86_CF_IRET;
	case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSENTER:
	case ZYDIS_MNEMONIC_SYSRET: case ZYDIS_MNEMONIC_SYSEXIT:
		return X86_CF_SYSCALL;
	case ZYDIS_MNEMONIC_INT:
		return X86_CF_INT;
	case ZYDIS_MNEMONIC_INT3:
		return X86_CF_INT3;
	case ZYDIS_MNEMONIC_INT1:
		return X86_CF_INT1;
	case ZYDIS_MNEMONIC_UD0: case ZYDIS_MNEMONIC_UD1: case ZYDIS_MNEMONIC_UD2:
		return X86_CF_UD;
	case ZYDIS_MNEMONIC_XBEGIN:
		return X86_CF_XBEGIN;
	case ZYDIS_MNEMONIC_XABORT:
		return X86_CF_XABORT;
	default:
		break;
	}
	if (insn->attributes & ZYDIS_ATTRIB_IS_PRIVILEGED)
		return X86_CF_PRIV;
	return X86_CF_NONE;
}

static int
zydis_cc(ZydisMnemonic m)
{
	static const ZydisMnemonic order[16] = {
		ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB, ZYDIS_MNEMONIC_JNB,
		ZYDIS_MNEMONIC_JZ, ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JNBE,
		ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JP, ZYDIS_MNEMONIC_JNP,
		ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE, ZYDIS_MNEMONIC_JNLE,
	};
	for (int i = 0; i < 16; i++)
		if (order[i] == m)
			return i;
	return -1;
}

static const char *
status_name(int st)
{
	switch (st) {
	case X86_INVALID: return "invalid";
	case X86_TRUNCATED: return "truncated";
	case X86_TOO_LONG: return "too-long";
	default: return "ok";
	}
}

static int
zydis_status(ZyanStatus s)
{
	if (ZYAN_SUCCESS(s))
		return X86_OK;
	if (s == ZYDIS_STATUS_NO_MORE_DATA)
		return X86_TRUNCATED;
	if (s == ZYDIS_STATUS_INSTRUCTION_TOO_LONG)
		return X86_TOO_LONG;
	return X86_INVALID;
}

/* Extensions Zydis decodes that this CPU (AMD Zen 4) does not: the CPU
 * raises #UD, and our decoder says invalid.  Checked against cpuid flags
 * (/proc/cpuinfo) and with tests/unit/decoder_cpu.c where cheap. */
static const char *
missing_extension(const ZydisDecodedInstruction *zi)
{
	switch (zi->meta.isa_ext) {
	case ZYDIS_ISA_EXT_AMD3DNOW: return "3DNow! (dropped in Zen)";
	case ZYDIS_ISA_EXT_XOP: return "XOP (dropped in Zen)";
	case ZYDIS_ISA_EXT_FMA4: return "FMA4 (dropped in Zen)";
	case ZYDIS_ISA_EXT_TBM: return "TBM (dropped in Zen)";
	case ZYDIS_ISA_EXT_KNC: case ZYDIS_ISA_EXT_KNCE: case ZYDIS_ISA_EXT_KNCV:
		return "Knights Corner";
	case ZYDIS_ISA_EXT_AMX_BF16: case ZYDIS_ISA_EXT_AMX_INT8: case ZYDIS_ISA_EXT_AMX_TILE:
		return "AMX (Intel only)";
	case ZYDIS_ISA_EXT_PADLOCK: return "VIA PadLock";
	case ZYDIS_ISA_EXT_UINTR: return "user interrupts (Intel only)";
	case ZYDIS_ISA_EXT_TSX_LDTRK: return "TSX load tracking (Intel only)";
	case ZYDIS_ISA_EXT_TDX: return "TDX (Intel only)";
	case ZYDIS_ISA_EXT_HRESET: return "HRESET (Intel only)";
	case ZYDIS_ISA_EXT_KEYLOCKER: case ZYDIS_ISA_EXT_KEYLOCKER_WIDE: return "Key Locker (Intel only)";
	default: break;
	}
	const char *set = ZydisISASetGetString(zi->meta.isa_set);
	if (set && (strstr(set, "4FMAPS") || strstr(set, "4VNNIW") || strstr(set, "AVX512ER") ||
		    strstr(set, "AVX512PF") || strstr(set, "VP2INTERSECT") || strstr(set, "FP16")))
		return "Xeon Phi / Sapphire Rapids AVX-512 subset";
	return NULL;
}

/* Whether buf is (legacy prefixes, REX, then) an XOP-encoded 8F. */
static int
is_xop(const uint8_t *buf, size_t len)
{
	size_t k = 0;
	while (k < len && k < 15 &&
	       (buf[k] == 0x66 || buf[k] == 0x67 || buf[k] == 0xf0 || buf[k] == 0xf2 ||
		buf[k] == 0xf3 || buf[k] == 0x2e || buf[k] == 0x36 || buf[k] == 0x3e ||
		buf[k] == 0x26 || buf[k] == 0x64 || buf[k] == 0x65 || (buf[k] & 0xf0) == 0x40))
		k++;
	return k + 1 < len && buf[k] == 0x8f && (buf[k + 1] & 0x18);
}

static const char *
allowed_difference(const ZydisDecodedInstruction *zi, int zst, int ost, const struct x86_insn *o,
		   const uint8_t *buf, size_t len)
{
	/* XOP is #UD here, but Zen 4 measures its length for the 15-byte
	 * limit its own way (imm32 in map 10, no imm8 in map 8): whether an
	 * undefined XOP string is "too long" follows the CPU
	 * (decoder_cpu), not Zydis. */
	if ((zst == X86_INVALID || zst == X86_TOO_LONG || zst == X86_OK) &&
	    (ost == X86_INVALID || ost == X86_TOO_LONG) && is_xop(buf, len))
		return "XOP (dropped in Zen), length as Zen 4 measures it";
	/* An undefined legacy form: the CPU measures its ModRM, SIB and
	 * displacement before the 15-byte check (#GP wins over #UD,
	 * decoder_cpu: F3 movnti with a disp32 past byte 15); Zydis stops
	 * after the ModRM byte and says invalid. */
	if (zst == X86_INVALID && ost == X86_TOO_LONG)
		return "undefined form longer than 15 bytes: #GP on this CPU";
	/* The other way round: bytes we cannot lay out (an opcode this CPU
	 * does not have, e.g. VIA's 0F A7) that Zydis measures past 15
	 * bytes.  Neither can run; which of #UD and #GP the CPU raises
	 * depends on a layout we do not model. */
	if (zst == X86_TOO_LONG && ost == X86_INVALID)
		return "undefined opcode longer than 15 bytes by Zydis' layout";
	if (zst == X86_OK && (ost == X86_INVALID || ost == X86_TOO_LONG)) {
		const char *why = missing_extension(zi);
		if (why)
			return why;
	}
	/* 0F 0D with ModRM.mod = 3: Zydis decodes a NOP, this CPU raises
	 * #UD (tests/unit/decoder_cpu.c). */
	if (zst == X86_OK && ost == X86_INVALID && zi->opcode_map == ZYDIS_OPCODE_MAP_0F &&
	    zi->opcode == 0x0d && zi->raw.modrm.mod == 3)
		return "0F 0D register form raises #UD on this CPU";
	(void)o;
	return NULL;
}

int
zcmp_one(struct zcmp *z, const uint8_t *buf, size_t len, uint64_t addr, char *why, size_t whylen,
	 unsigned *zlen)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	struct x86_insn o;
	int zst = zydis_status(ZydisDecoderDecodeFull(&z->dec, buf, len, &zi, zo));
	int ost = x86_decode(buf, len, X86_VENDOR_AMD, &o);
	*zlen = zst == X86_OK ? zi.length : 0;
	why[0] = 0;
	/* 16 readable bytes (the agent's buffer: the fast path runs on a
	 * padded copy) must give the full-buffer answer. */
	if (len >= 16) {
		struct x86_insn o16;
		int st16 = x86_decode(buf, 16, X86_VENDOR_AMD, &o16);
		if (st16 != ost || (ost == X86_OK && memcmp(&o16, &o, sizeof(o)))) {
			snprintf(why, whylen, "16-byte decode %d, full-buffer decode %d", st16, ost);
			return ZCMP_MISMATCH;
		}
	}
	/* The length-and-class path must give the full decoder's answer. */
	struct x86_lc lc;
	int lst = x86_decode_lc(buf, len, X86_VENDOR_AMD, &lc);
	if (lst != ost || (ost == X86_OK && (lc.len != o.len || lc.cf != o.cf || lc.cond != o.cond))) {
		snprintf(why, whylen, "x86_decode_lc status %d len %u cf %u, x86_decode %d %u %u", lst,
			 lc.len, lc.cf, ost, o.len, o.cf);
		return ZCMP_MISMATCH;
	}
	if (zst != ost || (zst == X86_OK && zi.length != o.len)) {
		const char *allowed = allowed_difference(&zi, zst, ost, &o, buf, len);
		if (allowed) {
			snprintf(why, whylen, "allowed: %s", allowed);
			return ZCMP_ALLOWED;
		}
		if (zst != ost)
			snprintf(why, whylen, "status ours=%s zydis=%s%s%s", status_name(ost),
				 status_name(zst), zst == X86_OK ? " " : "",
				 zst == X86_OK ? ZydisMnemonicGetString(zi.mnemonic) : "");
		else
			snprintf(why, whylen, "length ours=%u zydis=%u %s", o.len, zi.length,
				 ZydisMnemonicGetString(zi.mnemonic));
		return ZCMP_MISMATCH;
	}
	if (zst != X86_OK)
		return ZCMP_SAME;
	/* The fast path (long buffers) and the general path (a buffer of
	 * exactly the instruction) must agree on every field. */
	struct x86_insn exact;
	if (x86_decode(buf, o.len, X86_VENDOR_AMD, &exact) != X86_OK || memcmp(&exact, &o, sizeof(o))) {
		snprintf(why, whylen, "fast and general paths differ");
		return ZCMP_MISMATCH;
	}

	const char *mn = ZydisMnemonicGetString(zi.mnemonic);
	int zcf = zcmp_zydis_cf(&zi, zo);
	int ocf = o.cf;
	if (ocf == X86_CF_OTHER && zcf == X86_CF_NONE)
		zcf = X86_CF_OTHER; /* Zydis has no such class */
	if (ocf == X86_CF_OTHER && zcf == X86_CF_PRIV)
		zcf = X86_CF_OTHER;
	/* CPL0-only instructions Zydis does not flag privileged (SDM/APM:
	 * LGDT #GP(0) if CPL != 0; VMSAVE #GP if CPL != 0; ENCLV VMX root). */
	if (ocf == X86_CF_PRIV && zcf == X86_CF_NONE &&
	    (zi.mnemonic == ZYDIS_MNEMONIC_LGDT || zi.mnemonic == ZYDIS_MNEMONIC_VMSAVE ||
	     zi.mnemonic == ZYDIS_MNEMONIC_VMLOAD || zi.mnemonic == ZYDIS_MNEMONIC_VMRUN ||
	     zi.mnemonic == ZYDIS_MNEMONIC_CLGI || zi.mnemonic == ZYDIS_MNEMONIC_STGI ||
	     zi.mnemonic == ZYDIS_MNEMONIC_SKINIT || zi.mnemonic == ZYDIS_MNEMONIC_INVLPGA ||
	     zi.mnemonic == ZYDIS_MNEMONIC_ENCLV)) {
		snprintf(why, whylen, "allowed: %s is privileged", mn);
		return ZCMP_ALLOWED;
	}
	if (zcf != ocf) {
		snprintf(why, whylen, "class ours=%d zydis=%d %s", ocf, zcf, mn);
		return ZCMP_MISMATCH;
	}
	if (zcf == X86_CF_JCC && zydis_cc(zi.mnemonic) != o.cond) {
		snprintf(why, whylen, "condition ours=%u zydis=%d %s", o.cond, zydis_cc(zi.mnemonic), mn);
		return ZCMP_MISMATCH;
	}
	/* Relative branch targets. */
	if (o.flags & X86_F_REL) {
		uint64_t zt = 0, ot = addr + o.len + (uint64_t)o.imm;
		if (o.opsize == 2 && o.cf != X86_CF_XBEGIN)
			ot &= 0xffff;
		for (int k = 0; k < zi.operand_count_visible; k++) {
			if (zo[k].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && zo[k].imm.is_relative) {
				ZydisCalcAbsoluteAddress(&zi, &zo[k], addr, &zt);
				break;
			}
		}
		/* AMD truncates every 66-prefixed near branch target to 16
		 * bits, rel8 ones and call rel16 included (checked on this CPU
		 * by tests/unit/decoder_cpu.c); Zydis only does it for jmp/jcc
		 * rel16. */
		if (zt != ot && o.opsize == 2 && (zt & 0xffff) == ot) {
			snprintf(why, whylen, "allowed: AMD truncates 66-prefixed branch targets");
			return ZCMP_ALLOWED;
		}
		if (zt != ot) {
			snprintf(why, whylen, "target ours=%#llx zydis=%#llx %s",
				 (unsigned long long)ot, (unsigned long long)zt, mn);
			return ZCMP_MISMATCH;
		}
	}
	/* The explicit memory operand: presence, address, segment. */
	const ZydisDecodedOperand *zm = NULL;
	for (int k = 0; k < zi.operand_count_visible; k++) {
		if (zo[k].type == ZYDIS_OPERAND_TYPE_MEMORY) {
			zm = &zo[k];
			break;
		}
	}
	int ohas = !!(o.flags & X86_F_MEM);
	if (!!zm != ohas) {
		snprintf(why, whylen, "memory operand ours=%d zydis=%d %s", ohas, !!zm, mn);
		return ZCMP_MISMATCH;
	}
	if (zm && zm->mem.type != ZYDIS_MEMOP_TYPE_VSIB) {
		uint64_t za = 0;
		struct x86_regs r = z->regs;
		r.rip = addr;
		r.fs_base = r.gs_base = 0;
		uint64_t oa = x86_insn_ea(&o, &r);
		if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(&zi, zm, addr, z->regctx, &za)))
			za = ~0ull;
		/* Zydis 4.0 decodes 67 + SIB base 101b with mod 00 and REX.B
		 * as [r13d + index] without the disp32 it counts in the length;
		 * SDM table 2-3 note: no base, disp32, REX.B ignored. */
		if (za != oa && o.addrsize == 4 && (o.flags & X86_F_SIB) && (o.sib & 7) == 5 &&
		    (o.modrm >> 6) == 0 && zm->mem.base == ZYDIS_REGISTER_R13D) {
			snprintf(why, whylen, "allowed: Zydis 67+SIB no-base bug");
			return ZCMP_ALLOWED;
		}
		if (za != oa) {
			snprintf(why, whylen, "address ours=%#llx zydis=%#llx %s",
				 (unsigned long long)oa, (unsigned long long)za, mn);
			return ZCMP_MISMATCH;
		}
		unsigned zseg = zm->mem.segment == ZYDIS_REGISTER_FS ? 4 :
				zm->mem.segment == ZYDIS_REGISTER_GS ? 5 : 0;
		/* Access size, where ours is known (0 = not modelled). */
		unsigned zsize = zm->size / 8;
		if (o.mem_size && !(o.flags & (X86_F_NOMEMACCESS | X86_F_BCST)) &&
		    zm->mem.type == ZYDIS_MEMOP_TYPE_MEM && zsize != o.mem_size) {
			/* AMD: far jmp/call and lss/lfs/lgs read m16:32 even
			 * with REX.W, and 66 makes near indirect branches
			 * read 16 bits (both seen on this CPU,
			 * tests/unit/decoder_cpu.c). */
			/* 66 fnstenv/fldenv/fnsave/frstor use the 16-bit
			 * images, 14 and 94 bytes (decoder_cpu: 66 fnstenv
			 * writes 14 bytes); Zydis keeps 28 and 108. */
			if ((o.mem_size == 14 && zsize == 28) || (o.mem_size == 94 && zsize == 108)) {
				snprintf(why, whylen, "allowed: 16-bit x87 environment with 66");
				return ZCMP_ALLOWED;
			}
			if ((o.mem_size == 6 && zsize == 10) ||
			    ((o.cf == X86_CF_JMP_IND || o.cf == X86_CF_CALL_IND) && o.mem_size == 2)) {
				snprintf(why, whylen, "allowed: AMD far/16-bit branch operand size");
				return ZCMP_ALLOWED;
			}
			snprintf(why, whylen, "size ours=%u zydis=%u %s", o.mem_size, zsize, mn);
			return ZCMP_MISMATCH;
		}
		/* Read/write of the explicit operand, where ours is known. */
		if (o.mem_access && !(o.flags & X86_F_NOMEMACCESS) &&
		    zm->mem.type == ZYDIS_MEMOP_TYPE_MEM) {
			unsigned zacc = ((zm->actions & ZYDIS_OPERAND_ACTION_MASK_READ) ? X86_ACC_READ : 0) |
					((zm->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) ? X86_ACC_WRITE : 0);
			if (zacc != o.mem_access) {
				snprintf(why, whylen, "access ours=%u zydis=%u %s", o.mem_access, zacc, mn);
				return ZCMP_MISMATCH;
			}
		}
		/* lea computes no segment address; Zydis reports none. */
		if (zseg != o.seg && zm->mem.type != ZYDIS_MEMOP_TYPE_AGEN) {
			snprintf(why, whylen, "segment ours=%u zydis=%u %s", o.seg, zseg, mn);
			return ZCMP_MISMATCH;
		}
	}
	return ZCMP_SAME;
}
