/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker flow table: the direction-independent 5-tuple -> struct kw_flow, preallocated at
 * start, idle aging by an incremental sweep, and a full table reported to the caller, which
 * applies flows.on_full. The TCP and Kafka layers hang their per-flow state on struct kw_flow.
 *
 * The index is a bucketed open-addressing hash of its own: buckets of eight 16-bit signatures
 * and flow slots, one cache line each, at most half full (every one of `capacity` flows fits),
 * probed linearly from the key's home bucket; each bucket counts the entries whose probe passed
 * it, so a lookup stops at the first bucket nothing passed and a removal needs no tombstone.
 * The full key is compared in the flow itself, on a line of its own. It replaced rte_hash
 * (docs/performance.md, twenty-sixth session): rte_hash keeps keys in a store of its own, one
 * more line a lookup waits on, and the bulk lookup took 137 instructions a packet against 58
 * (callgrind, 1 k-connection Kafka replay).
 *
 * Owned and used by exactly one worker lcore; create/free on the main lcore at init/exit.
 */
#ifndef KW_FLOW_H
#define KW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash_crc.h>

#include "dataplane/counters.h"
#include "dataplane/pkt.h"
#include "dataplane/tcp/tcp_stream.h"

struct kw_kafka_conn;

/* What the inspection layer does with a flow (see dataplane/inspect.h). */
enum kw_flow_l7 {
	KW_FLOW_L7_NEW = 0, /* not decided yet: the state of a fresh flow */
	KW_FLOW_L7_NONE,    /* not Kafka, or inspection off: flow statistics only */
	KW_FLOW_L7_DETECT,  /* TCP tracked until its first payload says whether it is Kafka */
	KW_FLOW_L7_KAFKA,   /* TCP reassembled and decoded */
	KW_FLOW_L7_OPAQUE,  /* Kafka that can no longer be decoded: forwarded and counted */
};

/* Bytes a flow keeps for protocol detection when its first segments are short. */
#define KW_FLOW_DETECT_MAX 16

struct kw_flow {
	/* Per packet: the first two cache lines (the second: both directions' TCP state). */
	uint64_t last_tsc;
	uint64_t pkts[2];  /* by direction: 0 = from the key's lo endpoint */
	uint64_t bytes[2];
	uint8_t tcp_flags[2]; /* every TCP flag seen, by direction */
	uint8_t in_use;
	uint8_t l7;           /* enum kw_flow_l7 */
	uint8_t client_dir;   /* the direction that carries requests */
	struct kw_kafka_conn *kafka;
	struct kw_tcp_conn tcp __rte_cache_aligned; /* its FIN and held-piece state: third line */
	/* Per flow (creation, aging, removal, dumps): the rest. */
	uint64_t first_tsc;
	/* Protocol detection (kafka.detect): the first bytes of the first direction to send. */
	uint8_t detect_n;
	uint8_t detect[KW_FLOW_DETECT_MAX];
	/* compared by every lookup: the fourth line, loaded with the first */
	struct kw_flow_key key __rte_cache_aligned;
} __rte_cache_aligned;

/* Keys of one bulk lookup at most. */
#define KW_FLOW_LOOKUP_MAX 64

/* Entries of a bucket of the flow table's index. */
#define KW_FLOW_BUCKET_ENTRIES 8

/* One cache line of the index: an entry is a signature (0: empty) and the flow's slot. */
struct kw_flow_bucket {
	uint16_t sig[KW_FLOW_BUCKET_ENTRIES];
	uint32_t slot[KW_FLOW_BUCKET_ENTRIES];
	/* entries whose home bucket comes before this one and that lie after it */
	uint32_t passing;
} __rte_cache_aligned;

/* Called for a flow about to leave the table, to release what hangs on it. */
typedef void (*kw_flow_release_fn)(void *arg, struct kw_flow *f);

struct kw_flow_table {
	struct kw_flow_bucket *buckets;
	uint32_t bucket_mask;  /* buckets: a power of two, at least capacity / 4 */
	struct kw_flow *flows; /* n_slots (= capacity) of them */
	uint32_t *free_slots;  /* a stack of the free slots: free_slots[0 .. n_free) */
	uint32_t n_free;
	uint32_t n_slots;
	uint32_t capacity;
	uint32_t count;
	uint32_t age_cursor;
	uint64_t idle_tsc;
	kw_flow_release_fn release; /* NULL: nothing hangs on flows */
	void *release_arg;
};

/* The hash of a key: its home bucket in the low bits, its signature in the high 16. */
static inline uint32_t
kw_flow_key_hash(const struct kw_flow_key *key)
{
	return rte_hash_crc(key, sizeof(*key), 0);
}

/* Init only. capacity flows at most; idle_tsc is the idle timeout in TSC cycles. NULL on error. */
struct kw_flow_table *kw_flow_table_create(const char *name, uint32_t capacity, uint64_t idle_tsc,
					   int socket);
void kw_flow_table_free(struct kw_flow_table *t);

/*
 * Find the flows of n keys (n <= KW_FLOW_LOOKUP_MAX), creating those that are new. flows[i] is
 * NULL when the key is new and the table is full (counted in flow_table_full). Returns the
 * number of NULLs. A created flow is stamped (first_tsc, last_tsc); a found one is not: the
 * caller sets last_tsc when it counts the packet, a store to the line it writes then anyway.
 * Stamping here wrote every entry right after the prefetch that starts loading it, and the
 * stores stalled on the misses (with 10 k flows).
 */
unsigned int kw_flow_lookup_bulk(struct kw_flow_table *t, const struct kw_flow_key **keys,
				 unsigned int n, uint64_t now, struct kw_flow **flows,
				 struct kw_counters *ctr);

/*
 * One key's flow; created when create is set and it is new. NULL: absent, or the table is full.
 * Stamped (last_tsc = now) when found, unlike the bulk lookup's.
 */
struct kw_flow *kw_flow_lookup(struct kw_flow_table *t, const struct kw_flow_key *key,
			       uint64_t now, bool create, struct kw_counters *ctr);

/* Examine up to budget slots from the sweep cursor and remove flows idle at now. Returns removed. */
unsigned int kw_flow_table_age(struct kw_flow_table *t, uint64_t now, unsigned int budget,
			       struct kw_counters *ctr);

/* Release and remove up to budget flows (end of a capture, shutdown). Returns the number removed. */
unsigned int kw_flow_table_flush(struct kw_flow_table *t, unsigned int budget);

/* Visit every flow in use (control/telemetry after the workers stopped, and tests). */
void kw_flow_table_walk(const struct kw_flow_table *t,
			void (*fn)(const struct kw_flow *f, void *arg), void *arg);

#endif /* KW_FLOW_H */
