/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming Kafka decoder. Each direction is a resumable machine: an "op" asks for bytes (a fixed
 * integer, a varint, a run to skip, capture, scan or hand to the record parser); when it is
 * satisfied, advance() interprets the value through the continuation k and walk() sets the next
 * op from the field program of (api key, version). Zero-length runs never become ops, so a frame
 * that ends exactly at a field boundary has always walked to its end.
 *
 * Fast path: walk() reads whatever lies whole in the current piece in place (values, lengths,
 * strings, empty tagged sections) and skips whole what holds nothing to extract (the schema's
 * KW_KAFKA_FF_EXTRACT); only values that straddle segments, and anything unusual, go through
 * ops. Measured with callgrind on perf/kwgen kafka --connections 1000 --produce 1 --fetch 1:
 * kw_kafka_conn_feed went from ~3,500 to ~1,400 instructions per packet; walking the generator's
 * per-version step programs (kw_kafka_steps: no version checks, fixed skips merged) and reading
 * record lengths in place brought it to ~1,170; request headers read field after field in place
 * and fixed-width values read inline in the walk, to ~1,080; events filled without a reset that
 * is then overwritten, and names copied up to their NUL rather than whole, to ~1,075; the walk's
 * top stack frame kept in locals, to ~1,018.
 */
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "dataplane/kafka/kafka_decode.h"
#include "dataplane/kafka/kafka_prim.h"

enum { M_SIZE = 0, M_FRAME, M_OPAQUE, M_RESYNC };
/* OP_REFUTED: no op, the frame on probation was refuted: run() stops, frames_feed() hands its
 * bytes back to resync (resync_refuted) */
enum { OP_NONE = 0, OP_FIXED, OP_UVAR, OP_SKIP, OP_CAPTURE, OP_RECORDS, OP_AUTH, OP_REFUTED };
enum {
	K_SIZE = 0,
	K_REQ_KEY, K_REQ_VER, K_REQ_CORR, K_REQ_CID_LEN, K_REQ_CID,
	K_RESP_CORR,
	K_TAG_COUNT, K_TAG_ID, K_TAG_SIZE, K_TAG_DATA,
	K_ARRAY_LEN, K_STRUCT_NULL, K_VALUE, K_STR_LEN, K_STR_DATA, K_BYTES_LEN, K_BYTES_DATA,
	K_DONE,     /* body walked; the frame ends here */
	K_REST,     /* skipping the rest of the frame (bad, opaque, trailing or unmatched) */
};
enum { AFTER_HDR = 0, AFTER_STRUCT };

#define TOPIC_NONE 0xff /* cur_topic: the enclosing topic was not kept (or there is none) */
#define LIST_LATEST (-1) /* ListOffsets timestamp: the latest offset */
#define TOPIC_BY_ID 0x80

/* Encoded width of the fixed-width types; 0 for the variable ones (strings, bytes, structs) and
 * for SKIP steps, whose width is their size. */
static const uint8_t fixed_width[KW_KAFKA_T_SKIP + 1] = {
	[KW_KAFKA_T_INT8] = 1, [KW_KAFKA_T_INT16] = 2, [KW_KAFKA_T_UINT16] = 2,
	[KW_KAFKA_T_INT32] = 4, [KW_KAFKA_T_UINT32] = 4, [KW_KAFKA_T_INT64] = 8,
	[KW_KAFKA_T_FLOAT64] = 8, [KW_KAFKA_T_BOOL] = 1, [KW_KAFKA_T_UUID] = 16,
};

static inline bool
in_range(unsigned int v, uint8_t lo, uint8_t hi)
{
	return lo != KW_KAFKA_VER_OPEN && v >= lo && (hi == KW_KAFKA_VER_OPEN || v <= hi);
}

/* ---- the conn's identity: a string is valid once its id_set bit is ---- */

static const size_t id_off[KW_KAFKA_ID_N] = {
	[KW_KAFKA_ID_CLIENT_ID] = offsetof(struct kw_kafka_ident, client_id),
	[KW_KAFKA_ID_SW_NAME] = offsetof(struct kw_kafka_ident, sw_name),
	[KW_KAFKA_ID_SW_VERSION] = offsetof(struct kw_kafka_ident, sw_version),
	[KW_KAFKA_ID_MECHANISM] = offsetof(struct kw_kafka_ident, mechanism),
	[KW_KAFKA_ID_USER] = offsetof(struct kw_kafka_ident, user),
	[KW_KAFKA_ID_TXN_ID] = offsetof(struct kw_kafka_ident, txn_id),
};

static const struct kw_kafka_str id_empty;

const struct kw_kafka_str *
kw_kafka_conn_id(const struct kw_kafka_conn *conn, enum kw_kafka_id which)
{
	if (!(conn->id_set & (1u << which)))
		return &id_empty;
	return (const struct kw_kafka_str *)((const char *)&conn->id + id_off[which]);
}

/*
 * A string value as decoded: the bytes kept (at most KW_KAFKA_NAME_MAX - 1), where they lie (in
 * the frame when the value was whole in a piece, else in d->tmp), whether the field was longer,
 * and whether it was null. Names are copied from these bytes. Copied from a d->tmp just
 * captured, a name's head was read with a 16-byte load over the capture's smaller stores, which
 * cannot take its bytes from them: it waited until every older store had reached the cache,
 * misses included (a Produce request's topic: 85% of the samples of its body's walker).
 */
struct str_val {
	const char *p;
	uint8_t len;
	uint8_t trunc;
	uint8_t null;
};

/* The value of a string field of n bytes (-1: null) whole at p, kept as capture() keeps it. */
static inline struct str_val
val_at(const uint8_t *p, int64_t n)
{
	const int64_t max = KW_KAFKA_NAME_MAX - 1;

	return (struct str_val){.p = (const char *)p,
				.len = (uint8_t)(n < 0 ? 0 : n > max ? max : n),
				.trunc = n > max,
				.null = n < 0};
}

/* The value captured in d->tmp, piece by piece. */
static inline struct str_val
val_tmp(const struct kw_kafka_dir *d)
{
	return (struct str_val){
		.p = d->tmp.s, .len = d->tmp.len, .trunc = d->tmp.trunc, .null = d->tmp.null};
}

/* dst = v. Out of line for the reason capture() is: the copy of at most 63 bytes. */
static __rte_noinline void
str_set(struct kw_kafka_str *dst, const struct str_val *v)
{
	dst->len = v->len;
	dst->trunc = v->trunc;
	dst->null = v->null;
	memcpy(dst->s, v->p, v->len);
	dst->s[v->len] = '\0';
}

static void
id_put(struct kw_kafka_conn *conn, enum kw_kafka_id which, const struct str_val *v)
{
	str_set((struct kw_kafka_str *)((char *)&conn->id + id_off[which]), v);
	conn->id_set |= (uint8_t)(1u << which);
	conn->id_probation |= (uint8_t)(1u << which);
}

/*
 * dst = src, but only the bytes that hold the value: the header, s up to its NUL. The first
 * STR_HEAD bytes go in one fixed-size move (most names are short), the rest only when there is
 * more; a whole-struct assignment would move all KW_KAFKA_NAME_MAX bytes of s every time.
 */
static void
ev_reset(struct kw_kafka_event *ev)
{
	ev->api_name = NULL;
	ev->api_key = -1;
	ev->api_version = -1;
	ev->corr_id = 0;
	ev->flags = 0;
	ev->req_off = ev->resp_off = 0;
	ev->req_len = ev->resp_len = 0;
	ev->t_req = ev->latency_tsc = 0;
	kw_kafka_str_clear(&ev->client_id);
	kw_kafka_str_clear(&ev->group_id);
	kw_kafka_str_clear(&ev->txn_id);
	ev->topic_count = ev->topic_id_count = ev->partition_count = ev->error_count = 0;
	ev->n_topics = ev->n_topic_ids = ev->n_errors = 0;
	ev->acks = 0;
	ev->throttle_ms = -1;
	ev->throttle_off = 0;
	ev->producer_id = -1;
	ev->n_offsets = 0;
	ev->n_rfields = 0;
	ev->n_broker_ids = 0;
	ev->n_parts = 0;
	ev->n_groups = 0;
	ev->groups_failed = 0;
	kw_kafka_records_sum_init(&ev->records);
}

/*
 * dst's topic names, topic ids, partition offsets, records fields and partition entries = src's,
 * as far as their counts go (element by element: the lists are short, a call to memcpy costs
 * more).
 */
static void
lists_copy(struct kw_kafka_event *dst, const struct kw_kafka_event *src)
{
	unsigned int i, n = kw_kafka_ev_list_n(src->n_topics, KW_KAFKA_EV_TOPICS);

	dst->n_topics = src->n_topics;
	for (i = 0; i < n; i++)
		kw_kafka_str_copy(&dst->topics[i], &src->topics[i]);
	dst->n_topic_ids = src->n_topic_ids;
	n = kw_kafka_ev_list_n(src->n_topic_ids, KW_KAFKA_EV_TOPIC_IDS);
	for (i = 0; i < n; i++)
		memcpy(dst->topic_ids[i], src->topic_ids[i], 16);
	dst->n_offsets = src->n_offsets;
	n = kw_kafka_ev_list_n(src->n_offsets, KW_KAFKA_EV_OFFSETS);
	for (i = 0; i < n; i++)
		dst->offsets[i] = src->offsets[i];
	dst->n_rfields = src->n_rfields;
	n = kw_kafka_ev_list_n(src->n_rfields, KW_KAFKA_EV_RFIELDS);
	for (i = 0; i < n; i++)
		dst->rfields[i] = src->rfields[i];
	dst->n_parts = src->n_parts;
	n = kw_kafka_ev_list_n(src->n_parts, KW_KAFKA_EV_PARTS);
	for (i = 0; i < n; i++)
		dst->parts[i] = src->parts[i];
}

/*
 * n entries of size bytes each from src to b, or from b to dst; the byte after them. One entry
 * at a time: inlined with a constant size, each is a few moves (most lists hold one or none),
 * where one copy of n * size would be a call to memcpy.
 */
static inline uint8_t *
list_put(uint8_t *b, const void *src, unsigned int n, size_t size)
{
	for (unsigned int i = 0; i < n; i++)
		memcpy(b + i * size, (const uint8_t *)src + i * size, size);
	return b + n * size;
}

static inline const uint8_t *
list_get(void *dst, const uint8_t *b, unsigned int n, size_t size)
{
	for (unsigned int i = 0; i < n; i++)
		memcpy((uint8_t *)dst + i * size, b + i * size, size);
	return b + n * size;
}

/* A packed name's bytes: its head fields, the name and its NUL. */
static inline size_t
name_bytes(const struct kw_kafka_str *s)
{
	return offsetof(struct kw_kafka_str, s) + s->len + 1;
}

/* dt's lists = ev's, as far as their counts go (struct kw_kafka_detail: packed). */
static void
detail_pack(struct kw_kafka_detail *dt, const struct kw_kafka_event *ev)
{
	unsigned int i, n = kw_kafka_ev_list_n(ev->n_topics, KW_KAFKA_EV_TOPICS);
	uint8_t *b = dt->b;

	dt->n_topics = ev->n_topics;
	dt->n_topic_ids = ev->n_topic_ids;
	dt->n_offsets = ev->n_offsets;
	dt->n_rfields = ev->n_rfields;
	dt->n_parts = ev->n_parts;
	/* a kw_kafka_str is bytes only (alignment 1): a name is packed as it is held, its head
	 * copied whole, which may write past a short one into room the lists after it reuse */
	for (i = 0; i < n; i++) {
		kw_kafka_str_copy((struct kw_kafka_str *)b, &ev->topics[i]);
		b += name_bytes(&ev->topics[i]);
	}
	b = list_put(b, ev->topic_ids, kw_kafka_ev_list_n(ev->n_topic_ids, KW_KAFKA_EV_TOPIC_IDS),
		     sizeof(ev->topic_ids[0]));
	b = list_put(b, ev->offsets, kw_kafka_ev_list_n(ev->n_offsets, KW_KAFKA_EV_OFFSETS),
		     sizeof(ev->offsets[0]));
	b = list_put(b, ev->rfields, kw_kafka_ev_list_n(ev->n_rfields, KW_KAFKA_EV_RFIELDS),
		     sizeof(ev->rfields[0]));
	list_put(b, ev->parts, kw_kafka_ev_list_n(ev->n_parts, KW_KAFKA_EV_PARTS),
		 sizeof(ev->parts[0]));
}

/* ev's lists = dt's (detail_pack's inverse); the same indices, so topic refs stay valid. */
static void
detail_unpack(struct kw_kafka_event *ev, const struct kw_kafka_detail *dt)
{
	unsigned int i, n = kw_kafka_ev_list_n(dt->n_topics, KW_KAFKA_EV_TOPICS);
	const uint8_t *b = dt->b;

	ev->n_topics = dt->n_topics;
	ev->n_topic_ids = dt->n_topic_ids;
	ev->n_offsets = dt->n_offsets;
	ev->n_rfields = dt->n_rfields;
	ev->n_parts = dt->n_parts;
	for (i = 0; i < n; i++) {
		kw_kafka_str_copy(&ev->topics[i], (const struct kw_kafka_str *)b);
		b += name_bytes(&ev->topics[i]);
	}
	b = list_get(ev->topic_ids, b, kw_kafka_ev_list_n(dt->n_topic_ids, KW_KAFKA_EV_TOPIC_IDS),
		     sizeof(ev->topic_ids[0]));
	b = list_get(ev->offsets, b, kw_kafka_ev_list_n(dt->n_offsets, KW_KAFKA_EV_OFFSETS),
		     sizeof(ev->offsets[0]));
	b = list_get(ev->rfields, b, kw_kafka_ev_list_n(dt->n_rfields, KW_KAFKA_EV_RFIELDS),
		     sizeof(ev->rfields[0]));
	list_get(ev->parts, b, kw_kafka_ev_list_n(dt->n_parts, KW_KAFKA_EV_PARTS),
		 sizeof(ev->parts[0]));
}

/* The first n (a count, capped here) of a list of broker ids. */
static inline void
brokers_copy(int32_t *dst, const int32_t *src, unsigned int n)
{
	n = kw_kafka_ev_list_n(n, KW_KAFKA_EV_BROKERS);
	for (unsigned int i = 0; i < n; i++)
		dst[i] = src[i];
}

/*
 * dst = src as far as a reader may look: the head, each string up to its NUL and the counted
 * entries of each list. What is past them in dst keeps whatever it held.
 */
static void
event_copy(struct kw_kafka_event *dst, const struct kw_kafka_event *src)
{
	memcpy(dst, src, offsetof(struct kw_kafka_event, client_id));
	kw_kafka_str_copy(&dst->client_id, &src->client_id);
	kw_kafka_str_copy(&dst->group_id, &src->group_id);
	kw_kafka_str_copy(&dst->txn_id, &src->txn_id);
	/* the scalars between the names and the lists */
	memcpy(&dst->topic_count, &src->topic_count,
	       offsetof(struct kw_kafka_event, parts) -
		       offsetof(struct kw_kafka_event, topic_count));
	lists_copy(dst, src);
	brokers_copy(dst->broker_ids, src->broker_ids, src->n_broker_ids);
	for (unsigned int i = 0; i < kw_kafka_ev_list_n(src->n_groups, KW_KAFKA_EV_GROUPS); i++)
		kw_kafka_str_copy(&dst->groups[i], &src->groups[i]);
}

