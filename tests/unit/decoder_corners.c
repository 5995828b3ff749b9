/* The decoder's hard corners, one expectation per line: 66/67 on branches
 * (AMD and Intel), REX with legacy prefixes in odd orders, segment
 * overrides in 64-bit mode, the 15-byte limit and truncation, LOCK on
 * non-lockable forms, VEX.L/W ignored vs required, EVEX broadcast and
 * disp8*N, moffs forms, dropped AMD extensions; then effective addresses,
 * implicit memory operands and next-instruction addresses.
 * Exit 0 when every expectation holds, 1 otherwise. */
#include <stdio.h>
#include <string.h>

#include "decoder/x86_decode.h"

static int failures, checks;

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		checks++;                                                  \
		if (!(cond)) {                                             \
			failures++;                                        \
			printf("FAIL line %d: %s: ", __LINE__, #cond);     \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
		}                                                          \
	} while (0)

struct lcase {
	const char *hex;
	int vendor;
	int status;
	int len;
	int cf;
};

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s || sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* Decodes hex with exactly its own bytes available (the general path),
 * and again followed by padding (the fast path when it applies): both must
 * give the same answer. */
static int
dec(const char *hex, int vendor, struct x86_insn *insn)
{
	uint8_t b[32];
	struct x86_insn padded;
	memset(b, 0x90, sizeof(b));
	size_t n = unhex(hex, b);
	int st = x86_decode(b, n, (enum x86_vendor)vendor, insn);
	if (st == X86_OK) {
		int st2 = x86_decode(b, sizeof(b), (enum x86_vendor)vendor, &padded);
		EXPECT(st2 == X86_OK && !memcmp(&padded, insn, sizeof(padded)),
		       "[%s] fast and general paths differ", hex);
	}
	return st;
}

