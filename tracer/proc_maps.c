/* A traced process's memory map and the MAP/UNMAP events it produces. */
#include "tracer/proc_maps.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tracer/xalloc.h"
#include "umss/trace.h"

/* GNU build ids are 20 bytes (SHA-1); allow any length up to this. */
#define BUILD_ID_MAX 64

struct build_id_entry {
	char *path;
	uint8_t id[BUILD_ID_MAX];
	uint32_t len;
};

/* Build ids by path: a trace sees few distinct files, a list is enough. */
static struct build_id_entry *build_ids;
static size_t n_build_ids;

/* The general case (any ELF class and byte order) with libelf, which maps
 * the whole file: a munmap, and with it a TLB shootdown on the drain
 * thread's core, per new file. */
static uint32_t
read_build_id_libelf(int fd, uint8_t *out)
{
	uint32_t len = 0;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Elf_Scn *scn = NULL;
	while (elf && !len && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)data->d_buf + name_off, "GNU", 4) &&
			    nh.n_descsz <= BUILD_ID_MAX) {
				memcpy(out, (char *)data->d_buf + desc_off, nh.n_descsz);
				len = nh.n_descsz;
				break;
			}
		}
	}
	if (elf)
		elf_end(elf);
	return len;
}


/* Notes in one section's bytes, as libelf's gelf_getnote walks them
 * (elfutils libelf/gelf_getnote.c: name and desc padded to the section's
 * 4- or 8-byte note alignment).  Returns the build id's length or 0. */
static uint32_t
build_id_in_notes(const uint8_t *d, uint64_t size, unsigned align, uint8_t *out)
{
	uint64_t off = 0;
	while (off <= size && size - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		memcpy(&nh, d + off, sizeof nh);
		off += sizeof nh;
		uint64_t name_off = off;
		if (nh.n_namesz > size || off > size - nh.n_namesz)
			return 0;
		off += nh.n_namesz;
		uint64_t descsz = ((uint64_t)nh.n_descsz + align - 1) & ~(uint64_t)(align - 1);
		off = (off + align - 1) & ~(uint64_t)(align - 1);
		if (off > size || size - off < descsz)
			return 0;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(d + name_off, "GNU", 4) && nh.n_descsz <= BUILD_ID_MAX) {
			memcpy(out, d + off, nh.n_descsz);
			return nh.n_descsz;
		}
		off += descsz;
	}
	return 0;
}

/* A 64-bit little-endian ELF file's note sections are read with pread
 * (a few small reads, no mapping); anything else goes to libelf.  Returns
 * -1 for "ask libelf". */
static int
read_build_id_elf64(int fd, uint8_t *out)
{
	Elf64_Ehdr eh;
	ssize_t got = pread(fd, &eh, sizeof eh, 0);
	if (got < SELFMAG || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return got < 0 ? -1 : 0; /* not ELF (data files, locales): no sections */
	if (got != (ssize_t)sizeof eh || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return -1;
	if (!eh.e_shoff)
		return eh.e_shnum ? -1 : 0;
	if (!eh.e_shnum || eh.e_shnum >= SHN_LORESERVE || eh.e_shentsize != sizeof(Elf64_Shdr))
		return -1; /* extended numbering, odd sizes */
	Elf64_Shdr sh[64];
	if (eh.e_shnum > sizeof sh / sizeof sh[0])
		return -1;
	size_t bytes = eh.e_shnum * sizeof(Elf64_Shdr);
	if (pread(fd, sh, bytes, (off_t)eh.e_shoff) != (ssize_t)bytes)
		return -1;
	uint8_t notes[4096];
	for (unsigned i = 1; i < eh.e_shnum; i++) {
		if (sh[i].sh_type != SHT_NOTE)
			continue;
		if (sh[i].sh_size > sizeof notes)
			return -1;
		if (pread(fd, notes, sh[i].sh_size, (off_t)sh[i].sh_offset) != (ssize_t)sh[i].sh_size)
			return -1;
		uint32_t len = build_id_in_notes(notes, sh[i].sh_size, sh[i].sh_addralign == 8 ? 8 : 4, out);
		if (len)
			return (int)len;
	}
	return 0;
}

static uint32_t
read_build_id(const char *path, uint8_t *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int len = read_build_id_elf64(fd, out);
	uint32_t r = len >= 0 ? (uint32_t)len : read_build_id_libelf(fd, out);
	close(fd);
	return r;
}

static const struct build_id_entry *
build_id_of(const char *path)
{
	for (size_t i = 0; i < n_build_ids; i++)
		if (!strcmp(build_ids[i].path, path))
			return &build_ids[i];
	build_ids = xrealloc(build_ids, (n_build_ids + 1) * sizeof *build_ids);
	struct build_id_entry *e = &build_ids[n_build_ids++];
	e->path = xstrdup(path);
	e->len = path[0] == '/' ? read_build_id(path, e->id) : 0;
	return e;
}

void
proc_maps_free(struct proc_maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	*m = (struct proc_maps){ 0 };
}

static void
push(struct proc_maps *m, const struct map_entry *e)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xrealloc(m->v, m->cap * sizeof *m->v);
	}
	m->v[m->n] = *e;
	m->v[m->n].path = xstrdup(e->path);
	m->n++;
}

