/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kafka stream decoder internals: the per-direction resumable state machine (framing, request
 * and response headers, the schema-driven body walk), the pending-request table and the ctx.
 *
 * Private to dataplane/kafka (and its tests). Used by the worker that owns the connection.
 * The state never points into input: a primitive that straddles segments is gathered into buf
 * (16 bytes), strings we extract into one bounded kw_kafka_str, everything else is skipped; a
 * resyncing direction carries the tail of a piece that might start a frame in win (16 bytes).
 */
#ifndef KW_KAFKA_DECODE_H
#define KW_KAFKA_DECODE_H

#include <stdint.h>

#include <rte_common.h>

#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/kafka/kafka_records.h"
#include "dataplane/kafka/kafka_schema.h"

_Static_assert(KW_KAFKA_DETAIL_MAX <= 8, "detail_used is a uint8_t bitmask");
_Static_assert(KW_KAFKA_SCHEMA_MAX_DEPTH <= KW_KAFKA_STACK_MAX,
	       "the schema nests deeper than the walker stack");

/* One struct level being walked. */
struct kw_kafka_wframe {
	uint32_t elems;    /* elements left of the array at field i, when in_array */
	uint16_t first;    /* fields kw_kafka_fields[first .. first + n) */
	uint8_t n;
	uint8_t i;         /* current field */
	uint8_t in_array;
};

/*
 * What every frame reads and writes comes first: the head and the walker's first three levels
 * (most bodies nest no deeper) fill two cache lines, which is all a frame whole in one segment
 * touches here besides a capture and the record-set state. Resync, SASL and ListOffsets state
 * follows the stack (the offset-window rotation is in the conn's first line).
 */
struct kw_kafka_dir {
	uint64_t pos;        /* stream offset of the next byte (in run(): of the piece's first) */
	uint64_t frame_off;  /* stream offset of the current frame's size field */
	const struct kw_kafka_field *f; /* field whose value is pending */
	const struct kw_kafka_api *api;
	uint32_t left;       /* bytes left of the current skip / capture / records op (within
			      * the frame: at most frame_left when set) */
	uint32_t frame_len;  /* size field value */
	uint32_t frame_left; /* bytes of the frame not consumed yet */
	uint32_t topics;     /* topic names seen in this frame */
	uint32_t partitions; /* partition entries seen in this frame */
	uint32_t topic_ids;  /* topic ids seen in this frame */
	int32_t corr;
	int32_t cur_part;
	int16_t api_key;
	int16_t version;
	uint16_t off_seen;   /* partition offsets seen in this frame */
	uint8_t mode;        /* M_* */
	uint8_t k;           /* what the pending op's value means (K_*) */
	uint8_t op;          /* OP_* */
	uint8_t need;        /* OP_FIXED width, OP_UVAR max bytes */
	uint8_t have;        /* bytes gathered in buf */
	uint8_t flex;        /* body in a flexible version */
	uint8_t depth;
	uint8_t bad;         /* body failed to decode */
	uint8_t opaque;      /* unknown api or version: body skipped */
	uint8_t matched;     /* response: a pending request was found */
	uint8_t tag_after;   /* what follows the tagged section */
	uint8_t tags_left;   /* fields left in the current tagged section (<= KW_KAFKA_TAGS_MAX) */
	uint8_t cur_topic;   /* topic ref (kw_kafka_ev_offset.topic) of the enclosing topic */
	uint8_t cur_group;   /* response: group ref (kw_kafka_ev_offset.group) of the group id */
	uint8_t group_depth; /* named in the struct at this depth: valid while the walk is in it */
	uint8_t err_depth;   /* a non-zero error code came first in the struct at this depth, or 0 */
	uint8_t align;       /* Metadata response: topic_ids[i] follows topics[i] */
	uint8_t raw_left;    /* raw SASL frames still expected after a SaslHandshake v0 */
	uint8_t raw;         /* the current frame is a raw SASL token */
	uint8_t probation;   /* dir 0: first frame after a resync; a decode error refutes it */
	/* the depth of the struct that named cur_part, the enclosing partition index (an error
	 * code there is its own), or 0 before the frame's first */
	uint8_t part_depth;
	struct kw_kafka_wframe stack[KW_KAFKA_STACK_MAX];
	/* touched by few frames, each written before it is read: a conn reset leaves them */
	uint32_t rs_scanned; /* resync: candidate positions rejected so far */
	uint8_t auth_kind;   /* OP_AUTH: 0 skip, 1 PLAIN, 2 SCRAM */
	uint8_t auth_st;
	uint8_t raw_user;    /* dir 0: the next raw token is the first, scan it for the user */
	uint8_t win_n;       /* bytes in win */
	uint8_t cand_n;      /* entries of cand_end */
	uint8_t isolation;   /* ListOffsets request v2+: its isolation level (read from v2 on) */
	/*
	 * Read only below their counts (depth, have, win_n, cand_n) or after their begin: a conn
	 * reset leaves them as they are, which keeps it to the head's two cache lines. A frame
	 * whole in one segment touches a capture and the record-set state (the lines
	 * kw_kafka_conn_prefetch pulls in); buf only when a value straddles segments, win and
	 * cand_end only while resyncing.
	 */
	struct kw_kafka_str tmp;        /* capture in progress */
	struct kw_kafka_records rs;
	uint8_t buf[16];
	uint8_t win[16];     /* resync: bytes carried to the next piece (fewer than a header) */
	uint64_t cand_end[4]; /* resync: stream offsets where request starts' frames end */
} __rte_cache_aligned;
/* the head and stack[0..2] in the first two lines */
_Static_assert(offsetof(struct kw_kafka_dir, stack[3]) <= 2 * RTE_CACHE_LINE_SIZE,
	       "kw_kafka_dir's hot head grew past two cache lines");

