/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the L2-L4 classifier (dataplane/pkt.c). Frames come from one builder driven by
 * a struct spec; each case checks the verdict, the struct kw_pkt_info fields and the whole
 * counter block (every counter not expected to move stays 0). Then every truncation of valid
 * frames, 20000 pseudo-random and mutated frames, and mbuf chains split at header boundaries;
 * for every TCP frame accepted in an mbuf, the segment kw_inspect_seg takes from the result must
 * be the one kw_tcp_seg_parse reads from the headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/counters.h"
#include "dataplane/inspect.h"
#include "dataplane/pkt.h"
#include "dataplane/tcp/tcp_stream.h"
#include "kw_test_eal.h"

#define FRAME_MAX 2048
#define CUT_MAX 24
#define ETYPE_IPV4 0x0800
#define ETYPE_IPV6 0x86dd
#define ETYPE_ARP 0x0806
#define TPID_VLAN 0x8100
#define TPID_QINQ 0x88a8
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60

/* Counter ids ending with -1, for ctr_expect(). */
#define CTRS(...) ((const int[]){__VA_ARGS__, -1})

/* What to build. Lengths of options are in bytes (multiples of 4); n_vlan may exceed 2. */
struct spec {
	unsigned int n_vlan;
	uint16_t tpid[4];   /* outer tag first */
	uint16_t ethertype; /* after the tags; 0: from family */
	uint8_t family;     /* 4, 6, or 0 for a non-IP body */
	uint8_t src[16];
	uint8_t dst[16];
	unsigned int ip_opt;
	uint16_t ip_frag;   /* IPv4 flags + fragment offset word */
	unsigned int n_ext; /* IPv6 extension headers, in order */
	uint8_t ext[12];
	uint8_t ext_len[12]; /* their Hdr Ext Len byte (ignored for a fragment header) */
	uint16_t ext_frag;   /* a fragment header's offset/M word */
	uint8_t proto;
	uint16_t sport;
	uint16_t dport;
	unsigned int tcp_opt;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	unsigned int payload;
	unsigned int pad; /* Ethernet padding after the IP packet */
};

/* A built frame and the offsets the builder wrote. */
struct frame {
	uint8_t b[FRAME_MAX];
	uint32_t len;
	uint32_t l2_len;
	uint32_t l3_len;
	uint32_t l4_len;
	uint32_t l3;       /* offset of the IP header */
	uint32_t l4;       /* offset of the transport header */
	uint32_t n_cut;
	uint32_t cut[CUT_MAX]; /* header boundaries, ascending, each in (0, len) */
};

/* Every counter that explains why a frame is not trackable; a frame moves at most one. */
static const int anomaly_ctrs[] = {
	KW_CTR_PKT_NON_IP,       KW_CTR_PKT_L2_TRUNCATED,  KW_CTR_PKT_VLAN_TOO_DEEP,
	KW_CTR_PKT_IP_TRUNCATED, KW_CTR_PKT_IP_BAD_VERSION, KW_CTR_PKT_IP_BAD_IHL,
	KW_CTR_PKT_IP_BAD_LEN,   KW_CTR_PKT_IPV6_EXT_BAD,  KW_CTR_PKT_FRAGMENT,
	KW_CTR_PKT_OTHER_L4,     KW_CTR_PKT_L4_TRUNCATED,  KW_CTR_PKT_TCP_BAD_DOFF,
};

static struct rte_mempool *pool;

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static void
cut_add(struct frame *f, uint32_t off)
{
	assert_true(f->n_cut < CUT_MAX);
	f->cut[f->n_cut++] = off;
}

static uint32_t
ext_size(uint8_t type, uint8_t len)
{
	return type == NH_FRAGMENT ? 8 : ((uint32_t)len + 1) * 8;
}

