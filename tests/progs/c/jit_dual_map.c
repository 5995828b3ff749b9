/*
 * A JIT that never has a writable and executable view of one address
 * (double mapping, as some JITs keep W^X): a memfd mapped twice, a
 * read-write view it writes code through and a read-execute view it runs;
 * the code is rewritten through the writable view between runs, and the
 * last version reads its next instruction through the writable view (a
 * JIT checking its code).  Engine patch never patches a MAP_SHARED
 * mapping (the other view would see the jump): kernel steps there.
 * Expected output: the results of the runs.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn_t)(long);

int
main(void)
{
	int fd = memfd_create("jit", 0);
	if (fd < 0 || ftruncate(fd, 4096) < 0)
		return 1;
	unsigned char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED || x == MAP_FAILED)
		return 2;
	/* mov eax, imm32; add eax, edi; ret */
	const unsigned char add[] = { 0xb8, 0, 0, 0, 0, 0x01, 0xf8, 0xc3 };
	memcpy(w, add, sizeof add);
	for (int v = 1; v <= 3; v++) {
		memcpy(w + 1, &v, 4);
		printf("version %d: %ld\n", v, ((fn_t)x)(1000));
	}
	/* mov rax, [rdi + 4]; ret: reads its own next instruction (the ret)
	 * through the writable view, where engine patch's jump would show. */
	const unsigned char peek[] = { 0x48, 0x8b, 0x47, 0x04, 0xc3 };
	memcpy(w + 16, peek, sizeof peek);
	printf("peek: %lx\n", ((fn_t)(x + 16))((long)(w + 16)) & 0xffffffff);
	return 0;
}
