/* ELF symbol tables of mapped files, via libelf; see symbols.h. */
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/messages.h"
#include "cli/symbols.h"

/* Where Debian's -dbg packages put detached debug files, by build id. */
#define DEBUG_BUILD_ID_DIR "/usr/lib/debug/.build-id"
#define MAX_BUILD_ID 64

/* A PT_LOAD segment: maps file offsets to the ELF's virtual addresses. */
struct segment {
	uint64_t offset, filesz, vaddr;
};

struct symfile {
	char *path;
	const char *name;
	uint8_t build_id[MAX_BUILD_ID];
	uint32_t build_id_len;
	bool loaded;
	/* [vdso] without a recorded build id: umss's own vdso is used only
	 * once the trace's code bytes match it (same kernel). */
	enum { VDSO_NO, VDSO_UNCHECKED, VDSO_OK, VDSO_BAD } vdso;
	uint8_t *image;		/* copy of umss's own vdso, for that check */
	size_t image_len;
	const char *problem;
	struct segment *segs;
	size_t nsegs;
	struct sym *syms;
	size_t nsyms;
	uint64_t *fn_starts;	/* sorted vaddrs of functions (.eh_frame_hdr) */
	uint64_t *fn_ends;	/* their ends (FDE pc_range), 0 if unknown */
	size_t nfn;
	char *names;		/* storage of the symbols' names */
	struct symfile *next;	/* hash chain */
};

#define SYMFILE_BUCKETS 1024
static struct symfile *buckets[SYMFILE_BUCKETS];

static uint32_t
hash_bytes(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;	/* FNV-1a */
	return h;
}

struct symfile *
symfile_get(const char *path, const uint8_t *build_id, uint32_t build_id_len)
{
	uint32_t h;
	struct symfile *f;
	const char *slash;

	if (build_id_len > MAX_BUILD_ID)
		build_id_len = MAX_BUILD_ID;
	h = hash_bytes(2166136261u, path, strlen(path));
	h = hash_bytes(h, build_id, build_id_len) % SYMFILE_BUCKETS;
	for (f = buckets[h]; f; f = f->next)
		if (f->build_id_len == build_id_len && !strcmp(f->path, path) &&
		    !memcmp(f->build_id, build_id, build_id_len))
			return f;
	f = cli_calloc(1, sizeof *f);
	f->path = cli_strdup(path);
	slash = strrchr(f->path, '/');
	f->name = slash && slash[1] ? slash + 1 : f->path;
	if (build_id_len)
		memcpy(f->build_id, build_id, build_id_len);
	f->build_id_len = build_id_len;
	f->problem = "";
	f->next = buckets[h];
	buckets[h] = f;
	return f;
}

const char *
symfile_path(const struct symfile *f)
{
	return f->path;
}

const char *
symfile_name(const struct symfile *f)
{
	return f->name;
}

static void symfile_load(struct symfile *f);

const char *
symfile_problem(struct symfile *f)
{
	if (!f->loaded)
		symfile_load(f);
	return f->problem;
}

/* The GNU build id note of e, found through PT_NOTE (present when stripped). */
static uint32_t
elf_build_id(Elf *e, uint8_t *out)
{
	size_t phnum;

	if (elf_getphdrnum(e, &phnum) != 0)
		return 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
					 ELF_T_NHDR);
		if (!d)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4) &&
			    nh.n_descsz > 0 && nh.n_descsz <= MAX_BUILD_ID) {
				memcpy(out, (char *)d->d_buf + desc_off, nh.n_descsz);
				return nh.n_descsz;
			}
		}
	}
	return 0;
}

static void
load_segments(struct symfile *f, Elf *e)
{
	size_t phnum;

	if (elf_getphdrnum(e, &phnum) != 0)
		return;
	f->segs = cli_calloc(phnum, sizeof *f->segs);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		f->segs[f->nsegs++] = (struct segment){
			.offset = ph.p_offset, .filesz = ph.p_filesz,
			.vaddr = ph.p_vaddr,
		};
	}
}

/* The PT_LOAD bytes of e holding vaddr, as a chunk of e; NULL if none. */
static Elf_Data *
segment_data(Elf *e, const struct symfile *f, uint64_t vaddr, uint64_t *seg_vaddr)
{
	for (size_t i = 0; i < f->nsegs; i++)
		if (vaddr >= f->segs[i].vaddr && vaddr - f->segs[i].vaddr < f->segs[i].filesz) {
			*seg_vaddr = f->segs[i].vaddr;
			return elf_getdata_rawchunk(e, (int64_t)f->segs[i].offset,
						    f->segs[i].filesz, ELF_T_BYTE);
		}
	return NULL;
}