/* The one frame builder: Ethernet, tags, IPv4/IPv6 with options or extension headers, L4. */
static void
frame_build(struct frame *f, const struct spec *s)
{
	uint8_t *b = f->b;
	uint32_t o, i, l4_hdr, ip_len;
	uint16_t type = s->ethertype;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 6; i++) {
		b[i] = (uint8_t)(0x02 + i);
		b[6 + i] = (uint8_t)(0x12 + i);
	}
	o = 12;
	cut_add(f, o);
	for (i = 0; i < s->n_vlan; i++) {
		wr16(b + o, s->tpid[i]);
		wr16(b + o + 2, (uint16_t)(100 + i));
		o += 4;
		cut_add(f, o);
	}
	if (type == 0)
		type = s->family == 6 ? ETYPE_IPV6 : ETYPE_IPV4;
	wr16(b + o, type);
	o += 2;
	f->l2_len = o;
	f->l3 = o;

	if (s->proto == IPPROTO_TCP)
		l4_hdr = 20 + s->tcp_opt;
	else
		l4_hdr = 8; /* UDP, or the first 8 bytes of ICMP and friends */

	if (s->family == 4) {
		ip_len = 20 + s->ip_opt + l4_hdr + s->payload;
		b[o] = (uint8_t)(0x40 | (5 + s->ip_opt / 4));
		wr16(b + o + 2, (uint16_t)ip_len);
		wr16(b + o + 4, 0x1234);
		wr16(b + o + 6, s->ip_frag);
		b[o + 8] = 64;
		b[o + 9] = s->proto;
		memcpy(b + o + 12, s->src, 4);
		memcpy(b + o + 16, s->dst, 4);
		cut_add(f, o + 20);
		memset(b + o + 20, 1, s->ip_opt); /* NOP options */
		o += 20 + s->ip_opt;
	} else if (s->family == 6) {
		uint32_t ext_total = 0;

		for (i = 0; i < s->n_ext; i++)
			ext_total += ext_size(s->ext[i], s->ext_len[i]);
		ip_len = 40 + ext_total + l4_hdr + s->payload;
		b[o] = 0x60;
		wr16(b + o + 4, (uint16_t)(ip_len - 40));
		b[o + 6] = s->n_ext > 0 ? s->ext[0] : s->proto;
		b[o + 7] = 64;
		memcpy(b + o + 8, s->src, 16);
		memcpy(b + o + 24, s->dst, 16);
		o += 40;
		for (i = 0; i < s->n_ext; i++) {
			uint32_t sz = ext_size(s->ext[i], s->ext_len[i]);

			cut_add(f, o);
			memset(b + o, 0, sz); /* Pad1 options */
			b[o] = i + 1 < s->n_ext ? s->ext[i + 1] : s->proto;
			if (s->ext[i] == NH_FRAGMENT) {
				wr16(b + o + 2, s->ext_frag);
				wr32(b + o + 4, 0xabcdef01);
			} else {
				b[o + 1] = s->ext_len[i];
			}
			o += sz;
		}
	} else {
		/* an ARP-sized body of zeros */
		ip_len = 28;
		l4_hdr = 0;
		o += ip_len;
		f->len = o + s->pad;
		return;
	}
	f->l3_len = o - f->l3;
	f->l4 = o;
	f->l4_len = l4_hdr;
	cut_add(f, o);
	wr16(b + o, s->sport);
	wr16(b + o + 2, s->dport);
	if (s->proto == IPPROTO_TCP) {
		wr32(b + o + 4, s->seq);
		wr32(b + o + 8, s->ack);
		b[o + 12] = (uint8_t)((5 + s->tcp_opt / 4) << 4);
		b[o + 13] = s->flags;
		wr16(b + o + 14, s->win);
		cut_add(f, o + 20);
		memset(b + o + 20, 1, s->tcp_opt);
	} else if (s->proto == IPPROTO_UDP) {
		wr16(b + o + 4, (uint16_t)(8 + s->payload));
	}
	o += l4_hdr;
	if (s->payload > 0)
		cut_add(f, o);
	for (i = 0; i < s->payload; i++)
		b[o + i] = (uint8_t)i;
	o += s->payload;
	f->len = o + s->pad; /* padding stays zero */
	assert_true(f->len <= FRAME_MAX);
}

static struct spec
spec_tcp4(void)
{
	struct spec s = {
		.family = 4,
		.src = {10, 0, 0, 1},
		.dst = {10, 0, 0, 2},
		.proto = IPPROTO_TCP,
		.sport = 40000,
		.dport = 9092,
		.seq = 0x11223344,
		.ack = 0x55667788,
		.flags = 0x18, /* PSH ACK */
		.win = 0x7210,
		.payload = 100,
	};
	return s;
}

static struct spec
spec_tcp6(void)
{
	struct spec s = spec_tcp4();

	s.family = 6;
	memset(s.src, 0, sizeof(s.src));
	memset(s.dst, 0, sizeof(s.dst));
	s.src[0] = s.dst[0] = 0x20;
	s.src[1] = s.dst[1] = 0x01;
	s.src[2] = s.dst[2] = 0x0d;
	s.src[3] = s.dst[3] = 0xb8;
	s.src[15] = 1;
	s.dst[15] = 2;
	return s;
}

/* The other direction of the same flow. */
static struct spec
spec_reverse(const struct spec *s)
{
	struct spec r = *s;

	memcpy(r.src, s->dst, sizeof(r.src));
	memcpy(r.dst, s->src, sizeof(r.dst));
	r.sport = s->dport;
	r.dport = s->sport;
	r.seq = s->ack;
	r.ack = s->seq;
	return r;
}

/* Parse from a heap copy of exactly len bytes, so ASan and valgrind see any over-read. */
static bool
parse_exact(const uint8_t *buf, uint32_t len, uint32_t frame_len, struct kw_pkt_info *pi,
	    struct kw_counters *ctr)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	bool ok;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	ok = kw_pkt_parse(copy, len, frame_len, pi, ctr);
	free(copy);
	return ok;
}

