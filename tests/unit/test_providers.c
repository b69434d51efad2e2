/*
 * lib/providers.c through lib/apply.c's judging: the old provider's
 * servers serving, partly or stopped (and the event when they stop while
 * resolvers still point at them), the new provider's ok, lame, serving
 * other records or other serials, and no completion while it is wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include <ldns/ldns.h>

#include "apply.h"
#include "providers.h"
#include "rdata.h"
#include "testworld.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

static const char resolvers[] = TW_TWO_RESOLVERS;
static const char domain[] = TW_EXAMPLE_DOMAIN;

static int
group_setup(void **state)
{
	return tw_setup("test-providers");
}

static int
group_teardown(void **state)
{
	return tw_cleanup();
}

/* The SOA answer of a server: with authority and a serial, or rcode
 * alone (aa false, serial 0: a referral). */
static void
soa(struct world *wd, struct watch *w, size_t slot, uint8_t rcode, bool aa,
    uint32_t serial)
{
	struct observation	o;
	uint8_t			rd[RDATA_MAX];
	char			text[128], err[128];
	int			len;

	memset(&o, 0, sizeof(o));
	o.status = OBS_ANSWER;
	o.answer.rcode = rcode;
	o.answer.aa = aa;
	o.answer.ttl = 300;
	if (serial != 0) {
		snprintf(text, sizeof(text), "ns.example. host.example. %u "
		    "3600 900 604800 300", serial);
		len = rdata_parse(w->dc->name, LDNS_RR_TYPE_SOA, text, rd, err,
		    sizeof(err));
		assert_true(len > 0);
		rdset_add(&o.answer.rdata, rd, (size_t)len);
	}
	apply_observation(wd->m, w, slot, w->dc->nchecks + OQ_SOA, &o, NOW);
	rdset_free(&o.answer.rdata);
}

/* Every check of the server, with authority. */
static void
records(struct world *wd, struct watch *w, size_t slot, enum tw_which set)
{
	struct observation	o;
	size_t			k;

	for (k = 0; k < w->dc->nchecks; k++) {
		tw_answer_of(&o, &w->dc->checks[k], set, LDNS_RCODE_NOERROR);
		o.answer.aa = true;
		apply_observation(wd->m, w, slot, k, &o, NOW);
		rdset_free(&o.answer.rdata);
	}
}

static void
round_end(struct world *wd, struct watch *w, struct judge *j, time_t now)
{
	judge_round(j, wd->m, w, now, 1);
}

static void
test_new_provider(void **state)
{
	struct world	 wd;
	struct watch	*w;
	struct judge	 j;
	size_t		 a, b;
	char		 why[160];

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 1\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	a = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns0.dns.nifcloud.com.", "192.0.2.5");
	b = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns1.dns.nifcloud.com.", "192.0.2.6");
	assert_int_equal(verdict_new_provider(wd.m, w, why, sizeof(why)),
	    NP_PENDING);

	/* One serves the zone, the other refers us elsewhere: lame, and the
	 * resolvers' switch to it is no completion. */
	soa(&wd, w, a, LDNS_RCODE_NOERROR, true, 7);
	records(&wd, w, a, TW_NEW);
	soa(&wd, w, b, LDNS_RCODE_NOERROR, false, 0);
	tw_answer_all(&wd, w, 0, TW_NEW, 300, NOW);
	tw_answer_all(&wd, w, 1, TW_NEW, 300, NOW);
	round_end(&wd, w, &j, NOW);
	assert_int_equal(w->new_state, NP_LAME);
	assert_int_equal(verdict_new_provider(wd.m, w, why, sizeof(why)),
	    NP_LAME);
	assert_string_equal(why, "hns1.dns.nifcloud.com does not serve the "
	    "zone");
	assert_true(w->rv[0].switched);
	assert_int_equal(w->state, DS_PROPAGATING);
	assert_int_equal(w->complete_at, 0);

	/* A name server no resolver can find is as lame. */
	w->new_noaddr = "hns2.dns.nifcloud.com.";
	assert_int_equal(verdict_new_provider(wd.m, w, why, sizeof(why)),
	    NP_LAME);
	w->new_noaddr = NULL;
	soa(&wd, w, b, LDNS_RCODE_NOERROR, true, 7);
	records(&wd, w, b, TW_NEW);
	assert_int_equal(verdict_new_provider(wd.m, w, why, sizeof(why)),
	    NP_OK);
	w->new_noaddr = "hns2.dns.nifcloud.com.";
	assert_int_equal(verdict_new_provider(wd.m, w, why, sizeof(why)),
	    NP_LAME);
	assert_string_equal(why, "hns2.dns.nifcloud.com has no address");
	w->new_noaddr = NULL;

	/* It serves it, with another serial. */
	soa(&wd, w, b, LDNS_RCODE_NOERROR, true, 8);
	records(&wd, w, b, TW_NEW);
	round_end(&wd, w, &j, NOW + 60);
	assert_int_equal(w->new_state, NP_INCONSISTENT);
	assert_int_equal(w->complete_at, 0);
	/* The same serial, other MX records. */
	soa(&wd, w, b, LDNS_RCODE_NOERROR, true, 7);
	records(&wd, w, b, TW_OTHER);
	round_end(&wd, w, &j, NOW + 120);
	assert_int_equal(w->new_state, NP_MISMATCH);
	/* A timeout says nothing of the zone; the rest is right. */
	records(&wd, w, b, TW_NEW);
	round_end(&wd, w, &j, NOW + 180);
	assert_int_equal(w->new_state, NP_OK);
	assert_int_equal(w->state, DS_COMPLETE);
	assert_int_equal(w->complete_at, NOW + 180);
	judge_free(&j);
	tw_free(&wd);
}