/* conn->emitted: a pair was emitted, one with the connection's principal, one with its software */
#define EMITTED_ANY       0x1u
#define EMITTED_PRINCIPAL 0x2u
#define EMITTED_SOFTWARE  0x4u

static void
emit(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_event *ev)
{
	unsigned int have = EMITTED_ANY |
			    (conn->id_set & (1u << KW_KAFKA_ID_USER) ? EMITTED_PRINCIPAL : 0) |
			    (conn->id_set & (1u << KW_KAFKA_ID_SW_NAME) ? EMITTED_SOFTWARE : 0);
	unsigned int first = have & ~(unsigned int)conn->emitted;

	if (unlikely(first != 0)) {
		conn->emitted |= (uint8_t)first;
		ev->flags |= (first & EMITTED_ANY ? KW_KAFKA_EV_CONN_FIRST : 0) |
			     (first & EMITTED_PRINCIPAL ? KW_KAFKA_EV_PRINCIPAL_FIRST : 0) |
			     (first & EMITTED_SOFTWARE ? KW_KAFKA_EV_SOFTWARE_FIRST : 0);
	}
	ctx->cnt.events++;
	if (ev->flags & KW_KAFKA_EV_UNANSWERED)
		ctx->cnt.events_unanswered++;
	ctx->cnt.records_batches += ev->records.batches;
	ctx->cnt.records_crc_bad += ev->records.crc_bad;
	ctx->cnt.records_partial += ev->records.partial;
	ctx->cnt.records_legacy += ev->records.legacy;
	ctx->cnt.records_malformed += ev->records.malformed;
	if (ctx->emit)
		ctx->emit(ctx->emit_arg, ev);
}

/* ---- pending requests ---- */

static void
pend_to_ev(const struct kw_kafka_conn *conn, const struct kw_kafka_pending *pd,
	   struct kw_kafka_event *ev)
{
	const struct kw_kafka_api *api = kw_kafka_api_get(pd->api_key);

	/* Every field ev_reset() sets, set once: the request's value or the reset value. */
	ev->api_name = api ? api->name : NULL;
	ev->api_key = pd->api_key;
	ev->api_version = pd->api_version;
	ev->corr_id = pd->corr_id;
	ev->flags = pd->flags;
	ev->req_off = pd->req_off;
	ev->resp_off = 0;
	ev->req_len = pd->req_len;
	ev->resp_len = 0;
	ev->t_req = pd->t_req;
	ev->latency_tsc = 0;
	kw_kafka_str_copy(&ev->client_id, kw_kafka_conn_id(conn, KW_KAFKA_ID_CLIENT_ID));
	if (pd->kept & KW_KAFKA_PEND_GROUP)
		kw_kafka_str_copy(&ev->group_id, &pd->group_id);
	else
		kw_kafka_str_clear(&ev->group_id);
	kw_kafka_str_copy(&ev->txn_id, kw_kafka_conn_id(conn, KW_KAFKA_ID_TXN_ID));
	ev->topic_count = pd->topic_count;
	ev->topic_id_count = pd->topic_id_count;
	ev->partition_count = pd->partition_count;
	ev->error_count = 0;
	ev->n_errors = 0;
	ev->acks = pd->acks;
	ev->throttle_ms = -1;
	ev->throttle_off = 0;
	ev->producer_id = pd->producer_id;
	if (pd->kept & KW_KAFKA_PEND_RECORDS)
		ev->records = pd->records;
	else
		kw_kafka_records_sum_init(&ev->records);
	ev->n_broker_ids = pd->n_broker_ids;
	brokers_copy(ev->broker_ids, pd->broker_ids, pd->n_broker_ids);
	ev->n_groups = 0; /* a response's */
	ev->groups_failed = 0;
	if (pd->detail) {
		const struct kw_kafka_detail *dt = &conn->detail[pd->detail - 1];

		detail_unpack(ev, dt);
	} else {
		ev->n_topics = pd->kept & KW_KAFKA_PEND_TOPIC0 ? 1 : 0;
		if (ev->n_topics)
			kw_kafka_str_copy(&ev->topics[0], &pd->topic0);
		ev->n_topic_ids = 0;
		ev->n_offsets = 0;
		ev->n_rfields = 0;
		ev->n_parts = 0;
	}
}

static void
pend_release(struct kw_kafka_conn *conn, struct kw_kafka_pending *pd)
{
	if (pd->detail)
		conn->detail_used &= (uint8_t)~(1u << (pd->detail - 1));
	pd->detail = 0;
	pd->used = 0;
}

/* Keep the request's topics, offsets, records fields and partition indexes until its response;
 * dropped (counted) when every slot is taken. */
static void
pend_detail(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_pending *pd,
	    const struct kw_kafka_event *ev)
{
	pd->detail = 0;
	if (ev->n_offsets == 0 && ev->n_rfields == 0 && ev->n_parts == 0)
		return;
	for (unsigned int i = 0; i < KW_KAFKA_DETAIL_MAX; i++) {
		struct kw_kafka_detail *dt = &conn->detail[i];

		if (conn->detail_used & (1u << i))
			continue;
		conn->detail_used |= (uint8_t)(1u << i);
		detail_pack(dt, ev);
		pd->detail = (uint8_t)(i + 1);
		return;
	}
	/* Policy: more such requests in flight than slots: their offsets and fields are lost. */
	ctx->cnt.offsets_dropped += ev->n_offsets;
	ctx->cnt.rfields_dropped += ev->n_rfields;
	ctx->cnt.parts_dropped += ev->n_parts;
	if (ev->n_offsets)
		pd->flags |= KW_KAFKA_EV_OFFSETS_TRUNC;
	if (ev->n_rfields)
		pd->flags |= KW_KAFKA_EV_RFIELDS_TRUNC;
	if (ev->n_parts)
		pd->flags |= KW_KAFKA_EV_PARTS_TRUNC;
}

/*
 * Drop released entries at the window's head. An empty window starts again at entry 0, so that a
 * client with one request in flight at a time uses one entry, not all of them in turn: fewer of
 * the connection's lines to miss when it comes back.
 */
static void
pend_skip_holes(struct kw_kafka_conn *conn)
{
	while (conn->pend_n && !conn->pend[conn->pend_head].used) {
		conn->pend_head = (conn->pend_head + 1) % KW_KAFKA_INFLIGHT_MAX;
		conn->pend_n--;
	}
	if (conn->pend_n == 0)
		conn->pend_head = 0;
}

static void
pend_insert(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, const struct kw_kafka_event *ev)
{
	struct kw_kafka_pending *pd;

	if (conn->pend_n == KW_KAFKA_INFLIGHT_MAX) {
		/* Policy: the oldest request is the least likely to still be answered. */
		pd = &conn->pend[conn->pend_head];
		ctx->cnt.pending_evicted++;
		pend_to_ev(conn, pd, &ctx->scratch);
		ctx->scratch.flags |= KW_KAFKA_EV_UNANSWERED;
		emit(ctx, conn, &ctx->scratch);
		pend_release(conn, pd);
		pend_skip_holes(conn);
	}
	pd = &conn->pend[(conn->pend_head + conn->pend_n) % KW_KAFKA_INFLIGHT_MAX];
	conn->pend_n++;
	pd->used = 1;
	pd->api_key = ev->api_key;
	pd->api_version = ev->api_version;
	pd->acks = ev->acks;
	pd->corr_id = ev->corr_id;
	pd->flags = ev->flags;
	pd->req_len = ev->req_len;
	pd->topic_count = ev->topic_count;
	pd->topic_id_count = ev->topic_id_count;
	pd->partition_count = ev->partition_count;
	pd->req_off = ev->req_off;
	pd->t_req = ev->t_req;
	pd->producer_id = ev->producer_id;
	pd->n_broker_ids = ev->n_broker_ids;
	brokers_copy(pd->broker_ids, ev->broker_ids, ev->n_broker_ids);
	pend_detail(ctx, conn, pd, ev);
	/* Only what differs from the reset value: most requests then write one line here. */
	pd->kept = 0;
	/* no records field begun: the sum is as kw_kafka_records_sum_init left it */
	if (ev->records.fields != 0) {
		pd->records = ev->records;
		pd->kept |= KW_KAFKA_PEND_RECORDS;
	}
	if (ev->n_topics && !pd->detail) { /* a detail slot holds every topic */
		kw_kafka_str_copy(&pd->topic0, &ev->topics[0]);
		pd->kept |= KW_KAFKA_PEND_TOPIC0;
	}
	if (ev->group_id.len || ev->group_id.null || ev->group_id.trunc) {
		kw_kafka_str_copy(&pd->group_id, &ev->group_id);
		pd->kept |= KW_KAFKA_PEND_GROUP;
	}
}

/* Take the pending request with this correlation id into ev; -ENOENT when there is none. */
static int
pend_take(struct kw_kafka_conn *conn, int32_t corr, struct kw_kafka_event *ev)
{
	for (unsigned int i = 0; i < conn->pend_n; i++) {
		struct kw_kafka_pending *pd = &conn->pend[(conn->pend_head + i) %
							  KW_KAFKA_INFLIGHT_MAX];
		if (!pd->used || pd->corr_id != corr)
			continue;
		pend_to_ev(conn, pd, ev);
		pend_release(conn, pd);
		pend_skip_holes(conn);
		return 0;
	}
	return -ENOENT;
}

void
kw_kafka_conn_flush(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn)
{
	for (unsigned int i = 0; i < conn->pend_n; i++) {
		struct kw_kafka_pending *pd = &conn->pend[(conn->pend_head + i) %
							  KW_KAFKA_INFLIGHT_MAX];
		if (!pd->used)
			continue;
		pend_to_ev(conn, pd, &ctx->scratch);
		ctx->scratch.flags |= KW_KAFKA_EV_UNANSWERED;
		emit(ctx, conn, &ctx->scratch);
		pend_release(conn, pd);
	}
	conn->pend_n = 0;
	conn->pend_head = 0;
}

/* ---- events of frames that span feeds ---- */

/* The event of direction dir's frame that spans feeds: the one it holds, else a slot of the
 * ctx's pool (the most recently freed), else the conn's own (counted). */
static struct kw_kafka_event *
park_take(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir)
{
	if (conn->park[dir] == NULL) {
		if (likely(ctx->park_n != 0)) {
			conn->park[dir] = ctx->park_free[--ctx->park_n];
		} else {
			ctx->cnt.events_parked_conn++;
			conn->park[dir] = &conn->ev[dir];
		}
	}
	return conn->park[dir];
}

/* Direction dir is not inside a frame that spans feeds any more: give its event back. */
static void
park_drop(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir)
{
	struct kw_kafka_event *ev = conn->park[dir];

	if (ev == NULL)
		return;
	conn->park[dir] = NULL;
	if (ev != &conn->ev[dir])
		ctx->park_free[ctx->park_n++] = ev;
}

void
kw_kafka_conn_unpark(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn)
{
	park_drop(ctx, conn, 0);
	park_drop(ctx, conn, 1);
}

/* ---- op setters ---- */

static void
want_fixed(struct kw_kafka_dir *d, uint8_t width, uint8_t k)
{
	d->op = OP_FIXED;
	d->need = width;
	d->have = 0;
	d->k = k;
}

static void
want_uvar(struct kw_kafka_dir *d, uint8_t k)
{
	d->op = OP_UVAR;
	d->need = KW_KAFKA_UVARINT32_MAX;
	d->have = 0;
	d->k = k;
}

static void
want_run(struct kw_kafka_dir *d, uint8_t op, uint64_t n, uint8_t k)
{
	d->op = op;
	d->left = (uint32_t)n; /* every caller checked n <= frame_left */
	d->k = k;
}

/*
 * The body cannot be decoded: count it and skip to the end of the frame (framing holds). A frame
 * on probation was not a frame: refuted, not counted, and run() hands the bytes back to resync.
 */
static void
frame_bad(struct kw_kafka_dir *d, uint64_t *ctr)
{
	if (d->probation) {
		d->op = OP_REFUTED;
		return;
	}
	(*ctr)++;
	d->bad = 1;
	want_run(d, OP_SKIP, d->frame_left, K_REST);
}

static void
rest_skip(struct kw_kafka_dir *d)
{
	want_run(d, OP_SKIP, d->frame_left, K_REST);
}

/* A length prefix of field f (string/bytes/array) in the body's encoding. */
static void
want_len(struct kw_kafka_dir *d, unsigned int width, uint8_t k)
{
	if (d->flex)
		want_uvar(d, k);
	else
		want_fixed(d, (uint8_t)width, k);
}

static void
tags_begin(struct kw_kafka_dir *d, uint8_t after)
{
	d->tag_after = after;
	want_uvar(d, K_TAG_COUNT);
}

/* UNSUPPORTED_VERSION in errors.tsv */
#define KW_KAFKA_UNSUPPORTED_VERSION 35

/* ---- extraction ---- */

static void
add_error(struct kw_kafka_event *ev, int16_t code)
{
	if (code == 0)
		return;
	ev->error_count++;
	for (unsigned int i = 0; i < ev->n_errors; i++)
		if (ev->errors[i] == code)
			return;
	if (ev->n_errors < KW_KAFKA_EV_ERRORS)
		ev->errors[ev->n_errors++] = code;
	else
		ev->flags |= KW_KAFKA_EV_ERRORS_TRUNC;
}

/* A broker id: kept once, in the order seen; -1 (none) and other negative values are not ids. */
static void
add_broker(const struct kw_kafka_ctx *ctx, struct kw_kafka_event *ev, int32_t id)
{
	if (ctx->params.no_lists || id < 0)
		return;
	for (unsigned int i = 0; i < ev->n_broker_ids; i++)
		if (ev->broker_ids[i] == id)
			return;
	if (ev->n_broker_ids < KW_KAFKA_EV_BROKERS)
		ev->broker_ids[ev->n_broker_ids++] = id;
	else
		ev->flags |= KW_KAFKA_EV_BROKERS_TRUNC;
}

/* A partition index under its enclosing topic (a ref, TOPIC_NONE when not kept): kept once. */
static void
add_part(struct kw_kafka_ctx *ctx, struct kw_kafka_event *ev, uint8_t topic, int32_t part)
{
	if (ctx->params.no_lists)
		return;
	for (unsigned int i = 0; i < ev->n_parts; i++)
		if (ev->parts[i].partition == part && ev->parts[i].topic == topic)
			return;
	if (ev->n_parts == KW_KAFKA_EV_PARTS) {
		ctx->cnt.parts_dropped++;
		ev->flags |= KW_KAFKA_EV_PARTS_TRUNC;
		return;
	}
	ev->parts[ev->n_parts].topic = topic;
	ev->parts[ev->n_parts++].partition = part;
}

/*
 * Which rotation of a direction a frame's offsets take, and how many it keeps: a Fetch request's
 * positions and its response's offsets half of an event's offsets each; any other frame's
 * (OffsetCommit, TxnOffsetCommit, OffsetFetch commits, a Produce's offsets) all of them.
 */
static inline unsigned int
off_class(int16_t api_key)
{
	return api_key == KW_KAFKA_API_FETCH ? 0 : 1;
}

