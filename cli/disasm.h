/*
 * Intel-syntax text of one instruction from its bytes, with Zydis v4's
 * decoder and formatter.  Branch targets are printed as absolute addresses.
 * Results are cached by (address, bytes): traces repeat their loops.
 */
#ifndef UMSS_CLI_DISASM_H
#define UMSS_CLI_DISASM_H

#include <stdint.h>

/*
 * The text of the instruction of len bytes at addr; valid until the next
 * call.  "(bad)" for bytes Zydis does not decode, "(bytes unreadable)" for
 * len 0 (the trace could not read them, e.g. the vsyscall page).  *target
 * is the target of a direct jmp/jcc/call/loop, else 0.
 */
const char *disasm_text(uint64_t addr, const uint8_t *bytes, uint32_t len,
			uint64_t *target);

#endif
