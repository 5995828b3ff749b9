/* Messages for the library's negative return values. */
#include <string.h>

#include "umss/trace.h"

const char *
umss_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case UMSS_E_NOT_TRACE:
		return "not a umss trace";
	case UMSS_E_VERSION:
		return "umss trace of an unsupported format version";
	case UMSS_E_CORRUPT:
		return "corrupt umss trace";
	case UMSS_E_TRUNCATED:
		return "umss trace cut short (no end record)";
	case UMSS_E_USAGE:
		return "invalid use of the umss trace API";
	}
	if (err < 4096) {
		/* strerrordesc_np (glibc 2.32) is thread-safe, unlike strerror. */
		const char *m = strerrordesc_np(err);
		if (m)
			return m;
	}
	return "unknown error";
}
