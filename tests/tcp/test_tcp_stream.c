/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream reassembly scenarios (in the manner of Suricata's reassembly tests): in order,
 * every permutation, overlaps with same and conflicting bytes, retransmissions, gaps, sequence
 * wraparound, window, checksums, midstream, caps, chained mbufs (zero copy), and no mbuf or
 * node leaks. The sink concatenates what it is given and checks that offsets are contiguous
 * and that every pointer lies inside the data of an mbuf the test created.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cpuflags.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "dataplane/tcp/tcp_csum.h"
#include "dataplane/tcp/tcp_stream.h"
#include "kw_test_avx.h"
#include "kw_test_eal.h"
#include "kw_test_mbuf.h"

#define HDR	   54 /* room in front of the payload, as Ethernet + IPv4 + TCP would take */
#define STREAM_MAX 8192
#define LIVE_MAX   512
#define BALLAST	   64

struct rec {
	uint8_t buf[2][STREAM_MAX];
	uint32_t len[2];
	unsigned int pieces[2];
	unsigned int gaps[2];
	uint64_t gap_off[2];
	unsigned int closes[2];
	int close_how[2];
	unsigned int bad_off; /* a piece whose stream_off was not the next expected one */
	unsigned int bad_ptr; /* a piece not inside any mbuf of the test */
	unsigned int overflow;
};

static struct rte_mempool *g_mp;
static struct rte_mbuf *g_live[LIVE_MAX];
static unsigned int g_n_live;

static struct {
	struct kw_tcp_ctx *ctx;
	struct kw_tcp_conn c;
	struct kw_tcp_conn c2;
	struct rec r;
	struct kw_tcp_sink sink;
	unsigned int avail0;
	uint32_t nodes0;
} T;

static bool ptr_in_live_mbuf(const uint8_t *p, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < g_n_live; i++) {
		const struct rte_mbuf *s;

		for (s = g_live[i]; s != NULL; s = s->next) {
			const uint8_t *a = rte_pktmbuf_mtod(s, const uint8_t *);

			if (p >= a && p + len <= a + s->data_len)
				return true;
		}
	}
	return false;
}

static void sink_data(void *arg, unsigned int dir, uint64_t off, const uint8_t *p, uint32_t len)
{
	struct rec *r = arg;

	if (off != r->len[dir])
		r->bad_off++;
	if (!ptr_in_live_mbuf(p, len))
		r->bad_ptr++;
	if (r->len[dir] + len > STREAM_MAX) {
		r->overflow++;
		return;
	}
	memcpy(r->buf[dir] + r->len[dir], p, len);
	r->len[dir] += len;
	r->pieces[dir]++;
}

static void sink_gap(void *arg, unsigned int dir, uint64_t off)
{
	struct rec *r = arg;

	r->gaps[dir]++;
	r->gap_off[dir] = off;
}

static void sink_close(void *arg, unsigned int dir, int how)
{
	struct rec *r = arg;

	r->closes[dir]++;
	r->close_how[dir] = how;
}

/* Byte x of direction dir's stream; alt gives a different byte at every position. */
static uint8_t pat(unsigned int dir, uint64_t x, bool alt)
{
	uint8_t b = (uint8_t)(x * 7 + dir * 13 + 1 + (x >> 8));

	return alt ? (uint8_t)(b ^ 0x5a) : b;
}

/* An mbuf with HDR zero bytes then len payload bytes split over nseg segments. */
static struct rte_mbuf *mk_mbuf(const uint8_t *pay, uint32_t len, unsigned int nseg)
{
	struct rte_mbuf *head = kw_test_mbuf_chain(g_mp, HDR, pay, len, nseg);

	assert_non_null(head);
	assert_true(g_n_live < LIVE_MAX);
	g_live[g_n_live++] = head;
	return head;
}

/*
 * Feed one segment as the caller would: parse, input, then forward (free) the original; its
 * checksums known as csum (KW_TCP_SEG_CSUM_*).
 */
static int
feed_seg_csum(struct kw_tcp_conn *c, unsigned int dir, uint32_t seq, uint32_t ack, uint8_t flags,
	      uint16_t win, uint8_t wscale, const uint8_t *pay, uint32_t len, unsigned int nseg,
	      uint8_t csum)
{
	struct rte_mbuf *m = mk_mbuf(pay, len, nseg);
	struct kw_tcp_seg seg = {
		.seq = seq,
		.ack = ack,
		.pay_off = HDR,
		.pay_len = len,
		.win = win,
		.flags = flags,
		.ip_ver = 4,
		.wscale = wscale,
		.csum = csum,
	};
	int ret = kw_tcp_conn_input(T.ctx, c, dir, m, &seg, 0, &T.sink);

	rte_pktmbuf_free(m);
	return ret;
}

/* feed_seg_csum with good checksums. */
static int
feed_seg(struct kw_tcp_conn *c, unsigned int dir, uint32_t seq, uint32_t ack, uint8_t flags,
	 uint16_t win, uint8_t wscale, const uint8_t *pay, uint32_t len, unsigned int nseg)
{
	return feed_seg_csum(c, dir, seq, ack, flags, win, wscale, pay, len, nseg,
			     KW_TCP_SEG_CSUM_GOOD);
}

/* Stream bytes [off, off + len) of dir at sequence base + off. */
static int feed_data(struct kw_tcp_conn *c, unsigned int dir, uint32_t base, uint64_t off,
		     uint32_t len, uint8_t extra_flags, bool alt)
{
	uint8_t pay[2048];
	uint32_t i;

	assert_true(len <= sizeof(pay));
	for (i = 0; i < len; i++)
		pay[i] = pat(dir, off + i, alt);
	return feed_seg(c, dir, base + (uint32_t)off, 0, KW_TCP_PSH | extra_flags, 0,
			KW_TCP_WSCALE_NONE, pay, len, 1);
}

#define CISN 1000u
#define SISN 5000u

/* SYN, SYN/ACK, ACK. Windows are raw; wscale KW_TCP_WSCALE_NONE for no option. */
static void handshake(struct kw_tcp_conn *c, uint32_t cisn, uint32_t sisn, uint16_t cwin,
		      uint16_t swin, uint8_t cws, uint8_t sws)
{
	assert_int_equal(feed_seg(c, 0, cisn, 0, KW_TCP_SYN, cwin, cws, NULL, 0, 1), 0);
	assert_int_equal(
		feed_seg(c, 1, sisn, cisn + 1, KW_TCP_SYN | KW_TCP_ACK, swin, sws, NULL, 0, 1), 0);
	assert_int_equal(feed_seg(c, 0, cisn + 1, sisn + 1, KW_TCP_ACK, cwin, KW_TCP_WSCALE_NONE,
				  NULL, 0, 1),
			 0);
}

/* Client data without ACK flag does not touch the window; data from the server acks nothing. */
static void expect_stream(unsigned int dir, uint64_t from, uint32_t len, const bool *alt_at)
{
	uint32_t i;

	assert_int_equal(T.r.len[dir], from + len);
	for (i = 0; i < len; i++) {
		bool alt = alt_at != NULL && alt_at[from + i];

		if (T.r.buf[dir][from + i] != pat(dir, from + i, alt))
			fail_msg("dir %u byte %lu differs", dir, (unsigned long)(from + i));
	}
	assert_int_equal(T.r.bad_off, 0);
	assert_int_equal(T.r.bad_ptr, 0);
	assert_int_equal(T.r.overflow, 0);
}

static const struct kw_tcp_stats *st(void)
{
	return kw_tcp_ctx_stats(T.ctx);
}

static int start(const struct kw_tcp_params *p)
{
	struct kw_tcp_params def;

	if (p == NULL) {
		kw_tcp_params_defaults(&def);
		def.csum_mode = KW_TCP_CSUM_OFF;
		p = &def;
	}
	kw_tcp_ctx_free(T.ctx);
	T.ctx = kw_tcp_ctx_create(p, (int)rte_socket_id());
	if (T.ctx == NULL)
		return -1;
	T.nodes0 = kw_tcp_ctx_nodes_free(T.ctx);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&T.r, 0, sizeof(T.r));
	kw_tcp_conn_init(&T.c);
	kw_tcp_conn_init(&T.c2);
	T.sink = (struct kw_tcp_sink){sink_data, sink_gap, sink_close, &T.r};
	g_n_live = 0;
	T.avail0 = rte_mempool_avail_count(g_mp);
	T.ctx = NULL;
	return start(NULL);
}

