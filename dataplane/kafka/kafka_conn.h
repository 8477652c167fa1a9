/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kafka connection decoder: turns the two in-order byte streams of a TCP connection (from TCP
 * reassembly) into one event per request/response pair, plus per-api counters.
 *
 * Called only by the worker lcore that owns the flow: kw_kafka_ctx_create/destroy at init and
 * teardown (they allocate), everything else on the fast path (no allocation, no lock, no print).
 * The ctx owns a preallocated pool of connections, its counters and the emit callback; a conn
 * owns its per-direction decoder state and pending-request table, never a pointer into input.
 */
#ifndef KW_KAFKA_CONN_H
#define KW_KAFKA_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/kafka/kafka_records.h"
#include "dataplane/kafka/kafka_schema.h"

#define KW_KAFKA_NAME_MAX 64      /* bytes kept of a client id, topic, group, user (with NUL) */
#define KW_KAFKA_EV_TOPICS 8      /* topic names kept per event */
#define KW_KAFKA_EV_TOPIC_IDS 8   /* topic ids kept per event */
#define KW_KAFKA_EV_ERRORS 8      /* distinct non-zero error codes kept per event */
#define KW_KAFKA_INFLIGHT_MAX 32  /* pending requests per connection */
#define KW_KAFKA_STACK_MAX 8      /* struct nesting the walker follows */
#define KW_KAFKA_TAGS_MAX 64      /* tagged fields accepted in one section */
#define KW_KAFKA_EV_OFFSETS 16    /* partition offsets kept per event */
#define KW_KAFKA_DETAIL_MAX 4     /* pending requests per conn that keep all topics and offsets */
#define KW_KAFKA_DEFAULT_MAX_FRAME (100u << 20)
#define KW_KAFKA_DEFAULT_MAX_CONNS 4096u

struct kw_kafka_params {
	uint32_t max_frame; /* a larger or negative frame size sends the direction opaque */
	/* 0 in either field means the default */
	uint32_t max_conns; /* connection pool size per ctx; 0 = default */
};

/* A bounded copy of a string field; s is always NUL terminated. */
struct kw_kafka_str {
	uint8_t len;   /* bytes in s, at most KW_KAFKA_NAME_MAX - 1 */
	uint8_t trunc; /* the field was longer (or carried a NUL) */
	uint8_t null;  /* the field was null */
	char s[KW_KAFKA_NAME_MAX];
};

/* enum kw_kafka_event flags */
#define KW_KAFKA_EV_NO_RESPONSE  0x0001 /* request that gets no response (Produce acks=0) */
#define KW_KAFKA_EV_UNANSWERED   0x0002 /* request dropped: table full, gap or conn closed */
#define KW_KAFKA_EV_REQ_BAD      0x0004 /* request body did not decode (frame kept) */
#define KW_KAFKA_EV_RESP_BAD     0x0008 /* response body did not decode (frame kept) */
#define KW_KAFKA_EV_OPAQUE       0x0010 /* unknown version: body skipped, nothing extracted */
#define KW_KAFKA_EV_TOPICS_TRUNC 0x0020 /* more topics than kept */
#define KW_KAFKA_EV_ERRORS_TRUNC 0x0040 /* more distinct error codes than kept */
#define KW_KAFKA_EV_THROTTLED    0x0080 /* throttle_ms > 0 */
#define KW_KAFKA_EV_TOPIC_IDS_ALIGNED 0x0100 /* topics[i] and topic_ids[i] name the same topic
					     * (Metadata responses) */
#define KW_KAFKA_EV_OFFSETS_TRUNC 0x0200 /* offsets seen but not kept (see offsets_dropped) */

/* What a kw_kafka_ev_offset is, for consumer lag. */
enum kw_kafka_off_kind {
	KW_KAFKA_OFF_HWM = 1,   /* Fetch response high_watermark */
	KW_KAFKA_OFF_COMMITTED, /* OffsetCommit request committed_offset */
	KW_KAFKA_OFF_FETCH,     /* Fetch request fetch_offset */
};

/*
 * One partition offset. topic is an index into ev.topics[], or (0x80 | index) into
 * ev.topic_ids[] when the enclosing topic is named by id (Fetch v13+). An offset whose topic
 * was not kept (more than KW_KAFKA_EV_TOPICS) is dropped, not reported with a wrong topic.
 */
struct kw_kafka_ev_offset {
	uint8_t kind;      /* enum kw_kafka_off_kind */
	uint8_t topic;
	int32_t partition;
	int64_t offset;
};