/* Bytes of a detail slot's lists at their longest (each name packed to its NUL; a short one's
 * head copy may write up to KW_KAFKA_STR_HEAD bytes, within what a longest name takes). */
#define KW_KAFKA_DETAIL_BYTES                                                                      \
	(KW_KAFKA_EV_TOPICS * sizeof(struct kw_kafka_str) + KW_KAFKA_EV_TOPIC_IDS * 16 +          \
	 KW_KAFKA_EV_OFFSETS * sizeof(struct kw_kafka_ev_offset) +                                 \
	 KW_KAFKA_EV_RFIELDS * sizeof(struct kw_kafka_ev_rfield) +                                 \
	 KW_KAFKA_EV_PARTS * sizeof(struct kw_kafka_ev_part))

/*
 * All topics, offsets, records fields and partition indexes of a request that carries any of the
 * last three (Produce, Fetch, OffsetCommit, ListOffsets, ...): kept in one of KW_KAFKA_DETAIL_MAX
 * slots per conn, not in every pending entry, to bound the conn's size. The lists are packed
 * back to back in b (names to their NUL, entries as in the event), so that a request's few
 * entries take the slot's first line or two, not a line per list.
 */
struct kw_kafka_detail {
	uint8_t n_topics;
	uint8_t n_topic_ids;
	uint8_t n_offsets;
	uint8_t n_rfields;
	uint8_t n_parts;
	uint8_t b[KW_KAFKA_DETAIL_BYTES]; /* topics, topic ids, offsets, rfields, parts */
};

/* kw_kafka_pending.kept: which of the lines after the scalars' an entry holds */
#define KW_KAFKA_PEND_RECORDS 0x1u /* records: the request had a records field */
#define KW_KAFKA_PEND_TOPIC0  0x2u /* topic0: it named a topic and keeps no detail */
#define KW_KAFKA_PEND_GROUP   0x4u /* group_id: it named a group (or a null one) */