/* Every test ends here: release, then no mbuf and no pool node may be missing. */
static int teardown(void **state)
{
	int ret = 0;

	(void)state;
	kw_tcp_conn_release(T.ctx, &T.c, NULL);
	kw_tcp_conn_release(T.ctx, &T.c2, NULL);
	if (kw_tcp_ctx_nodes_free(T.ctx) != T.nodes0)
		ret = -1;
	kw_tcp_ctx_free(T.ctx);
	T.ctx = NULL;
	if (rte_mempool_avail_count(g_mp) != T.avail0)
		ret = -1;
	return ret;
}

static void assert_no_leak(void)
{
	assert_int_equal(rte_mempool_avail_count(g_mp), T.avail0);
}

/* ---- scenarios ---- */

static void test_in_order(void **state)
{
	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 100, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 100, 50, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 1, SISN + 1, 0, 70, 0, false), 0);
	/* A late retransmitted SYN (same ISN) changes nothing; one with another ISN is ignored. */
	assert_int_equal(
		feed_seg(&T.c, 0, CISN, 0, KW_TCP_SYN, 65535, KW_TCP_WSCALE_NONE, NULL, 0, 1), 0);
	assert_int_equal(
		feed_seg(&T.c, 0, CISN + 7, 0, KW_TCP_SYN, 65535, KW_TCP_WSCALE_NONE, NULL, 0, 1),
		-EINVAL);
	assert_int_equal(st()->syn_ignored, 1);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 150, 30, KW_TCP_FIN, false), 0);
	expect_stream(0, 0, 180, NULL);
	expect_stream(1, 0, 70, NULL);
	assert_int_equal(T.r.closes[0], 1);
	assert_int_equal(T.r.close_how[0], KW_TCP_CLOSE_FIN);
	assert_int_equal(T.r.closes[1], 0);
	assert_int_equal(st()->bytes_delivered, 250);
	assert_int_equal(st()->syn, 2);
	assert_int_equal(st()->fin, 1);
	assert_int_equal(st()->ooo_held, 0);
	assert_false(kw_tcp_conn_midstream(&T.c, 0));
	/* Data after the FIN is not accepted. */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 180, 10, 0, false), -ENOTCONN);
	assert_int_equal(st()->after_close, 1);
	assert_int_equal(T.r.len[0], 180);
}

/* The SYN was missed: the SYN/ACK's ACK gives the client's ISN + 1, no midstream needed. */
static void test_missed_syn(void **state)
{
	(void)state;
	assert_int_equal(
		feed_seg(&T.c, 1, SISN, CISN + 1, KW_TCP_SYN | KW_TCP_ACK, 65535, 3, NULL, 0, 1),
		0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 20, 20, 0, false), 0); /* held */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 20, 0, false), 0);
	expect_stream(0, 0, 40, NULL);
	assert_false(kw_tcp_conn_midstream(&T.c, 0));
	assert_int_equal(st()->midstream_pickups, 0);
	/* The client's scale is unknown: its windows are taken at the largest shift. */
	assert_int_equal(feed_seg(&T.c, 0, CISN + 41, SISN + 1, KW_TCP_ACK, 1, KW_TCP_WSCALE_NONE,
				  NULL, 0, 1),
			 0);
	assert_int_equal(T.c.dir[0].win, 1u << KW_TCP_WSCALE_MAX);
	assert_int_equal(feed_data(&T.c, 1, SISN + 1, 0, 100, 0, false), 0);
	expect_stream(1, 0, 100, NULL);
}

static int next_perm(unsigned int *a, unsigned int n)
{
	int i = (int)n - 2, j = (int)n - 1;
	unsigned int t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return 0;
	while (a[j] <= a[i])
		j--;
	t = a[i], a[i] = a[j], a[j] = t;
	for (i++, j = (int)n - 1; i < j; i++, j--)
		t = a[i], a[i] = a[j], a[j] = t;
	return 1;
}

/* Every order of 3 and 4 segments (the last one carries FIN) yields the same stream. */
static void test_permutations(void **state)
{
	static const uint32_t lens[4] = {100, 37, 250, 1};
	unsigned int n, perms = 0;

	(void)state;
	for (n = 3; n <= 4; n++) {
		unsigned int order[4] = {0, 1, 2, 3};

		do {
			uint64_t offs[4], total = 0;
			unsigned int i;

			for (i = 0; i < n; i++) {
				offs[i] = total;
				total += lens[i];
			}
			memset(&T.r, 0, sizeof(T.r));
			g_n_live = 0;
			kw_tcp_conn_init(&T.c);
			handshake(&T.c, CISN, SISN, 65535, 65535, 7, 7);
			for (i = 0; i < n; i++) {
				unsigned int k = order[i];

				assert_int_equal(feed_data(&T.c, 0, CISN + 1, offs[k], lens[k],
							   k == n - 1 ? KW_TCP_FIN : 0, false),
						 0);
			}
			expect_stream(0, 0, (uint32_t)total, NULL);
			assert_int_equal(T.r.closes[0], 1);
			assert_int_equal(T.r.gaps[0], 0);
			assert_int_equal(T.c.dir[0].ooo_head, 0);
			assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 65536);
			assert_no_leak();
			kw_tcp_conn_release(T.ctx, &T.c, &T.sink);
			perms++;
		} while (next_perm(order, n));
	}
	assert_int_equal(perms, 6 + 24);
	assert_true(st()->ooo_held > 0);
	assert_int_equal(st()->ooo_filled, st()->ooo_held);
	assert_int_equal(st()->gaps, 0);
}

static void test_overlap_partial_same(void **state)
{
	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 100, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 50, 100, 0, false), 0);
	expect_stream(0, 0, 150, NULL);
	assert_int_equal(T.r.pieces[0], 2);
	assert_int_equal(st()->retx, 1);
	/* Full retransmission of delivered bytes: counted, nothing delivered. */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 150, 0, false), 0);
	assert_int_equal(st()->retx, 2);
	assert_int_equal(T.r.len[0], 150);
	/* Delivered bytes cannot be compared any more: a different retransmission is a retx. */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 10, 20, 0, true), 0);
	assert_int_equal(st()->retx, 3);
	assert_int_equal(st()->retx_conflict, 0);
	expect_stream(0, 0, 150, NULL);
}

/* Held data wins over a later copy with different bytes (first copy wins). */
static void test_overlap_conflict_held(void **state)
{
	bool alt[64] = {false};
	unsigned int i;

	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 10, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 20, 10, 0, false), 0); /* held */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 15, 10, 0, true), 0);  /* [15,20) new */
	assert_int_equal(st()->retx_conflict, 1);
	assert_int_equal(T.c.rare[0].ooo_segs, 2);
	assert_int_equal(T.r.len[0], 10);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 10, 10, 0, false), 0); /* fills */
	for (i = 15; i < 20; i++)
		alt[i] = true;
	expect_stream(0, 0, 30, alt);
	assert_int_equal(st()->retx_conflict, 2); /* [15,20) held alt vs the filling segment */
	assert_int_equal(st()->ooo_filled, 2);
	assert_no_leak();
}

/* An in-order superset of held data: held bytes first, new bytes around them. */
static void test_overlap_superset(void **state)
{
	bool alt[64] = {false};
	unsigned int i;

	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 10, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 20, 10, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 20, 10, 0, false), 0); /* same again */
	assert_int_equal(st()->retx, 1);
	assert_int_equal(st()->ooo_held, 1);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 10, 30, 0, true), 0);
	for (i = 10; i < 40; i++)
		alt[i] = i < 20 || i >= 30;
	expect_stream(0, 0, 40, alt);
	assert_int_equal(st()->retx_conflict, 1);
	/* An out-of-order superset: only the uncovered parts are held. */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 50, 5, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 45, 20, 0, false), 0);
	assert_int_equal(T.c.rare[0].ooo_segs, 3);
	assert_int_equal(T.c.rare[0].ooo_bytes, 20);
	assert_int_equal(st()->retx, 2);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 40, 5, 0, false), 0);
	assert_int_equal(T.r.len[0], 65);
	for (i = 40; i < 64; i++)
		assert_int_equal(T.r.buf[0][i], pat(0, i, false));
	assert_int_equal(T.c.rare[0].ooo_segs, 0);
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 65536);
}

