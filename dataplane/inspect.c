/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "control/config.h"
#include "dataplane/inspect.h"
#include "dataplane/kafka_rec.h"
#include "dataplane/worker.h"

static inline unsigned int
kafka_dir(const struct kw_flow *f, unsigned int tcp_dir)
{
	return tcp_dir == f->client_dir ? 0 : 1;
}

/* Give a flow its Kafka connection state; false (and counted) when the pool is empty. */
static bool
kafka_attach(struct kw_worker *w, struct kw_flow *f)
{
	f->kafka = kw_kafka_conn_alloc(w->kafka);
	if (f->kafka == NULL) {
		kw_ctr_inc(&w->ctr, KW_CTR_L7_CONN_POOL_EMPTY);
		f->l7 = KW_FLOW_L7_OPAQUE;
		return false;
	}
	f->l7 = KW_FLOW_L7_KAFKA;
	kw_ctr_inc(&w->ctr, KW_CTR_L7_KAFKA_FLOWS);
	return true;
}

/* A TLS record header (handshake, version 3.x) where a Kafka frame would start. */
static inline bool
looks_like_tls(const uint8_t *p, uint32_t len)
{
	return len >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04;
}

_Static_assert(KW_KAFKA_REQ_START_LEN <= KW_FLOW_DETECT_MAX, "detection keeps a request start");

/*
 * kafka.detect: the first KW_KAFKA_REQ_START_LEN bytes the flow delivers, all from one direction,
 * must look like a request header (kw_kafka_req_start_plausible). They may come in several
 * segments: the flow keeps them (bounded by KW_FLOW_DETECT_MAX) until it can decide. True when
 * the flow just became Kafka: the kept bytes of earlier segments are fed, the caller feeds p.
 * Anything else (a gap, the other side speaking first, an implausible header) makes it NONE.
 */
static bool
detect_request(struct kw_worker *w, unsigned int dir, uint64_t off, const uint8_t *p, uint32_t len)
{
	struct kw_flow *f = w->cur_flow;
	uint32_t n;

	if (off != f->detect_n || (f->detect_n != 0 && dir != f->client_dir)) {
		f->l7 = KW_FLOW_L7_NONE;
		return false;
	}
	f->client_dir = (uint8_t)dir;
	n = RTE_MIN(len, (uint32_t)(KW_KAFKA_REQ_START_LEN - f->detect_n));
	memcpy(f->detect + f->detect_n, p, n);
	f->detect_n = (uint8_t)(f->detect_n + n);
	if (f->detect_n < KW_KAFKA_REQ_START_LEN)
		return false;
	if (!kw_kafka_req_start_plausible(f->detect, w->cfg->kafka_max_frame)) {
		f->l7 = KW_FLOW_L7_NONE;
		return false;
	}
	kw_ctr_inc(&w->ctr, KW_CTR_L7_DETECT_HITS);
	if (!kafka_attach(w, f))
		return false;
	if (off > 0) {
		/* the kept head of the stream, as the decoder would have seen it */
		if (kw_tcp_conn_midstream(&f->tcp, dir))
			kw_kafka_conn_resync(w->kafka, f->kafka, kafka_dir(f, dir));
		kw_kafka_conn_feed(w->kafka, f->kafka, kafka_dir(f, dir), 0, f->detect,
				   (uint32_t)off, w->cur_clk);
	}
	return true;
}