/*
 * The end of the function whose FDE is at fde_vaddr and starts at start, or
 * 0.  FDE: length (4), CIE pointer (4), pc_begin, pc_range, in the CIE's
 * pointer encoding; x86-64 linkers use pcrel sdata4, which the check that
 * pc_begin decodes to start confirms (else the range is not trusted).
 */
static uint64_t
fde_end(Elf_Data *seg, uint64_t seg_vaddr, uint64_t fde_vaddr, uint64_t start)
{
	const uint8_t *b = seg->d_buf;
	uint64_t at = fde_vaddr - seg_vaddr;
	int32_t begin;
	uint32_t range;

	if (fde_vaddr < seg_vaddr || at + 16 > seg->d_size)
		return 0;
	memcpy(&begin, b + at + 8, 4);
	memcpy(&range, b + at + 12, 4);
	if (fde_vaddr + 8 + (uint64_t)(int64_t)begin != start || !range)
		return 0;
	return start + range;
}

/*
 * Function starts from the binary search table of .eh_frame_hdr (found
 * through PT_GNU_EH_FRAME, so stripped files have it too): the table's
 * initial locations are the starts of every function with unwind info, and
 * their FDEs give the ends.  Layout: LSB "Exception Frame Header" (version,
 * three pointer encodings, eh_frame_ptr, fde_count, then (initial location,
 * FDE address) pairs).  Only the encodings x86-64 linkers write are read:
 * fde_count udata4, table datarel sdata4.
 */
static void
load_function_starts(struct symfile *f, Elf *e)
{
	size_t phnum;

	if (elf_getphdrnum(e, &phnum) != 0)
		return;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *d, *seg = NULL;
		const uint8_t *b;
		uint64_t seg_vaddr = 0;
		uint32_t count;
		size_t n;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_GNU_EH_FRAME)
			continue;
		d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE);
		if (!d || d->d_size < 12)
			return;
		b = d->d_buf;
		/* version 1; eh_frame_ptr as a 4-byte value (any); udata4; datarel sdata4 */
		if (b[0] != 1 || (b[1] & 0x0f) != 0x0b || b[2] != 0x03 || b[3] != 0x3b)
			return;
		memcpy(&count, b + 8, 4);
		n = (d->d_size - 12) / 8;
		if (count < n)
			n = count;
		f->fn_starts = cli_calloc(n, sizeof *f->fn_starts);
		f->fn_ends = cli_calloc(n, sizeof *f->fn_ends);
		for (size_t j = 0; j < n; j++) {
			int32_t rel, fde;
			uint64_t v, fv;

			memcpy(&rel, b + 12 + 8 * j, 4);
			memcpy(&fde, b + 16 + 8 * j, 4);
			v = ph.p_vaddr + (uint64_t)(int64_t)rel;
			fv = ph.p_vaddr + (uint64_t)(int64_t)fde;
			/* The table is sorted; a damaged one must not break search. */
			if (f->nfn && v <= f->fn_starts[f->nfn - 1])
				continue;
			if (!seg || fv < seg_vaddr || fv - seg_vaddr >= seg->d_size)
				seg = segment_data(e, f, fv, &seg_vaddr);
			f->fn_starts[f->nfn] = v;
			f->fn_ends[f->nfn++] = seg ? fde_end(seg, seg_vaddr, fv, v) : 0;
		}
		return;
	}
}

/* The first section of type `type`, or NULL. */
static Elf_Scn *
find_section(Elf *e, uint32_t type)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return scn;
	}
	return NULL;
}

/* A symbol being collected, with what decides between aliases. */
struct cand {
	struct sym sym;
	uint64_t section_end;
	uint64_t size;
	int rank_type, rank_bind;
	size_t name_off;
};

static int
leading_underscores(const char *s)
{
	int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/*
 * Order by address, then the alias a reader would call the function: a
 * function over a plain label, `getpid` over `__getpid` over
 * `__GI___getpid`, global over weak over local, shorter, alphabetical.
 */
static int
cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int d;

	if (a->sym.start != b->sym.start)
		return a->sym.start < b->sym.start ? -1 : 1;
	if (a->rank_type != b->rank_type)
		return a->rank_type - b->rank_type;
	d = leading_underscores(a->sym.name) - leading_underscores(b->sym.name);
	if (d)
		return d;
	if (a->rank_bind != b->rank_bind)
		return a->rank_bind - b->rank_bind;
	size_t la = strlen(a->sym.name), lb = strlen(b->sym.name);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a->sym.name, b->sym.name);
}

