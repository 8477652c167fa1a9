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
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
#define KW_KAFKA_DETAIL_MAX 8     /* pending requests per conn that keep all topics and offsets */
#define KW_KAFKA_EV_RFIELDS 8     /* records fields (partition record sets) kept per event */
#define KW_KAFKA_EV_BROKERS 8     /* distinct broker ids kept per event */
#define KW_KAFKA_EV_PARTS 16      /* distinct (topic, partition index) entries kept per event */
#define KW_KAFKA_EV_GROUPS 8      /* group ids a response names, kept per event */
#define KW_KAFKA_PARK_MAX 64      /* events of frames spanning feeds a ctx keeps in cache */
#define KW_KAFKA_DEFAULT_MAX_FRAME (100u << 20)
#define KW_KAFKA_DEFAULT_MAX_CONNS 4096u
#define KW_KAFKA_DEFAULT_RESYNC_MAX (64u << 10)

struct kw_kafka_params {
	uint32_t max_frame; /* a larger or negative frame size sends the direction opaque */
	/* 0 in any field means the default */
	uint32_t max_conns; /* connection pool size per ctx; 0 = default */
	uint32_t resync_max; /* bytes a resyncing direction scans for a frame start before it
			      * goes opaque; 0 = default */
	/*
	 * Events keep no partition, broker id or records field list (their counts stay 0), for
	 * an emit callback that reads none of them: the statistics without the request log. A
	 * Metadata response's ids and the lists a Produce request leaves for its response are
	 * then not gathered, nor kept in a detail slot.
	 */
	uint8_t no_lists;
};

/* A bounded copy of a string field; s is always NUL terminated. */
struct kw_kafka_str {
	uint8_t len;   /* bytes in s, at most KW_KAFKA_NAME_MAX - 1 */
	uint8_t trunc; /* the field was longer (or carried a NUL) */
	uint8_t null;  /* the field was null */
	char s[KW_KAFKA_NAME_MAX];
};

/* The head of a kw_kafka_str a short string lives in: copied whole, the rest by length. */
#define KW_KAFKA_STR_HEAD (offsetof(struct kw_kafka_str, s) + 16)

/* s = "" (not null), writing only its head. */
static inline void
kw_kafka_str_clear(struct kw_kafka_str *s)
{
	s->len = 0;
	s->trunc = 0;
	s->null = 0;
	s->s[0] = '\0';
}

/* Whether s names nothing: a null or empty field (no key, no group, no name to log). */
static inline bool
kw_kafka_str_none(const struct kw_kafka_str *s)
{
	return s->null || s->len == 0;
}

