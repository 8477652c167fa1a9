/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_thash.h>

#include "control/config.h"
#include "dataplane/frag.h"
#include "dataplane/inspect.h"
#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/worker.h"

/* Packets ahead of the one being classified whose data is prefetched. */
#define PREFETCH_AHEAD 4
/*
 * Feeds of the Kafka decoder ahead of the one being processed whose connection state is
 * prefetched. A short distance wins: perf/kwdecode on the 10k-connection replay, cycles per
 * frame, fastest of 5 passes (`kwdecode --ahead A`): none 731-749, 4 ahead 504-507, 8 ahead
 * 514-523, 16 ahead 559-571. kwire on that replay, alternating runs, cycles per frame: the whole
 * burst prefetched before processing 678-717, 4 ahead 633-679 (2: 616-669, 6: 667-671).
 */
#define DECODE_AHEAD 4

/* Hand frames to the port's TX owner; the port travels in mbuf->port. */
static void
tx_handoff(struct kw_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned int sent, i;

	for (i = 0; i < n; i++)
		pkts[i]->port = port;
	sent = rte_ring_enqueue_burst(w->tx_handoff[port], (void **)pkts, n, NULL);
	kw_ctr_add(&w->ctr, KW_CTR_TX_HANDOFF_OUT, sent);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		kw_ctr_add(&w->ctr, KW_CTR_DROP_HANDOFF_FULL, n - sent);
	}
}

/* Transmit n frames of `bytes` bytes now; what the queue does not take is freed and counted. */
static void
tx_send(struct kw_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n, uint64_t bytes)
{
	uint16_t sent, i;

	if (w->tx_handoff[port] != NULL) {
		tx_handoff(w, port, pkts, n);
		return;
	}
	sent = rte_eth_tx_burst(port, w->txq[port], pkts, n);
	if (unlikely(sent < n)) {
		for (i = sent; i < n && w->count_bytes; i++)
			bytes -= pkts[i]->pkt_len;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		kw_ctr_add(&w->ctr, KW_CTR_DROP_TX_FULL, n - sent);
	}
	kw_ctr_add(&w->ctr, KW_CTR_TX_PKTS, sent);
	kw_ctr_add(&w->ctr, KW_CTR_TX_BYTES, bytes);
}

static void
txbuf_flush(struct kw_worker *w, uint16_t port)
{
	struct kw_txbuf *b = &w->tx[port];

	if (b->n == 0)
		return;
	tx_send(w, port, b->pkts, b->n, b->bytes);
	b->n = 0;
	b->bytes = 0;
}

/*
 * Queue n frames for port's TX; the buffer holds two bursts, so flushing at one never overflows.
 * A full burst meeting an empty buffer goes straight out: no copy of the pointers
 * (perf/bench-forward.sh: ~4.5 instructions/packet saved in pass-through).
 */
static inline void
tx_put(struct kw_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n, uint64_t bytes)
{
	struct kw_txbuf *b = &w->tx[port];

	if (b->n == 0 && n == w->burst) {
		tx_send(w, port, pkts, n, bytes);
		return;
	}
	rte_memcpy(&b->pkts[b->n], pkts, n * sizeof(pkts[0]));
	b->n += n;
	b->bytes += bytes;
	if (b->n >= w->burst)
		txbuf_flush(w, port);
}

void
kw_worker_flush(struct kw_worker *w)
{
	uint16_t p;

	for (p = 0; p < w->n_ports; p++)
		txbuf_flush(w, p);
}

static inline uint64_t
burst_bytes(struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	return bytes;
}

/* Bytes of n frames, when this worker keeps byte counts (not in pass-through), else 0. */
static inline uint64_t
frame_bytes(const struct kw_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	return w->count_bytes ? burst_bytes(pkts, n) : 0;
}

/* The end of the run of frames from pkts[start] that share its mbuf->port (ring input). */
static inline unsigned int
port_run_end(struct rte_mbuf **pkts, unsigned int start, unsigned int n)
{
	unsigned int i = start + 1;

	while (i < n && pkts[i]->port == pkts[start]->port)
		i++;
	return i;
}

/* Frames from a port without a peer have nowhere to go. */
static __rte_noinline __rte_cold void
drop_no_peer(struct kw_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
	kw_ctr_add(&w->ctr, KW_CTR_DROP_NO_PEER, n);
}