/* Collects the code symbols of symbol table scn of e into f. */
static void
load_symbols(struct symfile *f, Elf *e, Elf_Scn *scn)
{
	GElf_Shdr sh;
	Elf_Data *d;
	size_t count, n = 0, names_len = 0;
	struct cand *c;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return;
	d = elf_getdata(scn, NULL);
	if (!d)
		return;
	/* A damaged header must not make us allocate what the data lacks. */
	count = sh.sh_size / sh.sh_entsize;
	if (count > d->d_size / sh.sh_entsize)
		count = d->d_size / sh.sh_entsize;
	c = cli_calloc(count, sizeof *c);
	for (size_t i = 0; i < count; i++) {
		GElf_Sym s;
		GElf_Shdr tsh;
		Elf_Scn *tscn;
		const char *name;
		int type;

		if (!gelf_getsym(d, (int)i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE)
			continue;
		if (s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE)
			continue;
		tscn = elf_getscn(e, s.st_shndx);
		if (!tscn || !gelf_getshdr(tscn, &tsh) ||
		    !(tsh.sh_flags & SHF_EXECINSTR))
			continue;
		name = elf_strptr(e, sh.sh_link, s.st_name);
		if (!name || !*name)
			continue;
		c[n] = (struct cand){
			.sym = { .start = s.st_value, .name = name },
			.section_end = tsh.sh_addr + tsh.sh_size,
			.size = s.st_size,
			.rank_type = type == STT_NOTYPE,
			.rank_bind = GELF_ST_BIND(s.st_info) == STB_GLOBAL ? 0 :
				     GELF_ST_BIND(s.st_info) == STB_WEAK ? 1 : 2,
		};
		names_len += strlen(name) + 1;
		n++;
	}
	qsort(c, n, sizeof *c, cand_cmp);

	/* Keep the preferred alias at each address; copy names out of e. */
	f->names = cli_calloc(1, names_len + 1);
	f->syms = cli_calloc(n, sizeof *f->syms);
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && c[i].sym.start == c[i - 1].sym.start)
			continue;
		/* `memcpy@@GLIBC_2.14` in a debug file's .symtab (from .symver)
		 * reads as `memcpy`, as it does in .dynsym. */
		size_t len = strcspn(c[i].sym.name, "@");
		memcpy(f->names + used, c[i].sym.name, len);
		f->names[used + len++] = 0;
		struct sym *s = &f->syms[f->nsyms++];
		s->start = c[i].sym.start;
		s->name = f->names + used;
		used += len;
		/* A symbol without a size (an assembly label such as ld.so's
		 * _start) reaches the next symbol or its section's end. */
		if (c[i].size)
			s->end = s->start + c[i].size;
		else {
			s->end = c[i].section_end;
			for (size_t j = i + 1; j < n; j++)
				if (c[j].sym.start > s->start) {
					if (c[j].sym.start < s->end)
						s->end = c[j].sym.start;
					break;
				}
		}
	}
	free(c);
}

/* Opens path as an ELF file; *fd receives the descriptor to close. */
static Elf *
open_elf(const char *path, int *fd)
{
	Elf *e;

	struct stat st;

	/* A trace may name any path: never block on a FIFO or a device. */
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0)
		return NULL;
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -2;
		return NULL;
	}
	e = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (e && (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64)) {
		elf_end(e);
		e = NULL;
	}
	if (!e) {
		close(*fd);
		*fd = -1;
	}
	return e;
}

/*
 * umss's own vdso, copied out of memory: the kernel maps the same image
 * into every process (arch/x86/entry/vdso/), so it names the traced
 * program's vdso functions when the trace comes from this kernel.
 */
static void
load_vdso(struct symfile *f)
{
	const uint8_t *base = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph;
	size_t size;
	uint8_t id[MAX_BUILD_ID];
	uint32_t id_len;
	Elf *e;
	Elf_Scn *scn;

	if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		f->problem = "no vdso here";
		return;
	}
	/* The image holds its section headers at its end. */
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset + ph[i].p_filesz > size)
			size = ph[i].p_offset + ph[i].p_filesz;
	f->image = cli_calloc(1, size);
	memcpy(f->image, base, size);
	f->image_len = size;
	e = elf_memory((char *)f->image, size);
	if (!e) {
		f->problem = "vdso unreadable";
		return;
	}
	id_len = elf_build_id(e, id);
	if (f->build_id_len) {
		if (id_len != f->build_id_len || memcmp(id, f->build_id, id_len)) {
			f->problem = "another kernel's vdso";
			elf_end(e);
			return;
		}
		f->vdso = VDSO_OK;
	} else {
		f->vdso = VDSO_UNCHECKED;
	}
	load_segments(f, e);
	scn = find_section(e, SHT_SYMTAB);
	if (!scn)
		scn = find_section(e, SHT_DYNSYM);
	if (scn)
		load_symbols(f, e, scn);
	elf_end(e);
}