/* FIN behind a hole; the receiver then ACKs the FIN: the hole can never be filled. */
static void test_gap_with_fin(void **state)
{
	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 100, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 200, 100, KW_TCP_FIN, false), 0);
	assert_int_equal(T.r.closes[0], 0);
	assert_int_equal(T.r.gaps[0], 0);
	/* Acks up to 100 are fine; the ACK of the FIN means bytes [100,200) were missed. */
	assert_int_equal(feed_seg(&T.c, 1, SISN + 1, CISN + 1 + 100, KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(T.r.gaps[0], 0);
	assert_int_equal(feed_seg(&T.c, 1, SISN + 1, CISN + 1 + 301, KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(T.r.gaps[0], 1);
	assert_int_equal(T.r.gap_off[0], 100);
	assert_true(kw_tcp_conn_opaque(&T.c, 0));
	assert_int_equal(st()->gap_acked, 1);
	assert_int_equal(st()->gaps, 1);
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 65536);
	assert_no_leak();
	/* The late hole filler is not delivered across the gap. */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 100, 100, 0, false), -ENOTCONN);
	expect_stream(0, 0, 100, NULL);
	/* An ACK beyond anything sent is ignored (it does not make a gap either). */
	assert_int_equal(feed_seg(&T.c, 0, CISN + 1, SISN + 1000, KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(st()->ack_unsent, 1);
	assert_int_equal(T.r.gaps[1], 0);
}

/* Held data when the flow is released: gap reported, every mbuf and node returned. */
static void test_release_frees_held(void **state)
{
	unsigned int i;

	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	for (i = 1; i <= 5; i++) {
		assert_int_equal(feed_data(&T.c, 0, CISN + 1, i * 100, 50, 0, false), 0);
		assert_int_equal(feed_data(&T.c, 1, SISN + 1, i * 100, 50, 0, false), 0);
	}
	assert_int_equal(rte_mempool_avail_count(g_mp), T.avail0 - 10);
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 65536 - 10);
	kw_tcp_conn_release(T.ctx, &T.c, &T.sink);
	assert_int_equal(T.r.gaps[0], 1);
	assert_int_equal(T.r.gaps[1], 1);
	assert_int_equal(T.r.gap_off[0], 0);
	assert_int_equal(st()->gap_closed, 2);
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 65536);
	assert_no_leak();
	assert_int_equal(T.c.dir[0].flags, 0); /* fresh again */
}

/* ISN near 2^32: offsets stay 64-bit and contiguous through the wrap, in and out of order. */
static void test_wraparound(void **state)
{
	const uint32_t cisn = 0xffffff00u;
	const uint32_t base = cisn + 1;

	(void)state;
	handshake(&T.c, cisn, 0xfffffff0u, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, base, 0, 200, 0, false), 0);   /* crosses 2^32 */
	assert_int_equal(feed_data(&T.c, 0, base, 400, 200, 0, false), 0); /* held */
	assert_int_equal(feed_data(&T.c, 0, base, 300, 150, 0, false), 0); /* held, overlaps */
	assert_int_equal(feed_data(&T.c, 0, base, 200, 100, 0, false), 0); /* fills */
	expect_stream(0, 0, 600, NULL);
	assert_true(kw_seq_lt(0xfffffff0u, 0x10));
	assert_true(kw_seq_gt(0x10, 0xfffffff0u));
	assert_true(kw_seq_le(5, 5) && kw_seq_ge(5, 5));
	/* The server side wraps right after its ISN too. */
	assert_int_equal(feed_data(&T.c, 1, 0xfffffff1u, 0, 100, 0, false), 0);
	expect_stream(1, 0, 100, NULL);
	assert_int_equal(st()->gaps, 0);
}

static void test_window(void **state)
{
	(void)state;
	/* No window scaling: the server's window is 1000 from its last ACK. */
	handshake(&T.c, CISN, SISN, 65535, 1000, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 500, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 1000, 10, 0, false), -ERANGE);
	assert_int_equal(st()->out_of_window, 1);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 999, 10, 0, false), 0); /* held */
	assert_int_equal(st()->ooo_held, 1);
	/* The server acks 500 with window 0: nothing beyond 500 is accepted. */
	assert_int_equal(feed_seg(&T.c, 1, SISN + 1, CISN + 1 + 500, KW_TCP_ACK, 0,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 500, 10, 0, false), -ERANGE);
	assert_int_equal(st()->out_of_window, 2);
	expect_stream(0, 0, 500, NULL);

	/* Window scale 2 on both sides: raw window 100 means 400 bytes. */
	kw_tcp_conn_release(T.ctx, &T.c, NULL);
	memset(&T.r, 0, sizeof(T.r));
	handshake(&T.c, CISN, SISN, 65535, 65535, 2, 2);
	assert_int_equal(feed_seg(&T.c, 1, SISN + 1, CISN + 1, KW_TCP_ACK, 100, KW_TCP_WSCALE_NONE,
				  NULL, 0, 1),
			 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 400, 1, 0, false), -ERANGE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 399, 1, 0, false), 0);
	assert_int_equal(st()->out_of_window, 3);
	/* Scaling needs both SYNs: with the client's option missing the server's 100 is 100. */
	kw_tcp_conn_release(T.ctx, &T.c, NULL);
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, 2);
	assert_int_equal(feed_seg(&T.c, 1, SISN + 1, CISN + 1, KW_TCP_ACK, 100, KW_TCP_WSCALE_NONE,
				  NULL, 0, 1),
			 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 100, 1, 0, false), -ERANGE);
	assert_int_equal(st()->out_of_window, 4);
}

/* ---- real packets: parser and checksums ---- */

/* An IPv4 + TCP packet at offset 14 (Ethernet room) with correct checksums, plus padding. */
static struct rte_mbuf *mk_ipv4(uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pay,
				uint16_t len, bool corrupt, uint16_t pad)
{
	uint8_t buf[14 + 20 + 20 + 1500];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(buf + 34);
	struct rte_mbuf *m;

	assert_true(len + pad <= 1500);
	memset(buf, 0, sizeof(buf));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(40 + len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->src_port = rte_cpu_to_be_16(40000);
	th->dst_port = rte_cpu_to_be_16(9092);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = 5 << 4;
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(65535);
	memcpy(buf + 54, pay, len);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	if (corrupt)
		buf[54] ^= 1;
	m = rte_pktmbuf_alloc(g_mp);
	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)(54 + len + pad)), buf, 54 + len + pad);
	assert_true(g_n_live < LIVE_MAX);
	g_live[g_n_live++] = m;
	return m;
}

static int feed_ipv4(struct kw_tcp_conn *c, unsigned int dir, uint32_t seq, uint64_t off,
		     uint16_t len, bool corrupt)
{
	uint8_t pay[1500];
	struct kw_tcp_seg seg;
	struct rte_mbuf *m;
	uint16_t i;
	int ret;

	for (i = 0; i < len; i++)
		pay[i] = pat(dir, off + i, false);
	m = mk_ipv4(seq, 0, KW_TCP_PSH, pay, len, corrupt, 0);
	assert_int_equal(kw_tcp_seg_parse(m, 4, 14, 34, &seg), 0);
	assert_int_equal(seg.csum, KW_TCP_SEG_CSUM_UNKNOWN);
	ret = kw_tcp_conn_input(T.ctx, c, dir, m, &seg, 0, &T.sink);
	rte_pktmbuf_free(m);
	return ret;
}

