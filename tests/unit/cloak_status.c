/*
 * common/cloak.h, the decisions both the agent and the ptrace engine make:
 * which readlink targets are status files, and how the TracerPid line is
 * rewritten (whole lines only, never longer, the rest moved down).
 */
#include <stdio.h>
#include <string.h>

#include "common/cloak.h"

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
fix_case(const char *in, long tracer, long shown, const char *want)
{
	char buf[512];
	long n = (long)strlen(in);
	memcpy(buf, in, (size_t)n);
	long m = cloak_fix_tracer_pid(buf, n, tracer, shown);
	const char *got = m < 0 ? in : buf;
	long got_len = m < 0 ? n : m;
	if (want == NULL ? m >= 0 : (got_len != (long)strlen(want) || memcmp(got, want, (size_t)got_len))) {
		printf("FAIL: fix '%s' tracer %ld shown %ld: got '%.*s' (%ld)\n", in, tracer, shown,
		       (int)got_len, got, m);
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
	fix_case("Name:\tx\nTracerPid:\t42", 42, 0, NULL);
	fix_case("Name:\tx\nTracerPid:\t", 42, 0, NULL);
	/* Only at a line start. */
	fix_case("Name:\tTracerPid:\t42\n", 42, 0, NULL);
	fix_case("", 42, 0, NULL);
	printf("%s\n", failures ? "cloak: FAILED" : "cloak: all cases as expected");
	return failures != 0;
}
