/* Freestanding x86-64 (64-bit mode only) instruction decoder.
 *
 * Compiled into the in-process agent (-ffreestanding -nostdlib, no libc, no
 * vector registers) and into the host tools.  It has no global mutable
 * state, never allocates and calls nothing outside this folder: every
 * function works on caller-owned memory.
 *
 * Sources for the encoding rules: Intel SDM vol. 2 (chapter 2, appendix A
 * opcode maps), AMD APM vol. 3 (chapter 1 and appendix A).  Where the two
 * disagree the vendor argument picks; this project runs on AMD.  Zydis is
 * the oracle the decoder is checked against (tools/decoder_check.c,
 * tests/fuzz/decoder_fuzz.c); docs/DECODER.md lists where we differ from it
 * on purpose (the CPU wins). */
#ifndef UMSS_X86_DECODE_H
#define UMSS_X86_DECODE_H

#include <stddef.h>
#include <stdint.h>

enum x86_status {
	X86_OK = 0,
	X86_INVALID = -1,   /* the CPU raises #UD (or the encoding is undefined) */
	X86_TRUNCATED = -2, /* ran out of bytes before the instruction ended */
	X86_TOO_LONG = -3,  /* more than 15 bytes: #GP (SDM 2.3.11); the CPU checks
			     * this before #UD, so undefined encodings are measured */
};

enum x86_vendor {
	X86_VENDOR_AMD = 0, /* the default: this machine */
	X86_VENDOR_INTEL = 1,
};

/* Control-flow class of an instruction. */
enum x86_cf {
	X86_CF_NONE = 0,
	X86_CF_JCC,       /* cond = condition code (low nibble of the opcode) */
	X86_CF_LOOP,      /* cond: 0 loopne, 1 loope, 2 loop (E0..E2 - 0xE0) */
	X86_CF_JRCXZ,     /* jrcxz, or jecxz with 67 */
	X86_CF_JMP,       /* direct near jmp rel8/rel32 */
	X86_CF_CALL,      /* direct near call rel32 */
	X86_CF_JMP_IND,   /* jmp r/m64 (mem operand when has_mem) */
	X86_CF_CALL_IND,  /* call r/m64 */
	X86_CF_RET,       /* ret, ret imm16 (imm) */
	X86_CF_FAR,       /* jmp far m16:xx, call far, retf */
	X86_CF_IRET,      /* iretw/iretd/iretq */
	X86_CF_SYSCALL,   /* syscall, sysenter (and sysret/sysexit, privileged) */
	X86_CF_INT,       /* int imm8 */
	X86_CF_INT3,      /* int3 (CC) */
	X86_CF_INT1,      /* int1 / icebp (F1) */
	X86_CF_UD,        /* ud0, ud1, ud2: defined to raise #UD */
	X86_CF_PRIV,      /* hlt and the other CPL0-only instructions */
	X86_CF_XBEGIN,    /* xbegin rel (fallback target) */
	X86_CF_XABORT,    /* xabort imm8 */
	X86_CF_OTHER,     /* anything else that may change rip (vmcall, uiret, ...) */
};

/* Encoding families. */
enum x86_enc {
	X86_ENC_LEGACY = 0,
	X86_ENC_VEX,
	X86_ENC_EVEX,
};

/* Opcode maps (legacy escapes and VEX/EVEX mmm fields share numbering). */
enum x86_map {
	X86_MAP_1BYTE = 0,
	X86_MAP_0F = 1,
	X86_MAP_0F38 = 2,
	X86_MAP_0F3A = 3,
	X86_MAP_5 = 5, /* EVEX only (AVX512-FP16) */
	X86_MAP_6 = 6,
};

/* Prefix bits in x86_insn.prefixes. */
#define X86_PFX_LOCK 0x01u
#define X86_PFX_REP 0x02u   /* F3 seen (rep/repe, or a mandatory prefix) */
#define X86_PFX_REPNE 0x04u /* F2 seen */
#define X86_PFX_OPSIZE 0x08u
#define X86_PFX_ADDRSIZE 0x10u
#define X86_PFX_REX 0x20u   /* an effective REX (just before the opcode) */

