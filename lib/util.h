/*
 * Small helpers shared by every module: error lists in FILE:LINE form,
 * durations, RFC 3339 times, domain-name normalisation and UTF-8 checks.
 */
#ifndef NMIG_UTIL_H
#define NMIG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NMIG_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Parse errors are collected, not printed, so that a reload can log them
 * and a check run (nmigd -t) can print all of them, not only the first. */
struct errlist {
	char	**msg;
	size_t	  n;
};

/* "FILE:LINE: message", "FILE: message" for line 0, the message alone
 * for file NULL. */
void	errlist_add(struct errlist *, const char *file, int line,
	    const char *fmt, ...) NMIG_PRINTF(4, 5);
void	errlist_free(struct errlist *);

/* "90", "90s", "5m", "1h", "2d", "1h30m".  Returns 0, or -1 when the text
 * is not a duration or does not fit in an unsigned int of seconds. */
int	parse_duration(const char *, unsigned *secs);
/* The inverse, in the largest unit that divides secs: "2d", "90s". */
const char *fmt_duration(unsigned secs, char *buf, size_t len);
/* The index of s in names[n], -1 if it is not there: a state's name read
 * back from the database. */
int	 names_find(const char *const *names, int n, const char *s);
/* Whether typo is close enough to name to suggest it ("did you mean"):
 * a few letters wrong, left out, added or swapped, case aside. */
bool	 near_miss(const char *typo, const char *name);
/* After getopt_long() refused arg ("--jsno", "--jsno=x") as unknown
 * (optopt 0), the long option of longopts closest to it, or NULL: a name
 * given whole (an option missing its argument) is no typo. */
struct option;
const char	*option_near_miss(const char *arg,
		    const struct option *longopts);
/* one or many, for n: "1 domain", "2 domains". */
const char	*plural(size_t n, const char *one, const char *many);
/* A span for people, to two units: "3h12m", "2d4h", "45s". */
const char *fmt_span(unsigned secs, char *buf, size_t len);

/* RFC 3339 in UTC, "2026-11-27T22:00:00Z"; buf holds NMIG_TIMEBUF bytes. */
#define NMIG_TIMEBUF 32
const char *fmt_time(time_t, char *buf);
/* The inverse of fmt_time; returns (time_t)-1 when the text is not one. */
time_t	parse_time(const char *);

/* Room for a name in text, the trailing dot and NUL included (dname.h). */
#define NMIG_NAMEBUF 256

/* Copy s to out (outlen bytes, NUL-terminated, cut at a whole character)
 * with control characters and bytes that are not UTF-8 written as \xNN,
 * so that text from files, databases or peers is safe in a log line or a
 * JSON string.  Returns the length written. */
size_t	str_escape(const char *s, char *out, size_t outlen);

/* UTF-8 as JSON needs it (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF.  Text from outside (a request, a config file)
 * may be anything, and jansson refuses a string that is not UTF-8. */
bool	utf8_valid(const char *, size_t len);
/* No control character (C0, DEL, C1), line or paragraph separator,
 * bidirectional control or interlinear annotation in s, valid UTF-8
 * (utf8_valid()): text that may go to a terminal or a page as it is. */
bool	utf8_displayable(const char *s);
/* Copy the C string in to out (outlen > 0 bytes, NUL included) as valid
 * UTF-8: each byte that does not begin a character becomes U+FFFD, and
 * the copy ends before a character that would not fit whole.  Returns the
 * length copied. */
size_t	utf8_sanitize(const char *in, char *out, size_t outlen);

char	*xstrdup(const char *);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);

#endif
