/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the Kafka stream decoder: arbitrary bytes, cut into pieces of
 * fuzzer-chosen sizes, fed alternately to the two directions of one connection.
 *
 * Input: byte 0 = n (low 4 bits: count of split bytes, bit 4: gap on dir 1 at the end); then n
 * split bytes, each (dir << 7 | size - 1); the rest is the data, taken piece by piece with the
 * split bytes used in turn (no split bytes: half to each direction). The decoder must never
 * crash, read outside the piece, or keep state that outlives the conn (ASan and UBSan check).
 * Every event is also packed as a worker hands it over, both ways (the request log's and the
 * statistics'), and must unpack to what was packed; both unpacked pairs then go to one statistics
 * table set that lives across inputs (small top-K and request log to /dev/null), as the control
 * thread takes them: lag tables, transactions, deletions, the JSON writer. Bit 6 of byte 0 also
 * writes the final report and sizes each telemetry view.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kw_test_eal.h"

#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/kafka/kafka_decode.h"
#include "dataplane/kafka_rec.h"
#include "control/kafka_obs.h"
#include "control/kafka_obs_priv.h"

#include "kw_test_rec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kw_kafka_ctx *g_ctx;
static struct kw_obs *g_obs;
static FILE *g_null;
static struct kw_kafka_conn *g_conn; /* the connection being fed */
static uint64_t g_events;
static uint64_t g_fed[2]; /* stream bytes of each direction fed so far, this piece included */

/*
 * ev packed into a record whose other bytes are stale, as a worker packs it with the connection's
 * identity, then unpacked as the control thread does: it must come back whole.
 */
static void
rec_roundtrip(const struct kw_kafka_event *ev)
{
	static struct kw_kafka_rec rec, out, flow;
	const struct kw_kafka_str *id[KW_KAFKA_REC_ID_N] = {
		[KW_KAFKA_REC_ID_PRINCIPAL] = kw_kafka_conn_id(g_conn, KW_KAFKA_ID_USER),
		[KW_KAFKA_REC_ID_MECHANISM] = kw_kafka_conn_id(g_conn, KW_KAFKA_ID_MECHANISM),
		[KW_KAFKA_REC_ID_SW_NAME] = kw_kafka_conn_id(g_conn, KW_KAFKA_ID_SW_NAME),
		[KW_KAFKA_REC_ID_SW_VERSION] = kw_kafka_conn_id(g_conn, KW_KAFKA_ID_SW_VERSION),
	};

	memset(&rec, 0xa5, sizeof(rec));
	rec.ts_ns = ev->t_req;
	rec.latency_ns = ev->latency_tsc;
	rec.worker = 1;
	rec.family = 4;
	memset(rec.client, 0, sizeof(rec.client));
	memcpy(rec.client, (const uint8_t[]){198, 18, 0, 1}, 4);
	memset(rec.broker, 0, sizeof(rec.broker));
	rec.client_port = 40000;
	rec.broker_port = 9092;
	kw_kafka_rec_pack(&rec, ev, id);
	kw_kafka_rec_unpack(&out, &rec);
	if (kw_test_rec_diff(&out, &rec, ev, id) != NULL)
		abort();
	kw_obs_record(g_obs, &out);
	flow = rec;
	kw_kafka_rec_pack_stats(&rec, ev, id);
	kw_kafka_rec_unpack(&out, &rec);
	if (kw_test_rec_stats_diff(&out, &flow, ev, id) != NULL)
		abort();
	kw_obs_record(g_obs, &out);
}

static void
on_emit(void *arg, const struct kw_kafka_event *ev)
{
	(void)arg;
	/* Touch what a consumer reads, so that ASan sees any bad index. */
	g_events += ev->n_topics + ev->n_offsets + ev->topics[0].len;
	for (unsigned int i = 0; i < ev->n_offsets; i++) {
		uint8_t t = ev->offsets[i].topic;
		if ((t & 0x80) ? (t & 0x7f) >= ev->n_topic_ids : t >= ev->n_topics)
			abort(); /* an offset must name a kept topic */
	}
	for (unsigned int i = 0; i < ev->n_rfields && i < KW_KAFKA_EV_RFIELDS; i++) {
		uint8_t t = ev->rfields[i].topic;
		if (t != 0xff && ((t & 0x80) ? (t & 0x7f) >= ev->n_topic_ids : t >= ev->n_topics))
			abort(); /* a records field names a kept topic or none */
		if (ev->rfields[i].dir > 1)
			abort();
	}
	if (ev->n_topics > KW_KAFKA_EV_TOPICS || ev->n_topic_ids > KW_KAFKA_EV_TOPIC_IDS ||
	    ev->n_errors > KW_KAFKA_EV_ERRORS || ev->n_offsets > KW_KAFKA_EV_OFFSETS ||
	    ev->n_rfields > KW_KAFKA_EV_RFIELDS)
		abort();
	rec_roundtrip(ev);
}

/* A reported record lies in bytes already fed, its parts inside it and in order. */
static void
on_record(void *arg, const struct kw_kafka_record_where *where, const struct kw_kafka_record *r)
{
	uint64_t end = r->headers_off + r->headers_len;

	(void)arg;
	if (where->dir > 1 || end > g_fed[where->dir] || r->key_off <= r->off ||
	    r->value_off < r->key_off || r->headers_off < r->value_off ||
	    end > r->off + 5 + r->len || r->header_count < 0 || r->key_len < -1 ||
	    r->value_len < -1 || (r->key_len > 0 && r->key_off + (uint64_t)r->key_len > r->value_off))
		abort();
	g_events++;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kw_kafka_params p = {.max_conns = 1, .max_frame = 1u << 20};

	(void)argc;
	(void)argv;
	if (kw_test_eal_init() < 0)
		abort();
	g_ctx = kw_kafka_ctx_create(&p, 0, on_emit, NULL);
	g_null = fopen("/dev/null", "w");
	if (g_ctx == NULL || g_null == NULL)
		abort();
	g_obs = kw_obs_create(
		&(struct kw_obs_params){.top_k = 4, .log = g_null, .tsc_hz = 1000000});
	if (g_obs == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kw_kafka_conn *c;
	uint64_t off[2] = {0, 0};
	const uint8_t *split;
	unsigned int nsplit, i = 0;

	if (size < 1)
		return 0;
	nsplit = data[0] & 0x0f;
	if (size < 1 + (size_t)nsplit)
		return 0;
	split = data + 1;
	/* flag 0x20: also walk records field by field and report them */
	kw_kafka_ctx_set_record_hook(g_ctx, (data[0] & 0x20) ? on_record : NULL, NULL);
	g_fed[0] = g_fed[1] = 0;
	c = kw_kafka_conn_alloc(g_ctx);
	if (c == NULL)
		abort(); /* the single conn is always given back */
	g_conn = c;
	const uint8_t *p = data + 1 + nsplit;
	size_t left = size - 1 - nsplit;
	if (nsplit == 0) {
		size_t half = left / 2;
		g_fed[0] = half;
		kw_kafka_conn_feed(g_ctx, c, 0, 0, p, (uint32_t)half, 1);
		g_fed[1] = left - half;
		kw_kafka_conn_feed(g_ctx, c, 1, 0, p + half, (uint32_t)(left - half), 2);
		left = 0;
	}
	while (left) {
		uint8_t s = split[i++ % nsplit];
		unsigned int dir = s >> 7;
		size_t n = (size_t)(s & 0x7f) + 1;

		if (n > left)
			n = left;
		g_fed[dir] = off[dir] + n;
		kw_kafka_conn_feed(g_ctx, c, dir, off[dir], p, (uint32_t)n, i);
		off[dir] += n;
		p += n;
		left -= n;
	}
	if (data[0] & 0x10)
		kw_kafka_conn_gap(g_ctx, c, 1);
	kw_kafka_conn_free(g_ctx, c);
	if (g_ctx->park_n != KW_KAFKA_PARK_MAX)
		abort(); /* a freed conn gives back every parked event it took */
	if (data[0] & 0x40) {
		uint32_t omitted;

		kw_obs_report(g_obs, g_null);
		for (int dim = 0; dim < KW_OBS_DIMS; dim++)
			if (kw_obs_tel_dim(g_obs, (enum kw_obs_dim)dim, NULL, 16 * 1024 - 64,
					   &omitted) != 0)
				abort();
	}
	return 0;
}
