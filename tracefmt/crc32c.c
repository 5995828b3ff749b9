/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as used by iSCSI
 * (RFC 3720 appendix B.4) and ext4.  Only headers are checksummed with it
 * (20-byte chunk headers, the file header), so a bitwise loop is fast enough
 * and needs no table.
 */
#include "tracefmt/format.h"

uint32_t
fmt_crc32c(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
	}
	return ~crc;
}
