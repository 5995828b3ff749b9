/*
 * The register state after a long mixed sequence, printed: GPRs, rflags,
 * x87 (control, status, tag and the eight registers), MXCSR, xmm/ymm 0-15
 * and, when the CPU has AVX-512F, zmm0-31 and k0-7.  The sequence (300
 * iterations) changes every one of them, switches MXCSR's rounding mode
 * and uses masked AVX-512 operations, so any register an engine touches
 * or fails to restore shows up as a different line than the native run's.
 * x87's last-instruction and last-operand pointers are not printed: AMD
 * does not store them unless an exception is pending (APM vol. 2 11.4.4).
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct dump {
	uint64_t gpr[16];        /* rax..r15, rsp as the distance moved */
	uint64_t rflags;
	uint32_t mxcsr, pad;
	uint8_t fx[512] __attribute__((aligned(64)));
	uint8_t ymm[16][32];
	uint8_t zmm[32][64];
	uint64_t k[8];
};

void regs_run(struct dump *d, int avx512);

/* rdi = struct dump *, esi = has AVX-512.  Stack while it runs: the
 * flag, the dump's address, the caller's MXCSR, callee-saved registers.
 * ldmxcsr goes through the red zone (-4(%rsp)), which must survive. */
__asm__(
	".text\n"
	".globl regs_run\n"
	"regs_run:\n"
	"	push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
	"	sub $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	push %rdi\n"
	"	push %rsi\n"
	"	vpbroadcastq .Lc1(%rip), %ymm0\n"
	"	vpbroadcastq .Lc2(%rip), %ymm1\n"
	"	vmovapd %ymm0, %ymm2; vmovapd %ymm1, %ymm3; vmovapd %ymm0, %ymm4\n"
	"	vmovapd %ymm1, %ymm5; vmovapd %ymm0, %ymm6; vmovapd %ymm1, %ymm7\n"
	"	movq .Lc3(%rip), %xmm8; movq .Lc1(%rip), %xmm9\n"
	"	finit; fld1; fldpi; fldl2e; fldlg2\n"
	"	mov $0x0123456789abcdef, %rax; mov $0x13, %rbx; mov $0x2468ace, %rdx\n"
	"	mov $7, %rsi; mov $11, %rdi; mov $13, %rbp\n"
	"	mov $1, %r8; mov $2, %r9; mov $3, %r10; mov $4, %r11; mov $5, %r12; mov $6, %r13\n"
	"	mov $7, %r14\n"
	"	cmpl $0, (%rsp); je 1f\n"
	"	vpbroadcastq %rax, %zmm16\n"
	"	vpbroadcastq %rbx, %zmm17\n"
	"	mov $0x5555, %ecx; kmovq %rcx, %k1\n"
	"	mov $0xf0f0, %ecx; kmovq %rcx, %k2\n"
	"1:	mov $300, %ecx\n"
	"2:	add %rcx, %rax; imul %rax, %rbx; xor %rbx, %rdx; rol $7, %rdx\n"
	"	adc %rdx, %rsi; sbb %rsi, %rdi; lea 3(%rdi,%rbp,2), %rbp\n"
	"	add %rax, %r8; xor %r8, %r9; sub %r9, %r10; ror $3, %r10; imul %r10, %r11\n"
	"	add %r11, %r12; not %r12; xor %r12, %r13; adc %r13, %r14\n"
	"	fmul %st(1), %st; fadd %st(2), %st; fxch %st(3); fsqrt; fxch %st(3)\n"
	"	mov %ecx, %r15d; and $3, %r15d; shl $13, %r15d; or $0x1f80, %r15d\n"
	"	mov %r15d, -4(%rsp); ldmxcsr -4(%rsp)\n"
	"	mulpd %xmm1, %xmm0; addpd %xmm2, %xmm0; divsd %xmm9, %xmm8; sqrtsd %xmm8, %xmm9\n"
	"	vfmadd231pd %ymm2, %ymm3, %ymm4; vaddpd %ymm4, %ymm5, %ymm5; vmulpd %ymm5, %ymm6, %ymm6\n"
	"	vpxor %ymm6, %ymm7, %ymm7; vpaddq %ymm1, %ymm7, %ymm7\n"
	"	cmpl $0, (%rsp); je 3f\n"
	"	vpaddq %zmm16, %zmm17, %zmm17{%k1}; vpxorq %zmm17, %zmm16, %zmm16{%k2}\n"
	"	vpsllq $1, %zmm17, %zmm18; vpermq %zmm18, %zmm16, %zmm19\n"
	"	vmovdqa64 %zmm19, %zmm31{%k1}{z}; vpandq %zmm31, %zmm17, %zmm30\n"
	"	kaddq %k1, %k2, %k3; kxorq %k3, %k1, %k4; kshiftlq $3, %k4, %k5; knotq %k5, %k6\n"
	"	korq %k6, %k2, %k7\n"
	"3:	dec %ecx; jnz 2b\n"
	"	mov 8(%rsp), %rcx\n"      /* the dump (rcx itself is 0 here) */
	"	mov %rax, 0(%rcx); movq $0, 8(%rcx); mov %rdx, 16(%rcx); mov %rbx, 24(%rcx)\n"
	"	movq $0, 32(%rcx); mov %rbp, 40(%rcx); mov %rsi, 48(%rcx); mov %rdi, 56(%rcx)\n"
	"	mov %r8, 64(%rcx); mov %r9, 72(%rcx); mov %r10, 80(%rcx); mov %r11, 88(%rcx)\n"
	"	mov %r12, 96(%rcx); mov %r13, 104(%rcx); mov %r14, 112(%rcx); mov %r15, 120(%rcx)\n"
	"	pushfq; pop %rax; mov %rax, 128(%rcx)\n"
	"	stmxcsr 136(%rcx)\n"
	"	fxsave64 192(%rcx)\n"
	"	vmovdqu %ymm0, 704(%rcx); vmovdqu %ymm1, 736(%rcx); vmovdqu %ymm2, 768(%rcx)\n"
	"	vmovdqu %ymm3, 800(%rcx); vmovdqu %ymm4, 832(%rcx); vmovdqu %ymm5, 864(%rcx)\n"
	"	vmovdqu %ymm6, 896(%rcx); vmovdqu %ymm7, 928(%rcx); vmovdqu %ymm8, 960(%rcx)\n"
	"	vmovdqu %ymm9, 992(%rcx)\n"
	"	cmpl $0, (%rsp); je 4f\n"
	"	lea 1216(%rcx), %rax\n"
	"	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 %zmm\\i, 64*\\i(%rax)\n"
	"	.endr\n"
	"	lea 3264(%rcx), %rax\n"
	"	.irp i, 0,1,2,3,4,5,6,7\n"
	"	kmovq %k\\i, 8*\\i(%rax)\n"
	"	.endr\n"
	"4:	fninit\n"
	"	add $16, %rsp\n"
	"	ldmxcsr (%rsp)\n"
	"	add $8, %rsp\n"
	"	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
	"	vzeroupper\n"
	"	ret\n"
	".section .rodata\n"
	".balign 8\n"
	".Lc1: .double 1.0000001\n"
	".Lc2: .double 0.9999999\n"
	".Lc3: .double 3.0\n"
	".text\n");

