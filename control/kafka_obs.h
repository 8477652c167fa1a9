/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kafka observability on the control thread: turns the workers' request/response records
 * (struct kw_kafka_rec) into a JSON-lines request log, bounded per client id / principal /
 * topic / consumer group statistics (Space-Saving top-K + count-min sketch, see topk.h), per-API
 * latency histograms and consumer lag, and serves them over rte_telemetry and a final report.
 *
 * kw_obs_create/free/record/report and the getters are called by the control thread; the
 * telemetry callbacks run on the EAL telemetry thread, so every entry point takes the obs lock.
 * All tables are allocated at create; kw_obs_record does not allocate (the log's FILE may).
 * The obs owns its tables; it does not own the log FILE nor keep any pointer into a record.
 */
#ifndef KW_KAFKA_OBS_H
#define KW_KAFKA_OBS_H

#include <stdint.h>
#include <stdio.h>

#include "dataplane/kafka_rec.h"

#define KW_OBS_DEFAULT_TOP_K 64
#define KW_OBS_DEFAULT_RATE_WINDOW 1000000000ull /* ns */
#define KW_OBS_LAT_BUCKETS 26    /* [0,1us) [1,2us) .. [2^23,2^24us) [2^24us = 16.8 s, inf) */
#define KW_OBS_LAG_ENTRIES 4096  /* (group, topic, partition) commits kept, LRU */
#define KW_OBS_HWM_ENTRIES 4096  /* (topic, partition) high watermarks kept, LRU */
#define KW_OBS_TOPIC_IDS 4096    /* topic id -> name pairs learned from Metadata, LRU */
#define KW_OBS_MEMBERS 4096      /* (client id, client address) -> group, LRU */
#define KW_OBS_POS_ENTRIES 4096  /* (group, topic, partition) fetch positions kept, LRU */
#define KW_OBS_TXNS 1024         /* open transactions with consumer offsets (producer id), LRU */
#define KW_OBS_TXN_OFFSETS 16    /* partitions an open transaction's offsets keep */
#define KW_OBS_TEL_TOP 32        /* entries per telemetry reply (its buffer is 16 KiB) */
#define KW_OBS_TEL_LAG 8         /* partitions shown per group, largest lag first */

struct kw_obs_params {
	uint32_t top_k;      /* entries per top-K table; 0 = KW_OBS_DEFAULT_TOP_K */
	FILE *log;           /* NULL: no request log */
	uint32_t log_sample; /* log every n-th pair; 0 or 1 = every pair */
	uint64_t tsc_hz;     /* converts ev.latency_tsc when a record has no latency_ns; 0 = never */
	uint64_t rate_window_ns; /* window of the per-key rates; 0 = KW_OBS_DEFAULT_RATE_WINDOW */
};

enum kw_obs_dim {
	KW_OBS_CLIENT,
	KW_OBS_PRINCIPAL,
	KW_OBS_TOPIC,
	KW_OBS_GROUP,
	KW_OBS_SOFTWARE, /* "name/version" of ApiVersions v3+: the pairs of connections that sent
			  * it */
	KW_OBS_DIMS
};

enum kw_obs_metric {
	KW_OBS_REQUESTS,  /* Space-Saving weight */
	KW_OBS_BYTES_IN,  /* client -> broker frame bytes */
	KW_OBS_BYTES_OUT, /* broker -> client frame bytes */
	KW_OBS_RECORDS,
	KW_OBS_ERRORS,    /* non-zero error codes in responses */
	/* connections, at the first pair with the key (KW_KAFKA_EV_*_FIRST); kw_obs_dim_conns */
	KW_OBS_CONNECTIONS,
	KW_OBS_METRICS
};

/* Whether dimension d counts connections (KW_OBS_CONNECTIONS): client ids, principals, software. */
static inline bool
kw_obs_dim_conns(enum kw_obs_dim d)
{
	return d == KW_OBS_CLIENT || d == KW_OBS_PRINCIPAL || d == KW_OBS_SOFTWARE;
}

/*
 * A key's totals, and its rates: what it added in the last rate window that ended, per second.
 * Windows run on the pairs' completion times (the request's time plus its latency: capture
 * time in kwire pcap, wall clock inline, where the control thread also ends windows that saw no
 * pair). Rates exist for tracked keys only (0 for a sketch estimate); rate_partial says they
 * are lower bounds: the key took an evicted key's place during that window.
 */
struct kw_obs_stats {
	uint64_t v[KW_OBS_METRICS];
	uint64_t error_bound; /* v[KW_OBS_REQUESTS] - error_bound <= true requests */
	uint64_t per_s[KW_OBS_METRICS];
	uint64_t peak_per_s[KW_OBS_METRICS]; /* the largest per_s of any window that ended while
					      * the key was tracked (a lower bound) */
	uint8_t rate_partial;
};

struct kw_obs_lat {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
	uint64_t buckets[KW_OBS_LAT_BUCKETS];
};

/* Outcomes, one counter each; plain increments under the obs lock. */
struct kw_obs_counters {
	uint64_t records;          /* kw_obs_record calls with a request/response pair */
	uint64_t batch_records;    /* kw_obs_record calls with a record of a batch (log.records) */
	uint64_t batch_records_logged; /* their JSON lines written (failures: log_errors) */
	uint64_t logged;           /* JSON lines written */
	uint64_t log_sampled_out;  /* pairs not logged because of log_sample */
	uint64_t log_errors;       /* lines the FILE refused */
	uint64_t unkeyed[KW_OBS_DIMS]; /* records without a key in that dimension */
	uint64_t api_out_of_range; /* api key outside the histogram table */
	uint64_t topic_ids_learned;
	uint64_t topic_ids_evicted;
	uint64_t topic_ids_unresolved; /* topic ids printed or keyed as UUID strings */
	uint64_t offsets_bad;      /* offset entries whose topic index points at nothing */
	uint64_t commits;          /* committed offsets applied (OffsetCommit, OffsetFetch) */
	uint64_t commits_read;     /* of those, read from OffsetFetch responses */
	uint64_t commits_none;     /* partitions read (OffsetFetch) or committed as -1: none */
	uint64_t commits_no_group; /* committed offsets without a group id: ignored */
	uint64_t commits_groups_many; /* several groups, not answered under one: ignored */
	/* partitions an OffsetCommit, OffsetFetch or OffsetDelete response answered with an error,
	 * and the commits of a pair whose group failed: ignored */
	uint64_t commits_failed;
	/* commits and commit deletions (OffsetCommit, TxnOffsetCommit, OffsetDelete) of requests
	 * never answered: ignored */
	uint64_t commits_unanswered;
	uint64_t commits_evicted;  /* lag table full: least recently committed entry reused */
	/* commits dropped: none in an OffsetFetch answer (expired or deleted), deleted by
	 * OffsetDelete, or their group deleted (DeleteGroups) */
	uint64_t commits_cleared;
	uint64_t groups_deleted;   /* groups a DeleteGroups answered without error: dropped */
	uint64_t groups_deleted_many; /* DeleteGroups answers past the groups a pair keeps */
	/* commits (or drops of one) from a pair requested before the one that gave the value kept:
	 * ignored */
	uint64_t commits_stale;
	uint64_t commits_txn;      /* of commits, a transaction's, applied when it committed */
	uint64_t txn_offsets;      /* TxnOffsetCommit partition offsets seen */
	uint64_t txn_offsets_failed; /* partitions a TxnOffsetCommit refused, or of one without a
				      * group or producer id: ignored */
	uint64_t txn_offsets_aborted; /* their transaction aborted (EndTxn), or its producer
				       * started again (InitProducerId) */
	uint64_t txn_offsets_dropped; /* more partitions than an open transaction keeps, or its
				       * entry evicted */
	/* EndTxn with errors, or never answered, for a transaction with offsets: kept open */
	uint64_t txn_ends_failed;
	uint64_t txns_evicted;     /* transaction table full: least recently used entry reused */
	uint64_t hwms;             /* high watermarks applied */
	uint64_t hwms_produced;    /* of those, log ends from Produce responses */
	uint64_t hwms_listed;      /* of those, latest offsets from ListOffsets responses */
	uint64_t hwms_evicted;
	uint64_t hwms_stale;       /* high watermarks answered before the value kept: ignored */
	uint64_t fetch_offsets;    /* Fetch positions seen */
	uint64_t fetched_offsets;  /* of those, past the records the response returned */
	uint64_t positions;        /* of those, applied to their client's group */
	/* from a client (client id and address) seen in no group's member requests: followers,
	 * consumers without a group */
	uint64_t positions_unattributed;
	uint64_t positions_ambiguous; /* from a client seen in the requests of two groups */
	/* Fetch partitions the response answered with an error, and every position of a Fetch
	 * with an error code outside the partitions (TOP_ERROR): ignored */
	uint64_t positions_failed;
	uint64_t positions_stale;  /* from a Fetch requested before the one that gave the value */
	uint64_t positions_evicted; /* position table full: least recently fetched entry reused */
	uint64_t members;          /* clients learned as members of a group */
	uint64_t members_ambiguous; /* clients seen in the requests of a second group */
	uint64_t members_evicted;  /* member table full: least recently seen client reused */
	uint64_t rate_windows;     /* rate windows ended */
	uint64_t rate_late;        /* pairs that completed before the current rate window began
				    * (a worker behind the others): counted in it */
};

/*
 * The consumer lag counters of struct kw_obs_counters, as /kwire/kafka/obs and the final report
 * give them: what became of every commit, high watermark and position seen.
 */
#define KW_OBS_LAG_COUNTERS(X)                                                                     \
	X(commits)                                                                                 \
	X(commits_read)                                                                            \
	X(commits_none)                                                                            \
	X(commits_cleared)                                                                         \
	X(groups_deleted)                                                                          \
	X(groups_deleted_many)                                                                     \
	X(commits_stale)                                                                           \
	X(commits_no_group)                                                                        \
	X(commits_groups_many)                                                                     \
	X(commits_failed)                                                                          \
	X(commits_unanswered)                                                                      \
	X(commits_evicted)                                                                         \
	X(commits_txn)                                                                             \
	X(txn_offsets)                                                                             \
	X(txn_offsets_failed)                                                                      \
	X(txn_offsets_aborted)                                                                     \
	X(txn_offsets_dropped)                                                                     \
	X(txn_ends_failed)                                                                         \
	X(txns_evicted)                                                                            \
	X(hwms)                                                                                    \
	X(hwms_produced)                                                                           \
	X(hwms_listed)                                                                             \
	X(hwms_evicted)                                                                            \
	X(hwms_stale)                                                                              \
	X(fetch_offsets)                                                                           \
	X(fetched_offsets)                                                                         \
	X(positions)                                                                               \
	X(positions_unattributed)                                                                  \
	X(positions_ambiguous)                                                                     \
	X(positions_failed)                                                                        \
	X(positions_stale)                                                                         \
	X(positions_evicted)                                                                       \
	X(members)                                                                                 \
	X(members_ambiguous)                                                                       \
	X(members_evicted)

struct kw_obs;

/* Allocate an obs and all its tables; NULL on bad params or no memory. */
struct kw_obs *kw_obs_create(const struct kw_obs_params *p);
void kw_obs_free(struct kw_obs *o);
/*
 * Aggregate one pair and, if sampled, write its JSON line to the log; a record of a batch
 * (kind KW_KAFKA_REC_RECORD) only becomes a line of the log, never sampled, never aggregated.
 */
void kw_obs_record(struct kw_obs *o, const struct kw_kafka_rec *r);
/*
 * End the rate windows that ended before now_ns (the pairs' clock): the control thread calls it
 * inline, so that keys that stopped sending show no rate. Nothing before the first pair.
 */
void kw_obs_advance(struct kw_obs *o, uint64_t now_ns);
/*
 * Hand the request log's lines written since the last call to the kernel (the log is a stdio
 * stream, fully buffered on a file or pipe): the control thread calls it every
 * KW_OBS_FLUSH_MS, so that a quiet cluster's lines do not wait in the buffer. 0, or -errno of a
 * failed write (counted in log_errors).
 */
int kw_obs_flush(struct kw_obs *o);
#define KW_OBS_FLUSH_MS 100
/* Serve o under /kwire/kafka/{clients,principals,topics,groups,latency}; 0 or -errno. */
int kw_obs_telemetry_register(struct kw_obs *o);
/* Human summary: top clients, principals, topics, groups with lag, latency per API. */
void kw_obs_report(const struct kw_obs *o, FILE *f);

/* Write the JSON line of r, a pair or a record (newline included) as the log would; 0, -ENOSPC
 * or -EIO. */
int kw_obs_log_line(const struct kw_obs *o, const struct kw_kafka_rec *r, FILE *f);
/* Stats of key in dim: 1 tracked in the top-K, 0 estimated by the sketch, -EINVAL. */
int kw_obs_lookup(const struct kw_obs *o, enum kw_obs_dim dim, const char *key,
		  struct kw_obs_stats *st);
/* Up to n (at most KW_OBS_TEL_TOP) top keys of dim, most requests first; returns how many. */
uint32_t kw_obs_top(const struct kw_obs *o, enum kw_obs_dim dim, char (*keys)[KW_KAFKA_NAME_MAX],
		    struct kw_obs_stats *st, uint32_t n);
/*
 * Fetch position lag of (group, topic, partition): the group member's last Fetch offset against
 * the high watermark. 0 (both known), -ENOENT (no position), -ENODATA (no hwm).
 */
int kw_obs_position(const struct kw_obs *o, const char *group, const char *topic,
		    int32_t partition, int64_t *position, int64_t *hwm, int64_t *lag);
/* Lag of (group, topic, partition): 0 (both known), -ENOENT (no commit), -ENODATA (no hwm). */
int kw_obs_lag(const struct kw_obs *o, const char *group, const char *topic, int32_t partition,
	       int64_t *committed, int64_t *hwm, int64_t *lag);
/* Latency histogram of api_key, NULL when out of range. */
const struct kw_obs_lat *kw_obs_latency(const struct kw_obs *o, int api_key);
/* Histogram bucket of a latency; estimated quantile q (0..1) of a histogram, in ns. */
unsigned int kw_obs_lat_bucket(uint64_t ns);
uint64_t kw_obs_lat_quantile(const struct kw_obs_lat *h, double q);
const struct kw_obs_counters *kw_obs_counters(const struct kw_obs *o);

#endif /* KW_KAFKA_OBS_H */
