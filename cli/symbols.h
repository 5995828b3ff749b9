/*
 * Symbols of the files a trace's modules were mapped from, read with libelf
 * the first time a file is needed and kept for the life of the command.
 *
 * A file is identified by its path and the build id recorded in the trace's
 * MAP event.  Its symbols come from .symtab, else from the .symtab of the
 * detached debug file /usr/lib/debug/.build-id/xx/yyyy.debug (Debian's
 * *-dbg packages), else from .dynsym: Debian binaries are stripped, and the
 * dynamic loader's `_start` is only in its debug file.  When the trace
 * recorded a build id and the file on disk has another (the file was
 * replaced since), or the file is gone, the file has no symbols: module and
 * offset are still shown.  [vdso] is named from umss's own vdso when it
 * is the same (by build id, else by the code bytes that ran).
 */
#ifndef UMSS_CLI_SYMBOLS_H
#define UMSS_CLI_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

/* One function-like symbol: [start, end) in the ELF file's vaddr space. */
struct sym {
	uint64_t start, end;
	const char *name;
};

/* One file as mapped by a trace's MAP events. */
struct symfile;

/*
 * The file with this path and build id (build_id_len 0: not recorded);
 * the same pointer for the same pair, for the life of the command.
 */
struct symfile *symfile_get(const char *path, const uint8_t *build_id,
			    uint32_t build_id_len);

/* The path as recorded, and its last component (the module's name). */
const char *symfile_path(const struct symfile *f);
const char *symfile_name(const struct symfile *f);

/*
 * The symbol covering the byte at file offset off of f, or NULL; *delta is
 * set to off's distance from the symbol's start.  Loads f's symbols on
 * first use.
 */
const struct sym *symfile_lookup(struct symfile *f, uint64_t off,
				 uint64_t *delta);

/*
 * The file offset of the start of the function holding file offset off,
 * from the unwind table (.eh_frame_hdr), which stripped files keep: what
 * `umss stats` groups symbol-less code by.  False when unknown.
 */
bool symfile_function_start(struct symfile *f, uint64_t off, uint64_t *start);

/*
 * Tells f that the instruction at file offset off ran as these bytes.  For
 * [vdso] recorded without a build id, the first such call decides whether
 * umss's own vdso (whose symbols are used) is the traced one.  Cheap: call
 * it for every instruction shown.
 */
void symfile_check_code(struct symfile *f, uint64_t off, const uint8_t *bytes,
			uint32_t len);

/* Why f has no symbols, "" when it has some (loads them). */
const char *symfile_problem(struct symfile *f);

#endif