/* Pass-through: forward the burst as it is, touching only the mbuf headers for byte counts. */
static void
handle_passthrough(struct kw_worker *w, uint16_t in_port, struct rte_mbuf **pkts, uint16_t n,
		   uint64_t bytes, uint64_t now)
{
	uint16_t out = w->peer[in_port];

	RTE_SET_USED(now);
	if (unlikely(out == KW_PORT_NONE)) {
		drop_no_peer(w, pkts, n);
		return;
	}
	tx_put(w, out, pkts, n, bytes);
}

static inline void
classify_one(struct kw_worker *w, struct rte_mbuf *m, struct kw_pkt_info *pi)
{
	kw_pkt_parse_mbuf(m, pi, &w->ctr);
}

/* The decoder's clock for a frame: its capture time when replaying a capture, else the TSC. */
static inline uint64_t
frame_clock(const struct kw_worker *w, const struct rte_mbuf *m, uint64_t now)
{
	if (w->clock_ns && (m->ol_flags & w->ts_flag))
		return *RTE_MBUF_DYNFIELD(m, w->ts_off, const uint64_t *) * w->ts_scale;
	return now;
}

/* Whether a port hashing rss_hf includes the L4 ports for a flow of this family and protocol. */
static bool
rss_hashes_ports(uint64_t rss_hf, uint8_t family, uint8_t proto)
{
	uint64_t want = 0;

	if (proto == IPPROTO_TCP)
		want = family == 4 ? RTE_ETH_RSS_NONFRAG_IPV4_TCP :
				     RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_IPV6_TCP_EX;
	else if (proto == IPPROTO_UDP)
		want = family == 4 ? RTE_ETH_RSS_NONFRAG_IPV4_UDP :
				     RTE_ETH_RSS_NONFRAG_IPV6_UDP | RTE_ETH_RSS_IPV6_UDP_EX;
	return (rss_hf & want) != 0;
}

uint16_t
kw_worker_owner(const struct kw_rss_map *rss, const struct kw_flow_key *key, uint8_t dir,
		uint16_t n_workers)
{
	const uint8_t *src = dir == 0 ? key->addr_lo : key->addr_hi;
	const uint8_t *dst = dir == 0 ? key->addr_hi : key->addr_lo;
	uint16_t sport = dir == 0 ? key->port_lo : key->port_hi;
	uint16_t dport = dir == 0 ? key->port_hi : key->port_lo;
	bool l4 = rss != NULL && rss_hashes_ports(rss->rss_hf, key->family, key->proto);
	union rte_thash_tuple t;
	uint32_t len, h;
	uint16_t q;

	if (n_workers <= 1)
		return 0;
	if (rss == NULL)
		return kw_worker_of_key(key, n_workers);
	memset(&t, 0, sizeof(t));
	/* the tuple of an unfragmented frame of the flow, in host order as rte_thash.h wants */
	if (key->family == 4) {
		t.v4.src_addr = (uint32_t)src[0] << 24 | (uint32_t)src[1] << 16 |
				(uint32_t)src[2] << 8 | src[3];
		t.v4.dst_addr = (uint32_t)dst[0] << 24 | (uint32_t)dst[1] << 16 |
				(uint32_t)dst[2] << 8 | dst[3];
		t.v4.sport = sport;
		t.v4.dport = dport;
		len = l4 ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN;
	} else {
		struct rte_ipv6_hdr ip;

		memcpy(ip.src_addr, src, sizeof(ip.src_addr));
		memcpy(ip.dst_addr, dst, sizeof(ip.dst_addr));
		rte_thash_load_v6_addrs(&ip, &t);
		t.v6.sport = sport;
		t.v6.dport = dport;
		len = l4 ? RTE_THASH_V6_L4_LEN : RTE_THASH_V6_L3_LEN;
	}
	h = rte_softrss((uint32_t *)&t, len, rss->key);
	/* RX queue q is worker q's (control/app.c); kwire configures no queue past them */
	q = rss->reta[h % rss->reta_size];
	return q < n_workers ? q : (uint16_t)(q % n_workers);
}

/* A reassembled packet of a flow this worker owns: inspected as a segment of the flow. */
static void
inspect_reassembled(struct kw_worker *w, struct rte_mbuf *r, const struct kw_pkt_info *rpi,
		    uint64_t clk, uint64_t now)
{
	/* the owner creates the flow as one worker would: the same flows decode the same way */
	struct kw_flow *f = kw_flow_lookup(w->flows, &rpi->key, now, true, &w->ctr);

	if (f != NULL)
		kw_inspect_tcp(w, f, r, rpi, clk);
	else
		kw_ctr_inc(&w->ctr, KW_CTR_FRAG_FOREIGN);
}

