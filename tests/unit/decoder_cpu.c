/* What this CPU really does where Zydis and the manuals leave room: runs
 * small code snippets at a fixed address, catches the signal they end with
 * and checks that our decoder predicted it (docs/DECODER.md "allowed
 * differences" relies on these).  Skips (77) on a CPU that is not AMD.
 * Exit 0 when the decoder agrees with the CPU, 1 otherwise. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cpuid.h>

#include "decoder/x86_decode.h"

#define BASE 0x7f1234560000ul
#define CODE (BASE + 0x100)

static sigjmp_buf jump_back;
static volatile int got_sig;
static volatile unsigned long got_rip;
static int failures, checks;

static void
on_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)si;
	got_sig = sig;
	got_rip = (unsigned long)uc->uc_mcontext.gregs[REG_RIP];
	siglongjmp(jump_back, 1);
}

/* Runs code at CODE (the page is filled with int3 around it); returns the
 * signal that ended it (SIGTRAP when it ran off into int3). */
static int
run(const uint8_t *code, size_t n)
{
	uint8_t *p = (uint8_t *)BASE;
	memset(p, 0xcc, 0x1000);
	memcpy(p + 0x100, code, n);
	got_sig = 0;
	got_rip = 0;
	if (!sigsetjmp(jump_back, 1))
		((void (*)(void))CODE)();
	return got_sig;
}

static void
check(int ok, const char *what, unsigned long detail)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL %s (%#lx)\n", what, detail);
	}
}

static void
branch_case(const char *what, const uint8_t *prologue, size_t np, const uint8_t *insn, size_t ni,
	    uint64_t rax, uint64_t rflags)
{
	uint8_t code[64];
	struct x86_insn d;
	struct x86_regs r;
	uint64_t next = 0;
	memcpy(code, prologue, np);
	memcpy(code + np, insn, ni);
	run(code, np + ni);
	memset(&r, 0, sizeof(r));
	r.rip = CODE + np;
	r.gpr[X86_RAX] = rax;
	r.rflags = rflags;
	int st = x86_decode(insn, ni, X86_VENDOR_AMD, &d);
	check(st == X86_OK && d.len == ni, what, (unsigned long)st);
	x86_next_rip(&d, &r, NULL, NULL, &next);
	/* Targets below 64 KiB are unmapped: the CPU faults right there. */
	check(got_sig == SIGSEGV && got_rip == next, what, got_rip);
}

static void
undefined_case(const char *what, const uint8_t *insn, size_t n, int our_status)
{
	struct x86_insn d;
	int sig = run(insn, n);
	check(sig == SIGILL && got_rip == CODE, what, got_rip);
	check(x86_decode(insn, n, X86_VENDOR_AMD, &d) == our_status, what, 0);
}

