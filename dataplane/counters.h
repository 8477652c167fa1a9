/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker counters: one table declares every counter once (id, name, unit, help); the enum,
 * the telemetry dictionary and the Prometheus names are all generated from it.
 *
 * Each worker owns one cache-aligned struct kw_counters and increments it with plain adds.
 * The control thread sums all workers' blocks when it reports; a torn 64-bit read cannot
 * happen on x86-64, and a sum that is one burst stale is fine for monitoring.
 */
#ifndef KW_COUNTERS_H
#define KW_COUNTERS_H

#include <stdint.h>

#include <rte_common.h>

/* X(ID, name, unit, help) */
#define KW_WORKER_COUNTERS(X)                                                                      \
	X(POLLS, "polls", "loops", "worker loop iterations")                                        \
	X(POLLS_IDLE, "polls_idle", "loops", "loop iterations that received nothing")               \
	X(BUSY_CYCLES, "busy_cycles", "cycles", "TSC cycles spent in loop iterations that received frames") \
	X(RX_PKTS, "rx_pkts", "packets", "frames received from ports")                              \
	X(RX_BYTES, "rx_bytes", "bytes", "bytes received from ports")                               \
	X(TX_PKTS, "tx_pkts", "packets", "frames accepted by a port's TX queue")                    \
	X(TX_BYTES, "tx_bytes", "bytes", "bytes accepted by a port's TX queue")                     \
	X(DROP_TX_FULL, "drop_tx_full", "packets", "frames freed because a TX queue was full")      \
	X(DROP_NO_PEER, "drop_no_peer", "packets", "frames from a port without a bridge peer")      \
	X(DISPATCH_OUT, "dispatch_out", "packets", "frames handed to another worker's ring")        \
	X(DISPATCH_IN, "dispatch_in", "packets", "frames taken from other workers' rings")          \
	X(DROP_DISPATCH_FULL, "drop_dispatch_full", "packets",                                      \
	  "frames freed because another worker's ring was full")                                    \
	X(TX_HANDOFF_OUT, "tx_handoff_out", "packets",                                              \
	  "frames handed to the TX owner of a single-queue port")                                   \
	X(TX_HANDOFF_IN, "tx_handoff_in", "packets", "frames transmitted for other workers")        \
	X(DROP_HANDOFF_FULL, "drop_handoff_full", "packets",                                        \
	  "frames freed because the TX owner's ring was full")                                      \
	X(PKT_NON_IP, "pkt_non_ip", "packets", "frames with a non-IP ethertype")                    \
	X(PKT_L2_TRUNCATED, "pkt_l2_truncated", "packets", "frames shorter than their L2 headers")  \
	X(PKT_VLAN, "pkt_vlan", "packets", "frames with one VLAN tag")                              \
	X(PKT_QINQ, "pkt_qinq", "packets", "frames with two or more VLAN tags")                     \
	X(PKT_VLAN_TOO_DEEP, "pkt_vlan_too_deep", "packets", "frames with more VLAN tags than parsed") \
	X(PKT_IPV4, "pkt_ipv4", "packets", "IPv4 packets")                                          \
	X(PKT_IPV6, "pkt_ipv6", "packets", "IPv6 packets")                                          \
	X(PKT_IP_TRUNCATED, "pkt_ip_truncated", "packets", "frames shorter than their IP header")   \
	X(PKT_IP_BAD_VERSION, "pkt_ip_bad_version", "packets", "IP version not matching ethertype") \
	X(PKT_IP_BAD_IHL, "pkt_ip_bad_ihl", "packets", "IPv4 header length below 20 or past the frame") \
	X(PKT_IP_BAD_LEN, "pkt_ip_bad_len", "packets", "IP total length inconsistent with the frame") \
	X(PKT_IP_OPTIONS, "pkt_ip_options", "packets", "IPv4 packets carrying options")             \
	X(PKT_IPV6_EXT, "pkt_ipv6_ext", "packets", "IPv6 packets with extension headers")           \
	X(PKT_IPV6_EXT_BAD, "pkt_ipv6_ext_bad", "packets",                                          \
	  "IPv6 extension chains truncated or longer than parsed")                                  \
	X(PKT_FRAGMENT, "pkt_fragment", "packets", "IP fragments (forwarded, not tracked)")         \
	X(PKT_TCP, "pkt_tcp", "packets", "TCP segments")                                            \
	X(PKT_UDP, "pkt_udp", "packets", "UDP datagrams")                                           \
	X(PKT_OTHER_L4, "pkt_other_l4", "packets", "IP packets of another protocol (forwarded)")     \
	X(PKT_L4_TRUNCATED, "pkt_l4_truncated", "packets", "TCP or UDP header past the packet")     \
	X(PKT_TCP_BAD_DOFF, "pkt_tcp_bad_doff", "packets", "TCP data offset below 5 or past the packet") \
	X(FRAG_HELD, "frag_held", "packets", "IP fragments copied into the reassembly table")       \
	X(FRAG_REASSEMBLED, "frag_reassembled", "packets", "packets reassembled for inspection")    \
	X(FRAG_NO_MBUF, "frag_no_mbuf", "packets",                                                  \
	  "fragments not inspected: the fragment pool was empty (forwarded all the same)")          \
	X(FRAG_UNSUPPORTED, "frag_unsupported", "packets",                                          \
	  "IPv6 fragments behind other extension headers (forwarded, not reassembled)")             \
	X(FRAG_REASSEMBLED_BAD, "frag_reassembled_bad", "packets",                                  \
	  "reassembled packets not inspected: a fragment header inside, or a bad header")          \
	X(FRAG_FOREIGN, "frag_foreign", "packets",                                                  \
	  "reassembled packets whose flow the owning worker has no room for (not inspected)")       \
	X(FRAG_HANDOFF_OUT, "frag_handoff_out", "packets",                                          \
	  "reassembled packets handed to the worker owning their flow")                             \
	X(FRAG_HANDOFF_IN, "frag_handoff_in", "packets",                                            \
	  "reassembled packets other workers handed over for inspection")                           \
	X(FRAG_HANDOFF_FULL, "frag_handoff_full", "packets",                                        \
	  "reassembled packets freed uninspected: the owner's ring was full (fragments forwarded)") \
	X(FLOW_CREATED, "flow_created", "flows", "flows inserted into the flow table")              \
	X(FLOW_EXPIRED, "flow_expired", "flows", "flows removed after the idle timeout")            \
	X(FLOW_TABLE_FULL, "flow_table_full", "packets",                                            \
	  "packets of a new flow that found the flow table full")                                   \
	X(DROP_FLOW_FULL, "drop_flow_full", "packets",                                              \
	  "packets dropped by flows.on_full: drop")                                                 \
	X(L7_KAFKA_FLOWS, "l7_kafka_flows", "flows", "flows decoded as Kafka")                     \
	X(L7_DETECT_FLOWS, "l7_detect_flows", "flows", "flows on other ports probed for Kafka")    \
	X(L7_DETECT_HITS, "l7_detect_hits", "flows", "probed flows whose first request was Kafka") \
	X(L7_CONN_POOL_EMPTY, "l7_conn_pool_empty", "flows",                                        \
	  "Kafka flows left opaque because the connection pool was empty")                          \
	X(L7_TLS_FLOWS, "l7_tls_flows", "flows", "Kafka-port flows that carry TLS (passed, not decoded)") \
	X(L7_RESTARTS, "l7_restarts", "flows",                                                      \
	  "closed flows reopened by a new SYN (port reuse): state released and started over")       \
	X(L7_SEG_REJECTED, "l7_seg_rejected", "packets",                                            \
	  "segments the TCP tracker kept from the decoder (window, checksum, opaque)")              \
	X(L7_DATA_AFTER_CLOSE, "l7_data_after_close", "segments",                                   \
	  "segments with data for a Kafka flow whose connection closed (not expected; not decoded)") \
	X(KAFKA_RECS, "kafka_recs", "records",                                                      \
	  "log records (request/response pairs, batch records) handed to the control thread")      \
	X(KAFKA_REC_DROPPED, "kafka_rec_dropped", "records",                                       \
	  "records lost because the control thread's ring was full or the record pool empty")

#define KW_CTR_ENUM(id, name, unit, help) KW_CTR_##id,
enum kw_ctr {
	KW_WORKER_COUNTERS(KW_CTR_ENUM) KW_CTR_MAX
};
#undef KW_CTR_ENUM

struct kw_ctr_desc {
	const char *name;
	const char *unit;
	const char *help;
};

/* Descriptions indexed by enum kw_ctr. */
extern const struct kw_ctr_desc kw_ctr_desc[KW_CTR_MAX];

struct kw_counters {
	uint64_t v[KW_CTR_MAX];
} __rte_cache_aligned;

/* Add n to counter id; the owning worker only. */
static inline void
kw_ctr_add(struct kw_counters *c, enum kw_ctr id, uint64_t n)
{
	c->v[id] += n;
}

static inline void
kw_ctr_inc(struct kw_counters *c, enum kw_ctr id)
{
	c->v[id]++;
}

#endif /* KW_COUNTERS_H */