static inline unsigned int
off_window(int16_t api_key)
{
	return api_key == KW_KAFKA_API_FETCH ? KW_KAFKA_EV_OFFSETS / 2 : KW_KAFKA_EV_OFFSETS;
}

/*
 * The group of what is being walked in a response: the group id named in the struct that holds
 * it or in one around it (add_group), else GROUP_NONE. push() forgets it when a struct starts
 * at its depth or shallower; the depth test covers what follows its struct in the one around
 * it, which no response of the specs has after a group's struct (no error code, no offset).
 */
static inline uint8_t
group_now(const struct kw_kafka_dir *d)
{
	return d->depth >= d->group_depth ? d->cur_group : KW_KAFKA_GROUP_NONE;
}

/*
 * A non-zero error code of a response: its group's (group_now), or, before any group in its
 * struct, kept for a group id that may follow in the same struct.
 */
static void
group_error(struct kw_kafka_dir *d, struct kw_kafka_event *ev)
{
	uint8_t g = group_now(d);

	if (g != KW_KAFKA_GROUP_NONE)
		ev->groups_failed |= (uint8_t)(1u << g);
	else
		d->err_depth = d->depth;
}

/*
 * A partition offset of the enclosing topic and partition; dropped (counted) when not keepable.
 * A frame keeps a window of its offsets, from the conn->off_rot its class is at: a consumer
 * with more partitions than a window fetches or commits them in the same order every time, so
 * each frame's window starts where the last one of its class on this direction ended
 * (frame_end), and every partition comes round.
 */
static void
offset_add(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, struct kw_kafka_event *ev,
	   uint8_t kind, int64_t v)
{
	struct kw_kafka_ev_offset *o;
	unsigned int i = d->off_seen;
	unsigned int rot = ctx->feed_conn->off_rot[ctx->feed_dir][off_class(d->api_key)];

	if (d->off_seen < UINT16_MAX)
		d->off_seen++;
	if (d->cur_topic == TOPIC_NONE || d->part_depth == 0 || i < rot ||
	    i - rot >= off_window(d->api_key) || ev->n_offsets == KW_KAFKA_EV_OFFSETS) {
		ctx->cnt.offsets_dropped++;
		ev->flags |= KW_KAFKA_EV_OFFSETS_TRUNC;
		return;
	}
	o = &ev->offsets[ev->n_offsets++];
	o->kind = kind;
	o->topic = d->cur_topic;
	o->group = group_now(d);
	o->partition = d->cur_part;
	o->offset = v;
}

/*
 * The offset of kind in ev for d's enclosing topic and partition, or NULL. offset_add keeps no
 * offset without its topic and partition: TOPIC_NONE matches none.
 */
static struct kw_kafka_ev_offset *
offset_of(const struct kw_kafka_dir *d, struct kw_kafka_event *ev, uint8_t kind)
{
	unsigned int n = ev->n_offsets < KW_KAFKA_EV_OFFSETS ? ev->n_offsets : KW_KAFKA_EV_OFFSETS;

	for (unsigned int i = 0; i < n; i++) {
		struct kw_kafka_ev_offset *o = &ev->offsets[i];

		if (o->kind == kind && o->partition == d->cur_part && o->topic == d->cur_topic)
			return o;
	}
	return NULL;
}

/*
 * A Fetch response returned records of the enclosing partition, up to next: that is the
 * consumer's position now. It replaces the position the request asked for (a pair keeps one per
 * partition), taking no room of its own; a partition the request did not name takes room in the
 * response's window, as in an incremental fetch session (KIP-227), whose requests name only the
 * partitions whose position changed.
 */
static void
fetched_set(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, struct kw_kafka_event *ev,
	    int64_t next)
{
	struct kw_kafka_ev_offset *o = offset_of(d, ev, KW_KAFKA_OFF_FETCH);

	if (o == NULL) {
		offset_add(ctx, d, ev, KW_KAFKA_OFF_FETCHED, next);
		return;
	}
	o->kind = KW_KAFKA_OFF_FETCHED;
	o->offset = next;
}

/*
 * A Produce response's base offset of the enclosing partition: the request's records now end
 * the partition's log at base + the offsets they take (the request's PRODUCED entry, which
 * becomes LOG_END in place). A partition the request's window left out has none.
 */
static void
produced_set(const struct kw_kafka_dir *d, struct kw_kafka_event *ev, int64_t base)
{
	struct kw_kafka_ev_offset *o = offset_of(d, ev, KW_KAFKA_OFF_PRODUCED);

	if (o == NULL)
		return;
	o->kind = KW_KAFKA_OFF_LOG_END;
	o->offset = (int64_t)((uint64_t)o->offset + (uint64_t)base); /* peer values: no overflow */
}

/*
 * A non-zero error code of a response in the struct of the enclosing partition: that partition's
 * (its other error codes are the group's or the whole response's). The request's offset of it
 * for the group was not committed (OffsetCommit, TxnOffsetCommit) or not deleted (OffsetDelete),
 * the offset the response gives for it is no commit (OffsetFetch), or the request's fetch
 * position of it was not served (Fetch).
 */
static void
partition_refused(const struct kw_kafka_dir *d, struct kw_kafka_event *ev)
{
	static const struct {
		int16_t api_key;
		uint8_t kind, failed;
	} refusable[] = {
		{KW_KAFKA_API_OFFSET_COMMIT, KW_KAFKA_OFF_COMMITTED, KW_KAFKA_OFF_COMMIT_FAILED},
		{KW_KAFKA_API_TXN_OFFSET_COMMIT, KW_KAFKA_OFF_TXN_COMMITTED, KW_KAFKA_OFF_COMMIT_FAILED},
		{KW_KAFKA_API_OFFSET_FETCH, KW_KAFKA_OFF_COMMITTED_READ, KW_KAFKA_OFF_READ_FAILED},
		{KW_KAFKA_API_OFFSET_DELETE, KW_KAFKA_OFF_COMMIT_DELETE, KW_KAFKA_OFF_DELETE_FAILED},
		{KW_KAFKA_API_FETCH, KW_KAFKA_OFF_FETCH, KW_KAFKA_OFF_FETCH_FAILED},
	};
	struct kw_kafka_ev_offset *o;

	for (unsigned int i = 0; i < RTE_DIM(refusable); i++) {
		if (refusable[i].api_key != d->api_key)
			continue;
		o = offset_of(d, ev, refusable[i].kind);
		if (o != NULL)
			o->kind = refusable[i].failed;
		return;
	}
}

/*
 * A ListOffsets response's offset of the enclosing partition, where the request asked for the
 * latest one: the high watermark, or with read_committed the last stable offset. It replaces the
 * request's entry; an offset asked for by time or for the log start has none.
 */
static void
listed_set(const struct kw_kafka_dir *d, struct kw_kafka_event *ev, int64_t v)
{
	struct kw_kafka_ev_offset *o = offset_of(d, ev, KW_KAFKA_OFF_LIST_LATEST);

	if (o != NULL) {
		o->kind = KW_KAFKA_OFF_HWM;
	} else {
		o = offset_of(d, ev, KW_KAFKA_OFF_LIST_STABLE);
		if (o == NULL)
			return;
		o->kind = KW_KAFKA_OFF_LAST_STABLE;
	}
	o->offset = v;
}

/* A partition index: the enclosing partition of what follows, kept with its topic. */
static inline void
on_partition(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, unsigned int dir,
	     struct kw_kafka_event *ev, int32_t v)
{
	d->partitions++;
	d->cur_part = v;
	d->part_depth = d->depth; /* a body's walk is at depth 1 or more */
	add_part(ctx, ev, d->cur_topic, v);
	if (dir == 0 && d->api_key == KW_KAFKA_API_OFFSET_DELETE)
		offset_add(ctx, d, ev, KW_KAFKA_OFF_COMMIT_DELETE, -1);
}

struct piece;
static inline uint64_t piece_pos(const struct piece *in);

/* Value v of field d->f was just taken from the piece in. */
static inline void
on_int(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, unsigned int dir,
       struct kw_kafka_event *ev, int64_t v, const struct piece *in)
{
	switch (d->f->sem) {
	case KW_KAFKA_SEM_ERROR_CODE:
		add_error(ev, (int16_t)v);
		/*
		 * A response's: its partition's offset refused, else its group's or the whole
		 * one's. One before its partition's index (Metadata, OffsetForLeaderEpoch, which
		 * keep no offsets) is that partition's too.
		 */
		if (v == 0 || dir == 0 || (d->f->flags & KW_KAFKA_FF_PART_NEXT))
			break;
		if (d->depth == d->part_depth) {
			partition_refused(d, ev);
		} else {
			ev->flags |= KW_KAFKA_EV_TOP_ERROR;
			group_error(d, ev);
		}
		break;
	case KW_KAFKA_SEM_THROTTLE:
		ev->throttle_ms = (int32_t)v;
		ev->throttle_off = piece_pos(in) - 4;
		if (v > 0)
			ev->flags |= KW_KAFKA_EV_THROTTLED;
		break;
	case KW_KAFKA_SEM_PARTITION:
		on_partition(ctx, d, dir, ev, (int32_t)v);
		break;
	case KW_KAFKA_SEM_HIGH_WATERMARK:
		/* -1 when the partition failed (INVALID_HIGH_WATERMARK) */
		if (dir == 1 && d->api_key == KW_KAFKA_API_FETCH && v >= 0)
			offset_add(ctx, d, ev, KW_KAFKA_OFF_HWM, v);
		break;
	case KW_KAFKA_SEM_FETCH_OFFSET:
		if (dir == 0 && d->api_key == KW_KAFKA_API_FETCH)
			offset_add(ctx, d, ev, KW_KAFKA_OFF_FETCH, v);
		break;
	case KW_KAFKA_SEM_COMMITTED_OFFSET:
		if (dir == 0 && d->api_key == KW_KAFKA_API_OFFSET_COMMIT)
			offset_add(ctx, d, ev, KW_KAFKA_OFF_COMMITTED, v);
		else if (dir == 1 && d->api_key == KW_KAFKA_API_OFFSET_FETCH)
			offset_add(ctx, d, ev, KW_KAFKA_OFF_COMMITTED_READ, v);
		else if (dir == 0 && d->api_key == KW_KAFKA_API_TXN_OFFSET_COMMIT)
			offset_add(ctx, d, ev, KW_KAFKA_OFF_TXN_COMMITTED, v);
		break;
	case KW_KAFKA_SEM_TXN_COMMIT:
		if (v != 0)
			ev->flags |= KW_KAFKA_EV_TXN_COMMIT;
		break;
	case KW_KAFKA_SEM_PRODUCE_BASE_OFFSET:
		/* -1 when the partition's append failed */
		if (dir == 1 && v >= 0 && d->part_depth != 0)
			produced_set(d, ev, v);
		break;
	case KW_KAFKA_SEM_PRODUCER_ID:
		/* EndTxn v5+ answers with the producer's next id and epoch: the pair keeps the one
		 * its transaction ran under, as TxnOffsetCommit named it */
		if (d->f->type == KW_KAFKA_T_INT64 &&
		    (dir == 0 || d->api_key != KW_KAFKA_API_END_TXN))
			ev->producer_id = v;
		break;
	case KW_KAFKA_SEM_ACKS:
		ev->acks = (int16_t)v;
		break;
	case KW_KAFKA_SEM_ISOLATION_LEVEL:
		d->isolation = v == 1;
		break;
	case KW_KAFKA_SEM_LIST_TIMESTAMP:
		/* -1 asks for the latest offset; v0 answers in another field, not kept */
		if (dir == 0 && v == LIST_LATEST && d->version >= 1) {
			/* every v2+ request names its isolation level before its timestamps */
			uint8_t kind = d->version >= 2 && d->isolation ? KW_KAFKA_OFF_LIST_STABLE
								       : KW_KAFKA_OFF_LIST_LATEST;

			offset_add(ctx, d, ev, kind, v);
		}
		break;
	case KW_KAFKA_SEM_LIST_OFFSET:
		/* -1 when the partition failed */
		if (dir == 1 && v >= 0 && d->part_depth != 0)
			listed_set(d, ev, v);
		break;
	case KW_KAFKA_SEM_BROKER_ID:
		add_broker(ctx, ev, (int32_t)v);
		break;
	default:
		break;
	}
}

/* A UUID value of field d->f; raw is its 16 bytes. */
static void
on_uuid(struct kw_kafka_dir *d, struct kw_kafka_event *ev, const uint8_t *raw)
{
	if (d->f->sem != KW_KAFKA_SEM_TOPIC_ID)
		return;
	d->topic_ids++;
	if (d->align) {
		/* Metadata v10+: every topic has its name, then its id; keep the id at the name's
		 * index. A name not kept (topics full) takes its id with it. */
		if (d->cur_topic == TOPIC_NONE)
			return;
		if (d->cur_topic == ev->n_topic_ids && ev->n_topic_ids < KW_KAFKA_EV_TOPIC_IDS)
			memcpy(ev->topic_ids[ev->n_topic_ids++], raw, 16);
		else
			ev->flags &= ~KW_KAFKA_EV_TOPIC_IDS_ALIGNED;
		return;
	}
	for (unsigned int i = 0; i < ev->n_topic_ids; i++) {
		if (memcmp(ev->topic_ids[i], raw, 16) == 0) {
			d->cur_topic = (uint8_t)(TOPIC_BY_ID | i);
			return;
		}
	}
	if (ev->n_topic_ids < KW_KAFKA_EV_TOPIC_IDS) {
		memcpy(ev->topic_ids[ev->n_topic_ids], raw, 16);
		d->cur_topic = (uint8_t)(TOPIC_BY_ID | ev->n_topic_ids++);
	} else {
		d->cur_topic = TOPIC_NONE;
		ev->flags |= KW_KAFKA_EV_TOPICS_TRUNC;
	}
}

/*
 * Byte by byte, not memcmp: the event's names were usually copied in just before, and a wider
 * load across those stores cannot take its bytes from them, so it waits until every older store
 * has reached the cache, misses included (memcmp held ~16 cycles per frame on the 10k replay).
 */
static bool
str_is(const struct kw_kafka_str *a, const struct str_val *v)
{
	if (a->len != v->len || a->null != v->null)
		return false;
	for (unsigned int i = 0; i < a->len; i++)
		if (a->s[i] != v->p[i])
			return false;
	return true;
}

/*
 * A group id a response names (d->tmp): the group of its struct and of those inside it (an
 * OffsetFetch v8+ group's partitions, a DeleteGroups result's error code), kept in the order
 * named, once per entry (an error answered for one entry of a group named twice is not the
 * other's); GROUP_NONE (flagged) when the list is full. A non-zero error code that came
 * before it in the same struct (DescribeGroups: ErrorCode, then GroupId) is its.
 */
static void
add_group(struct kw_kafka_dir *d, struct kw_kafka_event *ev, const struct str_val *v)
{
	d->group_depth = d->depth;
	if (ev->n_groups == KW_KAFKA_EV_GROUPS) {
		d->cur_group = KW_KAFKA_GROUP_NONE;
		ev->flags |= KW_KAFKA_EV_GROUPS_TRUNC;
		return;
	}
	d->cur_group = ev->n_groups;
	str_set(&ev->groups[ev->n_groups++], v);
	if (d->err_depth == d->depth) {
		ev->groups_failed |= (uint8_t)(1u << d->cur_group);
		d->err_depth = 0;
	}
}

