/*
 * nmigd-ctl output: the daemon returns data, the client formats it.  Each
 * command has a text and a JSON formatter, side by side as in bgpctl's
 * show_output and json_output.
 */
#ifndef NMIG_CTL_OUTPUT_H
#define NMIG_CTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* One reply of the daemon: the line as received (for --json, which prints
 * it unchanged) and its parsed form. */
struct reply {
	char	*line;		/* without the "\n", NUL terminated */
	size_t	 len;
	json_t	*doc;		/* an object with "version": 1 */
};

struct output {
	void	(*status)(FILE *, const struct reply *, bool colour);
	void	(*resolvers)(FILE *, const struct reply *, bool colour);
	void	(*history)(FILE *, const struct reply *, bool colour);
	void	(*events)(FILE *, const struct reply *, bool colour);
	void	(*check)(FILE *, const struct reply *, bool colour);
	void	(*reload)(FILE *, const struct reply *, bool colour);
	/* wait: the domain's state or counts changed. */
	void	(*progress)(FILE *, const struct reply *, bool colour);
	/* A reply with "error"; text goes to err, JSON to out. */
	void	(*error)(FILE *out, FILE *err, const struct reply *);
};

extern const struct output text_output;
extern const struct output json_output;

/* "12s ago" style ages: secs >= 0; buf holds AGEBUF bytes. */
#define AGEBUF	32
const char	*fmt_age(long long secs, char *buf);

#endif