static void
test_old_provider(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	struct observation	 o;
	size_t			 a, b;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 1\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	a = tw_server(&wd, w, TK_OLD_AUTH, "ns1.oldhost.ne.jp.", "192.0.2.3");
	b = tw_server(&wd, w, TK_OLD_AUTH, "ns2.oldhost.ne.jp.", "192.0.2.4");
	soa(&wd, w, a, LDNS_RCODE_NOERROR, true, 1);
	soa(&wd, w, b, LDNS_RCODE_NOERROR, true, 1);
	tw_answer_all(&wd, w, 0, TW_OLD, 300, NOW);
	tw_answer_all(&wd, w, 1, TW_OLD, 300, NOW);
	round_end(&wd, w, &j, NOW);
	assert_int_equal(w->old_state, OP_SERVING);

	soa(&wd, w, b, LDNS_RCODE_REFUSED, false, 0);
	round_end(&wd, w, &j, NOW + 60);
	assert_int_equal(w->old_state, OP_PARTLY);
	assert_int_equal(j.events.n, 0);

	/* Both gone while both resolvers hold old answers: announced once. */
	memset(&o, 0, sizeof(o));
	o.status = OBS_TIMEOUT;
	apply_observation(wd.m, w, a, w->dc->nchecks + OQ_SOA, &o, NOW + 100);
	/* One round of it is no outage, even with confirm = 1. */
	round_end(&wd, w, &j, NOW + 100);
	assert_int_equal(w->old_state, OP_STOPPED);
	assert_int_equal(j.events.n, 0);
	round_end(&wd, w, &j, NOW + 120);
	assert_int_equal(w->old_stopped_at, NOW + 120);
	assert_int_equal(j.events.n, 1);
	assert_string_equal(j.events.v[0].je.message_id, MSGID_OLD_STOPPED);
	assert_int_equal(j.events.v[0].je.priority, 3);
	assert_string_equal(j.events.v[0].message, "old nameservers for "
	    "example.co.jp stopped serving while 2 resolvers still point at "
	    "them: mail may bounce");
	assert_string_equal(j.events.v[0].fields[0], "NMIGD_RESOLVERS_OLD=2");
	round_end(&wd, w, &j, NOW + 180);
	assert_int_equal(j.events.n, 0);
	/* One back: still latched.  Both back: a later stop is news again.
	 * An SOA with nothing in it serves nothing. */
	soa(&wd, w, a, LDNS_RCODE_NOERROR, true, 1);
	round_end(&wd, w, &j, NOW + 240);
	assert_int_equal(w->old_state, OP_PARTLY);
	assert_int_equal(w->old_stopped_at, NOW + 120);
	soa(&wd, w, b, LDNS_RCODE_NOERROR, true, 1);
	round_end(&wd, w, &j, NOW + 300);
	assert_int_equal(w->old_state, OP_SERVING);
	assert_int_equal(w->old_stopped_at, NOW + 120);
	round_end(&wd, w, &j, NOW + 330);
	assert_int_equal(w->old_stopped_at, 0);
	memset(&o, 0, sizeof(o));
	o.status = OBS_ANSWER;
	o.answer.aa = true;
	rdset_add(&o.answer.rdata, (const uint8_t *)"", 0);
	apply_observation(wd.m, w, b, w->dc->nchecks + OQ_SOA, &o, NOW + 360);
	rdset_free(&o.answer.rdata);
	round_end(&wd, w, &j, NOW + 360);
	assert_int_equal(w->old_state, OP_PARTLY);
	judge_free(&j);
	tw_free(&wd);
}

/* Keys and a DS of RFC 4034 5.4 and RFC 4509 (tests/unit/test_dnssec.c
 * checks them), for their owner. */
#define KEY	"256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/" \
		"2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvx" \
		"egXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc" \
		"nOf+EPbtG9DMBmADjFDc2w/rljwvFw=="
#define DS	"60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383" \
		"F6A1E4469DA50A"