static void
on_string(struct kw_kafka_conn *conn, struct kw_kafka_dir *d, struct kw_kafka_event *ev,
	  const struct str_val *v)
{
	switch (d->f->sem) {
	case KW_KAFKA_SEM_TOPIC_NAME:
		d->topics++;
		d->cur_topic = TOPIC_NONE;
		/* Aligned (Metadata) topics are not deduplicated: one slot per topic entry. */
		for (unsigned int i = 0; !d->align && i < ev->n_topics; i++) {
			if (str_is(&ev->topics[i], v)) {
				d->cur_topic = (uint8_t)i;
				return;
			}
		}
		if (ev->n_topics < KW_KAFKA_EV_TOPICS) {
			d->cur_topic = ev->n_topics;
			str_set(&ev->topics[ev->n_topics++], v);
		} else {
			ev->flags |= KW_KAFKA_EV_TOPICS_TRUNC;
		}
		break;
	case KW_KAFKA_SEM_GROUP_ID:
		/* a response repeats its request's group (OffsetFetch v8+): only another counts */
		if (ev->group_id.len != 0 && !str_is(&ev->group_id, v))
			ev->flags |= KW_KAFKA_EV_GROUPS_MANY;
		str_set(&ev->group_id, v);
		if (d == &conn->dir[1])
			add_group(d, ev, v);
		break;
	case KW_KAFKA_SEM_TXN_ID:
		str_set(&ev->txn_id, v);
		if (d == &conn->dir[0])
			id_put(conn, KW_KAFKA_ID_TXN_ID, v);
		break;
	case KW_KAFKA_SEM_CLIENT_SW_NAME:
		id_put(conn, KW_KAFKA_ID_SW_NAME, v);
		break;
	case KW_KAFKA_SEM_CLIENT_SW_VERSION:
		id_put(conn, KW_KAFKA_ID_SW_VERSION, v);
		break;
	case KW_KAFKA_SEM_MECHANISM:
		id_put(conn, KW_KAFKA_ID_MECHANISM, v);
		break;
	default:
		break;
	}
}

static bool
str_wanted(const struct kw_kafka_dir *d, const struct kw_kafka_field *f)
{
	if (d->opaque)
		return false;
	switch (f->sem) {
	case KW_KAFKA_SEM_TOPIC_NAME:
	case KW_KAFKA_SEM_GROUP_ID:
	case KW_KAFKA_SEM_TXN_ID:
	case KW_KAFKA_SEM_CLIENT_SW_NAME:
	case KW_KAFKA_SEM_CLIENT_SW_VERSION:
	case KW_KAFKA_SEM_MECHANISM:
		return true;
	default:
		return false;
	}
}

static void
capture_begin(struct kw_kafka_dir *d, int64_t n)
{
	kw_kafka_str_clear(&d->tmp);
	d->tmp.null = n < 0;
}

/*
 * Out of line: inlined, GCC expands the copy (at most KW_KAFKA_NAME_MAX bytes) into rep movsq,
 * whose start-up costs more than the call to memcpy for the short names it copies (sampled in
 * bw_str(): half of its time on the instruction after it).
 */
static __rte_noinline void
capture(struct kw_kafka_str *s, const uint8_t *p, uint32_t n)
{
	uint32_t room = KW_KAFKA_NAME_MAX - 1 - s->len;
	uint32_t c = n < room ? n : room;

	memcpy(s->s + s->len, p, c);
	s->len += (uint8_t)c;
	s->s[s->len] = '\0';
	if (c < n)
		s->trunc = 1;
}

/*
 * SASL credentials are scanned byte by byte; only the user name is ever copied. PLAIN (RFC 4616)
 * is authzid NUL authcid NUL passwd; SCRAM client-first (RFC 5802) is gs2-header "n=user,r=...".
 * Everything after the user name is skipped unseen, so a password or proof is never stored.
 */
enum { AUTH_SKIP = 0, AUTH_PLAIN, AUTH_SCRAM };
enum { AS_PRE = 0, AS_PRE2, AS_N, AS_EQ, AS_USER, AS_DONE };

static void
auth_begin(struct kw_kafka_conn *conn, struct kw_kafka_dir *d)
{
	const struct kw_kafka_str *m = kw_kafka_conn_id(conn, KW_KAFKA_ID_MECHANISM);

	d->auth_kind = AUTH_SKIP;
	if (m->len == 5 && memcmp(m->s, "PLAIN", 5) == 0)
		d->auth_kind = AUTH_PLAIN;
	else if (m->len > 6 && memcmp(m->s, "SCRAM-", 6) == 0)
		d->auth_kind = AUTH_SCRAM;
	d->auth_st = AS_PRE;
	kw_kafka_str_clear(&d->tmp);
}

static void
auth_user(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d)
{
	const struct str_val v = val_tmp(d);

	id_put(conn, KW_KAFKA_ID_USER, &v);
	ctx->cnt.sasl_users++;
	d->auth_st = AS_DONE;
}

static void
auth_scan(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	  const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n && d->auth_st != AS_DONE; i++) {
		uint8_t c = p[i];

		if (d->auth_kind == AUTH_PLAIN) {
			if (d->auth_st == AS_PRE) {
				if (c == 0)
					d->auth_st = AS_USER;
			} else if (c == 0) {
				auth_user(ctx, conn, d);
			} else {
				capture(&d->tmp, &c, 1);
			}
			continue;
		}
		switch (d->auth_st) {
		case AS_PRE:
		case AS_PRE2:
			if (c == ',')
				d->auth_st++;
			break;
		case AS_N:
			d->auth_st = c == 'n' ? AS_EQ : AS_DONE;
			break;
		case AS_EQ:
			d->auth_st = c == '=' ? AS_USER : AS_DONE;
			break;
		default:
			if (c == ',')
				auth_user(ctx, conn, d);
			else
				capture(&d->tmp, &c, 1);
			break;
		}
	}
}

/*
 * After a successful SaslHandshake v0 the client and the broker exchange raw SASL tokens, each
 * [int32 size][token] without a Kafka header, then Kafka framing resumes. A passive observer
 * only knows where it resumes from the mechanism's token count: PLAIN and OAUTHBEARER send one
 * token each way (the broker answers with an empty one), SCRAM two. Any other mechanism
 * (GSSAPI) has no fixed count: policy, both directions go opaque (counted) rather than misframe.
 * This relies on causal order: the response is fed before the client's first token.
 */
static void
sasl_raw_begin(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn)
{
	const struct kw_kafka_str *m = kw_kafka_conn_id(conn, KW_KAFKA_ID_MECHANISM);
	uint8_t n = 0;

	if ((m->len == 5 && memcmp(m->s, "PLAIN", 5) == 0) ||
	    (m->len == 11 && memcmp(m->s, "OAUTHBEARER", 11) == 0))
		n = 1;
	else if (m->len > 6 && memcmp(m->s, "SCRAM-", 6) == 0)
		n = 2;
	if (n == 0) {
		ctx->cnt.sasl_raw_opaque++;
		conn->dir[0].mode = M_OPAQUE;
		conn->dir[1].mode = M_OPAQUE;
		return;
	}
	conn->dir[0].raw_left = n;
	conn->dir[1].raw_left = n;
	conn->dir[0].raw_user = 1;
	conn->dir[1].raw_user = 0; /* not reset with the conn (kw_kafka_dir) */
}

/* ---- the body walk ---- */

/*
 * The walk's fast path reads values in place from the piece of the current segment that belongs
 * to the frame. Invariant: it only ever takes a value, a length, a string or a whole element
 * that lies complete in that piece and passes every check the op-by-op path makes; anything
 * else (a value that straddles segments, a bad length, a non-empty tagged section, an element
 * that does not fit) is left to the op-by-op path, which then decodes from the same position
 * exactly as before. So outcomes and counters never depend on which path ran, nor on how the
 * stream was cut (the re-segmentation tests check this).
 */
struct piece {
	const uint8_t *p;
	uint32_t n; /* never more than d->frame_left */
	/*
	 * While run() takes from the piece, d->pos is not kept: the stream offset of p is base + p
	 * (modulo 2^64), one addition where it is read (a throttle, a records field), instead of
	 * one at every take(); run() stores it back when it returns.
	 */
	uint64_t base;
};

/* The stream offset of the piece's next byte. */
static inline uint64_t
piece_pos(const struct piece *in)
{
	return in->base + (uintptr_t)in->p;
}

static inline void
take(struct kw_kafka_dir *d, struct piece *in, uint32_t n)
{
	in->p += n;
	in->n -= n;
	d->frame_left -= n;
}

/* The walk may go on: no op is pending and the frame was not refuted (OP_REFUTED). */
static inline bool
walk_on(const struct kw_kafka_dir *d)
{
	return d->op == OP_NONE;
}

/*
 * The walk follows the step program of (api key, direction, version) in kw_kafka_steps: every
 * step is present in that version (tagged fields travel in the tagged section, skipped whole),
 * and nullability is resolved to always or never, so no step needs a version check.
 */
static inline bool
nullable(const struct kw_kafka_field *f)
{
	return f->null_min == 0;
}

/* Encoded size of an element's fields (tagged section excluded) of the array of structs f when
 * it is the same every time, else UINT64_MAX (precomputed by the generator). */
static inline uint64_t
body_size(const struct kw_kafka_field *f)
{
	return f->size == KW_KAFKA_SIZE_NOT_FIXED ? UINT64_MAX : f->size;
}

static void walk(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
		 struct piece *in);
static bool body_fast(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn,
		      struct kw_kafka_dir *d, struct piece *in, uint16_t first);

static void
body_begin(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	   struct piece *in)
{
	const struct kw_kafka_msg *m;
	const struct kw_kafka_prog *pg;

	if (d->opaque || !d->matched) {
		rest_skip(d);
		return;
	}
	m = (d == &conn->dir[0]) ? &d->api->req : &d->api->resp;
	/* The header checked the version against m's range. */
	pg = &m->prog[d->version - m->ver_min];
	d->depth = 1;
	d->stack[0].first = pg->first;
	d->stack[0].n = pg->n;
	d->stack[0].i = 0;
	d->stack[0].in_array = 0;
	if (pg->n && !body_fast(ctx, conn, d, in, pg->first))
		return;
	walk(ctx, conn, d, in);
}

static bool
push(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, const struct kw_kafka_field *f)
{
	struct kw_kafka_wframe *w;

	if (d->depth == KW_KAFKA_STACK_MAX) {
		frame_bad(d, &ctx->cnt.depth_exceeded);
		return false;
	}
	w = &d->stack[d->depth++];
	/* a struct at the depth of the group's or the error's, or shallower: theirs has ended */
	if (d->depth <= d->group_depth)
		d->cur_group = KW_KAFKA_GROUP_NONE;
	if (d->depth <= d->err_depth)
		d->err_depth = 0;
	w->first = f->sub;
	w->n = f->sub_n;
	w->i = 0;
	w->in_array = 0;
	return true;
}

/*
 * The length or count prefix at the piece's start, compact when flexible, else lw bytes: its
 * value (-1 null) in *n, its size returned; not above 0 when it does not lie whole in the piece
 * or is malformed. Nothing is taken.
 */
static __rte_always_inline int
len_peek(const struct kw_kafka_dir *d, const struct piece *in, unsigned int lw, int64_t *n)
{
	uint64_t u = 0; /* set by a successful varint read; read only then */
	int c;

	if (!d->flex)
		return kw_kafka_prim_int(in->p, in->n, lw, n);
	c = kw_kafka_prim_uvarint(in->p, in->n, KW_KAFKA_UVARINT32_MAX, &u);
	*n = (int64_t)u - 1;
	return c;
}

/*
 * Fast path: a length prefix (compact or of width bytes) that lies whole in the piece; taken and
 * its value in *n. False (nothing taken) otherwise, for the op-by-op path to gather.
 */
static inline bool
len_read(struct kw_kafka_dir *d, struct piece *in, unsigned int width, int64_t *n)
{
	int64_t v;
	int c = len_peek(d, in, width, &v);

	if (c <= 0)
		return false;
	take(d, in, (uint32_t)c);
	*n = v;
	return true;
}

/* Encoded size of every element of array field f when it is fixed, else UINT64_MAX. */
static uint64_t
elem_fixed_size(const struct kw_kafka_dir *d, const struct kw_kafka_field *f)
{
	if (f->type != KW_KAFKA_T_STRUCT)
		return fixed_width[f->type] ? fixed_width[f->type] : UINT64_MAX;
	if (d->flex)
		return UINT64_MAX;
	return body_size(f);
}

static bool skip_fields(const struct kw_kafka_dir *d, uint16_t first, uint8_t n,
			const uint8_t *p, uint32_t len, uint32_t *off, uint32_t *tags,
			unsigned int depth);

/*
 * One value of field f (an element when f is an array) at p[*off], for skip_field(): the same
 * checks as advance() (a length of -1 only where nullable, none below -1 nor beyond what is
 * left), but against the piece rather than the frame, which is stricter.
 */
static bool
skip_value(const struct kw_kafka_dir *d, const struct kw_kafka_field *f, const uint8_t *p,
	   uint32_t len, uint32_t *off, uint32_t *tags, unsigned int depth)
{
	unsigned int width = fixed_width[f->type];
	int64_t n;
	uint64_t u = 0; /* set by a successful varint read; read only then */
	int c;

	if (f->type == KW_KAFKA_T_STRUCT)
		return skip_fields(d, f->sub, f->sub_n, p, len, off, tags, depth + 1);
	if (width) {
		if (width > len - *off)
			return false;
		*off += width;
		return true;
	}
	if (d->flex) {
		c = kw_kafka_prim_uvarint(p + *off, len - *off, KW_KAFKA_UVARINT32_MAX, &u);
		n = (int64_t)u - 1;
	} else {
		c = kw_kafka_prim_int(p + *off, len - *off, f->type == KW_KAFKA_T_STRING ? 2 : 4,
				      &n);
	}
	if (c <= 0)
		return false;
	*off += (uint32_t)c;
	if (n < -1 || n > len - *off || (n == -1 && !nullable(f)))
		return false;
	if (n > 0)
		*off += (uint32_t)n;
	return true;
}

/*
 * One element at depth of the array of structs f. In a flexible version, when its fields have a
 * fixed size body, an element whose tagged section is empty (a zero byte) is stepped over at
 * once, which is what skip_fields() would conclude; body is UINT64_MAX otherwise.
 */
static inline bool
elem_skip(const struct kw_kafka_dir *d, const struct kw_kafka_field *f, uint64_t body,
	  const uint8_t *p, uint32_t len, uint32_t *off, uint32_t *tags, unsigned int depth)
{
	if (d->flex && body < len - *off && p[*off + body] == 0) {
		*off += (uint32_t)body + 1;
		return true;
	}
	return skip_fields(d, f->sub, f->sub_n, p, len, off, tags, depth);
}

/*
 * Skip field f (present in this version) of a struct at nesting depth, when neither it nor
 * anything in it is extracted, reading p[*off .. len) in place; *tags counts the tagged fields
 * skipped. False when the field does not lie whole in the piece or anything in it would fail a
 * check: the caller then walks it op by op, which counts what is wrong exactly as before (*off
 * and *tags are then meaningless). Recursion is bounded by the schema's depth
 * (KW_KAFKA_SCHEMA_MAX_DEPTH), and depth by the walker's stack as in push().
 */
