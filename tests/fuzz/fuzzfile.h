/*
 * The parsers of files take a path: fuzz_file() puts the fuzzer's bytes
 * in an anonymous memory file and names it, so that no input touches the
 * disk and nothing in any directory is read by accident.
 */
#ifndef NMIG_FUZZFILE_H
#define NMIG_FUZZFILE_H

#include <stddef.h>

/* "/proc/self/fd/N" holding exactly the len bytes; the same file for
 * every call, rewritten each time.  Aborts when it cannot. */
const char	*fuzz_file(const void *data, size_t len);

#endif