/* The sink's callbacks (w->tcp_sink): their arg is the worker, the flow is w->cur_flow. */
static void
sink_data(void *arg, unsigned int dir, uint64_t off, const uint8_t *p, uint32_t len)
{
	struct kw_worker *w = arg;
	struct kw_flow *f = w->cur_flow;

	if (unlikely(off == 0 && looks_like_tls(p, len)) && f->l7 != KW_FLOW_L7_NONE) {
		/* Kafka over TLS: counted and passed; the bytes mean nothing to the decoder */
		kw_ctr_inc(&w->ctr, KW_CTR_L7_TLS_FLOWS);
		if (f->l7 == KW_FLOW_L7_KAFKA) {
			kw_kafka_conn_gap(w->kafka, f->kafka, 0);
			kw_kafka_conn_gap(w->kafka, f->kafka, 1);
		}
		f->l7 = KW_FLOW_L7_OPAQUE;
		return;
	}
	if (f->l7 == KW_FLOW_L7_DETECT && !detect_request(w, dir, off, p, len))
		return;
	if (f->l7 != KW_FLOW_L7_KAFKA)
		return;
	if (unlikely(f->kafka == NULL)) {
		/* both directions closed (sink_close): the tracker delivers nothing more */
		kw_ctr_inc(&w->ctr, KW_CTR_L7_DATA_AFTER_CLOSE);
		return;
	}
	/* picked up mid-stream: the first bytes are inside a frame; find the next one */
	if (off == 0 && kw_tcp_conn_midstream(&f->tcp, dir))
		kw_kafka_conn_resync(w->kafka, f->kafka, kafka_dir(f, dir));
	KW_PHASE_START(t);
	kw_kafka_conn_feed(w->kafka, f->kafka, kafka_dir(f, dir), off, p, len, w->cur_clk);
	KW_PHASE_END(w, KAFKA, t);
}

static void
sink_gap(void *arg, unsigned int dir, uint64_t off)
{
	struct kw_worker *w = arg;
	struct kw_flow *f = w->cur_flow;

	RTE_SET_USED(off);
	/* a Kafka flow has no connection once both directions closed (sink_close) */
	if (f->l7 == KW_FLOW_L7_KAFKA && f->kafka != NULL)
		kw_kafka_conn_gap(w->kafka, f->kafka, kafka_dir(f, dir));
	else if (f->l7 == KW_FLOW_L7_DETECT)
		f->l7 = KW_FLOW_L7_NONE;
}

/*
 * Both directions closed (each FIN reached in stream order, or a RST): nothing more can reach
 * the decoder, so the Kafka connection goes back to the pool now rather than when the flow ages
 * out or its 5-tuple is reused. A capture replays an hour in a second, so no flow ages during
 * `kwire pcap`, and its closed connections used to hold the pool until only kafka.max_connections
 * of a capture's connections were decoded; inline, a broker's closed connections held it for
 * flows.idle_timeout_ms. Requests still waiting for a response are reported unanswered, as at
 * aging. The flow stays Kafka with no connection: its last ACKs still pass the TCP tracker,
 * which delivers no data after a direction closed (sink_gap still checks for the connection).
 */
static void
sink_close(void *arg, unsigned int dir, int how)
{
	struct kw_worker *w = arg;
	struct kw_flow *f = w->cur_flow;

	RTE_SET_USED(how);
	if (f->kafka == NULL || !(f->tcp.dir[dir ^ 1].flags & KW_TCP_DIR_CLOSED))
		return;
	kw_kafka_conn_free(w->kafka, f->kafka);
	f->kafka = NULL;
}

void
kw_inspect_init(struct kw_worker *w)
{
	w->tcp_sink = (struct kw_tcp_sink){
		.data = sink_data,
		.gap = sink_gap,
		.close = sink_close,
		.arg = w,
	};
}

/* First packet of a flow: a broker port makes it Kafka, detection probes the rest. */
static void
classify_flow(struct kw_worker *w, struct kw_flow *f, const struct kw_pkt_info *pi)
{
	uint16_t sport = pi->dir ? pi->key.port_hi : pi->key.port_lo;
	uint16_t dport = pi->dir ? pi->key.port_lo : pi->key.port_hi;

	if (kw_config_kafka_port(w->cfg, dport)) {
		f->client_dir = pi->dir;
		kafka_attach(w, f);
	} else if (kw_config_kafka_port(w->cfg, sport)) {
		f->client_dir = (uint8_t)!pi->dir;
		kafka_attach(w, f);
	} else if (w->cfg->kafka_detect) {
		f->l7 = KW_FLOW_L7_DETECT;
		f->detect_n = 0;
		kw_ctr_inc(&w->ctr, KW_CTR_L7_DETECT_FLOWS);
	} else {
		f->l7 = KW_FLOW_L7_NONE;
	}
}

