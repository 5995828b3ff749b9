/*
 * Writes deterministic traces for the tests of `umss show`, `stats` and
 * `diff` (tests/cases/cli-*.sh), with the writer API and no tracer:
 *
 *   cli_gen_trace OUT VARIANT [N]
 *
 * The base trace: process 100 (`/nonexistent/gen`, a file that does not
 * exist) with threads 100 and 101, code mapped at 0x400000, a loop, a call
 * into the real libc's getpid (the machine's libc.so.6 mapped segment by
 * segment with its real build id, getpid's real bytes), a signal handler,
 * code replaced at one address, anonymous code, an instruction with
 * unreadable bytes (vsyscall); a fork child 102 that runs the parent's code
 * through the inherited map, then execs /bin/true and runs the dynamic
 * loader's first instruction (its real bytes, at its entry); exits and an
 * end record.  Instruction count: printed on stdout.
 *
 * Variants: base; shifted (every pid and tid +1000: the same run as seen by
 * diff); interleaved (threads 100 and 101 alternate: same streams, other
 * interleaving); diverge (thread 101's instruction 7 is elsewhere); short
 * (thread 100 skips 2 instructions); cut (thread 101 ends one instruction
 * early); extra-thread (a third thread in
 * process 100); truncated (no end record); badid (libc and ld.so recorded
 * with a build id other than their files'); big N (one thread, a loop of N
 * instructions); big-diverge N (the same, instruction N-2 differs).
 */
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <Zydis/Zydis.h>

#include "umss/trace.h"

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"
#define LDSO "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
#define LIBC_BASE 0x7ffff7d80000ull
#define LDSO_BASE 0x7ffff7fc5000ull
#define ANON_CODE 0x7ffff7ff0000ull
#define VSYSCALL 0xffffffffff600000ull

static struct umss_writer *w;
static uint64_t count;
static uint32_t shift;	/* added to every pid and tid */
static bool bad_build_id;	/* record libc with a build id it does not have */

static void
check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "cli_gen_trace: %s: %s\n", what, umss_strerror(rc));
		exit(99);
	}
}

static void
die(const char *what)
{
	fprintf(stderr, "cli_gen_trace: %s\n", what);
	exit(99);
}

/* One ELF file's facts the trace needs. */
struct elf_facts {
	uint8_t build_id[64];
	uint32_t build_id_len;
	struct { uint64_t offset, vaddr, filesz; uint32_t prot; } load[8];
	int nload;
	uint64_t sym_off;	/* file offset of the asked symbol or entry */
	uint8_t code[64];	/* bytes there */
};

static uint64_t
vaddr_to_off(const struct elf_facts *f, uint64_t vaddr)
{
	for (int i = 0; i < f->nload; i++)
		if (vaddr >= f->load[i].vaddr && vaddr - f->load[i].vaddr < f->load[i].filesz)
			return vaddr - f->load[i].vaddr + f->load[i].offset;
	die("address outside the file's segments");
	return 0;
}

/* Reads path's build id, PT_LOADs, and the code at symbol (NULL: entry). */
static void
read_elf(const char *path, const char *symbol, struct elf_facts *f)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	GElf_Ehdr eh;
	size_t phnum;
	uint64_t vaddr = 0;

	memset(f, 0, sizeof *f);
	elf_version(EV_CURRENT);
	if (fd < 0 || !(e = elf_begin(fd, ELF_C_READ, NULL)) || !gelf_getehdr(e, &eh) ||
	    elf_getphdrnum(e, &phnum))
		die(path);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		gelf_getphdr(e, (int)i, &ph);
		if (ph.p_type == PT_LOAD && f->nload < 8) {
			f->load[f->nload].offset = ph.p_offset;
			f->load[f->nload].vaddr = ph.p_vaddr;
			f->load[f->nload].filesz = ph.p_filesz;
			f->load[f->nload].prot = (ph.p_flags & PF_R ? PROT_READ : 0) |
						 (ph.p_flags & PF_W ? PROT_WRITE : 0) |
						 (ph.p_flags & PF_X ? PROT_EXEC : 0);
			f->nload++;
		} else if (ph.p_type == PT_NOTE) {
			Elf_Data *d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
							   ELF_T_NHDR);
			GElf_Nhdr nh;
			size_t off = 0, no, dno;

			while (d && (off = gelf_getnote(d, off, &nh, &no, &dno)) > 0)
				if (nh.n_type == NT_GNU_BUILD_ID && nh.n_descsz <= 64) {
					memcpy(f->build_id, (char *)d->d_buf + dno, nh.n_descsz);
					f->build_id_len = nh.n_descsz;
				}
		}
	}
	if (!symbol)
		vaddr = eh.e_entry;
	for (Elf_Scn *scn = NULL; symbol && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;

			gelf_getsym(d, (int)i, &s);
			if (!strcmp(elf_strptr(e, sh.sh_link, s.st_name), symbol) && s.st_value)
				vaddr = s.st_value;
		}
	}
	if (!vaddr)
		die("symbol not found");
	f->sym_off = vaddr_to_off(f, vaddr);
	if (pread(fd, f->code, sizeof f->code, (off_t)f->sym_off) != sizeof f->code)
		die("short read");
	elf_end(e);
	close(fd);
}