/* Hand reassembled packet r to the worker owning its flow; a full ring frees it (counted). */
static void
frag_handoff(struct kw_worker *w, uint16_t owner, struct rte_mbuf *r, uint64_t clk)
{
	struct kw_frag_handoff h = {.m = r, .clk = clk};

	if (unlikely(w->frag_out[owner] == NULL ||
		     rte_ring_sp_enqueue_elem(w->frag_out[owner], &h, sizeof(h)) != 0)) {
		rte_pktmbuf_free(r);
		kw_ctr_inc(&w->ctr, KW_CTR_FRAG_HANDOFF_FULL);
		return;
	}
	kw_ctr_inc(&w->ctr, KW_CTR_FRAG_HANDOFF_OUT);
}

/*
 * A fragment goes to the reassembly table as a copy; a packet it completes is inspected like any
 * segment of its flow by the worker that owns the flow: here, or handed to the owner, which frees
 * it. The fragments of a packet reach one worker, but not necessarily the owner of its flow:
 * only the first carries the ports, so the dispatcher keeps them and RSS hashes them on the
 * addresses alone.
 */
static __rte_noinline void
inspect_fragment(struct kw_worker *w, const struct rte_mbuf *m, const struct kw_pkt_info *pi,
		 uint64_t now)
{
	struct rte_mbuf *r = kw_frag_offer(w->frag, m, pi, now, &w->ctr);
	struct kw_pkt_info rpi;
	uint16_t owner;
	uint64_t clk;

	if (r == NULL)
		return;
	/*
	 * The fragments were counted as they came; the whole packet is not a new arrival. One
	 * that does not parse, but for carrying another protocol, is counted once, here: a
	 * fragment header inside the reassembled payload (nested fragmentation, which no stack
	 * sends) or a bad header. Not inspected. (rpi zeroed: a parse that fails early leaves
	 * l4_proto unset.)
	 */
	memset(&rpi, 0, sizeof(rpi));
	if (!kw_pkt_parse_mbuf(r, &rpi, &w->scratch)) {
		if (rpi.frag || rpi.l4_proto == 0 || rpi.l4_proto == IPPROTO_TCP ||
		    rpi.l4_proto == IPPROTO_UDP)
			kw_ctr_inc(&w->ctr, KW_CTR_FRAG_REASSEMBLED_BAD);
	} else if (rpi.l4_proto == IPPROTO_TCP) {
		/* the clock of the fragment that completed it, as with one worker */
		clk = frame_clock(w, m, now);
		owner = w->n_workers == 1 ? w->id :
			kw_worker_owner(w->rss[m->port], &rpi.key, rpi.dir, w->n_workers);
		if (owner != w->id) {
			frag_handoff(w, owner, r, clk);
			return;
		}
		inspect_reassembled(w, r, &rpi, clk, now);
	}
	rte_pktmbuf_free(r);
}

/*
 * Reassembled packets other workers handed over (flows this worker owns): inspect and free them.
 * They keep their order per sender, not against frames dispatched here (see architecture.md).
 */