void
proc_maps_copy(struct proc_maps *dst, const struct proc_maps *src)
{
	*dst = (struct proc_maps){ 0 };
	for (size_t i = 0; i < src->n; i++)
		push(dst, &src->v[i]);
}

static bool
same_entry(const struct map_entry *a, const struct map_entry *b)
{
	return a->start == b->start && a->end == b->end && a->offset == b->offset &&
	       a->prot == b->prot && !strcmp(a->path, b->path);
}

static bool
contains(const struct proc_maps *m, const struct map_entry *e)
{
	for (size_t i = 0; i < m->n; i++)
		if (same_entry(&m->v[i], e))
			return true;
	return false;
}

/* A hex number at *p (at least one digit); advances *p past it. */
static bool
take_hex(const char **p, unsigned long long *v)
{
	const char *q = *p;
	unsigned long long x = 0;
	for (;; q++) {
		unsigned d = (unsigned)(*q >= '0' && *q <= '9' ? *q - '0'
			     : *q >= 'a' && *q <= 'f' ? *q - 'a' + 10 : 16);
		if (d > 15)
			break;
		x = x << 4 | d;
	}
	if (q == *p)
		return false;
	*p = q;
	*v = x;
	return true;
}

/* White space as sscanf's (isspace; a line has no newline left). */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static const char *
skip_spaces(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

static const char *
skip_word(const char *p)
{
	while (*p && !is_space(*p))
		p++;
	return p;
}

/*
 * One line of /proc/PID/maps ("start-end perms offset dev inode   path",
 * NUL-terminated, no newline) into *e, its path pointing into the line.
 * By hand rather than sscanf: ~7% of umss's own time on `ls` traces,
 * which read the map again at every mmap, mprotect and munmap.
 */
static bool
parse_maps_line(const char *line, struct map_entry *e)
{
	const char *p = line;
	unsigned long long start, end, offset;
	if (!take_hex(&p, &start) || *p++ != '-' || !take_hex(&p, &end))
		return false;
	p = skip_spaces(p);
	const char *perms = p;
	p = skip_word(p);
	if (p - perms < 4)
		return false;
	p = skip_spaces(p);
	if (!take_hex(&p, &offset))
		return false;
	p = skip_word(skip_spaces(p)); /* dev */
	p = skip_word(skip_spaces(p)); /* inode */
	*e = (struct map_entry){
		.start = start, .end = end, .offset = offset, .path = (char *)skip_spaces(p),
		.prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
			(perms[2] == 'x' ? PROT_EXEC : 0),
		.shared = perms[3] == 's',
	};
	return true;
}

/* The whole file in one buffer (seq_file reads of 64 KiB, not stdio's 4 KiB). */
static int
read_maps(pid_t pid, struct proc_maps *out)
{
	char name[64];
	snprintf(name, sizeof name, "/proc/%d/maps", (int)pid);
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	static char *buf;
	static size_t cap;
	size_t len = 0;
	for (;;) {
		if (cap - len < 65536 + 1) {
			cap = cap ? cap * 2 : 4 * 65536;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		char *next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = 0;
		struct map_entry e;
		if (parse_maps_line(line, &e))
			push(out, &e);
		line = next;
	}
	return 0;
}

int
proc_maps_refresh(struct proc_maps *m, pid_t pid, struct umss_writer *w)
{
	struct proc_maps now = { 0 };
	int err = 0;

	if (read_maps(pid, &now) < 0)
		return 0; /* the process is gone; its exit will be reported */
	for (size_t i = 0; i < m->n && !err; i++)
		if (!contains(&now, &m->v[i]))
			err = umss_writer_unmap(w, pid, m->v[i].start, m->v[i].end);
	for (size_t i = 0; i < now.n && !err; i++) {
		const struct map_entry *e = &now.v[i];
		if (contains(m, e))
			continue;
		const struct build_id_entry *b = build_id_of(e->path);
		err = umss_writer_map(w, pid, e->start, e->end, e->offset, e->prot, e->path,
				      b->len ? b->id : NULL, b->len);
	}
	proc_maps_free(m);
	*m = now;
	return err;
}

void
proc_maps_resync(struct proc_maps *m, pid_t pid)
{
	struct proc_maps now = { 0 };
	if (read_maps(pid, &now) < 0)
		return;
	proc_maps_free(m);
	*m = now;
}

bool
proc_maps_executable(const struct proc_maps *m, uint64_t addr)
{
	for (size_t i = 0; i < m->n; i++)
		if (addr >= m->v[i].start && addr < m->v[i].end)
			return (m->v[i].prot & PROT_EXEC) != 0;
	return false;
}