static void test_seg_parse(void **state)
{
	uint8_t pay[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct kw_tcp_seg seg;
	struct rte_mbuf *m;
	uint8_t *th;

	(void)state;
	/* Ethernet padding after the IP packet is not payload. */
	m = mk_ipv4(77, 88, KW_TCP_ACK | KW_TCP_PSH, pay, 10, false, 6);
	assert_int_equal(kw_tcp_seg_parse(m, 4, 14, 34, &seg), 0);
	assert_int_equal(seg.seq, 77);
	assert_int_equal(seg.ack, 88);
	assert_int_equal(seg.pay_off, 54);
	assert_int_equal(seg.pay_len, 10);
	assert_int_equal(seg.win, 65535);
	assert_int_equal(seg.wscale, KW_TCP_WSCALE_NONE);
	/* A truncated packet. */
	assert_int_equal(kw_tcp_seg_parse(m, 4, 14, 60, &seg), -EINVAL);
	assert_int_equal(kw_tcp_seg_parse(m, 5, 14, 34, &seg), -EINVAL);
	rte_pktmbuf_trim(m, 20);
	assert_int_equal(kw_tcp_seg_parse(m, 4, 14, 34, &seg), -EINVAL);
	rte_pktmbuf_free(m);

	/* A SYN with MSS, NOP, window scale 7 (data offset 8 words). */
	m = rte_pktmbuf_alloc(g_mp);
	assert_non_null(m);
	th = (uint8_t *)rte_pktmbuf_append(m, 14 + 20 + 32);
	memset(th, 0, 14 + 20 + 32);
	th[14] = 0x45;
	th[16] = 0;
	th[17] = 52;
	th = th + 34;
	th[12] = 8 << 4;
	th[13] = KW_TCP_SYN;
	memcpy(th + 20, (const uint8_t[]){2, 4, 0x05, 0xb4, 1, 3, 3, 7, 0, 0, 0, 0}, 12);
	assert_int_equal(kw_tcp_seg_parse(m, 4, 14, 34, &seg), 0);
	assert_int_equal(seg.wscale, 7);
	assert_int_equal(seg.pay_len, 0);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	assert_int_equal(kw_tcp_seg_parse(m, 4, 14, 34, &seg), 0);
	assert_int_equal(seg.csum, KW_TCP_SEG_CSUM_BAD);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	assert_int_equal(kw_tcp_seg_parse(m, 4, 14, 34, &seg), 0);
	assert_int_equal(seg.csum, KW_TCP_SEG_CSUM_GOOD);
	rte_pktmbuf_free(m);
	assert_no_leak();
}

static void test_csum_on(void **state)
{
	struct kw_tcp_params p;

	(void)state;
	kw_tcp_params_defaults(&p);
	p.csum_mode = KW_TCP_CSUM_ON;
	assert_int_equal(start(&p), 0);
	assert_int_equal(feed_ipv4(&T.c, 0, 100, 0, 50, false), 0); /* midstream pickup */
	assert_int_equal(feed_ipv4(&T.c, 0, 150, 50, 50, true), -EBADMSG);
	assert_int_equal(st()->bad_csum, 1);
	expect_stream(0, 0, 50, NULL);
	assert_int_equal(feed_ipv4(&T.c, 0, 150, 50, 50, false), 0); /* good retransmission */
	expect_stream(0, 0, 100, NULL);
	/* ON never gives up. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(feed_ipv4(&T.c, 1, 900, 0, 10, true), -EBADMSG);
	assert_int_equal(st()->bad_csum, 11);
	assert_int_equal(st()->csum_auto_off, 0);
	assert_int_equal(T.r.len[1], 0);
}

/* AUTO: a direction whose first 8 segments all fail stops validating; a good one keeps it. */
static void test_csum_auto(void **state)
{
	struct kw_tcp_params p;
	unsigned int i;

	(void)state;
	kw_tcp_params_defaults(&p);
	assert_int_equal(p.csum_mode, KW_TCP_CSUM_AUTO);
	assert_int_equal(start(&p), 0);
	for (i = 0; i < 7; i++)
		assert_int_equal(feed_ipv4(&T.c, 0, 100 + i * 10, i * 10, 10, true), -EBADMSG);
	assert_int_equal(T.r.len[0], 0);
	assert_int_equal(st()->csum_auto_off, 0);
	/* The 8th failure: offload-captured traffic assumed, this and later segments pass. */
	assert_int_equal(feed_ipv4(&T.c, 0, 170, 70, 10, true), 0);
	assert_int_equal(st()->csum_auto_off, 1);
	assert_int_equal(feed_ipv4(&T.c, 0, 180, 80, 10, true), 0);
	assert_int_equal(T.r.len[0], 20);
	assert_true(kw_tcp_conn_midstream(&T.c, 0));
	assert_int_equal(st()->bad_csum, 7);
	/* The other direction started good: it stays validated. */
	assert_int_equal(feed_ipv4(&T.c, 1, 500, 0, 10, false), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(feed_ipv4(&T.c, 1, 510, 10, 10, true), -EBADMSG);
	assert_int_equal(st()->csum_auto_off, 1);
	assert_int_equal(st()->bad_csum, 17);
	expect_stream(1, 0, 10, NULL);
}

/*
 * One data segment (ACK) behind IPv4 with ihl 5 or 7 (options), or IPv6, at offset 14, with
 * correct checksums; corrupt: 1 flips a payload (or TCP header) bit, 2 the IPv4 TTL. split > 0
 * chains a second mbuf from that byte on. Returns what the tracker (checksums ON) says.
 */
static int feed_layout(unsigned int ver, unsigned int ihl, uint16_t len, int corrupt,
		       uint32_t split)
{
	uint8_t buf[14 + 60 + 20 + 1500];
	uint32_t l4 = ver == 4 ? 14 + ihl : 14 + 40, tot = l4 + 20 + len, i;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(buf + l4);
	struct rte_mbuf *m, *m2 = NULL;
	struct kw_tcp_conn c;
	struct kw_tcp_seg seg;
	int ret;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < len; i++) /* all-ones runs stress the carries */
		buf[l4 + 20 + i] = len % 3 == 0 ? 0xff : (uint8_t)(i * 37 + len);
	th->sent_seq = rte_cpu_to_be_32(1000);
	th->recv_ack = rte_cpu_to_be_32(1);
	th->data_off = 5 << 4;
	th->tcp_flags = KW_TCP_ACK;
	th->rx_win = rte_cpu_to_be_16(0xffff);
	if (ver == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);

		ip->version_ihl = (uint8_t)(0x40 | ihl / 4);
		ip->total_length = rte_cpu_to_be_16((uint16_t)(tot - 14));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(0xfffffffe);
		ip->dst_addr = rte_cpu_to_be_32(0xc0a80001);
		memset(buf + 34, 0x01, ihl - 20); /* NOP options */
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(buf + 14);

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(20 + len));
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		memset(ip6->src_addr, 0xff, 16);
		ip6->dst_addr[15] = 1;
		th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
	}
	if (corrupt == 1)
		buf[len > 0 ? tot - 1 : l4 + 4] ^= 0x10;
	else if (corrupt == 2)
		buf[14 + 8] ^= 1;
	m = rte_pktmbuf_alloc(g_mp);
	assert_non_null(m);
	if (split == 0 || split >= tot)
		split = tot;
	memcpy(rte_pktmbuf_append(m, (uint16_t)split), buf, split);
	if (split < tot) {
		m2 = rte_pktmbuf_alloc(g_mp);
		assert_non_null(m2);
		memcpy(rte_pktmbuf_append(m2, (uint16_t)(tot - split)), buf + split, tot - split);
		assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	}
	assert_int_equal(kw_tcp_seg_parse(m, (uint8_t)ver, 14, (uint16_t)l4, &seg), 0);
	assert_int_equal(seg.pay_len, len);
	kw_tcp_conn_init(&c);
	ret = kw_tcp_conn_input(T.ctx, &c, 0, m, &seg, 0, NULL);
	kw_tcp_conn_release(T.ctx, &c, NULL);
	rte_pktmbuf_free(m);
	return ret;
}

/* Checksums in place and over chains agree with DPDK's for every tail length and layout. */
/* ---- checksum sums: every implementation against rte_raw_cksum ---- */

#define CSUM_BUF (5u << 19) /* 2.5 MiB: past two of the vector sum's 1 MiB blocks */

/* The folded sum of len bytes at p from start by each implementation, all equal to want. */
static void check_sums(uint64_t start, const uint8_t *p, uint32_t len, uint32_t want)
{
	assert_int_equal(kw_tcp_csum_fold(kw_tcp_csum_add_words(start, p, len)), want);
	assert_int_equal(kw_tcp_csum_fold(kw_tcp_csum_add(start, p, len)), want);
	if (kw_tcp_csum_add_avx2 != NULL && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0)
		assert_int_equal(kw_tcp_csum_fold(kw_tcp_csum_add_avx2(start, p, len)), want);
}

/* The plain RFC 1071 sum: 16-bit words in memory order, an odd last byte padded with zero, in
 * 64 bits (no end-around carry needed below 2^48 bytes), folded; equal to rte_raw_cksum() where
 * its 32-bit sum cannot overflow (up to 64 KiB). */
static uint32_t ref_sum(const uint8_t *p, uint32_t len)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint16_t)(p[i] | p[i + 1] << 8);
	if (len & 1)
		sum += p[len - 1];
	if (len <= 65535)
		assert_int_equal(kw_tcp_csum_fold(sum), rte_raw_cksum(p, len));
	return kw_tcp_csum_fold(sum);
}