static bool
skip_field(const struct kw_kafka_dir *d, const struct kw_kafka_field *f, const uint8_t *p,
	   uint32_t len, uint32_t *off, uint32_t *tags, unsigned int depth)
{
	unsigned int width = fixed_width[f->type];
	uint64_t u = 0, body; /* u: set by a successful varint read; read only then */
	int64_t cnt;
	int c;

	if (f->type == KW_KAFKA_T_SKIP) {
		if (f->size > len - *off)
			return false;
		*off += f->size;
		return true;
	}
	if (f->flags & KW_KAFKA_FF_ARRAY) {
		if (d->flex) {
			c = kw_kafka_prim_uvarint(p + *off, len - *off, KW_KAFKA_UVARINT32_MAX, &u);
			cnt = (int64_t)u - 1;
		} else {
			c = kw_kafka_prim_int(p + *off, len - *off, 4, &cnt);
		}
		if (c <= 0)
			return false;
		*off += (uint32_t)c;
		if (cnt < -1 || cnt > len - *off || (cnt == -1 && !nullable(f)))
			return false;
		if (cnt <= 0)
			return true;
		if (width) {
			/* cnt <= len: no overflow */
			if ((uint64_t)cnt * width > len - *off)
				return false;
			*off += (uint32_t)cnt * width;
			return true;
		}
		if (f->type != KW_KAFKA_T_STRUCT) {
			for (int64_t e = 0; e < cnt; e++)
				if (!skip_value(d, f, p, len, off, tags, depth))
					return false;
			return true;
		}
		if (depth + 1 > KW_KAFKA_STACK_MAX)
			return false;
		body = body_size(f);
		if (!d->flex && body != UINT64_MAX) {
			/* cnt <= len and body is a sum of a few fixed widths: no overflow */
			if ((uint64_t)cnt * body > len - *off)
				return false;
			*off += (uint32_t)(cnt * body);
			return true;
		}
		for (int64_t e = 0; e < cnt; e++)
			if (!elem_skip(d, f, body, p, len, off, tags, depth + 1))
				return false;
		return true;
	}
	if (f->type == KW_KAFKA_T_STRUCT && nullable(f)) {
		if (*off == len)
			return false;
		if ((int8_t)p[(*off)++] < 0)
			return true;
	}
	return skip_value(d, f, p, len, off, tags, depth);
}

/* The fields first .. first + n of a struct at nesting depth, then its tagged section; as
 * skip_field(). */
static bool
skip_fields(const struct kw_kafka_dir *d, uint16_t first, uint8_t n, const uint8_t *p,
	    uint32_t len, uint32_t *off, uint32_t *tags, unsigned int depth)
{
	uint64_t u, tag, size;
	int c;

	if (depth > KW_KAFKA_STACK_MAX)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (!skip_field(d, &kw_kafka_steps[first + i], p, len, off, tags, depth))
			return false;
	if (!d->flex)
		return true;
	/* KIP-482 tagged fields: the checks of K_TAG_COUNT and K_TAG_SIZE. */
	c = kw_kafka_prim_uvarint(p + *off, len - *off, KW_KAFKA_UVARINT32_MAX, &u);
	if (c <= 0)
		return false;
	*off += (uint32_t)c;
	if (u > KW_KAFKA_TAGS_MAX || u * 2 > len - *off)
		return false;
	while (u--) {
		c = kw_kafka_prim_uvarint(p + *off, len - *off, KW_KAFKA_UVARINT32_MAX, &tag);
		if (c <= 0)
			return false;
		*off += (uint32_t)c;
		c = kw_kafka_prim_uvarint(p + *off, len - *off, KW_KAFKA_UVARINT32_MAX, &size);
		if (c <= 0 || size > len - *off - (uint32_t)c)
			return false;
		*off += (uint32_t)c + (uint32_t)size;
		(*tags)++;
	}
	return true;
}

/*
 * Skip the elements of the array of structs f (on top of the stack, nothing in them extracted)
 * that lie whole in the piece. An element of fixed-width fields followed by an empty tagged
 * section is stepped over at once; any other goes through skip_fields(). False when not even the
 * first one could be skipped: it is then walked op by op.
 */
static bool
elems_skip(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, struct kw_kafka_wframe *w,
	   const struct kw_kafka_field *f, struct piece *in)
{
	uint64_t body = body_size(f);
	uint32_t off = 0, tags = 0, done = 0;

	while (done < w->elems) {
		uint32_t end = off, t = tags;

		if (!elem_skip(d, f, body, in->p, in->n, &end, &t, d->depth + 1u))
			break;
		off = end;
		tags = t;
		done++;
	}
	if (done == 0)
		return false;
	w->elems -= done;
	take(d, in, off);
	ctx->cnt.tagged_skipped += tags;
	return true;
}

/* Fast path: the skip or capture just set lies whole in the piece; do it now. */
static void
run_inline(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	   struct piece *in)
{
	if ((d->op != OP_SKIP && d->op != OP_CAPTURE) || d->left > in->n ||
	    (d->k != K_BYTES_DATA && d->k != K_STR_DATA))
		return;
	/* a capture just set is a whole string: read where it lies, d->tmp left empty */
	const struct str_val v = val_at(in->p, d->left);

	take(d, in, (uint32_t)d->left);
	d->left = 0;
	d->op = OP_NONE;
	if (d->k == K_STR_DATA)
		on_string(conn, d, ctx->ev, &v);
}

/*
 * An array of field d->f (of the struct on top of the stack) holds n elements. An array whose
 * elements hold nothing to extract and have one fixed size is skipped at once.
 */
static void
array_begin(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	    int64_t n, struct piece *in)
{
	struct kw_kafka_wframe *w = &d->stack[d->depth - 1];
	const struct kw_kafka_field *f = d->f;

	if (n < -1 || n > d->frame_left || (n == -1 && !nullable(f))) {
		frame_bad(d, &ctx->cnt.frame_malformed);
		return;
	}
	if (n <= 0) {
		w->i++;
		return;
	}
	if (!(f->flags & KW_KAFKA_FF_EXTRACT)) {
		uint64_t size = elem_fixed_size(d, f);

		/* No overflow: n <= frame_left < 2^32 and size sums a few fixed widths. */
		if (size != UINT64_MAX && (uint64_t)n * size <= d->frame_left) {
			w->i++;
			if (size) {
				want_run(d, OP_SKIP, (uint64_t)n * size, K_BYTES_DATA);
				run_inline(ctx, conn, d, in);
			}
			return;
		}
	}
	w->in_array = 1;
	w->elems = (uint32_t)n;
}

/* A non-empty records field of n bytes starts at pos: keep its place (bounded, counted). */
static void
rfield_add(struct kw_kafka_ctx *ctx, const struct kw_kafka_dir *d, struct kw_kafka_event *ev,
	   unsigned int dir, uint64_t pos, int64_t n)
{
	struct kw_kafka_ev_rfield *rf;

	if (ctx->params.no_lists)
		return;
	if (ev->n_rfields == KW_KAFKA_EV_RFIELDS) {
		ev->flags |= KW_KAFKA_EV_RFIELDS_TRUNC;
		ctx->cnt.rfields_dropped++;
		return;
	}
	rf = &ev->rfields[ev->n_rfields++];
	rf->off = pos;
	rf->len = (uint32_t)n;
	rf->dir = (uint8_t)dir;
	rf->topic = d->cur_topic;
	rf->partition = d->part_depth != 0 ? d->cur_part : -1;
}

/* The records parser's hook: add where the record sits and hand it to the ctx's hook. */
static void
record_hook(void *arg, const struct kw_kafka_record *rec)
{
	struct kw_kafka_ctx *ctx = arg;
	struct kw_kafka_conn *conn = ctx->feed_conn;
	unsigned int dir = ctx->feed_dir;
	const struct kw_kafka_dir *d = &conn->dir[dir];
	const struct kw_kafka_event *ev = ctx->ev;
	struct kw_kafka_record_where where = {
		.dir = dir,
		.ev = ev,
		.partition = d->part_depth != 0 ? d->cur_part : -1,
	};

	if (d->cur_topic != TOPIC_NONE && (d->cur_topic & TOPIC_BY_ID))
		where.topic_id = ev->topic_ids[d->cur_topic & ~TOPIC_BY_ID];
	else if (d->cur_topic != TOPIC_NONE)
		where.topic = &ev->topics[d->cur_topic];
	ctx->rec_fn(ctx->rec_arg, &where, rec);
}

/*
 * A string, bytes or records field d->f of n bytes (-1 null), the next of the piece in: capture,
 * scan or skip them.
 */
static void
blob_begin(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d, int64_t n,
	   const struct piece *in)
{
	unsigned int dir = d == &conn->dir[1];
	struct kw_kafka_event *ev = ctx->ev;
	const struct kw_kafka_field *f = d->f;

	if (n < -1 || n > d->frame_left || (n == -1 && !nullable(f))) {
		frame_bad(d, &ctx->cnt.frame_malformed);
		return;
	}
	if (f->type == KW_KAFKA_T_STRING && str_wanted(d, f)) {
		capture_begin(d, n);
		if (n > 0) {
			want_run(d, OP_CAPTURE, (uint64_t)n, K_STR_DATA);
			return;
		}
		const struct str_val v = val_tmp(d); /* empty or null */

		on_string(conn, d, ev, &v);
	} else if (n > 0 && f->type == KW_KAFKA_T_RECORDS) {
		uint64_t pos = piece_pos(in);

		rfield_add(ctx, d, ev, dir, pos, n);
		if (ctx->rec_fn != NULL || d->rs.fn != NULL)
			kw_kafka_records_set_hook(&d->rs, ctx->rec_fn ? record_hook : NULL, ctx);
		kw_kafka_records_begin(&d->rs, &ev->records, pos, (uint64_t)n);
		want_run(d, OP_RECORDS, (uint64_t)n, K_BYTES_DATA);
	} else if (n > 0 && f->sem == KW_KAFKA_SEM_AUTH_BYTES && dir == 0) {
		auth_begin(conn, d);
		want_run(d, OP_AUTH, (uint64_t)n, K_BYTES_DATA);
	} else if (n > 0) {
		want_run(d, OP_SKIP, (uint64_t)n, K_BYTES_DATA);
	}
}

/*
 * A fixed-width value of field d->f; raw is its bytes, v its value when 8 bytes or fewer. Out of
 * line, with on_int in it: GCC left to itself inlined it into each of bw_val's copies and put
 * on_int out of line once on_int grew by two lines, +27 instructions per frame on the 1 k
 * replay (callgrind, plain build).
 */
static __rte_noinline void
value_got(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	  const uint8_t *raw, int64_t v, const struct piece *in)
{
	unsigned int dir = d == &conn->dir[1];
	struct kw_kafka_event *ev = ctx->ev;
	const struct kw_kafka_field *f = d->f;

	if (f->type == KW_KAFKA_T_UUID) {
		on_uuid(d, ev, raw);
		return;
	}
	if (f->type == KW_KAFKA_T_UINT16)
		v = (uint16_t)v;
	else if (f->type == KW_KAFKA_T_UINT32)
		v = (uint32_t)v;
	on_int(ctx, d, dir, ev, v, in);
	if (dir == 1 && d->api_key == KW_KAFKA_API_API_VERSIONS &&
	    f->sem == KW_KAFKA_SEM_ERROR_CODE && v == KW_KAFKA_UNSUPPORTED_VERSION) {
		/*
		 * KIP-511: a broker refusing the request's version answers in a version the
		 * client can read whatever it asked (v0), not in the requested one; only the
		 * error code is certain, the rest is skipped whole.
		 */
		rest_skip(d);
	}
}

/*
 * One value of field f (a scalar, or one element of an array of scalars): read in place when it
 * lies whole in the piece, else the op that gathers it is set. True when the walk may go on.
 */
/*
 * A fixed-width value of width bytes that lies whole in the piece: taken, and acted on when
 * extracted. Inlined into walk(): most steps that are not skipped whole are such values.
 */
static __rte_always_inline bool
value_take(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	   const struct kw_kafka_field *f, struct piece *in, unsigned int width)
{
	const uint8_t *raw = in->p;
	int64_t v = 0;

	d->f = f;
	take(d, in, width);
	/* Nothing acts on the others' values (on_int, on_uuid). */
	if (!(f->flags & KW_KAFKA_FF_EXTRACT))
		return true;
	switch (width) {
	case 1:
		v = (int8_t)raw[0];
		break;
	case 2:
		v = (int16_t)kw_kafka_prim_be16(raw);
		break;
	case 4:
		v = (int32_t)kw_kafka_prim_be32(raw);
		break;
	case 8:
		v = (int64_t)kw_kafka_prim_be64(raw);
		break;
	default:
		break; /* a UUID: on_uuid reads raw */
	}
	value_got(ctx, conn, d, raw, v, in);
	return walk_on(d);
}

static bool
value_read(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	   const struct kw_kafka_field *f, struct piece *in)
{
	unsigned int width = fixed_width[f->type];
	unsigned int lw = f->type == KW_KAFKA_T_STRING ? 2 : 4;
	int64_t n;

	d->f = f;
	if (width) {
		if (in->n < width) {
			want_fixed(d, (uint8_t)width, K_VALUE);
			return false;
		}
		return value_take(ctx, conn, d, f, in, width);
	}
	if (!len_read(d, in, lw, &n)) {
		want_len(d, lw, f->type == KW_KAFKA_T_STRING ? K_STR_LEN : K_BYTES_LEN);
		return false;
	}
	blob_begin(ctx, conn, d, n, in);
	run_inline(ctx, conn, d, in);
	return walk_on(d);
}

/* The walk keeps the top frame's position in locals (see walk()); this stores it back. */
static inline void
frame_save(struct kw_kafka_wframe *w, unsigned int i, unsigned int in_array)
{
	w->i = (uint8_t)i;
	w->in_array = (uint8_t)in_array;
}

/*
 * Go on with the field program from the top of the stack: take what the piece holds, then set
 * the next op or finish the body. The top frame's program (first, nf) and position (i,
 * in_array) live in locals, stored back before anything that reads the stack (push(),
 * array_begin()) and before every return: byte-typed fields of the stack alias every store, so
 * reading them through d->stack cost a reload on each step.
 */
static void
walk(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
     struct piece *in)
{
	struct kw_kafka_wframe *w;
	unsigned int first, nf, i, in_array;
	int64_t n;

