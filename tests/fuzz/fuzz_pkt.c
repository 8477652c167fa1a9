/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the first code that meets a frame: L2-L4 classification (Ethernet,
 * VLAN/QinQ, IPv4 options and fragments, IPv6 extension headers, TCP, UDP), the TCP header
 * parser of SYNs, and IP fragment reassembly for inspection.
 *
 * Input: frames, each [flags] [length: be16] [bytes], the length cut to what is left. flags
 * bits 0-1: mbufs the frame is split over - 1; bits 2-7: clock ticks before it arrives (the
 * fragment table times out after FRAG_TIMEOUT ticks). Every input starts with an empty table.
 * Checked, besides what ASan and UBSan check:
 * - the frame parses the same flat and as a chain of mbufs;
 * - a trackable packet's headers and payload lie inside the frame, its key is canonical, and
 *   the same frame with source and destination swapped gives the same key, the other way;
 * - each untracked frame counts exactly one anomaly, a trackable one none (pkt.h's contract);
 * - for TCP, the SYN parser (kw_tcp_seg_parse) agrees with the classifier on every field both
 *   read: the tracker takes SYNs from one and the other segments from the other;
 * - a reassembled packet passes the same checks (it may be a fragment again: nested
 *   fragmentation, first found here; the worker counts it as frag_reassembled_bad);
 * - every mbuf goes back to its pool, every fragment's copy included.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "kw_test_eal.h"
#include "kw_test_mbuf.h"

#include "dataplane/counters.h"
#include "dataplane/frag.h"
#include "dataplane/pkt.h"
#include "dataplane/tcp/tcp_stream.h"

#define FRAMES_MAX   16
#define FRAME_MAX    1600 /* fits one default mbuf */
#define FRAG_PACKETS 32	  /* fragments the table holds */
#define FRAG_TIMEOUT 100  /* ticks */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *g_mp;
static unsigned int g_avail0;

/* The counters a frame that is not tracked increments exactly one of. */
static const enum kw_ctr anomalies[] = {
	KW_CTR_PKT_NON_IP,	 KW_CTR_PKT_L2_TRUNCATED,   KW_CTR_PKT_VLAN_TOO_DEEP,
	KW_CTR_PKT_IP_TRUNCATED, KW_CTR_PKT_IP_BAD_VERSION, KW_CTR_PKT_IP_BAD_IHL,
	KW_CTR_PKT_IP_BAD_LEN,	 KW_CTR_PKT_IPV6_EXT_BAD,   KW_CTR_PKT_FRAGMENT,
	KW_CTR_PKT_OTHER_L4,	 KW_CTR_PKT_L4_TRUNCATED,   KW_CTR_PKT_TCP_BAD_DOFF,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (kw_test_eal_init() < 0)
		abort();
	g_mp = rte_pktmbuf_pool_create("fz_pkt", 256, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (g_mp == NULL)
		abort();
	g_avail0 = rte_mempool_avail_count(g_mp);
	return 0;
}

static uint64_t
anomaly_count(const struct kw_counters *c)
{
	uint64_t n = 0;

	for (size_t i = 0; i < sizeof(anomalies) / sizeof(anomalies[0]); i++)
		n += c->v[anomalies[i]];
	return n;
}

/* Parse the first min(len, KW_PKT_HDR_MAX) bytes of buf as the worker does; check the contract. */
static bool
parse_flat(const uint8_t *buf, uint32_t len, struct kw_pkt_info *pi)
{
	struct kw_counters ctr;
	bool ok;

	memset(&ctr, 0, sizeof(ctr));
	ok = kw_pkt_parse(buf, RTE_MIN(len, (uint32_t)KW_PKT_HDR_MAX), len, pi, &ctr);
	if (ok != (pi->trackable != 0) || anomaly_count(&ctr) != (ok ? 0u : 1u))
		abort();
	return ok;
}

/* The parts of pi that a packet defines (the TCP fields only for TCP). */
static bool
same_info(const struct kw_pkt_info *a, const struct kw_pkt_info *b)
{
	if (a->trackable != b->trackable || a->frag != b->frag || a->l3 != b->l3)
		return false;
	if (!a->trackable)
		return true;
	return memcmp(&a->key, &b->key, sizeof(a->key)) == 0 && a->dir == b->dir &&
	       a->l4_proto == b->l4_proto && a->n_vlan == b->n_vlan &&
	       a->tcp_flags == b->tcp_flags && a->l2_len == b->l2_len && a->l3_len == b->l3_len &&
	       a->l4_len == b->l4_len && a->payload_len == b->payload_len &&
	       (a->l4_proto != IPPROTO_TCP ||
		(a->tcp_seq == b->tcp_seq && a->tcp_ack == b->tcp_ack && a->tcp_win == b->tcp_win));
}

/* A trackable packet's offsets and key. */
static void
check_tracked(const struct kw_pkt_info *pi, uint32_t frame_len)
{
	const struct kw_flow_key *k = &pi->key;
	unsigned int alen = k->family == 4 ? 4 : 16;
	int c;

	if ((uint64_t)pi->l2_len + pi->l3_len + pi->l4_len + pi->payload_len > frame_len ||
	    pi->l2_len != 14 + 4 * pi->n_vlan || pi->n_vlan > KW_PKT_VLAN_MAX || pi->dir > 1)
		abort();
	if ((k->family == 4) != (pi->l3 == KW_PKT_L3_IPV4) || (k->family != 4 && k->family != 6) ||
	    k->proto != pi->l4_proto ||
	    (pi->l4_proto != IPPROTO_TCP && pi->l4_proto != IPPROTO_UDP))
		abort();
	for (size_t i = 0; i < sizeof(k->zero); i++)
		if (k->zero[i] != 0)
			abort();
	for (size_t i = alen; i < sizeof(k->addr_lo); i++)
		if (k->addr_lo[i] != 0 || k->addr_hi[i] != 0)
			abort();
	/* lo sorts first: by address, then port */
	c = memcmp(k->addr_lo, k->addr_hi, alen);
	if (c > 0 || (c == 0 && k->port_lo > k->port_hi))
		abort();
}

/* frame with its source and destination (addresses and ports) swapped; the key must not move. */
static void
check_swapped(const uint8_t *frame, uint32_t len, const struct kw_pkt_info *pi)
{
	static uint8_t sw[FRAME_MAX];
	struct kw_pkt_info spi;
	uint32_t l3 = pi->l2_len, l4 = l3 + pi->l3_len;
	uint32_t src = pi->l3 == KW_PKT_L3_IPV4 ? 12 : 8, alen = pi->l3 == KW_PKT_L3_IPV4 ? 4 : 16;
	bool same_end;

	memcpy(sw, frame, len);
	memcpy(sw + l3 + src, frame + l3 + src + alen, alen);
	memcpy(sw + l3 + src + alen, frame + l3 + src, alen);
	memcpy(sw + l4, frame + l4 + 2, 2);
	memcpy(sw + l4 + 2, frame + l4, 2);
	if (!parse_flat(sw, len, &spi) || memcmp(&spi.key, &pi->key, sizeof(spi.key)) != 0)
		abort();
	same_end = memcmp(pi->key.addr_lo, pi->key.addr_hi, alen) == 0 &&
		   pi->key.port_lo == pi->key.port_hi;
	if (spi.dir != (same_end ? pi->dir : !pi->dir))
		abort();
}

/* The SYN parser on the same segment: it must agree with the classifier. */
static void
check_tcp_seg(const struct rte_mbuf *m, const struct kw_pkt_info *pi)
{
	struct kw_tcp_seg seg;
	uint16_t l4_off = (uint16_t)(pi->l2_len + pi->l3_len);

	if (kw_tcp_seg_parse(m, pi->l3 == KW_PKT_L3_IPV4 ? 4 : 6, pi->l2_len, l4_off, &seg) != 0)
		abort();
	if (seg.seq != pi->tcp_seq || seg.ack != pi->tcp_ack || seg.win != pi->tcp_win ||
	    seg.flags != pi->tcp_flags || seg.l4_off != l4_off ||
	    seg.pay_off != (uint32_t)l4_off + pi->l4_len || seg.pay_len != pi->payload_len ||
	    seg.pay_off + seg.pay_len > rte_pktmbuf_pkt_len(m))
		abort();
}

/* Everything about one whole packet in mbuf m; returns what the classifier found. */
static void
check_packet(const struct rte_mbuf *m, struct kw_pkt_info *pi)
{
	static uint8_t flat[1u << 17]; /* a reassembled packet may pass 64 KiB */
	struct kw_pkt_info fpi;
	struct kw_counters ctr;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const uint8_t *p;

	memset(&ctr, 0, sizeof(ctr));
	kw_pkt_parse_mbuf(m, pi, &ctr);
	if (len > sizeof(flat))
		abort();
	p = rte_pktmbuf_read(m, 0, len, flat);
	if (p == NULL)
		abort();
	parse_flat(p, len, &fpi);
	if (!same_info(pi, &fpi))
		abort();
	if (!pi->trackable)
		return;
	check_tracked(pi, len);
	if (len <= FRAME_MAX)
		check_swapped(p, len, pi);
	if (pi->l4_proto == IPPROTO_TCP)
		check_tcp_seg(m, pi);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kw_frag *fr = kw_frag_create("fz_frag", FRAG_PACKETS, FRAG_TIMEOUT, 0);
	struct kw_counters ctr;
	uint64_t now = 1;
	unsigned int n = 0;

	if (fr == NULL)
		abort();
	memset(&ctr, 0, sizeof(ctr));
	while (size >= 3 && n++ < FRAMES_MAX) {
		uint32_t len = (uint32_t)(data[1] << 8 | data[2]);
		unsigned int nseg = (data[0] & 3u) + 1;
		struct kw_pkt_info pi;
		struct rte_mbuf *m, *r;

		now += data[0] >> 2;
		data += 3;
		size -= 3;
		len = RTE_MIN(len, (uint32_t)RTE_MIN(size, (size_t)FRAME_MAX));
		if (len < nseg)
			nseg = 1;
		m = kw_test_mbuf_chain(g_mp, 0, data, len, nseg);
		if (m == NULL)
			abort();
		data += len;
		size -= len;
		check_packet(m, &pi);
		if (pi.frag) {
			r = kw_frag_offer(fr, m, &pi, now, &ctr);
			kw_frag_flush(fr);
			if (r != NULL) {
				struct kw_pkt_info rpi;

				/* may be a fragment again: a fragment header inside the payload
				 * (nested fragmentation; the worker counts frag_reassembled_bad) */
				check_packet(r, &rpi);
				rte_pktmbuf_free(r);
			}
		}
		rte_pktmbuf_free(m);
	}
	/* the table gives back what it still holds when destroyed; then every copy is home */
	rte_ip_frag_table_destroy(fr->tbl);
	fr->tbl = NULL;
	if (rte_mempool_avail_count(fr->pool) != FRAG_PACKETS)
		abort(); /* a fragment's copy was lost */
	kw_frag_free(fr);
	if (rte_mempool_avail_count(g_mp) != g_avail0)
		abort(); /* an mbuf was lost */
	return 0;
}
