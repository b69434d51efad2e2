/*
 * The reload reader.  Parsing nmigd.conf and the resolver list takes 30
 * to 80 ms at 10,000 domains, more than the loop may stand still for a
 * request (nmigd(8): about 50 ms), so it runs on a thread: one per read,
 * started when a reload is asked for, which touches only the files and
 * what it allocates.  When it is done it writes a byte to a pipe; the
 * loop joins it and hands the result on, so the model is only ever
 * changed by the loop.  Reloads asked for during a read are folded into
 * one more read after it, as the files may have changed meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "reload.h"

struct reload {
	struct event_base	*base;
	struct event		*ev_done;	/* the pipe's read end */
	int			 pipe[2];
	char			*path;
	reload_read_fn		*read;
	reload_done_fn		*done;
	void			*arg;
	pthread_t		 thread;
	bool			 running;
	bool			 threaded;	/* thread is to be joined */
	bool			 again;		/* asked for during the read */
	unsigned		 seq;		/* of the last read started */
	struct reload_result	 result;	/* the thread's, until joined */
};

/* How long freeing waits for a read under way (at SIGTERM), and where a
 * read that does not end (a file system that hangs) is left: the thread
 * still writes to it, and from here it is not a leak. */
#define RELOAD_FREE_WAIT_MS	2000
static struct reload	*abandoned;

static void	reload_done_cb(evutil_socket_t, short, void *);

static long long
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads, then wakes the loop.  A pipe byte rather than an event made
 * active from here: libevent would need its locking for that. */
static void *
reload_thread(void *arg)
{
	struct reload	*r = arg;
	long long	 t0 = mono_ms();
	char		 c = 0;
	ssize_t		 n;

	r->result.rc = r->read(r->path, &r->result.cfg, &r->result.rl,
	    &r->result.errs);
	r->result.read_ms = mono_ms() - t0;
	do
		n = write(r->pipe[1], &c, 1);
	while (n == -1 && errno == EINTR);
	return NULL;
}

/* What the callee did not take (set to NULL) is freed here. */
static void
reload_result_free(struct reload_result *res)
{
	config_free(res->cfg);
	if (res->rl != NULL) {
		resolvers_free(res->rl);
		free(res->rl);
	}
	errlist_free(&res->errs);
	memset(res, 0, sizeof(*res));
}

static void
reload_finish(struct reload *r, struct reload_result *res)
{
	r->done(r->arg, res);
	reload_result_free(res);
}

static void
reload_start(struct reload *r)
{
	sigset_t	all, old;
	int		err;

	memset(&r->result, 0, sizeof(r->result));
	r->result.seq = ++r->seq;
	r->running = true;
	r->threaded = true;
	/* Signals are the loop's (libevent's handlers): the thread starts
	 * with them all blocked, so that none interrupts its reads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, reload_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0)
		return;
	/* Out of threads: read on the loop, late rather than never, and
	 * answer through the pipe all the same, so that the result never
	 * arrives inside reload_request(). */
	log_warnx("reload: cannot start a thread (%s); reading on the loop",
	    strerror(err));
	r->threaded = false;
	(void)reload_thread(r);
}

struct reload *
reload_new(struct event_base *base, const char *path, reload_read_fn *read,
    reload_done_fn *done, void *arg)
{
	struct reload	*r = xcalloc(1, sizeof(*r));

	r->base = base;
	r->path = xstrdup(path);
	r->read = read;
	r->done = done;
	r->arg = arg;
	if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("%s: pipe2", __func__);
	if ((r->ev_done = event_new(base, r->pipe[0], EV_READ | EV_PERSIST,
	    reload_done_cb, r)) == NULL || event_add(r->ev_done, NULL) == -1)
		fatalx("%s: cannot register the pipe", __func__);
	return r;
}

static void
reload_join(struct reload *r)
{
	char	buf[16];

	if (r->threaded)
		(void)pthread_join(r->thread, NULL);
	r->running = false;
	while (read(r->pipe[0], buf, sizeof(buf)) > 0)
		;
}

/* Whether the read under way ends within ms. */
static bool
reload_wait(struct reload *r, int ms)
{
	struct pollfd	pfd = { r->pipe[0], POLLIN, 0 };
	int		n;

	while ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
		;
	return n == 1;
}

void
reload_free(struct reload *r)
{
	if (r == NULL)
		return;
	if (r->running && !reload_wait(r, RELOAD_FREE_WAIT_MS)) {
		log_warnx("reload: the configuration is still being read; "
		    "exiting without it");
		event_free(r->ev_done);
		(void)pthread_detach(r->thread);
		abandoned = r;
		return;
	}
	if (r->running) {
		reload_join(r);
		reload_result_free(&r->result);
	}
	event_free(r->ev_done);
	close(r->pipe[0]);
	close(r->pipe[1]);
	free(r->path);
	free(r);
}

bool
reload_busy(const struct reload *r)
{
	return r->running;
}

unsigned
reload_request(struct reload *r)
{
	if (r->running) {
		r->again = true;
		return r->seq + 1;
	}
	reload_start(r);
	return r->seq;
}

static void
reload_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reload		*r = arg;
	struct reload_result	 res;

	if (!r->running)
		return;
	reload_join(r);
	res = r->result;
	memset(&r->result, 0, sizeof(r->result));
	/* The next read starts before this one is applied: reload_busy()
	 * tells the callee that another result is coming, and a request it
	 * makes waits for that read instead of starting a second thread. */
	if (r->again) {
		r->again = false;
		reload_start(r);
	}
	reload_finish(r, &res);
}
