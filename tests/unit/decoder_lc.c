/* x86_decode_lc() against x86_decode(), exhaustively over the inputs its
 * table entries depend on: prefix sequences (none, 66, F2, F3, their
 * orders, segment overrides, LOCK, 67, too many prefixes, a prefix after
 * REX), REX (none, plain, W, B), the four legacy maps, every opcode, every
 * ModRM byte, and for mod 0 with a SIB both a SIB with base 101b (disp32)
 * and one without; VEX2 and VEX3 (every payload byte that selects the
 * row, every opcode, a set of ModRM bytes, prefixes that void it); and
 * short buffers.  Status, and
 * on success length, class and condition, must be equal.  x86_decode()
 * itself is checked against Zydis by decoder-check and decoder-fuzz. */
#include <stdio.h>
#include <string.h>

#include "decoder/x86_decode.h"

static unsigned long long checked, failed;

static void
check(const uint8_t *b, size_t avail)
{
	struct x86_insn full;
	struct x86_lc lc;
	int fs = x86_decode(b, avail, X86_VENDOR_AMD, &full);
	int ls = x86_decode_lc(b, avail, X86_VENDOR_AMD, &lc);
	checked++;
	if (fs == ls && (fs != X86_OK || (lc.len == full.len && lc.cf == full.cf &&
					  lc.cond == full.cond)))
		return;
	if (failed++ < 20) {
		printf("decoder_lc:");
		for (size_t k = 0; k < avail && k < 15; k++)
			printf(" %02x", b[k]);
		printf(" (%zu bytes): lc status %d len %u cf %u cond %u, full status %d len %u cf %u cond %u\n",
		       avail, ls, lc.len, lc.cf, lc.cond, fs, full.len, full.cf, full.cond);
	}
}

int
main(void)
{
	static const struct {
		unsigned n;
		uint8_t b[6];
	} pfx[] = {
		{0, {0}}, {1, {0x66}}, {1, {0xf3}}, {1, {0xf2}}, {2, {0x66, 0xf3}},
		{2, {0xf2, 0x66}}, {2, {0xf3, 0xf2}}, {2, {0xf2, 0xf3}}, {2, {0x64, 0x66}},
		{1, {0x2e}}, {1, {0xf0}}, {1, {0x67}}, {4, {0x66, 0x2e, 0x65, 0xf3}},
		{5, {0x26, 0x2e, 0x36, 0x3e, 0x66}}, {3, {0x66, 0x66, 0x66}},
	};
	static const uint8_t rexes[] = {0, 0x40, 0x48, 0x41, 0x4c};
	static const uint8_t esc[4][2] = {{0}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}};
	static const unsigned nesc[4] = {0, 1, 2, 2};
	uint8_t b[32];
	for (size_t p = 0; p < sizeof(pfx) / sizeof(pfx[0]); p++) {
		for (size_t r = 0; r < sizeof(rexes); r++) {
			for (unsigned m = 0; m < 4; m++) {
				for (unsigned op = 0; op < 256; op++) {
					for (unsigned modrm = 0; modrm < 256; modrm++) {
						unsigned n = 0;
						memcpy(b, pfx[p].b, pfx[p].n);
						n = pfx[p].n;
						if (rexes[r])
							b[n++] = rexes[r];
						for (unsigned k = 0; k < nesc[m]; k++)
							b[n++] = esc[m][k];
						b[n++] = (uint8_t)op;
						b[n++] = (uint8_t)modrm;
						unsigned at = n;
						/* Bytes that are neither prefixes nor zero. */
						for (unsigned k = n; k < sizeof(b); k++)
							b[k] = (uint8_t)(0x91 + 7 * k);
						b[at] = 0x25; /* SIB base 101b */
						check(b, sizeof(b));
						if ((modrm & 0xc7) == 0x04) {
							b[at] = 0x24;
							check(b, sizeof(b));
						}
						if (modrm == 0 && (op & 7) == 0) {
							/* Short buffers (general path)
							 * and exactly 15 readable bytes. */
							check(b, n - 1);
							check(b, 15);
						}
					}
				}
			}
		}
	}
	/* VEX: every C5 payload, opcode and a set of ModRM bytes; C4 with
	 * every second payload byte for maps 0-4 (R/X/B set or not), after
	 * no prefix, a segment override, two of them, 66, F3, LOCK or REX. */
	static const uint8_t modrms[] = {0x00, 0x04, 0x05, 0x0c, 0x44, 0x84, 0x94, 0xc0,
					 0xc9, 0xd2, 0xe8, 0xf8, 0xff};
	static const struct {
		unsigned n;
		uint8_t b[2];
	} vpfx[] = {{0, {0}}, {1, {0x2e}}, {2, {0x64, 0x26}}, {1, {0x66}}, {1, {0xf3}},
		    {1, {0xf0}}, {1, {0x40}}};
	/* After the first two prefix cases, one payload in 8 (the prefix
	 * decides before the payload does). */
	for (size_t p = 0; p < sizeof(vpfx) / sizeof(vpfx[0]); p++) {
		for (unsigned form = 0; form < 2 + 10; form++) {
			/* form 0-1: C5 with payloads 00-7F / 80-FF; 2-11: C4
			 * with p0 = (form & 1 ? 0xe0 : 0x60) | map. */
			for (unsigned pay = 0; pay < (form < 2 ? 128u : 256u); pay++) {
				if (p >= 2 && pay % 8 != 3)
					continue;
				for (unsigned op = 0; op < 256; op++) {
					for (size_t q = 0; q < sizeof(modrms); q++) {
						unsigned n = vpfx[p].n;
						memcpy(b, vpfx[p].b, n);
						if (form < 2) {
							b[n++] = 0xc5;
							b[n++] = (uint8_t)(pay | (form << 7));
						} else {
							b[n++] = 0xc4;
							b[n++] = (uint8_t)(((form & 1) ? 0xe0 : 0x60) |
									   ((form - 2) >> 1));
							b[n++] = (uint8_t)pay;
						}
						b[n++] = (uint8_t)op;
						b[n++] = modrms[q];
						for (unsigned k = n; k < sizeof(b); k++)
							b[k] = (uint8_t)(0x91 + 7 * k);
						b[n] = 0x25;
						check(b, sizeof(b));
						if ((modrms[q] & 0xc7) == 0x04) {
							b[n] = 0x24;
							check(b, sizeof(b));
						}
					}
				}
			}
		}
	}
	/* Instructions ending exactly at byte 15: four prefixes, REX, and an
	 * 81 /0 with SIB, disp32 and imm32 is 15 bytes; one more prefix is
	 * too long. */
	static const uint8_t at15[] = {0x66, 0x2e, 0x2e, 0x2e, 0x48, 0x81, 0x84, 0x24,
				       1, 2, 3, 4, 5, 6, 7, 8};
	check(at15 + 1, 15);
	check(at15, 16);
	printf("decoder_lc: %llu strings, %llu differences\n", checked, failed);
	return failed ? 1 : 0;
}
