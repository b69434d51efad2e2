/*
 * The web view's files (daemon/web/), built into nmigd by
 * tools/webfiles.sh so that the page needs nothing from the network or
 * the file system: an ops host without internet shows it whole.
 */
#ifndef NMIGD_WEBFILES_H
#define NMIGD_WEBFILES_H

#include <stddef.h>

struct web_file {
	const char		*name;		/* "index.html" */
	const char		*content_type;
	const unsigned char	*data;
	size_t			 len;
};

extern const struct web_file	web_files[];
extern const size_t		web_nfiles;

#endif
