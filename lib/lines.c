/*
 * The line reader of nmigd.conf and resolvers.conf.
 *
 * Why not inih.  nmigd.conf was read with inih until 0.1, and config.c
 * spent about 140 lines working around it: Debian's libinih does not pass
 * line numbers to the handler (so a reader callback counted lines and
 * fed inih one at a time), cuts section names at 49 bytes (shorter than
 * a domain name), skips a section without keys (which must still be
 * checked), silently splits a line longer than its buffer, ends a value
 * at " ;" even inside quotes, and keeps its options in process-wide
 * variables that had to be set before every parse.  What inih still did
 * after all that was to split "key = value" and cut an inline comment,
 * which config.c now does in a dozen lines.  This reader owns what both
 * files share: line numbers, a byte order mark and CR LF from editors
 * elsewhere, NUL bytes, an optional length limit and read errors, each
 * reported as "FILE:LINE: message".  Neither file format changed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lines.h"
#include "util.h"

/* Opened without blocking, so that a FIFO with no writer, which a
 * regular file is expected to be, cannot hold the reader in open(2). */
FILE *
lines_open(const char *path, unsigned flags, struct errlist *errs)
{
	struct stat	 st;
	const char	*why = NULL;
	FILE		*fp;
	int		 fd, fl, err;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		err = errno;
		/* Gone, name and all; a symlink to nothing is still an
		 * error to report. */
		if (err == ENOENT && flags & LINES_MISSING_OK &&
		    lstat(path, &st) == -1 && errno == ENOENT)
			return NULL;
		errlist_add(errs, path, 0, "cannot open: %s", strerror(err));
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = strerror(EISDIR);
	else if (!S_ISREG(st.st_mode) && !(flags & LINES_ANY_FILE))
		why = "not a regular file";
	else if (S_ISREG(st.st_mode) && st.st_size > LINES_FILE_MAX)
		why = "larger than 256 MiB";
	else if (!S_ISREG(st.st_mode) && ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1))
		why = strerror(errno);
	if (why == NULL && (fp = fdopen(fd, "r")) != NULL)
		return fp;
	errlist_add(errs, path, 0, "cannot open: %s", why != NULL ? why :
	    strerror(errno));
	close(fd);
	return NULL;
}

void
lines_begin(struct lines *l, FILE *fp, const char *file,
    struct errlist *errs, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->fp = fp;
	l->file = file;
	l->errs = errs;
	l->max = max;
}

enum line_status
lines_next(struct lines *l, char **text)
{
	ssize_t	 len;
	char	*s;

	*text = NULL;
	errno = 0;
	if ((len = getline(&l->buf, &l->bufsz, l->fp)) == -1) {
		if (ferror(l->fp))
			errlist_add(l->errs, l->file, 0, "read error: %s",
			    strerror(errno));
		return LINE_END;
	}
	l->line++;
	s = l->buf;
	if (strlen(s) != (size_t)len) {
		errlist_add(l->errs, l->file, l->line, "NUL byte in line");
		return LINE_BAD;
	}
	/* Editors elsewhere may add a byte order mark or CR LF line ends;
	 * neither changes the meaning. */
	if (l->line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	if (l->max > 0 && (size_t)len > l->max) {
		errlist_add(l->errs, l->file, l->line,
		    "line too long (more than %zu bytes)", l->max);
		return LINE_BAD;
	}
	*text = s;
	return LINE_OK;
}

void
lines_end(struct lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->bufsz = 0;
}