/* Flags in x86_insn.flags. */
#define X86_F_MODRM 0x0001u
#define X86_F_SIB 0x0002u
#define X86_F_MEM 0x0004u        /* has an explicit memory operand (ModRM.mod != 3) */
#define X86_F_RIPREL 0x0008u
#define X86_F_REP_STRING 0x0010u /* REP/REPE/REPNE-prefixed string instruction */
#define X86_F_STRING 0x0020u     /* string instruction (movs, cmps, stos, lods, scas, ins, outs) */
#define X86_F_REL 0x0040u        /* has a relative branch displacement (in imm) */
#define X86_F_STACK 0x0080u      /* implicitly reads or writes the stack */
#define X86_F_GATHER 0x0100u
#define X86_F_SCATTER 0x0200u
#define X86_F_XSAVE 0x0400u      /* xsave/xrstor family: size depends on XCR0 */
#define X86_F_NOMEMACCESS 0x0800u /* mem operand not accessed (lea, nop, prefetch-like hints) */
#define X86_F_MOFFS 0x1000u      /* A0-A3 absolute moffs (address in imm) */
#define X86_F_BCST 0x2000u       /* EVEX embedded broadcast on a memory operand */

/* One decoded instruction.  Plain data: copying it is fine. */
struct x86_insn {
	uint8_t len;       /* total length in bytes, 1..15 */
	uint8_t enc;       /* enum x86_enc */
	uint8_t map;       /* enum x86_map */
	uint8_t opcode;    /* the opcode byte within its map */
	uint8_t modrm;     /* valid when flags & X86_F_MODRM */
	uint8_t sib;       /* valid when flags & X86_F_SIB */
	uint8_t rex;       /* effective REX byte (0x40..0x4F) or 0 */
	uint8_t prefixes;  /* X86_PFX_* */
	uint8_t seg;       /* effective segment override for memory: 0 none, 4 fs, 5 gs */
	uint8_t opsize;    /* operand size in bytes: 2, 4 or 8 */
	uint8_t addrsize;  /* address size in bytes: 4 or 8 */
	uint8_t cf;        /* enum x86_cf */
	uint8_t cond;      /* condition for X86_CF_JCC / X86_CF_LOOP */
	uint8_t imm_size;  /* bytes of the (first) immediate or relative offset */
	uint8_t imm2_size; /* bytes of a second immediate (enter) */
	uint8_t disp_size; /* bytes of the ModRM displacement as encoded (0, 1, 4) */
	uint8_t pp;        /* mandatory prefix: 0 none, 1 66, 2 F3, 3 F2 */
	uint8_t w;         /* REX.W / VEX.W / EVEX.W */
	uint8_t vl;        /* VEX.L / EVEX.L'L: 0 = 128, 1 = 256, 2 = 512 */
	uint8_t vvvv;      /* VEX/EVEX register specifier, un-inverted (0..31) */
	uint8_t evex_aaa;  /* EVEX opmask register */
	uint8_t evex_z;    /* EVEX zeroing */
	uint8_t evex_b;    /* EVEX.b (broadcast / rounding / sae) */
	uint8_t mem_size;  /* bytes read or written by the explicit memory operand, 0 if unknown */
	uint8_t mem_access; /* X86_ACC_* of the explicit memory operand */
	uint8_t disp8_n;   /* EVEX compressed displacement scale (1 otherwise) */
	uint16_t flags;    /* X86_F_* */
	int32_t disp;      /* displacement, already scaled by disp8_n */
	int64_t imm;       /* first immediate (sign-extended) or relative offset */
	uint8_t imm2;      /* second immediate (enter's nesting level) */
};

#define X86_ACC_READ 1u
#define X86_ACC_WRITE 2u

/* The register state the agent saves when it takes control of a thread.
 * gpr[] is in encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15. */
struct x86_regs {
	uint64_t gpr[16]; /* 8 bytes each */
	uint64_t rip;     /* address of the instruction being decoded */
	uint64_t rflags;
	uint64_t fs_base;
	uint64_t gs_base;
};

enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Decodes one instruction from bytes[0..avail).  avail may exceed 15.
 * Returns X86_OK and fills *out, or a negative enum x86_status.  When
 * avail is short, X86_TRUNCATED means "more bytes could make it valid"
 * (a page end), as opposed to X86_INVALID. */
int x86_decode(const uint8_t *bytes, size_t avail, enum x86_vendor vendor,
	       struct x86_insn *out);

