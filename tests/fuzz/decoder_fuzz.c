/* build/decoder-fuzz [-q] [N [SEED]]: decodes N random, structured byte
 * strings (random legacy prefixes, REX, the 0F/0F38/0F3A escapes, VEX2, VEX3
 * and EVEX payloads, then random ModRM/SIB/displacement/immediate bytes) with
 * our decoder and with Zydis and reports every difference; one in 16 strings
 * is cut short to exercise "truncated".  Ends with the allowed
 * differences by reason and `fuzzed N strings, M mismatches, A allowed`.
 * Exit 1 on any mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/decoder_zydis.h"

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64* (Vigna): fast and good enough to pick bytes. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* Allowed differences by reason, for the summary. */
static char reasons[32][256];
static unsigned long long reason_count[32];
static int n_reasons;

static void
tally(const char *why)
{
	int k;
	for (k = 0; k < n_reasons; k++)
		if (!strcmp(reasons[k], why))
			break;
	if (k == n_reasons) {
		if (n_reasons == 32)
			return;
		snprintf(reasons[n_reasons++], sizeof(reasons[0]), "%s", why);
	}
	reason_count[k]++;
}

static size_t
make_string(uint8_t *b)
{
	static const uint8_t pfx[] = {0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26,
				      0x36, 0x64, 0x65};
	uint64_t r = rng();
	size_t n = 0;
	unsigned npfx = (r & 7) < 4 ? 0 : (unsigned)((r >> 3) & 3);
	for (unsigned k = 0; k < npfx; k++)
		b[n++] = pfx[(rng() >> 8) % sizeof(pfx)];
	r = rng();
	if (r & 1)
		b[n++] = (uint8_t)(0x40 | ((r >> 1) & 15));
	switch ((r >> 8) % 12) {
	case 0: case 1: case 2:
		break; /* a random first byte */
	case 3: case 4:
		b[n++] = 0x0f;
		break;
	case 5:
		b[n++] = 0x0f;
		b[n++] = 0x38;
		break;
	case 6:
		b[n++] = 0x0f;
		b[n++] = 0x3a;
		break;
	case 7:
		b[n++] = 0xc5;
		break;
	case 8: case 9: {
		/* VEX3 with a plausible map in most cases. */
		uint64_t v = rng();
		b[n++] = 0xc4;
		b[n++] = (uint8_t)((v & 0xe0) | ((v >> 8) & 7 ? 1 + (v >> 11) % 3 : v & 31));
		break;
	}
	default: {
		/* EVEX with P0 bit 3 clear and P1 bit 2 set most of the time. */
		uint64_t v = rng();
		b[n++] = 0x62;
		uint8_t p0 = (uint8_t)v, p1 = (uint8_t)(v >> 8);
		if ((v >> 16) & 7) {
			p0 = (uint8_t)((p0 & 0xf0) | (1 + (v >> 20) % 3));
			p1 |= 4;
		}
		b[n++] = p0;
		b[n++] = p1;
		break;
	}
	}
	while (n < 32)
		b[n++] = (uint8_t)rng();
	return n;
}

int
main(int argc, char **argv)
{
	int quiet = 0, ai = 1;
	if (ai < argc && !strcmp(argv[ai], "-q")) {
		quiet = 1;
		ai++;
	}
	unsigned long long count = ai < argc ? strtoull(argv[ai], NULL, 0) : 1000000;
	rng_state = ai + 1 < argc ? strtoull(argv[ai + 1], NULL, 0) : 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;
	struct zcmp z;
	zcmp_init(&z);
	unsigned long long mism = 0, allowed = 0, printed = 0;
	uint8_t b[32];
	char why[256];
	for (unsigned long long i = 0; i < count; i++) {
		size_t n = make_string(b);
		size_t avail = (rng() & 15) == 0 ? 1 + rng() % 15 : n;
		unsigned zlen;
		int r;
		if (avail < n) {
			/* A short buffer (a page end): our answer must agree with
			 * the full decode.  Zydis gives up on some invalid
			 * encodings at a different byte than we do, so the short
			 * case is checked for consistency, not against Zydis. */
			struct x86_insn full, part;
			int fs = x86_decode(b, n, X86_VENDOR_AMD, &full);
			int ps = x86_decode(b, avail, X86_VENDOR_AMD, &part);
			int ok;
			if (fs == X86_OK && full.len <= avail)
				ok = ps == X86_OK && part.len == full.len;
			else if (fs == X86_OK)
				ok = ps == X86_TRUNCATED;
			else
				ok = ps == X86_TRUNCATED || ps == fs;
			struct x86_lc lc;
			int ls = x86_decode_lc(b, avail, X86_VENDOR_AMD, &lc);
			if (ls != ps || (ps == X86_OK && (lc.len != part.len || lc.cf != part.cf)))
				ok = 0;
			r = ok ? ZCMP_SAME : ZCMP_MISMATCH;
			if (!ok)
				snprintf(why, sizeof(why), "short buffer: %d (lc %d), full: %d", ps, ls, fs);
		} else {
			r = zcmp_one(&z, b, avail, 0x7f0000001000ull, why, sizeof(why), &zlen);
		}
		if (r == ZCMP_ALLOWED) {
			allowed++;
			tally(why);
		} else if (r == ZCMP_MISMATCH) {
			mism++;
			if (!quiet || printed < 20) {
				printed++;
				printf("fuzz:");
				for (size_t k = 0; k < avail && k < 15; k++)
					printf(" %02x", b[k]);
				printf(" (%zu bytes): %s\n", avail, why);
			}
		}
	}
	zcmp_fini(&z);
	for (int k = 0; k < n_reasons; k++)
		printf("allowed %10llu  %s\n", reason_count[k], reasons[k]);
	printf("fuzzed %llu strings, %llu mismatches, %llu allowed\n", count, mism, allowed);
	return mism ? 1 : 0;
}