/* The counter block equals the one where exactly the listed counters are 1. */
static void
ctr_expect(const struct kw_counters *got, const int *ids)
{
	struct kw_counters want;
	unsigned int i, bad = 0;

	memset(&want, 0, sizeof(want));
	for (; *ids >= 0; ids++)
		want.v[*ids]++;
	for (i = 0; i < KW_CTR_MAX; i++) {
		if (got->v[i] == want.v[i])
			continue;
		print_error("counter %s: got %llu, want %llu\n", kw_ctr_desc[i].name,
			    (unsigned long long)got->v[i], (unsigned long long)want.v[i]);
		bad++;
	}
	assert_int_equal(bad, 0);
}

static unsigned int
anomalies(const struct kw_counters *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < RTE_DIM(anomaly_ctrs); i++)
		n += (unsigned int)c->v[anomaly_ctrs[i]];
	return n;
}

/* What the parser must report for the trackable frame f built from s. */
static void
pi_expect(const struct spec *s, const struct frame *f, struct kw_pkt_info *pi)
{
	unsigned int alen = s->family == 4 ? 4 : 16;
	int c = memcmp(s->src, s->dst, alen);
	bool rev = c > 0 || (c == 0 && s->sport > s->dport);

	memset(pi, 0, sizeof(*pi));
	memcpy(pi->key.addr_lo, rev ? s->dst : s->src, alen);
	memcpy(pi->key.addr_hi, rev ? s->src : s->dst, alen);
	pi->key.port_lo = rev ? s->dport : s->sport;
	pi->key.port_hi = rev ? s->sport : s->dport;
	pi->key.proto = s->proto;
	pi->key.family = s->family;
	pi->trackable = 1;
	pi->dir = rev;
	pi->l3 = s->family == 4 ? KW_PKT_L3_IPV4 : KW_PKT_L3_IPV6;
	pi->l4_proto = s->proto;
	pi->n_vlan = (uint8_t)s->n_vlan;
	pi->l2_len = (uint16_t)f->l2_len;
	pi->l3_len = (uint16_t)f->l3_len;
	pi->l4_len = (uint16_t)f->l4_len;
	pi->payload_len = s->payload;
	if (s->proto == IPPROTO_TCP) {
		pi->tcp_flags = s->flags;
		pi->tcp_seq = s->seq;
		pi->tcp_ack = s->ack;
		pi->tcp_win = s->win;
	}
}

static void
pi_assert(const struct kw_pkt_info *got, const struct kw_pkt_info *want)
{
	assert_memory_equal(&got->key, &want->key, sizeof(want->key));
	assert_int_equal(got->trackable, want->trackable);
	assert_int_equal(got->dir, want->dir);
	assert_int_equal(got->l3, want->l3);
	assert_int_equal(got->l4_proto, want->l4_proto);
	assert_int_equal(got->n_vlan, want->n_vlan);
	assert_int_equal(got->l2_len, want->l2_len);
	assert_int_equal(got->l3_len, want->l3_len);
	assert_int_equal(got->l4_len, want->l4_len);
	assert_int_equal(got->payload_len, want->payload_len);
	assert_int_equal(got->tcp_flags, want->tcp_flags);
	if (want->l4_proto == IPPROTO_TCP) {
		assert_int_equal(got->tcp_seq, want->tcp_seq);
		assert_int_equal(got->tcp_ack, want->tcp_ack);
		assert_int_equal(got->tcp_win, want->tcp_win);
	}
}

/* s builds a trackable frame: every field and exactly the counters ids. */
static void
expect_track(const struct spec *s, const int *ids, struct kw_pkt_info *out)
{
	struct frame f;
	struct kw_pkt_info pi, want;
	struct kw_counters ctr;

	memset(&ctr, 0, sizeof(ctr));
	frame_build(&f, s);
	assert_true(parse_exact(f.b, f.len, f.len, &pi, &ctr));
	pi_expect(s, &f, &want);
	pi_assert(&pi, &want);
	ctr_expect(&ctr, ids);
	if (out != NULL)
		*out = pi;
}

/* The frame f is not trackable and moves exactly the counters ids (which imply pi.l3). */
static void
expect_drop_frame(const struct frame *f, const int *ids)
{
	struct kw_pkt_info pi;
	struct kw_counters ctr;
	uint8_t l3 = KW_PKT_L3_NONE;
	const int *id;

	for (id = ids; *id >= 0; id++) {
		if (*id == KW_CTR_PKT_IPV4)
			l3 = KW_PKT_L3_IPV4;
		else if (*id == KW_CTR_PKT_IPV6)
			l3 = KW_PKT_L3_IPV6;
	}

	memset(&ctr, 0, sizeof(ctr));
	memset(&pi, 0xa5, sizeof(pi));
	assert_false(parse_exact(f->b, f->len, f->len, &pi, &ctr));
	assert_int_equal(pi.trackable, 0);
	assert_int_equal(pi.l3, l3);
	ctr_expect(&ctr, ids);
	assert_int_equal(anomalies(&ctr), 1);
}