static void test_csum_sums(void **state)
{
	uint8_t *buf = malloc(CSUM_BUF);
	uint32_t x = 12345, len, align;
	size_t i;

	(void)state;
	assert_non_null(buf);
	if (kw_tcp_csum_add_avx2 == NULL || rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) <= 0)
		print_message("no AVX2 here: the vector sum is not tested\n");
	for (i = 0; i < CSUM_BUF; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	/* every alignment of a vector load, every length up to 700 and the longest segment */
	for (align = 0; align < 32; align++) {
		for (len = 0; len <= 700; len++)
			check_sums(0, buf + align, len, ref_sum(buf + align, len));
		check_sums(0, buf + align, 65535, ref_sum(buf + align, 65535));
	}
	/* a start sum near 2^64 carries around the end */
	check_sums(UINT64_MAX - 5, buf + 3, 333,
		   kw_tcp_csum_fold(kw_tcp_csum_add_words(UINT64_MAX - 5, buf + 3, 333)));
	/* all-ones words fill every lane to its largest; blocks of 1 MiB must not overflow */
	memset(buf, 0xff, CSUM_BUF);
	check_sums(0, buf, CSUM_BUF, 0xffff);
	check_sums(0, buf + 1, CSUM_BUF - 7, ref_sum(buf + 1, CSUM_BUF - 7));
	/* all zero folds to 0, not 0xffff */
	memset(buf, 0, 4096);
	check_sums(0, buf, 4096, 0);
	/* one word off in a long run changes the sum */
	buf[1000] = 1;
	check_sums(0, buf, 4096, 1);
	/* the vector sum leaves the AVX upper halves clean, with a tail or without */
	if (kw_tcp_csum_add_avx2 != NULL && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0) {
		for (len = 1459; len <= 1460; len++) {
			uint64_t sum = kw_tcp_csum_add_avx2(0, buf, len);
			int clean = kw_test_avx_upper_clean();

			assert_int_equal(kw_tcp_csum_fold(sum), 1);
			if (clean < 0)
				print_message("no XINUSE here: the upper halves are not checked\n");
			else
				assert_int_equal(clean, 1);
		}
	}
	free(buf);
}

/* kw_tcp_csum_good says what folding to 0xffff says, for any 64-bit sum (and _nonzero, but 0). */
static void test_csum_good(void **state)
{
	static const uint64_t edge[] = {0, 1, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0xffff0000,
					0xffffffff, 0xffff00000000, UINT64_MAX - 1, UINT64_MAX};
	uint64_t x = 1;
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(edge); i++)
		assert_int_equal(kw_tcp_csum_good(edge[i]), kw_tcp_csum_fold(edge[i]) == 0xffff);
	assert_false(kw_tcp_csum_good(0));
	assert_true(kw_tcp_csum_good(UINT64_MAX));
	for (i = 0; i < 200000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		assert_int_equal(kw_tcp_csum_good(x), kw_tcp_csum_fold(x) == 0xffff);
		if (x != 0)
			assert_int_equal(kw_tcp_csum_good_nonzero(x), kw_tcp_csum_good(x));
		/* and multiples of 0xffff, which are all good but 0 */
		assert_int_equal(kw_tcp_csum_good((x >> 17) * 0xffff), (x >> 17) != 0);
	}
}

static void test_csum_layouts(void **state)
{
	static const unsigned int ver[3] = {4, 4, 6}, ihl[3] = {20, 28, 0};
	static const uint32_t split[3] = {0, 47, 60};
	struct kw_tcp_params p;
	uint64_t bad = 0;
	unsigned int v, s;
	uint16_t len;

	(void)state;
	kw_tcp_params_defaults(&p);
	p.csum_mode = KW_TCP_CSUM_ON;
	assert_int_equal(start(&p), 0);
	for (v = 0; v < 3; v++) {
		for (s = 0; s < 3; s++) {
			for (len = 0; len <= 1460; len = len < 70 ? len + 1 : len + 139) {
				assert_int_equal(feed_layout(ver[v], ihl[v], len, 0, split[s]), 0);
				assert_int_equal(feed_layout(ver[v], ihl[v], len, 1, split[s]),
						 -EBADMSG);
				bad++;
				if (ver[v] == 4) {
					assert_int_equal(
						feed_layout(ver[v], ihl[v], len, 2, split[s]),
						-EBADMSG);
					bad++;
				}
			}
		}
	}
	assert_int_equal(st()->bad_csum, bad);
	assert_int_equal(st()->csum_unverified, 0);
	assert_no_leak();
}

/*
 * Whether the tracker (checksums ON) takes the len bytes at buf as a segment described by seg,
 * laid in one mbuf (split 0) or in two with the second from byte split on: 1 good, 0 bad
 * (-EBADMSG, bad_csum counted), -1 not verified (csum_unverified counted).
 */
static int
csum_verdict(const uint8_t *buf, uint32_t len, uint32_t split, const struct kw_tcp_seg *seg)
{
	uint64_t bad0 = st()->bad_csum, unv0 = st()->csum_unverified;
	struct rte_mbuf *m = rte_pktmbuf_alloc(g_mp), *m2;
	struct kw_tcp_conn c;
	int ret, verdict;

	assert_non_null(m);
	if (split == 0 || split >= len)
		split = len;
	memcpy(rte_pktmbuf_append(m, (uint16_t)split), buf, split);
	if (split < len) {
		m2 = rte_pktmbuf_alloc(g_mp);
		assert_non_null(m2);
		memcpy(rte_pktmbuf_append(m2, (uint16_t)(len - split)), buf + split, len - split);
		assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	}
	kw_tcp_conn_init(&c);
	ret = kw_tcp_conn_input(T.ctx, &c, 0, m, seg, 0, NULL);
	kw_tcp_conn_release(T.ctx, &c, NULL);
	rte_pktmbuf_free(m);
	if (ret == -EBADMSG) {
		assert_int_equal(st()->bad_csum, bad0 + 1);
		verdict = 0;
	} else {
		assert_int_equal(st()->bad_csum, bad0);
		verdict = st()->csum_unverified == unv0 ? 1 : -1;
	}
	assert_int_equal(st()->csum_unverified, unv0 + (verdict < 0));
	return verdict;
}

/* A deterministic pseudo-random number (an LCG's high bits). */
static uint32_t
rnd(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/*
 * The in-place sum of a segment in one mbuf and the general one, over copies, agree for any
 * header: lengths too short, too long or inconsistent, any IHL, the TCP header anywhere (even
 * before the IP header), IPv6 jumbograms. Segments are described by hand, as tests and other
 * callers may, and half of them carry correct checksums.
 */
static void
test_csum_any_header(void **state)
{
	static const uint16_t l3_offs[] = {0, 14, 18, 22};
	unsigned int n[3] = {0, 0, 0}, i;
	struct kw_tcp_params p;
	uint8_t buf[256];
	uint32_t x = 2024;

	(void)state;
	kw_tcp_params_defaults(&p);
	p.csum_mode = KW_TCP_CSUM_ON;
	assert_int_equal(start(&p), 0);
	for (i = 0; i < 20000; i++) {
		struct kw_tcp_seg seg = {.flags = KW_TCP_ACK, .csum = KW_TCP_SEG_CSUM_UNKNOWN};
		uint32_t len, l3, ihl, tot, r, k;
		int one;

		l3 = l3_offs[rnd(&x) % RTE_DIM(l3_offs)];
		len = l3 + 1 + rnd(&x) % (sizeof(buf) - l3);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd(&x);
		seg.ip_ver = rnd(&x) % 8 == 0 ? 5 : rnd(&x) % 3 == 0 ? 6 : 4;
		seg.l3_off = (uint16_t)l3;
		r = rnd(&x);
		if (seg.ip_ver == 6) {
			struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(buf + l3);

			ihl = sizeof(*ip6);
			tot = r % 4 == 0 ? 0 : len - l3 - ihl + (r >> 4) % 9 - 4;
			if (l3 + ihl <= len) {
				ip6->payload_len = rte_cpu_to_be_16((uint16_t)tot);
				ip6->proto = IPPROTO_TCP;
			}
		} else {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3);

			ihl = r % 3 == 0 ? (r >> 2) % 16 * 4 : 20 + (r >> 2) % 2 * 8;
			tot = len - l3 + (r >> 6) % 9 - 6;
			if (l3 + 20 <= len) {
				ip->version_ihl = (uint8_t)(0x40 | ihl / 4);
				ip->total_length = rte_cpu_to_be_16((uint16_t)tot);
				ip->next_proto_id = IPPROTO_TCP;
				if (rnd(&x) % 2 == 0 && ihl >= 20 && l3 + ihl <= len) {
					ip->hdr_checksum = 0;
					ip->hdr_checksum = rte_ipv4_cksum(ip);
				}
			}
		}
		r = rnd(&x);
		seg.l4_off = (uint16_t)(r % 8 == 0 ? r % (len + 1) : l3 + ihl);
		/* correct TCP checksums where DPDK can make them: whole header and segment */
		if (rnd(&x) % 2 == 0 && seg.ip_ver == 4 && l3 + 20 <= len && ihl >= 20 &&
		    tot >= ihl && tot <= 0xffff && l3 + tot <= len && seg.l4_off == l3 + ihl &&
		    tot - ihl >= 18) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3);
			struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(buf + l3 + ihl);

			th->cksum = 0;
			th->cksum = rte_ipv4_udptcp_cksum(ip, th);
		} else if (rnd(&x) % 2 == 0 && seg.ip_ver == 6 && l3 + ihl <= len && tot >= 18 &&
			   tot <= len - l3 - ihl && seg.l4_off == l3 + ihl) {
			struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(buf + l3);
			struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(buf + l3 + ihl);

			th->cksum = 0;
			th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
		}
		seg.pay_off = len;
		one = csum_verdict(buf, len, 0, &seg);
		/* the first mbuf ends inside the IP header, then anywhere */
		assert_int_equal(csum_verdict(buf, len, l3 + 1, &seg), one);
		assert_int_equal(csum_verdict(buf, len, 1 + x % len, &seg), one);
		n[one + 1]++;
	}
	/* every verdict was reached often */
	for (i = 0; i < 3; i++)
		assert_true(n[i] > 1000);
	assert_no_leak();
}

