/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker: one per worker lcore, share-nothing. Each loop it receives a burst from each of its
 * RX sources (one queue of every port, or for a single-queue port the dispatcher role hashes the
 * burst into the other workers' rings), classifies the burst, looks its flows up in bulk, and
 * buffers the frames for the bridge peer's TX queue, which it drains when a buffer fills and on
 * a TSC timer. A port with a single TX queue is written by one worker only; the others hand it
 * their frames through a ring. It reports RCU quiescence once per loop.
 *
 * The main lcore builds struct kw_worker (kw_worker_init) and hands it to the worker lcore as its
 * only argument; from then on only that lcore writes it, except the counters, which the control
 * thread reads. Every mbuf a worker receives is either transmitted or freed and counted.
 */
#ifndef KW_WORKER_H
#define KW_WORKER_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include "dataplane/counters.h"
#include "dataplane/flow.h"
#include "dataplane/phase.h"

/*
 * Frames per burst: KW_BURST_FWD in pass-through (as testpmd; 64 cost pass-through on net_null
 * 62 -> 51 Mpps), KW_BURST in flow and Kafka modes, where a burst's flow, TCP and Kafka state is
 * prefetched in stages and more packets per stage overlap more cache misses (10k-connection
 * Kafka replay: ~900 -> ~860 cycles/packet). KW_BURST sizes the arrays; the flow table looks
 * up at most KW_FLOW_LOOKUP_MAX keys at once.
 */
#define KW_BURST 64
#define KW_BURST_FWD 32
_Static_assert(KW_BURST <= KW_FLOW_LOOKUP_MAX, "one bulk lookup per burst");
#define KW_MAX_PORTS 32
#define KW_MAX_WORKERS 16
#define KW_PORT_NONE UINT16_MAX
/* Slots examined by the aging sweep at each TX drain tick. */
#define KW_AGE_BUDGET 64
/* Log records a worker takes from its pool at once (dataplane/inspect.c: rec_refill). */
#define KW_REC_BULK 8

struct rte_mempool;
struct rte_ring;
struct rte_rcu_qsbr;
struct kw_config;
struct kw_kafka_ctx;
struct kw_tcp_ctx;
struct kw_frag;

/* State every worker reads; written by the control thread only. */
struct kw_shared {
	uint32_t run;              /* 1 while workers should loop; atomic */
	struct rte_rcu_qsbr *qsbr; /* workers report quiescence here once per loop */
};

struct kw_rx_source {
	uint16_t port;
	uint16_t queue;
	uint16_t dispatch; /* 1: hash the burst to the owning workers (single-queue port) */
};

/* Frames waiting for one port's TX queue. */
struct kw_txbuf {
	uint16_t n;
	uint64_t bytes;
	struct rte_mbuf *pkts[2 * KW_BURST];
};

/* Sizes of the RSS state kwire keeps per port; DPDK's largest RETA has 512 entries. */
#define KW_RSS_KEY_MAX 64
#define KW_RSS_RETA_MAX 512

/*
 * How a port with hardware RSS spreads flows over its RX queues, RX queue q being worker q's:
 * the Toeplitz key, the hashed packet types (RTE_ETH_RSS_*: which ones include the L4 ports)
 * and the redirection table, indexed by the hash modulo its size. Filled by drivers/port.c at
 * start; read-only once the workers run.
 */
struct kw_rss_map {
	uint8_t key[KW_RSS_KEY_MAX];
	uint64_t rss_hf;
	uint16_t reta_size;
	uint16_t reta[KW_RSS_RETA_MAX];
};

/* A reassembled packet on its way to the worker owning its flow, with its decoder clock. */
struct kw_frag_handoff {
	struct rte_mbuf *m;
	uint64_t clk;
};

struct kw_worker;
/* Handle a burst of n frames (bytes in all) received on in_port. */
typedef void (*kw_worker_handle_fn)(struct kw_worker *w, uint16_t in_port,
				    struct rte_mbuf **pkts, uint16_t n, uint64_t bytes, uint64_t now);

/*
 * TSC cycles to nanoseconds without a division: ns = d * ns_int + (d * ns_frac) >> 64, one
 * 64x64->128 multiply. The fraction is rounded up, so a whole number of ns comes out exact and
 * any other d at most 1 ns over d * 10^9 / hz, for any 64-bit d. (d * 10^9 / hz in 64 bits
 * overflows past 2^64 / 10^9 cycles, ~7 s at 2.6 GHz: a JoinGroup waiting out a rebalance is
 * slower than that.)
 */
struct kw_tsc_ns {
	uint64_t ns_int;  /* whole ns per cycle: 10^9 / hz */
	uint64_t ns_frac; /* the fraction, times 2^64 */
};

static inline void
kw_tsc_ns_init(struct kw_tsc_ns *c, uint64_t hz)
{
	c->ns_int = UINT64_C(1000000000) / hz;
	c->ns_frac = (uint64_t)((((unsigned __int128)(UINT64_C(1000000000) % hz) << 64) + hz - 1) /
				hz);
}

static inline uint64_t
kw_tsc_ns(const struct kw_tsc_ns *c, uint64_t d)
{
	return d * c->ns_int + (uint64_t)(((unsigned __int128)d * c->ns_frac) >> 64);
}

struct kw_worker {
	struct kw_counters ctr; /* first: cache aligned, read by the control thread */
	uint16_t id;
	uint16_t n_workers;
	uint16_t n_rx;
	uint16_t n_ports;
	uint16_t burst;         /* frames per RX burst and TX flush: KW_BURST_FWD or KW_BURST */
	struct kw_rx_source rx[KW_MAX_PORTS];
	uint16_t peer[KW_MAX_PORTS]; /* TX port for frames received on a port */
	struct kw_txbuf tx[KW_MAX_PORTS];
	/*
	 * A port with fewer TX queues than workers has one TX owner; the others hand their frames
	 * for it to the owner through tx_handoff (NULL: this worker transmits itself on queue id).
	 */
	struct rte_ring *tx_handoff[KW_MAX_PORTS];
	uint16_t txq[KW_MAX_PORTS]; /* the TX queue this worker writes, when it transmits itself */
	struct rte_ring *ring_in[KW_MAX_WORKERS];  /* dispatched from worker i, NULL if none */
	struct rte_ring *ring_out[KW_MAX_WORKERS]; /* dispatch to worker i, NULL if none (or self) */
	struct rte_ring *tx_in[KW_MAX_WORKERS];    /* frames handed over for TX by worker i */
	/* how frames of a flow reach workers, per input port: hardware RSS, NULL: software */
	const struct kw_rss_map *rss[KW_MAX_PORTS];
	kw_worker_handle_fn handle;                /* chosen once from the inspect mode */
	uint8_t count_bytes;                       /* rx/tx_bytes kept (not in pass-through) */
	struct kw_flow_table *flows;               /* NULL in pass-through */
	uint8_t flows_full_drop;                   /* flows.on_full: drop */
	uint64_t drain_tsc;
	uint64_t last_drain;

	/* inspection (inspect: kafka); see dataplane/inspect.h */
	const struct kw_config *cfg; /* immutable: broker ports, detection */
	struct kw_tcp_ctx *tcp;
	struct kw_kafka_ctx *kafka;
	struct kw_frag *frag;         /* IP fragments reassembled for inspection */
	/* reassembled packets to / from worker i, the owner of their flow (struct kw_frag_handoff) */
	struct rte_ring *frag_out[KW_MAX_WORKERS];
	struct rte_ring *frag_in[KW_MAX_WORKERS];
	struct rte_ring *rec_ring;    /* records to the control thread (single producer) */
	struct rte_mempool *rec_pool; /* the records' home */
	/* taken from rec_pool ahead of use, the last one next (see rec_refill, rec_ahead) */
	struct kw_kafka_rec *rec_held[KW_REC_BULK];
	uint8_t rec_n_held;
	uint8_t rec_block;            /* captures: wait for ring space rather than drop */
	uint8_t rec_stats;            /* request log off: pairs carry what the statistics read */
	uint8_t clock_ns;             /* decoder clock is capture time in ns, not TSC */
	int ts_off;                   /* mbuf RX timestamp dynfield offset, or -1 */
	uint64_t ts_flag;             /* its ol_flags bit */
	uint64_t ts_scale;            /* dynfield units to ns */
	uint64_t wall_ns0;            /* UNIX ns at tsc0: turns TSC into wall clock */
	uint64_t tsc0;
	struct kw_tsc_ns tsc_ns;      /* TSC -> ns (kw_tsc_ns_init with the TSC rate) */
	struct kw_flow *cur_flow;     /* the flow being decoded, for the emit callback */
	/* the key of the packet being decoded: cur_flow's, byte for byte, but in cache where the
	 * flow's copy (its last line) is not; NULL outside a packet (a flow's release) */
	const struct kw_flow_key *cur_key;
	uint64_t cur_clk; /* its decoder clock, for the sink and the record hook */
	/* the reassembler's callbacks into the decoder (kw_inspect_init): built once, not per
	 * segment, and they read the flow and clock above */
	struct kw_tcp_sink tcp_sink;
	struct kw_phases phases;      /* -Dphase_tsc=true only: cycles by fast-path phase */
	struct kw_counters scratch; /* classification done for dispatch only; never reported */
	struct kw_shared *shared;
} __rte_cache_aligned;

/* Init only: select the per-burst handler for an enum kw_inspect_mode value. */
void kw_worker_set_mode(struct kw_worker *w, int inspect_mode);

/* One loop iteration: receive, dispatch, classify, buffer, drain on the timer. Returns frames
 * received. */
unsigned int kw_worker_poll(struct kw_worker *w, uint64_t now);

/* Transmit everything buffered (end of run, and on the drain timer). */
void kw_worker_flush(struct kw_worker *w);

/* The lcore entry point: loop until shared->run is 0, then flush. arg is the struct kw_worker. */
int kw_worker_main(void *arg);

/* A seed apart from the flow table's, so dispatch bits do not correlate with bucket bits. */
#define KW_DISPATCH_SEED 0x9e3779b9u

/* Symmetric software dispatch: the worker owning a flow key among n_workers. */
static inline uint16_t
kw_worker_of_key(const struct kw_flow_key *key, uint16_t n_workers)
{
	uint32_t h = rte_hash_crc(key, sizeof(*key), KW_DISPATCH_SEED);

	return (uint16_t)(((uint64_t)h * n_workers) >> 32);
}

/*
 * The worker that receives the frames of key's flow, as they reach workers: rss is the input
 * port's map (NULL: software dispatch, kw_worker_of_key), dir the frame's direction (0: from the
 * key's lo endpoint), hashed as the NIC hashes it (rte_softrss over the same tuple) and looked up
 * in the redirection table. Any thread.
 */
uint16_t kw_worker_owner(const struct kw_rss_map *rss, const struct kw_flow_key *key, uint8_t dir,
			 uint16_t n_workers);

#endif /* KW_WORKER_H */
