/*
 * mkpackets: writes the seed corpus of fuzz_packet, answers made up with
 * ldns (nothing is asked of any server).  Each file is the selector byte
 * of fuzz_packet.c's question table followed by the message.
 *
 *	cc -o mkpackets tests/fuzz/mkpackets.c -lldns
 *	./mkpackets tests/fuzz/corpus/packet
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <ldns/ldns.h>

struct seed {
	const char	*file;
	uint8_t		 selector;
	const char	*qname;
	uint16_t	 qtype;
	uint16_t	 flags;		/* beyond QR */
	uint8_t		 rcode;
	uint8_t		 ext_rcode;	/* with EDNS */
	int		 edns;
	const char	*an[8];
	const char	*ns[4];
	const char	*ar[4];
};

#define Z	"example.co.jp."

static const struct seed seeds[] = {
	{ "ns-new", 1, Z, LDNS_RR_TYPE_NS, LDNS_RD | LDNS_RA, 0, 0, 1,
	  { Z " 300 IN NS hns0.dns.nifcloud.com.",
	    Z " 300 IN NS HNS1.dns.nifcloud.com." },
	  { NULL },
	  { "hns0.dns.nifcloud.com. 300 IN A 192.0.2.53",
	    "hns1.dns.nifcloud.com. 300 IN AAAA 2001:db8::53" } },
	{ "mx-old", 2, Z, LDNS_RR_TYPE_MX, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { Z " 3600 IN MX 10 mail.oldhost.ne.jp." } },
	{ "mx-two", 2, Z, LDNS_RR_TYPE_MX, LDNS_RD | LDNS_RA | LDNS_AA, 0, 0, 1,
	  { Z " 60 IN MX 10 mx01." Z, Z " 30 IN MX 10 mx02." Z,
	    Z " 30 IN MX 10 mx02." Z } },
	{ "a-cname-chain", 3, "www." Z, LDNS_RR_TYPE_A, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { "www." Z " 300 IN CNAME web." Z, "web." Z " 300 IN CNAME lb." Z,
	    "lb." Z " 20 IN A 203.0.113.10", "other." Z " 20 IN A 192.0.2.9" } },
	{ "cname-loop", 3, "www." Z, LDNS_RR_TYPE_A, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { "www." Z " 300 IN CNAME a." Z, "a." Z " 300 IN CNAME www." Z } },
	{ "nxdomain", 3, "www." Z, LDNS_RR_TYPE_A, LDNS_RD | LDNS_RA,
	  LDNS_RCODE_NXDOMAIN, 0, 1,
	  { NULL },
	  { Z " 900 IN SOA ns1.oldhost.ne.jp. hostmaster." Z
	    " 2026112701 3600 900 604800 300" } },
	{ "nodata", 2, Z, LDNS_RR_TYPE_MX, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { NULL },
	  { Z " 60 IN SOA ns1. hostmaster. 1 2 3 4 600" } },
	{ "aaaa", 4, "www." Z, LDNS_RR_TYPE_AAAA, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { "www." Z " 300 IN AAAA 2001:db8::1", "WWW." Z " 300 IN AAAA ::ffff:192.0.2.1" } },
	{ "txt", 5, Z, LDNS_RR_TYPE_TXT, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { Z " 300 IN TXT \"v=spf1 a mx -all\"",
	    Z " 300 IN TXT \"semi;colon\" \"two\\\"quote\" \"\\000\\255\"" } },
	{ "https", 6, Z, LDNS_RR_TYPE_HTTPS, LDNS_RD | LDNS_RA, 0, 0, 1,
	  { Z " 300 IN HTTPS 1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1",
	    Z " 300 IN HTTPS 0 www." Z } },
	{ "svcb", 7, "_dns." Z, LDNS_RR_TYPE_SVCB, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { "_dns." Z " 300 IN SVCB 1 dns.example.net. mandatory=alpn,port alpn=dot port=853 no-default-alpn key65000=\"x,y\" ech=AEX+DQBBpQAgACBA" } },
	{ "caa", 8, Z, LDNS_RR_TYPE_CAA, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { Z " 300 IN CAA 0 issue \"ca.example.net; account=1\"",
	    Z " 300 IN CAA 128 tbs \"x\"" } },
	{ "cname", 9, "www." Z, LDNS_RR_TYPE_CNAME, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { "www." Z " 300 IN CNAME web." Z } },
	{ "soa", 10, Z, LDNS_RR_TYPE_SOA, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { Z " 900 IN SOA hns0.dns.nifcloud.com. root.dns.nifcloud.com. 1 3600 900 604800 300" } },
	{ "tlsa", 11, "_25._tcp.mx01." Z, LDNS_RR_TYPE_TLSA, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { "_25._tcp.mx01." Z " 300 IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" } },
	{ "servfail", 0, Z, LDNS_RR_TYPE_NS, LDNS_RD | LDNS_RA,
	  LDNS_RCODE_SERVFAIL, 0, 0 },
	{ "badvers", 0, Z, LDNS_RR_TYPE_MX, LDNS_RD | LDNS_RA, 0, 1, 1 },
	{ "truncated", 1, Z, LDNS_RR_TYPE_NS, LDNS_RD | LDNS_RA | LDNS_TC, 0, 0, 1 },
	{ "own-unknown-type", 0, "x." Z, 65280, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { "x." Z " 300 IN TYPE65280 \\# 3 abcdef" } },
	{ "own-ds", 0, Z, LDNS_RR_TYPE_DS, LDNS_RD | LDNS_RA, 0, 0, 0,
	  { Z " 300 IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" } },
	/* What the parent finder, the parent's and the providers' servers
	 * are asked: a referral with glue, the parent's DS set, an
	 * authoritative SOA and DNSKEY set. */
	{ "referral", 1, Z, LDNS_RR_TYPE_NS, 0, 0, 0, 1,
	  { NULL },
	  { Z " 86400 IN NS hns0.dns.nifcloud.com.",
	    Z " 86400 IN NS ns1." Z },
	  { "ns1." Z " 86400 IN A 192.0.2.53" } },
	{ "ds-parent", 12, Z, LDNS_RR_TYPE_DS, LDNS_AA, 0, 0, 1,
	  { Z " 86400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
	    Z " 86400 IN DS 60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A" } },
	{ "dnskey-new", 13, Z, LDNS_RR_TYPE_DNSKEY, LDNS_AA, 0, 0, 1,
	  { Z " 3600 IN DNSKEY 256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==",
	    Z " 3600 IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==" } },
	{ "soa-aa", 10, Z, LDNS_RR_TYPE_SOA, LDNS_AA, 0, 0, 1,
	  { Z " 300 IN SOA hns0.dns.nifcloud.com. hostmaster.nifcloud.com. 2026120101 300 300 3600 300" } },
};