/* A bare ACK (no payload, ACK flag only) of dir, its checksums known as csum. */
static int
feed_ack(struct kw_tcp_conn *c, unsigned int dir, uint32_t seq, uint32_t ack, uint16_t win,
	 uint8_t csum)
{
	return feed_seg_csum(c, dir, seq, ack, KW_TCP_ACK, win, KW_TCP_WSCALE_NONE, NULL, 0, 1,
			     csum);
}

/* The receiver state of d as ack_input leaves it: its ACK, scaled window and max_end. */
static void
expect_dir(const struct kw_tcp_dir *d, uint32_t ack, uint32_t win, uint32_t max_end)
{
	assert_int_equal(d->ack, ack);
	assert_int_equal(d->win, win);
	assert_int_equal(d->max_end, max_end);
}

/*
 * Bare ACKs on an established connection, the segments kw_tcp_conn_input predicts, against a
 * model of RFC 9293 3.10.7.4's rules written out here: many ACKs in the window, old ones, ACKs
 * of unsent data, window updates with and without scaling or with the scale unknown, a sender
 * whose sequence number moved past what we saw, and the ACKs around them that must not be
 * taken as predicted (a gap revealed, a bad checksum, after a reset, the handshake's last ACK).
 */
static void
test_bare_acks(void **state)
{
	const struct kw_tcp_dir *cd = &T.c.dir[0];
	struct kw_tcp_params p;
	uint32_t sent = 0, ack = SISN + 1, win = 0, max_end = CISN + 1, unsent = 0, rnd = 1;
	uint8_t pay[50];
	uint64_t segs;
	int i;

	(void)state;
	/* Scaling on: the client's windows shift by 7. */
	handshake(&T.c, CISN, SISN, 1000, 2000, 7, 2);
	expect_dir(cd, SISN + 1, 1000u << 7, CISN + 1);
	for (i = 0; i < 400; i++) {
		uint32_t a, w, seq = max_end;

		rnd = rnd * 1103515245u + 12345u;
		if (i % 3 == 0 && sent < 6000) {
			uint32_t len = 1 + (rnd >> 8) % 200;

			assert_int_equal(feed_data(&T.c, 1, SISN + 1, sent, len, 0, false), 0);
			sent += len;
		}
		/* around what the server sent: old, partial, all, beyond it */
		a = SISN + 1 + sent - 40 + (rnd >> 16) % 60;
		w = (uint16_t)(rnd >> 4);
		if (i % 17 == 0)
			seq += 1 + (rnd >> 20) % 50; /* the client sent bytes we missed */
		segs = st()->segs;
		assert_int_equal(feed_ack(&T.c, 0, seq, a, (uint16_t)w, KW_TCP_SEG_CSUM_GOOD), 0);
		assert_int_equal(st()->segs, segs + 1);
		if (kw_seq_gt(seq, max_end))
			max_end = seq;
		if (kw_seq_gt(a, SISN + 1 + sent)) {
			unsent++;
		} else if (kw_seq_ge(a, ack)) {
			ack = a;
			win = (uint32_t)(uint16_t)w << 7;
		}
		if (i == 0)
			assert_true(win != 0);
		expect_dir(cd, ack, win == 0 ? 1000u << 7 : win, max_end);
		assert_int_equal(st()->ack_unsent, unsent);
	}
	assert_true(unsent > 0);
	expect_stream(1, 0, sent, NULL);
	assert_int_equal(st()->gaps, 0);
	assert_int_equal(T.r.gaps[1], 0);

	/* A bad checksum changes nothing but its counter. */
	kw_tcp_params_defaults(&p);
	p.csum_mode = KW_TCP_CSUM_ON;
	assert_int_equal(start(&p), 0);
	kw_tcp_conn_init(&T.c);
	memset(&T.r, 0, sizeof(T.r));
	handshake(&T.c, CISN, SISN, 1000, 2000, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 1, SISN + 1, 0, 100, 0, false), 0);
	assert_int_equal(feed_ack(&T.c, 0, CISN + 1, SISN + 51, 7, KW_TCP_SEG_CSUM_BAD), -EBADMSG);
	assert_int_equal(st()->bad_csum, 1);
	expect_dir(cd, SISN + 1, 1000, CISN + 1);
	/* No scaling: the raw window. */
	assert_int_equal(feed_ack(&T.c, 0, CISN + 1, SISN + 51, 5000, KW_TCP_SEG_CSUM_GOOD), 0);
	expect_dir(cd, SISN + 51, 5000, CISN + 1);

	/* An ACK of bytes never seen: the server's stream has an unfillable hole. */
	assert_int_equal(feed_data(&T.c, 1, SISN + 1, 200, 100, 0, false), 0); /* held */
	assert_int_equal(feed_ack(&T.c, 0, CISN + 1, SISN + 101, 9, KW_TCP_SEG_CSUM_GOOD), 0);
	assert_int_equal(st()->gaps, 0);
	assert_int_equal(feed_ack(&T.c, 0, CISN + 1, SISN + 301, 9, KW_TCP_SEG_CSUM_GOOD), 0);
	assert_int_equal(st()->gap_acked, 1);
	assert_int_equal(T.r.gaps[1], 1);
	assert_int_equal(T.r.gap_off[1], 100);
	assert_true(kw_tcp_conn_opaque(&T.c, 1));
	expect_dir(cd, SISN + 301, 9, CISN + 1);
	/* Once opaque, a later ACK is the plain case again. */
	assert_int_equal(feed_ack(&T.c, 0, CISN + 1, SISN + 301, 11, KW_TCP_SEG_CSUM_GOOD), 0);
	expect_dir(cd, SISN + 301, 11, CISN + 1);
	assert_int_equal(st()->gaps, 1);

	/* Picked up mid-stream, the scale is unknown: the largest window it could mean. */
	kw_tcp_conn_release(T.ctx, &T.c, NULL);
	memset(&T.r, 0, sizeof(T.r));
	for (i = 0; i < 50; i++)
		pay[i] = pat(1, (uint64_t)i, false);
	assert_int_equal(
		feed_seg(&T.c, 1, 70000, 90000, KW_TCP_ACK, 100, KW_TCP_WSCALE_NONE, pay, 50, 1),
		0);
	for (i = 0; i < 20; i++)
		pay[i] = pat(0, (uint64_t)i, false);
	assert_int_equal(
		feed_seg(&T.c, 0, 90000, 70000, KW_TCP_ACK, 1, KW_TCP_WSCALE_NONE, pay, 20, 1), 0);
	assert_int_equal(feed_ack(&T.c, 0, 90020, 70040, 3, KW_TCP_SEG_CSUM_GOOD), 0);
	expect_dir(cd, 70040, 3u << KW_TCP_WSCALE_MAX, 90020);
	assert_int_equal(feed_ack(&T.c, 0, 90020, 70050, 5, KW_TCP_SEG_CSUM_GOOD), 0);
	expect_dir(cd, 70050, 5u << KW_TCP_WSCALE_MAX, 90020);
	assert_int_equal(feed_ack(&T.c, 0, 90020, 70049, 6, KW_TCP_SEG_CSUM_GOOD), 0); /* old */
	expect_dir(cd, 70050, 5u << KW_TCP_WSCALE_MAX, 90020);
	expect_stream(1, 0, 50, NULL);
	expect_stream(0, 0, 20, NULL);
	assert_int_equal(st()->gaps, 1); /* still the one above */

	/* After an acceptable RST nothing moves. */
	assert_int_equal(feed_seg(&T.c, 1, 70050, 0, KW_TCP_RST, 0, KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(feed_ack(&T.c, 0, 90021, 70050, 13, KW_TCP_SEG_CSUM_GOOD), -ENOTCONN);
	expect_dir(cd, 70050, 5u << KW_TCP_WSCALE_MAX, 90020);
}

static void test_midstream_on(void **state)
{
	(void)state;
	assert_int_equal(feed_data(&T.c, 0, 123456, 0, 40, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, 123456, 60, 40, 0, false), 0); /* held */
	assert_int_equal(feed_data(&T.c, 0, 123456, 40, 20, 0, false), 0);
	expect_stream(0, 0, 100, NULL);
	assert_true(kw_tcp_conn_midstream(&T.c, 0));
	assert_int_equal(st()->midstream_pickups, 1);
	/*
	 * The other side picks up where its receiver is: a retransmission straddling the
	 * receiver's ACK starts the stream at the ACK.
	 */
	assert_int_equal(feed_seg(&T.c, 0, 123456 + 100, 9000 + 10, KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(feed_data(&T.c, 1, 9000 - 10, 0, 10, 0, false), 0); /* all acked */
	assert_int_equal(T.r.len[1], 0);
	assert_int_equal(feed_data(&T.c, 1, 9000 - 10, 10, 30, 0, false), 0);
	assert_int_equal(st()->midstream_pickups, 2);
	assert_int_equal(T.r.len[1], 20);
	assert_int_equal(T.r.buf[1][0], pat(1, 20, false));
}

static void test_midstream_off(void **state)
{
	struct kw_tcp_params p;

	(void)state;
	kw_tcp_params_defaults(&p);
	p.midstream = false;
	p.csum_mode = KW_TCP_CSUM_OFF;
	assert_int_equal(start(&p), 0);
	assert_int_equal(feed_data(&T.c, 0, 123456, 0, 40, 0, false), -ENOTCONN);
	assert_int_equal(feed_data(&T.c, 0, 123456, 40, 40, 0, false), -ENOTCONN);
	assert_int_equal(T.r.len[0], 0);
	assert_int_equal(T.r.gaps[0], 1);
	assert_true(kw_tcp_conn_opaque(&T.c, 0));
	assert_int_equal(st()->midstream_refused, 1);
	assert_int_equal(st()->opaque_segs, 1);
	/* Its receiver took those bytes: a later SYN is dropped, the base stays. */
	assert_int_equal(
		feed_seg(&T.c, 0, 99, 0, KW_TCP_SYN, 65535, KW_TCP_WSCALE_NONE, NULL, 0, 1),
		-EINVAL);
	assert_int_equal(st()->syn_ignored, 1);
	assert_int_equal(T.c.dir[0].base, 123456);
	/* With a handshake, midstream off does not matter. */
	handshake(&T.c2, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c2, 1, SISN + 1, 0, 40, 0, false), 0);
	expect_stream(1, 0, 40, NULL);
}

/*
 * A direction picked up mid-stream, then a SYN whose ISN + 1 is the pickup point (found by
 * fuzz_tcp): the receiver is synchronized and drops any SYN (RFC 5961 4.2), so the base stays
 * and the bytes already delivered are not delivered again from offset 0.
 */
static void test_syn_after_midstream(void **state)
{
	(void)state;
	assert_int_equal(feed_data(&T.c, 0, 123456, 0, 30, 0, false), 0);
	assert_true(kw_tcp_conn_midstream(&T.c, 0));
	assert_int_equal(
		feed_seg(&T.c, 0, 123455, 0, KW_TCP_SYN, 65535, KW_TCP_WSCALE_NONE, NULL, 0, 1),
		-EINVAL);
	/* The same as a SYN/ACK, and a SYN carrying data from offset 0. */
	assert_int_equal(
		feed_seg(&T.c, 0, 123455, 9001, KW_TCP_SYN | KW_TCP_ACK, 65535, 7, NULL, 0, 1),
		-EINVAL);
	assert_int_equal(feed_seg(&T.c, 0, 123455, 0, KW_TCP_SYN, 65535, KW_TCP_WSCALE_NONE,
				  (const uint8_t[4]){pat(0, 0, false), pat(0, 1, false),
						     pat(0, 2, false), pat(0, 3, false)},
				  4, 1),
			 -EINVAL);
	assert_int_equal(st()->syn_ignored, 3);
	assert_int_equal(st()->syn, 0);
	assert_int_equal(T.c.dir[0].base, 123456);
	assert_true(kw_tcp_conn_midstream(&T.c, 0));
	/* The SYN/ACK taught nothing about the other side either. */
	assert_int_equal(T.c.dir[1].flags & KW_TCP_DIR_BASE, 0);
	assert_int_equal(feed_data(&T.c, 0, 123456, 30, 20, 0, false), 0);
	expect_stream(0, 0, 50, NULL);
	assert_int_equal(T.r.gaps[0], 0);
	assert_int_equal(st()->bytes_delivered, 50);

	/* The SYN was missed, the SYN/ACK gave the base and data flowed: a late SYN is dropped. */
	memset(&T.r, 0, sizeof(T.r));
	assert_int_equal(feed_seg(&T.c2, 1, SISN, CISN + 1, KW_TCP_SYN | KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(feed_data(&T.c2, 0, CISN + 1, 0, 10, 0, false), 0);
	assert_int_equal(
		feed_seg(&T.c2, 0, CISN, 0, KW_TCP_SYN, 65535, KW_TCP_WSCALE_NONE, NULL, 0, 1),
		-EINVAL);
	assert_int_equal(st()->syn_ignored, 4);
	assert_int_equal(feed_data(&T.c2, 0, CISN + 1, 10, 10, 0, false), 0);
	expect_stream(0, 0, 20, NULL);
	/* Before any data, that late SYN is the handshake's: accepted, offsets unchanged. */
	assert_int_equal(feed_seg(&T.c2, 1, SISN, CISN + 1, KW_TCP_SYN | KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(feed_data(&T.c2, 1, SISN + 1, 0, 5, 0, false), 0);
	expect_stream(1, 0, 5, NULL);
}

/*
 * A mid-stream direction holding data behind a hole, a SYN one below its base, then a RST
 * (found by fuzz_tcp): the gap is reported where delivery stopped, never below it.
 */
static void test_gap_after_syn_and_rst(void **state)
{
	(void)state;
	assert_int_equal(feed_data(&T.c, 0, 7777, 0, 1, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, 7777, 256, 1, KW_TCP_FIN, false), 0); /* held */
	assert_int_equal(T.c.rare[0].ooo_segs, 1);
	assert_int_equal(feed_seg(&T.c, 0, 7776, 0, KW_TCP_SYN, 65281, 0, NULL, 0, 1), -EINVAL);
	assert_int_equal(T.c.dir[0].next_off, 1);
	/* Nothing seen from dir 1 and no ACK from dir 0: any RST of dir 1 is acceptable. */
	assert_int_equal(feed_seg(&T.c, 1, 4242, 0, KW_TCP_RST, 0, KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 0);
	assert_int_equal(T.r.gaps[0], 1);
	assert_int_equal(T.r.gap_off[0], 1);
	assert_int_equal(T.r.gaps[1], 0);
	assert_int_equal(T.r.closes[0], 1);
	assert_int_equal(T.r.close_how[0], KW_TCP_CLOSE_RST);
	assert_int_equal(st()->gap_closed, 1);
	expect_stream(0, 0, 1, NULL);
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), T.nodes0);
	assert_no_leak();
}

static void test_cap_per_flow(void **state)
{
	struct kw_tcp_params p;
	unsigned int i;

	(void)state;
	kw_tcp_params_defaults(&p);
	p.csum_mode = KW_TCP_CSUM_OFF;
	p.ooo_max_segs_per_dir = 4;
	p.ooo_max_bytes_per_dir = 1000;
	assert_int_equal(start(&p), 0);
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 10, 0, false), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(feed_data(&T.c, 0, CISN + 1, 100 + i * 20, 10, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 300, 10, 0, false), -ENOSPC);
	assert_int_equal(st()->cap_ooo_flow, 1);
	assert_int_equal(T.r.gaps[0], 1);
	assert_int_equal(T.r.gap_off[0], 10);
	assert_true(kw_tcp_conn_opaque(&T.c, 0));
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 65536);
	assert_no_leak();
	expect_stream(0, 0, 10, NULL);
	/* The byte cap, on the other direction. */
	assert_int_equal(feed_data(&T.c, 1, SISN + 1, 100, 999, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 1, SISN + 1, 1200, 2, 0, false), -ENOSPC);
	assert_int_equal(st()->cap_ooo_flow, 2);
	assert_int_equal(st()->gaps, 2);
	assert_int_equal(T.r.gaps[1], 1);
	assert_no_leak();
}

static void test_cap_global(void **state)
{
	struct kw_tcp_params p;

	(void)state;
	kw_tcp_params_defaults(&p);
	p.csum_mode = KW_TCP_CSUM_OFF;
	p.ooo_max_segs_total = 3;
	assert_int_equal(start(&p), 0);
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	handshake(&T.c2, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 100, 10, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 200, 10, 0, false), 0);
	assert_int_equal(feed_data(&T.c2, 0, CISN + 1, 100, 10, 0, false), 0);
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 0);
	assert_int_equal(feed_data(&T.c2, 1, SISN + 1, 100, 10, 0, false), -ENOSPC);
	assert_int_equal(st()->cap_ooo_global, 1);
	assert_true(kw_tcp_conn_opaque(&T.c2, 1));
	assert_false(kw_tcp_conn_opaque(&T.c, 0));
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 0);
	/* The other flow still reassembles. */
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 100, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 110, 90, 0, false), 0);
	expect_stream(0, 0, 210, NULL);
	assert_int_equal(kw_tcp_ctx_nodes_free(T.ctx), 2);
}

