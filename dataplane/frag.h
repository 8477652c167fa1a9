/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP fragments for inspection: each fragment is copied (fragments are rare, and DPDK's
 * reassembly rewrites the first fragment's IP header, which must not touch a frame being
 * forwarded) into a bounded per-worker rte_ip_frag table; a completed packet comes back for
 * the TCP and Kafka layers and is then freed. The original fragments are forwarded as they came.
 *
 * One per worker; created and freed on the main lcore.
 */
#ifndef KW_FRAG_H
#define KW_FRAG_H

#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "dataplane/counters.h"
#include "dataplane/pkt.h"

struct kw_frag {
	struct rte_ip_frag_tbl *tbl;
	struct rte_mempool *pool; /* the copies: max_packets mbufs */
	struct rte_ip_frag_death_row dr;
};

/* Init only: room for max_packets fragments, dropped after timeout_tsc. NULL on error. */
struct kw_frag *kw_frag_create(const char *name, uint32_t max_packets, uint64_t timeout_tsc,
			       int socket);
void kw_frag_free(struct kw_frag *fr);

/*
 * Offer fragment m (classified in pi; m stays the caller's). Returns the reassembled packet when
 * m completes one (the caller frees it), else NULL.
 */
struct rte_mbuf *kw_frag_offer(struct kw_frag *fr, const struct rte_mbuf *m,
			       const struct kw_pkt_info *pi, uint64_t now, struct kw_counters *ctr);

/* Free the fragments the table gave up (timeouts, overlaps): once per burst. */
static inline void
kw_frag_flush(struct kw_frag *fr)
{
	if (fr->dr.cnt != 0)
		rte_ip_frag_free_death_row(&fr->dr, 0);
}

#endif /* KW_FRAG_H */
