/*
 * Reading a text file a line at a time, with line numbers, for the config
 * and the resolver list.  What a line means is the caller's business.
 */
#ifndef NMIG_LINES_H
#define NMIG_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

struct lines {
	FILE		*fp;
	const char	*file;		/* for messages */
	struct errlist	*errs;
	size_t		 max;		/* longest line, 0 for any */
	int		 line;		/* number of the line last read */
	char		*buf;
	size_t		 bufsz;
};

enum line_status {
	LINE_END,	/* no more lines; a read error is reported */
	LINE_OK,
	LINE_BAD,	/* reported as FILE:LINE: and to be skipped */
};

/* The largest file read: several times a config of 100,000 domains. */
#define LINES_FILE_MAX	(256 * 1024 * 1024)

/* path opened for reading, or NULL after "FILE: cannot open: ..." in
 * errs.  A regular file of at most LINES_FILE_MAX bytes; with
 * LINES_ANY_FILE also a pipe or a device ("nmigd -t -c /dev/stdin"),
 * never a directory; with LINES_MISSING_OK a file that does not exist
 * (a drop-in removed since its directory was read) is NULL without an
 * error. */
#define LINES_ANY_FILE		0x01	/* a FIFO or a device too */
#define LINES_MISSING_OK	0x02	/* no file: NULL, no error */
FILE	*lines_open(const char *path, unsigned flags, struct errlist *errs);

/* Read fp (left open by lines_end()); report to errs under file. */
void	lines_begin(struct lines *, FILE *fp, const char *file,
	    struct errlist *errs, size_t max);
/* The next line in *text, without its line end, a CR before it or a
 * byte order mark on the first line.  The text lives until the next
 * call. */
enum line_status lines_next(struct lines *, char **text);
void	lines_end(struct lines *);

#endif