/* A set answer (DS or DNSKEY) with authority to own question q. */
static void
set_answer(struct world *wd, struct watch *w, size_t slot, size_t q,
    uint16_t type, const char *text)
{
	struct observation	o;
	uint8_t			rd[RDATA_MAX];
	char			err[128];
	int			len;

	memset(&o, 0, sizeof(o));
	o.status = OBS_ANSWER;
	o.answer.aa = true;
	if (text != NULL) {
		len = rdata_parse(w->dc->name, type, text, rd, err,
		    sizeof(err));
		assert_true(len > 0);
		rdset_add(&o.answer.rdata, rd, (size_t)len);
	}
	apply_observation(wd->m, w, slot, w->dc->nchecks + q, &o, NOW);
	rdset_free(&o.answer.rdata);
}

/* The parent has a DS for the key of the new servers' zone: a server
 * without that key (here, unsigned) will make validation fail once the
 * parent delegates to them: announced once, with the tags. */
static void
test_dnssec(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	struct observation	 o;
	size_t			 p, a, b;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 1\n", "[domain dskey.example.com]\n"
	    "ns = ns1.example.net ns2.example.net\nmx = none\n", false);
	w = tw_watch(&wd, "dskey.example.com.");
	p = tw_server(&wd, w, TK_PARENT, "a.gtld.example.", "192.0.2.30");
	a = tw_server(&wd, w, TK_NEW_AUTH, "ns1.example.net.", "192.0.2.31");
	b = tw_server(&wd, w, TK_NEW_AUTH, "ns2.example.net.", "192.0.2.32");
	round_end(&wd, w, &j, NOW);
	assert_int_equal(w->dnssec_new, DN_UNKNOWN);

	/* No DS: nothing to check. */
	set_answer(&wd, w, p, OQ_DS, LDNS_RR_TYPE_DS, NULL);
	round_end(&wd, w, &j, NOW);
	assert_int_equal(w->dnssec_new, DN_UNSIGNED);

	set_answer(&wd, w, p, OQ_DS, LDNS_RR_TYPE_DS, DS);
	set_answer(&wd, w, a, OQ_DNSKEY, LDNS_RR_TYPE_DNSKEY, KEY);
	round_end(&wd, w, &j, NOW + 60);
	assert_int_equal(w->dnssec_new, DN_MATCH);
	/* The other server's zone is unsigned: before the parent's switch a
	 * warning in status, no event (even after two rounds). */
	set_answer(&wd, w, b, OQ_DNSKEY, LDNS_RR_TYPE_DNSKEY, NULL);
	round_end(&wd, w, &j, NOW + 120);
	assert_int_equal(w->dnssec_new, DN_NO_MATCH);
	assert_int_equal(j.events.n, 0);
	/* The parent refers to the new servers now. */
	tw_answer_of(&o, &w->dc->checks[0], TW_NEW, LDNS_RCODE_NOERROR);
	o.answer.auth_ns = o.answer.rdata;
	memset(&o.answer.rdata, 0, sizeof(o.answer.rdata));
	apply_observation(wd.m, w, p, 0, &o, NOW + 180);
	rdset_free(&o.answer.auth_ns);
	round_end(&wd, w, &j, NOW + 180);
	assert_int_equal(w->parent_state, PS_NEW);
	assert_int_equal(j.events.n, 2);	/* the registry's switch too */
	assert_string_equal(j.events.v[0].je.message_id,
	    MSGID_PARENT_SWITCHED);
	j.events.v[0] = j.events.v[1];
	assert_string_equal(j.events.v[0].je.message_id, MSGID_DNSSEC);
	assert_int_equal(j.events.v[0].je.priority, 2);
	assert_string_equal(j.events.v[0].message, "DNSSEC for "
	    "dskey.example.com will fail: no DS at the parent matches a "
	    "DNSKEY of the new nameservers");
	assert_string_equal(j.events.v[0].fields[0], "NMIGD_DS_KEYTAGS=60485");
	assert_string_equal(j.events.v[0].fields[1], "NMIGD_DNSKEY_KEYTAGS=");
	assert_int_equal(w->dnssec_failed_at, NOW + 180);
	round_end(&wd, w, &j, NOW + 240);
	assert_int_equal(j.events.n, 0);
	/* Signed with the key the DS stands for: fixed, and the latch goes
	 * once that has lasted two rounds. */
	set_answer(&wd, w, b, OQ_DNSKEY, LDNS_RR_TYPE_DNSKEY, KEY);
	round_end(&wd, w, &j, NOW + 300);
	assert_int_equal(w->dnssec_new, DN_MATCH);
	assert_int_equal(w->dnssec_failed_at, NOW + 180);
	round_end(&wd, w, &j, NOW + 360);
	assert_int_equal(w->dnssec_failed_at, 0);
	/* A DS set of digests no validator uses: insecure, not failed. */
	set_answer(&wd, w, p, OQ_DS, LDNS_RR_TYPE_DS, "60485 5 3 00");
	round_end(&wd, w, &j, NOW + 420);
	assert_int_equal(w->dnssec_new, DN_UNSIGNED);
	judge_free(&j);
	tw_free(&wd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_provider),
		cmocka_unit_test(test_old_provider),
		cmocka_unit_test(test_dnssec),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