_Static_assert(__builtin_offsetof(struct dump, rflags) == 128, "rflags");
_Static_assert(__builtin_offsetof(struct dump, mxcsr) == 136, "mxcsr");
_Static_assert(__builtin_offsetof(struct dump, fx) == 192, "fx");
_Static_assert(__builtin_offsetof(struct dump, ymm) == 704, "ymm");
_Static_assert(__builtin_offsetof(struct dump, zmm) == 1216, "zmm");
_Static_assert(__builtin_offsetof(struct dump, k) == 3264, "k");

/* One line, most significant byte first (no printf per byte: the ptrace
 * engine steps every instruction of this). */
static void
hex(const char *name, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	char line[16 + 2 * 64 + 2];
	size_t k = strlen(name);
	memcpy(line, name, k);
	for (size_t i = n; i-- > 0;) {
		line[k++] = digits[b[i] >> 4];
		line[k++] = digits[b[i] & 15];
	}
	line[k++] = '\n';
	fwrite(line, 1, k, stdout);
}

int
main(void)
{
	static struct dump d;
	unsigned a, b, c, dx;
	int avx512 = __get_cpuid_count(7, 0, &a, &b, &c, &dx) && (b & (1u << 16));
	regs_run(&d, avx512);
	static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
					       "rdi", "r8",  "r9",  "r10", "r11", "r12", "r13",
					       "r14", "r15" };
	for (int i = 0; i < 16; i++)
		printf("%s %016llx\n", names[i], (unsigned long long)d.gpr[i]);
	printf("rflags %016llx\nmxcsr %08x\n", (unsigned long long)d.rflags, d.mxcsr);
	hex("fcw/fsw/ftw ", d.fx, 6);
	for (int i = 0; i < 8; i++) {
		char n[16];
		snprintf(n, sizeof n, "st%d ", i);
		hex(n, d.fx + 32 + 16 * i, 10);
	}
	for (int i = 0; i < 16; i++) {
		char n[16];
		snprintf(n, sizeof n, "xmm%d ", i);
		hex(n, d.fx + 160 + 16 * i, 16);
	}
	for (int i = 0; i < 10; i++) {
		char n[16];
		snprintf(n, sizeof n, "ymm%d ", i);
		hex(n, d.ymm[i], 32);
	}
	if (avx512) {
		for (int i = 0; i < 32; i++) {
			char n[16];
			snprintf(n, sizeof n, "zmm%d ", i);
			hex(n, d.zmm[i], 64);
		}
		for (int i = 0; i < 8; i++)
			printf("k%d %016llx\n", i, (unsigned long long)d.k[i]);
	}
	return 0;
}
