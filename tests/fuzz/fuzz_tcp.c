/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for TCP stream tracking and reassembly, with the Kafka decoder as consumer:
 * fuzzer-built segments (flags, sequence and ack numbers near each side's ISN, windows, window
 * scale, checksum state, payload split over chained mbufs) go through kw_tcp_conn_input.
 *
 * Input: 8 bytes of ISNs (dir 0, dir 1), then segments of a 10-byte descriptor and its payload:
 * [dir << 7 | flags] [seq - isn: be16, signed] [ack - peer isn: be16, signed] [win: be16]
 * [wscale: >= 0xf0 none] [payload length] [nseg - 1: bits 0-1, csum: bits 2-3].
 * Checked: data arrives in stream order without holes, and after the conn is released every
 * mbuf and every pool node is back (no leak), besides what ASan and UBSan check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "kw_test_eal.h"
#include "kw_test_mbuf.h"

#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/tcp/tcp_stream.h"

#define HDR_LEN 54 /* Ethernet + IPv4 + TCP, zeroed */
#define SEG_DESC 10
#define SEGS_MAX 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *g_mp;
static struct kw_tcp_ctx *g_tcp;
static struct kw_kafka_ctx *g_kafka;
static unsigned int g_avail0, g_nodes0;

struct fz_flow {
	struct kw_kafka_conn *kc;
	uint64_t next[2]; /* next stream offset expected per direction */
	uint8_t gap[2];
	uint64_t reuse; /* the ctx's syn_reuse count when this flow started */
};

/* A SYN on a closed or reset conn starts a new connection at offset 0: the consumer starts over. */
static void
flow_sync(struct fz_flow *f)
{
	uint64_t reuse = kw_tcp_ctx_stats(g_tcp)->syn_reuse;

	if (reuse == f->reuse)
		return;
	f->reuse = reuse;
	memset(f->next, 0, sizeof(f->next));
	memset(f->gap, 0, sizeof(f->gap));
	kw_kafka_conn_free(g_kafka, f->kc);
	f->kc = kw_kafka_conn_alloc(g_kafka);
	if (f->kc == NULL)
		abort();
}

static void
sink_data(void *arg, unsigned int dir, uint64_t off, const uint8_t *p, uint32_t len)
{
	struct fz_flow *f = arg;

	flow_sync(f);
	if (dir > 1 || off != f->next[dir] || f->gap[dir] || len == 0)
		abort(); /* in order, no hole, nothing after a gap */
	f->next[dir] += len;
	kw_kafka_conn_feed(g_kafka, f->kc, dir, off, p, len, 0);
}

static void
sink_gap(void *arg, unsigned int dir, uint64_t off)
{
	struct fz_flow *f = arg;

	flow_sync(f);
	if (dir > 1 || off < f->next[dir])
		abort();
	f->gap[dir] = 1;
	kw_kafka_conn_gap(g_kafka, f->kc, dir);
}

static void
sink_close(void *arg, unsigned int dir, int how)
{
	(void)arg;
	if (dir > 1 || (how != KW_TCP_CLOSE_FIN && how != KW_TCP_CLOSE_RST))
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kw_kafka_params kp = {.max_conns = 1, .max_frame = 1u << 20};
	struct kw_tcp_params tp;

	(void)argc;
	(void)argv;
	if (kw_test_eal_init() < 0)
		abort();
	g_mp = rte_pktmbuf_pool_create("fz_mbuf", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	kw_tcp_params_defaults(&tp);
	/* Small caps, so that the fuzzer reaches the cap and pool-empty policies. */
	tp.ooo_max_segs_per_dir = 8;
	tp.ooo_max_bytes_per_dir = 4096;
	tp.ooo_max_segs_total = 12;
	g_tcp = kw_tcp_ctx_create(&tp, (int)rte_socket_id());
	g_kafka = kw_kafka_ctx_create(&kp, 0, NULL, NULL);
	if (g_mp == NULL || g_tcp == NULL || g_kafka == NULL)
		abort();
	g_avail0 = rte_mempool_avail_count(g_mp);
	g_nodes0 = kw_tcp_ctx_nodes_free(g_tcp);
	return 0;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* The payload after HDR_LEN zero bytes, over nseg chained mbufs; NULL when the pool is dry. */
static struct rte_mbuf *
mk_mbuf(const uint8_t *pay, uint32_t len, unsigned int nseg)
{
	return kw_test_mbuf_chain(g_mp, HDR_LEN, pay, len, nseg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t csum[4] = {KW_TCP_SEG_CSUM_GOOD, KW_TCP_SEG_CSUM_UNKNOWN,
					KW_TCP_SEG_CSUM_BAD, KW_TCP_SEG_CSUM_GOOD};
	struct fz_flow f = {0};
	struct kw_tcp_sink sink = {sink_data, sink_gap, sink_close, &f};
	struct kw_tcp_conn c;
	uint32_t isn[2];

	if (size < 8)
		return 0;
	isn[0] = be32(data);
	isn[1] = be32(data + 4);
	data += 8;
	size -= 8;
	f.reuse = kw_tcp_ctx_stats(g_tcp)->syn_reuse;
	f.kc = kw_kafka_conn_alloc(g_kafka);
	if (f.kc == NULL)
		abort();
	kw_tcp_conn_init(&c);
	for (unsigned int s = 0; s < SEGS_MAX && size >= SEG_DESC; s++) {
		const uint8_t *d = data;
		unsigned int dir = d[0] >> 7;
		uint32_t len = d[8];

		data += SEG_DESC;
		size -= SEG_DESC;
		if (len > size)
			len = (uint32_t)size;
		struct kw_tcp_seg seg = {
			.seq = isn[dir] + (uint32_t)(int32_t)(int16_t)be16(d + 1),
			.ack = isn[dir ^ 1] + (uint32_t)(int32_t)(int16_t)be16(d + 3),
			.pay_off = HDR_LEN,
			.pay_len = len,
			.win = be16(d + 5),
			.l3_off = 14,
			.l4_off = 34,
			.flags = d[0] & 0x3f,
			.ip_ver = 4,
			.wscale = d[7] >= 0xf0 ? KW_TCP_WSCALE_NONE : d[7] & 0x0f,
			.csum = csum[(d[9] >> 2) & 3],
		};
		struct rte_mbuf *m = mk_mbuf(data, len, (d[9] & 3) + 1u);
		data += len;
		size -= len;
		if (m == NULL)
			abort(); /* held mbufs are capped far below the pool size */
		(void)kw_tcp_conn_input(g_tcp, &c, dir, m, &seg, 0, &sink);
		rte_pktmbuf_free(m); /* forwarded: the tracker keeps its own references */
	}
	kw_tcp_conn_release(g_tcp, &c, &sink);
	kw_kafka_conn_free(g_kafka, f.kc);
	if (rte_mempool_avail_count(g_mp) != g_avail0 || kw_tcp_ctx_nodes_free(g_tcp) != g_nodes0)
		abort(); /* an mbuf reference or a pool node leaked */
	return 0;
}