	if (!d->depth)
		goto body_end;
	w = &d->stack[d->depth - 1];
	first = w->first;
	nf = w->n;
	i = w->i;
	in_array = w->in_array;
	for (;;) {
		if (i == nf) {
			if (d->flex) {
				/* Fast path: an empty tagged section (one zero byte), by far the
				 * most common; K_TAG_COUNT accepts it without a counter. */
				if (!in->n || in->p[0] != 0) {
					frame_save(w, i, in_array);
					tags_begin(d, AFTER_STRUCT);
					return;
				}
				take(d, in, 1);
			}
			if (--d->depth == 0)
				break;
			w--;
			first = w->first;
			nf = w->n;
			i = w->i;
			in_array = w->in_array;
			continue;
		}
		const struct kw_kafka_field *f = &kw_kafka_steps[first + i];
		if (f->type == KW_KAFKA_T_SKIP) {
			/* Fixed-width values nothing is extracted from, merged by the generator;
			 * a run the frame cannot hold ends it inside a field (frame_end). */
			i++;
			if (f->size <= in->n) {
				take(d, in, f->size);
				continue;
			}
			frame_save(w, i, in_array);
			want_run(d, OP_SKIP, f->size, K_BYTES_DATA);
			return;
		}
		if (in_array) {
			if (w->elems == 0) {
				in_array = 0;
				i++;
				continue;
			}
			if (f->type != KW_KAFKA_T_STRUCT) {
				unsigned int width = fixed_width[f->type];

				w->elems--;
				if (width && width <= in->n) {
					if (!value_take(ctx, conn, d, f, in, width))
						goto out;
					continue;
				}
				if (!value_read(ctx, conn, d, f, in))
					goto out;
				continue;
			}
			if (!(f->flags & KW_KAFKA_FF_EXTRACT) && elems_skip(ctx, d, w, f, in))
				continue;
			w->elems--;
			goto enter;
		}
		if (!(f->flags & (KW_KAFKA_FF_EXTRACT | KW_KAFKA_FF_ARRAY)) &&
		    fixed_width[f->type] && fixed_width[f->type] <= in->n) {
			/* A value nothing acts on (see value_read()) */
			take(d, in, fixed_width[f->type]);
			i++;
			continue;
		}
		if (!(f->flags & KW_KAFKA_FF_EXTRACT)) {
			uint32_t off = 0, tags = 0;

			if (skip_field(d, f, in->p, in->n, &off, &tags, d->depth)) {
				i++;
				take(d, in, off);
				ctx->cnt.tagged_skipped += tags;
				continue;
			}
		}
		d->f = f;
		if (f->flags & KW_KAFKA_FF_ARRAY) {
			frame_save(w, i, in_array);
			if (!len_read(d, in, 4, &n)) {
				want_len(d, 4, K_ARRAY_LEN);
				return;
			}
			array_begin(ctx, conn, d, n, in);
			i = w->i;
			in_array = w->in_array;
			if (!walk_on(d))
				return;
			continue;
		}
		if (f->type == KW_KAFKA_T_STRUCT) {
			if (nullable(f)) {
				if (in->n == 0) {
					frame_save(w, i, in_array);
					want_fixed(d, 1, K_STRUCT_NULL);
					return;
				}
				n = (int8_t)in->p[0];
				take(d, in, 1);
				i++;
				if (n >= 0)
					goto enter;
				continue;
			}
			i++;
			goto enter;
		}
		i++;
		if (fixed_width[f->type] && fixed_width[f->type] <= in->n) {
			if (!value_take(ctx, conn, d, f, in, fixed_width[f->type]))
				goto out;
			continue;
		}
		if (!value_read(ctx, conn, d, f, in))
			goto out;
		continue;
enter:
		/* Into the struct f: the frame left is stored, the new one becomes the top. */
		frame_save(w, i, in_array);
		if (!push(ctx, d, f))
			return;
		w++;
		first = f->sub;
		nf = f->sub_n;
		i = 0;
		in_array = 0;
	}
body_end:
	if (d->frame_left) {
		if (d->probation) {
			d->op = OP_REFUTED;
			return;
		}
		ctx->cnt.frame_trailing++;
		rest_skip(d);
		return;
	}
	d->op = OP_NONE;
	d->k = K_DONE;
	return;
out:
	frame_save(w, i, in_array);
}

/* ---- bodies, straight-line ---- */

/* A body's straight-line decoder: false when it stopped as walk() returns, true for the walker
 * to go on from the frames it left. */
typedef bool bw_fn(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
		   struct piece *in);

/* Back to the walker at step i of the struct at level lv (the top of the stack). */
static inline bool
bw_at(struct kw_kafka_dir *d, unsigned int lv, unsigned int i, unsigned int in_array)
{
	frame_save(&d->stack[lv], i, in_array);
	return true;
}

/* Stopped (an op is pending or the frame refuted) at step i of level lv, as walk()'s out. */
static inline bool
bw_stop(struct kw_kafka_dir *d, unsigned int lv, unsigned int i, unsigned int in_array)
{
	frame_save(&d->stack[lv], i, in_array);
	return false;
}

/* Field f, nothing in it extracted, skipped in place as walk() does; false: left to the walker. */
static inline bool
bw_skip(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, const struct kw_kafka_field *f,
	struct piece *in)
{
	uint32_t off = 0, tags = 0;

	if (!skip_field(d, f, in->p, in->n, &off, &tags, d->depth))
		return false;
	take(d, in, off);
	ctx->cnt.tagged_skipped += tags;
	return true;
}

/*
 * A run of values at the piece's start: an array of fixed-width values (width each; lw the width
 * of its classic count) or the bytes of a string or bytes field (width 1, lw 2 or 4); nullable
 * or not. The prefix's size when the prefix and every value lie in the piece and pass the checks
 * skip_field() makes, with the count in *n (-1 null, read as none); 0 otherwise. Nothing taken.
 */
static __rte_always_inline uint32_t
run_peek(const struct kw_kafka_dir *d, const struct piece *in, unsigned int lw,
	 unsigned int width, bool nul, int64_t *n)
{
	int c = len_peek(d, in, lw, n);

	if (c <= 0 || *n < -1 || (*n == -1 && !nul))
		return 0;
	/* n < 2^32 and width <= 16: no overflow */
	if (*n > 0 && (uint64_t)*n * width > in->n - (uint32_t)c)
		return 0;
	return (uint32_t)c;
}

/*
 * A field nothing is extracted from that is a run of values (run_peek()): stepped over in place;
 * false where skip_field() would fail, for the walker to take the field op by op.
 */
static bool
bw_skip_run(struct kw_kafka_dir *d, struct piece *in, unsigned int lw, unsigned int width,
	    bool nul)
{
	int64_t n;
	uint32_t c = run_peek(d, in, lw, width, nul, &n);

	if (c == 0)
		return false;
	take(d, in, c + (n > 0 ? (uint32_t)n * width : 0));
	return true;
}

/*
 * A field nothing is extracted from that is an array of structs whose fields have a fixed size
 * (body bytes, tagged section excluded): stepped over in place with the checks skip_field()
 * makes, when every element's tagged section is empty (flexible versions); false otherwise, for
 * the walker to take the whole field again (skip_field() then counts the tagged fields).
 */
static inline bool
bw_skip_elems(struct kw_kafka_dir *d, struct piece *in, uint32_t body, bool nul)
{
	uint32_t off;
	int64_t n;
	int c = len_peek(d, in, 4, &n);

	if (c <= 0 || n < -1 || n > in->n - (uint32_t)c || (n == -1 && !nul) ||
	    d->depth + 1u > KW_KAFKA_STACK_MAX)
		return false;
	off = (uint32_t)c;
	if (n <= 0) {
		take(d, in, off);
		return true;
	}
	if (!d->flex) {
		/* n < 2^32 and body < 2^16: no overflow */
		if ((uint64_t)n * body > in->n - off)
			return false;
		take(d, in, off + (uint32_t)n * body);
		return true;
	}
	/*
	 * Every element's fields and tag byte lie in the piece, checked once for all (n < 2^32 and
	 * body < 2^16: no overflow): the field goes back to the walker at the first element short
	 * of them, whatever the others hold. Then only the tag bytes are read, a pointer stepping
	 * from element to element up to the last one's end.
	 */
	if ((uint64_t)n * (body + 1) > in->n - off)
		return false;
	const uint8_t *e = in->p + off, *end = e + (uint32_t)n * (body + 1);

	for (; e != end; e += body + 1)
		if (e[body] != 0)
			return false;
	take(d, in, (uint32_t)(end - in->p));
	return true;
}

/*
 * An extracted string (a name the event or the connection keeps): what value_read() does, with
 * the length and the value read in place when both lie whole in the piece; else value_read().
 */
static inline bool
bw_str(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
       const struct kw_kafka_field *f, struct piece *in)
{
	int64_t n;
	int c = len_peek(d, in, 2, &n);

	if (c <= 0 || n < -1 || n > in->n - (uint32_t)c || (n == -1 && !nullable(f)) ||
	    !str_wanted(d, f))
		return value_read(ctx, conn, d, f, in);
	d->f = f;
	take(d, in, (uint32_t)c);
	/* read where it lies (d->tmp is left empty: nothing reads it after on_string) */
	const struct str_val v = val_at(in->p, n);

	capture_begin(d, n);
	if (n > 0) {
		take(d, in, (uint32_t)n);
		d->left = 0;
		d->k = K_STR_DATA;
	}
	on_string(conn, d, ctx->ev, &v);
	return true;
}

/*
 * value_take() out of line: the generated functions call it for every extracted fixed-width
 * value, and a call is a tenth of the code of the value taken in place. On the replay the
 * worker's instruction cache, not the call, is what that code size costs.
 */
static __rte_noinline bool
bw_val(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
       const struct kw_kafka_field *f, struct piece *in, unsigned int width)
{
	return value_take(ctx, conn, d, f, in, width);
}

/*
 * An error code (int16, extracted) that lies in the piece: 0, nearly every one, is only taken,
 * which is all value_take() does with it (add_error() ignores 0); another goes through bw_val.
 */
static inline bool
bw_error(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	 const struct kw_kafka_field *f, struct piece *in)
{
	if ((in->p[0] | in->p[1]) != 0)
		return bw_val(ctx, conn, d, f, in, 2);
	d->f = f;
	take(d, in, 2);
	return walk_on(d);
}

/* A partition index (int32) that lies in the piece: what value_take() does with it. */
static inline bool
bw_part(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	const struct kw_kafka_field *f, struct piece *in)
{
	int32_t v = (int32_t)kw_kafka_prim_be32(in->p);

	d->f = f;
	take(d, in, 4);
	on_partition(ctx, d, d == &conn->dir[1], ctx->ev, v);
	return walk_on(d);
}

/*
 * A broker id (int32, entityType brokerId) that lies in the piece: what value_take() does with
 * it, which is only its place in the event's list (a Metadata response holds a few per
 * partition). Never refuses: the walk goes on.
 */
static inline void
bw_broker(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, const struct kw_kafka_field *f,
	  struct piece *in)
{
	d->f = f;
	add_broker(ctx, ctx->ev, (int32_t)kw_kafka_prim_be32(in->p));
	take(d, in, 4);
}

/*
 * An array of broker ids whose count and elements lie in the piece (run_peek()): each id into the
 * event's list as the walker would; false (nothing taken) otherwise, for the walker to take the
 * field element by element.
 */
static inline bool
bw_broker_run(struct kw_kafka_ctx *ctx, struct kw_kafka_dir *d, const struct kw_kafka_field *f,
	      struct piece *in, bool nul)
{
	int64_t n;
	uint32_t c;

	/* the usual list (replicas, an in-sync set): flexible, 0..126 ids, its count in one byte */
	if (d->flex && in->n != 0 && (uint8_t)(in->p[0] - 1u) < 0x7f &&
	    (in->p[0] - 1u) * 4u < in->n) {
		c = 1;
		n = in->p[0] - 1;
	} else {
		c = run_peek(d, in, 4, 4, nul, &n);
	}
	if (c == 0)
		return false;
	/* without lists the ids are skipped unread, not offered one by one (add_broker) */
	for (int64_t i = 0; !ctx->params.no_lists && i < n; i++)
		add_broker(ctx, ctx->ev, (int32_t)kw_kafka_prim_be32(in->p + c + i * 4));
	take(d, in, c + (n > 0 ? (uint32_t)n * 4 : 0));
	d->f = f;
	return true;
}

#include "kafka_body.inc"

_Static_assert(KW_KAFKA_BODY_STEPS == KW_KAFKA_STEP_COUNT,
	       "kafka_body.inc was not generated with kafka_schema.c");
const uint32_t kw_kafka_body_steps_fnv = KW_KAFKA_BODY_STEPS_FNV;

/*
 * A body (step program at kw_kafka_steps[first]) begins: decode it straight-line as far as the
 * piece goes. False when that stopped as walk() returns; true for walk() to go on.
 */
static bool
body_fast(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	  struct piece *in, uint16_t first)
{
	bw_fn *fn = bw_get(first);

	return fn == NULL || fn(ctx, conn, d, in);
}

/* ---- headers and frame ends ---- */

/*
 * The header's last field is read: its tagged section if it has one, then the body. An empty
 * section (one zero byte) in the piece is taken at once, as K_TAG_COUNT would with a count of 0.
 */
static void
header_done(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	    struct piece *in)
{
	/* Flexible versions' headers carry a tagged section, but ApiVersions responses' (header v0,
	 * so that any client can read them: KIP-511). */
	if (!d->flex || (d == &conn->dir[1] && d->api_key == KW_KAFKA_API_API_VERSIONS)) {
		body_begin(ctx, conn, d, in);
		return;
	}
	if (in->n && in->p[0] == 0) {
		take(d, in, 1);
		d->tag_after = AFTER_HDR;
		body_begin(ctx, conn, d, in);
		return;
	}
	tags_begin(d, AFTER_HDR);
}

/*
 * Header fast path: the next header field (width bytes) lies whole in the piece: taken, its
 * value in *v, and advance() goes straight on to the next field instead of setting an op.
 */
static inline bool
header_next(struct kw_kafka_dir *d, struct piece *in, unsigned int width, int64_t *v)
{
	if (in->n < width)
		return false;
	kw_kafka_prim_int(in->p, width, width, v);
	take(d, in, width);
	return true;
}

static void
frame_begin(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d)
{
	d->cur_topic = TOPIC_NONE;
	d->cur_group = KW_KAFKA_GROUP_NONE;
	d->err_depth = 0;
	d->part_depth = 0;
	d->align = 0;
	if (d->raw_left) {
		/* A raw SASL token (SaslHandshake v0): [int32 size][token], no Kafka header. */
		d->raw_left--;
		d->raw = 1;
		d->k = K_REST;
		d->op = OP_NONE;
		if (d->frame_left == 0)
			return;
		if (d->raw_user) {
			d->raw_user = 0;
			auth_begin(conn, d);
			want_run(d, OP_AUTH, d->frame_left, K_REST);
		} else {
			want_run(d, OP_SKIP, d->frame_left, K_REST);
		}
		return;
	}
	d->bad = 0;
	d->opaque = 0;
	d->matched = 0;
	d->depth = 0;
	d->topics = 0;
	d->topic_ids = 0;
	d->partitions = 0;
	d->off_seen = 0;
	d->api = NULL;
	d->api_key = -1;
	d->version = -1;
	if (d == &conn->dir[0]) {
		ev_reset(ctx->ev);
		want_fixed(d, 2, K_REQ_KEY);
	} else {
		want_fixed(d, 4, K_RESP_CORR);
	}
}

static inline void
frame_count(struct kw_kafka_ctx *ctx, unsigned int dir)
{
	if (dir == 0)
		ctx->cnt.frames_req++;
	else
		ctx->cnt.frames_resp++;
}