/*
 * Both directions finished (a FIN each way, or a RST): a new SYN is a new connection. A
 * direction may close without a FIN of its own on record (a bare FIN before any data was seen,
 * a FIN after a gap made it opaque): closed counts as finished, or the tracker would reset the
 * connection on that SYN (both directions closed) while the flow kept no decoder state.
 */
static inline bool
tcp_finished(const struct kw_tcp_conn *c)
{
	const uint16_t done = KW_TCP_DIR_FIN | KW_TCP_DIR_CLOSED;

	return kw_tcp_conn_rst(c) || ((c->dir[0].flags & done) && (c->dir[1].flags & done));
}

int
kw_inspect_seg(const struct rte_mbuf *m, const struct kw_pkt_info *pi, struct kw_tcp_seg *seg)
{
	uint16_t l4_off = (uint16_t)(pi->l2_len + pi->l3_len);
	uint8_t ip_ver = pi->l3 == KW_PKT_L3_IPV4 ? 4 : 6;

	if (unlikely(pi->tcp_flags & KW_TCP_SYN))
		return kw_tcp_seg_parse(m, ip_ver, pi->l2_len, l4_off, seg);
	seg->seq = pi->tcp_seq;
	seg->ack = pi->tcp_ack;
	seg->pay_off = (uint32_t)l4_off + pi->l4_len;
	seg->pay_len = pi->payload_len;
	seg->win = pi->tcp_win;
	seg->l3_off = pi->l2_len;
	seg->l4_off = l4_off;
	seg->flags = pi->tcp_flags;
	seg->ip_ver = ip_ver;
	seg->wscale = KW_TCP_WSCALE_NONE;
	seg->csum = kw_tcp_csum_from_ol_flags(m->ol_flags);
	return 0;
}

void
kw_inspect_tcp(struct kw_worker *w, struct kw_flow *f, struct rte_mbuf *m,
	       const struct kw_pkt_info *pi, uint64_t clk)
{
	struct kw_tcp_seg seg;

	KW_PHASE_START(t);
	if (unlikely((pi->tcp_flags & (KW_TCP_SYN | KW_TCP_ACK)) == KW_TCP_SYN) &&
	    f->l7 != KW_FLOW_L7_NEW && tcp_finished(&f->tcp)) {
		/* the 5-tuple is reused (TIME_WAIT over, or a replayed capture): start over */
		kw_inspect_flow_release(w, f);
		memset(&f->tcp, 0, sizeof(f->tcp));
		f->l7 = KW_FLOW_L7_NEW;
		kw_ctr_inc(&w->ctr, KW_CTR_L7_RESTARTS);
	}
	if (unlikely(f->l7 == KW_FLOW_L7_NEW))
		classify_flow(w, f, pi);
	KW_PHASE_END(w, RESTART, t);
	if (f->l7 != KW_FLOW_L7_KAFKA && f->l7 != KW_FLOW_L7_DETECT)
		return;
	if (kw_inspect_seg(m, pi, &seg) != 0) {
		kw_ctr_inc(&w->ctr, KW_CTR_L7_SEG_REJECTED);
		return;
	}
	w->cur_flow = f;
	w->cur_key = &pi->key;
	w->cur_clk = clk;
	if (kw_tcp_conn_input(w->tcp, &f->tcp, pi->dir, m, &seg, clk, &w->tcp_sink) != 0)
		kw_ctr_inc(&w->ctr, KW_CTR_L7_SEG_REJECTED);
	w->cur_flow = NULL;
	w->cur_key = NULL;
}

void
kw_inspect_flow_release(void *worker, struct kw_flow *f)
{
	struct kw_worker *w = worker;

	if (f->l7 != KW_FLOW_L7_KAFKA && f->l7 != KW_FLOW_L7_DETECT && f->l7 != KW_FLOW_L7_OPAQUE)
		return;
	w->cur_flow = f;
	w->cur_key = NULL;
	kw_tcp_conn_release(w->tcp, &f->tcp, &w->tcp_sink);
	if (f->kafka != NULL) {
		/* pending requests come out as unanswered records, still naming this flow */
		kw_kafka_conn_free(w->kafka, f->kafka);
		f->kafka = NULL;
	}
	w->cur_flow = NULL;
}

