/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test mbufs: a segment laid out as hdr zero bytes (the headers the code under test skips) and
 * then a payload, split over nseg chained mbufs. For unit tests and fuzz targets.
 */
#ifndef KW_TEST_MBUF_H
#define KW_TEST_MBUF_H

#include <string.h>

#include <rte_mbuf.h>

/* hdr zero bytes then len bytes of pay over nseg mbufs from mp; NULL when mp runs dry. */
static inline struct rte_mbuf *
kw_test_mbuf_chain(struct rte_mempool *mp, uint32_t hdr, const uint8_t *pay, uint32_t len,
		   unsigned int nseg)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n = i + 1 == nseg ? len - done : len / nseg;
		uint32_t h = i == 0 ? hdr : 0;
		uint8_t *p;

		if (m == NULL || (p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(h + n))) == NULL) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		memset(p, 0, h);
		if (n > 0)
			memcpy(p + h, pay + done, n);
		done += n;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += m->data_len;
		}
		last = m;
	}
	return head;
}

#endif /* KW_TEST_MBUF_H */
