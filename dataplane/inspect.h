/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inspection: the glue between a worker's flows and the TCP and Kafka layers. Decides per flow
 * whether it is Kafka (a configured broker port, or detection by the first request), feeds its
 * TCP segments to the reassembler, whose in-order bytes go to the Kafka decoder, and turns the
 * decoder's events (and, with the record hook set, the records of batches) into records for the
 * control thread.
 *
 * Runs on the worker that owns the flow; state lives in the flow and in the worker's TCP and
 * Kafka contexts. Never changes or delays a frame: the caller forwards it after this returns.
 */
#ifndef KW_INSPECT_H
#define KW_INSPECT_H

#include <rte_mbuf.h>

#include "dataplane/flow.h"
#include "dataplane/pkt.h"

struct kw_worker;

/* Init only: w->tcp_sink, the callbacks by which the reassembler hands w's flows to the decoder. */
void kw_inspect_init(struct kw_worker *w);

/* Inspect one TCP segment of flow f (headers described by pi); clk is the decoder clock. */
void kw_inspect_tcp(struct kw_worker *w, struct kw_flow *f, struct rte_mbuf *m,
		    const struct kw_pkt_info *pi, uint64_t clk);

/*
 * The TCP segment of frame m from what kw_pkt_parse read and checked (pi: offsets, lengths,
 * sequence numbers, flags), without reading the headers again: the same as kw_tcp_seg_parse for
 * every TCP frame kw_pkt_parse accepts (a SYN goes through kw_tcp_seg_parse for its options).
 * Returns 0, or kw_tcp_seg_parse's -EINVAL.
 */
struct kw_tcp_seg;
int kw_inspect_seg(const struct rte_mbuf *m, const struct kw_pkt_info *pi,
		   struct kw_tcp_seg *seg);

/* kw_flow_release_fn for the worker's flow table: free held segments and the Kafka state. */
void kw_inspect_flow_release(void *worker, struct kw_flow *f);

/* kw_kafka_emit_fn: the decoder's event becomes a record on the worker's ring. */
struct kw_kafka_event;
void kw_inspect_emit(void *worker, const struct kw_kafka_event *ev);

/*
 * The log records w holds, taken from its pool ahead of use a few at a time: with the ring and
 * the pool, where every record is. Any thread once w is stopped, or w itself.
 */
unsigned int kw_inspect_recs_held(const struct kw_worker *w);

/* Teardown, w stopped: the records w holds go back to its pool. */
void kw_inspect_recs_release(struct kw_worker *w);

/*
 * kw_kafka_record_hook_fn (log.records): one record of an uncompressed batch becomes a record of
 * kind KW_KAFKA_REC_RECORD on the worker's ring, with kw_inspect_emit's pool, ring, drop policy
 * and counters (kafka_recs, kafka_rec_dropped).
 */
struct kw_kafka_record_where;
struct kw_kafka_record;
void kw_inspect_record(void *worker, const struct kw_kafka_record_where *where,
		       const struct kw_kafka_record *rec);

#endif /* KW_INSPECT_H */
