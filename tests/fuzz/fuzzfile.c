/*
 * Helpers shared by the fuzz targets that feed a parser of files.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzzfile.h"

const char *
fuzz_file(const void *data, size_t len)
{
	static int	 fd = -1;
	static char	 path[32];
	const char	*p = data;
	ssize_t		 n;

	if (fd == -1) {
		if ((fd = memfd_create("nmigd-fuzz", MFD_CLOEXEC)) == -1) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1) {
		perror("fuzz_file");
		abort();
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			perror("fuzz_file: write");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
	return path;
}
