/* Internal: the instruction-form records generated into x86_tables.inc by
 * tools/gen_x86_tables.py from decoder/opcodes_*.txt.  Keep the field order
 * and the constants in step with the generator. */
#ifndef UMSS_X86_FORM_H
#define UMSS_X86_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "decoder/x86_decode.h"

/* The general path of x86_decode(): every encoding, any buffer length.
 * Kept out of line so that the fast paths' callers stay small. */
int x86_decode_general(const uint8_t *b, size_t avail, enum x86_vendor vendor,
		       struct x86_insn *out) __attribute__((noinline));


struct x86_form {
	uint16_t flags; /* X86_FF_* */
	uint8_t pp;     /* allowed mandatory prefixes: bit 0 none, 1 66, 2 F3, 3 F2 */
	uint8_t reg;    /* required ModRM.reg, 0xff any */
	uint8_t rm;     /* required ModRM.rm (register form), 0xff any */
	uint8_t mod;    /* 0 any, 1 memory only, 2 register only */
	uint8_t w;      /* 0 any, 1 W must be 0, 2 W must be 1 */
	uint8_t l;      /* allowed vector lengths, bit per L value */
	uint8_t imm;    /* X86_IMM_* */
	uint8_t cf;     /* enum x86_cf */
	uint8_t tuple;  /* X86_T_*: EVEX disp8*N tuple type */
	uint8_t es;     /* element size for the tuple, 0 = 4 or 8 by W */
	uint8_t acc;    /* 1 read, 2 write, 3 both, 4 not accessed */
	uint16_t sz;    /* memory operand bytes or X86_SZ_* */
	uint8_t cmpx;   /* cmpxchg8b/16b: size by REX.W */
	uint8_t flags2; /* X86_FF2_* */
};

#define X86_FF2_NOMASK 0x1 /* EVEX: no opmask allowed (aaa must be 0) */
#define X86_FF2_NOZ 0x2    /* EVEX: no zeroing (z must be 0) */
#define X86_FF2_KR 0x4     /* ModRM.reg names a mask register k0-k7 */
#define X86_FF2_KM 0x8     /* ModRM.rm (register form) names a mask register */
#define X86_FF2_KV 0x10    /* vvvv names a mask register */
#define X86_FF2_CRDR 0x20  /* mov cr/dr: ModRM.mod ignored, always registers */
#define X86_FF2_GPR_REG 0x40 /* EVEX: ModRM.reg is a GPR, so EVEX.R' must be 0 */

#define X86_FF_MODRM 0x1
#define X86_FF_NV 0x2
#define X86_FF_LOCK 0x4
#define X86_FF_D64 0x8
#define X86_FF_F64 0x10
#define X86_FF_ER 0x20
#define X86_FF_SAE 0x40
#define X86_FF_STACK 0x80
#define X86_FF_STRING 0x100
#define X86_FF_XSAVE 0x200
#define X86_FF_GATHER 0x400
#define X86_FF_SCATTER 0x800
#define X86_FF_X87 0x1000
#define X86_FF_SSE 0x2000
#define X86_FF_BT 0x4000
#define X86_FF_XLAT 0x8000

enum {
	X86_IMM_NONE, X86_IMM_IB, X86_IMM_IW, X86_IMM_IZ, X86_IMM_IV, X86_IMM_IWIB,
	X86_IMM_MOFFS, X86_IMM_REL8, X86_IMM_RELZ, X86_IMM_I8I8,
};

enum {
	X86_T_NONE, X86_T_FV, X86_T_HV, X86_T_FVM, X86_T_HVM, X86_T_QVM, X86_T_OVM,
	X86_T_T1S, X86_T_T1F, X86_T_T2, X86_T_T4, X86_T_T8, X86_T_M128, X86_T_DUP,
};

#define X86_SZ_V 0xff00 /* the operand size */
#define X86_SZ_P 0xff01 /* far pointer: 2 + operand size */
#define X86_SZ_Z 0xff02
#define X86_SZ_W 0xff03       /* 4 or 8 bytes by W */
#define X86_SZ_HALF 0xff04    /* half the vector length */
#define X86_SZ_QUARTER 0xff05
#define X86_SZ_EIGHTH 0xff06
#define X86_SZ_VL 0xff07      /* EVEX: the whole vector, whatever the tuple */
/* 0xe000 | 4 x 3 bits: a size per mandatory prefix (none, 66, F3, F2),
 * code n meaning 1 << (n - 1) bytes, 0 unknown. */
#define X86_SZ_PP 0xe000
#define X86_SZ_PP_MASK 0xf000

/* The x87 escapes D8..DF: which ModRM values are defined (SDM table A-7 to
 * Memory forms: bit r of x87_mem_invalid[op] marks /r undefined.
 * Register forms (ModRM C0..FF): one bit per ModRM value. */
static const uint8_t x87_mem_invalid[8] = {
	0x00, 0x02, 0x00, 0x50, 0x00, 0x20, 0x00, 0x00,
};
/* Register forms, 64 bits per escape, bit (modrm - 0xC0) set when valid. */
static const uint64_t x87_reg_valid[8] = {
	0xffffffffffffffffull, /* D8: fadd..fdivr */
	/* D9: C0-CF fld/fxch, D0 fnop, D8-DF fstp1 (alias), E0 E1 E4 E5,
	 * E8-EE, F0-FF */
	0xffff7f33ff01ffffull,
	0x00000200ffffffffull, /* DA: C0-DF fcmov, E9 fucompp */
	/* DB: C0-DF fcmovn, E0 E1 E4 (8087/287 controls, no-ops now), E2
	 * fnclex, E3 fninit, E8-F7 fucomi/fcomi */
	0x00ffff1fffffffffull,
	0xffffffffffffffffull, /* DC */
	/* DD: C0-C7 ffree, C8-CF fxch4 (alias), D0-DF fst/fstp, E0-EF fucom(p) */
	0x0000ffffffffffffull,
	/* DE: C0-CF, D0-D7 fcomp5 (alias), D9 fcompp, E0-FF */
	0xffffffff02ffffffull,
	/* DF: C0-C7 ffreep, C8-CF fxch7, D0-DF fstp8/9, E0 fnstsw ax, E8-F7 */
	0x00ffff01ffffffffull,
};

#endif