/* TSC or capture clock to UNIX ns. */
static inline uint64_t
clock_to_unix_ns(const struct kw_worker *w, uint64_t clk)
{
	uint64_t d;

	if (w->clock_ns)
		return clk;
	d = clk - w->tsc0;
	return w->wall_ns0 + kw_tsc_ns(&w->tsc_ns, d);
}

/*
 * The key a log record's endpoints come from: the current packet's when there is one. Reading
 * the flow's own copy missed the cache on every pair with 10k connections (half of
 * kw_inspect_emit's samples).
 */
static inline const struct kw_flow_key *
rec_key(const struct kw_worker *w, const struct kw_flow *f)
{
	return w->cur_key != NULL ? w->cur_key : &f->key;
}

/* The flow of a log record: the side that sends requests is the client. */
static void
rec_flow_fill(const struct kw_worker *w, const struct kw_flow *f, struct kw_kafka_rec *r)
{
	const struct kw_flow_key *k = rec_key(w, f);
	const uint8_t *lo = k->addr_lo, *hi = k->addr_hi;
	unsigned int alen = k->family == 4 ? 4 : 16;

	r->worker = w->id;
	r->family = k->family;
	memset(r->client, 0, sizeof(r->client));
	memset(r->broker, 0, sizeof(r->broker));
	/* direction 0 travels from the key's lo endpoint */
	memcpy(r->client, f->client_dir == 0 ? lo : hi, alen);
	memcpy(r->broker, f->client_dir == 0 ? hi : lo, alen);
	r->client_port = f->client_dir == 0 ? k->port_lo : k->port_hi;
	r->broker_port = f->client_dir == 0 ? k->port_hi : k->port_lo;
}

/*
 * The pair ev of flow f for the statistics only (rec_stats), packed into r: of the flow and the
 * connection's identity, only what a statistics pair carries is looked up (the client's family
 * and address for the apis that carry it, packed from the key where it lies; the principal and
 * the software, not the mechanism). With the full endpoints and identity, a pair took ~20
 * instructions more; through r's endpoints (kw_kafka_rec_pack_stats), ~10 more.
 */
static void
rec_fill_stats(const struct kw_worker *w, const struct kw_flow *f, const struct kw_kafka_event *ev,
	       struct kw_kafka_rec *r)
{
	const struct kw_kafka_conn *c = f->kafka;
	const struct kw_kafka_str *id[KW_KAFKA_REC_ID_N] = {
		[KW_KAFKA_REC_ID_PRINCIPAL] = kw_kafka_conn_id(c, KW_KAFKA_ID_USER),
		[KW_KAFKA_REC_ID_SW_NAME] = kw_kafka_conn_id(c, KW_KAFKA_ID_SW_NAME),
		[KW_KAFKA_REC_ID_SW_VERSION] = kw_kafka_conn_id(c, KW_KAFKA_ID_SW_VERSION),
	};
	const uint8_t *client = NULL;
	uint8_t family = 0;

	if (kw_kafka_rec_stats_addr(ev->api_key)) {
		const struct kw_flow_key *k = rec_key(w, f);

		family = k->family;
		client = f->client_dir == 0 ? k->addr_lo : k->addr_hi;
	}
	r->worker = w->id;
	kw_kafka_rec_pack_stats_client(r, ev, id, family, client);
}

/*
 * The pair ev of flow f, packed into r with the times and the connection's identity, and the
 * flow's endpoints unless the pair is for the statistics only (rec_stats).
 */
static void
rec_fill(const struct kw_worker *w, const struct kw_flow *f, const struct kw_kafka_event *ev,
	 struct kw_kafka_rec *r)
{
	const struct kw_kafka_conn *c = f->kafka;
	const struct kw_kafka_str *id[KW_KAFKA_REC_ID_N];

