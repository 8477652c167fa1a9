/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ip.h>
#include <rte_malloc.h>

#include "dataplane/frag.h"

/* Fragments one packet may have in the table (DPDK's limit is RTE_LIBRTE_IP_FRAG_MAX_FRAG). */
#define BUCKET_ENTRIES 16

struct kw_frag *
kw_frag_create(const char *name, uint32_t max_packets, uint64_t timeout_tsc, int socket)
{
	struct kw_frag *fr = rte_zmalloc_socket(name, sizeof(*fr), RTE_CACHE_LINE_SIZE, socket);
	uint32_t buckets = rte_align32pow2(max_packets / BUCKET_ENTRIES + 1);

	if (fr == NULL)
		return NULL;
	fr->tbl = rte_ip_frag_table_create(buckets, BUCKET_ENTRIES, max_packets, timeout_tsc,
					   socket);
	fr->pool = rte_pktmbuf_pool_create(name, max_packets, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   socket);
	if (fr->tbl == NULL || fr->pool == NULL) {
		kw_frag_free(fr);
		return NULL;
	}
	return fr;
}

void
kw_frag_free(struct kw_frag *fr)
{
	if (fr == NULL)
		return;
	if (fr->tbl != NULL) {
		kw_frag_flush(fr);
		rte_ip_frag_table_destroy(fr->tbl);
	}
	rte_mempool_free(fr->pool);
	rte_free(fr);
}

struct rte_mbuf *
kw_frag_offer(struct kw_frag *fr, const struct rte_mbuf *m, const struct kw_pkt_info *pi,
	      uint64_t now, struct kw_counters *ctr)
{
	struct rte_mbuf *c;
	void *ip;

	/* DPDK reassembles IPv6 only with the fragment header right after the fixed header */
	if (pi->l3 == KW_PKT_L3_IPV6 && pi->frag_off != sizeof(struct rte_ipv6_hdr)) {
		kw_ctr_inc(ctr, KW_CTR_FRAG_UNSUPPORTED);
		return NULL;
	}
	c = rte_pktmbuf_copy(m, fr->pool, 0, UINT32_MAX);
	if (c == NULL) {
		kw_ctr_inc(ctr, KW_CTR_FRAG_NO_MBUF);
		return NULL;
	}
	kw_ctr_inc(ctr, KW_CTR_FRAG_HELD);
	c->l2_len = pi->l2_len;
	ip = rte_pktmbuf_mtod_offset(c, void *, pi->l2_len);
	if (pi->l3 == KW_PKT_L3_IPV4) {
		c->l3_len = pi->l3_len;
		c = rte_ipv4_frag_reassemble_packet(fr->tbl, &fr->dr, c, now, ip);
	} else {
		c->l3_len = sizeof(struct rte_ipv6_hdr) + sizeof(struct rte_ipv6_fragment_ext);
		c = rte_ipv6_frag_reassemble_packet(
			fr->tbl, &fr->dr, c, now, ip,
			rte_pktmbuf_mtod_offset(c, struct rte_ipv6_fragment_ext *,
						pi->l2_len + pi->frag_off));
	}
	if (c == NULL)
		return NULL;
	/*
	 * DPDK leaves the rebuilt IPv4 header with a zero checksum, which the TCP tracker's checksum
	 * check (it validates the IP header too) would take for a corrupt packet
	 */
	if (pi->l3 == KW_PKT_L3_IPV4) {
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod_offset(c, struct rte_ipv4_hdr *, c->l2_len);

		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	kw_ctr_inc(ctr, KW_CTR_FRAG_REASSEMBLED);
	return c;
}
