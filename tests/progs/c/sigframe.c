/*
 * The signal frame as the handler sees it, printed byte for byte where it
 * is deterministic (ASLR off): siginfo (but si_pid), ucontext (flags, link,
 * altstack, every general register, cs/ss, err/trapno/oldmask/cr2, where
 * fpstate is), the whole fpstate (fxsave area, xsave header and extended
 * state, sw_bytes, magic2), where the frame sits under the interrupted
 * rsp, and the FPU state the handler starts with (init: MXCSR 0x1f80,
 * xmm0 zero).  The handler edits r12 and xmm1 in the frame; rt_sigreturn
 * must bring both back.  Then a SIGFPE (idiv by zero) whose handler steps
 * rip over the idiv, and prints what the kernel put in err/trapno.
 * Left out: registers holding the pid or tid, and err/trapno/cr2 of the
 * SIGUSR1 frame, which are whatever the thread's last trap left (a
 * tracer's own traps included).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static unsigned char info[128], ucbuf[512], fp[8192];
static size_t fp_len;
static long fp_off, frame_off;
static uint32_t handler_mxcsr;
static uint64_t handler_xmm0[2];
static volatile int fpe_code, fpe_addr_ok;
static volatile long fpe_trapno, fpe_err;

static void
on_usr1(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint32_t ext;

	(void)sig;
	__asm__ volatile("stmxcsr %0" : "=m"(handler_mxcsr));
	__asm__ volatile("movdqu %%xmm0, %0" : "=m"(handler_xmm0));
	memcpy(info, si, sizeof info);
	memcpy(ucbuf, uc, 304); /* the kernel's struct ucontext */
	fp_off = (long)((char *)uc->uc_mcontext.fpregs - (char *)uc);
	frame_off = (long)(uc->uc_mcontext.gregs[REG_RSP] - (long)uc);
	memcpy(&ext, (char *)uc->uc_mcontext.fpregs + 464 + 4, 4); /* sw_bytes.extended_size */
	fp_len = ext <= sizeof fp ? ext : 512;
	memcpy(fp, uc->uc_mcontext.fpregs, fp_len);
	uc->uc_mcontext.gregs[REG_R12] = 0x1234;
	memset((char *)uc->uc_mcontext.fpregs + 160 + 16, 0x55, 8); /* xmm1, low half */
}

static void
on_fpe(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	fpe_code = si->si_code;
	fpe_addr_ok = (greg_t)si->si_addr == uc->uc_mcontext.gregs[REG_RIP];
	fpe_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	fpe_err = uc->uc_mcontext.gregs[REG_ERR];
	uc->uc_mcontext.gregs[REG_RIP] += 2; /* idiv %ecx: f7 f9 */
}

/* Hex lines built by hand: printf per byte would make the program ten
 * times longer to single-step. */
static void
hex(const char *what, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char line[32 * 3 + 1];

	for (size_t i = 0; i < n; i += 32) {
		size_t k = 0;
		for (size_t j = i; j < n && j < i + 32; j++) {
			line[k++] = ' ';
			line[k++] = digits[p[j] >> 4];
			line[k++] = digits[p[j] & 15];
		}
		line[k] = 0;
		printf("%s+%04zx:%s\n", what, i, line);
	}
}

int
main(void)
{
	struct sigaction sa;
	uint64_t r12_after, xmm1_after;
	uint32_t mxcsr_after, mx = 0x3f80, mxdef = 0x1f80;
	uint64_t a = 0x0102030405060708, b = 0x1112131415161718, c = 0x2122232425262728;
	long pid = getpid(), tid = syscall(SYS_gettid), ret;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	__asm__ volatile("movq %[a], %%xmm0\n\t"
			 "movq %[b], %%xmm1\n\t"
			 "vpbroadcastq %[c], %%ymm2\n\t"
			 "vpbroadcastq %[c], %%zmm16\n\t"
			 "ldmxcsr %[mx]\n\t"
			 "mov $0x1111, %%r12\n\t"
			 "syscall\n\t"
			 "mov %%r12, %[r12o]\n\t"
			 "movq %%xmm1, %[x1o]\n\t"
			 "stmxcsr %[mxo]\n\t"
			 "ldmxcsr %[mxdef]\n\t"
			 "vzeroupper"
			 : [r12o] "=m"(r12_after), [x1o] "=m"(xmm1_after), [mxo] "=m"(mxcsr_after),
			   "=a"(ret)
			 : [a] "m"(a), [b] "m"(b), [c] "m"(c), [mx] "m"(mx), [mxdef] "m"(mxdef),
			   "a"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
			 : "rcx", "r11", "r12", "xmm0", "xmm1", "xmm2", "memory");
	memset(info + 16, 0, 4); /* si_pid */
	for (int i = 0; i < NGREG; i++) {
		greg_t *g = (greg_t *)(ucbuf + 40) + i;
		if (*g == pid || *g == tid || i == REG_ERR || i == REG_TRAPNO || i == REG_CR2)
			*g = 0;
	}
	hex("siginfo", info, sizeof info);
	hex("ucontext", ucbuf, 304);
	printf("fpstate at uc%+ld, %zu bytes; interrupted rsp at uc%+ld\n", fp_off, fp_len, frame_off);
	hex("fpstate", fp, fp_len);
	printf("handler started with mxcsr %#x xmm0 %#llx:%#llx\n", handler_mxcsr,
	       (unsigned long long)handler_xmm0[1], (unsigned long long)handler_xmm0[0]);
	printf("after rt_sigreturn: ret %ld r12 %#llx xmm1 %#llx mxcsr %#x\n", ret,
	       (unsigned long long)r12_after, (unsigned long long)xmm1_after, mxcsr_after);

	sa.sa_sigaction = on_fpe;
	sigaction(SIGFPE, &sa, NULL);
	int zero = 0, q = 7;
	__asm__ volatile("cltd\n\tidiv %%ecx" : "+a"(q) : "c"(zero) : "rdx");
	printf("SIGFPE: code %d, addr is rip %d, trapno %ld, err %ld, quotient left %d\n", fpe_code,
	       fpe_addr_ok, fpe_trapno, fpe_err, q);
	return 0;
}