	r->ts_ns = clock_to_unix_ns(w, ev->t_req);
	/*
	 * The answer's time, converted as the request's was, less the request's: ts + latency is
	 * then exactly the answer's time, and answers order as they came (the statistics keep the
	 * latest high watermark). Converting the latency alone could read 1 ns short.
	 */
	r->latency_ns =
		ev->resp_len == 0 ? 0 : clock_to_unix_ns(w, ev->t_req + ev->latency_tsc) - r->ts_ns;
	if (w->rec_stats) {
		rec_fill_stats(w, f, ev, r);
		return;
	}
	/* pointers only: a string is read when packed */
	id[KW_KAFKA_REC_ID_PRINCIPAL] = kw_kafka_conn_id(c, KW_KAFKA_ID_USER);
	id[KW_KAFKA_REC_ID_MECHANISM] = kw_kafka_conn_id(c, KW_KAFKA_ID_MECHANISM);
	id[KW_KAFKA_REC_ID_SW_NAME] = kw_kafka_conn_id(c, KW_KAFKA_ID_SW_NAME);
	id[KW_KAFKA_REC_ID_SW_VERSION] = kw_kafka_conn_id(c, KW_KAFKA_ID_SW_VERSION);
	rec_flow_fill(w, f, r);
	kw_kafka_rec_pack(r, ev, id);
}

/*
 * Take records from the pool for w to hold: KW_REC_BULK in one dequeue, or else the one that is
 * left, so that a record is had whenever the pool has one and the drops stay those of a get per
 * record. A get from this pool (no per-lcore cache) is an indirect call into the ring driver,
 * ~50 instructions, mostly fixed: one a pair, kw_inspect_emit took 1.70 M instructions on the
 * 1k replay, 1.56 M with eight a dequeue (callgrind). False when the pool is empty.
 */
static inline bool
rec_refill(struct kw_worker *w)
{
	if (rte_mempool_get_bulk(w->rec_pool, (void **)w->rec_held, KW_REC_BULK) == 0)
		w->rec_n_held = KW_REC_BULK;
	else if (rte_mempool_get(w->rec_pool, (void **)&w->rec_held[0]) == 0)
		w->rec_n_held = 1;
	else
		return false;
	return true;
}

/*
 * A log record for the current flow, with room for it on the ring; NULL (counted) when either
 * lacks. Policy: inline, drop; a capture (rec_block) waits, since its log must be complete, but
 * not past a stop, when nobody drains. Only this worker takes records and enqueues them, only
 * the control thread gives them back: the pool is single-consumer/single-producer, and room
 * seen here is still there at rec_put.
 */
static inline struct kw_kafka_rec *
rec_take(struct kw_worker *w)
{
	if (w->rec_n_held == 0 && !rec_refill(w))
		return NULL;
	return w->rec_held[--w->rec_n_held];
}

static inline struct kw_kafka_rec *
rec_get(struct kw_worker *w)
{
	struct kw_kafka_rec *r;

	if (unlikely(w->cur_flow == NULL))
		goto drop;
	while (unlikely(rte_ring_full(w->rec_ring) || (r = rec_take(w)) == NULL)) {
		if (!w->rec_block || !__atomic_load_n(&w->shared->run, __ATOMIC_RELAXED))
			goto drop;
		rte_pause();
	}
	return r;
drop:
	kw_ctr_inc(&w->ctr, KW_CTR_KAFKA_REC_DROPPED);
	return NULL;
}

/*
 * Lines of a record a typical pair's flow, times and packed event fill: kw_kafka_rec_pack, and
 * kw_kafka_rec_pack_stats without the request log.
 */
#define REC_AHEAD_LINES 6
#define REC_AHEAD_LINES_STATS 3

#ifdef RTE_ARCH_X86
#include <cpuid.h>

static bool has_prefetchw;

RTE_INIT(prefetchw_probe)
{
	unsigned int a, b, c, d;

	/* CPUID 0x80000001 ECX bit 8: PREFETCHW (3DNowPrefetch) */
	has_prefetchw = __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 8));
}
#endif

/*
 * Prefetch a record's line for writing (PREFETCHW where the CPU has it): its lines were last
 * read by the control thread, whose core still holds them, and a store must first take them
 * from it, where a read prefetch only brings a shared copy. Debian's -march=corei7 compiles
 * __builtin_prefetch(p, 1) to a read prefetch, and a function with target("prfchw") around it
 * is dropped as having no effect: hence the asm.
 */
static inline void
prefetch_own(const void *p)
{
#ifdef RTE_ARCH_X86
	if (has_prefetchw) {
		__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
		return;
	}
#endif
	rte_prefetch0(p);
}