/* What a request leaves behind until its response arrives. */
struct kw_kafka_pending {
	uint8_t used;
	uint8_t kept;        /* KW_KAFKA_PEND_*: the rest is the reset value, not written */
	uint8_t detail;      /* 1 + index into conn->detail, or 0 */
	uint8_t n_broker_ids; /* the request's: most carry none */
	int16_t api_key;
	int16_t api_version;
	int16_t acks;
	int32_t corr_id;
	uint32_t flags;
	uint32_t req_len;
	uint32_t topic_count;
	uint32_t topic_id_count;
	uint32_t partition_count;
	uint64_t req_off;
	uint64_t t_req;
	int64_t producer_id;
	/* after the scalars' line, each written and read only when kept: a request without
	 * records, group or topic of its own touches one line of its entry */
	struct kw_kafka_records_sum records;
	struct kw_kafka_str topic0;
	struct kw_kafka_str group_id;
	int32_t broker_ids[KW_KAFKA_EV_BROKERS]; /* read and written only below the count */
} __rte_cache_aligned;

struct kw_kafka_conn {
	struct kw_kafka_conn *next_free;
	uint8_t in_use;
	uint8_t pend_head;
	uint8_t pend_n;
	uint8_t detail_used; /* bit i: detail[i] belongs to a pending request */
	uint8_t id_set;      /* bit KW_KAFKA_ID_*: that string of id was written since the reset */
	uint8_t emitted;     /* EMITTED_*: the pairs emitted since the reset (KW_KAFKA_EV_*_FIRST) */
	/* bit KW_KAFKA_ID_*: written since dir 0's frame on probation began (read if refuted) */
	uint8_t id_probation;
	/* per direction, the first of a frame's offsets kept: Fetch, then commits (offset_add) */
	uint16_t off_rot[2][2];
	/* per direction, the event of the frame that spans feeds (M_FRAME between feeds): a
	 * slot of the ctx's pool, or ev[] when the pool was taken; NULL between frames */
	struct kw_kafka_event *park[2];
	struct kw_kafka_ident id;
	struct kw_kafka_dir dir[2];
	struct kw_kafka_event ev[2]; /* park[]'s fallback: a miss on each line it writes */
	struct kw_kafka_pending pend[KW_KAFKA_INFLIGHT_MAX];
	struct kw_kafka_detail detail[KW_KAFKA_DETAIL_MAX];
};

struct kw_kafka_ctx {
	struct kw_kafka_counters cnt;
	struct kw_kafka_params params;
	kw_kafka_emit_fn emit;
	void *emit_arg;
	uint64_t now;                 /* TSC of the feed in progress */
	struct kw_kafka_event *ev;    /* the event of the frame being fed: &work or a parked one */
	struct kw_kafka_event work;   /* events of frames whole in the feed that starts them */
	struct kw_kafka_event scratch; /* for unanswered requests */
	/*
	 * Events of frames that span feeds, most recently freed first: with one connection at a
	 * time in the middle of a frame (a client's segments come in a burst), the slot it takes
	 * is still in cache, where conn->ev[] missed on every line written.
	 */
	struct kw_kafka_event *park_free[KW_KAFKA_PARK_MAX];
	unsigned int park_n; /* free slots: park_free[0 .. park_n) */
	struct kw_kafka_event park[KW_KAFKA_PARK_MAX];
	kw_kafka_record_hook_fn rec_fn; /* NULL: records are counted, not reported */
	void *rec_arg;
	struct kw_kafka_conn *feed_conn; /* the conn and direction of the feed in progress */
	unsigned int feed_dir;
	struct kw_kafka_conn *free_list;
	struct kw_kafka_conn *pool;
	uint32_t n_conns;
};

/* Reset a conn to its just-allocated state. */
void kw_kafka_conn_reset(struct kw_kafka_conn *conn);
/* Emit every pending request of conn as unanswered. */
void kw_kafka_conn_flush(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn);
/* Give conn's parked events back to the ctx's pool (the conn is being freed). */
void kw_kafka_conn_unpark(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn);

/*
 * FNV-1a (32 bits) of the step table kafka_body.inc was generated from: its fields in
 * declaration order, a byte each, sub and size low byte first. Both files come from one run of
 * scripts/gen-kafka-schema.py; the tests compare this with kw_kafka_steps, so that bodies decoded
 * against another table's step indexes cannot go unnoticed.
 */
extern const uint32_t kw_kafka_body_steps_fnv;

#endif /* KW_KAFKA_DECODE_H */
