/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kafka ctx and connection pool: the only part of the decoder that allocates (at init); the
 * counter names and help generated from KW_KAFKA_COUNTERS.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dataplane/kafka/kafka_decode.h"
#include "dataplane/mem.h"

#define KW_KAFKA_CTR_NAME(name, help) #name,
const char *const kw_kafka_ctr_names[KW_KAFKA_CTR_COUNT] = {KW_KAFKA_COUNTERS(KW_KAFKA_CTR_NAME)};
#undef KW_KAFKA_CTR_NAME

#define KW_KAFKA_CTR_HELP(name, help) help,
const char *const kw_kafka_ctr_help[KW_KAFKA_CTR_COUNT] = {KW_KAFKA_COUNTERS(KW_KAFKA_CTR_HELP)};
#undef KW_KAFKA_CTR_HELP

/* kw_kafka_ctr_get and kw_kafka_counters_add see the struct as an array of uint64_t. */
_Static_assert(offsetof(struct kw_kafka_counters, req_count) ==
		       KW_KAFKA_CTR_COUNT * sizeof(uint64_t),
	       "the counter table is not the start of struct kw_kafka_counters");
_Static_assert(sizeof(struct kw_kafka_counters) % sizeof(uint64_t) == 0,
	       "struct kw_kafka_counters holds only uint64_t");