/*
 * Have the next record in hand ahead of use and start pulling in, for writing, the lines a
 * packed pair writes (flow and times, then the packed event: usually 4-6 lines in all, 2-3 for
 * the statistics only). The pool
 * (no per-lcore cache) hands out the record the control thread freed longest ago: cold, or in
 * the control core's cache; written on demand, its lines stalled the worker (~7% of its time).
 */
static inline void
rec_ahead(struct kw_worker *w)
{
	const unsigned int lines = w->rec_stats ? REC_AHEAD_LINES_STATS : REC_AHEAD_LINES;
	const char *p;
	unsigned int i;

	if (w->rec_n_held == 0 && !rec_refill(w))
		return;
	p = (const char *)w->rec_held[w->rec_n_held - 1];
	for (i = 0; i < lines; i++)
		prefetch_own(p + i * RTE_CACHE_LINE_SIZE);
}

/* Hand r to the control thread: rec_get saw room, and nobody else enqueues. */
static inline void
rec_put(struct kw_worker *w, struct kw_kafka_rec *r)
{
	if (unlikely(rte_ring_sp_enqueue(w->rec_ring, r) != 0)) {
		/* unreachable; r stays out of the pool, which only the control thread refills */
		kw_ctr_inc(&w->ctr, KW_CTR_KAFKA_REC_DROPPED);
		return;
	}
	kw_ctr_inc(&w->ctr, KW_CTR_KAFKA_RECS);
	rec_ahead(w);
}

void
kw_inspect_emit(void *worker, const struct kw_kafka_event *ev)
{
	struct kw_worker *w = worker;
	KW_PHASE_START(t);
	struct kw_kafka_rec *r = rec_get(w);

	if (r == NULL)
		return;
	rec_fill(w, w->cur_flow, ev, r);
	rec_put(w, r);
	KW_PHASE_END(w, EMIT, t);
}

unsigned int
kw_inspect_recs_held(const struct kw_worker *w)
{
	return w->rec_n_held;
}

void
kw_inspect_recs_release(struct kw_worker *w)
{
	if (w->rec_n_held == 0)
		return;
	rte_mempool_put_bulk(w->rec_pool, (void **)w->rec_held, w->rec_n_held);
	w->rec_n_held = 0;
}

/* ---- records of batches (log.records) ---- */

static void
record_fill(const struct kw_worker *w, const struct kw_flow *f,
	    const struct kw_kafka_record_where *where, const struct kw_kafka_record *rec,
	    struct kw_kafka_rec *r)
{
	struct kw_kafka_rec_record *rr = &r->rec;
	const struct kw_kafka_event *ev = where->ev;

	r->kind = KW_KAFKA_REC_RECORD;
	r->ts_ns = clock_to_unix_ns(w, w->cur_clk);
	r->latency_ns = 0;
	rec_flow_fill(w, f, r);
	rr->r = *rec;
	rr->api_name = ev->api_name;
	rr->api_key = ev->api_key;
	rr->api_version = ev->api_version;
	rr->corr_id = ev->corr_id;
	rr->partition = where->partition;
	rr->dir = (uint8_t)where->dir;
	rr->by_id = where->topic_id != NULL;
	if (where->topic_id != NULL)
		memcpy(rr->topic_id, where->topic_id, sizeof(rr->topic_id));
	if (where->topic != NULL) {
		kw_kafka_str_copy(&rr->topic, where->topic);
	} else {
		kw_kafka_str_clear(&rr->topic);
		rr->topic.null = 1;
	}
	/* a request's event gets its client id only when it completes; the connection's is the
	 * one of the request being decoded (dir 0) or of the latest request (dir 1), as events */
	kw_kafka_str_copy(&rr->client_id, kw_kafka_conn_id(f->kafka, KW_KAFKA_ID_CLIENT_ID));
}

void
kw_inspect_record(void *worker, const struct kw_kafka_record_where *where,
		  const struct kw_kafka_record *rec)
{
	struct kw_worker *w = worker;
	struct kw_kafka_rec *r = rec_get(w);

	if (r == NULL)
		return;
	record_fill(w, w->cur_flow, where, rec, r);
	rec_put(w, r);
}
