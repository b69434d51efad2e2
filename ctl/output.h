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

#include "table.h"

/* One reply of the daemon: the line as received (for --json, which prints
 * it unchanged) and its parsed form. */
struct reply {
	char	*line;		/* without the "\n", NUL terminated */
	size_t	 len;
	json_t	*doc;		/* an object with "version": 1 */
};

/* How the text is laid out: the tables' options, and for status the
 * view: one line a domain, a domain's grid of resolvers and records, or
 * (verbose) every answer on a line of its own. */
struct view {
	struct table_opts	table;
	bool			verbose;
	bool			one_domain;	/* status DOMAIN */
};

struct output {
	void	(*status)(FILE *, const struct reply *, const struct view *);
	void	(*resolvers)(FILE *, const struct reply *, const struct view *);
	void	(*history)(FILE *, const struct reply *, const struct view *);
	void	(*events)(FILE *, const struct reply *, const struct view *);
	void	(*check)(FILE *, const struct reply *, const struct view *);
	void	(*reload)(FILE *, const struct reply *, const struct view *);
	void	(*forget)(FILE *, const struct reply *, const struct view *);
	/* wait: the domain's state or counts changed. */
	void	(*progress)(FILE *, const struct reply *, const struct view *);
	/* A reply with "error"; text goes to err, JSON to out. */
	void	(*error)(FILE *out, FILE *err, const struct reply *);
};

extern const struct output text_output;
extern const struct output json_output;

/* The colour of a state's name on a terminal: green done, yellow under
 * way, magenta unexpected, red broken; NULL for none. */
const char	*state_colour(const char *state);

/* "12s ago" style ages: secs >= 0; buf holds AGEBUF bytes. */
#define AGEBUF	32
const char	*fmt_age(long long secs, char *buf);

#endif
