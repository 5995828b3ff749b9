/*
 * Helpers shared by the trace library's unit tests (tests/unit/tracefmt_*.c):
 * fatal checks that name the line, and reading a whole trace back.
 */
#ifndef UMSS_TESTS_TRACEFMT_TEST_H
#define UMSS_TESTS_TRACEFMT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "umss/trace.h"

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n",      \
				__FILE__, __LINE__, #cond);               \
			exit(1);                                          \
		}                                                         \
	} while (0)

#define CHECK_EQ(a, b)                                                    \
	do {                                                              \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);          \
		if (a_ != b_) {                                           \
			fprintf(stderr,                                   \
				"%s:%d: %s == %s failed: 0x%" PRIx64      \
				" != 0x%" PRIx64 "\n",                    \
				__FILE__, __LINE__, #a, #b, a_, b_);      \
			exit(1);                                          \
		}                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (!a_ || strcmp(a_, b_)) {                              \
			fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n",  \
				__FILE__, __LINE__, #a, a_ ? a_ : "(null)", \
				b_);                                      \
			exit(1);                                          \
		}                                                         \
	} while (0)

/* Checks a library call that returns 0 on success. */
#define OK(call)                                                          \
	do {                                                              \
		int r_ = (call);                                          \
		if (r_ != 0) {                                            \
			fprintf(stderr, "%s:%d: %s: %d (%s)\n", __FILE__, \
				__LINE__, #call, r_, umss_strerror(r_));  \
			exit(1);                                          \
		}                                                         \
	} while (0)

/* A scratch path under $WORK (or /tmp) for this test. */
static inline const char *
test_path(const char *name)
{
	static char buf[4][4096];
	static int next;
	const char *dir = getenv("WORK");
	char *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", dir && *dir ? dir : "/tmp", name);
	return p;
}

static inline struct umss_writer *
test_writer(const char *path)
{
	struct umss_trace_info info = {
		.engine = "ptrace",
		.tool = "umss test",
		.start_time_ns = 1700000000123456789ull,
		.flags = UMSS_INFO_ASLR,
	};
	int err = 1;
	struct umss_writer *w = umss_writer_open(path, &info, &err);
	if (!w) {
		fprintf(stderr, "umss_writer_open %s: %s\n", path,
			umss_strerror(err));
		exit(1);
	}
	CHECK_EQ(err, 0);
	return w;
}

static inline struct umss_reader *
test_reader(const char *path)
{
	int err = 1;
	struct umss_reader *r = umss_reader_open(path, &err);
	if (!r) {
		fprintf(stderr, "umss_reader_open %s: %s\n", path,
			umss_strerror(err));
		exit(1);
	}
	return r;
}

/* Reads the next event, which must exist. */
static inline void
test_next(struct umss_reader *r, struct umss_event *ev, int line)
{
	int ret = umss_reader_next(r, ev);
	if (ret != 1) {
		fprintf(stderr, "line %d: umss_reader_next: %d (%s)\n", line,
			ret, umss_strerror(ret));
		exit(1);
	}
}
#define NEXT(r, ev) test_next((r), (ev), __LINE__)

#endif /* UMSS_TESTS_TRACEFMT_TEST_H */