static void
poll_frag_handoff(struct kw_worker *w, uint64_t now)
{
	struct kw_frag_handoff h[KW_BURST];
	struct kw_pkt_info rpi;
	unsigned int n, i;
	uint16_t s;

	for (s = 0; s < w->n_workers; s++) {
		if (w->frag_in[s] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst_elem(w->frag_in[s], h, sizeof(h[0]), KW_BURST, NULL);
		kw_ctr_add(&w->ctr, KW_CTR_FRAG_HANDOFF_IN, n);
		for (i = 0; i < n; i++) {
			/* parsed by the sender already: a well-formed TCP packet */
			if (kw_pkt_parse_mbuf(h[i].m, &rpi, &w->scratch))
				inspect_reassembled(w, h[i].m, &rpi, h[i].clk, now);
			rte_pktmbuf_free(h[i].m);
		}
	}
}

/* a segment reads the TCP state of both directions: the flow's second line (struct kw_flow) */
static inline void
tcp_prefetch(const struct kw_flow *f)
{
	rte_prefetch0(f->tcp.dir);
}

/*
 * Start loading the Kafka state the feed of packet p of flow f will touch (the connection's first
 * line was prefetched with the burst).
 * f->kafka is read again here, not taken from when the burst was looked up: a packet processed
 * in between may have restarted the flow (a new SYN on its 5-tuple), which releases the
 * connection and leaves none until a broker port or detection attaches one (or for good when
 * the pool is empty).
 */
static inline void
decode_prefetch(const struct kw_flow *f, const struct kw_pkt_info *p, const struct rte_mbuf *m)
{
	uint32_t off = (uint32_t)p->l2_len + p->l3_len + p->l4_len;

	if (f->kafka != NULL)
		/* the payload's head, when the first segment holds it (in cache: just received) */
		kw_kafka_conn_prefetch(f->kafka, p->dir != f->client_dir,
				       off + 6 <= m->data_len
					       ? rte_pktmbuf_mtod_offset(m, const uint8_t *, off)
					       : NULL,
				       p->payload_len);
}

/*
 * Flow and Kafka modes: classify the burst, look its flows up in bulk, apply flows.on_full,
 * inspect TCP segments when l7 is set (a constant: the compiler makes two handlers), forward.
 */
static __rte_always_inline void
handle_flows(struct kw_worker *w, uint16_t in_port, struct rte_mbuf **pkts, uint16_t n,
	     uint64_t rx_bytes, uint64_t now, const bool l7)
{
	struct kw_pkt_info pi[KW_BURST];
	const struct kw_flow_key *keys[KW_BURST];
	struct kw_flow *flows[KW_BURST];
	uint8_t idx[KW_BURST];
	uint8_t feeds[KW_BURST]; /* indexes into flows[] of the packets that feed the decoder */
	uint16_t out = w->peer[in_port];
	uint16_t i, n_keys = 0, n_fwd = 0, n_feeds = 0, next_feed = 0;
	uint64_t bytes = rx_bytes;

	if (unlikely(out == KW_PORT_NONE)) {
		drop_no_peer(w, pkts, n);
		return;
	}
	KW_PHASE_START(t);
	for (i = 0; i < PREFETCH_AHEAD && i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		classify_one(w, pkts[i], &pi[i]);
		if (pi[i].trackable) {
			keys[n_keys] = &pi[i].key;
			idx[n_keys++] = (uint8_t)i;
		} else if (l7 && pi[i].frag) {
			inspect_fragment(w, pkts[i], &pi[i], now);
		}
	}
	KW_PHASE_NEXT(w, CLASSIFY, t);
	if (n_keys > 0 && kw_flow_lookup_bulk(w->flows, keys, n_keys, now, flows, &w->ctr) > 0 &&
	    w->flows_full_drop) {
		/* flows.on_full: drop -- free the untracked packets, keep the order of the rest */
		for (i = 0; i < n_keys; i++)
			if (flows[i] == NULL) {
				kw_ctr_inc(&w->ctr, KW_CTR_DROP_FLOW_FULL);
				bytes -= pkts[idx[i]]->pkt_len;
				rte_pktmbuf_free(pkts[idx[i]]);
				pkts[idx[i]] = NULL;
			}
	}
	KW_PHASE_NEXT(w, LOOKUP, t);
	if (l7) {
		/*
		 * The TCP state and the Kafka connection's head of every flow of the burst, ahead
		 * of use; the rest of the Kafka state a feed touches is prefetched DECODE_AHEAD
		 * feeds ahead, as the burst is processed.
		 */
		/* a run of one flow's packets loads its state once */
		const struct kw_flow *pf_flow = NULL;
		const struct kw_kafka_conn *pf_conn = NULL;

		for (i = 0; i < n_keys; i++)
			if (flows[i] != NULL) {
				const struct kw_pkt_info *p = &pi[idx[i]];

				if (flows[i] != pf_flow)
					tcp_prefetch(flows[i]);
				pf_flow = flows[i];
				/* a bare ACK never reaches the decoder (2/3 of a Kafka exchange) */
				if (flows[i]->kafka != NULL && p->payload_len != 0) {
					if (flows[i]->kafka != pf_conn)
						rte_prefetch0(flows[i]->kafka);
					pf_conn = flows[i]->kafka;
					feeds[n_feeds++] = (uint8_t)i;
				}
			}
		for (i = 0; i < n_feeds && i < DECODE_AHEAD; i++)
			decode_prefetch(flows[feeds[i]], &pi[idx[feeds[i]]], pkts[idx[feeds[i]]]);
	}
	for (i = 0; i < n_keys; i++) {
		struct kw_flow *f = flows[i];
		const struct kw_pkt_info *p = &pi[idx[i]];

		if (f == NULL)
			continue;
		if (next_feed < n_feeds && feeds[next_feed] == i) {
			if (next_feed + DECODE_AHEAD < n_feeds) {
				uint8_t a = feeds[next_feed + DECODE_AHEAD];

				decode_prefetch(flows[a], &pi[idx[a]], pkts[idx[a]]);
			}
			next_feed++;
		}
		f->last_tsc = now; /* not stamped by the lookup (kw_flow_lookup_bulk) */
		f->pkts[p->dir]++;
		f->bytes[p->dir] += pkts[idx[i]]->pkt_len;
		f->tcp_flags[p->dir] |= p->tcp_flags;
		if (l7 && p->l4_proto == IPPROTO_TCP)
			kw_inspect_tcp(w, f, pkts[idx[i]], p, frame_clock(w, pkts[idx[i]], now));
	}
	if (l7)
		kw_frag_flush(w->frag);
	KW_PHASE_NEXT(w, INSPECT, t);
	for (i = 0; i < n; i++) {
		if (pkts[i] != NULL)
			pkts[n_fwd++] = pkts[i];
	}
	if (n_fwd > 0)
		tx_put(w, out, pkts, n_fwd, bytes);
	KW_PHASE_END(w, TX, t);
}

static void
handle_flow(struct kw_worker *w, uint16_t in_port, struct rte_mbuf **pkts, uint16_t n,
	    uint64_t bytes, uint64_t now)
{
	handle_flows(w, in_port, pkts, n, bytes, now, false);
}

static void
handle_kafka(struct kw_worker *w, uint16_t in_port, struct rte_mbuf **pkts, uint16_t n,
	     uint64_t bytes, uint64_t now)
{
	handle_flows(w, in_port, pkts, n, bytes, now, true);
}

void
kw_worker_set_mode(struct kw_worker *w, int inspect_mode)
{
	/*
	 * Pass-through leaves byte counts to the ports' own statistics: reading every mbuf's
	 * pkt_len right after the PMD wrote it cost ~20% of pass-through packets/s on net_null
	 * (perf/bench-forward.sh, 49 vs 61 Mpps); the other modes read the frames anyway.
	 */
	w->count_bytes = inspect_mode != KW_INSPECT_PASSTHROUGH;
	w->burst = inspect_mode == KW_INSPECT_PASSTHROUGH ? KW_BURST_FWD : KW_BURST;
	switch (inspect_mode) {
	case KW_INSPECT_KAFKA:
		w->handle = handle_kafka;
		break;
	case KW_INSPECT_FLOW:
		w->handle = handle_flow;
		break;
	default:
		w->handle = handle_passthrough;
	}
}

/*
 * Single-queue port with several workers: keep this worker's share of the burst in place and
 * hand each other frame to its owner's ring. Frames that are not a trackable flow stay here,
 * which keeps their order. The receiving port travels in mbuf->port. Classification is counted
 * by the owner only, so the dispatcher's own pass goes to a scratch block.
 */
static uint16_t
dispatch_burst(struct kw_worker *w, uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *out[KW_MAX_WORKERS][KW_BURST];
	uint16_t n_out[KW_MAX_WORKERS] = {0};
	struct kw_pkt_info pi;
	uint16_t i, t, n_mine = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		t = kw_pkt_parse_mbuf(m, &pi, &w->scratch) ? kw_worker_of_key(&pi.key, w->n_workers)
							 : w->id;
		m->port = in_port;
		if (t == w->id)
			pkts[n_mine++] = m;
		else
			out[t][n_out[t]++] = m;
	}
	for (t = 0; t < w->n_workers; t++) {
		unsigned int sent;

		if (n_out[t] == 0)
			continue;
		sent = rte_ring_enqueue_burst(w->ring_out[t], (void **)out[t], n_out[t], NULL);
		kw_ctr_add(&w->ctr, KW_CTR_DISPATCH_OUT, sent);
		if (unlikely(sent < n_out[t])) {
			rte_pktmbuf_free_bulk(&out[t][sent], n_out[t] - sent);
			kw_ctr_add(&w->ctr, KW_CTR_DROP_DISPATCH_FULL, n_out[t] - sent);
		}
	}
	return n_mine;
}