static void
expect_drop(const struct spec *s, const int *ids)
{
	struct frame f;

	frame_build(&f, s);
	expect_drop_frame(&f, ids);
}

static void
test_ipv4_tcp_both_directions(void **state)
{
	struct spec s = spec_tcp4(), r = spec_reverse(&s);
	struct kw_pkt_info a, b;
	static const uint8_t lo[4] = {10, 0, 0, 1}, hi[4] = {10, 0, 0, 2};

	(void)state;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &a);
	expect_track(&r, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &b);
	assert_memory_equal(&a.key, &b.key, sizeof(a.key));
	assert_int_equal(a.dir, 0);
	assert_int_equal(b.dir, 1);
	/* the literal key, not only what pi_expect derives */
	assert_memory_equal(a.key.addr_lo, lo, 4);
	assert_memory_equal(a.key.addr_hi, hi, 4);
	assert_int_equal(a.key.port_lo, 40000);
	assert_int_equal(a.key.port_hi, 9092);
	assert_int_equal(a.key.family, 4);
	assert_int_equal(a.key.proto, IPPROTO_TCP);
	assert_int_equal(a.l2_len, 14);
	assert_int_equal(a.l3_len, 20);
	assert_int_equal(a.l4_len, 20);
	assert_int_equal(a.payload_len, 100);
	assert_int_equal(b.tcp_seq, 0x55667788);
	assert_int_equal(b.tcp_ack, 0x11223344);
}

static void
test_ipv4_same_address_ports_order(void **state)
{
	struct spec s = spec_tcp4(), r;
	struct kw_pkt_info a, b;

	(void)state;
	memcpy(s.dst, s.src, 4);
	r = spec_reverse(&s);
	expect_track(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &a);
	expect_track(&r, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &b);
	assert_memory_equal(&a.key, &b.key, sizeof(a.key));
	assert_int_equal(a.key.port_lo, 9092);
	assert_int_equal(a.key.port_hi, 40000);
	assert_int_equal(a.dir, 1);
	assert_int_equal(b.dir, 0);
}

static void
test_udp_icmp_arp(void **state)
{
	struct spec s = spec_tcp4();
	struct kw_pkt_info pi;

	(void)state;
	s.proto = IPPROTO_UDP;
	s.payload = 5;
	s.pad = 60 - 14 - 20 - 8 - 5; /* minimum Ethernet frame */
	expect_track(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_UDP), &pi);
	assert_int_equal(pi.l4_len, 8);
	assert_int_equal(pi.payload_len, 5);
	assert_int_equal(pi.key.proto, IPPROTO_UDP);

	s = spec_tcp6();
	s.proto = IPPROTO_UDP;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_UDP), NULL);

	s = spec_tcp4();
	s.proto = IPPROTO_ICMP;
	expect_drop(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_OTHER_L4));

	s = spec_tcp4();
	s.family = 0;
	s.ethertype = ETYPE_ARP;
	s.pad = 18;
	expect_drop(&s, CTRS(KW_CTR_PKT_NON_IP));
}

static void
test_ethernet_padding(void **state)
{
	struct spec s = spec_tcp4();
	struct kw_pkt_info pi;

	(void)state;
	s.payload = 0;
	s.flags = 0x02; /* SYN */
	s.pad = 6;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.payload_len, 0);

	s.payload = 3;
	s.pad = 3;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.payload_len, 3);
}

static void
test_vlan(void **state)
{
	struct spec s = spec_tcp4();
	struct kw_pkt_info pi;

	(void)state;
	s.n_vlan = 1;
	s.tpid[0] = TPID_VLAN;
	expect_track(&s, CTRS(KW_CTR_PKT_VLAN, KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.l2_len, 18);

	s.n_vlan = 2;
	s.tpid[0] = TPID_QINQ;
	s.tpid[1] = TPID_VLAN;
	expect_track(&s, CTRS(KW_CTR_PKT_QINQ, KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.l2_len, 22);
	assert_int_equal(pi.n_vlan, 2);

	s = spec_tcp6();
	s.n_vlan = 2;
	s.tpid[0] = TPID_QINQ;
	s.tpid[1] = TPID_VLAN;
	expect_track(&s, CTRS(KW_CTR_PKT_QINQ, KW_CTR_PKT_IPV6, KW_CTR_PKT_TCP), NULL);

	s = spec_tcp4();
	s.n_vlan = 3;
	s.tpid[0] = TPID_QINQ;
	s.tpid[1] = TPID_VLAN;
	s.tpid[2] = TPID_VLAN;
	expect_drop(&s, CTRS(KW_CTR_PKT_VLAN_TOO_DEEP));
	/* the parser stops at the third tag, before any L3 */
	s.family = 0;
	expect_drop(&s, CTRS(KW_CTR_PKT_VLAN_TOO_DEEP));
}

static void
test_ipv4_options_and_ihl(void **state)
{
	struct spec s = spec_tcp4();
	struct kw_pkt_info pi;
	struct frame f;

	(void)state;
	s.ip_opt = 12;
	s.tcp_opt = 12;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_IP_OPTIONS, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.l3_len, 32);
	assert_int_equal(pi.l4_len, 32);
	assert_int_equal(pi.payload_len, 100);

	s = spec_tcp4();
	frame_build(&f, &s);
	f.b[f.l3] = 0x44;
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_IP_BAD_IHL));

	/* IHL 15 (60 bytes) over a 40-byte SYN: past the packet and past the total length */
	s.payload = 0;
	frame_build(&f, &s);
	f.b[f.l3] = 0x4f;
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_IP_BAD_IHL));
	/* the same with padding: inside the frame, still past the IP total length */
	s.pad = 40;
	frame_build(&f, &s);
	f.b[f.l3] = 0x4f;
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_IP_BAD_IHL));
}