static void
frame_end(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d)
{
	unsigned int dir = d == &conn->dir[1];
	struct kw_kafka_event *ev = ctx->ev;
	uint32_t flen = d->frame_len + 4;

	if (d->raw) {
		d->raw = 0;
		frame_count(ctx, dir);
		ctx->cnt.sasl_raw_tokens++;
		d->mode = M_SIZE;
		want_fixed(d, 4, K_SIZE);
		return;
	}
	if (d->probation) {
		if (d->k != K_DONE || d->bad || d->opaque || !d->matched) {
			d->op = OP_REFUTED;
			return;
		}
		/* Its body decoded to the last byte: this is where the stream's frames are. */
		d->probation = 0;
		ctx->cnt.resync_ok++;
	}
	if (d->k != K_DONE && d->k != K_REST) {
		/* The frame ended inside a field: its size and its content disagree. */
		ctx->cnt.frame_malformed++;
		d->bad = 1;
	}
	frame_count(ctx, dir);
	d->mode = M_SIZE;
	want_fixed(d, 4, K_SIZE);
	if (d->off_seen != 0) {
		/* the next window of offsets: after this one, or from the first again */
		uint16_t *rot = &conn->off_rot[dir][off_class(d->api_key)];
		unsigned int end = *rot + off_window(d->api_key);

		*rot = d->off_seen > end ? (uint16_t)end : 0;
	}
	/* Only a header that got as far as its correlation id has a checked version. */
	if (d->api && d->matched && !d->opaque && d->version >= 0 &&
	    d->version <= KW_KAFKA_MAX_VERSION) {
		if (dir == 0) {
			ctx->cnt.req_count[d->api_key][d->version]++;
			ctx->cnt.req_bytes[d->api_key][d->version] += flen;
		} else {
			ctx->cnt.resp_count[d->api_key][d->version]++;
			ctx->cnt.resp_bytes[d->api_key][d->version] += flen;
		}
	}
	if (dir == 0) {
		if (!d->matched) {
			ctx->cnt.header_bad++; /* no correlation id: nothing to pair */
			return;
		}
		ev->req_off = d->frame_off;
		ev->req_len = flen;
		ev->t_req = ctx->now;
		/* A pair's counts are the larger of its two sides, never their sum: both sides
		 * usually name the same topics. */
		ev->topic_count = d->topics;
		ev->topic_id_count = d->topic_ids;
		ev->partition_count = d->partitions;
		if (d->bad)
			ev->flags |= KW_KAFKA_EV_REQ_BAD;
		if (d->opaque)
			ev->flags |= KW_KAFKA_EV_OPAQUE;
		if (ev->api_key == KW_KAFKA_API_PRODUCE && ev->acks == 0 && !d->bad &&
		    !d->opaque) {
			ev->flags |= KW_KAFKA_EV_NO_RESPONSE;
			/* Emitted only here: a pending request takes the client id at its
			 * response (pend_to_ev). */
			kw_kafka_str_copy(&ev->client_id,
					  kw_kafka_conn_id(conn, KW_KAFKA_ID_CLIENT_ID));
			emit(ctx, conn, ev);
			return;
		}
		pend_insert(ctx, conn, ev);
		return;
	}
	if (!d->matched)
		return;
	ev->resp_off = d->frame_off;
	ev->resp_len = flen;
	if (ctx->now >= ev->t_req) {
		ev->latency_tsc = ctx->now - ev->t_req;
	} else {
		/* a capture's timestamps went back (merged or reordered captures): no latency
		 * rather than a wrapped one of ~584 years */
		ev->latency_tsc = 0;
		ev->flags |= KW_KAFKA_EV_CLOCK_BACK;
		ctx->cnt.latency_clock_back++;
	}
	if (d->topics > ev->topic_count)
		ev->topic_count = d->topics;
	if (d->topic_ids > ev->topic_id_count)
		ev->topic_id_count = d->topic_ids;
	if (d->partitions > ev->partition_count)
		ev->partition_count = d->partitions;
	if (d->bad)
		ev->flags |= KW_KAFKA_EV_RESP_BAD;
	emit(ctx, conn, ev);
	if (ev->api_key == KW_KAFKA_API_SASL_HANDSHAKE && ev->api_version == 0 && !d->bad &&
	    !d->opaque && ev->error_count == 0)
		sasl_raw_begin(ctx, conn);
}

/* ---- advance: interpret a completed op ---- */

/* val holds the op's vlen bytes: gathered in buf, or in place in the segment (fast path). */
static void
advance(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	const uint8_t *val, uint8_t vlen, struct piece *in)
{
	struct kw_kafka_event *ev = ctx->ev;
	int64_t v = 0;
	uint64_t u = 0;
	int64_t n;
	int c;

	if (d->op == OP_FIXED && d->need <= 8) {
		kw_kafka_prim_int(val, vlen, d->need, &v);
	} else if (d->op == OP_UVAR) {
		c = kw_kafka_prim_uvarint(val, vlen, d->need, &u);
		if (c < 0) {
			frame_bad(d, &ctx->cnt.frame_malformed);
			return;
		}
	}
	d->op = OP_NONE;

	switch (d->k) {
	case K_REQ_KEY:
		ev->api_key = d->api_key = (int16_t)v;
		d->api = kw_kafka_api_get(d->api_key);
		if (!header_next(d, in, 2, &v)) {
			want_fixed(d, 2, K_REQ_VER);
			return;
		}
		/* fall through */
	case K_REQ_VER:
		ev->api_version = d->version = (int16_t)v;
		if (!header_next(d, in, 4, &v)) {
			want_fixed(d, 4, K_REQ_CORR);
			return;
		}
		/* fall through */
	case K_REQ_CORR:
		ev->corr_id = d->corr = (int32_t)v;
		d->matched = 1; /* the header got far enough to pair a response with it */
		if (d->api == NULL) {
			ctx->cnt.api_unknown++;
			d->opaque = 1;
			rest_skip(d);
			return;
		}
		ev->api_name = d->api->name;
		if (!in_range((unsigned int)d->version, d->api->req.ver_min, d->api->req.ver_max)) {
			ctx->cnt.version_unknown++;
			d->opaque = 1;
			rest_skip(d);
			return;
		}
		d->flex = in_range((unsigned int)d->version, d->api->req.flex_min,
				   KW_KAFKA_VER_OPEN);
		/*
		 * Request header v0 (no client id) survives only in ControlledShutdown v0. Told by
		 * the api's pointer: GCC compared api_key and version, stored just before as two
		 * 16-bit values, with one 32-bit load, which cannot take its bytes from two stores
		 * and waited for every older store to reach the cache (a fifth of frames_feed's
		 * samples on the 10k replay).
		 */
		if (d->api == &kw_kafka_apis[KW_KAFKA_API_CONTROLLED_SHUTDOWN] && d->version == 0) {
			header_done(ctx, conn, d, in);
			return;
		}
		/* client id is never compact (KIP-482) */
		if (!header_next(d, in, 2, &v)) {
			want_fixed(d, 2, K_REQ_CID_LEN);
			return;
		}
		/* fall through */
	case K_REQ_CID_LEN:
		n = (int16_t)v;
		if (n < -1 || n > d->frame_left) {
			frame_bad(d, &ctx->cnt.header_bad);
			return;
		}
		capture_begin(d, n);
		if (n > in->n) {
			want_run(d, OP_CAPTURE, (uint64_t)n, K_REQ_CID);
			return;
		}
		if (n > 0) {
			/* Fast path: the whole client id is in the piece, read where it lies. */
			const struct str_val cid = val_at(in->p, n);

			take(d, in, (uint32_t)n);
			id_put(conn, KW_KAFKA_ID_CLIENT_ID, &cid);
			header_done(ctx, conn, d, in);
			return;
		}
		/* fall through */
	case K_REQ_CID: {
		const struct str_val cid = val_tmp(d);

		id_put(conn, KW_KAFKA_ID_CLIENT_ID, &cid);
		header_done(ctx, conn, d, in);
		return;
	}
	case K_RESP_CORR:
		d->corr = (int32_t)v;
		if (pend_take(conn, d->corr, ev) < 0) {
			ctx->cnt.resp_unmatched++;
			d->matched = 0;
			rest_skip(d);
			return;
		}
		d->matched = 1;
		d->api_key = ev->api_key;
		d->version = ev->api_version;
		d->api = kw_kafka_api_get(d->api_key);
		if (d->api == NULL || (ev->flags & KW_KAFKA_EV_OPAQUE) ||
		    !in_range((unsigned int)d->version, d->api->resp.ver_min,
			      d->api->resp.ver_max)) {
			d->opaque = 1;
			rest_skip(d);
			return;
		}
		d->flex = in_range((unsigned int)d->version, d->api->resp.flex_min,
				   KW_KAFKA_VER_OPEN);
		if (d->api_key == KW_KAFKA_API_METADATA) {
			/* The event's topics become the response's, each name with its id. */
			d->align = 1;
			ev->n_topics = 0;
			ev->n_topic_ids = 0;
			ev->flags &= ~KW_KAFKA_EV_TOPICS_TRUNC;
			ev->flags |= KW_KAFKA_EV_TOPIC_IDS_ALIGNED;
		}
		header_done(ctx, conn, d, in);
		return;
	case K_TAG_COUNT:
		if (u > KW_KAFKA_TAGS_MAX) {
			frame_bad(d, &ctx->cnt.tagged_too_many);
			return;
		}
		if (u * 2 > d->frame_left) {
			frame_bad(d, &ctx->cnt.frame_malformed);
			return;
		}
		d->tags_left = (uint8_t)u;
		goto next_tag;
	case K_TAG_ID:
		want_uvar(d, K_TAG_SIZE);
		return;
	case K_TAG_SIZE:
		if (u > d->frame_left) {
			frame_bad(d, &ctx->cnt.frame_malformed);
			return;
		}
		ctx->cnt.tagged_skipped++;
		if (u) {
			want_run(d, OP_SKIP, u, K_TAG_DATA);
			return;
		}
		/* fall through */
	case K_TAG_DATA:
		d->tags_left--;
next_tag:
		if (d->tags_left) {
			want_uvar(d, K_TAG_ID);
			return;
		}
		if (d->tag_after == AFTER_HDR) {
			body_begin(ctx, conn, d, in);
			return;
		}
		d->depth--;
		walk(ctx, conn, d, in);
		return;
	case K_ARRAY_LEN:
		array_begin(ctx, conn, d, d->flex ? (int64_t)u - 1 : (int32_t)v, in);
		if (walk_on(d))
			walk(ctx, conn, d, in);
		return;
	case K_STRUCT_NULL:
		d->stack[d->depth - 1].i++;
		if ((int8_t)v >= 0 && !push(ctx, d, d->f))
			return;
		walk(ctx, conn, d, in);
		return;
	case K_VALUE:
		value_got(ctx, conn, d, val, v, in);
		if (walk_on(d))
			walk(ctx, conn, d, in);
		return;
	case K_STR_LEN:
	case K_BYTES_LEN:
		blob_begin(ctx, conn, d, d->flex ? (int64_t)u - 1 : v, in);
		run_inline(ctx, conn, d, in);
		if (walk_on(d))
			walk(ctx, conn, d, in);
		return;
	case K_STR_DATA: {
		const struct str_val t = val_tmp(d);

		on_string(conn, d, ev, &t);
		walk(ctx, conn, d, in);
		return;
	}
	case K_BYTES_DATA:
		walk(ctx, conn, d, in);
		return;
	default:
		return;
	}
}

/*
 * Run the pending op over at most avail bytes of the frame at p (stream offset d->pos); returns
 * the bytes consumed, d->pos past them.
 */
static uint32_t
run(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
    const uint8_t *p, uint32_t avail)
{
	struct piece in = {p, avail, d->pos - (uintptr_t)p};

	while (in.n) {
		const uint8_t *val = d->buf;
		uint32_t n = in.n;
		uint64_t u;
		int c;

		switch (d->op) {
		case OP_FIXED:
			if (d->have == 0 && n >= d->need) {
				/* Fast path: the whole value is here, read it in place. */
				val = in.p;
				take(d, &in, d->need);
				break;
			}
			if (n > (uint32_t)(d->need - d->have))
				n = d->need - d->have;
			memcpy(d->buf + d->have, in.p, n);
			d->have += (uint8_t)n;
			take(d, &in, n);
			if (d->have < d->need)
				continue;
			break;
		case OP_UVAR:
			if (d->have == 0) {
				c = kw_kafka_prim_uvarint(in.p, n, d->need, &u);
				if (c > 0) {
					/* Fast path, as above; a bad one is gathered and judged. */
					val = in.p;
					d->have = (uint8_t)c;
					take(d, &in, (uint32_t)c);
					break;
				}
			}
			/* Gather up to the byte without a continuation bit, at most need bytes. */
			n = 0;
			while (n < in.n) {
				uint8_t b = in.p[n++];
				d->buf[d->have++] = b;
				if (!(b & 0x80) || d->have == d->need)
					break;
			}
			take(d, &in, n);
			if ((d->buf[d->have - 1] & 0x80) && d->have < d->need)
				continue;
			break;
		case OP_SKIP:
		case OP_CAPTURE:
		case OP_RECORDS:
		case OP_AUTH:
			if (n > d->left)
				n = (uint32_t)d->left;
			if (d->op == OP_CAPTURE)
				capture(&d->tmp, in.p, n);
			else if (d->op == OP_RECORDS)
				kw_kafka_records_feed(&d->rs, in.p, n);
			else if (d->op == OP_AUTH)
				auth_scan(ctx, conn, d, in.p, n);
			d->left -= n;
			take(d, &in, n);
			if (d->left)
				continue;
			if (d->op == OP_RECORDS) {
				kw_kafka_records_end(&d->rs);
				if (d->rs.next >= 0 && d->api_key == KW_KAFKA_API_FETCH &&
				    d == &conn->dir[1])
					fetched_set(ctx, d, ctx->ev, d->rs.next);
				else if (d->rs.span > 0 && d->api_key == KW_KAFKA_API_PRODUCE &&
					 d == &conn->dir[0])
					offset_add(ctx, d, ctx->ev, KW_KAFKA_OFF_PRODUCED,
						   d->rs.span);
			}
			if (d->k == K_REST) {
				d->op = OP_NONE;
				continue;
			}
			break;
		default:
			/* Body done but bytes remain: walk() always sets a skip for those. */
			goto out;
		}
		advance(ctx, conn, d, val, d->op == OP_FIXED ? d->need : d->have, &in);
		if (d->op == OP_REFUTED)
			break;
	}
out:
	d->pos = piece_pos(&in);
	return avail - in.n;
}
static void resync_refuted(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn,
			   struct kw_kafka_dir *d);

/*
 * Decode len in-order bytes starting at stream offset d->pos; returns the bytes consumed, fewer
 * than len only when a probation frame was refuted (the direction is back in resync).
 */