/* Length of the instruction at bytes (Zydis), for real code from files. */
static uint32_t
insn_len(const uint8_t *bytes, size_t avail)
{
	ZydisDecoder d;
	ZydisDecodedInstruction insn;

	ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&d, NULL, bytes, avail, &insn)))
		die("undecodable code");
	return insn.length;
}

static void
map_file(uint32_t pid, uint64_t base, const char *path, const struct elf_facts *f)
{
	for (int i = 0; i < f->nload; i++) {
		uint64_t start = base + (f->load[i].vaddr & ~0xfffull);
		uint64_t end = (base + f->load[i].vaddr + f->load[i].filesz + 0xfff) & ~0xfffull;
		uint8_t id[64];

		memcpy(id, f->build_id, sizeof id);
		if (bad_build_id)
			id[0] ^= 0xff;

		check(umss_writer_map(w, pid + shift, start, end, f->load[i].offset & ~0xfffull,
				      f->load[i].prot, path, id, f->build_id_len),
		      "map");
	}
}

static void
code(uint32_t pid, uint64_t addr, const uint8_t *bytes, uint32_t len)
{
	check(umss_writer_code(w, pid + shift, addr, bytes, len), "code");
}

static void
insn(uint32_t pid, uint32_t tid, uint64_t addr)
{
	check(umss_writer_insn(w, pid + shift, tid + shift, addr), "insn");
	count++;
}

/* Synthetic code of /nonexistent/gen, at 0x401000. */
static const uint8_t mov_ecx3[] = { 0xb9, 0x03, 0x00, 0x00, 0x00 };	/* mov ecx, 3 */
static const uint8_t dec_ecx[] = { 0xff, 0xc9 };			/* dec ecx */
static const uint8_t jnz_back[] = { 0x75, 0xfc };			/* jnz 0x401005 */
static const uint8_t call_got[] = { 0xff, 0x15, 0xf1, 0x0f, 0x00, 0x00 }; /* call [rip+0xff1] */
static const uint8_t nop[] = { 0x90 };
static const uint8_t ret[] = { 0xc3 };
static const uint8_t mov_eax1[] = { 0xb8, 0x01, 0x00, 0x00, 0x00 };	/* mov eax, 1 */
static const uint8_t mov_eax2[] = { 0xb8, 0x02, 0x00, 0x00, 0x00 };	/* mov eax, 2 */
static const uint8_t xor_eax[] = { 0x31, 0xc0 };			/* xor eax, eax */
static const uint8_t syscall_[] = { 0x0f, 0x05 };

static struct elf_facts libc, ldso;

static void
gen_code(uint32_t pid)
{
	code(pid, 0x401000, mov_ecx3, sizeof mov_ecx3);
	code(pid, 0x401005, dec_ecx, sizeof dec_ecx);
	code(pid, 0x401007, jnz_back, sizeof jnz_back);
	code(pid, 0x401009, call_got, sizeof call_got);
	code(pid, 0x40100f, nop, 1);
	code(pid, 0x401010, ret, 1);
	code(pid, 0x401100, nop, 1);	/* signal handler */
	code(pid, 0x401101, ret, 1);
	code(pid, 0x401200, mov_eax1, sizeof mov_eax1);
	/* getpid's real code: up to and including its ret */
	for (uint32_t off = 0, len; off < 32; off += len) {
		len = insn_len(libc.code + off, sizeof libc.code - off);
		code(pid, LIBC_BASE + libc.sym_off + off, libc.code + off, len);
		if (libc.code[off] == 0xc3)
			break;
	}
}

