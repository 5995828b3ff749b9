/*
 * The one-line form of an instruction shared by `umss show` and `umss diff`:
 *
 *   TID ADDRESS MODULE+OFFSET SYMBOL+OFFSET BYTES DISASSEMBLY
 *
 * OFFSET after the module is the file offset; `-` when no symbol covers the
 * address; `?` when no recorded mapping does.  Columns stay aligned: each
 * grows to the widest value seen so far (within a cap, so one long C++ name
 * does not push every later line right).  A direct branch's target is
 * followed by its symbol, as objdump does: `jnz 0x401005 <loop+0x5>`.
 */
#ifndef UMSS_CLI_INSN_LINE_H
#define UMSS_CLI_INSN_LINE_H

#include <stddef.h>
#include <stdint.h>

struct modmap;
struct outbuf;
struct where;

struct insn_line {
	size_t w_tid, w_mod, w_sym;	/* current column widths */
};

void insn_line_init(struct insn_line *l);
/*
 * One line.  maps and pid, when maps is not NULL, name the target of a direct
 * branch: `call 0x7ffff7fe5770 <_dl_start>`.
 */
void insn_line_put(struct insn_line *l, struct outbuf *o, struct modmap *maps,
		   uint32_t pid, uint32_t tid, uint64_t addr, const struct where *w,
		   const uint8_t *bytes, uint32_t len);

#endif