/* Chained mbufs: pieces point into each segment's data, in and out of order. */
static void test_chained_zero_copy(void **state)
{
	uint8_t pay[900];
	unsigned int i;

	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	for (i = 0; i < 300; i++)
		pay[i] = pat(0, 300 + i, false);
	assert_int_equal(feed_seg(&T.c, 0, CISN + 1 + 300, 0, KW_TCP_PSH, 0, KW_TCP_WSCALE_NONE,
				  pay, 300, 3),
			 0); /* held, 3 segments */
	assert_int_equal(rte_mempool_avail_count(g_mp), T.avail0 - 3);
	for (i = 0; i < 300; i++)
		pay[i] = pat(0, i, false);
	assert_int_equal(
		feed_seg(&T.c, 0, CISN + 1, 0, KW_TCP_PSH, 0, KW_TCP_WSCALE_NONE, pay, 300, 3), 0);
	expect_stream(0, 0, 600, NULL);
	assert_int_equal(T.r.pieces[0], 6);
	assert_no_leak();
	/* A retransmission straddling delivered data, starting inside the second segment. */
	for (i = 0; i < 900; i++)
		pay[i] = pat(0, 300 + i, false);
	assert_int_equal(feed_seg(&T.c, 0, CISN + 1 + 300, 0, KW_TCP_PSH, 0, KW_TCP_WSCALE_NONE,
				  pay, 900, 4),
			 0);
	expect_stream(0, 0, 1200, NULL);
	assert_int_equal(T.r.pieces[0], 6 + 3);
	assert_int_equal(st()->retx, 1);
	assert_no_leak();
}