struct kw_kafka_ctx *
kw_kafka_ctx_create(const struct kw_kafka_params *params, int socket, kw_kafka_emit_fn emit,
		    void *emit_arg)
{
	struct kw_kafka_ctx *ctx;
	uint32_t n = params && params->max_conns ? params->max_conns : KW_KAFKA_DEFAULT_MAX_CONNS;

	ctx = rte_zmalloc_socket("kw_kafka_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE, socket);
	if (ctx == NULL)
		return NULL;
	ctx->pool = kw_mem_table_alloc("kw_kafka_conns", (size_t)n * sizeof(*ctx->pool), socket);
	if (ctx->pool == NULL)
		goto fail_ctx;
	ctx->params.max_frame = params && params->max_frame ? params->max_frame :
				KW_KAFKA_DEFAULT_MAX_FRAME;
	ctx->params.max_conns = n;
	ctx->params.no_lists = params && params->no_lists;
	ctx->params.resync_max = params && params->resync_max ? params->resync_max :
				 KW_KAFKA_DEFAULT_RESYNC_MAX;
	ctx->n_conns = n;
	ctx->emit = emit;
	ctx->emit_arg = emit_arg;
	ctx->ev = &ctx->work;
	for (unsigned int i = KW_KAFKA_PARK_MAX; i-- > 0;)
		ctx->park_free[ctx->park_n++] = &ctx->park[i];
	for (uint32_t i = n; i-- > 0;) {
		ctx->pool[i].next_free = ctx->free_list;
		ctx->free_list = &ctx->pool[i];
	}
	return ctx;

fail_ctx:
	rte_free(ctx);
	return NULL;
}

void
kw_kafka_ctx_destroy(struct kw_kafka_ctx *ctx)
{
	if (ctx == NULL)
		return;
	kw_mem_table_free(ctx->pool, (size_t)ctx->n_conns * sizeof(*ctx->pool));
	rte_free(ctx);
}

const struct kw_kafka_counters *
kw_kafka_ctx_counters(const struct kw_kafka_ctx *ctx)
{
	return &ctx->cnt;
}

void
kw_kafka_ctx_set_record_hook(struct kw_kafka_ctx *ctx, kw_kafka_record_hook_fn fn, void *arg)
{
	ctx->rec_fn = fn;
	ctx->rec_arg = arg;
}

void
kw_kafka_counters_add(struct kw_kafka_counters *dst, const struct kw_kafka_counters *src)
{
	const uint64_t *s = (const uint64_t *)src;
	uint64_t *d = (uint64_t *)dst;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

/*
 * Prefetch for a write (rte_prefetch0_write is experimental in DPDK 22.11). Under Debian's
 * -march=corei7 this is a read prefetch: enough here, where the lines are this worker's own, so
 * the read finds no other copy and brings the line exclusive (a record's lines, which the
 * control thread shares, take PREFETCHW: dataplane/inspect.c).
 */
static inline void
prefetch_w(const void *p)
{
	__builtin_prefetch(p, 1, 3);
}

struct kw_kafka_conn *
kw_kafka_conn_alloc(struct kw_kafka_ctx *ctx)
{
	struct kw_kafka_conn *conn = ctx->free_list;

	if (conn == NULL) {
		ctx->cnt.conn_alloc_fail++;
		return NULL;
	}
	ctx->free_list = conn->next_free;
	conn->next_free = NULL;
	conn->in_use = 1;
	kw_kafka_conn_reset(conn);
	/*
	 * The next connection's lines its reset writes, ahead of its SYN: with 10k connections
	 * a free one was last used thousands of connections ago, and its first line also links
	 * the list, so each allocation missed on it before it could start the reset.
	 */
	if (ctx->free_list != NULL) {
		const struct kw_kafka_conn *nx = ctx->free_list;

		prefetch_w(nx);
		for (unsigned int i = 0; i < 2; i++)
			for (unsigned int l = 0; l < offsetof(struct kw_kafka_dir, stack);
			     l += RTE_CACHE_LINE_SIZE)
				prefetch_w((const char *)&nx->dir[i] + l);
	}
	return conn;
}

void
kw_kafka_conn_free(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn)
{
	if (conn == NULL || !conn->in_use)
		return;
	kw_kafka_conn_flush(ctx, conn);
	kw_kafka_conn_unpark(ctx, conn);
	conn->in_use = 0;
	conn->next_free = ctx->free_list;
	ctx->free_list = conn;
}

/*
 * A feed of at least this many bytes (nearly a full segment) most likely holds records (a Produce
 * request, a Fetch response) or goes on a frame that spans segments.
 */
#define PREFETCH_SPAN_MIN 1024

/*
 * The lines of a parked event that a frame spanning feeds writes first: the scalars, names,
 * records summary and partition list, and the first entry of each other list.
 */
static inline void
event_prefetch(const struct kw_kafka_event *ev)
{
	unsigned int i;

	for (i = 0; i < offsetof(struct kw_kafka_event, topics) / RTE_CACHE_LINE_SIZE; i++)
		prefetch_w((const char *)ev + i * RTE_CACHE_LINE_SIZE);
	prefetch_w(&ev->topics[0]);
	prefetch_w(&ev->offsets[0]);
	prefetch_w(&ev->rfields[0]);
}

/*
 * The detail slot a request would copy its lists into (the first free one) or a response would
 * copy them back from (the first used one: with one request in flight at a time, its own).
 */
static inline void
detail_prefetch(const struct kw_kafka_conn *conn, unsigned int dir)
{
	unsigned int used = conn->detail_used;
	unsigned int i = dir ? (used ? (unsigned int)__builtin_ctz(used) : KW_KAFKA_DETAIL_MAX)
			     : (unsigned int)__builtin_ctz(~used);
	const struct kw_kafka_detail *dt;

	if (i >= KW_KAFKA_DETAIL_MAX)
		return;
	/* the counts and the packed lists' first bytes: a Produce request's topic, offset, records
	 * field and partition take ~70 bytes */
	dt = &conn->detail[i];
	prefetch_w(dt);
	prefetch_w((const char *)dt + RTE_CACHE_LINE_SIZE);
}

void
kw_kafka_conn_prefetch(const struct kw_kafka_conn *conn, unsigned int dir, const uint8_t *pay,
		       uint32_t len)
{
	const char *d = (const char *)&conn->dir[dir & 1];
	/* a request fills the next free pending entry, a response usually takes the oldest */
	unsigned int slot = dir & 1 ? conn->pend_head
				    : (conn->pend_head + conn->pend_n) % KW_KAFKA_INFLIGHT_MAX;
	const char *pd = (const char *)&conn->pend[slot];
	/* without records: the head, the stack and the capture buffer's head (the line rs starts
	 * in also holds the buffer's tail, which only a long name reaches) */
	unsigned int i, lines = offsetof(struct kw_kafka_dir, rs) / RTE_CACHE_LINE_SIZE;
	bool records = true, detail = true;

	/*
	 * What the feed most likely holds, for the lines it may skip: a request that starts in it
	 * names its api (pay[4..5]); a response has a request with a detail slot waiting, or none.
	 * A long feed is likely records (a Produce request, a Fetch response), or goes on a
	 * spanning frame whose api this cannot see. A wrong guess only costs a miss.
	 */
	if (len < PREFETCH_SPAN_MIN) {
		if (dir & 1) {
			records = detail = conn->detail_used != 0;
		} else if (pay != NULL && len >= 6) {
			unsigned int api = (unsigned int)pay[4] << 8 | pay[5];

			records = api == KW_KAFKA_API_PRODUCE;
			detail = api >= 64 || !(KW_KAFKA_REQ_NO_DETAIL >> api & 1);
		}
	}
	if (records)
		lines = (offsetof(struct kw_kafka_dir, rs.hdr) + KW_KAFKA_BATCH_HDR_LEN +
			 RTE_CACHE_LINE_SIZE - 1) /
			RTE_CACHE_LINE_SIZE;
	/*
	 * What a feed touches first: the direction's walker state, the pending entry and the
	 * connection's client id. With 10k connections every one of them misses the cache; started
	 * a few feeds ahead (the worker's DECODE_AHEAD), the misses overlap with the work between.
	 * Reads the connection's first line, which the caller should have prefetched earlier. (The
	 * event of a frame whole in its feed is built in the ctx.) The record-set state runs to the
	 * end of the batch header gathered in rs.hdr: its second line missed on every batch's
	 * header fields with 10k connections (half of kw_kafka_records_feed's samples).
	 */
	for (i = 0; i < lines; i++)
		rte_prefetch0(d + i * RTE_CACHE_LINE_SIZE);
	/*
	 * The pending entry up to its group's head, although most requests write and most
	 * responses read only its first line (kw_kafka_pending.kept): with only the lines an entry
	 * keeps, kwdecode --ahead 8 on the 10k replay ran ~10% slower.
	 */
	for (i = 0; i < (offsetof(struct kw_kafka_pending, group_id) + KW_KAFKA_STR_HEAD +
			 RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE;
	     i++)
		rte_prefetch0(pd + i * RTE_CACHE_LINE_SIZE);
	/*
	 * The event and detail lines a feed writes. Missing, they fill the core's store queue and
	 * stall it (docs/performance.md, ninth session: the 10k replay 583-616 -> 538-596
	 * cycles/frame). A parked event is a slot of the ctx's pool, likely still in cache, unless
	 * the pool was taken: then the conn's own.
	 */
	if (conn->park[dir & 1] == &conn->ev[dir & 1])
		event_prefetch(&conn->ev[dir & 1]);
	if (detail)
		detail_prefetch(conn, dir & 1);
	/*
	 * A response's pair is emitted with the identity strings the conn has seen (the client
	 * id's head shares the first line with pend_head). Packing one reads its head whole, and a
	 * 67-byte string's head crosses a line at most offsets: the software version's did, and
	 * its second line was 80% of kw_kafka_rec_pack_stats's samples on the 10k replay.
	 */
	if (dir & 1)
		for (i = KW_KAFKA_ID_CLIENT_ID + 1; i < KW_KAFKA_ID_N; i++)
			if (conn->id_set & (1u << i)) {
				const char *s =
					(const char *)kw_kafka_conn_id(conn, (enum kw_kafka_id)i);

				rte_prefetch0(s);
				rte_prefetch0(s + KW_KAFKA_STR_HEAD - 1);
			}
}