/* The loop: 1 + 3 * 2 = 7 instructions, then call getpid, nop: 7 + 1 + G + 1. */
static void
run_loop(uint32_t pid, uint32_t tid, uint32_t skip_last)
{
	uint64_t seq[64];
	int n = 0;

	seq[n++] = 0x401000;
	for (int i = 0; i < 3; i++) {
		seq[n++] = 0x401005;
		seq[n++] = 0x401007;
	}
	seq[n++] = 0x401009;
	for (uint32_t off = 0, len; off < 32; off += len) {
		len = insn_len(libc.code + off, sizeof libc.code - off);
		seq[n++] = LIBC_BASE + libc.sym_off + off;
		if (libc.code[off] == 0xc3)
			break;
	}
	seq[n++] = 0x40100f;
	for (int i = 0; i < n - (int)skip_last; i++)
		insn(pid, tid, seq[i]);
}

static void
gen_base(const char *variant)
{
	bool interleaved = !strcmp(variant, "interleaved");
	bool diverge = !strcmp(variant, "diverge");
	const char *argv[] = { "gen", "a b" };
	const char *true_argv[] = { "true" };

	check(umss_writer_process(w, 100 + shift, 0, 0, "/nonexistent/gen", 2, argv), "process");
	check(umss_writer_thread_start(w, 100 + shift, 100 + shift, 0), "thread");
	check(umss_writer_map(w, 100 + shift, 0x400000, 0x402000, 0, PROT_READ | PROT_EXEC,
			      "/nonexistent/gen", NULL, 0), "map");
	map_file(100, LIBC_BASE, LIBC, &libc);
	gen_code(100);
	check(umss_writer_thread_start(w, 100 + shift, 101 + shift, 100 + shift), "thread");

	if (interleaved) {
		/* Alternate single instructions of both threads (the loop's first
		 * 7 each), then the rest of each. */
		static const uint64_t loop7[] = { 0x401000, 0x401005, 0x401007, 0x401005,
						  0x401007, 0x401005, 0x401007 };
		for (int i = 0; i < 7; i++) {
			insn(100, 101, loop7[i]);
			insn(100, 100, loop7[i]);
		}
		/* The remainder, through a second copy of the loop's tail. */
		insn(100, 100, 0x401009);
		for (uint32_t off = 0, len; off < 32; off += len) {
			len = insn_len(libc.code + off, sizeof libc.code - off);
			insn(100, 100, LIBC_BASE + libc.sym_off + off);
			if (libc.code[off] == 0xc3)
				break;
		}
		insn(100, 100, 0x40100f);
		insn(100, 101, 0x401009);
		for (uint32_t off = 0, len; off < 32; off += len) {
			len = insn_len(libc.code + off, sizeof libc.code - off);
			insn(100, 101, LIBC_BASE + libc.sym_off + off);
			if (libc.code[off] == 0xc3)
				break;
		}
		insn(100, 101, 0x40100f);
	} else {
		run_loop(100, 100, !strcmp(variant, "short") ? 2 : 0);
		if (diverge) {
			/* Thread 101 takes the loop once less: its instruction 7 is
			 * the call where the base trace has dec ecx. */
			insn(100, 101, 0x401000);
			for (int i = 0; i < 3; i++) {
				insn(100, 101, 0x401005);
				insn(100, 101, 0x401007);
			}
			insn(100, 101, 0x401200);
		} else {
			run_loop(100, 101, 0);
		}
	}
	/* A signal to thread 101, its handler, back. */
	check(umss_writer_signal(w, 100 + shift, 101 + shift, 10, 0, 0, 0x401010,
				 UMSS_SIG_HANDLER), "signal");
	insn(100, 101, 0x401100);
	insn(100, 101, 0x401101);
	if (strcmp(variant, "cut"))
		insn(100, 101, 0x401010);
	check(umss_writer_thread_exit(w, 100 + shift, 101 + shift, 0), "thread exit");
	if (!strcmp(variant, "extra-thread")) {
		check(umss_writer_thread_start(w, 100 + shift, 103 + shift, 100 + shift), "thread");
		insn(100, 103, 0x401100);
		insn(100, 103, 0x401101);
		check(umss_writer_thread_exit(w, 100 + shift, 103 + shift, 0), "thread exit");
	}

	/* Code replaced at one address: the same address, two instructions. */
	insn(100, 100, 0x401200);
	code(100, 0x401200, mov_eax2, sizeof mov_eax2);
	insn(100, 100, 0x401200);

	/* Anonymous code (a JIT's), then unmapped; vsyscall, unreadable. */
	check(umss_writer_map(w, 100 + shift, ANON_CODE, ANON_CODE + 0x1000, 0,
			      PROT_READ | PROT_WRITE | PROT_EXEC, "", NULL, 0), "map");
	code(100, ANON_CODE + 0x10, xor_eax, sizeof xor_eax);
	insn(100, 100, ANON_CODE + 0x10);
	check(umss_writer_unmap(w, 100 + shift, ANON_CODE, ANON_CODE + 0x1000), "unmap");
	insn(100, 100, ANON_CODE + 0x10);
	code(100, VSYSCALL, NULL, 0);
	insn(100, 100, VSYSCALL);

	/* fork: the child runs the parent's loop through the inherited map. */
	check(umss_writer_process(w, 102 + shift, 100 + shift, 100 + shift, "/nonexistent/gen",
				  2, argv), "fork");
	check(umss_writer_thread_start(w, 102 + shift, 102 + shift, 0), "thread");
	insn(102, 102, 0x401000);
	insn(102, 102, 0x401005);
	code(102, 0x401010, syscall_, sizeof syscall_);
	insn(102, 102, 0x401010);
	/* exec /bin/true: the dynamic loader's entry. */
	check(umss_writer_exec(w, 102 + shift, 102 + shift, "/bin/true", 1, true_argv), "exec");
	map_file(102, LDSO_BASE, LDSO, &ldso);
	uint32_t len = insn_len(ldso.code, sizeof ldso.code);
	code(102, LDSO_BASE + ldso.sym_off, ldso.code, len);
	insn(102, 102, LDSO_BASE + ldso.sym_off);
	check(umss_writer_thread_exit(w, 102 + shift, 102 + shift, 0), "thread exit");
	check(umss_writer_exit(w, 102 + shift, 0), "exit");

	insn(100, 100, 0x401010);
	check(umss_writer_thread_exit(w, 100 + shift, 100 + shift, 3), "thread exit");
	check(umss_writer_exit(w, 100 + shift, 3 << 8), "exit");
}

