/*
 * bench/gzlevel.c - what each zlib level costs and saves on a document
 * nmigd serves (daemon/docbuf.c deflates /metrics and status.json as they
 * are built, in pieces of 64 KiB): CPU time and size at levels 1 to 9,
 * the best of three runs each.  Save a document first, e.g. /metrics of a
 * W2 or W4 run (bench/run.sh -k; curl from inside its network namespace).
 *
 *	cc -O2 -o /tmp/gzlevel bench/gzlevel.c -lz && /tmp/gzlevel FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#define PIECE	(64 * 1024)
#define RUNS	3

static double
cpu_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Bytes of the gzip form of buf at level, deflated a piece at a time. */
static size_t
deflate_size(const unsigned char *buf, size_t len, int level)
{
	static unsigned char	out[PIECE];
	z_stream		z;
	size_t			off = 0, total = 0, n;
	int			flush, r;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	do {
		n = len - off < PIECE ? len - off : PIECE;
		z.next_in = (unsigned char *)buf + off;
		z.avail_in = (uInt)n;
		off += n;
		flush = off == len ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			r = deflate(&z, flush);
			total += sizeof(out) - z.avail_out;
		} while (z.avail_out == 0);
	} while (flush != Z_FINISH);
	if (r != Z_STREAM_END)
		exit(1);
	deflateEnd(&z);
	return total;
}

int
main(int argc, char **argv)
{
	FILE		*f;
	unsigned char	*buf;
	long		 len;
	double		 t, best;
	size_t		 size = 0;
	int		 level, i;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: gzlevel FILE\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	if ((buf = malloc((size_t)len)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len)
		return 1;
	printf("%ld bytes plain\nlevel  bytes  ratio  CPU ms  MB/s\n", len);
	for (level = 1; level <= 9; level++) {
		best = 1e9;
		for (i = 0; i < RUNS; i++) {
			t = cpu_seconds();
			size = deflate_size(buf, (size_t)len, level);
			t = cpu_seconds() - t;
			if (t < best)
				best = t;
		}
		printf("%d  %zu  %.1f  %.0f  %.0f\n", level, size,
		    (double)len / size, best * 1000, len / best / 1e6);
	}
	return 0;
}
