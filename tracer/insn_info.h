/*
 * What the tracer needs to know about one instruction: its length and the
 * few properties that change how a step is counted.
 */
#ifndef UMSS_TRACER_INSN_INFO_H
#define UMSS_TRACER_INSN_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct insn_info {
	uint8_t len;        /* 1-15 */
	bool rep_string;    /* REP/REPE/REPNE string op: steps per iteration */
	bool syscall;       /* 0F 05 */
	uint8_t flags_op;   /* enum insn_flags_op: moves rflags to/from memory */
	uint8_t op_size;    /* operand size in bytes, for flags_op */
};

/* Instructions through which a program sees or sets its trap flag. */
enum insn_flags_op { INSN_FLAGS_NONE, INSN_PUSHF, INSN_POPF, INSN_IRET };

/* Returns 0 and fills *info, or -1 when the bytes are not a valid instruction
 * (or the decoder library could not be loaded: insn_info_ready). */
int insn_info_decode(const uint8_t *bytes, size_t avail, struct insn_info *info);

/* Loads the decoder library (Zydis) now; false, with a message, when it
 * cannot be. */
bool insn_info_ready(void);

#endif
