/*
 * fuzz_resolvers: the bytes as a resolver list.  A list that loads must
 * say the same when written out again as "NAME ADDRESS@PORT LOCATION"
 * lines, the format it documents: every address is one inet_ntop() wrote
 * and every location is words joined by single spaces.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzfile.h"
#include "resolvers.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
print_list(const struct resolver_list *list, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 i;

	if ((fp = open_memstream(&buf, len)) == NULL) {
		perror("open_memstream");
		abort();
	}
	for (i = 0; i < list->n; i++)
		fprintf(fp, "%s %s@%u %s\n", list->v[i].name,
		    list->v[i].address, list->v[i].port, list->v[i].location);
	if (fclose(fp) != 0) {
		perror("print_list");
		abort();
	}
	return buf;
}

static int
same_resolver(const struct resolver_conf *a, const struct resolver_conf *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->location, b->location) == 0 &&
	    strcmp(a->address, b->address) == 0 && a->port == b->port &&
	    a->salen == b->salen && memcmp(&a->sa, &b->sa, a->salen) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resolver_list	 list, again;
	struct errlist		 errs = { NULL, 0 };
	char			*text;
	size_t			 len, i;

	if (resolvers_load(fuzz_file(data, size), &list, &errs) == -1) {
		errlist_free(&errs);
		return 0;
	}
	text = print_list(&list, &len);
	if (resolvers_load(fuzz_file(text, len), &again, &errs) == -1) {
		fprintf(stderr, "fuzz_resolvers: the list written out does "
		    "not load\n--- list\n%s--- end\n", text);
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		abort();
	}
	if (again.n != list.n) {
		fprintf(stderr, "fuzz_resolvers: %zu resolvers, %zu when "
		    "loaded again\n%s", list.n, again.n, text);
		abort();
	}
	for (i = 0; i < list.n; i++)
		if (!same_resolver(&list.v[i], &again.v[i])) {
			fprintf(stderr, "fuzz_resolvers: resolver %zu differs "
			    "when loaded again\n%s", i, text);
			abort();
		}
	free(text);
	resolvers_free(&list);
	resolvers_free(&again);
	return 0;
}