/* Frames other workers dispatched here: handle them in runs of the same input port. */
static unsigned int
poll_rings(struct kw_worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[KW_BURST];
	unsigned int total = 0;
	uint16_t s;

	for (s = 0; s < w->n_workers; s++) {
		unsigned int n, start, end;

		if (w->ring_in[s] == NULL)
			continue;
		n = rte_ring_dequeue_burst(w->ring_in[s], (void **)pkts, KW_BURST, NULL);
		if (n == 0)
			continue;
		kw_ctr_add(&w->ctr, KW_CTR_DISPATCH_IN, n);
		total += n;
		for (start = 0; start < n; start = end) {
			end = port_run_end(pkts, start, n);
			w->handle(w, pkts[start]->port, &pkts[start], (uint16_t)(end - start),
				  frame_bytes(w, &pkts[start], (uint16_t)(end - start)), now);
		}
	}
	return total;
}

/* Frames other workers handed over for the single-queue ports this worker transmits on. */
static void
poll_handoff(struct kw_worker *w)
{
	struct rte_mbuf *pkts[KW_BURST];
	uint16_t s;

	for (s = 0; s < w->n_workers; s++) {
		unsigned int n, start, end;

		if (w->tx_in[s] == NULL)
			continue;
		n = rte_ring_dequeue_burst(w->tx_in[s], (void **)pkts, KW_BURST, NULL);
		if (n == 0)
			continue;
		kw_ctr_add(&w->ctr, KW_CTR_TX_HANDOFF_IN, n);
		for (start = 0; start < n; start = end) {
			end = port_run_end(pkts, start, n);
			tx_put(w, pkts[start]->port, &pkts[start], (uint16_t)(end - start),
			       frame_bytes(w, &pkts[start], (uint16_t)(end - start)));
		}
	}
}

