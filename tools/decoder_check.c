/* build/decoder-check FILE...: decodes every instruction of the executable
 * sections of ELF files with our decoder and with Zydis, prints one line per
 * mismatch and ends with `checked N instructions, M mismatches`.
 * Decoding is linear (like objdump): after a byte string Zydis rejects
 * (data in .text, padding) it moves on by one byte.
 * -q prints only the summary; -v prints the allowed differences too. */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/decoder_zydis.h"

static unsigned long long n_checked, n_mismatch, n_allowed;
static int quiet, verbose;

static void
check_section(struct zcmp *z, const char *file, const uint8_t *p, size_t size, uint64_t addr)
{
	size_t off = 0;
	char why[256];
	while (off < size) {
		unsigned zlen;
		int r = zcmp_one(z, p + off, size - off, addr + off, why, sizeof(why), &zlen);
		n_checked++;
		if (r == ZCMP_MISMATCH) {
			n_mismatch++;
			if (!quiet) {
				printf("%s:%#llx:", file, (unsigned long long)(addr + off));
				for (size_t k = 0; k < 15 && off + k < size; k++)
					printf(" %02x", p[off + k]);
				printf(": %s\n", why);
			}
		} else if (r == ZCMP_ALLOWED) {
			n_allowed++;
			if (verbose)
				printf("%s:%#llx: %s\n", file, (unsigned long long)(addr + off), why);
		}
		off += zlen ? zlen : 1;
	}
}

static int
check_file(struct zcmp *z, const char *file)
{
	int fd = open(file, O_RDONLY);
	if (fd < 0) {
		perror(file);
		return -1;
	}
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64) {
		if (e)
			elf_end(e);
		close(fd);
		return 0; /* not a 64-bit ELF: nothing to check */
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			check_section(z, file, data->d_buf, data->d_size, sh.sh_addr);
	}
	elf_end(e);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct zcmp z;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-q"))
			quiet = 1;
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else {
			fprintf(stderr, "usage: decoder-check [-q|-v] FILE...\n");
			return 2;
		}
	}
	if (elf_version(EV_CURRENT) == EV_NONE)
		return 2;
	zcmp_init(&z);
	for (; i < argc; i++)
		check_file(&z, argv[i]);
	zcmp_fini(&z);
	printf("allowed differences: %llu (see docs/DECODER.md)\n", n_allowed);
	printf("checked %llu instructions, %llu mismatches\n", n_checked, n_mismatch);
	return n_mismatch ? 1 : 0;
}
