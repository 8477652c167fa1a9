/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker hands the control thread for every Kafka request/response pair: the decoder's
 * event plus the flow, the time, and the connection's identity. Records come from a per-worker
 * pool and travel through a per-worker single-producer ring; the control thread turns them into
 * the request log and the per-client/topic/group statistics, then puts them back in the pool.
 * A full ring or an empty pool drops the record and counts it (kafka_rec_dropped).
 *
 * With log.records on, the same ring also carries one record of kind KW_KAFKA_REC_RECORD per
 * record of an uncompressed batch (kw_inspect_record); those only become log lines.
 */
#ifndef KW_KAFKA_REC_H
#define KW_KAFKA_REC_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/kafka/kafka_conn.h"

enum kw_kafka_rec_kind {
	KW_KAFKA_REC_EVENT = 0, /* a request/response pair: ev (zero, so a zeroed rec is one) */
	KW_KAFKA_REC_RECORD,    /* one record of an uncompressed batch: rec */
	KW_KAFKA_REC_PACKED,    /* a pair as a worker hands it over: kw_kafka_rec_unpack() */
	KW_KAFKA_REC_STATS,     /* a pair with what the statistics read only: the same */
};

/*
 * One record of a batch as stream offsets of its direction, the request that carried it or
 * asked for it, and its topic (by name, or by id for Fetch v13+) and partition.
 */
struct kw_kafka_rec_record {
	struct kw_kafka_record r;
	const char *api_name;   /* static string from the schema, NULL if unknown */
	int16_t api_key;
	int16_t api_version;
	int32_t corr_id;
	int32_t partition;      /* -1 unknown */
	uint8_t dir;            /* 0 request (Produce), 1 response (Fetch) */
	uint8_t by_id;          /* the topic is topic_id, not topic */
	uint8_t topic_id[16];
	struct kw_kafka_str topic;     /* empty when by id or unknown */
	struct kw_kafka_str client_id; /* the connection's last request header client id */
};

struct kw_kafka_rec {
	uint64_t ts_ns;       /* UNIX time of the request (a record: of the bytes that completed
			       * it): capture time in pcap mode, else wall clock */
	uint64_t latency_ns;  /* request complete -> response complete; 0 without a response */
	uint16_t worker;
	uint8_t family;       /* 4 or 6 */
	uint8_t kind;         /* enum kw_kafka_rec_kind */
	uint8_t client[16];   /* the side that sends requests */
	uint8_t broker[16];
	uint16_t client_port;
	uint16_t broker_port;
	/*
	 * From here to the end, a packed pair (kind KW_KAFKA_REC_PACKED) is written over the
	 * fields below in one run of bytes. An event never copies rec: a union keeps what
	 * kw_inspect_emit writes unchanged.
	 */
	union {
		struct kw_kafka_event ev;        /* kind KW_KAFKA_REC_EVENT */
		struct kw_kafka_rec_record rec;  /* kind KW_KAFKA_REC_RECORD */
	};
	/* events only: a record leaves them unset */
	struct kw_kafka_str principal;  /* SASL username, empty if none */
	struct kw_kafka_str mechanism;  /* SASL mechanism, empty if none */
	struct kw_kafka_str sw_name;    /* ApiVersions v3+ client software */
	struct kw_kafka_str sw_version;
};

/*
 * A worker writes a pair packed: after the flow and times, which stay in their fields, the
 * event's scalars, then each string (the event's, then the identity's) as its length, flags and
 * bytes, then the counted list entries. A typical pair fills 4-6 cache lines of the
 * record instead of the ~15 that the same event and identity take in place, and each line a
 * worker writes is one the control core had (alternating kwire runs on the 10k replay of
 * perf/bench-forward.sh: ~35 cycles per frame less than copying the event whole).
 */