static void
test_ipv4_bad_version_len_fragment(void **state)
{
	struct spec s = spec_tcp4();
	struct frame f;

	(void)state;
	frame_build(&f, &s);
	f.b[f.l3] = 0x65;
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_IP_BAD_VERSION));

	frame_build(&f, &s);
	wr16(f.b + f.l3 + 2, (uint16_t)(f.len - f.l3 + 1));
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_IP_BAD_LEN));

	s.ip_frag = 0x2000; /* MF */
	expect_drop(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_FRAGMENT));
	s.ip_frag = 0x0010; /* last fragment, offset 128 bytes */
	expect_drop(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_FRAGMENT));
	s.ip_frag = 0x4000; /* DF alone is a whole packet */
	expect_track(&s, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP), NULL);
}

static void
test_tcp_bad_doff(void **state)
{
	struct spec s = spec_tcp4();
	struct frame f;

	(void)state;
	frame_build(&f, &s);
	f.b[f.l4 + 12] = 0x40;
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP, KW_CTR_PKT_TCP_BAD_DOFF));

	s.payload = 0;
	frame_build(&f, &s);
	f.b[f.l4 + 12] = 0xf0; /* 60 bytes of a 20-byte segment */
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV4, KW_CTR_PKT_TCP, KW_CTR_PKT_TCP_BAD_DOFF));
}

static void
test_ipv6_tcp(void **state)
{
	struct spec s = spec_tcp6(), r = spec_reverse(&s);
	struct kw_pkt_info a, b;

	(void)state;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_TCP), &a);
	expect_track(&r, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_TCP), &b);
	assert_memory_equal(&a.key, &b.key, sizeof(a.key));
	assert_int_equal(a.dir, 0);
	assert_int_equal(b.dir, 1);
	assert_int_equal(a.key.family, 6);
	assert_int_equal(a.key.addr_lo[15], 1);
	assert_int_equal(a.key.addr_hi[15], 2);
	assert_int_equal(a.l3_len, 40);
}

static void
test_ipv6_extension_headers(void **state)
{
	struct spec s = spec_tcp6();
	struct kw_pkt_info pi;
	struct frame f;
	unsigned int i;

	(void)state;
	s.n_ext = 3;
	s.ext[0] = NH_HOPOPTS;
	s.ext[1] = NH_DSTOPTS;
	s.ext_len[1] = 1; /* 16 bytes */
	s.ext[2] = NH_ROUTING;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IPV6_EXT, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.l3_len, 40 + 8 + 16 + 8);
	assert_int_equal(pi.l4_proto, IPPROTO_TCP);

	/* the chain runs past the packet */
	frame_build(&f, &s);
	f.b[f.l3 + 40 + 8 + 1] = 200;
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IPV6_EXT, KW_CTR_PKT_IPV6_EXT_BAD));

	/* at the limit: 8 headers parse, 9 do not */
	s = spec_tcp6();
	s.n_ext = KW_PKT_IPV6_EXT_MAX;
	for (i = 0; i < s.n_ext; i++)
		s.ext[i] = NH_DSTOPTS;
	expect_track(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IPV6_EXT, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.l3_len, 40 + 8 * KW_PKT_IPV6_EXT_MAX);
	s.ext[s.n_ext++] = NH_DSTOPTS;
	expect_drop(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IPV6_EXT, KW_CTR_PKT_IPV6_EXT_BAD));
}

static void
test_ipv6_fragment_header(void **state)
{
	struct spec s = spec_tcp6();
	struct kw_pkt_info pi;

	(void)state;
	s.n_ext = 2;
	s.ext[0] = NH_HOPOPTS;
	s.ext[1] = NH_FRAGMENT;
	s.ext_frag = 0x0001; /* offset 0, M */
	expect_drop(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IPV6_EXT, KW_CTR_PKT_FRAGMENT));
	s.ext_frag = 0x0100; /* last fragment at offset 32 */
	expect_drop(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IPV6_EXT, KW_CTR_PKT_FRAGMENT));
	s.ext_frag = 0x0006; /* atomic: the reserved bits do not make a fragment */
	expect_track(&s, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IPV6_EXT, KW_CTR_PKT_TCP), &pi);
	assert_int_equal(pi.l3_len, 40 + 8 + 8);
}

