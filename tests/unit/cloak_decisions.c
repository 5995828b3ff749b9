/*
 * common/cloak.h, the decisions both the agent and the ptrace engine make:
 * which readlink targets are status and maps files, and how the TracerPid
 * line is rewritten (whole lines only, never longer, the rest moved
 * down); common/cloak_maps.h, the maps lines the agent keeps, trims or
 * drops.
 */
#include <stdio.h>
#include <string.h>

#include "common/cloak.h"
#include "common/cloak_maps.h"

static int failures;

static void
link_case(const char *link, int want, long want_pid)
{
	long pid = -1;
	int got = cloak_status_link(link, (long)strlen(link), &pid);
	if (got != want || (want && pid != want_pid)) {
		printf("FAIL: link '%s': %d pid %ld, expected %d pid %ld\n", link, got, pid, want,
		       want_pid);
		failures++;
	}
}

static void
fix_case_room(const char *in, long room, long tracer, long shown, const char *want)
{
	char buf[512];
	long n = (long)strlen(in);
	memcpy(buf, in, (size_t)n);
	long m = cloak_fix_tracer_pid(buf, n, n + room, tracer, shown);
	const char *got = m < 0 ? in : buf;
	long got_len = m < 0 ? n : m;
	if (want == NULL ? m >= 0 : (got_len != (long)strlen(want) || memcmp(got, want, (size_t)got_len))) {
		printf("FAIL: fix '%s' tracer %ld shown %ld: got '%.*s' (%ld)\n", in, tracer, shown,
		       (int)got_len, got, m);
		failures++;
	}
}

static void
fix_case(const char *in, long tracer, long shown, const char *want)
{
	fix_case_room(in, 0, tracer, shown, want);
}

static void
maps_case(const char *in, const char *want, int dropping_before, int want_dropping)
{
	static const struct cloak_range hidden[] = {
		{ 0x7ffff8100000, 0x7ffff9f24000 }, /* the agent */
		{ 0x7ffffa200000, 0x7ffffa3f0000 }, /* an arena */
	};
	char out[1024];
	int dropping = dropping_before;
	long n = cloak_maps_line(in, (long)strlen(in), hidden, 2, out, &dropping);
	if (n != (long)strlen(want) || memcmp(out, want, (size_t)n) || dropping != want_dropping) {
		printf("FAIL: maps '%s': got '%.*s' dropping %d\n", in, (int)n, out, dropping);
		failures++;
	}
}

int
main(void)
{
	link_case("/proc/123/status", 1, 123);
	link_case("/proc/123/task/456/status", 1, 123);
	link_case("/proc/123/stat", 0, 0);
	link_case("/proc/123/statusx", 0, 0);
	link_case("/proc/self/status", 0, 0); /* readlink never says self */
	link_case("/proc/123/task/status", 0, 0);
	link_case("/tmp/proc/123/status", 0, 0);
	link_case("/proc//status", 0, 0);

	fix_case("Name:\tx\nTracerPid:\t4242\nUid:\t0\n", 4242, 0, "Name:\tx\nTracerPid:\t0\nUid:\t0\n");
	fix_case("TracerPid:\t4242\nUid:\t0\n", 4242, 17, "TracerPid:\t17\nUid:\t0\n");
	fix_case("Name:\tx\nTracerPid:\t4242\n", 4242, 4243, "Name:\tx\nTracerPid:\t4243\n");
	/* Another tracer's pid, a longer replacement, a cut line: untouched. */
	fix_case("Name:\tx\nTracerPid:\t4242\n", 99, 0, NULL);
	fix_case("Name:\tx\nTracerPid:\t42\n", 42, 12345, NULL);
	/* Longer when the reader's buffer has room (a parent pid past 9999
	 * under a tracer below 10000). */
	fix_case_room("Name:\tx\nTracerPid:\t42\nUid:\t0\n", 3, 42, 12345,
		      "Name:\tx\nTracerPid:\t12345\nUid:\t0\n");
	fix_case_room("Name:\tx\nTracerPid:\t42\nUid:\t0\n", 2, 42, 12345, NULL);
	fix_case("Name:\tx\nTracerPid:\t42", 42, 0, NULL);
	fix_case("Name:\tx\nTracerPid:\t", 42, 0, NULL);
	/* Only at a line start. */
	fix_case("Name:\tTracerPid:\t42\n", 42, 0, NULL);
	fix_case("", 42, 0, NULL);

	link_case("/proc/9/maps", 0, 0); /* a maps file is not a status file */
	long pid;
	if (cloak_proc_file("/proc/9/task/10/smaps", 21, &pid) != CLOAK_FILE_SMAPS || pid != 9 ||
	    cloak_proc_file("/proc/9/maps", 12, &pid) != CLOAK_FILE_MAPS ||
	    cloak_proc_file("/proc/9/smaps_rollup", 20, &pid) != 0) {
		printf("FAIL: cloak_proc_file\n");
		failures++;
	}
	/* Untouched, dropped (its smaps fields too), trimmed at either end, cut in two. */
	maps_case("555555554000-555555556000 r--p 00000000 fe:00 1  /bin/x\n",
		  "555555554000-555555556000 r--p 00000000 fe:00 1  /bin/x\n", 0, 0);
	maps_case("7ffff8100000-7ffff9f24000 rwxp 00000000 00:00 0 \n", "", 0, 1);
	maps_case("Rss:                   4 kB\n", "", 1, 1);
	maps_case("Rss:                   4 kB\n", "Rss:                   4 kB\n", 0, 0);
	maps_case("7ffff8000000-7ffff9f24000 rwxp 00000000 00:00 0 \n",
		  "7ffff8000000-7ffff8100000 rwxp 00000000 00:00 0 \n", 0, 0);
	maps_case("7ffff9f24000-7ffffa300000 rwxp 00000000 00:00 0 \n",
		  "7ffff9f24000-7ffffa200000 rwxp 00000000 00:00 0 \n", 1, 0);
	maps_case("7ffff9f00000-7ffffa400000 rw-p 00000000 00:00 0 \n",
		  "7ffff9f24000-7ffffa200000 rw-p 00000000 00:00 0 \n"
		  "7ffffa3f0000-7ffffa400000 rw-p 00000000 00:00 0 \n", 0, 0);
	maps_case("00400000-00401000 r-xp 00000000 fe:00 1 /x\n",
		  "00400000-00401000 r-xp 00000000 fe:00 1 /x\n", 0, 0);
	printf("%s\n", failures ? "cloak: FAILED" : "cloak: all cases as expected");
	return failures != 0;
}