static uint32_t
frames_feed(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d,
	    const uint8_t *p, uint32_t len)
{
	uint32_t done = 0;

	while (done < len) {
		if (d->mode == M_OPAQUE) {
			ctx->cnt.opaque_bytes += len - done;
			return len;
		}
		if (d->mode == M_SIZE) {
			const uint8_t *sz = d->buf;
			uint32_t n = d->need - d->have;

			if (d->have == 0)
				d->frame_off = d->pos;
			if (d->have == 0 && len - done >= n) {
				sz = p + done; /* fast path: the whole size field is here */
			} else {
				if (n > len - done)
					n = len - done;
				memcpy(d->buf + d->have, p + done, n);
			}
			d->have += (uint8_t)n;
			d->pos += n;
			done += n;
			if (d->have < d->need)
				return done;
			int32_t size = (int32_t)kw_kafka_prim_be32(sz);
			if (size < 0 || (uint32_t)size > ctx->params.max_frame) {
				/* Not Kafka, or lost sync: framing cannot be trusted again. */
				ctx->cnt.frame_size_bad++;
				d->mode = M_OPAQUE;
				continue;
			}
			d->frame_len = (uint32_t)size;
			d->frame_left = (uint32_t)size;
			d->mode = M_FRAME;
			/* a frame the feed holds whole is built in the ctx; one that spans feeds
			 * in a parked event, where it waits for its next bytes (park_take) */
			ctx->ev = (uint32_t)size <= len - done
					  ? &ctx->work
					  : park_take(ctx, conn, d == &conn->dir[1]);
			frame_begin(ctx, conn, d);
			if (size == 0)
				frame_end(ctx, conn, d);
			continue;
		}
		uint32_t avail = len - done < d->frame_left ? len - done : d->frame_left;
		uint32_t n = run(ctx, conn, d, p + done, avail);
		done += n;
		if (d->op != OP_REFUTED && d->frame_left == 0)
			frame_end(ctx, conn, d);
		if (d->op == OP_REFUTED) {
			resync_refuted(ctx, conn, d);
			return done;
		}
		if (n == 0 && d->frame_left)
			return len; /* cannot happen: a live frame always has an op */
	}
	return done;
}

/* ---- resync after a mid-stream pickup ---- */

/*
 * Bytes a candidate start needs: a request's size, api key, version, correlation id and client
 * id length; a response's size and correlation id. Both fit win, which carries the last
 * RS_*_HDR - 1 bytes of a piece to the next one.
 */
#define RS_REQ_HDR KW_KAFKA_REQ_START_LEN
#define RS_RESP_HDR 8
/*
 * Policy: a longer client id is not taken for a frame start. Real ones are short names, while a
 * header read a few bytes late takes two client id characters (>= 0x2020) for the length.
 */
#define RS_CID_MAX 1024
_Static_assert(RS_REQ_HDR <= sizeof(((struct kw_kafka_dir *)0)->win), "resync window");

bool
kw_kafka_req_start_plausible(const uint8_t *h, uint32_t max_frame)
{
	int32_t size = (int32_t)kw_kafka_prim_be32(h);
	int16_t ver = (int16_t)kw_kafka_prim_be16(h + 6);
	int16_t cid = (int16_t)kw_kafka_prim_be16(h + 12);
	const struct kw_kafka_api *api = kw_kafka_api_get((int16_t)kw_kafka_prim_be16(h + 4));

	/* Header v1+: key, version, correlation id and client id length take 10 bytes. */
	if (size < 10 || (uint32_t)size > max_frame || api == NULL || ver < 0 ||
	    ver > KW_KAFKA_MAX_VERSION ||
	    !in_range((unsigned int)ver, api->req.ver_min, api->req.ver_max))
		return false;
	return cid >= -1 && cid <= RS_CID_MAX && cid <= size - 10;
}

static bool
resp_start_plausible(const struct kw_kafka_ctx *ctx, const struct kw_kafka_conn *conn,
		     const uint8_t *h)
{
	int32_t size = (int32_t)kw_kafka_prim_be32(h);
	int32_t corr = (int32_t)kw_kafka_prim_be32(h + 4);

	if (size < 4 || (uint32_t)size > ctx->params.max_frame)
		return false;
	/* Oldest first: responses come back in request order. */
	for (unsigned int i = 0; i < conn->pend_n; i++) {
		const struct kw_kafka_pending *pd = &conn->pend[(conn->pend_head + i) %
								KW_KAFKA_INFLIGHT_MAX];
		if (pd->used && pd->corr_id == corr)
			return true;
	}
	return false;
}

/*
 * A request start is only trusted when the previous plausible start's frame ends exactly there:
 * headers are made of small integers, and so are bodies (epochs, offsets, max wait), so one
 * plausible header alone is often a false start. The first whole frame is the price (skipped).
 * Returns true when off ends a tracked candidate; else tracks the frame h starts at off.
 */
static bool
chain(struct kw_kafka_dir *d, uint64_t off, const uint8_t *h)
{
	uint64_t end = off + 4 + kw_kafka_prim_be32(h);
	unsigned int n = 0, far = 0;

	for (unsigned int c = 0; c < d->cand_n; c++) {
		if (d->cand_end[c] == off)
			return true;
		/* An end already passed was not a start: dropped. */
		if (d->cand_end[c] > off)
			d->cand_end[n++] = d->cand_end[c];
	}
	d->cand_n = (uint8_t)n;
	if (n < RTE_DIM(d->cand_end)) {
		d->cand_end[d->cand_n++] = end;
		return false;
	}
	/* Policy: full, the start claiming the longest frame (the least likely) makes room. */
	for (unsigned int c = 1; c < n; c++)
		if (d->cand_end[c] > d->cand_end[far])
			far = c;
	if (end < d->cand_end[far])
		d->cand_end[far] = end;
	return false;
}

/* Byte i of the virtual stream win[0 .. win_n) followed by p. */
static inline uint8_t
rs_at(const struct kw_kafka_dir *d, const uint8_t *p, uint32_t i)
{
	return i < d->win_n ? d->win[i] : p[i - d->win_n];
}

/* Keep bytes [i, win_n + len) of the virtual stream in win (fewer than a header). */
static void
rs_keep(struct kw_kafka_dir *d, const uint8_t *p, uint32_t len, uint32_t i)
{
	uint32_t n = 0, from = 0;

	if (i < d->win_n) {
		n = d->win_n - i;
		memmove(d->win, d->win + i, n);
	} else {
		from = i - d->win_n;
	}
	memcpy(d->win + n, p + from, len - from);
	d->win_n = (uint8_t)(n + len - from);
}

static void
rs_enter(struct kw_kafka_dir *d)
{
	d->mode = M_RESYNC;
	d->win_n = 0;
	d->cand_n = 0;
	d->op = OP_NONE;
	d->have = 0;
	d->probation = 0;
}

/*
 * The probation frame did not decode: it was a false start. Its bytes count as skipped (and
 * against the bound) and scanning resumes right after the last byte the decoder took. What it
 * wrote of the connection's identity (a client id from its header, a client software or a user
 * from its body) came from bytes that were not a frame: those strings are unknown again rather
 * than wrong. A real frame's header writes the client id again; the software and the user of a
 * connection picked up mid-stream may never come back.
 */
static void
resync_refuted(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, struct kw_kafka_dir *d)
{
	uint64_t n = d->pos - d->frame_off;

	conn->id_set &= (uint8_t)~conn->id_probation;
	ctx->cnt.resync_false++;
	ctx->cnt.resync_skipped_bytes += n;
	d->rs_scanned = n >= UINT32_MAX - d->rs_scanned ? UINT32_MAX : d->rs_scanned + (uint32_t)n;
	rs_enter(d);
	ev_reset(ctx->ev);
	if (d->rs_scanned >= ctx->params.resync_max) {
		ctx->cnt.resync_failed++;
		d->mode = M_OPAQUE;
	}
}

/*
 * Scan the next piece of a resyncing direction (d->pos is the offset of p[0]); returns the bytes
 * of p it took: all of them, or up to a plausible start, where decoding takes over. Every
 * position is tested once whatever the split, so outcome and counters do not depend on how the
 * stream was cut. Responses are only tested while dir 0 is synced with requests pending; until
 * then their bytes are skipped, not counted against the bound (they answer unseen requests).
 * A request start decodes on probation (its first frame must decode cleanly); a response start
 * is already confirmed by its correlation id.
 */
static uint32_t
resync_scan(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir,
	    const uint8_t *p, uint32_t len)
{
	struct kw_kafka_dir *d = &conn->dir[dir];
	const struct kw_kafka_dir *req = &conn->dir[0];
	uint32_t need = dir == 0 ? RS_REQ_HDR : RS_RESP_HDR;
	uint32_t total = d->win_n + len;
	uint8_t top = (uint8_t)(ctx->params.max_frame >> 24);
	uint8_t h[RS_REQ_HDR];
	uint32_t i = 0;

	if (dir == 1 && req->mode == M_OPAQUE) {
		/* Policy: without requests there is nothing to pair responses with; give up. */
		i = total;
		goto fail;
	}
	if (dir == 1 && (req->mode == M_RESYNC || conn->pend_n == 0)) {
		if (total >= need)
			i = total - (need - 1);
		ctx->cnt.resync_skipped_bytes += i;
		rs_keep(d, p, len, i);
		d->pos += len;
		return len;
	}
	for (; i + need <= total; i++) {
		bool ok = false;

		/* A size's first byte above max_frame's rules most positions out cheaply. */
		if (rs_at(d, p, i) <= top) {
			for (uint32_t k = 0; k < need; k++)
				h[k] = rs_at(d, p, i + k);
			ok = dir == 0 ? kw_kafka_req_start_plausible(h, ctx->params.max_frame) :
					resp_start_plausible(ctx, conn, h);
		}
		if (ok && (dir == 1 || chain(d, d->pos - d->win_n + i, h)))
			goto found;
		if (++d->rs_scanned >= ctx->params.resync_max) {
			i++;
			goto fail;
		}
	}
	ctx->cnt.resync_skipped_bytes += i;
	rs_keep(d, p, len, i);
	d->pos += len;
	return len;

found: {
	/* Fewer than need bytes of the start may sit in win: all inside the header just checked,
	 * so feeding them cannot refute the start nor end its frame. */
	uint8_t tail[sizeof(d->win)];
	uint32_t nt = 0, from = 0;
	uint64_t start = d->pos - d->win_n + i;

	if (i < d->win_n) {
		nt = d->win_n - i;
		memcpy(tail, d->win + i, nt);
	} else {
		from = i - d->win_n;
	}
	ctx->cnt.resync_skipped_bytes += i;
	d->win_n = 0;
	d->mode = M_SIZE;
	want_fixed(d, 4, K_SIZE);
	d->pos = start;
	if (dir == 0) {
		d->probation = 1;
		conn->id_probation = 0;
	} else {
		d->rs_scanned = 0;
		ctx->cnt.resync_ok++;
	}
	frames_feed(ctx, conn, d, tail, nt);
	return from;
}
fail:
	ctx->cnt.resync_skipped_bytes += i;
	ctx->cnt.opaque_bytes += total - i;
	ctx->cnt.resync_failed++;
	d->win_n = 0;
	d->mode = M_OPAQUE;
	return len;
}

void
kw_kafka_conn_resync(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir)
{
	struct kw_kafka_dir *d = &conn->dir[dir & 1];
	uint64_t pos = d->pos;

	if (d->mode == M_FRAME || (d->mode == M_SIZE && d->have))
		ctx->cnt.frame_truncated++;
	ctx->cnt.resync_started++;
	park_drop(ctx, conn, dir & 1);
	memset(d, 0, sizeof(*d));
	d->pos = pos;
	rs_enter(d);
}

/*
 * Between feeds, the event of a direction inside a frame (M_FRAME: from frame_begin to
 * frame_end) is parked: conn->park[] (see kw_kafka_conn_feed).
 */
static inline bool
ev_parked(const struct kw_kafka_dir *d)
{
	return d->mode == M_FRAME;
}

void
kw_kafka_conn_feed(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir,
		   uint64_t off, const uint8_t *p, uint32_t len, uint64_t now_tsc)
{
	struct kw_kafka_dir *d = &conn->dir[dir & 1];

	ctx->now = now_tsc;
	ctx->feed_conn = conn;
	ctx->feed_dir = dir & 1;
	if (dir & 1)
		ctx->cnt.bytes_resp += len;
	else
		ctx->cnt.bytes_req += len;
	d->pos = off;
	/*
	 * A frame's event is built in ctx->work, which stays in cache across connections, when
	 * the feed that starts the frame holds all of it, else in a parked event, where the next
	 * feed finds it (frames_feed decides at each frame start): a slot of the ctx's pool,
	 * which a burst of segments of one connection after another keeps in cache. Building it
	 * in conn->ev[] cost a miss on each of its ~7 lines written; parking a copy of ctx->work
	 * there and copying it back cost a frame that spans two segments ~30% more with 10k
	 * connections (perf/kwdecode --by-api: Fetch responses ~1,600 against ~1,150 cycles).
	 */
	ctx->ev = ev_parked(d) ? park_take(ctx, conn, dir & 1) : &ctx->work;
	/* Each turn either consumes bytes or leaves resync for decoding, which then consumes. */
	while (len) {
		uint32_t n;

		if (d->mode == M_RESYNC)
			n = resync_scan(ctx, conn, dir & 1, p, len);
		else
			n = frames_feed(ctx, conn, d, p, len);
		p += n;
		len -= n;
	}
	if (!ev_parked(d)) {
		park_drop(ctx, conn, dir & 1);
		return;
	}
	/* cannot happen (a frame the feed held whole ended in it): kept as a safety net */
	if (ctx->ev != park_take(ctx, conn, dir & 1))
		event_copy(conn->park[dir & 1], ctx->ev);
}

void
kw_kafka_conn_gap(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn, unsigned int dir)
{
	struct kw_kafka_dir *d = &conn->dir[dir & 1];

	if (d->mode == M_OPAQUE)
		return;
	ctx->cnt.gaps++;
	d->win_n = 0;
	if (d->mode == M_FRAME || d->have)
		ctx->cnt.frame_truncated++;
	d->mode = M_OPAQUE;
	park_drop(ctx, conn, dir & 1);
}

void
kw_kafka_conn_ident(const struct kw_kafka_conn *conn, struct kw_kafka_ident *id)
{
	kw_kafka_str_copy(&id->client_id, kw_kafka_conn_id(conn, KW_KAFKA_ID_CLIENT_ID));
	kw_kafka_str_copy(&id->sw_name, kw_kafka_conn_id(conn, KW_KAFKA_ID_SW_NAME));
	kw_kafka_str_copy(&id->sw_version, kw_kafka_conn_id(conn, KW_KAFKA_ID_SW_VERSION));
	kw_kafka_str_copy(&id->mechanism, kw_kafka_conn_id(conn, KW_KAFKA_ID_MECHANISM));
	kw_kafka_str_copy(&id->user, kw_kafka_conn_id(conn, KW_KAFKA_ID_USER));
	kw_kafka_str_copy(&id->txn_id, kw_kafka_conn_id(conn, KW_KAFKA_ID_TXN_ID));
}

void
kw_kafka_conn_reset(struct kw_kafka_conn *conn)
{
	/*
	 * Only what is read before it is written: pending entries count only between pend_head and
	 * pend_n, details by detail_used, a direction's buffers below their counts, events where
	 * their frames start. A 5-tuple reused every few dozen packets (replays, short
	 * connections) then costs a few cache lines, not the 16 KiB of the struct.
	 */
	conn->id_set = 0; /* id's strings are read only once written */
	conn->emitted = 0;
	conn->park[0] = conn->park[1] = NULL; /* a freed conn gave them back */
	memset(conn->off_rot, 0, sizeof(conn->off_rot));
	conn->pend_head = 0;
	conn->pend_n = 0;
	conn->detail_used = 0;
	for (unsigned int i = 0; i < 2; i++) {
		struct kw_kafka_dir *d = &conn->dir[i];
		memset(d, 0, offsetof(struct kw_kafka_dir, stack));
		d->mode = M_SIZE;
		want_fixed(d, 4, K_SIZE);
	}
	/* ev[0] is reset where each request starts, ev[1] filled from the pending request */
}
