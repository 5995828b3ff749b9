/*
 * Prints the /proc/self/maps lines of the program's own executable and of
 * libc after their code has run (and, under engine patch, been patched):
 * natively one line per segment with the protections the ELF asked for.
 * An engine that changed a code page's protection (or split a mapping)
 * shows here.  Expected output: those lines, as natively.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) static int
work(int x)
{
	return x * 3 + 1;
}

int
main(void)
{
	char exe[4096], line[8192];
	int sum = 0;
	for (int i = 0; i < 100; i++)
		sum += work(i);
	printf("sum %d\n", sum);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return 1;
	exe[n] = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return 2;
	while (fgets(line, sizeof line, f)) {
		size_t len = strlen(line), el = strlen(exe);
		if ((len > el && strncmp(line + len - el - 1, exe, el) == 0) || strstr(line, "/libc.so"))
			fputs(line, stdout);
	}
	fclose(f);
	return 0;
}