/* dst = src, reading and writing only the bytes up to src's NUL (cache lines, not sizeof). */
static inline void
kw_kafka_str_copy(struct kw_kafka_str *dst, const struct kw_kafka_str *src)
{
	memcpy(dst, src, KW_KAFKA_STR_HEAD);
	if (src->len >= KW_KAFKA_STR_HEAD - offsetof(struct kw_kafka_str, s))
		memcpy((char *)dst + KW_KAFKA_STR_HEAD, (const char *)src + KW_KAFKA_STR_HEAD,
		       offsetof(struct kw_kafka_str, s) + src->len + 1 - KW_KAFKA_STR_HEAD);
}

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
#define KW_KAFKA_EV_RFIELDS_TRUNC 0x0400 /* records fields seen but not kept (rfields_dropped) */
#define KW_KAFKA_EV_CLOCK_BACK    0x0800 /* the response's clock read earlier than its request's
					  * (a capture's timestamps going back): no latency */
#define KW_KAFKA_EV_BROKERS_TRUNC 0x1000 /* more distinct broker ids than kept */
#define KW_KAFKA_EV_PARTS_TRUNC   0x2000 /* partition indexes seen but not kept (parts_dropped) */
/* The statistics count connections by these: the first pair a connection emitted, and the
 * first it emitted with a SASL principal, and with client software (ApiVersions v3+) */
#define KW_KAFKA_EV_CONN_FIRST      0x4000
#define KW_KAFKA_EV_PRINCIPAL_FIRST 0x8000
#define KW_KAFKA_EV_SOFTWARE_FIRST  0x10000
#define KW_KAFKA_EV_GROUPS_MANY 0x20000 /* more than one group id (group_id: the last one) */
#define KW_KAFKA_EV_TXN_COMMIT  0x40000 /* EndTxn request: commit (without it, abort) */
#define KW_KAFKA_EV_GROUPS_TRUNC 0x80000 /* the response named more groups than kept */
/* a non-zero error code of the response outside any partition's struct: its group's or the
 * whole response's (a partition's marks the partition's offset: kw_kafka_off_kind). An error
 * code is a partition's when it follows the partition index in the same struct, as it does in
 * every response that carries offsets, or when the schema marks it as coming before the index
 * (KW_KAFKA_FF_PART_NEXT: Metadata, DescribeTopicPartitions, OffsetForLeaderEpoch) */
#define KW_KAFKA_EV_TOP_ERROR   0x100000

/* What a kw_kafka_ev_offset is, for consumer lag. */
enum kw_kafka_off_kind {
	KW_KAFKA_OFF_HWM = 1,   /* Fetch response high_watermark */
	KW_KAFKA_OFF_COMMITTED, /* OffsetCommit request committed_offset */
	KW_KAFKA_OFF_FETCH,     /* Fetch request fetch_offset */
	KW_KAFKA_OFF_COMMITTED_READ, /* OffsetFetch response committed_offset (-1: none) */
	KW_KAFKA_OFF_FETCHED,   /* a Fetch request's fetch_offset moved past the records its
				 * response returned for the partition */
	KW_KAFKA_OFF_TXN_COMMITTED, /* TxnOffsetCommit request committed_offset: a commit once
				     * its transaction commits (EndTxn) */
	KW_KAFKA_OFF_PRODUCED,  /* Produce request: offsets the partition's batches take */
	KW_KAFKA_OFF_LOG_END,   /* that, answered: the response's base_offset + the offsets, the
				 * partition's log end after the append */
	KW_KAFKA_OFF_LIST_LATEST, /* ListOffsets request for the latest offset (timestamp -1),
				   * read_uncommitted: answered, it becomes HWM */
	KW_KAFKA_OFF_LIST_STABLE, /* the same with read_committed: answered, LAST_STABLE */
	KW_KAFKA_OFF_LAST_STABLE, /* ListOffsets response: the last stable offset, at most the
				   * high watermark */
	KW_KAFKA_OFF_COMMIT_DELETE, /* OffsetDelete request: a partition whose commit the group
				     * deletes (offset -1) */
	KW_KAFKA_OFF_COMMIT_FAILED, /* a COMMITTED or TXN_COMMITTED offset whose partition the
				     * response answered with an error: not committed */
	KW_KAFKA_OFF_READ_FAILED,   /* a COMMITTED_READ whose partition the response answered
				     * with an error: the group's commit of it is not known */
	KW_KAFKA_OFF_DELETE_FAILED, /* a COMMIT_DELETE whose partition the response answered with
				     * an error: not deleted */
	KW_KAFKA_OFF_FETCH_FAILED,  /* a FETCH whose partition the response answered with an
				     * error (not the leader, out of range): no position */
};

/*
 * One partition offset. topic is an index into ev.topics[], or (0x80 | index) into
 * ev.topic_ids[] when the enclosing topic is named by id (Fetch v13+). An offset whose topic
 * was not kept (more than KW_KAFKA_EV_TOPICS) is dropped, not reported with a wrong topic.
 * group is an index into ev.groups[]: the group the response answered it under (OffsetFetch
 * v8+ answers for several groups at once); KW_KAFKA_GROUP_NONE when the response names no
 * group for it (the pair's group_id is the request's), or named one not kept.
 */
struct kw_kafka_ev_offset {
	uint8_t kind;      /* enum kw_kafka_off_kind */
	uint8_t topic;
	uint8_t group;
	int32_t partition;
	int64_t offset;
};

#define KW_KAFKA_GROUP_NONE 0xff

/*
 * One records field (a partition's record set, Produce request or Fetch response): where its
 * bytes lie in the stream of its direction. topic is a ref as in kw_kafka_ev_offset (0xff: the
 * enclosing topic was not kept).
 */
struct kw_kafka_ev_rfield {
	uint64_t off;      /* stream offset of the field's first byte (after its length) */
	uint32_t len;      /* bytes */
	uint8_t dir;       /* 0 request, 1 response */
	uint8_t topic;
	int32_t partition; /* -1 when the enclosing partition index is unknown */
};

/* A partition index and its enclosing topic, a ref as in kw_kafka_ev_offset (0xff: not kept). */
struct kw_kafka_ev_part {
	uint8_t topic;
	int32_t partition;
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
	uint32_t topic_id_count; /* topic ids seen: max(request, response) */
	uint32_t partition_count; /* partition entries seen: max(request, response) */
	uint32_t error_count;  /* non-zero error codes seen */
	uint8_t n_topics;      /* valid entries of topics[] */
	uint8_t n_topic_ids;
	uint8_t n_errors;
	/* Counts of offsets[] and rfields[], kept with the other scalars: a reset or a fill then
	 * writes no line of those lists. */
	uint8_t n_offsets;
	uint8_t n_rfields;
	uint8_t n_broker_ids;  /* valid entries of broker_ids[] */
	uint8_t n_parts;       /* valid entries of parts[] */
	uint8_t n_groups;      /* valid entries of groups[] */
	uint8_t groups_failed; /* bit i: a non-zero error code was answered under groups[i] */
	int16_t acks;          /* Produce only, else 0 */
	int16_t errors[KW_KAFKA_EV_ERRORS];
	int32_t throttle_ms;   /* -1 when the response has none */
	uint64_t throttle_off; /* stream offset (dir 1) of the throttle field */
	int64_t producer_id;   /* -1 when none */
	struct kw_kafka_records_sum records; /* of the request (Produce) or response (Fetch) */
	/*
	 * Every distinct partition index with its topic: the request's first, in the order seen.
	 * Right after the scalars, whose last line the first entries share.
	 */
	struct kw_kafka_ev_part parts[KW_KAFKA_EV_PARTS];
	struct kw_kafka_str topics[KW_KAFKA_EV_TOPICS];
	uint8_t topic_ids[KW_KAFKA_EV_TOPIC_IDS][16];
	/* Request offsets (Fetch, OffsetCommit) first, then response offsets (Fetch HWM). */
	struct kw_kafka_ev_offset offsets[KW_KAFKA_EV_OFFSETS];
	/* Non-empty records fields: the request's first, then the response's. */
	struct kw_kafka_ev_rfield rfields[KW_KAFKA_EV_RFIELDS];
	/*
	 * Every distinct broker id (a field whose spec entityType is brokerId: node ids, leaders,
	 * replicas, coordinators, the broker a request comes from), the request's first, in the
	 * order seen. Negative values (-1: none, no leader) are not ids and are not kept.
	 */
	int32_t broker_ids[KW_KAFKA_EV_BROKERS];
	/*
	 * The group ids of the response, in the order named (OffsetFetch v8+, DeleteGroups,
	 * DescribeGroups, ...): the scope of its offsets' group refs and of groups_failed. A
	 * request's group is group_id (the last one it names).
	 */
	struct kw_kafka_str groups[KW_KAFKA_EV_GROUPS];
};
_Static_assert(KW_KAFKA_EV_GROUPS <= 8, "groups_failed is a uint8_t bitmask");

/* Entries a list of an event holds for a count of n (counts go past max: they count all seen). */
static inline unsigned int
kw_kafka_ev_list_n(unsigned int n, unsigned int max)
{
	return n < max ? n : max;
}

/* The group id offset e of ev was answered under, or NULL when its response named none kept. */
static inline const struct kw_kafka_str *
kw_kafka_ev_offset_group(const struct kw_kafka_event *ev, const struct kw_kafka_ev_offset *e)
{
	return e->group < kw_kafka_ev_list_n(ev->n_groups, KW_KAFKA_EV_GROUPS) ? &ev->groups[e->group]
									      : NULL;
}

/*
 * Per-ctx counters, declared once: X(name, help) generates the struct fields, enum
 * kw_kafka_ctr_id and the name/help arrays that telemetry and the report print. Plain increments
 * by the owning worker, read by whoever sums them (kw_kafka_counters_add).
 */
#define KW_KAFKA_COUNTERS(X)                                                                       \
	X(frames_req, "complete request frames (client to broker)")                                \
	X(frames_resp, "complete response frames (broker to client)")                              \
	X(bytes_req, "bytes fed client to broker (bytes)")                                         \
	X(bytes_resp, "bytes fed broker to client (bytes)")                                        \
	X(frame_size_bad, "negative or > max_frame frame sizes: the direction went opaque")        \
	X(frame_malformed, "bodies that did not decode: rest of the frame skipped")                \
	X(frame_trailing, "frames with bytes left after a decoded body (skipped)")                 \
	X(frame_truncated, "frames cut by a reassembly gap")                                       \
	X(header_bad, "request headers that did not decode")                                       \
	X(api_unknown, "requests with an unknown api key (frame skipped)")                         \
	X(version_unknown, "requests with a version outside the valid range (frame skipped)")      \
	X(resp_unmatched, "responses whose correlation id is not pending")                         \
	X(latency_clock_back, "responses timed before their request (clock went back): no latency")\
	X(pending_evicted, "requests dropped because the pending table was full (oldest first)")   \
	X(depth_exceeded, "bodies nesting beyond KW_KAFKA_STACK_MAX")                              \
	X(tagged_skipped, "tagged fields skipped")                                                 \
	X(tagged_too_many, "tagged sections with more than KW_KAFKA_TAGS_MAX fields")              \
	X(gaps, "directions broken by a reassembly gap")                                           \
	X(opaque_bytes, "bytes seen while a direction was opaque (bytes)")                         \
	X(conn_alloc_fail, "connections not decoded because the pool was empty")                   \
	X(events, "request/response events emitted")                                               \
	X(events_unanswered, "events of requests that got no response")                            \
	X(records_batches, "magic 2 record batches whose header was complete")                     \
	X(records_crc_bad, "complete record batches whose CRC32C did not match")                   \
	X(records_partial, "record batches cut short by the end of their field (normal in Fetch)") \
	X(records_legacy, "legacy messages (magic 0 or 1)")                                        \
	X(records_malformed, "record sets with a bad magic, length or record framing")             \
	X(sasl_users, "usernames extracted (SaslAuthenticate or raw v0 token)")                    \
	X(sasl_raw_tokens, "raw SASL frames after a SaslHandshake v0")                             \
	X(sasl_raw_opaque, "v0 SASL with an unknown token count: the connection went opaque")      \
	X(offsets_dropped, "partition offsets not kept: out of window, topic not kept, no slot")   \
	X(rfields_dropped, "records field boundaries not kept: event full or no pending slot")     \
	X(parts_dropped, "partition indexes not kept: event full or no pending slot")             \
	X(resync_started, "directions picked up mid-stream and put in resync")                     \
	X(resync_ok, "resyncing directions that found a plausible frame start")                    \
	X(resync_false, "plausible request starts refuted by their frame not decoding")            \
	X(resync_failed, "resyncing directions without a frame start within the bound (opaque)")   \
	X(resync_skipped_bytes, "bytes skipped while resyncing (bytes)")                           \
	X(events_parked_conn, "frames spanning feeds built in their connection: the ctx's pool "   \
			      "of KW_KAFKA_PARK_MAX was taken")

#define KW_KAFKA_CTR_FIELD(name, help) uint64_t name;
struct kw_kafka_counters {
	KW_KAFKA_COUNTERS(KW_KAFKA_CTR_FIELD)
	/* Per api key x version; not part of the table (they are not scalars). */
	uint64_t req_count[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
	uint64_t req_bytes[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
	uint64_t resp_count[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
	uint64_t resp_bytes[KW_KAFKA_API_MAX_KEY + 1][KW_KAFKA_MAX_VERSION + 1];
};
#undef KW_KAFKA_CTR_FIELD

#define KW_KAFKA_CTR_ENUM(name, help) KW_KAFKA_CTR_##name,
/* clang-format off */
enum kw_kafka_ctr_id {
	KW_KAFKA_COUNTERS(KW_KAFKA_CTR_ENUM)
	KW_KAFKA_CTR_COUNT
};
/* clang-format on */
#undef KW_KAFKA_CTR_ENUM

/* Names and help strings indexed by enum kw_kafka_ctr_id (struct field order). */
extern const char *const kw_kafka_ctr_names[KW_KAFKA_CTR_COUNT];
extern const char *const kw_kafka_ctr_help[KW_KAFKA_CTR_COUNT];

/* The scalar counter id of c (the table's fields are consecutive uint64_t from the start). */
static inline uint64_t
kw_kafka_ctr_get(const struct kw_kafka_counters *c, enum kw_kafka_ctr_id id)
{
	return ((const uint64_t *)c)[id];
}

/* dst += src, every counter including the per api-key x version arrays; any thread. */
void kw_kafka_counters_add(struct kw_kafka_counters *dst, const struct kw_kafka_counters *src);

/* Identity learned on a connection (never a password or a proof). */
struct kw_kafka_ident {
	struct kw_kafka_str client_id;        /* last request header client id */
	struct kw_kafka_str sw_name;          /* ApiVersions v3+ ClientSoftwareName */
	struct kw_kafka_str sw_version;       /* ApiVersions v3+ ClientSoftwareVersion */
	struct kw_kafka_str mechanism;        /* SaslHandshake Mechanism */
	struct kw_kafka_str user;             /* SASL PLAIN authcid or SCRAM n= */
	struct kw_kafka_str txn_id;           /* last transactional id */
};

/* The strings of a kw_kafka_ident, for kw_kafka_conn_id. */
enum kw_kafka_id {
	KW_KAFKA_ID_CLIENT_ID = 0,
	KW_KAFKA_ID_SW_NAME,
	KW_KAFKA_ID_SW_VERSION,
	KW_KAFKA_ID_MECHANISM,
	KW_KAFKA_ID_USER,
	KW_KAFKA_ID_TXN_ID,
	KW_KAFKA_ID_N,
};

struct kw_kafka_ctx;
struct kw_kafka_conn;

typedef void (*kw_kafka_emit_fn)(void *arg, const struct kw_kafka_event *ev);

/*
 * Where a record reported by the record hook sits: the direction, the event being decoded (api,
 * version, correlation id; topics kept so far) and the enclosing topic and partition.
 */
struct kw_kafka_record_where {
	unsigned int dir;                 /* 0 request (Produce), 1 response (Fetch, ...) */
	const struct kw_kafka_event *ev;  /* valid for the call only */
	const struct kw_kafka_str *topic; /* enclosing topic by name, NULL if unknown or by id */
	const uint8_t *topic_id;          /* enclosing topic by id (16 bytes), else NULL */
	int32_t partition;                /* enclosing partition index, -1 if unknown */
};

typedef void (*kw_kafka_record_hook_fn)(void *arg, const struct kw_kafka_record_where *where,
					const struct kw_kafka_record *rec);

/* Create a worker's ctx with its conn pool on socket; NULL on bad params or no memory. */
struct kw_kafka_ctx *kw_kafka_ctx_create(const struct kw_kafka_params *params, int socket,
					 kw_kafka_emit_fn emit, void *emit_arg);
void kw_kafka_ctx_destroy(struct kw_kafka_ctx *ctx);
const struct kw_kafka_counters *kw_kafka_ctx_counters(const struct kw_kafka_ctx *ctx);
/*
 * Report every well-formed record of the uncompressed batches of every records field decoded
 * from now on to fn (NULL: off, the default; records are then only counted, which is cheaper).
 * Called on the worker, from inside kw_kafka_conn_feed. Set it at init.
 */
void kw_kafka_ctx_set_record_hook(struct kw_kafka_ctx *ctx, kw_kafka_record_hook_fn fn,
				  void *arg);

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
/*
 * Put direction dir in resync: its next bytes start somewhere inside a frame (the TCP layer
 * picked the flow up mid-stream). Every position is tested (a window of under 16 bytes carries
 * over between pieces) and decoding starts at the first trusted frame start. A request start
 * (dir 0) is a size in 10..max_frame, a known api key, a version valid for it and a client id
 * length of -1 or 0..min(1024, size - 10); it is trusted once the next plausible start sits
 * exactly where its frame ends, so the first whole request is skipped. A response start (dir 1)
 * is only looked for once dir 0 decodes and has pending requests: a size in 4..max_frame and the
 * correlation id of a pending request. Policy: params.resync_max positions tested without one
 * send the direction opaque (resync_failed). Call it before the direction's first feed; later,
 * it drops the frame in progress.
 */
void kw_kafka_conn_resync(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir);
/* Direction dir lost bytes: it goes opaque for the rest of the flow (counted). */
void kw_kafka_conn_gap(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir);
/* Bytes kw_kafka_req_start_plausible reads: size, api key, version, correlation id, client id
 * length. */
#define KW_KAFKA_REQ_START_LEN 14
/*
 * Could h (KW_KAFKA_REQ_START_LEN bytes) start a request frame? A size in 10..max_frame, an api
 * key the specs know, a version valid for it and a client id length of -1 or
 * 0..min(1024, size - 10). The one test behind mid-stream resync and protocol detection.
 */
bool kw_kafka_req_start_plausible(const uint8_t *h, uint32_t max_frame);
/*
 * One string of what the conn learned about its client: empty when it has not seen it. Only the
 * strings seen are read (each is a cache line of its own with 10k connections).
 */
const struct kw_kafka_str *kw_kafka_conn_id(const struct kw_kafka_conn *conn,
					    enum kw_kafka_id which);
/* All of them. */
void kw_kafka_conn_ident(const struct kw_kafka_conn *conn, struct kw_kafka_ident *id);
/*
 * Start loading the state a feed of len bytes in direction dir touches first, a few feeds ahead
 * of it; reads the connection's first line (prefetch that earlier still) and, when pay is not
 * NULL, the feed's first 6 bytes, to leave out lines its request cannot touch.
 */
void kw_kafka_conn_prefetch(const struct kw_kafka_conn *conn, unsigned int dir, const uint8_t *pay,
			    uint32_t len);

#endif /* KW_KAFKA_CONN_H */
