/* libFuzzer target: coverage-guided differential fuzzing of the decoder
 * against Zydis (tools/decoder_zydis.c), under ASan and UBSan.  Each input
 * is decoded as given (short inputs take the general path, and must agree
 * with the decode of the padded bytes) and padded to 32 bytes (the fast
 * path).  A mismatch that is not an allowed difference aborts.
 *   make fuzz-decoder && build/fuzz/fuzz_decoder -max_len=32 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/decoder_zydis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zcmp z;
	static int ready;
	uint8_t padded[32];
	char why[256];
	unsigned zlen;
	struct x86_insn full, part;

	if (!ready) {
		zcmp_init(&z);
		ready = 1;
	}
	if (size > sizeof(padded))
		size = sizeof(padded);
	memset(padded, 0x90, sizeof(padded));
	memcpy(padded, data, size);
	if (zcmp_one(&z, padded, sizeof(padded), 0x7f0000001000ull, why, sizeof(why), &zlen) ==
	    ZCMP_MISMATCH) {
		fprintf(stderr, "decoder mismatch: %s\n", why);
		abort();
	}
	/* The given bytes only: consistent with the padded decode. */
	int fs = x86_decode(padded, sizeof(padded), X86_VENDOR_AMD, &full);
	int ps = x86_decode(data, size, X86_VENDOR_AMD, &part);
	int ok;
	if (fs == X86_OK && full.len <= size)
		ok = ps == X86_OK && !memcmp(&part, &full, sizeof(full));
	else if (fs == X86_OK)
		ok = ps == X86_TRUNCATED;
	else
		ok = ps == X86_TRUNCATED || ps == fs;
	if (!ok) {
		fprintf(stderr, "short buffer: %d, padded: %d\n", ps, fs);
		abort();
	}
	/* The length-and-class path on the given bytes: as x86_decode. */
	struct x86_lc lc;
	int ls = x86_decode_lc(data, size, X86_VENDOR_AMD, &lc);
	if (ls != ps || (ps == X86_OK && (lc.len != part.len || lc.cf != part.cf ||
					  lc.cond != part.cond))) {
		fprintf(stderr, "x86_decode_lc: %d, x86_decode: %d\n", ls, ps);
		abort();
	}
	return 0;
}
