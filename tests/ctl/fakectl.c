/*
 * fakectl: a stand-in for nmigd's control socket that answers canned
 * replies, so that nmigd-ctl's formatting and exit codes can be tested
 * without a daemon.  Not a model of the daemon: the real one is tested with
 * the scenario tests.
 *
 *	fakectl SOCKET DIR
 *
 * Listens on SOCKET and creates DIR/ready once it accepts connections.
 * Each request line is appended to DIR/requests.  The Nth request (from 1)
 * with command C is answered with the file DIR/C.N.json if there is one,
 * else DIR/C.json, sent unchanged.  A file starting with one of these
 * words does something else:
 *	@close	close the connection without a reply
 *	@exit	remove SOCKET and exit: the daemon went away
 *	@hang	never reply (read until the client gives up)
 *	@huge	send 64 MiB + 1 bytes without a newline
 * No file: {"version": 1, "error": "unknown command: C"}.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#define LINE_MAX_LEN	(1024 * 1024)
#define NCOUNTERS	32

static const char	*sockpath;
static const char	*dir;

static struct {
	char		name[32];
	unsigned	n;
} counters[NCOUNTERS];

static unsigned
count(const char *name)
{
	size_t	i;

	for (i = 0; i < NCOUNTERS && counters[i].name[0] != '\0'; i++)
		if (strcmp(counters[i].name, name) == 0)
			return ++counters[i].n;
	if (i == NCOUNTERS)
		return 1;
	snprintf(counters[i].name, sizeof(counters[i].name), "%s", name);
	return counters[i].n = 1;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return;		/* the client is gone: fine */
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* The reply file's contents, or NULL. */
static char *
reply_file(const char *command, unsigned n, size_t *len)
{
	char	 path[4096], *buf = NULL;
	FILE	*f;
	long	 size;

	snprintf(path, sizeof(path), "%s/%s.%u.json", dir, command, n);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(path, sizeof(path), "%s/%s.json", dir, command);
		if ((f = fopen(path, "r")) == NULL)
			return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(size + 1)) != NULL) {
		*len = fread(buf, 1, size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static void
log_request(const char *line)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/requests", dir);
	if ((f = fopen(path, "a")) != NULL) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

static void
drain(int fd)
{
	char	buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Returns 0 to go on with this connection, -1 to close it. */
static int
answer(int fd, const char *line)
{
	json_t		*req;
	const char	*cmd;
	char		 name[32], *buf, *huge;
	size_t		 len;

	log_request(line);
	req = json_loads(line, 0, NULL);
	cmd = json_string_value(json_object_get(req, "command"));
	snprintf(name, sizeof(name), "%s", cmd != NULL &&
	    strchr(cmd, '/') == NULL && cmd[0] != '.' ? cmd : "invalid");
	json_decref(req);
	if ((buf = reply_file(name, count(name), &len)) == NULL) {
		dprintf(fd, "{\"version\": 1, \"error\": \"unknown command: "
		    "%s\"}\n", name);
		return 0;
	}
	if (strncmp(buf, "@close", 6) == 0) {
		free(buf);
		return -1;
	}
	if (strncmp(buf, "@exit", 5) == 0) {
		unlink(sockpath);
		exit(0);
	}
	if (strncmp(buf, "@hang", 5) == 0) {
		drain(fd);
		free(buf);
		return -1;
	}
	if (strncmp(buf, "@huge", 5) == 0) {
		len = 64 * 1024 * 1024 + 1;
		if ((huge = malloc(len)) != NULL) {
			memset(huge, 'x', len);
			write_all(fd, huge, len);
			free(huge);
		}
		free(buf);
		return -1;
	}
	write_all(fd, buf, len);
	free(buf);
	return 0;
}

static void
serve(int fd)
{
	char	*buf, *nl, *p;
	size_t	 len = 0;
	ssize_t	 n;

	if ((buf = malloc(LINE_MAX_LEN + 1)) == NULL)
		return;
	for (;;) {
		if ((n = read(fd, buf + len, LINE_MAX_LEN - len)) <= 0)
			break;
		len += (size_t)n;
		p = buf;
		while ((nl = memchr(p, '\n', len - (size_t)(p - buf))) != NULL) {
			*nl = '\0';
			if (answer(fd, p) == -1)
				goto done;
			p = nl + 1;
		}
		len -= (size_t)(p - buf);
		memmove(buf, p, len);
		if (len == LINE_MAX_LEN)
			break;
	}
done:
	free(buf);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun;
	char			 path[4096];
	int			 s, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: fakectl SOCKET DIR\n");
		return 2;
	}
	sockpath = argv[1];
	dir = argv[2];
	signal(SIGPIPE, SIG_IGN);
	/* A test that dies must not leave this behind for long. */
	alarm(600);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sockpath) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "fakectl: socket path too long\n");
		return 1;
	}
	strcpy(sun.sun_path, sockpath);
	unlink(sockpath);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(s, 16) == -1) {
		perror("fakectl");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/ready", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
		perror(path);
		return 1;
	}
	close(fd);
	for (;;) {
		if ((fd = accept(s, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			perror("fakectl: accept");
			return 1;
		}
		serve(fd);
		close(fd);
	}
}