static void
push(ldns_pkt *p, ldns_pkt_section sec, const char *const *rrs, size_t max)
{
	ldns_rr	*rr;
	size_t	 i;

	for (i = 0; i < max && rrs[i] != NULL; i++) {
		if (ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL, NULL) !=
		    LDNS_STATUS_OK) {
			fprintf(stderr, "bad record: %s\n", rrs[i]);
			exit(1);
		}
		ldns_pkt_push_rr(p, sec, rr);
	}
}

int
main(int argc, char **argv)
{
	const struct seed	*s;
	ldns_pkt		*p;
	uint8_t			*wire;
	size_t			 len, i;
	char			 path[4096];
	FILE			*fp;

	if (argc != 2) {
		fprintf(stderr, "usage: mkpackets DIR\n");
		return 2;
	}
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		s = &seeds[i];
		if (ldns_pkt_query_new_frm_str(&p, s->qname, s->qtype,
		    LDNS_RR_CLASS_IN, LDNS_QR | s->flags) != LDNS_STATUS_OK)
			return 1;
		ldns_pkt_set_id(p, (uint16_t)(0x1234 + i * 0x101));
		ldns_pkt_set_rcode(p, s->rcode);
		push(p, LDNS_SECTION_ANSWER, s->an, 8);
		push(p, LDNS_SECTION_AUTHORITY, s->ns, 4);
		push(p, LDNS_SECTION_ADDITIONAL, s->ar, 4);
		if (s->edns) {
			ldns_pkt_set_edns_udp_size(p, 1232);
			ldns_pkt_set_edns_extended_rcode(p, s->ext_rcode);
		}
		if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK)
			return 1;
		snprintf(path, sizeof(path), "%s/%s", argv[1], s->file);
		if ((fp = fopen(path, "wb")) == NULL ||
		    fputc(s->selector, fp) == EOF ||
		    fwrite(wire, 1, len, fp) != len || fclose(fp) != 0) {
			perror(path);
			return 1;
		}
		free(wire);
		ldns_pkt_free(p);
	}
	return 0;
}