/* Length, validity and control-flow class only: what the stepper asks
 * of most instructions, answered from one table entry for nearly all
 * legacy- and VEX-encoded ones (decoder/x86_lc.c); EVEX, LOCK, 67 and the
 * other rare cases take x86_decode()'s general path.  Same
 * status as x86_decode(); on X86_OK, len, cf and cond are x86_decode()'s
 * (tests/unit/decoder_lc.c compares them exhaustively, decoder-check and
 * decoder-fuzz on every string). */
struct x86_lc {
	uint8_t len;  /* 1..15 */
	uint8_t cf;   /* enum x86_cf */
	uint8_t cond; /* as x86_insn.cond */
};

int x86_decode_lc(const uint8_t *bytes, size_t avail, enum x86_vendor vendor,
		  struct x86_lc *out);

/* Offset of the displacement field in the instruction's bytes (meaningful
 * when disp_size != 0): a displaced copy of a rip-relative instruction
 * rewrites the disp32 found here.  The immediates follow it. */
static inline unsigned
x86_insn_disp_offset(const struct x86_insn *insn)
{
	return (unsigned)insn->len - insn->imm_size - insn->imm2_size - insn->disp_size;
}

/* Offset of the first immediate (or relative branch offset). */
static inline unsigned
x86_insn_imm_offset(const struct x86_insn *insn)
{
	return (unsigned)insn->len - insn->imm_size - insn->imm2_size;
}

/* Kinds of memory access reported by x86_insn_mem(). */
enum x86_mem_kind {
	X86_MEM_EXPLICIT = 0, /* the ModRM (or moffs) operand */
	X86_MEM_STACK,        /* push/pop/call/ret/enter/leave/pushf/popf/iret */
	X86_MEM_STRING_SRC,   /* [rsi] (or [esi]) of a string instruction */
	X86_MEM_STRING_DST,   /* [rdi] (es) of a string instruction */
	X86_MEM_XSAVE,        /* xsave area: size depends on XCR0/XINUSE */
	X86_MEM_GATHER,       /* vector gather: addr is the base + disp, elements vary */
	X86_MEM_SCATTER,
	X86_MEM_XLAT,         /* [rbx + al] */
};

struct x86_mem {
	uint64_t addr;    /* effective linear address (fs/gs base added); lowest byte for
			   * a string op running backwards is addr - (count-1)*size */
	uint64_t count;   /* string ops: iterations (REP count, 1 without REP); else 1 */
	uint32_t size;    /* bytes per access; 0 when not known statically */
	uint8_t access;   /* X86_ACC_READ | X86_ACC_WRITE */
	uint8_t kind;     /* enum x86_mem_kind */
	int8_t dir;       /* string ops: +1 forward, -1 when rflags.DF is set */
};

#define X86_MAX_MEM 4

/* Effective address of the explicit ModRM/moffs memory operand (fs/gs base
 * included, rip-relative resolved against regs->rip + insn->len). */
uint64_t x86_insn_ea(const struct x86_insn *insn, const struct x86_regs *regs);

/* Lists the memory operands of insn (explicit and implicit) into out[];
 * returns how many (0..X86_MAX_MEM). */
int x86_insn_mem(const struct x86_insn *insn, const struct x86_regs *regs,
		 struct x86_mem out[X86_MAX_MEM]);

/* Reads size bytes at addr into buf; returns 0 or a negative value. */
typedef int (*x86_read_fn)(void *cookie, uint64_t addr, void *buf, size_t size);

enum x86_next_status {
	X86_NEXT_OK = 0,
	X86_NEXT_READ_FAILED = -1, /* the read callback failed (ret/indirect target) */
	X86_NEXT_UNKNOWN = -2,     /* the kernel or an exception decides: syscall,
				    * int, ud, far transfers, iret, privileged */
};

/* Address of the instruction that executes after insn, given the register
 * state before it runs.  Conditional branches use rflags/rcx; ret and
 * indirect branches read memory through read(). */
int x86_next_rip(const struct x86_insn *insn, const struct x86_regs *regs,
		 x86_read_fn read, void *cookie, uint64_t *next);

/* Evaluates condition code cc (0..15, as in jcc/setcc/cmovcc) against rflags. */
int x86_cond_true(unsigned cc, uint64_t rflags);

#endif
