/* Compares our decoder (decoder/x86_decode.h) with Zydis on one byte
 * string.  Used by build/decoder-check, build/decoder-fuzz and the unit
 * tests. */
#ifndef UMSS_TOOLS_DECODER_ZYDIS_H
#define UMSS_TOOLS_DECODER_ZYDIS_H

#include <stddef.h>
#include <stdint.h>

#include <Zydis/Zydis.h>

#include "decoder/x86_decode.h"

struct zcmp {
	ZydisDecoder dec;
	ZydisRegisterContext *regctx; /* synthetic register values for addresses */
	struct x86_regs regs;         /* the same values for our decoder */
};

enum zcmp_result {
	ZCMP_SAME = 0,
	ZCMP_MISMATCH = 1,
	ZCMP_ALLOWED = 2, /* a listed, explained difference (docs/DECODER.md) */
};

void zcmp_init(struct zcmp *z);
void zcmp_fini(struct zcmp *z);

/* Decodes buf[0..len) at runtime address addr with both decoders.  Returns
 * enum zcmp_result; why describes a difference; *zlen is Zydis' length (0
 * when Zydis rejects the bytes), *ours our status or length. */
int zcmp_one(struct zcmp *z, const uint8_t *buf, size_t len, uint64_t addr, char *why,
	     size_t whylen, unsigned *zlen);

/* Our control-flow class for a Zydis decode. */
int zcmp_zydis_cf(const ZydisDecodedInstruction *insn, const ZydisDecodedOperand *ops);

#endif