unsigned int
kw_worker_poll(struct kw_worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[KW_BURST];
	unsigned int total = 0;
	uint64_t bytes;
	uint16_t s, n;

	for (s = 0; s < w->n_rx; s++) {
		const struct kw_rx_source *src = &w->rx[s];

		KW_PHASE_START(t);
		n = rte_eth_rx_burst(src->port, src->queue, pkts, w->burst);
		KW_PHASE_END(w, RX, t);
		if (n == 0)
			continue;
		total += n;
		bytes = frame_bytes(w, pkts, n);
		kw_ctr_add(&w->ctr, KW_CTR_RX_PKTS, n);
		kw_ctr_add(&w->ctr, KW_CTR_RX_BYTES, bytes);
		if (src->dispatch) {
			n = dispatch_burst(w, src->port, pkts, n);
			bytes = frame_bytes(w, pkts, n);
		}
		if (n > 0)
			w->handle(w, src->port, pkts, n, bytes, now);
	}
	if (w->n_workers > 1) {
		total += poll_rings(w, now);
		poll_handoff(w);
		poll_frag_handoff(w, now);
	}

	kw_ctr_inc(&w->ctr, KW_CTR_POLLS);
	if (total == 0)
		kw_ctr_inc(&w->ctr, KW_CTR_POLLS_IDLE);
	if (now - w->last_drain >= w->drain_tsc) {
		w->last_drain = now;
		kw_worker_flush(w);
		if (w->flows != NULL)
			kw_flow_table_age(w->flows, now, KW_AGE_BUDGET, &w->ctr);
	}
	return total;
}

int
kw_worker_main(void *arg)
{
	struct kw_worker *w = arg;
	struct kw_shared *sh = w->shared;
	uint64_t now, prev;
	unsigned int got = 0;

	rte_rcu_qsbr_thread_register(sh->qsbr, w->id);
	rte_rcu_qsbr_thread_online(sh->qsbr, w->id);
	prev = rte_rdtsc();
	w->last_drain = prev;
	while (__atomic_load_n(&sh->run, __ATOMIC_RELAXED)) {
		/* one TSC read per loop: it times the previous iteration and starts this one */
		now = rte_rdtsc();
		if (got != 0)
			kw_ctr_add(&w->ctr, KW_CTR_BUSY_CYCLES, now - prev);
		prev = now;
		got = kw_worker_poll(w, now);
		rte_rcu_qsbr_quiescent(sh->qsbr, w->id);
	}
	kw_worker_flush(w);
	rte_rcu_qsbr_thread_offline(sh->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(sh->qsbr, w->id);
	return 0;
}