static const struct lcase lcases[] = {
	/* 66 on near branches: AMD uses 16-bit offsets (APM vol. 3 "Near
	 * branches"), Intel ignores 66 in 64-bit mode (SDM JMP/CALL/Jcc). */
	{"66 e8 10 00", X86_VENDOR_AMD, X86_OK, 4, X86_CF_CALL},
	{"66 e8 10 00 00 00", X86_VENDOR_INTEL, X86_OK, 6, X86_CF_CALL},
	{"66 e9 10 00", X86_VENDOR_AMD, X86_OK, 4, X86_CF_JMP},
	{"66 0f 84 10 00", X86_VENDOR_AMD, X86_OK, 5, X86_CF_JCC},
	{"66 0f 84 10 00 00 00", X86_VENDOR_INTEL, X86_OK, 7, X86_CF_JCC},
	{"66 48 e9 10 00 00 00", X86_VENDOR_AMD, X86_OK, 7, X86_CF_JMP}, /* REX.W wins */
	{"66 eb 10", X86_VENDOR_AMD, X86_OK, 3, X86_CF_JMP},
	{"67 e3 10", X86_VENDOR_AMD, X86_OK, 3, X86_CF_JRCXZ},
	{"67 e2 fe", X86_VENDOR_AMD, X86_OK, 3, X86_CF_LOOP},
	{"66 c3", X86_VENDOR_AMD, X86_OK, 2, X86_CF_RET},
	{"c2 08 00", X86_VENDOR_AMD, X86_OK, 3, X86_CF_RET},
	{"66 ff e0", X86_VENDOR_AMD, X86_OK, 3, X86_CF_JMP_IND},
	{"ff 15 00 00 00 00", X86_VENDOR_AMD, X86_OK, 6, X86_CF_CALL_IND},
	{"ff 2c 24", X86_VENDOR_AMD, X86_OK, 3, X86_CF_FAR},
	{"ff d8", X86_VENDOR_AMD, X86_INVALID, 0, 0}, /* far call needs memory */
	{"66 c7 f8 10 00", X86_VENDOR_AMD, X86_OK, 5, X86_CF_XBEGIN},
	{"c7 f8 10 00 00 00", X86_VENDOR_AMD, X86_OK, 6, X86_CF_XBEGIN},
	{"c6 f8 01", X86_VENDOR_AMD, X86_OK, 3, X86_CF_XABORT},
	{"cd 80", X86_VENDOR_AMD, X86_OK, 2, X86_CF_INT},
	{"cc", X86_VENDOR_AMD, X86_OK, 1, X86_CF_INT3},
	{"f1", X86_VENDOR_AMD, X86_OK, 1, X86_CF_INT1},
	{"0f 0b", X86_VENDOR_AMD, X86_OK, 2, X86_CF_UD},
	{"0f b9 c0", X86_VENDOR_AMD, X86_OK, 3, X86_CF_UD},
	{"0f ff 00", X86_VENDOR_AMD, X86_OK, 3, X86_CF_UD},
	{"0f 05", X86_VENDOR_AMD, X86_OK, 2, X86_CF_SYSCALL},
	{"0f 34", X86_VENDOR_AMD, X86_OK, 2, X86_CF_SYSCALL},
	{"48 cf", X86_VENDOR_AMD, X86_OK, 2, X86_CF_IRET},
	{"f4", X86_VENDOR_AMD, X86_OK, 1, X86_CF_PRIV},
	{"ca 08 00", X86_VENDOR_AMD, X86_OK, 3, X86_CF_FAR},
	{"ea 00 00 00 00 00 00", X86_VENDOR_AMD, X86_INVALID, 0, 0}, /* no jmp ptr16:32 in 64-bit */
	{"9a 00 00 00 00 00 00", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	/* REX and legacy prefixes in odd orders (SDM 2.2.1: a REX not
	 * immediately before the opcode is ignored). */
	{"48 66 89 c0", X86_VENDOR_AMD, X86_OK, 4, X86_CF_NONE},
	{"40 40 48 b8 01 02 03 04 05 06 07 08", X86_VENDOR_AMD, X86_OK, 12, X86_CF_NONE},
	{"48 66 b8 01 02", X86_VENDOR_AMD, X86_OK, 5, X86_CF_NONE}, /* REX dropped: imm16 */
	{"66 48 b8 01 02 03 04 05 06 07 08", X86_VENDOR_AMD, X86_OK, 11, X86_CF_NONE},
	{"48 f3 a5", X86_VENDOR_AMD, X86_OK, 3, X86_CF_NONE},
	{"66 41 0f 05", X86_VENDOR_AMD, X86_OK, 4, X86_CF_SYSCALL},
	/* The 15-byte limit (SDM 2.3.11) and running out of bytes. */
	{"66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", X86_VENDOR_AMD, X86_OK, 15, X86_CF_NONE},
	{"66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", X86_VENDOR_AMD, X86_TOO_LONG, 0, 0},
	{"66 66 66 66 66 66 66 66 66 66 48 05 01 02 03 04", X86_VENDOR_AMD, X86_TOO_LONG, 0, 0},
	{"0f", X86_VENDOR_AMD, X86_TRUNCATED, 0, 0},
	{"e8 00 00", X86_VENDOR_AMD, X86_TRUNCATED, 0, 0},
	{"8b 04", X86_VENDOR_AMD, X86_TRUNCATED, 0, 0},
	{"62 f1 7c", X86_VENDOR_AMD, X86_TRUNCATED, 0, 0},
	{"66", X86_VENDOR_AMD, X86_TRUNCATED, 0, 0},
	/* LOCK: only on lockable read-modify-write forms with memory. */
	{"f0 01 00", X86_VENDOR_AMD, X86_OK, 3, X86_CF_NONE},
	{"f0 01 c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	{"f0 89 00", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	{"f0 0f b1 08", X86_VENDOR_AMD, X86_OK, 4, X86_CF_NONE},
	{"f0 48 0f c7 0f", X86_VENDOR_AMD, X86_OK, 5, X86_CF_NONE},
	{"f0 83 38 01", X86_VENDOR_AMD, X86_INVALID, 0, 0}, /* cmp */
	{"f0 f6 10", X86_VENDOR_AMD, X86_OK, 3, X86_CF_NONE},   /* not */
	{"f0 f6 00 01", X86_VENDOR_AMD, X86_INVALID, 0, 0},   /* test */
	{"f0 c5 f8 77", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	/* VEX: L and W ignored or required (SDM 2.3.6, instruction pages). */
	{"c5 fa 10 00", X86_VENDOR_AMD, X86_OK, 4, X86_CF_NONE},       /* vmovss, LIG */
	{"c5 fe 10 00", X86_VENDOR_AMD, X86_OK, 4, X86_CF_NONE},       /* L=1 ignored */
	{"c5 f2 10 00", X86_VENDOR_AMD, X86_INVALID, 0, 0},            /* vvvv != 1111 */
	{"c4 e3 fd 00 c0 01", X86_VENDOR_AMD, X86_OK, 6, X86_CF_NONE}, /* vpermq: W1 L1 */
	{"c4 e3 7d 00 c0 01", X86_VENDOR_AMD, X86_INVALID, 0, 0},      /* W0 */
	{"c4 e3 f9 00 c0 01", X86_VENDOR_AMD, X86_INVALID, 0, 0},      /* L0 */
	{"c4 e2 7d 5a 00", X86_VENDOR_AMD, X86_OK, 5, X86_CF_NONE},    /* vbroadcasti128 */
	{"c4 e2 7d 5a c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},         /* needs memory */
	{"c5 f8 77", X86_VENDOR_AMD, X86_OK, 3, X86_CF_NONE},
	{"c5 fc 77", X86_VENDOR_AMD, X86_OK, 3, X86_CF_NONE},
	{"66 c5 f8 77", X86_VENDOR_AMD, X86_INVALID, 0, 0}, /* 66 before VEX */
	{"48 c5 f8 77", X86_VENDOR_AMD, X86_INVALID, 0, 0}, /* REX before VEX */
	{"c4 e2 78 f2 c1", X86_VENDOR_AMD, X86_OK, 5, X86_CF_NONE},    /* andn */
	{"c4 e2 7c f2 c1", X86_VENDOR_AMD, X86_INVALID, 0, 0},         /* andn L1 */
	/* EVEX. */
	{"62 f1 7c 48 58 40 01", X86_VENDOR_AMD, X86_OK, 7, X86_CF_NONE},
	{"62 f1 7c 68 58 c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* L'L = 3 */
	{"62 f1 7c 78 58 c0", X86_VENDOR_AMD, X86_OK, 6, X86_CF_NONE}, /* {rz-sae}: L'L is RC */
	{"62 f1 7c 58 10 00", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* no broadcast for vmovups */
	{"62 f1 7c c8 58 c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* zeroing without a mask */
	{"62 f1 7c 4a 11 00", X86_VENDOR_AMD, X86_OK, 6, X86_CF_NONE},  /* masked store */
	{"62 f1 7c ca 11 00", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* zeroing store */
	{"62 f1 7c 48 58 c0", X86_VENDOR_AMD, X86_OK, 6, X86_CF_NONE},
	{"62 f5 7c 48 58 c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* map 5: AVX512-FP16 */
	{"62 f9 7c 48 58 c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* P0 bit 3 set */
	{"62 f2 7d 49 90 04 88", X86_VENDOR_AMD, X86_OK, 7, X86_CF_NONE},  /* vpgatherdd */
	{"62 f2 7d 48 90 04 88", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* gather needs k1-k7 */
	{"62 f2 7d 49 90 00", X86_VENDOR_AMD, X86_INVALID, 0, 0},     /* and a SIB */
	/* moffs: 64-bit address, or 32-bit with 67 (SDM MOV A0-A3). */
	{"48 a1 88 77 66 55 44 33 22 11", X86_VENDOR_AMD, X86_OK, 10, X86_CF_NONE},
	{"67 a1 44 33 22 11", X86_VENDOR_AMD, X86_OK, 6, X86_CF_NONE},
	{"66 a3 88 77 66 55 44 33 22 11", X86_VENDOR_AMD, X86_OK, 10, X86_CF_NONE},
	/* Extensions Zen dropped or never had: #UD here. */
	{"0f 0f c0 9e", X86_VENDOR_AMD, X86_INVALID, 0, 0}, /* 3DNow! pfadd */
	{"8f e8 78 c2 c0 01", X86_VENDOR_AMD, X86_INVALID, 0, 0}, /* XOP */
	{"8f c0", X86_VENDOR_AMD, X86_OK, 2, X86_CF_NONE},  /* pop rax */
	{"0f 0d c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},    /* prefetch reg form */
	{"0f 0d 08", X86_VENDOR_AMD, X86_OK, 3, X86_CF_NONE},
	/* Mov cr/dr ignore ModRM.mod; only cr0/2/3/4/8 exist. */
	{"0f 20 00", X86_VENDOR_AMD, X86_OK, 3, X86_CF_PRIV},
	{"0f 20 c8", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	{"44 0f 20 c0", X86_VENDOR_AMD, X86_OK, 4, X86_CF_PRIV},
	/* Invalid in 64-bit mode. */
	{"06", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	{"27", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	{"d6", X86_VENDOR_AMD, X86_INVALID, 0, 0},
	{"8e c8", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* mov cs, eax */
	{"8d c0", X86_VENDOR_AMD, X86_INVALID, 0, 0},  /* lea needs memory */
};

static void
length_cases(void)
{
	for (size_t k = 0; k < sizeof(lcases) / sizeof(lcases[0]); k++) {
		const struct lcase *c = &lcases[k];
		struct x86_insn insn;
		int st = dec(c->hex, c->vendor, &insn);
		EXPECT(st == c->status, "[%s] status %d, want %d", c->hex, st, c->status);
		if (st == X86_OK && c->status == X86_OK) {
			EXPECT(insn.len == c->len, "[%s] len %u, want %d", c->hex, insn.len, c->len);
			EXPECT(insn.cf == c->cf, "[%s] cf %u, want %d", c->hex, insn.cf, c->cf);
		}
	}
}

static void
field_cases(void)
{
	struct x86_insn i;
	/* Operand size with REX/66 orders. */
	dec("48 66 89 c0", X86_VENDOR_AMD, &i);
	EXPECT(i.opsize == 2 && i.rex == 0, "opsize %u rex %#x", i.opsize, i.rex);
	dec("66 48 89 c0", X86_VENDOR_AMD, &i);
	EXPECT(i.opsize == 8, "opsize %u", i.opsize);
	dec("48 f3 a5", X86_VENDOR_AMD, &i);
	EXPECT(i.opsize == 4 && (i.flags & X86_F_REP_STRING), "opsize %u flags %#x", i.opsize, i.flags);
	/* Segments: 64-bit mode ignores CS/DS/ES/SS; AMD ignores them even
	 * after FS/GS (checked on this CPU by decoder_cpu), Intel takes the
	 * last prefix. */
	dec("64 8b 04 25 00 00 00 00", X86_VENDOR_AMD, &i);
	EXPECT(i.seg == 4, "seg %u", i.seg);
	dec("64 3e 8b 00", X86_VENDOR_AMD, &i);
	EXPECT(i.seg == 4, "seg %u", i.seg);
	dec("64 3e 8b 00", X86_VENDOR_INTEL, &i);
	EXPECT(i.seg == 0, "seg %u", i.seg);
	dec("3e 65 8b 00", X86_VENDOR_INTEL, &i);
	EXPECT(i.seg == 5, "seg %u", i.seg);
	dec("2e 8b 00", X86_VENDOR_AMD, &i);
	EXPECT(i.seg == 0, "seg %u", i.seg);
	/* Jcc condition and rel targets. */
	dec("0f 8e 00 01 00 00", X86_VENDOR_AMD, &i);
	EXPECT(i.cf == X86_CF_JCC && i.cond == 0xe && i.imm == 0x100, "cond %u imm %lld", i.cond,
	       (long long)i.imm);
	dec("e2 fe", X86_VENDOR_AMD, &i);
	EXPECT(i.cond == 2 && i.imm == -2, "loop cond %u imm %lld", i.cond, (long long)i.imm);
	/* EVEX disp8*N (SDM 2.7.5). */
	dec("62 f1 7c 48 58 40 01", X86_VENDOR_AMD, &i); /* vaddps zmm, [rax+1*64] */
	EXPECT(i.disp == 64 && i.disp8_n == 64 && i.mem_size == 64, "disp %d n %u size %u", i.disp,
	       i.disp8_n, i.mem_size);
	dec("62 f1 7c 58 58 40 01", X86_VENDOR_AMD, &i); /* {1to16}: N = 4 */
	EXPECT(i.disp == 4 && (i.flags & X86_F_BCST) && i.mem_size == 4, "disp %d flags %#x", i.disp,
	       i.flags);
	dec("62 f1 fd 58 58 40 ff", X86_VENDOR_AMD, &i); /* vaddpd {1to8}: N = 8 */
	EXPECT(i.disp == -8, "disp %d", i.disp);
	dec("62 f1 7c 28 58 40 02", X86_VENDOR_AMD, &i); /* ymm: N = 32 */
	EXPECT(i.disp == 64 && i.vl == 1, "disp %d vl %u", i.disp, i.vl);
	dec("62 f1 7e 08 10 40 01", X86_VENDOR_AMD, &i); /* vmovss: T1S N = 4 */
	EXPECT(i.disp == 4 && i.mem_size == 4, "disp %d", i.disp);
	dec("62 f1 ff 08 12 40 01", X86_VENDOR_AMD, &i); /* vmovddup xmm: N = 8 */
	EXPECT(i.disp == 8, "disp %d", i.disp);
	dec("62 f2 7d 48 18 40 01", X86_VENDOR_AMD, &i); /* vbroadcastss: N = 4 */
	EXPECT(i.disp == 4, "disp %d", i.disp);
	dec("62 f2 7d 48 21 40 01", X86_VENDOR_AMD, &i); /* vpmovsxbd zmm: QVM N = 16 */
	EXPECT(i.disp == 16 && i.mem_size == 16, "disp %d", i.disp);
	dec("62 f1 7c 48 58 80 00 01 00 00", X86_VENDOR_AMD, &i); /* disp32 is not scaled */
	EXPECT(i.disp == 0x100 && i.disp8_n == 1, "disp %d", i.disp);
	/* Field offsets for re-targeting a displaced copy. */
	dec("48 8b 05 44 33 22 11", X86_VENDOR_AMD, &i); /* mov rax, [rip+disp32] */
	EXPECT(x86_insn_disp_offset(&i) == 3 && i.disp == 0x11223344, "disp offset %u",
	       x86_insn_disp_offset(&i));
	dec("66 c7 05 44 33 22 11 ee ff", X86_VENDOR_AMD, &i); /* mov word [rip+d], imm16 */
	EXPECT(x86_insn_disp_offset(&i) == 3 && x86_insn_imm_offset(&i) == 7 && i.imm == -18,
	       "offsets %u %u imm %lld", x86_insn_disp_offset(&i), x86_insn_imm_offset(&i),
	       (long long)i.imm);
	dec("62 f1 7c 48 58 05 10 00 00 00", X86_VENDOR_AMD, &i); /* EVEX rip-relative */
	EXPECT(x86_insn_disp_offset(&i) == 6 && (i.flags & X86_F_RIPREL), "evex disp offset %u",
	       x86_insn_disp_offset(&i));
	/* moffs. */
	dec("48 a1 88 77 66 55 44 33 22 11", X86_VENDOR_AMD, &i);
	EXPECT((i.flags & X86_F_MOFFS) && (uint64_t)i.imm == 0x1122334455667788ull &&
		       i.mem_size == 8 && i.mem_access == X86_ACC_READ,
	       "imm %llx size %u", (unsigned long long)i.imm, i.mem_size);
	dec("66 a3 88 77 66 55 44 33 22 11", X86_VENDOR_AMD, &i);
	EXPECT(i.mem_size == 2 && i.mem_access == X86_ACC_WRITE, "size %u acc %u", i.mem_size,
	       i.mem_access);
}

static int
read_mem(void *cookie, uint64_t addr, void *buf, size_t size)
{
	const uint8_t *stack = cookie;
	if (addr < 0x7000 || addr + size > 0x7000 + 64)
		return -1;
	memcpy(buf, stack + (addr - 0x7000), size);
	return 0;
}

static void
exec_cases(void)
{
	struct x86_insn i;
	struct x86_regs r;
	struct x86_mem m[X86_MAX_MEM];
	uint8_t stack[64] = {0};
	uint64_t next = 0;
	int n;
	memset(&r, 0, sizeof(r));
	r.rip = 0x401000;
	r.gpr[X86_RSP] = 0x7010;
	r.gpr[X86_RAX] = 0x1000;
	r.gpr[X86_RBX] = 0x2000;
	r.gpr[X86_RCX] = 3;
	r.gpr[X86_RSI] = 0x5000;
	r.gpr[X86_RDI] = 0x6000;
	r.gpr[X86_R13] = 0x13000;
	r.fs_base = 0x7f0000000000ull;
	stack[0x10] = 0x34; /* [rsp] = 0x401234 */
	stack[0x11] = 0x12;
	stack[0x12] = 0x40;

	/* Effective addresses. */
	dec("8b 44 58 10", X86_VENDOR_AMD, &i); /* mov eax, [rax + rbx*2 + 0x10] */
	EXPECT(x86_insn_ea(&i, &r) == 0x1000 + 0x4000 + 0x10, "ea %#llx",
	       (unsigned long long)x86_insn_ea(&i, &r));
	dec("8b 05 10 00 00 00", X86_VENDOR_AMD, &i); /* rip-relative */
	EXPECT(x86_insn_ea(&i, &r) == 0x401000 + 6 + 0x10, "ea %#llx",
	       (unsigned long long)x86_insn_ea(&i, &r));
	dec("64 48 8b 04 25 28 00 00 00", X86_VENDOR_AMD, &i); /* fs:0x28 */
	EXPECT(x86_insn_ea(&i, &r) == 0x7f0000000028ull, "ea %#llx",
	       (unsigned long long)x86_insn_ea(&i, &r));
	dec("41 8b 45 00", X86_VENDOR_AMD, &i); /* [r13 + 0] */
	EXPECT(x86_insn_ea(&i, &r) == 0x13000, "ea %#llx", (unsigned long long)x86_insn_ea(&i, &r));
	dec("42 8b 04 2d 00 01 00 00", X86_VENDOR_AMD, &i); /* [r13*1 + 0x100], no base */
	EXPECT(x86_insn_ea(&i, &r) == 0x13100, "ea %#llx", (unsigned long long)x86_insn_ea(&i, &r));
	dec("67 8b 40 ff", X86_VENDOR_AMD, &i); /* [eax - 1]: 32-bit wrap */
	r.gpr[X86_RAX] = 0x100000000ull;
	EXPECT(x86_insn_ea(&i, &r) == 0xffffffffull, "ea %#llx",
	       (unsigned long long)x86_insn_ea(&i, &r));
	r.gpr[X86_RAX] = 0x1000;

	/* Implicit memory. */
	dec("50", X86_VENDOR_AMD, &i); /* push rax */
	n = x86_insn_mem(&i, &r, m);
	EXPECT(n == 1 && m[0].addr == 0x7008 && m[0].size == 8 && m[0].access == X86_ACC_WRITE &&
		       m[0].kind == X86_MEM_STACK,
	       "n %d addr %#llx", n, (unsigned long long)m[0].addr);
	dec("8f 44 24 08", X86_VENDOR_AMD, &i); /* pop [rsp+8]: rsp after the pop */
	n = x86_insn_mem(&i, &r, m);
	EXPECT(n == 2 && m[1].addr == 0x7010 + 8 + 8 && m[1].access == X86_ACC_WRITE, "n %d addr %#llx",
	       n, (unsigned long long)m[1].addr);
	dec("f3 48 a5", X86_VENDOR_AMD, &i); /* rep movsq */
	n = x86_insn_mem(&i, &r, m);
	EXPECT(n == 2 && m[0].addr == 0x5000 && m[0].count == 3 && m[0].size == 8 &&
		       m[1].addr == 0x6000 && m[1].access == X86_ACC_WRITE && m[1].dir == 1,
	       "n %d", n);
	r.rflags = 1u << 10; /* DF */
	dec("aa", X86_VENDOR_AMD, &i); /* stosb, no rep */
	n = x86_insn_mem(&i, &r, m);
	EXPECT(n == 1 && m[0].count == 1 && m[0].size == 1 && m[0].dir == -1 &&
		       m[0].kind == X86_MEM_STRING_DST,
	       "n %d dir %d", n, m[0].dir);
	r.rflags = 0;
	dec("d7", X86_VENDOR_AMD, &i); /* xlat */
	r.gpr[X86_RAX] = 0x1005;
	n = x86_insn_mem(&i, &r, m);
	EXPECT(n == 1 && m[0].addr == 0x2005 && m[0].kind == X86_MEM_XLAT, "addr %#llx",
	       (unsigned long long)m[0].addr);
	r.gpr[X86_RAX] = 0x1000;
	dec("0f ae 20", X86_VENDOR_AMD, &i); /* xsave [rax] */
	n = x86_insn_mem(&i, &r, m);
	EXPECT(n == 1 && m[0].kind == X86_MEM_XSAVE && (i.flags & X86_F_XSAVE), "kind %u", m[0].kind);
	dec("e8 00 00 00 00", X86_VENDOR_AMD, &i); /* call: pushes 8 bytes */
	n = x86_insn_mem(&i, &r, m);
	EXPECT(n == 1 && m[0].addr == 0x7008 && m[0].size == 8, "addr %#llx",
	       (unsigned long long)m[0].addr);
	dec("8d 04 18", X86_VENDOR_AMD, &i); /* lea: no access */
	EXPECT(x86_insn_mem(&i, &r, m) == 0, "lea has memory access");

	/* Next instruction. */
	dec("74 10", X86_VENDOR_AMD, &i);
	r.rflags = 1u << 6; /* ZF */
	EXPECT(x86_next_rip(&i, &r, read_mem, stack, &next) == 0 && next == 0x401012, "je taken %#llx",
	       (unsigned long long)next);
	r.rflags = 0;
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x401002, "je not taken %#llx", (unsigned long long)next);
	dec("7c 10", X86_VENDOR_AMD, &i); /* jl: SF != OF */
	r.rflags = 1u << 7;
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x401012, "jl %#llx", (unsigned long long)next);
	r.rflags = 0;
	dec("e2 fe", X86_VENDOR_AMD, &i); /* loop $ with rcx = 3 -> taken */
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x401000, "loop %#llx", (unsigned long long)next);
	r.gpr[X86_RCX] = 1; /* decrements to 0 -> falls through */
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x401002, "loop end %#llx", (unsigned long long)next);
	dec("67 e3 10", X86_VENDOR_AMD, &i); /* jecxz: ecx only */
	r.gpr[X86_RCX] = 0x100000000ull;
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x401013, "jecxz %#llx", (unsigned long long)next);
	r.gpr[X86_RCX] = 3;
	dec("c3", X86_VENDOR_AMD, &i);
	EXPECT(x86_next_rip(&i, &r, read_mem, stack, &next) == 0 && next == 0x401234, "ret %#llx",
	       (unsigned long long)next);
	dec("66 c3", X86_VENDOR_AMD, &i); /* AMD: pops 16 bits */
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x1234, "ret16 %#llx", (unsigned long long)next);
	dec("ff 24 24", X86_VENDOR_AMD, &i); /* jmp [rsp] */
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x401234, "jmp [rsp] %#llx", (unsigned long long)next);
	dec("ff d3", X86_VENDOR_AMD, &i); /* call rbx */
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x2000, "call rbx %#llx", (unsigned long long)next);
	dec("ff 10", X86_VENDOR_AMD, &i); /* call [rax]: unreadable */
	EXPECT(x86_next_rip(&i, &r, read_mem, stack, &next) == X86_NEXT_READ_FAILED, "read failed");
	dec("66 eb 10", X86_VENDOR_AMD, &i); /* AMD truncates to 16 bits */
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x1013, "66 jmp %#llx", (unsigned long long)next);
	dec("66 e8 10 00", X86_VENDOR_AMD, &i);
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x1014, "66 call %#llx", (unsigned long long)next);
	dec("0f 05", X86_VENDOR_AMD, &i);
	EXPECT(x86_next_rip(&i, &r, read_mem, stack, &next) == X86_NEXT_UNKNOWN, "syscall");
	dec("f3 48 ab", X86_VENDOR_AMD, &i); /* rep stosq: falls through */
	x86_next_rip(&i, &r, read_mem, stack, &next);
	EXPECT(next == 0x401003, "rep stos %#llx", (unsigned long long)next);
}

int
main(void)
{
	length_cases();
	field_cases();
	exec_cases();
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