static void test_rst(void **state)
{
	(void)state;
	handshake(&T.c, CISN, SISN, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 0, 10, 0, false), 0);
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 50, 10, 0, false), 0); /* held */
	/* A blind RST at another sequence number is ignored (RFC 5961). */
	assert_int_equal(
		feed_seg(&T.c, 1, SISN + 77, 0, KW_TCP_RST, 0, KW_TCP_WSCALE_NONE, NULL, 0, 1),
		-ERANGE);
	assert_int_equal(st()->rst_invalid, 1);
	assert_int_equal(T.r.closes[0] + T.r.closes[1], 0);
	assert_int_equal(
		feed_seg(&T.c, 1, SISN + 1, 0, KW_TCP_RST, 0, KW_TCP_WSCALE_NONE, NULL, 0, 1), 0);
	assert_int_equal(st()->rst, 1);
	assert_int_equal(T.r.closes[0], 1);
	assert_int_equal(T.r.closes[1], 1);
	assert_int_equal(T.r.close_how[0], KW_TCP_CLOSE_RST);
	assert_int_equal(T.r.gaps[0], 1);
	assert_int_equal(T.r.gaps[1], 0);
	assert_no_leak();
	assert_int_equal(feed_data(&T.c, 0, CISN + 1, 10, 10, 0, false), -ENOTCONN);
	expect_stream(0, 0, 10, NULL);
	/* Both directions know of the reset: a late bare ACK from either side is refused. */
	assert_int_equal(feed_seg(&T.c, 1, SISN + 1, CISN + 11, KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 -ENOTCONN);
	assert_int_equal(feed_seg(&T.c, 0, CISN + 11, SISN + 1, KW_TCP_ACK, 65535,
				  KW_TCP_WSCALE_NONE, NULL, 0, 1),
			 -ENOTCONN);
	assert_true(kw_tcp_conn_rst(&T.c));
	/* A new SYN reuses the flow entry. */
	handshake(&T.c, 7, 9, 65535, 65535, KW_TCP_WSCALE_NONE, KW_TCP_WSCALE_NONE);
	assert_int_equal(st()->syn_reuse, 1);
	memset(&T.r, 0, sizeof(T.r));
	assert_false(kw_tcp_conn_rst(&T.c));
	assert_int_equal(feed_data(&T.c, 0, 8, 0, 10, 0, false), 0);
	expect_stream(0, 0, 10, NULL);
}

static void test_bad_input(void **state)
{
	struct kw_tcp_params p;
	struct kw_tcp_seg seg = {.pay_off = HDR, .pay_len = 100};
	struct rte_mbuf *m = mk_mbuf((const uint8_t[10]){0}, 10, 1);

	(void)state;
	assert_int_equal(kw_tcp_conn_input(T.ctx, &T.c, 0, m, &seg, 0, &T.sink), -EINVAL);
	seg.pay_len = 10;
	assert_int_equal(kw_tcp_conn_input(T.ctx, &T.c, 2, m, &seg, 0, &T.sink), -EINVAL);
	assert_int_equal(st()->invalid, 2);
	rte_pktmbuf_free(m);
	kw_tcp_params_defaults(&p);
	p.ooo_max_segs_total = 0;
	assert_null(kw_tcp_ctx_create(&p, 0));
	kw_tcp_params_defaults(&p);
	p.csum_mode = 9;
	assert_null(kw_tcp_ctx_create(&p, 0));
	assert_true(sizeof(struct kw_tcp_conn) <= 128);
	assert_string_equal(kw_tcp_stat_names[KW_TCP_STAT_retx_conflict], "retx_conflict");
	assert_non_null(kw_tcp_stat_help[KW_TCP_STAT_COUNT - 1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missed_syn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permutations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_partial_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_conflict_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_superset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_with_fin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_frees_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_acks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seg_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_any_header, setup, teardown),
		cmocka_unit_test(test_csum_sums),
		cmocka_unit_test(test_csum_good),
		cmocka_unit_test_setup_teardown(test_midstream_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_after_midstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_after_syn_and_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_per_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_global, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chained_zero_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
	};
	struct rte_mbuf *ballast[BALLAST];
	int ret;

	if (kw_test_eal_init() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	g_mp = rte_pktmbuf_pool_create("kwt_tcp", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (g_mp == NULL) {
		fprintf(stderr, "mempool creation failed\n");
		rte_eal_cleanup();
		return 1;
	}
	/*
	 * Ballast: with the pool never full, an mbuf freed once too often shows up as more
	 * available mbufs than at the start of a test (a full ring would swallow it).
	 */
	if (rte_pktmbuf_alloc_bulk(g_mp, ballast, BALLAST) != 0) {
		fprintf(stderr, "ballast allocation failed\n");
		rte_eal_cleanup();
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_pktmbuf_free_bulk(ballast, BALLAST);
	rte_mempool_free(g_mp);
	rte_eal_cleanup();
	return ret;
}