static void
test_ipv6_bad_len_version(void **state)
{
	struct spec s = spec_tcp6();
	struct frame f;

	(void)state;
	frame_build(&f, &s);
	wr16(f.b + f.l3 + 4, 0);
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IP_BAD_LEN));

	frame_build(&f, &s);
	wr16(f.b + f.l3 + 4, (uint16_t)(f.len - f.l3 - 40 + 1));
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IP_BAD_LEN));

	frame_build(&f, &s);
	f.b[f.l3] = 0x40;
	expect_drop_frame(&f, CTRS(KW_CTR_PKT_IPV6, KW_CTR_PKT_IP_BAD_VERSION));
}

/*
 * Every prefix of a valid frame, both as a short frame (len == frame_len) and as a header copy
 * of a longer frame (len < frame_len): a frame cut inside its headers is never trackable and
 * explains itself with exactly one anomaly counter; a copy that holds all headers is trackable.
 */
static void
truncate_all(const struct spec *s)
{
	struct frame f;
	struct kw_pkt_info pi;
	struct kw_counters ctr;
	uint32_t n, hdr_end;

	frame_build(&f, s);
	hdr_end = f.l4 + f.l4_len;
	for (n = 0; n < f.len; n++) {
		memset(&ctr, 0, sizeof(ctr));
		assert_false(parse_exact(f.b, n, n, &pi, &ctr));
		assert_int_equal(pi.trackable, 0);
		assert_int_equal(anomalies(&ctr), 1);

		memset(&ctr, 0, sizeof(ctr));
		if (parse_exact(f.b, n, f.len, &pi, &ctr)) {
			/* a copy cut inside the TCP options must not be trackable */
			assert_true(n >= hdr_end);
			assert_int_equal(anomalies(&ctr), 0);
			assert_int_equal(pi.payload_len, s->payload);
		} else {
			assert_true(n < hdr_end);
			assert_int_equal(anomalies(&ctr), 1);
		}
	}
}

static void
test_truncation(void **state)
{
	struct spec s = spec_tcp4();

	(void)state;
	truncate_all(&s);
	/* TCP options without IP options: kw_pkt_parse's fast path must see a cut inside them */
	s.tcp_opt = 12;
	truncate_all(&s);
	s.ip_opt = 8;
	truncate_all(&s);

	s = spec_tcp6();
	s.n_vlan = 1;
	s.tpid[0] = TPID_VLAN;
	truncate_all(&s);
	s.n_ext = 2;
	s.ext[0] = NH_HOPOPTS;
	s.ext[1] = NH_FRAGMENT;
	truncate_all(&s);
}

static uint64_t
xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static unsigned int n_seg_checked; /* whole TCP frames fuzz_one compared with seg_same */
static void seg_same(const struct rte_mbuf *m, const struct kw_pkt_info *pi);

/*
 * One random parse: a frame moves at most one anomaly counter, is trackable exactly when it
 * moves none, and a trackable frame's lengths fit the bytes given.
 */
static bool
fuzz_one(const uint8_t *b, uint32_t len, uint32_t frame_len)
{
	struct kw_pkt_info pi;
	struct kw_counters ctr;
	bool ok;

	memset(&ctr, 0, sizeof(ctr));
	ok = parse_exact(b, len, frame_len, &pi, &ctr);
	assert_int_equal(pi.trackable, ok);
	assert_int_equal(anomalies(&ctr), ok ? 0 : 1);
	if (ok) {
		/* every header byte the result describes lies inside the buffer */
		assert_true((uint32_t)pi.l2_len + pi.l3_len + pi.l4_len <= len);
		assert_true((uint32_t)pi.l2_len + pi.l3_len + pi.l4_len + pi.payload_len <=
			    frame_len);
		assert_true(pi.key.family == 4 || pi.key.family == 6);
		if (len == frame_len && pi.l4_proto == IPPROTO_TCP) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			char *p;

			assert_non_null(m);
			p = rte_pktmbuf_append(m, (uint16_t)len);
			assert_non_null(p);
			memcpy(p, b, len);
			seg_same(m, &pi);
			rte_pktmbuf_free(m);
			n_seg_checked++;
		}
	}
	return ok;
}

