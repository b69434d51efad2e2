/*
 * fuzz_config: the bytes as an nmigd.conf.  A config that loads must print
 * (config_print(), as nmigd -t -v does) to a file that loads again without
 * an error and prints the same the second time; anything else aborts.
 *
 * Inputs with a line that may set "include" are skipped: a drop-in
 * directory would have the fuzzer read whatever lies on the machine.
 * Without one the parser looks for conf.d beside the file, in
 * /proc/self/fd, where there is none.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "printconf.h"
#include "fuzzfile.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* True when a line starts, after blanks, with "include" in any case:
 * the parser skips leading white space and matches its keys
 * exactly, but any case is cheaper to be sure of. */
static int
has_include(const uint8_t *data, size_t size)
{
	static const char	 word[] = "include";
	size_t			 i = 0, j;

	if (size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < size) {
		while (i < size && data[i] != '\n' && isspace(data[i]))
			i++;
		for (j = 0; j < sizeof(word) - 1 && i + j < size; j++)
			if (tolower(data[i + j]) != word[j])
				break;
		if (j == sizeof(word) - 1)
			return 1;
		while (i < size && data[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

static char *
print_config(const struct config *conf, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;

	if ((fp = open_memstream(&buf, len)) == NULL) {
		perror("open_memstream");
		abort();
	}
	config_print(conf, fp);
	if (fclose(fp) != 0) {
		perror("config_print");
		abort();
	}
	return buf;
}

static void
report(const char *what, const char *printed, const struct errlist *errs)
{
	size_t	i;

	fprintf(stderr, "fuzz_config: %s\n--- printed config\n%s--- end\n",
	    what, printed);
	for (i = 0; errs != NULL && i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist	 errs = { NULL, 0 };
	struct config	*conf;
	char		*first, *second;
	size_t		 len1, len2;

	if (has_include(data, size))
		return -1;	/* not added to the corpus */
	conf = config_load(fuzz_file(data, size), 0, &errs);
	errlist_free(&errs);
	if (conf == NULL)
		return 0;
	first = print_config(conf, &len1);
	config_free(conf);

	conf = config_load(fuzz_file(first, len1), 0, &errs);
	if (conf == NULL) {
		report("the printed config does not load", first, &errs);
		abort();
	}
	second = print_config(conf, &len2);
	config_free(conf);
	if (len1 != len2 || memcmp(first, second, len1) != 0) {
		report("printed again, the config differs", first, NULL);
		fprintf(stderr, "--- printed the second time\n%s--- end\n",
		    second);
		abort();
	}
	free(first);
	free(second);
	return 0;
}
