/*
 * Code that rewrites the instruction right after itself: in a
 * read-write-execute mapping, `mov byte [rip + 1], v` stores into the
 * immediate of the `mov eax, imm32` that follows it, so that mov runs
 * with the byte just stored (x86 detects the store into its own
 * instruction stream).  Run with four values, the store's own immediate
 * changed by C between runs.  Expected output: the four values.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(void);

int
main(void)
{
	unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return 1;
	const unsigned char body[] = {
		0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, /* movb $v, 1(%rip) -> the mov's imm */
		0xb8, 0x00, 0x00, 0x00, 0x00,             /* mov $0, %eax */
		0xc3,                                     /* ret */
	};
	memcpy(code, body, sizeof body);
	for (int v = 11; v <= 44; v += 11) {
		code[6] = (unsigned char)v;
		printf("stored %d, ran mov with %d\n", v, ((fn_t)code)());
	}
	return 0;
}