static void
test_fuzz(void **state)
{
	static const uint16_t types[] = {ETYPE_IPV4, ETYPE_IPV6, TPID_VLAN, TPID_QINQ, ETYPE_ARP};
	struct frame tmpl[7], f;
	struct spec s;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned int i, k, n_track = 0;

	(void)state;
	s = spec_tcp4();
	s.ip_opt = 8;
	s.tcp_opt = 12;
	frame_build(&tmpl[0], &s);
	s = spec_tcp6();
	s.n_vlan = 2;
	s.tpid[0] = TPID_QINQ;
	s.tpid[1] = TPID_VLAN;
	s.n_ext = 3;
	s.ext[0] = NH_HOPOPTS;
	s.ext[1] = NH_ROUTING;
	s.ext[2] = NH_FRAGMENT;
	frame_build(&tmpl[1], &s);
	s = spec_tcp4();
	s.proto = IPPROTO_UDP;
	s.payload = 4;
	s.pad = 10;
	frame_build(&tmpl[2], &s);
	s = spec_tcp6();
	s.n_vlan = 1;
	s.tpid[0] = TPID_VLAN;
	frame_build(&tmpl[3], &s);
	s = spec_tcp4();
	s.n_vlan = 1;
	s.tpid[0] = TPID_VLAN;
	s.payload = 0;
	frame_build(&tmpl[4], &s);
	/* frames for kw_pkt_parse's fast path: untagged, IHL 5, TCP with and without options */
	s = spec_tcp4();
	frame_build(&tmpl[5], &s);
	s.tcp_opt = 12;
	s.payload = 3;
	frame_build(&tmpl[6], &s);

	for (i = 0; i < 20000; i++) {
		uint32_t len, frame_len;

		if (i % 2 == 0) {
			/* random bytes, often behind a plausible ethertype and IP version */
			len = (uint32_t)(xorshift64(&x) % 160);
			for (k = 0; k < len; k++)
				f.b[k] = (uint8_t)xorshift64(&x);
			if (len >= 15 && (xorshift64(&x) & 1)) {
				uint16_t t = types[xorshift64(&x) % RTE_DIM(types)];

				wr16(f.b + 12, t);
				f.b[14] = (uint8_t)((t == ETYPE_IPV6 ? 0x60 : 0x40) |
						    (f.b[14] & 0x0f));
			}
		} else {
			/* a valid frame with 1-4 bytes replaced, sometimes cut */
			const struct frame *t = &tmpl[xorshift64(&x) % RTE_DIM(tmpl)];
			unsigned int n_flip = 1 + (unsigned int)(xorshift64(&x) % 4);

			memcpy(f.b, t->b, t->len);
			len = t->len;
			for (k = 0; k < n_flip; k++)
				f.b[xorshift64(&x) % len] = (uint8_t)xorshift64(&x);
			if (xorshift64(&x) % 4 == 0)
				len = (uint32_t)(xorshift64(&x) % len);
		}
		/* a quarter are header copies of a longer frame */
		frame_len = len;
		if (xorshift64(&x) % 4 == 0)
			frame_len += (uint32_t)(xorshift64(&x) % 2000);
		n_track += fuzz_one(f.b, len, frame_len);
	}
	/* the mutations must leave many frames valid, or this test explored nothing */
	assert_true(n_track > 1000);
	assert_true(n_seg_checked > 500);
}

/* A chain of the bytes of f split at the offsets cut[0..n-1] (ascending, inside the frame). */
static struct rte_mbuf *
chain_build(const struct frame *f, const uint32_t *cut, unsigned int n)
{
	struct rte_mbuf *head = NULL;
	uint32_t from = 0;
	unsigned int i;

	for (i = 0; i <= n; i++) {
		uint32_t to = i < n ? cut[i] : f->len;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		char *p;

		assert_non_null(m);
		p = rte_pktmbuf_append(m, (uint16_t)(to - from));
		assert_non_null(p);
		memcpy(p, f->b + from, to - from);
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
		from = to;
	}
	assert_int_equal(head->nb_segs, n + 1);
	assert_int_equal(head->pkt_len, f->len);
	return head;
}

/*
 * The TCP segment kwire takes from what the classifier read (kw_inspect_seg) is the one
 * kw_tcp_seg_parse reads from the headers, for a TCP frame the classifier accepted in m.
 */
static void
seg_same(const struct rte_mbuf *m, const struct kw_pkt_info *pi)
{
	struct kw_tcp_seg a, b;
	int ra, rb;

	if (!pi->trackable || pi->l4_proto != IPPROTO_TCP)
		return;
	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	ra = kw_inspect_seg(m, pi, &a);
	rb = kw_tcp_seg_parse(m, pi->l3 == KW_PKT_L3_IPV4 ? 4 : 6, pi->l2_len,
			      (uint16_t)(pi->l2_len + pi->l3_len), &b);
	assert_int_equal(ra, 0);
	assert_int_equal(rb, 0);
	assert_int_equal(a.seq, b.seq);
	assert_int_equal(a.ack, b.ack);
	assert_int_equal(a.pay_off, b.pay_off);
	assert_int_equal(a.pay_len, b.pay_len);
	assert_int_equal(a.win, b.win);
	assert_int_equal(a.l3_off, b.l3_off);
	assert_int_equal(a.l4_off, b.l4_off);
	assert_int_equal(a.flags, b.flags);
	assert_int_equal(a.ip_ver, b.ip_ver);
	assert_int_equal(a.wscale, b.wscale);
	assert_int_equal(a.csum, b.csum);
}