/* One thread, n instructions: a 3-instruction loop, one divergent if asked. */
static void
gen_big(uint64_t n, bool diverge)
{
	const char *argv[] = { "big" };

	check(umss_writer_process(w, 200, 0, 0, "/nonexistent/big", 1, argv), "process");
	check(umss_writer_thread_start(w, 200, 200, 0), "thread");
	check(umss_writer_map(w, 200, 0x400000, 0x402000, 0, PROT_READ | PROT_EXEC,
			      "/nonexistent/big", NULL, 0), "map");
	code(200, 0x401000, mov_ecx3, sizeof mov_ecx3);
	code(200, 0x401005, dec_ecx, sizeof dec_ecx);
	code(200, 0x401007, jnz_back, sizeof jnz_back);
	code(200, 0x401200, mov_eax1, sizeof mov_eax1);
	for (uint64_t i = 0; i < n; i++) {
		static const uint64_t cycle[3] = { 0x401000, 0x401005, 0x401007 };

		insn(200, 200, diverge && i == n - 2 ? 0x401200 : cycle[i % 3]);
	}
	check(umss_writer_thread_exit(w, 200, 200, 0), "thread exit");
	check(umss_writer_exit(w, 200, 0), "exit");
}

int
main(int argc, char **argv)
{
	struct umss_trace_info info = {
		.engine = "ptrace", .tool = "cli_gen_trace",
		.start_time_ns = 1764000000ull * 1000000000ull,
	};
	struct umss_trace_end end = { .wall_ns = 1234567, .exit_status = 3 };
	const char *variant;
	int err = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: cli_gen_trace OUT VARIANT [N]\n");
		return 99;
	}
	variant = argv[2];
	w = umss_writer_open(argv[1], &info, &err);
	check(w ? 0 : err, argv[1]);
	if (!strncmp(variant, "big", 3)) {
		gen_big(argc > 3 ? strtoull(argv[3], NULL, 0) : 1000000,
			!strcmp(variant, "big-diverge"));
		end.exit_status = 0;
	} else {
		if (!strcmp(variant, "shifted"))
			shift = 1000;
		bad_build_id = !strcmp(variant, "badid");
		read_elf(LIBC, "getpid", &libc);
		read_elf(LDSO, NULL, &ldso);
		gen_base(variant);
	}
	end.instructions = count;
	check(umss_writer_close(w, strcmp(variant, "truncated") ? &end : NULL), "close");
	printf("%llu\n", (unsigned long long)count);
	return 0;
}
