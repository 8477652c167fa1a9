/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by kafka_obs.c, kafka_obs_log.c and kafka_obs_tel.c; not for other modules.
 * Functions named *_locked, and all helpers here, expect the caller to hold o->lock.
 */
#ifndef KW_KAFKA_OBS_PRIV_H
#define KW_KAFKA_OBS_PRIV_H

#include <pthread.h>
#include <stdbool.h>

#include "control/kafka_obs.h"
#include "control/topk.h"

/* Zero-padded so that keys compare and hash as fixed-size blobs. */
struct kw_obs_lag_key {
	char group[KW_KAFKA_NAME_MAX];
	char topic[KW_KAFKA_NAME_MAX];
	int32_t partition;
};

struct kw_obs_hwm_key {
	char topic[KW_KAFKA_NAME_MAX];
	int32_t partition;
};

/* A consumer as its requests show it: client id and address, zero-padded. */
struct kw_obs_member_key {
	char client[KW_KAFKA_NAME_MAX];
	uint8_t addr[16];
	uint8_t family;
};

/* Which offsets a lag is of, and the index of their table: committed, or fetch positions. */
enum kw_obs_lag_of {
	KW_OBS_LAG_COMMITTED,
	KW_OBS_LAG_POSITION,
	KW_OBS_LAG_OF_N
};

/* A producer's transactions: the consumer offsets of the open one, waiting for its EndTxn. */
struct kw_obs_txn {
	uint64_t end_ns;    /* request time of the last end seen (EndTxn, InitProducerId); 0 none */
	uint8_t end_commit; /* that end committed */
	uint32_t n;
	/* the offsets waiting, each with its TxnOffsetCommit's request time */
	int64_t off[KW_OBS_TXN_OFFSETS];
	uint64_t ts_ns[KW_OBS_TXN_OFFSETS];
	struct kw_obs_lag_key key[KW_OBS_TXN_OFFSETS];
};

struct kw_obs_part_lag {
	const struct kw_obs_lag_key *key;
	int64_t lag;
};

struct kw_obs {
	struct kw_obs_params p;
	pthread_mutex_t lock;
	uint64_t pairs; /* seen by the log sampler */
	uint64_t win_end; /* end of the current rate window, ns; 0 before the first pair */
	struct kw_topk dim[KW_OBS_DIMS];
	struct kw_obs_lat lat[KW_KAFKA_API_MAX_KEY + 1];
	const char *lat_name[KW_KAFKA_API_MAX_KEY + 1]; /* static schema strings */
	struct kw_bmap tid;  /* topic id -> tid_name[] */
	char (*tid_name)[KW_KAFKA_NAME_MAX];
	/*
	 * per enum kw_obs_lag_of: kw_obs_lag_key -> lag_off[of][] (committed, position), and
	 * lag_ts[of][], the request time of the pair that gave the value
	 */
	struct kw_bmap lag[KW_OBS_LAG_OF_N];
	int64_t *lag_off[KW_OBS_LAG_OF_N];
	uint64_t *lag_ts[KW_OBS_LAG_OF_N];
	struct kw_bmap hwm;    /* kw_obs_hwm_key -> hwm_off[], and hwm_ts[]: when it was answered */
	int64_t *hwm_off;
	uint64_t *hwm_ts;
	struct kw_bmap member; /* kw_obs_member_key -> member_group[], member_ambiguous[] */
	char (*member_group)[KW_KAFKA_NAME_MAX];
	uint8_t *member_ambiguous;
	struct kw_bmap txn;    /* producer id -> txn[] */
	struct kw_obs_txn *txns;
	struct kw_obs_counters ctr;
	bool unflushed; /* log lines written since the last kw_obs_flush */
};

/* Name of topic id (16 bytes): learned, else its UUID string written to scratch. */
const char *kw_obs_topic_id_name(const struct kw_obs *o, const uint8_t *id, char *scratch);
/* Distinct topics of an event (names, then ids not aligned with a name) and the i-th one. */
unsigned int kw_obs_topic_n(const struct kw_kafka_event *ev);
const char *kw_obs_topic_at(const struct kw_obs *o, const struct kw_kafka_event *ev,
			    unsigned int i, char *scratch);
/* Name of a topic ref (kw_kafka_ev_offset.topic, kw_kafka_ev_rfield.topic) of ev, NUL
 * terminated, or NULL when it points at nothing kept. */
const char *kw_obs_topic_ref(const struct kw_obs *o, const struct kw_kafka_event *ev, uint8_t ref,
			     char *scratch);
/* Latency of a pair in ns, UINT64_MAX without a response. */
uint64_t kw_obs_latency_ns(const struct kw_obs *o, const struct kw_kafka_rec *r);
uint64_t kw_obs_records_of(const struct kw_kafka_event *ev);
/* The offset of lk (committed or position) and its hwm: 0, -ENOENT (no offset), -ENODATA. */
int kw_obs_lag_locked(const struct kw_obs *o, enum kw_obs_lag_of of,
		      const struct kw_obs_lag_key *lk, int64_t *off, int64_t *hwm, int64_t *lag);
/*
 * Up to n partitions of group with both offsets known, largest lag first; *total sums lag > 0,
 * *known counts the partitions with both.
 */
uint32_t kw_obs_group_lags(const struct kw_obs *o, enum kw_obs_lag_of of, const char *group,
			   struct kw_obs_part_lag *out, uint32_t n, int64_t *total,
			   uint32_t *known);
/* The rates of entry idx of dim into st (per_s, rate_partial). */
void kw_obs_rates_locked(const struct kw_obs *o, enum kw_obs_dim dim, uint32_t idx,
			 struct kw_obs_stats *st);
int kw_obs_log_line_locked(const struct kw_obs *o, const struct kw_kafka_rec *r, FILE *f);
/* The top keys of dim into d (NULL: none) within budget bytes of JSON; *omitted: those left
 * out. 0 or -ENOMEM. */
struct rte_tel_data;
int kw_obs_tel_dim(struct kw_obs *o, enum kw_obs_dim dim, struct rte_tel_data *d, size_t budget,
		   uint32_t *omitted);
/* Forget o in the telemetry callbacks (kw_obs_free). */
void kw_obs_tel_forget(const struct kw_obs *o);

#endif /* KW_KAFKA_OBS_PRIV_H */