/* The chain split at cut parses exactly like the flat frame (same info, same counters). */
static void
chain_check(const struct frame *f, const uint32_t *cut, unsigned int n)
{
	struct rte_mbuf *m = chain_build(f, cut, n);
	struct kw_pkt_info flat, chained;
	struct kw_counters c_flat, c_chain;
	bool ok_flat, ok_chain;

	/* same filler in both: fields the parser leaves alone must match too */
	memset(&flat, 0xa5, sizeof(flat));
	memset(&chained, 0xa5, sizeof(chained));
	memset(&c_flat, 0, sizeof(c_flat));
	memset(&c_chain, 0, sizeof(c_chain));
	ok_flat = kw_pkt_parse(f->b, RTE_MIN(f->len, (uint32_t)KW_PKT_HDR_MAX), f->len, &flat,
			       &c_flat);
	ok_chain = kw_pkt_parse_mbuf(m, &chained, &c_chain);
	if (ok_chain)
		seg_same(m, &chained);
	rte_pktmbuf_free(m);
	assert_true(ok_flat);
	assert_int_equal(ok_chain, ok_flat);
	assert_memory_equal(&chained, &flat, sizeof(flat));
	assert_memory_equal(&c_chain, &c_flat, sizeof(c_flat));
}

static void
chain_all(const struct frame *f)
{
	uint32_t cut[2];
	unsigned int i, j;

	for (i = 0; i < f->n_cut; i++) {
		chain_check(f, &f->cut[i], 1);
		for (j = i + 1; j < f->n_cut; j++) {
			cut[0] = f->cut[i];
			cut[1] = f->cut[j];
			chain_check(f, cut, 2);
		}
	}
	/* and two segments at every byte of the headers */
	for (cut[0] = 1; cut[0] < f->l4 + f->l4_len + 1 && cut[0] < f->len; cut[0]++)
		chain_check(f, cut, 1);
}

static void
test_mbuf_chain(void **state)
{
	struct spec s;
	struct frame f;

	(void)state;
	s = spec_tcp4();
	s.n_vlan = 1;
	s.tpid[0] = TPID_VLAN;
	s.ip_opt = 8;
	s.tcp_opt = 12;
	frame_build(&f, &s);
	assert_true(f.n_cut >= 6);
	chain_all(&f);

	s = spec_tcp6();
	s.n_vlan = 2;
	s.tpid[0] = TPID_QINQ;
	s.tpid[1] = TPID_VLAN;
	s.n_ext = 3;
	s.ext[0] = NH_HOPOPTS;
	s.ext[1] = NH_DSTOPTS;
	s.ext_len[1] = 2;
	s.ext[2] = NH_ROUTING;
	frame_build(&f, &s);
	chain_all(&f);

	/* longer than KW_PKT_HDR_MAX: only the header copy is read, lengths come from IP */
	s = spec_tcp4();
	s.proto = IPPROTO_UDP;
	s.payload = 600;
	frame_build(&f, &s);
	assert_true(f.len > KW_PKT_HDR_MAX);
	chain_all(&f);
}

static int
mbuf_setup(void **state)
{
	(void)state;
	if (kw_test_eal_init() != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test_pkt", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool != NULL ? 0 : -1;
}

static int
mbuf_teardown(void **state)
{
	(void)state;
	/* every chain was freed: the pool is full again */
	if (rte_mempool_avail_count(pool) != 63)
		return -1;
	rte_mempool_free(pool);
	return rte_eal_cleanup();
}

int
main(void)
{
	const struct CMUnitTest flat[] = {
		cmocka_unit_test(test_ipv4_tcp_both_directions),
		cmocka_unit_test(test_ipv4_same_address_ports_order),
		cmocka_unit_test(test_udp_icmp_arp),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_ipv4_options_and_ihl),
		cmocka_unit_test(test_ipv4_bad_version_len_fragment),
		cmocka_unit_test(test_tcp_bad_doff),
		cmocka_unit_test(test_ipv6_tcp),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_ipv6_fragment_header),
		cmocka_unit_test(test_ipv6_bad_len_version),
		cmocka_unit_test(test_truncation),
	};
	/* with an mbuf pool: the fuzz also checks kw_inspect_seg on whole TCP frames in mbufs */
	const struct CMUnitTest mbuf[] = {
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_mbuf_chain),
	};
	int failed = cmocka_run_group_tests_name("pkt", flat, NULL, NULL);

	failed += cmocka_run_group_tests_name("pkt_mbuf", mbuf, mbuf_setup, mbuf_teardown);
	return failed;
}
