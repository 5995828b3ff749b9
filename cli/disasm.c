/* Zydis-formatted instruction text with a direct-mapped cache; see disasm.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "cli/disasm.h"
#include "cli/messages.h"
#include "tracer/zydis_lib.h"

/* 64K entries of 128 bytes: 8 MiB, touched only where used. */
#define CACHE_BITS 16
#define CACHE_TEXT 94

struct cache_entry {
	uint64_t addr;
	uint64_t target;	/* direct branch target, 0 for none */
	uint8_t len;		/* 0: empty slot (unreadable bytes are not cached) */
	uint8_t bytes[15];
	char text[CACHE_TEXT];
};

static struct cache_entry *cache;
static ZydisDecoder decoder;
static ZydisFormatter formatter;
static const struct zydis_lib *z;

static void
disasm_init(void)
{
	z = zydis_lib();
	if (!z)
		exit(2);
	z->DecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	z->FormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
	/* Lower-case hex, as every other number umss prints. */
	z->FormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
	/* Branch targets as `0x401005`, not padded to 16 digits. */
	z->FormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE,
				ZYDIS_PADDING_DISABLED);
	z->FormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_ADDR_PADDING_RELATIVE,
				ZYDIS_PADDING_DISABLED);
	/* `mov ecx, 0x3` as objdump and gdb write it, not `0x03`. */
	z->FormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_IMM_PADDING,
				ZYDIS_PADDING_DISABLED);
	z->FormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_DISP_PADDING,
				ZYDIS_PADDING_DISABLED);
	cache = cli_calloc((size_t)1 << CACHE_BITS, sizeof *cache);
}

static void
format(uint64_t addr, const uint8_t *bytes, uint32_t len, char *out, size_t size,
       uint64_t *target)
{
	ZydisDecodedInstruction insn;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZyanU64 abs;

	*target = 0;
	if (ZYAN_FAILED(z->DecoderDecodeFull(&decoder, bytes, len, &insn, ops)) ||
	    ZYAN_FAILED(z->FormatterFormatInstruction(&formatter, &insn, ops,
				insn.operand_count_visible, out, size, addr, NULL))) {
		snprintf(out, size, "(bad)");
		return;
	}
	/* jmp/jcc/call/loop rel: the caller names where they go. */
	if (insn.meta.branch_type != ZYDIS_BRANCH_TYPE_NONE && insn.operand_count_visible &&
	    ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative &&
	    ZYAN_SUCCESS(z->CalcAbsoluteAddress(&insn, &ops[0], addr, &abs)))
		*target = abs;
	/* The trace's length is the length that ran; say so when Zydis disagrees. */
	if (insn.length != len) {
		size_t n = strlen(out);

		snprintf(out + n, size - n, "  (decoded length %u, ran %u)",
			 insn.length, len);
	}
}

const char *
disasm_text(uint64_t addr, const uint8_t *bytes, uint32_t len, uint64_t *target)
{
	static char big[256];
	struct cache_entry *e;
	uint64_t h;

	if (!cache)
		disasm_init();
	*target = 0;
	if (len == 0)
		return "(bytes unreadable)";
	if (len > 15)
		len = 15;
	h = (addr ^ (addr >> 17)) * 0x9e3779b97f4a7c15ull;
	e = &cache[h >> (64 - CACHE_BITS)];
	if (e->len == len && e->addr == addr && !memcmp(e->bytes, bytes, len)) {
		*target = e->target;
		return e->text;
	}
	format(addr, bytes, len, big, sizeof big, target);
	if (strlen(big) < CACHE_TEXT) {
		e->addr = addr;
		e->target = *target;
		e->len = (uint8_t)len;
		memcpy(e->bytes, bytes, len);
		strcpy(e->text, big);
		return e->text;
	}
	return big;
}