/* The identity strings of a pair, in the order they are packed. */
enum kw_kafka_rec_id {
	KW_KAFKA_REC_ID_PRINCIPAL,
	KW_KAFKA_REC_ID_MECHANISM,
	KW_KAFKA_REC_ID_SW_NAME,
	KW_KAFKA_REC_ID_SW_VERSION,
	KW_KAFKA_REC_ID_N,
};

/*
 * The requests a consumer sends its group coordinator as a member of the group: the statistics
 * tie its Fetch pairs to the group by the client id and address these share (control/kafka_obs.c).
 */
static inline bool
kw_kafka_api_group_member(int16_t api_key)
{
	return api_key == KW_KAFKA_API_OFFSET_COMMIT || api_key == KW_KAFKA_API_JOIN_GROUP ||
	       api_key == KW_KAFKA_API_HEARTBEAT || api_key == KW_KAFKA_API_LEAVE_GROUP ||
	       api_key == KW_KAFKA_API_SYNC_GROUP ||
	       api_key == KW_KAFKA_API_CONSUMER_GROUP_HEARTBEAT;
}

/* Whether a statistics pair of api_key carries its client's address (family and client[]). */
static inline bool
kw_kafka_rec_stats_addr(int16_t api_key)
{
	return api_key == KW_KAFKA_API_FETCH || kw_kafka_api_group_member(api_key);
}

/*
 * Whether a statistics pair of api_key carries its producer id: the transactions' commits of
 * consumer offsets (TxnOffsetCommit, EndTxn) and a producer's new epoch (InitProducerId).
 */
static inline bool
kw_kafka_rec_stats_pid(int16_t api_key)
{
	return api_key == KW_KAFKA_API_TXN_OFFSET_COMMIT || api_key == KW_KAFKA_API_END_TXN ||
	       api_key == KW_KAFKA_API_INIT_PRODUCER_ID;
}

/* Worker: ev and id[] packed into r (kind KW_KAFKA_REC_PACKED); r's flow and times untouched. */
void kw_kafka_rec_pack(struct kw_kafka_rec *r, const struct kw_kafka_event *ev,
		       const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N]);

/*
 * Worker, with the request log off: only what the statistics read (control/kafka_obs.c: the api,
 * flags, sizes, latency, record and error counts, client id, group, principal, the client
 * software's name and version, topics, topic ids and offsets), packed into r (kind
 * KW_KAFKA_REC_STATS) from its endpoints on: r's times stay in their fields, the endpoints are
 * not kept, except the client's family and address for the apis of kw_kafka_rec_stats_addr,
 * which the caller sets in r before, and the producer id for those of kw_kafka_rec_stats_pid.
 * A pair then writes 2-3 lines of its record instead of 4-6.
 * Of id[], the principal and the software are read (strings the connection has not seen are
 * empty and cost 3 bytes each); the mechanism is not, and may be NULL.
 */
void kw_kafka_rec_pack_stats(struct kw_kafka_rec *r, const struct kw_kafka_event *ev,
			     const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N]);

/*
 * Worker: kw_kafka_rec_pack_stats with the client's address given rather than read from r, and
 * which pairs carry it decided by the caller: family 4 or 6 for the apis of
 * kw_kafka_rec_stats_addr, with client the address (16 bytes readable, outside r), else 0 and
 * client not read. r's family, client and the rest of its endpoints are not read.
 */
void kw_kafka_rec_pack_stats_client(struct kw_kafka_rec *r, const struct kw_kafka_event *ev,
				    const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N],
				    uint8_t family, const uint8_t *client);

/*
 * Control thread: the pair packed in r (either kind) into out (kind KW_KAFKA_REC_EVENT), flow
 * and times too. Of a KW_KAFKA_REC_STATS pair, every field it does not carry reads as none: no
 * endpoints (family 0) but the client's where it carries it, empty names, no entries, zeros (-1
 * where -1 means none); its walked record count is
 * the larger of the walked and the claimed ones (kw_obs_records_of).
 */
void kw_kafka_rec_unpack(struct kw_kafka_rec *out, const struct kw_kafka_rec *r);

#endif /* KW_KAFKA_REC_H */