int
main(void)
{
	unsigned a, b, c, d;
	__cpuid(0, a, b, c, d);
	if (b != 0x68747541) { /* "Auth"enticAMD */
		printf("not an AMD CPU\n");
		return 77;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (mmap((void *)BASE, 0x3000, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)BASE) {
		printf("cannot map the test page\n");
		return 99;
	}
	/* The third page is inaccessible: reads that cross into it fault. */
	mprotect((void *)(BASE + 0x2000), 0x1000, PROT_NONE);

	static const uint8_t none[1] = {0x90};
	static const uint8_t xor_eax[] = {0x31, 0xc0}; /* ZF = 1 */
	/* AMD honours 66 on near branches, rel8 ones included: the target is
	 * truncated to 16 bits (Zydis truncates only jmp/jcc rel16). */
	branch_case("66 jmp rel8", none, 1, (const uint8_t[]){0x66, 0xeb, 0x10}, 3, 0, 0);
	branch_case("66 jz rel8", xor_eax, 2, (const uint8_t[]){0x66, 0x74, 0x10}, 3, 0, 0x40);
	branch_case("66 jmp rel16", none, 1, (const uint8_t[]){0x66, 0xe9, 0x10, 0x00}, 4, 0, 0);
	branch_case("66 call rel16", none, 1, (const uint8_t[]){0x66, 0xe8, 0x10, 0x00}, 4, 0, 0);
	branch_case("66 jz rel16", xor_eax, 2, (const uint8_t[]){0x66, 0x0f, 0x84, 0x10, 0x00}, 5,
		    0, 0x40);
	static const uint8_t mov_rax[] = {0x48, 0xb8, 0x00, 0x02, 0x56, 0x34, 0x12, 0x7f, 0, 0};
	branch_case("66 jmp ax", mov_rax, sizeof(mov_rax), (const uint8_t[]){0x66, 0xff, 0xe0}, 3,
		    0x7f1234560200ul, 0);

	/* Dropped or absent extensions raise #UD here. */
	undefined_case("3DNow! pfadd", (const uint8_t[]){0x0f, 0x0f, 0xc0, 0x9e}, 4, X86_INVALID);
	undefined_case("XOP vpcmov", (const uint8_t[]){0x8f, 0xe8, 0x78, 0xa2, 0xc0, 0x10}, 6,
		       X86_INVALID);
	undefined_case("0F 0D register form", (const uint8_t[]){0x0f, 0x0d, 0xc0}, 3, X86_INVALID);
	undefined_case("AVX512-FP16 vaddph", (const uint8_t[]){0x62, 0xf5, 0x7c, 0x48, 0x58, 0xc0}, 6,
		       X86_INVALID);
	/* RTM is absent: xbegin decodes (class XBEGIN) but raises #UD, and
	 * x86_next_rip() says the CPU decides. */
	undefined_case("xbegin", (const uint8_t[]){0xc7, 0xf8, 0, 0, 0, 0}, 6, X86_OK);

	/* The 15-byte limit (#GP, SIGSEGV) is checked before #UD, also for
	 * undefined encodings, whose length the CPU still measures. */
	{
		static const struct {
			const char *what;
			uint8_t n;
			uint8_t bytes[16];
			int status;
		} lim[] = {
			{"3DNow! 15 bytes", 15, {0xf3, 0xf3, 0xf2, 0xf2, 0xf2, 0xf3, 0xf3, 0x0f, 0x0f,
						 0x90, 0x90, 0x90, 0x90, 0x90, 0x90}, X86_INVALID},
			{"3DNow! 16 bytes", 16, {0xf3, 0xf3, 0xf2, 0xf2, 0xf2, 0xf3, 0xf3, 0xf2, 0x0f,
						 0x0f, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90}, X86_TOO_LONG},
			{"F3 movnti 16 bytes", 16, {0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0xf3,
						    0xf3, 0x49, 0x66, 0x49, 0x0f, 0xc3, 0x93}, X86_TOO_LONG},
			{"F3 movnti, disp32 past byte 15", 16, {0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b,
								0xf3, 0xf3, 0x66, 0x49, 0x0f, 0xc3, 0x93,
								0x66, 0x66}, X86_TOO_LONG},
			{"EVEX map 5 (FP16), 15 bytes", 15, {0x65, 0x2e, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65,
							     0x36, 0x62, 0x65, 0x8f, 0xcb, 0x58, 0xc0},
			 X86_INVALID},
			{"EVEX map 5 (FP16), 16 bytes", 16, {0x65, 0x65, 0x2e, 0x65, 0x65, 0x65, 0x65, 0x65,
							     0x65, 0x36, 0x62, 0x65, 0x8f, 0xcb, 0x58,
							     0xc0}, X86_TOO_LONG},
			{"VEX map 0 with a disp32", 16, {0x65, 0x2e, 0x65, 0x65, 0x65, 0x65, 0x65, 0x36, 0xc4,
							 0xe0, 0x78, 0x58, 0x80, 0, 0, 0}, X86_TOO_LONG},
			{"15 x 66 + 06", 16, {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					      0x66, 0x66, 0x66, 0x66, 0x66, 0x06}, X86_TOO_LONG},
			{"XOP map 10: imm32 counted", 16, {0x2e, 0x2e, 0x2e, 0x8f, 0xea, 0xe6, 0x10, 0xb3,
							  0, 0, 0, 0, 0, 0, 0, 0}, X86_TOO_LONG},
			{"XOP map 8: imm8 not counted", 16, {0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
							    0x2e, 0x2e, 0x8f, 0xe8, 0x78, 0xa2, 0xc0, 0},
			 X86_INVALID},
		};
		for (size_t k = 0; k < sizeof(lim) / sizeof(lim[0]); k++) {
			struct x86_insn dd;
			int sig = run(lim[k].bytes, lim[k].n);
			int want_sig = lim[k].status == X86_TOO_LONG ? SIGSEGV : SIGILL;
			check(sig == want_sig && got_rip == CODE, lim[k].what, (unsigned long)sig);
			check(x86_decode(lim[k].bytes, lim[k].n, X86_VENDOR_AMD, &dd) == lim[k].status,
			      lim[k].what, 0);
		}
	}
	/* Far jmp through memory reads m16:32 even with REX.W: the selector
	 * comes from bytes 4-5 (0x7f12 here, a bad one: #GP at the jmp). */
	{
		uint8_t *fp = (uint8_t *)(BASE + 0x1000);
		*(uint64_t *)fp = CODE + 0x100;
		*(uint16_t *)(fp + 8) = 0x33; /* the user code selector */
		static const uint8_t far[] = {0x48, 0xb8, 0x00, 0x10, 0x56, 0x34, 0x12, 0x7f,
					      0,    0,    0x48, 0xff, 0x28};
		struct x86_insn dd;
		run(far, sizeof(far));
		check(got_sig == SIGSEGV && got_rip == CODE + 10, "rex.w jmp far m16:32", got_rip);
		x86_decode(far + 10, 3, X86_VENDOR_AMD, &dd);
		check(dd.cf == X86_CF_FAR && dd.mem_size == 6, "rex.w jmp far size", dd.mem_size);
	}
	/* Segment overrides: AMD ignores DS after FS (and before it). */
	{
		static const uint8_t fs_ds[] = {0x64, 0x3e, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0};
		static const uint8_t ds_fs[] = {0x3e, 0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0};
		struct x86_insn dd;
		run(fs_ds, sizeof(fs_ds));
		check(got_sig == SIGTRAP, "64 3e: fs used", got_rip);
		run(ds_fs, sizeof(ds_fs));
		check(got_sig == SIGTRAP, "3e 64: fs used", got_rip);
		x86_decode(fs_ds, sizeof(fs_ds), X86_VENDOR_AMD, &dd);
		check(dd.seg == 4, "64 3e decodes fs", dd.seg);
	}
	/* movsxd with 66 reads 2 bytes: a word just below the guard page. */
	{
		static const uint8_t code[] = {0x48, 0xb8, 0xfe, 0x1f, 0x56, 0x34, 0x12, 0x7f,
					       0,    0,    0x66, 0x63, 0x00};
		struct x86_insn dd;
		run(code, sizeof(code));
		x86_decode(code + 10, 3, X86_VENDOR_AMD, &dd);
		printf("66 movsxd: signal %d at %#lx, decoder size %u\n", got_sig, got_rip, dd.mem_size);
		check((got_sig == SIGTRAP) == (dd.mem_size == 2), "66 movsxd size", dd.mem_size);
	}
	/* fnstenv with 66: the 14-byte (16-bit) environment, 14 bytes below
	 * the guard page (the 32-bit image, 28 bytes, would fault). */
	{
		static const uint8_t code[] = {0x48, 0xb8, 0xf2, 0x1f, 0x56, 0x34, 0x12, 0x7f,
					       0,    0,    0x66, 0xd9, 0x30};
		struct x86_insn dd;
		run(code, sizeof(code));
		x86_decode(code + 10, 3, X86_VENDOR_AMD, &dd);
		printf("66 fnstenv: signal %d, decoder size %u\n", got_sig, dd.mem_size);
		check((got_sig == SIGTRAP) == (dd.mem_size == 14), "66 fnstenv size", dd.mem_size);
	}
	/* lgs with REX.W: m16:32 or m16:64?  Offset 8 bytes then selector 0
	 * (null, fine for gs); a m16:32 read takes 0x5566 and faults. */
	{
		uint8_t *fp = (uint8_t *)(BASE + 0x1000);
		*(uint64_t *)fp = 0x1122556655667788ull;
		*(uint16_t *)(fp + 8) = 0;
		static const uint8_t code[] = {0x48, 0xb8, 0x00, 0x10, 0x56, 0x34, 0x12, 0x7f,
					       0,    0,    0x48, 0x0f, 0xb5, 0x00};
		struct x86_insn dd;
		run(code, sizeof(code));
		x86_decode(code + 10, 4, X86_VENDOR_AMD, &dd);
		printf("lgs rex.w: signal %d, decoder size %u\n", got_sig, dd.mem_size);
		check((got_sig == SIGSEGV) == (dd.mem_size == 6), "rex.w lgs size", dd.mem_size);
	}
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
