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
};

/* Returns 0 and fills *info, or -1 when the bytes are not a valid instruction. */
int insn_info_decode(const uint8_t *bytes, size_t avail, struct insn_info *info);

#endif