void
symfile_check_code(struct symfile *f, uint64_t off, const uint8_t *bytes,
		   uint32_t len)
{
	if (!f->loaded)
		symfile_load(f);
	if (f->vdso != VDSO_UNCHECKED || !len)
		return;
	if (off < f->image_len && len <= f->image_len - off &&
	    !memcmp(f->image + off, bytes, len))
		f->vdso = VDSO_OK;
	else {
		f->vdso = VDSO_BAD;
		f->problem = "another kernel's vdso (code differs)";
	}
}

static void
symfile_load(struct symfile *f)
{
	uint8_t id[MAX_BUILD_ID];
	uint32_t id_len;
	int fd, dfd = -1;
	Elf *e, *de = NULL;
	Elf_Scn *scn;

	f->loaded = true;
	if (!strcmp(f->path, "[vdso]")) {
		elf_version(EV_CURRENT);
		load_vdso(f);
		return;
	}
	if (f->path[0] != '/') {
		f->problem = "not a file";
		return;
	}
	elf_version(EV_CURRENT);
	e = open_elf(f->path, &fd);
	if (!e) {
		f->problem = fd == -1 ? "file missing" : "not an ELF file";
		return;
	}
	id_len = elf_build_id(e, id);
	if (f->build_id_len &&
	    (id_len != f->build_id_len || memcmp(id, f->build_id, id_len))) {
		f->problem = "file changed since the trace (build id differs)";
		goto out;
	}
	load_segments(f, e);
	load_function_starts(f, e);
	scn = find_section(e, SHT_SYMTAB);
	if (scn) {
		load_symbols(f, e, scn);
		goto out;
	}
	if (id_len >= 2) {
		char dpath[sizeof DEBUG_BUILD_ID_DIR + 2 * MAX_BUILD_ID + 16];
		int n = snprintf(dpath, sizeof dpath, "%s/%02x/", DEBUG_BUILD_ID_DIR, id[0]);

		for (uint32_t i = 1; i < id_len; i++)
			n += snprintf(dpath + n, sizeof dpath - (size_t)n, "%02x", id[i]);
		snprintf(dpath + n, sizeof dpath - (size_t)n, ".debug");
		de = open_elf(dpath, &dfd);
		if (de && (scn = find_section(de, SHT_SYMTAB))) {
			load_symbols(f, de, scn);
			goto out;
		}
	}
	scn = find_section(e, SHT_DYNSYM);
	if (scn)
		load_symbols(f, e, scn);
	if (!f->nsyms)
		f->problem = "stripped, and no debug file";
out:
	if (de) {
		elf_end(de);
		close(dfd);
	}
	elf_end(e);
	close(fd);
}

/* The vaddr of file offset off, via the PT_LOAD segments. */
static bool
off_to_vaddr(const struct symfile *f, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < f->nsegs; i++)
		if (off >= f->segs[i].offset && off - f->segs[i].offset < f->segs[i].filesz) {
			*vaddr = f->segs[i].vaddr + (off - f->segs[i].offset);
			return true;
		}
	return false;
}

bool
symfile_function_start(struct symfile *f, uint64_t off, uint64_t *start)
{
	uint64_t vaddr;
	size_t lo = 0, hi;

	if (!f->loaded)
		symfile_load(f);
	if (!f->nfn || !off_to_vaddr(f, off, &vaddr))
		return false;
	hi = f->nfn;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->fn_starts[mid] <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || (f->fn_ends[lo - 1] && vaddr >= f->fn_ends[lo - 1]))
		return false;
	/* Back to a file offset, in the segment that holds off. */
	vaddr = f->fn_starts[lo - 1];
	for (size_t i = 0; i < f->nsegs; i++)
		if (vaddr >= f->segs[i].vaddr && vaddr - f->segs[i].vaddr < f->segs[i].filesz) {
			*start = f->segs[i].offset + (vaddr - f->segs[i].vaddr);
			return *start <= off;
		}
	return false;
}

const struct sym *
symfile_lookup(struct symfile *f, uint64_t off, uint64_t *delta)
{
	uint64_t vaddr = 0;
	size_t lo, hi;

	if (!f->loaded)
		symfile_load(f);
	if (!f->nsyms || f->vdso == VDSO_UNCHECKED || f->vdso == VDSO_BAD)
		return NULL;
	if (!off_to_vaddr(f, off, &vaddr))
		return NULL;
	/* The last symbol starting at or before vaddr. */
	lo = 0;
	hi = f->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || vaddr >= f->syms[lo - 1].end)
		return NULL;
	*delta = vaddr - f->syms[lo - 1].start;
	return &f->syms[lo - 1];
}
