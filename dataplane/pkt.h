/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 classification: Ethernet, VLAN/QinQ tags, IPv4 (options, fragments), IPv6 (extension
 * headers), TCP and UDP. Produces the direction-independent flow key and the offsets the TCP and
 * Kafka layers need. Never writes the frame: every frame is forwarded untouched whatever this
 * finds, and each anomaly increments exactly one named counter.
 *
 * Called by workers (and the software dispatcher) on their own packets; owns nothing.
 */
#ifndef KW_PKT_H
#define KW_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/counters.h"

/* Header bytes the classifier looks at; enough for QinQ + IPv6 with a few extension headers. */
#define KW_PKT_HDR_MAX 256
#define KW_PKT_VLAN_MAX 2
#define KW_PKT_IPV6_EXT_MAX 8

enum kw_pkt_l3 {
	KW_PKT_L3_NONE = 0,
	KW_PKT_L3_IPV4,
	KW_PKT_L3_IPV6,
};

/*
 * Direction-independent 5-tuple: the (address, port) endpoint that sorts lower is "lo". Both
 * directions of a flow yield the same key, so it serves as the flow table key and as the input
 * of the software dispatcher's hash. IPv4 addresses use the first 4 bytes; unused bytes are 0.
 * 48 bytes: six words, which the flow table hashes and compares whole.
 */
struct kw_flow_key {
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t proto;
	uint8_t family; /* 4 or 6 */
	uint8_t zero[10];
};

struct kw_pkt_info {
	struct kw_flow_key key; /* valid when trackable */
	uint8_t trackable;      /* complete TCP/UDP headers, not a fragment */
	uint8_t dir;            /* 0: the source is the key's lo endpoint */
	uint8_t l3;             /* enum kw_pkt_l3 */
	uint8_t l4_proto;       /* IPPROTO_* of the transport header, when l3 is set */
	uint8_t n_vlan;
	uint8_t tcp_flags;
	uint8_t frag;           /* an IP fragment (l2_len, l3 and, for IPv6, frag_off are set) */
	uint16_t frag_off;      /* IPv6: offset of the fragment header from the IP header */
	uint16_t l2_len;        /* Ethernet + VLAN tags */
	uint16_t l3_len;        /* IP header including options or extension headers */
	uint16_t l4_len;        /* TCP header including options, or 8 for UDP */
	uint32_t payload_len;   /* L4 payload bytes according to the IP length */
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint16_t tcp_win;
};

/*
 * Classify the frame whose first len bytes are at buf and whose full length is frame_len.
 * Returns true when the packet belongs to a trackable TCP/UDP flow (pi fully filled).
 */
bool kw_pkt_parse(const uint8_t *buf, uint32_t len, uint32_t frame_len, struct kw_pkt_info *pi,
		  struct kw_counters *ctr);

/* The same on an mbuf chain; headers split across segments are copied (bounded) first. */
static inline bool
kw_pkt_parse_mbuf(const struct rte_mbuf *m, struct kw_pkt_info *pi, struct kw_counters *ctr)
{
	uint8_t copy[KW_PKT_HDR_MAX];
	uint32_t want = RTE_MIN(m->pkt_len, (uint32_t)KW_PKT_HDR_MAX);
	const uint8_t *p = rte_pktmbuf_read(m, 0, want, copy);

	return kw_pkt_parse(p, want, m->pkt_len, pi, ctr);
}

#endif /* KW_PKT_H */