struct kw_kafka_event {
	const char *api_name;  /* static string from the schema */
	int16_t api_key;
	int16_t api_version;
	int32_t corr_id;
	uint32_t flags;        /* KW_KAFKA_EV_* */
	uint64_t req_off;      /* stream offset (dir 0) of the request's size field */
	uint64_t resp_off;     /* stream offset (dir 1) of the response's size field */
	uint32_t req_len;      /* request frame bytes, size field included */
	uint32_t resp_len;     /* 0 without a response */
	uint64_t t_req;        /* TSC when the request completed */
	uint64_t latency_tsc;  /* response complete - request complete; 0 without a response */
	struct kw_kafka_str client_id;
	struct kw_kafka_str group_id;
	struct kw_kafka_str txn_id;
	uint32_t topic_count;  /* topic names seen: max(request, response) */
	uint32_t topic_id_count;
	uint32_t partition_count; /* partition entries seen: max(request, response) */
	uint32_t error_count;  /* non-zero error codes seen */
	uint8_t n_topics;      /* valid entries of topics[] */
	uint8_t n_topic_ids;
	uint8_t n_errors;
	int16_t acks;          /* Produce only, else 0 */
	int16_t errors[KW_KAFKA_EV_ERRORS];
	int32_t throttle_ms;   /* -1 when the response has none */
	uint64_t throttle_off; /* stream offset (dir 1) of the throttle field */
	int64_t producer_id;   /* -1 when none */
	struct kw_kafka_records_sum records; /* of the request (Produce) or response (Fetch) */
	struct kw_kafka_str topics[KW_KAFKA_EV_TOPICS];
	uint8_t topic_ids[KW_KAFKA_EV_TOPIC_IDS][16];
	/* Request offsets (Fetch, OffsetCommit) first, then response offsets (Fetch HWM). */
	uint8_t n_offsets;
	struct kw_kafka_ev_offset offsets[KW_KAFKA_EV_OFFSETS];
};

/* Per-ctx counters; plain increments by the owning worker, read by whoever sums them. */
struct kw_kafka_counters {
	uint64_t frames[2];          /* complete frames per direction */
	uint64_t bytes[2];           /* bytes fed per direction */
	uint64_t frame_size_bad;     /* negative or > max_frame: direction goes opaque */
	uint64_t frame_malformed;    /* body did not decode: rest of the frame skipped */
	uint64_t frame_trailing;     /* bytes left after a decoded body, skipped */
	uint64_t frame_truncated;    /* frame cut by a gap */
	uint64_t header_bad;         /* request header did not decode */
	uint64_t api_unknown;        /* unknown api key: frame skipped */
	uint64_t version_unknown;    /* version outside the valid range: frame skipped */
	uint64_t resp_unmatched;     /* response whose correlation id is not pending */
	uint64_t pending_evicted;    /* pending table full: the oldest request dropped */
	uint64_t depth_exceeded;     /* nesting beyond KW_KAFKA_STACK_MAX */
	uint64_t tagged_skipped;     /* tagged fields skipped (all are, for now) */
	uint64_t tagged_too_many;    /* tagged section with more than KW_KAFKA_TAGS_MAX fields */
	uint64_t gaps;               /* directions broken by a reassembly gap */
	uint64_t opaque_bytes;       /* bytes seen while a direction was opaque */
	uint64_t conn_alloc_fail;    /* pool empty */
	uint64_t events;             /* events emitted */
	uint64_t events_unanswered;
	uint64_t records_batches;
	uint64_t records_crc_bad;
	uint64_t records_partial;
	uint64_t records_legacy;
	uint64_t records_malformed;
	uint64_t sasl_users;         /* usernames extracted (SaslAuthenticate or raw v0 token) */
	uint64_t sasl_raw_tokens;    /* raw SASL frames after a SaslHandshake v0 */
	uint64_t sasl_raw_opaque;    /* v0 SASL with an unknown token count: conn went opaque */
	uint64_t offsets_dropped;    /* offsets not kept: event full, topic not kept, no slot */
	uint64_t req_count[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
	uint64_t req_bytes[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
	uint64_t resp_count[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
	uint64_t resp_bytes[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
};

/* Identity learned on a connection (never a password or a proof). */
struct kw_kafka_ident {
	struct kw_kafka_str client_id;        /* last request header client id */
	struct kw_kafka_str sw_name;          /* ApiVersions v3+ ClientSoftwareName */
	struct kw_kafka_str sw_version;       /* ApiVersions v3+ ClientSoftwareVersion */
	struct kw_kafka_str mechanism;        /* SaslHandshake Mechanism */
	struct kw_kafka_str user;             /* SASL PLAIN authcid or SCRAM n= */
	struct kw_kafka_str txn_id;           /* last transactional id */
};

struct kw_kafka_ctx;
struct kw_kafka_conn;

typedef void (*kw_kafka_emit_fn)(void *arg, const struct kw_kafka_event *ev);

/* Create a worker's ctx with its conn pool on socket; NULL on bad params or no memory. */
struct kw_kafka_ctx *kw_kafka_ctx_create(const struct kw_kafka_params *params, int socket,
					 kw_kafka_emit_fn emit, void *emit_arg);
void kw_kafka_ctx_destroy(struct kw_kafka_ctx *ctx);
const struct kw_kafka_counters *kw_kafka_ctx_counters(const struct kw_kafka_ctx *ctx);

/* A fresh conn from the pool; NULL (and conn_alloc_fail counted) when the pool is empty. */
struct kw_kafka_conn *kw_kafka_conn_alloc(struct kw_kafka_ctx *ctx);
/* Emit the still pending requests as unanswered and return conn to the pool. */
void kw_kafka_conn_free(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn);

/*
 * Feed len in-order bytes of direction dir (0 client->broker, 1 broker->client) starting at
 * stream offset off. Nothing of p is kept after return. Emits events for completed pairs.
 */
void kw_kafka_conn_feed(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir,
			uint64_t off, const uint8_t *p, uint32_t len, uint64_t now_tsc);
/* Direction dir lost bytes: it goes opaque for the rest of the flow (counted). */
void kw_kafka_conn_gap(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir);
/* What the conn learned about its client. */
const struct kw_kafka_ident *kw_kafka_conn_ident(const struct kw_kafka_conn *conn);

#endif /* KW_KAFKA_CONN_H */
