/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kafka decoder tests: generated schema facts, wire primitives, and hand-built request/response
 * streams fed whole, with garbage appended, split at every point and byte by byte, plus malformed
 * input. Every stream test checks that all feeding patterns give the same events and counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kw_test_avx.h"
#include "kw_test_eal.h"

#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/kafka/kafka_decode.h"
#include "dataplane/kafka/kafka_prim.h"
#include "dataplane/kafka/kafka_records.h"
#include "dataplane/kafka/kafka_schema.h"

/* ---- byte writer ---- */

struct wb {
	size_t n;
	uint8_t b[8192];
};

static void
w8(struct wb *w, uint8_t v)
{
	w->b[w->n++] = v;
}

static void
w16(struct wb *w, uint16_t v)
{
	w8(w, (uint8_t)(v >> 8));
	w8(w, (uint8_t)v);
}

static void
w32(struct wb *w, uint32_t v)
{
	w16(w, (uint16_t)(v >> 16));
	w16(w, (uint16_t)v);
}

static void
w64(struct wb *w, uint64_t v)
{
	w32(w, (uint32_t)(v >> 32));
	w32(w, (uint32_t)v);
}

static void
wuv(struct wb *w, uint64_t v)
{
	while (v >= 0x80) {
		w8(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	w8(w, (uint8_t)v);
}

static void
wraw(struct wb *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* classic nullable string */
static void
wstr(struct wb *w, const char *s)
{
	if (s == NULL) {
		w16(w, 0xffff);
		return;
	}
	w16(w, (uint16_t)strlen(s));
	wraw(w, s, strlen(s));
}

/* compact nullable string */
static void
wcstr(struct wb *w, const char *s)
{
	if (s == NULL) {
		wuv(w, 0);
		return;
	}
	wuv(w, strlen(s) + 1);
	wraw(w, s, strlen(s));
}

static size_t
fbegin(struct wb *w)
{
	size_t at = w->n;
	w32(w, 0);
	return at;
}

static void
fend(struct wb *w, size_t at)
{
	uint32_t n = (uint32_t)(w->n - at - 4);
	w->b[at] = (uint8_t)(n >> 24);
	w->b[at + 1] = (uint8_t)(n >> 16);
	w->b[at + 2] = (uint8_t)(n >> 8);
	w->b[at + 3] = (uint8_t)n;
}

static void
req_hdr(struct wb *w, int16_t key, int16_t ver, int32_t corr, bool v2)
{
	w16(w, (uint16_t)key);
	w16(w, (uint16_t)ver);
	w32(w, (uint32_t)corr);
	wstr(w, "kw-client");
	if (v2)
		wuv(w, 0);
}

static void
resp_hdr(struct wb *w, int32_t corr, bool v1)
{
	w32(w, (uint32_t)corr);
	if (v1)
		wuv(w, 0);
}

/* Reference CRC32C, bitwise: an oracle independent of rte_hash_crc. */
static uint32_t
ref_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & -(c & 1));
	}
	return ~c;
}

static const enum kw_kafka_crc_impl crc_impls[] = {KW_KAFKA_CRC_FOLD512, KW_KAFKA_CRC_FOLD,
						   KW_KAFKA_CRC_FOLD128, KW_KAFKA_CRC_LANES,
						   KW_KAFKA_CRC_CHAIN};

/* kw_kafka_crc32c and each implementation this CPU has agree with the reference over p[0..len). */
static void
check_crc32c(const uint8_t *p, uint32_t len)
{
	uint32_t want = ref_crc32c(p, len), got;

	assert_int_equal(kw_kafka_crc32c(p, len), want);
	for (size_t i = 0; i < RTE_DIM(crc_impls); i++)
		if (kw_kafka_crc32c_by(crc_impls[i], p, len, &got))
			assert_int_equal(got, want);
}

/* A magic 2 batch of nrec uncompressed records "hello"; returns its length. */
static size_t
build_batch(struct wb *w, int nrec, int64_t pid, bool bad_crc)
{
	size_t at = w->n;
	w64(w, 0);        /* base offset */
	w32(w, 0);        /* batch length, patched */
	w32(w, 0xffffffff); /* partition leader epoch */
	w8(w, 2);         /* magic */
	w32(w, 0);        /* crc, patched */
	w16(w, 0);        /* attributes: no compression */
	w32(w, (uint32_t)(nrec - 1));
	w64(w, 1700000000000ull);
	w64(w, 1700000000000ull);
	w64(w, (uint64_t)pid);
	w16(w, 1);        /* producer epoch */
	w32(w, 7);        /* base sequence */
	w32(w, (uint32_t)nrec);
	for (int i = 0; i < nrec; i++) {
		w8(w, 22);    /* zigzag(11) */
		w8(w, 0);     /* attributes */
		w8(w, 0);     /* timestamp delta */
		w8(w, (uint8_t)(i * 2)); /* offset delta, zigzag */
		w8(w, 1);     /* key length -1 */
		w8(w, 10);    /* value length 5 */
		wraw(w, "hello", 5);
		w8(w, 0);     /* headers */
	}
	uint32_t blen = (uint32_t)(w->n - at - 12);
	for (int i = 0; i < 4; i++)
		w->b[at + 8 + i] = (uint8_t)(blen >> (24 - 8 * i));
	uint32_t crc = ref_crc32c(w->b + at + 21, w->n - at - 21);
	if (bad_crc)
		crc ^= 1;
	for (int i = 0; i < 4; i++)
		w->b[at + 17 + i] = (uint8_t)(crc >> (24 - 8 * i));
	return w->n - at;
}

/* ---- stream runner ---- */

#define MAX_EV 40

struct result {
	int n;
	struct kw_kafka_event ev[MAX_EV];
	int principal_first, software_first; /* 1 + the event that carried that flag, 0 if none */
	struct kw_kafka_ident id;
	struct kw_kafka_counters cnt; /* delta over the run, named fields only compared */
};

static struct kw_kafka_ctx *g_ctx;
static struct result *g_out;
static bool g_resync; /* run(): both directions start mid-stream (kw_kafka_conn_resync) */
static struct result r_whole, r_other;

/*
 * A result holds the events of one fresh conn (run()): its first pair, and only that one, is
 * marked KW_KAFKA_EV_CONN_FIRST; at most one is marked KW_KAFKA_EV_PRINCIPAL_FIRST and one
 * KW_KAFKA_EV_SOFTWARE_FIRST (which, kept in the result, the tests check). Checked here, then
 * taken off, so that the tests compare the other flags.
 */
static void
on_emit(void *arg, const struct kw_kafka_event *ev)
{
	const uint32_t first = KW_KAFKA_EV_CONN_FIRST | KW_KAFKA_EV_PRINCIPAL_FIRST |
			       KW_KAFKA_EV_SOFTWARE_FIRST;

	(void)arg;
	if (g_out && g_out->n < MAX_EV) {
		assert_int_equal(!!(ev->flags & KW_KAFKA_EV_CONN_FIRST), g_out->n == 0);
		if (ev->flags & KW_KAFKA_EV_PRINCIPAL_FIRST) {
			assert_int_equal(g_out->principal_first, 0);
			g_out->principal_first = g_out->n + 1;
		}
		if (ev->flags & KW_KAFKA_EV_SOFTWARE_FIRST) {
			assert_int_equal(g_out->software_first, 0);
			g_out->software_first = g_out->n + 1;
		}
		g_out->ev[g_out->n] = *ev;
		g_out->ev[g_out->n++].flags &= ~first;
	}
}

enum { WHOLE = 0, SPLIT, BYTES };

static void
feed_dir(struct kw_kafka_conn *c, unsigned int dir, const struct wb *w, int mode, size_t k,
	 uint64_t now)
{
	size_t n = w->n;
	if (n == 0)
		return;
	if (mode == WHOLE || (mode == SPLIT && (k == 0 || k >= n))) {
		kw_kafka_conn_feed(g_ctx, c, dir, 0, w->b, (uint32_t)n, now);
	} else if (mode == SPLIT) {
		kw_kafka_conn_feed(g_ctx, c, dir, 0, w->b, (uint32_t)k, now);
		kw_kafka_conn_feed(g_ctx, c, dir, k, w->b + k, (uint32_t)(n - k), now);
	} else {
		for (size_t i = 0; i < n; i++)
			kw_kafka_conn_feed(g_ctx, c, dir, i, w->b + i, 1, now);
	}
}

static void
counters_delta(struct kw_kafka_counters *d, const struct kw_kafka_counters *a,
	       const struct kw_kafka_counters *b)
{
	const uint64_t *pa = (const uint64_t *)a, *pb = (const uint64_t *)b;
	uint64_t *pd = (uint64_t *)d;
	size_t n = offsetof(struct kw_kafka_counters, req_count) / sizeof(uint64_t);
	for (size_t i = 0; i < n; i++)
		pd[i] = pb[i] - pa[i];
}

/*
 * Feed the request stream then the response stream (each whole, split at k or byte by byte) to
 * a fresh conn, then free it; the conn's identity is captured before the free.
 */
static void
run(const struct wb *req, const struct wb *resp, int mode, size_t k, struct result *r,
    struct kw_kafka_conn **keep)
{
	static struct kw_kafka_counters before;
	struct kw_kafka_conn *c = kw_kafka_conn_alloc(g_ctx);

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	before = *kw_kafka_ctx_counters(g_ctx);
	g_out = r;
	if (g_resync) {
		kw_kafka_conn_resync(g_ctx, c, 0);
		kw_kafka_conn_resync(g_ctx, c, 1);
	}
	feed_dir(c, 0, req, mode, k, 1000);
	feed_dir(c, 1, resp, mode, k, 5000);
	kw_kafka_conn_ident(c, &r->id);
	if (keep) {
		*keep = c;
	} else {
		kw_kafka_conn_free(g_ctx, c);
		counters_delta(&r->cnt, &before, kw_kafka_ctx_counters(g_ctx));
		g_out = NULL;
	}
}

static void
str_eq(const struct kw_kafka_str *a, const struct kw_kafka_str *b)
{
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->trunc, b->trunc);
	assert_int_equal(a->null, b->null);
	assert_string_equal(a->s, b->s);
}

static void
result_eq(const struct result *a, const struct result *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->principal_first, b->principal_first);
	assert_int_equal(a->software_first, b->software_first);
	for (int i = 0; i < a->n; i++) {
		const struct kw_kafka_event *x = &a->ev[i], *y = &b->ev[i];
		assert_int_equal(x->api_key, y->api_key);
		assert_int_equal(x->api_version, y->api_version);
		assert_int_equal(x->corr_id, y->corr_id);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->req_off, y->req_off);
		assert_int_equal(x->resp_off, y->resp_off);
		assert_int_equal(x->req_len, y->req_len);
		assert_int_equal(x->resp_len, y->resp_len);
		assert_int_equal(x->latency_tsc, y->latency_tsc);
		str_eq(&x->client_id, &y->client_id);
		str_eq(&x->group_id, &y->group_id);
		str_eq(&x->txn_id, &y->txn_id);
		assert_int_equal(x->topic_count, y->topic_count);
		assert_int_equal(x->topic_id_count, y->topic_id_count);
		assert_int_equal(x->partition_count, y->partition_count);
		assert_int_equal(x->error_count, y->error_count);
		assert_int_equal(x->n_topics, y->n_topics);
		for (int t = 0; t < x->n_topics; t++)
			str_eq(&x->topics[t], &y->topics[t]);
		assert_int_equal(x->n_topic_ids, y->n_topic_ids);
		assert_memory_equal(x->topic_ids, y->topic_ids, 16u * x->n_topic_ids);
		assert_int_equal(x->n_errors, y->n_errors);
		assert_memory_equal(x->errors, y->errors, 2u * x->n_errors);
		assert_int_equal(x->throttle_ms, y->throttle_ms);
		assert_int_equal(x->throttle_off, y->throttle_off);
		assert_int_equal(x->producer_id, y->producer_id);
		assert_int_equal(x->acks, y->acks);
		assert_int_equal(x->records.off, y->records.off);
		assert_int_equal(x->records.bytes, y->records.bytes);
		assert_int_equal(x->records.batches, y->records.batches);
		assert_int_equal(x->records.records, y->records.records);
		assert_int_equal(x->records.crc_bad, y->records.crc_bad);
		assert_int_equal(x->records.partial, y->records.partial);
		assert_int_equal(x->records.malformed, y->records.malformed);
		assert_int_equal(x->records.legacy, y->records.legacy);
		assert_int_equal(x->n_groups, y->n_groups);
		assert_int_equal(x->groups_failed, y->groups_failed);
		for (int g = 0; g < x->n_groups && g < KW_KAFKA_EV_GROUPS; g++)
			str_eq(&x->groups[g], &y->groups[g]);
		assert_int_equal(x->n_offsets, y->n_offsets);
		for (int o = 0; o < x->n_offsets; o++) {
			assert_int_equal(x->offsets[o].kind, y->offsets[o].kind);
			assert_int_equal(x->offsets[o].topic, y->offsets[o].topic);
			assert_int_equal(x->offsets[o].group, y->offsets[o].group);
			assert_int_equal(x->offsets[o].partition, y->offsets[o].partition);
			assert_int_equal(x->offsets[o].offset, y->offsets[o].offset);
		}
		assert_int_equal(x->n_rfields, y->n_rfields);
		for (int o = 0; o < x->n_rfields; o++) {
			assert_int_equal(x->rfields[o].off, y->rfields[o].off);
			assert_int_equal(x->rfields[o].len, y->rfields[o].len);
			assert_int_equal(x->rfields[o].dir, y->rfields[o].dir);
			assert_int_equal(x->rfields[o].topic, y->rfields[o].topic);
			assert_int_equal(x->rfields[o].partition, y->rfields[o].partition);
		}
		assert_int_equal(x->n_broker_ids, y->n_broker_ids);
		assert_memory_equal(x->broker_ids, y->broker_ids, 4u * x->n_broker_ids);
		assert_int_equal(x->n_parts, y->n_parts);
		for (int o = 0; o < x->n_parts; o++) {
			assert_int_equal(x->parts[o].topic, y->parts[o].topic);
			assert_int_equal(x->parts[o].partition, y->parts[o].partition);
		}
	}
	str_eq(&a->id.client_id, &b->id.client_id);
	str_eq(&a->id.sw_name, &b->id.sw_name);
	str_eq(&a->id.sw_version, &b->id.sw_version);
	str_eq(&a->id.mechanism, &b->id.mechanism);
	str_eq(&a->id.user, &b->id.user);
	assert_memory_equal(&a->cnt, &b->cnt, offsetof(struct kw_kafka_counters, req_count));
}

/* Whole into r_whole; then every split point and byte by byte must match it. */
static void
run_all(const struct wb *req, const struct wb *resp)
{
	size_t max = req->n > resp->n ? req->n : resp->n;

	run(req, resp, WHOLE, 0, &r_whole, NULL);
	for (size_t k = 1; k < max; k++) {
		run(req, resp, SPLIT, k, &r_other, NULL);
		result_eq(&r_whole, &r_other);
	}
	run(req, resp, BYTES, 0, &r_other, NULL);
	result_eq(&r_whole, &r_other);
}

/* The same streams with garbage after the last frame: the decoded events must not change. */
static void
run_garbage(const struct wb *req, const struct wb *resp, int n_ev)
{
	static struct wb rq, rs;
	static const uint8_t junk[] = {0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};

	rq = *req;
	rs = *resp;
	wraw(&rq, junk, sizeof(junk));
	wraw(&rs, junk, sizeof(junk));
	run(&rq, &rs, WHOLE, 0, &r_other, NULL);
	/* Pairs complete before the junk; the junk is a bad frame size in both directions. */
	assert_true(r_other.n >= n_ev);
	assert_int_equal(r_other.cnt.frame_size_bad, 2);
	for (int i = 0; i < n_ev; i++) {
		assert_int_equal(r_other.ev[i].corr_id, r_whole.ev[i].corr_id);
		assert_int_equal(r_other.ev[i].flags, r_whole.ev[i].flags);
		assert_int_equal(r_other.ev[i].n_topics, r_whole.ev[i].n_topics);
	}
}

/* ---- schema ---- */

/* FNV-1a of kw_kafka_steps as kafka_decode.h describes it. */
static uint32_t
steps_fnv(void)
{
	uint32_t h = 0x811C9DC5u;

	for (unsigned int i = 0; i < KW_KAFKA_STEP_COUNT; i++) {
		const struct kw_kafka_field *f = &kw_kafka_steps[i];
		const uint8_t b[] = {f->type, f->flags, f->sem, f->ver_min, f->ver_max,
				     f->null_min, f->null_max, f->tag_min, f->tag, f->sub_n,
				     (uint8_t)f->sub, (uint8_t)(f->sub >> 8), (uint8_t)f->size,
				     (uint8_t)(f->size >> 8)};

		for (size_t k = 0; k < sizeof(b); k++)
			h = (h ^ b[k]) * 0x01000193u;
	}
	return h;
}

static void
test_schema(void **state)
{
	(void)state;
	/* the straight-line bodies were generated from this very step table */
	assert_int_equal(steps_fnv(), kw_kafka_body_steps_fnv);
	int n = 0;
	for (int k = 0; k <= KW_KAFKA_API_MAX_KEY; k++)
		n += kw_kafka_api_get(k) != NULL;
	assert_int_equal(n, KW_KAFKA_API_COUNT);
	assert_int_equal(KW_KAFKA_API_COUNT, 88);
	assert_int_equal(KW_KAFKA_API_MAX_KEY, 87);
	assert_null(kw_kafka_api_get(-1));
	assert_null(kw_kafka_api_get(KW_KAFKA_API_MAX_KEY + 1));

	/* Facts from ProduceRequest.json / FetchRequest.json / ApiVersionsRequest.json. */
	const struct kw_kafka_api *a = kw_kafka_api_get(KW_KAFKA_API_PRODUCE);
	assert_string_equal(a->name, "Produce");
	assert_int_equal(a->req.ver_min, 0);
	assert_int_equal(a->req.ver_max, 11);
	assert_int_equal(a->req.flex_min, 9);
	assert_int_equal(a->resp.flex_min, 9);
	a = kw_kafka_api_get(KW_KAFKA_API_FETCH);
	assert_string_equal(a->name, "Fetch");
	assert_int_equal(a->req.ver_max, 17);
	assert_int_equal(a->req.flex_min, 12);
	a = kw_kafka_api_get(18);
	assert_string_equal(a->name, "ApiVersions");
	assert_int_equal(a->req.ver_max, 4);
	assert_int_equal(a->req.flex_min, 3);
	a = kw_kafka_api_get(KW_KAFKA_API_SASL_HANDSHAKE);
	assert_int_equal(a->req.flex_min, KW_KAFKA_VER_OPEN); /* never flexible */

	/* Produce request v3+: TransactionalId, nullable, transactionalId entity. */
	a = kw_kafka_api_get(KW_KAFKA_API_PRODUCE);
	const struct kw_kafka_field *f = &kw_kafka_fields[a->req.first];
	assert_int_equal(a->req.n, 4);
	assert_int_equal(f->type, KW_KAFKA_T_STRING);
	assert_int_equal(f->sem, KW_KAFKA_SEM_TXN_ID);
	assert_int_equal(f->ver_min, 3);
	assert_int_equal(f->null_min, 3);
	assert_int_equal(f[1].sem, KW_KAFKA_SEM_ACKS);
	assert_int_equal(f[3].type, KW_KAFKA_T_STRUCT);
	assert_true(f[3].flags & KW_KAFKA_FF_ARRAY);
	const struct kw_kafka_field *t = &kw_kafka_fields[f[3].sub];
	assert_int_equal(t->sem, KW_KAFKA_SEM_TOPIC_NAME);
	/* Every struct points inside the table. */
	for (int i = 0; i < KW_KAFKA_FIELD_COUNT; i++)
		assert_true(kw_kafka_fields[i].sub + kw_kafka_fields[i].sub_n <=
			    KW_KAFKA_FIELD_COUNT);
}

/* ---- primitives ---- */

static void
test_prim(void **state)
{
	(void)state;
	uint64_t u;
	int64_t v;
	static const uint8_t v300[] = {0xac, 0x02};
	static const uint8_t vmax32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	static const uint8_t v6[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
	static const uint8_t over32[] = {0xff, 0xff, 0xff, 0xff, 0x1f};

	assert_int_equal(kw_kafka_prim_uvarint(v300, 2, 5, &u), 2);
	assert_int_equal(u, 300);
	assert_int_equal(kw_kafka_prim_uvarint(v300, 1, 5, &u), -EAGAIN);
	assert_int_equal(kw_kafka_prim_uvarint(vmax32, 5, 5, &u), 5);
	assert_int_equal(u, 0xffffffffu);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(kw_kafka_prim_uvarint(v6, i, 5, &u), -EAGAIN);
	assert_int_equal(kw_kafka_prim_uvarint(v6, 6, 5, &u), -EBADMSG);
	assert_int_equal(kw_kafka_prim_uvarint(over32, 5, 5, &u), -EBADMSG);
	assert_int_equal(kw_kafka_prim_uvarint(v6, 6, 10, &u), 6);
	assert_int_equal(u, 1ull << 35);

	static const uint8_t zz[] = {0x03};
	assert_int_equal(kw_kafka_prim_varint(zz, 1, false, &v), 1);
	assert_int_equal(v, -2);
	static const uint8_t be[] = {0xff, 0xfe, 0x00, 0x01, 0, 0, 0, 2};
	assert_int_equal(kw_kafka_prim_int(be, 8, 2, &v), 2);
	assert_int_equal(v, -2);
	assert_int_equal(kw_kafka_prim_int(be, 3, 4, &v), -EAGAIN);
	assert_int_equal(kw_kafka_prim_int(be, 8, 8, &v), 8);
	assert_int_equal(v, (int64_t)0xfffe000100000002ull);

	/* Lengths: null, compact, bounded by what remains. */
	int64_t n;
	static const uint8_t null16[] = {0xff, 0xff};
	assert_int_equal(kw_kafka_prim_len(null16, 2, false, 2, true, 2, &n), 2);
	assert_int_equal(n, -1);
	assert_int_equal(kw_kafka_prim_len(null16, 2, false, 2, false, 2, &n), -EBADMSG);
	static const uint8_t c3[] = {0x04, 'a', 'b', 'c'};
	assert_int_equal(kw_kafka_prim_len(c3, 4, true, 0, false, 4, &n), 1);
	assert_int_equal(n, 3);
	assert_int_equal(kw_kafka_prim_len(c3, 4, true, 0, false, 3, &n), -EBADMSG);
	static const uint8_t big[] = {0x00, 0x00, 0x10, 0x00};
	assert_int_equal(kw_kafka_prim_len(big, 4, false, 4, false, 100, &n), -EBADMSG);

	/* Tagged section: two fields, and a count over the bound. */
	static const uint8_t tags[] = {0x02, 0x00, 0x01, 0xaa, 0x05, 0x02, 0xbb, 0xcc};
	assert_int_equal(kw_kafka_prim_tagged_skip(tags, sizeof(tags), 64), 8);
	for (size_t i = 0; i < sizeof(tags); i++)
		assert_int_equal(kw_kafka_prim_tagged_skip(tags, i, 64), -EAGAIN);
	static const uint8_t many[] = {0xe8, 0x07};
	assert_int_equal(kw_kafka_prim_tagged_skip(many, 2, 64), -EBADMSG);

	uint8_t id[16];
	static const uint8_t uu[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	assert_int_equal(kw_kafka_prim_uuid(uu, 15, id), -EAGAIN);
	assert_int_equal(kw_kafka_prim_uuid(uu, 16, id), 16);
	assert_memory_equal(id, uu, 16);

	/* CRC32C check value and the split accumulation the record parser relies on. */
	assert_int_equal(kw_kafka_crc32c((const uint8_t *)"123456789", 9), 0xe3069283u);
	assert_int_equal(ref_crc32c((const uint8_t *)"123456789", 9), 0xe3069283u);

	/*
	 * Each way of computing, where this CPU has it, and the one kw_kafka_crc32c picks: the
	 * 512-bit folding (rounds of 256 bytes, then 64, then the 256-bit folding's end), the
	 * folding (rounds of 128 bytes, then 32, then 16, then the bytes under 16), the three-lane
	 * rounds (768 bytes, then one of any whole number of words, then the one-chain rest under
	 * 24 bytes), the chain alone: every length to 1600 at every alignment, and longer runs.
	 */
	static uint8_t buf[4096 + 8];
	static const uint32_t lens[] = {2303, 2304, 2305, 3000, 4096};
	uint32_t x = 2463534242u, got;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	for (unsigned int off = 0; off < 8; off++) {
		for (uint32_t len = 0; len <= 1600; len++)
			check_crc32c(buf + off, len);
		for (size_t k = 0; k < RTE_DIM(lens); k++)
			check_crc32c(buf + off, lens[k]);
	}
	for (size_t i = 0; i < RTE_DIM(crc_impls); i++)
		if (!kw_kafka_crc32c_by(crc_impls[i], buf, 9, &got))
			print_message("CRC32C implementation %zu not on this CPU: not tested\n", i);
	/* the foldings leave the AVX upper halves clean */
	static const enum kw_kafka_crc_impl folds[] = {KW_KAFKA_CRC_FOLD512, KW_KAFKA_CRC_FOLD};
	for (size_t i = 0; i < RTE_DIM(folds); i++)
		if (kw_kafka_crc32c_by(folds[i], buf, 1460, &got)) {
			int clean = kw_test_avx_upper_clean();

			assert_int_equal(got, ref_crc32c(buf, 1460));
			if (clean >= 0)
				assert_int_equal(clean, 1);
		}
	assert_true(kw_kafka_crc32c_by(KW_KAFKA_CRC_CHAIN, buf, 9, &got));
}

/* ---- API scenarios ---- */

static struct wb rq, rs;

/* run_all of rq and rs, which hold one exchange: its pair. */
static const struct kw_kafka_event *
run_one(void)
{
	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 1);
	return &r_whole.ev[0];
}

static void
build_api_versions(struct wb *q, struct wb *s, int32_t corr)
{
	size_t at = fbegin(q);
	req_hdr(q, 18, 3, corr, true);
	wcstr(q, "librdkafka");
	wcstr(q, "2.0.2");
	wuv(q, 0);
	fend(q, at);

	at = fbegin(s);
	resp_hdr(s, corr, false); /* ApiVersions: response header v0 even when flexible */
	w16(s, 0);
	wuv(s, 3);                /* two api keys */
	for (int k = 0; k < 2; k++) {
		w16(s, (uint16_t)k);
		w16(s, 0);
		w16(s, 11);
		wuv(s, 0);
	}
	w32(s, 0);                /* throttle */
	wuv(s, 1);                /* one tagged field: ZkMigrationReady (tag 3) */
	wuv(s, 3);
	wuv(s, 1);
	w8(s, 0);
	fend(s, at);
}

static void
test_api_versions(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	build_api_versions(&rq, &rs, 7);
	const struct kw_kafka_event *e = run_one();
	assert_int_equal(e->api_key, 18);
	assert_string_equal(e->api_name, "ApiVersions");
	assert_int_equal(e->api_version, 3);
	assert_int_equal(e->corr_id, 7);
	assert_string_equal(e->client_id.s, "kw-client");
	assert_int_equal(e->throttle_ms, 0);
	assert_int_equal(e->flags, 0);
	assert_int_equal(e->req_len, rq.n);
	assert_int_equal(e->resp_len, rs.n);
	assert_int_equal(e->latency_tsc, 4000);
	assert_string_equal(r_whole.id.sw_name.s, "librdkafka");
	assert_string_equal(r_whole.id.sw_version.s, "2.0.2");
	/* the statistics count the connection for its software at this pair */
	assert_int_equal(r_whole.software_first, 1);
	assert_int_equal(r_whole.principal_first, 0);
	assert_int_equal(r_whole.cnt.tagged_skipped, 1);
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_int_equal(r_whole.cnt.frames_req, 1);
	assert_int_equal(r_whole.cnt.frames_resp, 1);
	run_garbage(&rq, &rs, 1);
}

/*
 * KIP-511: a broker that does not know ApiVersions v3 refuses it with UNSUPPORTED_VERSION in a
 * body the client can read whatever it asked; these are the bytes librdkafka's mock broker sends.
 * Nothing past the error code is read as v3 (no throttle time from the api key list).
 */
static void
test_api_versions_unsupported(void **state)
{
	static const uint8_t body[] = {0x00, 0x23, 0x01, 0x00, 0x12, 0x00, 0x00,
				       0x00, 0x02, 0x00, 0x00, 0x00, 0x00};
	size_t at;

	(void)state;
	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, 18, 3, 1, true);
	wcstr(&rq, "librdkafka");
	wcstr(&rq, "2.0.2");
	wuv(&rq, 0);
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 1, false);
	for (size_t i = 0; i < sizeof(body); i++)
		w8(&rs, body[i]);
	fend(&rs, at);
	const struct kw_kafka_event *e = run_one();
	assert_int_equal(e->n_errors, 1);
	assert_int_equal(e->errors[0], 35);
	assert_int_equal(e->throttle_ms, -1);
	assert_int_equal(e->flags, KW_KAFKA_EV_TOP_ERROR); /* the whole response's */
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_int_equal(r_whole.cnt.frame_trailing, 0);
}

/*
 * Tagged fields where the straight-line body decoder hands the body back to the walker
 * (kafka_body.inc): inside an element of an array nothing is extracted from (ApiVersions'
 * api keys, stepped over whole only when every element's section is empty), inside an element of
 * an extracted array (Metadata v12 partitions) and at a struct's end (a topic). The walker takes
 * over at that step; whole, split anywhere or byte by byte, the pair and the counters are those
 * of the walker alone (run_all), and every tagged field is counted once.
 */
static void
test_tags_hand_back(void **state)
{
	static const uint8_t topic_id[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	size_t at;

	(void)state;
	rq.n = rs.n = 0;
	build_api_versions(&rq, &rs, 7);
	/* the second of three api keys carries a tagged field */
	rs.n = 0;
	at = fbegin(&rs);
	resp_hdr(&rs, 7, false);
	w16(&rs, 0);
	wuv(&rs, 4);
	for (int k = 0; k < 3; k++) {
		w16(&rs, (uint16_t)k);
		w16(&rs, 0);
		w16(&rs, 11);
		wuv(&rs, k == 1);
		if (k == 1) {
			wuv(&rs, 9);
			wuv(&rs, 2);
			w16(&rs, 0xbeef);
		}
	}
	w32(&rs, 5);              /* throttle */
	wuv(&rs, 0);
	fend(&rs, at);
	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 1);
	assert_int_equal(r_whole.ev[0].throttle_ms, 5);
	assert_int_equal(r_whole.cnt.tagged_skipped, 1);
	assert_int_equal(r_whole.cnt.frame_malformed, 0);

	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, 3, 12, 9, true);
	wuv(&rq, 0);              /* all topics (null would be 0 too in v12: an empty array) */
	w8(&rq, 0);               /* allow auto topic creation */
	w8(&rq, 0);               /* include topic authorized operations */
	wuv(&rq, 0);
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 9, true);
	w32(&rs, 0);              /* throttle */
	wuv(&rs, 2);              /* one broker */
	w32(&rs, 1);
	wcstr(&rs, "broker1");
	w32(&rs, 9092);
	wuv(&rs, 0);              /* rack: null */
	wuv(&rs, 0);
	wcstr(&rs, "cluster");
	w32(&rs, 1);              /* controller */
	wuv(&rs, 3);              /* two topics */
	for (int t = 0; t < 2; t++) {
		w16(&rs, 0);
		wcstr(&rs, t ? "payments" : "orders");
		wraw(&rs, topic_id, sizeof(topic_id));
		w8(&rs, 0);       /* is internal */
		wuv(&rs, 3);      /* two partitions */
		for (int p = 0; p < 2; p++) {
			w16(&rs, p == 1 && t == 0 ? 6 : 0); /* NOT_LEADER_OR_FOLLOWER */
			w32(&rs, (uint32_t)p);
			w32(&rs, 1);
			w32(&rs, 0);
			wuv(&rs, 2);
			w32(&rs, 1);
			wuv(&rs, 2);
			w32(&rs, 1);
			wuv(&rs, 1);
			/* the first topic's first partition carries a tagged field */
			wuv(&rs, t == 0 && p == 0);
			if (t == 0 && p == 0) {
				wuv(&rs, 4);
				wuv(&rs, 1);
				w8(&rs, 7);
			}
		}
		w32(&rs, 0);      /* topic authorized operations */
		/* the second topic ends with two tagged fields */
		wuv(&rs, t == 1 ? 2 : 0);
		for (int k = 0; t == 1 && k < 2; k++) {
			wuv(&rs, (uint64_t)k);
			wuv(&rs, 0);
		}
	}
	wuv(&rs, 0);
	fend(&rs, at);
	const struct kw_kafka_event *e = run_one();
	assert_int_equal(e->api_version, 12);
	assert_int_equal(e->n_topics, 2);
	assert_string_equal(e->topics[0].s, "orders");
	assert_string_equal(e->topics[1].s, "payments");
	assert_int_equal(e->partition_count, 4);
	assert_int_equal(e->n_errors, 1);
	assert_int_equal(e->errors[0], 6);
	assert_int_equal(r_whole.cnt.tagged_skipped, 3);
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_int_equal(r_whole.cnt.frame_trailing, 0);
}

static void
test_metadata(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 3, 1, 42, false);
	w32(&rq, 2);
	wstr(&rq, "orders");
	wstr(&rq, "payments");
	fend(&rq, at);

	at = fbegin(&rs);
	resp_hdr(&rs, 42, false);
	w32(&rs, 2);              /* brokers 3 and 1 */
	for (int b = 0; b < 2; b++) {
		w32(&rs, b ? 1 : 3);
		wstr(&rs, "broker");
		w32(&rs, 9092);
		wstr(&rs, NULL);  /* rack */
	}
	w32(&rs, 2);              /* controller */
	w32(&rs, 2);              /* topics */
	w16(&rs, 0);
	wstr(&rs, "orders");
	w8(&rs, 0);
	w32(&rs, 2);              /* partitions */
	for (int p = 0; p < 2; p++) {
		w16(&rs, 0);
		w32(&rs, (uint32_t)p);
		w32(&rs, p ? (uint32_t)-1 : 1); /* leader; -1: none */
		w32(&rs, 2);      /* replicas */
		w32(&rs, p ? 3 : 1);
		w32(&rs, p ? 5 : 3);
		w32(&rs, 1);      /* isr */
		w32(&rs, 1);
	}
	w16(&rs, 3);              /* UNKNOWN_TOPIC_OR_PARTITION */
	wstr(&rs, "payments");
	w8(&rs, 0);
	w32(&rs, 0);
	fend(&rs, at);

	const struct kw_kafka_event *e = run_one();
	assert_string_equal(e->api_name, "Metadata");
	assert_int_equal(e->n_topics, 2);
	assert_int_equal(e->topic_count, 2);
	assert_string_equal(e->topics[0].s, "orders");
	assert_string_equal(e->topics[1].s, "payments");
	assert_int_equal(e->partition_count, 2);
	assert_int_equal(e->n_errors, 1);
	assert_int_equal(e->errors[0], 3);
	assert_int_equal(e->error_count, 1);
	assert_int_equal(e->throttle_ms, -1); /* v1 has none */
	/* nodes, controller, leaders, replicas and isr: each id once, in the order seen */
	assert_int_equal(e->n_broker_ids, 4);
	assert_int_equal(e->broker_ids[0], 3);
	assert_int_equal(e->broker_ids[1], 1);
	assert_int_equal(e->broker_ids[2], 2);
	assert_int_equal(e->broker_ids[3], 5);
	assert_false(e->flags & KW_KAFKA_EV_BROKERS_TRUNC);
	assert_int_equal(e->n_parts, 2);
	assert_int_equal(e->parts[0].topic, 0);
	assert_int_equal(e->parts[0].partition, 0);
	assert_int_equal(e->parts[1].topic, 0);
	assert_int_equal(e->parts[1].partition, 1);
	assert_int_equal(r_whole.cnt.frame_trailing, 0);
	run_garbage(&rq, &rs, 1);
}

/*
 * Broker ids on both sides of a pair: a follower's Fetch names itself (replica id) and its
 * answer a preferred read replica; the request's come first. Ten distinct nodes in a Metadata
 * response keep the first eight and say so.
 */
/* A Fetch v7+ request's fields before its topics; replica -1 for a consumer, else a follower. */
static void
fetch_req_head(struct wb *q, int32_t replica)
{
	w32(q, (uint32_t)replica);
	w32(q, 500);              /* max wait */
	w32(q, 1);                /* min bytes */
	w32(q, 1 << 20);          /* max bytes */
	w8(q, 0);                 /* isolation */
	w32(q, 0);                /* session id */
	w32(q, (uint32_t)-1);     /* session epoch */
}

/* A Fetch v7+ response's fields before its topics: no throttle, no error, session 0. */
static void
fetch_resp_head(struct wb *s)
{
	w32(s, 0);                /* throttle */
	w16(s, 0);
	w32(s, 0);                /* session id */
}

static void
test_broker_ids(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 1, 4, 7, false); /* Fetch v4 */
	w32(&rq, 2);              /* replica id: broker 2 */
	w32(&rq, 500);
	w32(&rq, 1);
	w32(&rq, 1 << 20);
	w8(&rq, 0);
	w32(&rq, 0);              /* no topics */
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 7, false);
	w32(&rs, 0);              /* throttle */
	w32(&rs, 0);              /* no topics */
	fend(&rs, at);

	at = fbegin(&rq);
	req_hdr(&rq, 1, 11, 8, false); /* Fetch v11: a preferred read replica per partition */
	fetch_req_head(&rq, 2);
	w32(&rq, 0);              /* no topics */
	w32(&rq, 0);              /* no forgotten topics */
	wstr(&rq, "");            /* rack */
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 8, false);
	fetch_resp_head(&rs);
	w32(&rs, 1);
	wstr(&rs, "orders");
	w32(&rs, 1);
	w32(&rs, 0);              /* partition */
	w16(&rs, 0);
	w64(&rs, 10);             /* high watermark */
	w64(&rs, 10);
	w64(&rs, 0);
	w32(&rs, (uint32_t)-1);   /* aborted transactions: null */
	w32(&rs, 4);              /* preferred read replica */
	w32(&rs, (uint32_t)-1);   /* records: null */
	fend(&rs, at);

	at = fbegin(&rq);
	req_hdr(&rq, 3, 1, 9, false);
	w32(&rq, 0);
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 9, false);
	w32(&rs, 10);             /* brokers 100 .. 109 */
	for (int b = 0; b < 10; b++) {
		w32(&rs, (uint32_t)(100 + b));
		wstr(&rs, "b");
		w32(&rs, 9092);
		wstr(&rs, NULL);
	}
	w32(&rs, 101);            /* controller */
	w32(&rs, 0);              /* no topics */
	fend(&rs, at);

	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 3);
	const struct kw_kafka_event *e = &r_whole.ev[0];
	assert_int_equal(e->n_broker_ids, 1);
	assert_int_equal(e->broker_ids[0], 2);
	e = &r_whole.ev[1];
	assert_int_equal(e->api_version, 11);
	assert_int_equal(e->n_broker_ids, 2);
	assert_int_equal(e->broker_ids[0], 2);
	assert_int_equal(e->broker_ids[1], 4);
	assert_false(e->flags & KW_KAFKA_EV_BROKERS_TRUNC);
	e = &r_whole.ev[2];
	assert_int_equal(e->n_broker_ids, KW_KAFKA_EV_BROKERS);
	for (int b = 0; b < KW_KAFKA_EV_BROKERS; b++)
		assert_int_equal(e->broker_ids[b], 100 + b);
	assert_true(e->flags & KW_KAFKA_EV_BROKERS_TRUNC);
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_int_equal(r_whole.cnt.frame_trailing, 0);
	run_garbage(&rq, &rs, 3);
}

static void
assert_offset(const struct kw_kafka_ev_offset *o, uint8_t kind, uint8_t topic, int32_t part,
	      int64_t off)
{
	assert_int_equal(o->kind, kind);
	assert_int_equal(o->topic, topic);
	assert_int_equal(o->partition, part);
	assert_int_equal(o->offset, off);
}

static void
build_produce(struct wb *q, int32_t corr, int16_t acks, bool bad_crc)
{
	static struct wb batch;
	batch.n = 0;
	build_batch(&batch, 2, 4242, bad_crc);

	size_t at = fbegin(q);
	req_hdr(q, 0, 9, corr, true);
	wcstr(q, "txn-1");
	w16(q, (uint16_t)acks);
	w32(q, 30000);
	wuv(q, 2);                /* one topic */
	wcstr(q, "orders");
	wuv(q, 2);                /* one partition */
	w32(q, 3);
	wuv(q, batch.n + 1);
	wraw(q, batch.b, batch.n);
	wuv(q, 0);
	wuv(q, 0);
	wuv(q, 0);
	fend(q, at);
}

/* build_produce's response: orders[3] appended at base (error err, base -1, when it failed). */
static void
build_produce_resp(struct wb *s, int32_t corr, int16_t err, int64_t base)
{
	size_t at = fbegin(s);

	resp_hdr(s, corr, true);
	wuv(s, 2);
	wcstr(s, "orders");
	wuv(s, 2);
	w32(s, 3);
	w16(s, (uint16_t)err);
	w64(s, (uint64_t)base);
	w64(s, (uint64_t)-1);
	w64(s, 0);
	wuv(s, 1);                /* no record errors */
	wcstr(s, NULL);
	wuv(s, 0);
	wuv(s, 0);
	w32(s, 250);              /* throttled */
	wuv(s, 0);
	fend(s, at);
}

static void
test_produce(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	build_produce(&rq, 9, -1, false);
	build_produce_resp(&rs, 9, 0, 100);

	const struct kw_kafka_event *e = run_one();
	assert_string_equal(e->api_name, "Produce");
	assert_int_equal(e->acks, -1);
	assert_string_equal(e->txn_id.s, "txn-1");
	assert_int_equal(e->n_topics, 1);
	assert_string_equal(e->topics[0].s, "orders");
	assert_int_equal(e->topic_count, 1); /* named by both sides: counted once */
	assert_int_equal(e->partition_count, 1);
	assert_int_equal(e->records.fields, 1);
	assert_int_equal(e->records.batches, 1);
	assert_int_equal(e->records.records, 2);
	assert_int_equal(e->records.records_hdr, 2);
	assert_int_equal(e->records.crc_bad, 0);
	assert_int_equal(e->records.malformed, 0);
	assert_int_equal(e->records.producer_id, 4242);
	assert_int_equal(e->records.base_sequence, 7);
	assert_int_equal(e->records.bytes, 61 + 2 * 12);
	assert_int_equal(e->throttle_ms, 250);
	assert_true(e->flags & KW_KAFKA_EV_THROTTLED);
	assert_int_equal(e->throttle_off, rs.n - 5); /* int32 then the tagged-field count */
	/* records offset: right after the compact length prefix */
	assert_int_equal(rq.b[e->records.off + 16], 2);
	/* the partition's log now ends after the 2 records appended at 100 */
	assert_int_equal(e->n_offsets, 1);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_LOG_END, 0, 3, 102);
	/* the request's records field and partition, kept in its detail slot */
	assert_int_equal(e->n_rfields, 1);
	assert_int_equal(e->rfields[0].dir, 0);
	assert_int_equal(e->rfields[0].topic, 0);
	assert_int_equal(e->rfields[0].partition, 3);
	assert_int_equal(e->rfields[0].off, e->records.off);
	assert_int_equal(e->n_parts, 1);
	assert_int_equal(e->parts[0].topic, 0);
	assert_int_equal(e->parts[0].partition, 3);
	run_garbage(&rq, &rs, 1);

	/* The append failed: the request's 2 offsets stay unanswered. */
	rq.n = rs.n = 0;
	build_produce(&rq, 11, -1, false);
	build_produce_resp(&rs, 11, 6, -1);
	run_all(&rq, &rs);
	assert_int_equal(r_whole.ev[0].n_offsets, 1);
	assert_offset(&r_whole.ev[0].offsets[0], KW_KAFKA_OFF_PRODUCED, 0, 3, 2);

	/* A corrupted CRC is counted; acks=0 gives an event without waiting for a response. */
	rq.n = rs.n = 0;
	build_produce(&rq, 10, 0, true);
	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 1);
	assert_int_equal(r_whole.ev[0].records.crc_bad, 1);
	assert_int_equal(r_whole.ev[0].n_offsets, 0); /* a bad batch takes no offsets */
	assert_true(r_whole.ev[0].flags & KW_KAFKA_EV_NO_RESPONSE);
	assert_int_equal(r_whole.cnt.records_crc_bad, 1);
}

static void
test_fetch(void **state)
{
	(void)state;
	static struct wb batch;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 1, 4, 11, false);
	w32(&rq, (uint32_t)-1);
	w32(&rq, 500);
	w32(&rq, 1);
	w32(&rq, 1 << 20);
	w8(&rq, 0);
	w32(&rq, 1);
	wstr(&rq, "orders");
	w32(&rq, 1);
	w32(&rq, 0);
	w64(&rq, 5);
	w32(&rq, 1 << 20);
	fend(&rq, at);

	batch.n = 0;
	build_batch(&batch, 3, -1, false);
	size_t full = batch.n;
	build_batch(&batch, 1, -1, false);
	batch.n = full + 30; /* the broker cut the second batch */

	at = fbegin(&rs);
	resp_hdr(&rs, 11, false);
	w32(&rs, 0);              /* throttle */
	w32(&rs, 1);
	wstr(&rs, "orders");
	w32(&rs, 1);
	w32(&rs, 0);
	w16(&rs, 0);
	w64(&rs, 99);             /* high watermark */
	w64(&rs, 99);
	w32(&rs, (uint32_t)-1);   /* no aborted transactions */
	w32(&rs, (uint32_t)batch.n);
	wraw(&rs, batch.b, batch.n);
	fend(&rs, at);

	const struct kw_kafka_event *e = run_one();
	assert_string_equal(e->api_name, "Fetch");
	assert_int_equal(e->records.batches, 1);
	assert_int_equal(e->records.records, 3);
	assert_int_equal(e->records.partial, 1);
	assert_int_equal(e->records.crc_bad, 0);
	assert_int_equal(e->records.bytes, full + 30);
	assert_int_equal(e->n_topics, 1);
	assert_int_equal(e->partition_count, 1);
	run_garbage(&rq, &rs, 1);
}

static bool
contains(const void *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle)) != NULL;
}

static void
sasl_streams(const char *mech, const uint8_t *tok1, size_t n1, const uint8_t *tok2, size_t n2)
{
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 17, 1, 1, false);
	wstr(&rq, mech);
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 1, false);
	w16(&rs, 0);
	w32(&rs, 1);
	wstr(&rs, mech);
	fend(&rs, at);

	const uint8_t *tok[2] = {tok1, tok2};
	size_t len[2] = {n1, n2};
	for (int i = 0; i < 2 && tok[i]; i++) {
		at = fbegin(&rq);
		req_hdr(&rq, 36, 2, 2 + i, true);
		wuv(&rq, len[i] + 1);
		wraw(&rq, tok[i], len[i]);
		wuv(&rq, 0);
		fend(&rq, at);
		at = fbegin(&rs);
		resp_hdr(&rs, 2 + i, true);
		w16(&rs, 0);
		wcstr(&rs, NULL);
		wuv(&rs, 1);
		w64(&rs, 0);
		wuv(&rs, 0);
		fend(&rs, at);
	}
}

static void
assert_secret_absent(const char *secret)
{
	struct kw_kafka_conn *c;

	/* Keep the conn to look at all of its state after the exchange. */
	run(&rq, &rs, WHOLE, 0, &r_other, &c);
	assert_false(contains(c, sizeof(*c), secret));
	assert_false(contains(g_ctx, sizeof(struct kw_kafka_ctx), secret));
	assert_false(contains(r_other.ev, sizeof(r_other.ev), secret));
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	run(&rq, &rs, BYTES, 0, &r_other, &c);
	assert_false(contains(c, sizeof(*c), secret));
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
}

static void
test_sasl_plain(void **state)
{
	(void)state;
	static const uint8_t tok[] = "\0alice\0s3cr3tpass";
	sasl_streams("PLAIN", tok, sizeof(tok) - 1, NULL, 0);
	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 2);
	assert_string_equal(r_whole.ev[1].api_name, "SaslAuthenticate");
	assert_string_equal(r_whole.id.mechanism.s, "PLAIN");
	assert_string_equal(r_whole.id.user.s, "alice");
	/*
	 * The first pair emitted with the user, which the statistics count its connection at:
	 * here the SaslHandshake pair, since this test feeds both requests before the responses
	 * (a client waits for the handshake's response, which then goes without the user).
	 */
	assert_int_equal(r_whole.principal_first, 1);
	assert_int_equal(r_whole.software_first, 0);
	assert_int_equal(r_whole.cnt.sasl_users, 1);
	assert_secret_absent("s3cr3tpass");
	assert_secret_absent("s3cr3t");
}

/* Offset of the first s in w (which holds it). */
static size_t
wb_find(const struct wb *w, const char *s)
{
	const uint8_t *p = memmem(w->b, w->n, s, strlen(s));

	assert_non_null(p);
	return (size_t)(p - w->b);
}

/*
 * A name being captured and a SASL token being scanned for its user, each cut between two
 * segments, while other connections' names are captured in between: what a direction parks
 * between feeds is its own (kw_kafka_conn_feed: ctx->cap and d->tmp).
 */
static void
test_capture_interleaved(void **state)
{
	static const uint8_t tok_a[] = "\0alice\0s3cr3tpass";
	static const uint8_t tok_b[] = "n,,n=bob,r=nonce";
	static struct wb qa, qb;
	struct kw_kafka_conn *a = kw_kafka_conn_alloc(g_ctx), *b = kw_kafka_conn_alloc(g_ctx);
	struct kw_kafka_conn *c = kw_kafka_conn_alloc(g_ctx);
	size_t mech, user;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	sasl_streams("PLAIN", tok_a, sizeof(tok_a) - 1, NULL, 0);
	qa = rq;
	sasl_streams("SCRAM-SHA-256", tok_b, sizeof(tok_b) - 1, NULL, 0);
	qb = rq;
	mech = wb_find(&qa, "PLAIN") + 2;
	user = wb_find(&qa, "alice") + 2;
	kw_kafka_conn_feed(g_ctx, a, 0, 0, qa.b, (uint32_t)mech, 1);
	kw_kafka_conn_feed(g_ctx, b, 0, 0, qb.b, (uint32_t)qb.n, 2);
	kw_kafka_conn_feed(g_ctx, a, 0, mech, qa.b + mech, (uint32_t)(user - mech), 3);
	kw_kafka_conn_feed(g_ctx, c, 0, 0, qb.b, (uint32_t)qb.n, 4);
	kw_kafka_conn_feed(g_ctx, a, 0, user, qa.b + user, (uint32_t)(qa.n - user), 5);
	assert_string_equal(kw_kafka_conn_id(a, KW_KAFKA_ID_MECHANISM)->s, "PLAIN");
	assert_string_equal(kw_kafka_conn_id(a, KW_KAFKA_ID_USER)->s, "alice");
	assert_string_equal(kw_kafka_conn_id(b, KW_KAFKA_ID_MECHANISM)->s, "SCRAM-SHA-256");
	assert_string_equal(kw_kafka_conn_id(b, KW_KAFKA_ID_USER)->s, "bob");
	assert_string_equal(kw_kafka_conn_id(c, KW_KAFKA_ID_USER)->s, "bob");
	kw_kafka_conn_free(g_ctx, a);
	kw_kafka_conn_free(g_ctx, b);
	kw_kafka_conn_free(g_ctx, c);
}

/*
 * A reset leaves the identity strings' bytes in place and clears their bits: a conn taken again
 * from the pool must not report the user, mechanism or client software of its last owner.
 */
static void
test_ident_not_inherited(void **state)
{
	static const uint8_t tok[] = "\0alice\0s3cr3tpass";
	struct kw_kafka_conn *c, *c2;
	size_t at;

	(void)state;
	rq.n = rs.n = 0;
	build_api_versions(&rq, &rs, 1);
	run(&rq, &rs, WHOLE, 0, &r_other, &c);
	assert_string_equal(r_other.id.sw_name.s, "librdkafka");
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	sasl_streams("PLAIN", tok, sizeof(tok) - 1, NULL, 0);
	run(&rq, &rs, WHOLE, 0, &r_other, &c2);
	assert_ptr_equal(c2, c);
	assert_string_equal(r_other.id.user.s, "alice");
	/* nor the marks of the pairs it emitted: this conn has a user of its own, no software */
	assert_int_equal(r_other.principal_first, 1);
	assert_int_equal(r_other.software_first, 0);
	kw_kafka_conn_free(g_ctx, c2);
	g_out = NULL;

	/* ApiVersions v2: a client id in the header, nothing else about the client */
	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, 18, 2, 9, false);
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 9, false);
	w16(&rs, 0);
	w32(&rs, 0);
	w32(&rs, 0);
	fend(&rs, at);
	run(&rq, &rs, WHOLE, 0, &r_other, &c2);
	assert_ptr_equal(c2, c);
	assert_int_equal(r_other.n, 1);
	assert_string_equal(r_other.ev[0].client_id.s, "kw-client");
	assert_int_equal(r_other.ev[0].txn_id.len, 0);
	assert_int_equal(r_other.id.user.len, 0);
	assert_int_equal(r_other.id.mechanism.len, 0);
	assert_int_equal(r_other.id.sw_name.len, 0);
	assert_int_equal(r_other.id.sw_version.len, 0);
	assert_string_equal(r_other.id.client_id.s, "kw-client");
	kw_kafka_conn_free(g_ctx, c2);
	g_out = NULL;
}

static void
test_sasl_scram(void **state)
{
	(void)state;
	static const char first[] = "n,,n=bob,r=fyko+d2lbbFgONRv9qkxdawL";
	static const char final[] = "c=biws,r=fyko+d2lbbFgONRv9qkxdawLsrv,p=PR00FPR00FPR00F=";
	sasl_streams("SCRAM-SHA-256", (const uint8_t *)first, strlen(first),
		     (const uint8_t *)final, strlen(final));
	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 3);
	assert_string_equal(r_whole.id.mechanism.s, "SCRAM-SHA-256");
	assert_string_equal(r_whole.id.user.s, "bob");
	assert_int_equal(r_whole.cnt.sasl_users, 1);
	assert_secret_absent("PR00F");
}

/* ---- partition offsets ---- */

static const uint8_t uuid_a[16] = {0xa1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t uuid_b[16] = {0xb2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t uuid_c[16] = {0xc3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/* A topic of a flexible Fetch message: its name (v12) or its id (v13). */
static void
fetch_topic(struct wb *w, int16_t ver, const char *name, const uint8_t *id)
{
	if (ver >= 13)
		wraw(w, id, 16);
	else
		wcstr(w, name);
}

static void
fetch_part_req(struct wb *w, int32_t part, int64_t off)
{
	w32(w, (uint32_t)part);
	w32(w, 5);                /* current leader epoch */
	w64(w, (uint64_t)off);    /* fetch offset */
	w32(w, 4);                /* last fetched epoch */
	w64(w, (uint64_t)-1);     /* log start offset */
	w32(w, 1 << 20);
	wuv(w, 0);
}

/* A Fetch v12 response partition; records NULL: none (null). */
static void
fetch_part_resp_err(struct wb *w, int32_t part, int16_t err, int64_t hwm,
		    const struct wb *records)
{
	w32(w, (uint32_t)part);
	w16(w, (uint16_t)err);
	w64(w, (uint64_t)hwm);    /* high watermark */
	w64(w, (uint64_t)hwm);    /* last stable offset */
	w64(w, 0);                /* log start offset */
	wuv(w, 0);                /* aborted transactions: null */
	w32(w, (uint32_t)-1);     /* preferred read replica */
	if (records != NULL) {
		wuv(w, records->n + 1);
		wraw(w, records->b, records->n);
	} else {
		wuv(w, 0);        /* records: null */
	}
	wuv(w, 0);
}

static void
fetch_part_resp(struct wb *w, int32_t part, int64_t hwm, const struct wb *records)
{
	fetch_part_resp_err(w, part, 0, hwm, records);
}

/*
 * Fetch v12 (topic names) or v13 (topic ids): orders p0, p3 and payments p1; the response
 * answers orders p3 with error code err3 (and high watermark -1) when it is not 0.
 */
static void
build_fetch_flex(struct wb *q, struct wb *s, int16_t ver, int32_t corr, int16_t err3)
{
	size_t at = fbegin(q);
	req_hdr(q, 1, ver, corr, true);
	fetch_req_head(q, -1);
	wuv(q, 3);                /* two topics */
	fetch_topic(q, ver, "orders", uuid_a);
	wuv(q, 3);
	fetch_part_req(q, 0, 100);
	fetch_part_req(q, 3, 300);
	wuv(q, 0);
	fetch_topic(q, ver, "payments", uuid_b);
	wuv(q, 2);
	fetch_part_req(q, 1, 42);
	wuv(q, 0);
	wuv(q, 2);                /* one forgotten topic: named, but no offsets */
	fetch_topic(q, ver, "gone", uuid_c);
	wuv(q, 2);
	w32(q, 7);
	wuv(q, 0);
	wcstr(q, "");             /* rack id */
	wuv(q, 0);
	fend(q, at);

	at = fbegin(s);
	resp_hdr(s, corr, true);
	fetch_resp_head(s);
	wuv(s, 3);                /* payments first: the refs must follow the request's indices */
	fetch_topic(s, ver, "payments", uuid_b);
	wuv(s, 2);
	fetch_part_resp(s, 1, 50, NULL);
	wuv(s, 0);
	fetch_topic(s, ver, "orders", uuid_a);
	wuv(s, 3);
	fetch_part_resp(s, 0, 120, NULL);
	fetch_part_resp_err(s, 3, err3, err3 ? -1 : 300, NULL);
	wuv(s, 0);
	wuv(s, 0);
	fend(s, at);
}

static void
test_fetch_offsets(void **state)
{
	(void)state;
	for (int16_t ver = 12; ver <= 13; ver++) {
		uint8_t t0 = ver == 13 ? 0x80 : 0, t1 = ver == 13 ? 0x81 : 1;

		rq.n = rs.n = 0;
		build_fetch_flex(&rq, &rs, ver, 21, 0);
		const struct kw_kafka_event *e = run_one();
		assert_int_equal(e->api_version, ver);
		assert_int_equal(e->flags & ~KW_KAFKA_EV_OPAQUE, 0);
		assert_int_equal(r_whole.cnt.frame_malformed, 0);
		assert_int_equal(r_whole.cnt.offsets_dropped, 0);
		/* Request 3 topics (one forgotten), response 2: the pair is about 3, not 5. */
		assert_int_equal(e->topic_count, ver == 12 ? 3 : 0);
		assert_int_equal(e->topic_id_count, ver == 12 ? 0 : 3);
		assert_int_equal(e->partition_count, 3);
		if (ver == 12) {
			assert_int_equal(e->n_topics, 3);
			assert_string_equal(e->topics[0].s, "orders");
			assert_string_equal(e->topics[1].s, "payments");
			assert_int_equal(e->n_topic_ids, 0);
		} else {
			assert_int_equal(e->n_topics, 0);
			assert_int_equal(e->n_topic_ids, 3);
			assert_memory_equal(e->topic_ids[0], uuid_a, 16);
			assert_memory_equal(e->topic_ids[1], uuid_b, 16);
			assert_memory_equal(e->topic_ids[2], uuid_c, 16);
		}
		assert_int_equal(e->n_offsets, 6);
		assert_offset(&e->offsets[0], KW_KAFKA_OFF_FETCH, t0, 0, 100);
		assert_offset(&e->offsets[1], KW_KAFKA_OFF_FETCH, t0, 3, 300);
		assert_offset(&e->offsets[2], KW_KAFKA_OFF_FETCH, t1, 1, 42);
		assert_offset(&e->offsets[3], KW_KAFKA_OFF_HWM, t1, 1, 50);
		assert_offset(&e->offsets[4], KW_KAFKA_OFF_HWM, t0, 0, 120);
		assert_offset(&e->offsets[5], KW_KAFKA_OFF_HWM, t0, 3, 300);
		/* each (topic, partition) once: the response names the request's again */
		assert_int_equal(e->n_parts, 3);
		assert_int_equal(e->parts[0].topic, t0);
		assert_int_equal(e->parts[0].partition, 0);
		assert_int_equal(e->parts[1].topic, t0);
		assert_int_equal(e->parts[1].partition, 3);
		assert_int_equal(e->parts[2].topic, t1);
		assert_int_equal(e->parts[2].partition, 1);
		assert_int_equal(r_whole.cnt.parts_dropped, 0);
		run_garbage(&rq, &rs, 1);

		/* NOT_LEADER_OR_FOLLOWER for orders p3: its position not served, no watermark */
		rq.n = rs.n = 0;
		build_fetch_flex(&rq, &rs, ver, 22, 6);
		e = run_one();
		assert_int_equal(e->error_count, 1);
		assert_int_equal(e->n_offsets, 5);
		assert_offset(&e->offsets[0], KW_KAFKA_OFF_FETCH, t0, 0, 100);
		assert_offset(&e->offsets[1], KW_KAFKA_OFF_FETCH_FAILED, t0, 3, 300);
		assert_offset(&e->offsets[2], KW_KAFKA_OFF_FETCH, t1, 1, 42);
		assert_offset(&e->offsets[3], KW_KAFKA_OFF_HWM, t1, 1, 50);
		assert_offset(&e->offsets[4], KW_KAFKA_OFF_HWM, t0, 0, 120);
		assert_int_equal(e->flags & ~KW_KAFKA_EV_OPAQUE, 0); /* no error outside partitions */
	}
}

/* build_batch at base offset base, which lies outside the bytes its CRC32C covers. */
static void
build_batch_at(struct wb *w, int nrec, int64_t base, bool bad_crc)
{
	size_t at = w->n;

	build_batch(w, nrec, -1, bad_crc);
	for (int i = 0; i < 8; i++)
		w->b[at + (size_t)i] = (uint8_t)((uint64_t)base >> (56 - 8 * i));
}

/*
 * A Fetch response's records move the position past them. Orders partition 0 returns batches at
 * 100 (3 records) and 103 (2), then the start of one cut at the size limit: its position
 * becomes 105. Partition 1 returns none and partition 2 a batch whose CRC32C does not match:
 * their positions stay. Partition 3, not in the request (an incremental fetch session names
 * only the partitions whose position changed), takes its position from the response alone.
 * Payments partition 0 returns 4 records from 500.
 */
static void
test_fetch_fetched(void **state)
{
	static struct wb b0, b1, b2;
	const struct kw_kafka_event *e;
	size_t at;

	(void)state;
	b0.n = b1.n = b2.n = 0;
	build_batch_at(&b1, 4, 500, false);
	build_batch_at(&b0, 3, 100, false);
	build_batch_at(&b0, 2, 103, false);
	at = b0.n;
	build_batch_at(&b0, 2, 105, false);
	b0.n = at + 40;
	build_batch_at(&b2, 1, 300, true);

	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, 1, 12, 23, true);
	fetch_req_head(&rq, -1);
	wuv(&rq, 3);
	fetch_topic(&rq, 12, "orders", uuid_a);
	wuv(&rq, 4);
	for (int p = 0; p < 3; p++)
		fetch_part_req(&rq, p, 100 * (p + 1));
	wuv(&rq, 0);
	fetch_topic(&rq, 12, "payments", uuid_b);
	wuv(&rq, 2);
	fetch_part_req(&rq, 0, 500);
	wuv(&rq, 0);
	wuv(&rq, 1);              /* no forgotten topic */
	wcstr(&rq, "");
	wuv(&rq, 0);
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 23, true);
	fetch_resp_head(&rs);
	wuv(&rs, 3);
	fetch_topic(&rs, 12, "payments", uuid_b); /* first: its partition 0 is not orders' */
	wuv(&rs, 2);
	fetch_part_resp(&rs, 0, 600, &b1);
	wuv(&rs, 0);
	fetch_topic(&rs, 12, "orders", uuid_a);
	wuv(&rs, 5);
	fetch_part_resp(&rs, 0, 110, &b0);
	fetch_part_resp(&rs, 1, 210, NULL);
	fetch_part_resp(&rs, 2, 310, &b2);
	fetch_part_resp(&rs, 3, 410, &b0);
	wuv(&rs, 0);
	wuv(&rs, 0);
	fend(&rs, at);

	e = run_one();
	assert_int_equal(e->flags & ~KW_KAFKA_EV_OPAQUE, 0);
	assert_int_equal(e->records.batches, 6);
	assert_int_equal(e->records.crc_bad, 1);
	assert_int_equal(e->records.partial, 2);
	assert_int_equal(e->n_offsets, 10);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_FETCHED, 0, 0, 105);
	assert_offset(&e->offsets[1], KW_KAFKA_OFF_FETCH, 0, 1, 200);
	assert_offset(&e->offsets[2], KW_KAFKA_OFF_FETCH, 0, 2, 300);
	assert_offset(&e->offsets[3], KW_KAFKA_OFF_FETCHED, 1, 0, 504);
	assert_offset(&e->offsets[4], KW_KAFKA_OFF_HWM, 1, 0, 600);
	assert_offset(&e->offsets[5], KW_KAFKA_OFF_HWM, 0, 0, 110);
	assert_offset(&e->offsets[6], KW_KAFKA_OFF_HWM, 0, 1, 210);
	assert_offset(&e->offsets[7], KW_KAFKA_OFF_HWM, 0, 2, 310);
	assert_offset(&e->offsets[8], KW_KAFKA_OFF_HWM, 0, 3, 410);
	assert_offset(&e->offsets[9], KW_KAFKA_OFF_FETCHED, 0, 3, 105);
	run_garbage(&rq, &rs, 1);
}

/* Fetch v12 of orders partitions 0 .. n-1: positions 100 + p, high watermarks 200 + p. */
static void
build_fetch_wide(struct wb *q, struct wb *s, int32_t corr, int n)
{
	size_t at = fbegin(q);

	req_hdr(q, 1, 12, corr, true);
	fetch_req_head(q, -1);
	wuv(q, 2);
	fetch_topic(q, 12, "orders", uuid_a);
	wuv(q, (uint64_t)n + 1);
	for (int p = 0; p < n; p++)
		fetch_part_req(q, p, 100 + p);
	wuv(q, 0);
	wuv(q, 1);                /* no forgotten topic */
	wcstr(q, "");
	wuv(q, 0);
	fend(q, at);

	at = fbegin(s);
	resp_hdr(s, corr, true);
	fetch_resp_head(s);
	wuv(s, 2);
	fetch_topic(s, 12, "orders", uuid_a);
	wuv(s, (uint64_t)n + 1);
	for (int p = 0; p < n; p++)
		fetch_part_resp(s, p, 200 + p, NULL);
	wuv(s, 0);
	wuv(s, 0);
	fend(s, at);
}

/*
 * A consumer fetching more partitions than a pair keeps: each pair of the connection keeps the
 * next window of positions and of high watermarks (8 of each), so that every partition comes
 * round: 20 partitions in windows 0-7, 8-15, 16-19, then 0-7 again.
 */
static void
test_fetch_offsets_rotate(void **state)
{
	static const int first[] = {0, 8, 16, 0}, kept[] = {8, 8, 4, 8};

	(void)state;
	rq.n = rs.n = 0;
	for (int i = 0; i < 4; i++) {
		struct wb q = {0}, s = {0};

		build_fetch_wide(&q, &s, 300 + i, 20);
		wraw(&rq, q.b, q.n);
		wraw(&rs, s.b, s.n);
	}
	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 4);
	for (int i = 0; i < 4; i++) {
		const struct kw_kafka_event *e = &r_whole.ev[i];

		assert_int_equal(e->n_offsets, 2 * kept[i]);
		for (int j = 0; j < kept[i]; j++) {
			assert_offset(&e->offsets[j], KW_KAFKA_OFF_FETCH, 0, first[i] + j,
				      100 + first[i] + j);
			assert_offset(&e->offsets[kept[i] + j], KW_KAFKA_OFF_HWM, 0, first[i] + j,
				      200 + first[i] + j);
		}
		assert_true(e->flags & KW_KAFKA_EV_OFFSETS_TRUNC);
	}
	/* what each pair left out is counted: 12 + 12 + 16 + 12 of each kind */
	assert_int_equal(r_whole.cnt.offsets_dropped, 2 * (12 + 12 + 16 + 12));
}

static void
test_fetch_detail_full(void **state)
{
	(void)state;
	/* More offset-carrying requests in flight than detail slots: the extra ones lose their
	 * request offsets (counted, flagged); their responses' offsets still arrive. */
	rq.n = rs.n = 0;
	for (int i = 0; i < KW_KAFKA_DETAIL_MAX + 1; i++) {
		struct wb q = {0}, s = {0};
		build_fetch_flex(&q, &s, 12, 100 + i, 0);
		wraw(&rq, q.b, q.n);
		wraw(&rs, s.b, s.n);
	}
	run(&rq, &rs, WHOLE, 0, &r_whole, NULL);
	assert_int_equal(r_whole.n, KW_KAFKA_DETAIL_MAX + 1);
	for (int i = 0; i < KW_KAFKA_DETAIL_MAX; i++) {
		assert_int_equal(r_whole.ev[i].n_offsets, 6);
		assert_int_equal(r_whole.ev[i].flags & KW_KAFKA_EV_OFFSETS_TRUNC, 0);
	}
	const struct kw_kafka_event *e = &r_whole.ev[KW_KAFKA_DETAIL_MAX];
	assert_true(e->flags & KW_KAFKA_EV_OFFSETS_TRUNC);
	assert_int_equal(e->n_offsets, 3);
	assert_int_equal(e->offsets[0].kind, KW_KAFKA_OFF_HWM);
	assert_int_equal(r_whole.cnt.offsets_dropped, 3);
	/* its request's partitions went with its offsets; the response's are its own */
	assert_true(e->flags & KW_KAFKA_EV_PARTS_TRUNC);
	assert_int_equal(r_whole.cnt.parts_dropped, 3);
	assert_int_equal(e->n_parts, 3);
	assert_string_equal(e->topics[e->parts[0].topic].s, "payments");
	assert_int_equal(e->parts[0].partition, 1);
	/* Slots are given back: the same conn can pair offsets again afterwards. */
	run(&rq, &rs, BYTES, 0, &r_other, NULL);
	result_eq(&r_whole, &r_other);
}

/*
 * OffsetCommit v8 of orders[2] 777 and payments[0 .. nparts) 1000 + p by grp-1; the response
 * answers payments[0] with no error and payments[1] with err1.
 */
static void
build_offset_commit(struct wb *q, struct wb *s, int nparts, int16_t err1)
{
	size_t at = fbegin(q);
	req_hdr(q, 8, 8, 31, true);
	wcstr(q, "grp-1");
	w32(q, 3);                /* generation */
	wcstr(q, "member-1");
	wcstr(q, NULL);           /* group instance id */
	wuv(q, 3);
	wcstr(q, "orders");
	wuv(q, 2);
	w32(q, 2);
	w64(q, 777);
	w32(q, (uint32_t)-1);
	wcstr(q, NULL);
	wuv(q, 0);
	wuv(q, 0);
	wcstr(q, "payments");
	wuv(q, (uint64_t)nparts + 1);
	for (int p = 0; p < nparts; p++) {
		w32(q, (uint32_t)p);
		w64(q, (uint64_t)(1000 + p));
		w32(q, 9);
		wcstr(q, "meta");
		wuv(q, 0);
	}
	wuv(q, 0);
	wuv(q, 0);
	fend(q, at);

	at = fbegin(s);
	resp_hdr(s, 31, true);
	w32(s, 0);
	wuv(s, 2);
	wcstr(s, "payments");
	wuv(s, 3);
	for (int p = 0; p < 2; p++) {
		w32(s, (uint32_t)p);
		w16(s, (uint16_t)(p ? err1 : 0));
		wuv(s, 0);
	}
	wuv(s, 0);
	wuv(s, 0);
	fend(s, at);
}

static void
test_offset_commit(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	build_offset_commit(&rq, &rs, 2, 0);
	const struct kw_kafka_event *e = run_one();
	assert_string_equal(e->api_name, "OffsetCommit");
	assert_string_equal(e->group_id.s, "grp-1");
	assert_int_equal(e->n_topics, 2);
	assert_string_equal(e->topics[0].s, "orders");
	assert_string_equal(e->topics[1].s, "payments");
	assert_int_equal(e->topic_count, 2); /* request 2, response 1 (payments) */
	assert_int_equal(e->n_offsets, 3);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_COMMITTED, 0, 2, 777);
	assert_offset(&e->offsets[1], KW_KAFKA_OFF_COMMITTED, 1, 0, 1000);
	assert_offset(&e->offsets[2], KW_KAFKA_OFF_COMMITTED, 1, 1, 1001);
	assert_int_equal(e->flags, 0);
	run_garbage(&rq, &rs, 1);

	/* More partitions than kept: the first KW_KAFKA_EV_OFFSETS stay, the rest are counted. */
	rq.n = rs.n = 0;
	build_offset_commit(&rq, &rs, KW_KAFKA_EV_OFFSETS + 4, 0);
	e = run_one();
	assert_int_equal(e->n_offsets, KW_KAFKA_EV_OFFSETS);
	assert_true(e->flags & KW_KAFKA_EV_OFFSETS_TRUNC);
	assert_offset(&e->offsets[KW_KAFKA_EV_OFFSETS - 1], KW_KAFKA_OFF_COMMITTED, 1,
		      KW_KAFKA_EV_OFFSETS - 2, 1000 + KW_KAFKA_EV_OFFSETS - 2);
	assert_int_equal(r_whole.cnt.offsets_dropped, 5);

	/* payments[1] refused (OFFSET_METADATA_TOO_LARGE): its offset alone is not committed */
	rq.n = rs.n = 0;
	build_offset_commit(&rq, &rs, 2, 12);
	e = run_one();
	assert_int_equal(e->n_offsets, 3);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_COMMITTED, 0, 2, 777);
	assert_offset(&e->offsets[1], KW_KAFKA_OFF_COMMITTED, 1, 0, 1000);
	assert_offset(&e->offsets[2], KW_KAFKA_OFF_COMMIT_FAILED, 1, 1, 1001);
	assert_int_equal(e->error_count, 1);
}

/*
 * A transaction's consumer offsets: TxnOffsetCommit v3 of orders[2] 777 for grp-1 under producer
 * 4242, then EndTxn v5 committing and EndTxn v3 aborting; the v5 response names the producer's
 * next id, which the pair must not take for the one its transaction ran under. The response
 * answers orders[2] with err.
 */
static void
txn_offset_commit(int16_t err)
{
	size_t at;

	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, KW_KAFKA_API_TXN_OFFSET_COMMIT, 3, 51, true);
	wcstr(&rq, "txn-1");
	wcstr(&rq, "grp-1");
	w64(&rq, 4242);           /* producer id */
	w16(&rq, 3);              /* producer epoch */
	w32(&rq, 5);              /* generation */
	wcstr(&rq, "member-1");
	wcstr(&rq, NULL);         /* group instance id */
	wuv(&rq, 2);
	wcstr(&rq, "orders");
	wuv(&rq, 2);
	w32(&rq, 2);
	w64(&rq, 777);
	w32(&rq, (uint32_t)-1);   /* committed leader epoch */
	wcstr(&rq, NULL);         /* metadata */
	wuv(&rq, 0);
	wuv(&rq, 0);
	wuv(&rq, 0);
	fend(&rq, at);
	for (int i = 0; i < 2; i++) {
		at = fbegin(&rq);
		req_hdr(&rq, KW_KAFKA_API_END_TXN, i == 0 ? 5 : 3, 52 + i, true);
		wcstr(&rq, "txn-1");
		w64(&rq, 4242);
		w16(&rq, 3);
		w8(&rq, i == 0);  /* committed */
		wuv(&rq, 0);
		fend(&rq, at);
	}

	at = fbegin(&rs);
	resp_hdr(&rs, 51, true);
	w32(&rs, 0);
	wuv(&rs, 2);
	wcstr(&rs, "orders");
	wuv(&rs, 2);
	w32(&rs, 2);
	w16(&rs, (uint16_t)err);
	wuv(&rs, 0);
	wuv(&rs, 0);
	wuv(&rs, 0);
	fend(&rs, at);
	for (int i = 0; i < 2; i++) {
		at = fbegin(&rs);
		resp_hdr(&rs, 52 + i, true);
		w32(&rs, 0);
		w16(&rs, 0);
		if (i == 0) {
			w64(&rs, 9999); /* v5: the next producer id and epoch */
			w16(&rs, 0);
		}
		wuv(&rs, 0);
		fend(&rs, at);
	}

	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 3);
	const struct kw_kafka_event *e = &r_whole.ev[0];
	assert_string_equal(e->api_name, "TxnOffsetCommit");
	assert_string_equal(e->group_id.s, "grp-1");
	assert_string_equal(e->txn_id.s, "txn-1");
	assert_int_equal(e->producer_id, 4242);
	assert_int_equal(e->n_offsets, 1);
	/* a partition the response refused is not committed, in the transaction either */
	assert_offset(&e->offsets[0], err ? KW_KAFKA_OFF_COMMIT_FAILED : KW_KAFKA_OFF_TXN_COMMITTED,
		      0, 2, 777);
	assert_int_equal(e->flags & KW_KAFKA_EV_TXN_COMMIT, 0);
	for (int i = 1; i < 3; i++) {
		e = &r_whole.ev[i];
		assert_string_equal(e->api_name, "EndTxn");
		assert_int_equal(e->producer_id, 4242);
		assert_int_equal(e->n_offsets, 0);
		assert_int_equal(e->error_count, 0);
		assert_int_equal(e->flags & KW_KAFKA_EV_TXN_COMMIT,
				 i == 1 ? KW_KAFKA_EV_TXN_COMMIT : 0);
	}
	run_garbage(&rq, &rs, 3);
}

static void
test_txn_offset_commit(void **state)
{
	(void)state;
	txn_offset_commit(0);
	txn_offset_commit(47); /* INVALID_PRODUCER_EPOCH */
}

/* ListOffsets for the latest offset: v2 read_committed, v7 read_uncommitted, v0 (not kept). */
static void
test_list_offsets(void **state)
{
	static const int64_t ts2[3] = {-1, -2, -1};
	static const int64_t off2[3] = {120, 5, -1};
	size_t at;

	(void)state;
	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, KW_KAFKA_API_LIST_OFFSETS, 2, 61, false);
	w32(&rq, (uint32_t)-1); /* replica id */
	w8(&rq, 1);             /* read_committed */
	w32(&rq, 1);
	wstr(&rq, "orders");
	w32(&rq, 3);
	for (int i = 0; i < 3; i++) {
		w32(&rq, (uint32_t)i);
		w64(&rq, (uint64_t)ts2[i]); /* latest, earliest, latest */
	}
	fend(&rq, at);
	at = fbegin(&rq);
	req_hdr(&rq, KW_KAFKA_API_LIST_OFFSETS, 7, 62, true);
	w32(&rq, (uint32_t)-1);
	w8(&rq, 0); /* read_uncommitted */
	wuv(&rq, 2);
	wcstr(&rq, "orders");
	wuv(&rq, 3);
	for (int i = 0; i < 2; i++) {
		w32(&rq, (uint32_t)(3 * i));
		w32(&rq, (uint32_t)-1); /* current leader epoch */
		w64(&rq, (uint64_t)-1);
		wuv(&rq, 0);
	}
	wuv(&rq, 0);
	wuv(&rq, 0);
	fend(&rq, at);
	at = fbegin(&rq);
	req_hdr(&rq, KW_KAFKA_API_LIST_OFFSETS, 0, 63, false);
	w32(&rq, (uint32_t)-1);
	w32(&rq, 1);
	wstr(&rq, "orders");
	w32(&rq, 1);
	w32(&rq, 0);
	w64(&rq, (uint64_t)-1);
	w32(&rq, 1); /* max number of offsets */
	fend(&rq, at);

	at = fbegin(&rs);
	resp_hdr(&rs, 61, false);
	w32(&rs, 0); /* throttle */
	w32(&rs, 1);
	wstr(&rs, "orders");
	w32(&rs, 3);
	for (int i = 0; i < 3; i++) {
		w32(&rs, (uint32_t)i);
		w16(&rs, i == 2 ? 6 : 0); /* partition 2: NOT_LEADER_OR_FOLLOWER */
		w64(&rs, (uint64_t)-1);   /* timestamp */
		w64(&rs, (uint64_t)off2[i]);
	}
	fend(&rs, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 62, true);
	w32(&rs, 0);
	wuv(&rs, 2);
	wcstr(&rs, "orders");
	wuv(&rs, 3);
	for (int i = 0; i < 2; i++) {
		w32(&rs, (uint32_t)(3 * i));
		w16(&rs, 0);
		w64(&rs, (uint64_t)-1);
		w64(&rs, (uint64_t)(300 - 258 * i));
		w32(&rs, 4); /* leader epoch */
		wuv(&rs, 0);
	}
	wuv(&rs, 0);
	wuv(&rs, 0);
	fend(&rs, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 63, false);
	w32(&rs, 1);
	wstr(&rs, "orders");
	w32(&rs, 1);
	w32(&rs, 0);
	w16(&rs, 0);
	w32(&rs, 1); /* old-style offsets: not kept */
	w64(&rs, 50);
	fend(&rs, at);

	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 3);
	const struct kw_kafka_event *e = &r_whole.ev[0];
	assert_string_equal(e->api_name, "ListOffsets");
	assert_int_equal(e->n_offsets, 2);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_LAST_STABLE, 0, 0, 120);
	/* failed: the request's entry stays; the earliest offset asked for took none */
	assert_offset(&e->offsets[1], KW_KAFKA_OFF_LIST_STABLE, 0, 2, -1);
	e = &r_whole.ev[1];
	assert_int_equal(e->n_offsets, 2);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_HWM, 0, 0, 300);
	assert_offset(&e->offsets[1], KW_KAFKA_OFF_HWM, 0, 3, 42);
	e = &r_whole.ev[2];
	assert_int_equal(e->api_version, 0);
	assert_int_equal(e->error_count, 0);
	assert_int_equal(e->n_offsets, 0);
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_int_equal(r_whole.cnt.frame_trailing, 0);
	run_garbage(&rq, &rs, 3);
}

/* The name of group i (from 0) in a DeleteGroups test frame: grp-1, grp-2, ... */
static void
del_group(struct wb *w, int i)
{
	char name[16];

	snprintf(name, sizeof(name), "grp-%d", i + 1);
	wcstr(w, name);
}

/*
 * OffsetDelete v0: the partitions whose commits the group deletes (kind COMMIT_DELETE, -1), the
 * one its response refuses DELETE_FAILED; DeleteGroups v2 of one group, of two (flag
 * group_ids_many), grp-1 answered with an error, and of ten, more than a pair keeps: each
 * answered group in the response's list, with its error bit.
 */
static void
test_offset_delete(void **state)
{
	static const int n_del[] = {1, 2, 10};
	size_t at;

	(void)state;
	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, KW_KAFKA_API_OFFSET_DELETE, 0, 71, false);
	wstr(&rq, "grp-1");
	w32(&rq, 1);
	wstr(&rq, "orders");
	w32(&rq, 2);
	w32(&rq, 4);
	w32(&rq, 6);
	fend(&rq, at);
	for (int i = 0; i < 3; i++) {
		at = fbegin(&rq);
		req_hdr(&rq, KW_KAFKA_API_DELETE_GROUPS, 2, 72 + i, true);
		wuv(&rq, 1 + (uint64_t)n_del[i]);
		for (int g = 0; g < n_del[i]; g++)
			del_group(&rq, g);
		wuv(&rq, 0);
		fend(&rq, at);
	}

	at = fbegin(&rs);
	resp_hdr(&rs, 71, false);
	w16(&rs, 0);
	w32(&rs, 0); /* throttle */
	w32(&rs, 1);
	wstr(&rs, "orders");
	w32(&rs, 2);
	for (int i = 0; i < 2; i++) {
		w32(&rs, (uint32_t)(4 + 2 * i));
		w16(&rs, i == 1 ? 86 : 0); /* GROUP_SUBSCRIBED_TO_TOPIC: orders[6] stays */
	}
	fend(&rs, at);
	for (int i = 0; i < 3; i++) {
		at = fbegin(&rs);
		resp_hdr(&rs, 72 + i, true);
		w32(&rs, 0);
		wuv(&rs, 1 + (uint64_t)n_del[i]);
		for (int g = 0; g < n_del[i]; g++) {
			del_group(&rs, g);
			/* GROUP_ID_NOT_FOUND: grp-1 of the second, grp-10 of the third */
			w16(&rs, (i == 1 && g == 0) || g == 9 ? 69 : 0);
			wuv(&rs, 0);
		}
		wuv(&rs, 0);
		fend(&rs, at);
	}

	run_all(&rq, &rs);
	assert_int_equal(r_whole.n, 4);
	const struct kw_kafka_event *e = &r_whole.ev[0];
	assert_string_equal(e->api_name, "OffsetDelete");
	assert_string_equal(e->group_id.s, "grp-1");
	assert_int_equal(e->error_count, 1);
	assert_int_equal(e->flags, 0); /* the error is a partition's */
	assert_int_equal(e->n_offsets, 2);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_COMMIT_DELETE, 0, 4, -1);
	assert_offset(&e->offsets[1], KW_KAFKA_OFF_DELETE_FAILED, 0, 6, -1);
	assert_int_equal(e->n_groups, 0); /* its response names none */
	e = &r_whole.ev[1];
	assert_string_equal(e->api_name, "DeleteGroups");
	assert_string_equal(e->group_id.s, "grp-1");
	assert_int_equal(e->flags & KW_KAFKA_EV_GROUPS_MANY, 0);
	assert_int_equal(e->n_offsets, 0);
	assert_int_equal(e->n_groups, 1);
	assert_string_equal(e->groups[0].s, "grp-1");
	assert_int_equal(e->groups_failed, 0);
	e = &r_whole.ev[2];
	assert_true(e->flags & KW_KAFKA_EV_GROUPS_MANY);
	assert_int_equal(e->n_groups, 2);
	assert_string_equal(e->groups[1].s, "grp-2");
	assert_int_equal(e->groups_failed, 0x1);
	e = &r_whole.ev[3];
	assert_int_equal(e->flags,
			 KW_KAFKA_EV_GROUPS_MANY | KW_KAFKA_EV_GROUPS_TRUNC | KW_KAFKA_EV_TOP_ERROR);
	assert_int_equal(e->n_groups, KW_KAFKA_EV_GROUPS);
	assert_string_equal(e->groups[7].s, "grp-8");
	assert_int_equal(e->groups_failed, 0); /* grp-10's error is under no group kept */
	assert_int_equal(e->error_count, 1);
	run_garbage(&rq, &rs, 4);
}

/*
 * DescribeGroups v5 of grp-a and grp-b, the second answered NOT_COORDINATOR: a DescribedGroup
 * gives its error code before its group id, and the error is that group's, not the one before.
 */
static void
test_describe_groups(void **state)
{
	size_t at;

	(void)state;
	rq.n = rs.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, KW_KAFKA_API_DESCRIBE_GROUPS, 5, 81, true);
	wuv(&rq, 3);
	wcstr(&rq, "grp-a");
	wcstr(&rq, "grp-b");
	w8(&rq, 0); /* include authorized operations */
	wuv(&rq, 0);
	fend(&rq, at);

	at = fbegin(&rs);
	resp_hdr(&rs, 81, true);
	w32(&rs, 0); /* throttle */
	wuv(&rs, 3);
	for (int g = 0; g < 2; g++) {
		w16(&rs, g ? 16 : 0);
		wcstr(&rs, g ? "grp-b" : "grp-a");
		wcstr(&rs, g ? "" : "Stable");
		wcstr(&rs, g ? "" : "consumer");
		wcstr(&rs, g ? "" : "range");
		wuv(&rs, 1); /* no members */
		w32(&rs, (uint32_t)INT32_MIN); /* authorized operations */
		wuv(&rs, 0);
	}
	wuv(&rs, 0);
	fend(&rs, at);

	const struct kw_kafka_event *e = run_one();
	assert_string_equal(e->api_name, "DescribeGroups");
	assert_int_equal(e->n_groups, 2);
	assert_string_equal(e->groups[0].s, "grp-a");
	assert_string_equal(e->groups[1].s, "grp-b");
	assert_int_equal(e->groups_failed, 0x2);
	assert_int_equal(e->error_count, 1);
	run_garbage(&rq, &rs, 1);
}

/* One OffsetFetch partition entry of a response (v6+): index, committed offset, epoch, ... */
static void
offset_fetch_part(struct wb *s, int32_t part, int64_t off, int16_t err)
{
	w32(s, (uint32_t)part);
	w64(s, (uint64_t)off);
	w32(s, 4);	/* committed leader epoch */
	wcstr(s, NULL); /* metadata */
	w16(s, (uint16_t)err);
	wuv(s, 0);
}

/*
 * OffsetFetch v7 (one group, Topics at the top) or v8 (Groups[]: "grp-1" and, with two_groups,
 * "grp-2"): the response gives orders[0] 500 (grp-2: 501) and orders[1] -1 (no commit, or the
 * partition's error code perr) for each group; err2 is grp-2's error code in v8, the whole
 * response's in v7.
 */
static void
build_offset_fetch(struct wb *q, struct wb *s, int16_t ver, bool two_groups, int16_t err2,
		   int16_t perr)
{
	int ng = two_groups ? 2 : 1;
	size_t at = fbegin(q);

	req_hdr(q, 9, ver, 41, true);
	if (ver >= 8)
		wuv(q, (uint64_t)ng + 1);
	for (int g = 0; g < (ver >= 8 ? ng : 1); g++) {
		wcstr(q, g == 0 ? "grp-1" : "grp-2");
		wuv(q, 2); /* topics */
		wcstr(q, "orders");
		wuv(q, 3); /* partition indexes */
		w32(q, 0);
		w32(q, 1);
		wuv(q, 0);
		if (ver >= 8)
			wuv(q, 0);
	}
	w8(q, 0); /* require stable */
	wuv(q, 0);
	fend(q, at);

	at = fbegin(s);
	resp_hdr(s, 41, true);
	w32(s, 0); /* throttle */
	if (ver >= 8)
		wuv(s, (uint64_t)ng + 1);
	for (int g = 0; g < (ver >= 8 ? ng : 1); g++) {
		if (ver >= 8)
			wcstr(s, g == 0 ? "grp-1" : "grp-2");
		wuv(s, 2);
		wcstr(s, "orders");
		wuv(s, 3);
		offset_fetch_part(s, 0, 500 + g, 0);
		offset_fetch_part(s, 1, -1, perr);
		wuv(s, 0);
		if (ver >= 8) {
			w16(s, (uint16_t)(g == 1 ? err2 : 0));
			wuv(s, 0);
		}
	}
	if (ver < 8)
		w16(s, (uint16_t)err2);
	wuv(s, 0);
	fend(s, at);
}

/* The pair of build_offset_fetch's exchange, decoded whole and at every split point. */
static const struct kw_kafka_event *
offset_fetch_run(int16_t ver, bool two_groups, int16_t err2, int16_t perr)
{
	rq.n = rs.n = 0;
	build_offset_fetch(&rq, &rs, ver, two_groups, err2, perr);
	return run_one();
}

/* OffsetFetch responses carry committed offsets under the request's group; a pair that names
 * more than one group says so (its offsets cannot be told apart by group). */
static void
test_offset_fetch(void **state)
{
	const struct kw_kafka_event *e;
	int16_t ver;

	(void)state;
	for (ver = 7; ver <= 8; ver++) {
		e = offset_fetch_run(ver, false, 0, 0);
		assert_string_equal(e->api_name, "OffsetFetch");
		assert_string_equal(e->group_id.s, "grp-1");
		assert_int_equal(e->n_topics, 1);
		assert_int_equal(e->n_offsets, 2);
		assert_offset(&e->offsets[0], KW_KAFKA_OFF_COMMITTED_READ, 0, 0, 500);
		assert_offset(&e->offsets[1], KW_KAFKA_OFF_COMMITTED_READ, 0, 1, -1);
		assert_int_equal(e->flags, 0);
		/* v8 names the group it answers for; v7 leaves it to the request's */
		assert_int_equal(e->n_groups, ver >= 8);
		assert_int_equal(e->offsets[0].group, ver >= 8 ? 0 : KW_KAFKA_GROUP_NONE);
		run_garbage(&rq, &rs, 1);
	}
	/* two groups: each offset under its own, grp-2 answered with an error */
	e = offset_fetch_run(8, true, 16, 0);
	assert_int_equal(e->n_offsets, 4);
	assert_offset(&e->offsets[2], KW_KAFKA_OFF_COMMITTED_READ, 0, 0, 501);
	assert_int_equal(e->flags, KW_KAFKA_EV_GROUPS_MANY | KW_KAFKA_EV_TOP_ERROR);
	assert_int_equal(e->n_groups, 2);
	assert_string_equal(e->groups[0].s, "grp-1");
	assert_string_equal(e->groups[1].s, "grp-2");
	for (int i = 0; i < 4; i++)
		assert_int_equal(e->offsets[i].group, i / 2);
	assert_int_equal(e->groups_failed, 0x2);
	assert_int_equal(e->error_count, 1);

	/*
	 * A partition's error code (UNSTABLE_OFFSET_COMMIT) marks its offset only: the group's
	 * other offsets stand, and in v8 the group is not failed. v7's error code after its topics
	 * (NOT_COORDINATOR) is the whole response's and marks none.
	 */
	for (ver = 7; ver <= 8; ver++) {
		e = offset_fetch_run(ver, ver >= 8, ver >= 8 ? 0 : 16, 88);
		assert_int_equal(e->n_offsets, ver >= 8 ? 4 : 2);
		for (int i = 0; i < e->n_offsets; i++)
			assert_offset(&e->offsets[i],
				      i % 2 ? KW_KAFKA_OFF_READ_FAILED : KW_KAFKA_OFF_COMMITTED_READ, 0,
				      i % 2, i % 2 ? -1 : 500 + i / 2);
		assert_int_equal(e->groups_failed, 0);
		assert_int_equal(e->error_count, 2);
		assert_int_equal(e->flags & KW_KAFKA_EV_TOP_ERROR, ver < 8 ? KW_KAFKA_EV_TOP_ERROR : 0);
		run_garbage(&rq, &rs, 1);
	}
	/* v7's error code after the topics marks no partition, not even the last one */
	e = offset_fetch_run(7, false, 16, 0);
	assert_int_equal(e->n_offsets, 2);
	assert_offset(&e->offsets[1], KW_KAFKA_OFF_COMMITTED_READ, 0, 1, -1);
	assert_int_equal(e->error_count, 1);
	assert_int_equal(e->flags, KW_KAFKA_EV_TOP_ERROR);
}

/* A Metadata v12 topic of one partition, whose error code (perr) comes before its index */
static void
meta_topic(struct wb *s, int16_t err, int16_t perr, const char *name, const uint8_t *id)
{
	w16(s, (uint16_t)err);
	wcstr(s, name);
	wraw(s, id, 16);
	w8(s, 0);                 /* internal */
	wuv(s, 2);                /* one partition */
	w16(s, (uint16_t)perr);
	w32(s, 0);
	w32(s, 1);                /* leader */
	w32(s, 4);                /* leader epoch */
	/* replicas 1, 4, 6; in sync 6 */
	wuv(s, 4);
	w32(s, 1);
	w32(s, 4);
	w32(s, 6);
	wuv(s, 2);
	w32(s, 6);
	wuv(s, 1);
	wuv(s, 0);
	w32(s, (uint32_t)INT32_MIN); /* authorized operations */
	wuv(s, 0);
}

/* Metadata v12 request (corr) for one topic by name, auto-creation allow_auto as given. */
static void
build_metadata_req(struct wb *q, int32_t corr, const char *topic, uint8_t allow_auto)
{
	static const uint8_t zero[16];
	size_t at = fbegin(q);

	req_hdr(q, 3, 12, corr, true);
	wuv(q, 2); /* one topic, by name (zero id) */
	wraw(q, zero, 16);
	wcstr(q, topic);
	wuv(q, 0);
	w8(q, allow_auto);
	w8(q, 0);
	wuv(q, 0);
	fend(q, at);
}

/* A Metadata v12 request for "b-topic", and its response's head up to the topics */
static size_t
metadata_begin(void)
{
	rq.n = rs.n = 0;
	build_metadata_req(&rq, 51, "b-topic", 1);

	size_t at = fbegin(&rs);
	resp_hdr(&rs, 51, true);
	w32(&rs, 0);              /* throttle */
	wuv(&rs, 2);              /* one broker */
	w32(&rs, 1);
	wcstr(&rs, "broker1");
	w32(&rs, 9092);
	wcstr(&rs, NULL);
	wuv(&rs, 0);
	wcstr(&rs, "cluster");
	w32(&rs, 1);              /* controller */
	return at;
}

static void
test_metadata_aligned(void **state)
{
	(void)state;
	size_t at = metadata_begin();

	wuv(&rs, 4);              /* three topics; the requested one is not first */
	meta_topic(&rs, 0, 0, "a-topic", uuid_a);
	meta_topic(&rs, 0, 0, "b-topic", uuid_b);
	meta_topic(&rs, 100, 0, NULL, uuid_c); /* UNKNOWN_TOPIC_ID: null name (v12) */
	wuv(&rs, 0);
	fend(&rs, at);

	const struct kw_kafka_event *e = run_one();
	assert_string_equal(e->api_name, "Metadata");
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_true(e->flags & KW_KAFKA_EV_TOPIC_IDS_ALIGNED);
	assert_int_equal(e->n_topics, 3);
	assert_int_equal(e->n_topic_ids, 3);
	assert_int_equal(e->topic_count, 3);
	assert_int_equal(e->topic_id_count, 3); /* the request's zero id is not a fourth */
	assert_string_equal(e->topics[0].s, "a-topic");
	assert_memory_equal(e->topic_ids[0], uuid_a, 16);
	assert_string_equal(e->topics[1].s, "b-topic");
	assert_memory_equal(e->topic_ids[1], uuid_b, 16);
	assert_true(e->topics[2].null);
	assert_memory_equal(e->topic_ids[2], uuid_c, 16);
	assert_int_equal(e->n_offsets, 0);
	assert_int_equal(e->errors[0], 100);
	/* the node and controller 1, then each replica list's new ids */
	assert_int_equal(e->n_broker_ids, 3);
	assert_int_equal(e->broker_ids[0], 1);
	assert_int_equal(e->broker_ids[1], 4);
	assert_int_equal(e->broker_ids[2], 6);
	assert_int_equal(e->flags & KW_KAFKA_EV_TOP_ERROR, KW_KAFKA_EV_TOP_ERROR); /* a topic's */
	run_garbage(&rq, &rs, 1);
}

/*
 * A Metadata partition's error code comes before its index (as OffsetForLeaderEpoch's): it is
 * that partition's, in the first partition as in the next ones, not the whole response's.
 */
static void
test_metadata_partition_error(void **state)
{
	(void)state;
	size_t at = metadata_begin();

	wuv(&rs, 3);
	meta_topic(&rs, 0, 5, "a-topic", uuid_a); /* LEADER_NOT_AVAILABLE */
	meta_topic(&rs, 0, 0, "b-topic", uuid_b);
	wuv(&rs, 0);
	fend(&rs, at);

	const struct kw_kafka_event *e = run_one();
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_int_equal(e->n_topics, 2);
	assert_int_equal(e->n_parts, 2);
	assert_int_equal(e->error_count, 1);
	assert_int_equal(e->errors[0], 5);
	assert_int_equal(e->flags & KW_KAFKA_EV_TOP_ERROR, 0);
	run_garbage(&rq, &rs, 1);
}

/*
 * Regression: a Metadata v12 pair that names one topic on both sides reported topic_count 2,
 * because the request's and the response's topic ids were added up (kwgen's Metadata exchange).
 */
static void
test_metadata_one_topic(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	build_metadata_req(&rq, 2, "kwgen-topic", 0);

	size_t at = fbegin(&rs);
	resp_hdr(&rs, 2, true);
	w32(&rs, 0);
	wuv(&rs, 1);              /* no broker */
	wcstr(&rs, NULL);
	w32(&rs, 1);
	wuv(&rs, 2);
	meta_topic(&rs, 0, 0, "kwgen-topic", uuid_a);
	wuv(&rs, 0);
	fend(&rs, at);

	const struct kw_kafka_event *e = run_one();
	assert_int_equal(r_whole.cnt.frame_malformed, 0);
	assert_int_equal(e->topic_count, 1);
	assert_int_equal(e->topic_id_count, 1);
	assert_int_equal(e->partition_count, 1);
	assert_int_equal(e->n_topics, 1);
	assert_string_equal(e->topics[0].s, "kwgen-topic");
	assert_memory_equal(e->topic_ids[0], uuid_a, 16);
}

/* ---- SASL after SaslHandshake v0: raw tokens, fed in causal order ---- */

#define SEQ_MAX 8

struct seq {
	int n;
	unsigned int dir[SEQ_MAX];
	struct wb w[SEQ_MAX];
};

static void
seq_frame(struct seq *q, unsigned int dir, const void *p, size_t n)
{
	struct wb *w = &q->w[q->n];

	q->dir[q->n++] = dir;
	w->n = 0;
	w32(w, (uint32_t)n);
	wraw(w, p, n);
}

/* Feed the chunks in order; each whole, split at k, or byte by byte. */
static void
run_seq(const struct seq *q, int mode, size_t k, struct result *r, struct kw_kafka_conn **keep)
{
	static struct kw_kafka_counters before;
	struct kw_kafka_conn *c = kw_kafka_conn_alloc(g_ctx);
	uint64_t off[2] = {0, 0};

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	before = *kw_kafka_ctx_counters(g_ctx);
	g_out = r;
	for (int i = 0; i < q->n; i++) {
		const struct wb *w = &q->w[i];
		unsigned int d = q->dir[i];
		size_t cut = mode == SPLIT && k < w->n ? k : w->n;

		if (mode == BYTES) {
			for (size_t j = 0; j < w->n; j++)
				kw_kafka_conn_feed(g_ctx, c, d, off[d] + j, w->b + j, 1, 1000);
		} else {
			kw_kafka_conn_feed(g_ctx, c, d, off[d], w->b, (uint32_t)cut, 1000);
			if (cut < w->n)
				kw_kafka_conn_feed(g_ctx, c, d, off[d] + cut, w->b + cut,
						   (uint32_t)(w->n - cut), 1000);
		}
		off[d] += w->n;
	}
	kw_kafka_conn_ident(c, &r->id);
	if (keep) {
		*keep = c;
		return;
	}
	kw_kafka_conn_free(g_ctx, c);
	counters_delta(&r->cnt, &before, kw_kafka_ctx_counters(g_ctx));
	g_out = NULL;
}

static void
run_seq_all(const struct seq *q)
{
	size_t max = 0;

	for (int i = 0; i < q->n; i++)
		max = q->w[i].n > max ? q->w[i].n : max;
	run_seq(q, WHOLE, 0, &r_whole, NULL);
	for (size_t k = 1; k < max; k++) {
		run_seq(q, SPLIT, k, &r_other, NULL);
		result_eq(&r_whole, &r_other);
	}
	run_seq(q, BYTES, 0, &r_other, NULL);
	result_eq(&r_whole, &r_other);
}

/* Handshake v0 for mech, the raw tokens, then an ApiVersions pair in Kafka framing again. */
static void
build_sasl_v0(struct seq *q, const char *mech, int16_t err, const char *const *ctok,
	      const char *const *stok, int ntok)
{
	q->n = 0;
	struct wb *w = &q->w[q->n];
	q->dir[q->n++] = 0;
	w->n = 0;
	size_t at = fbegin(w);
	req_hdr(w, 17, 0, 1, false);
	wstr(w, mech);
	fend(w, at);
	w = &q->w[q->n];
	q->dir[q->n++] = 1;
	w->n = 0;
	at = fbegin(w);
	resp_hdr(w, 1, false);
	w16(w, (uint16_t)err);
	w32(w, 1);
	wstr(w, mech);
	fend(w, at);
	for (int i = 0; i < ntok; i++) {
		/* PLAIN tokens carry NULs: the test strings are "|"-separated instead. */
		char tmp[128];
		size_t n = strlen(ctok[i]);
		memcpy(tmp, ctok[i], n);
		for (size_t j = 0; j < n; j++)
			if (tmp[j] == '|')
				tmp[j] = '\0';
		seq_frame(q, 0, tmp, n);
		seq_frame(q, 1, stok[i], strlen(stok[i]));
	}
	struct wb *a = &q->w[q->n], *b = &q->w[q->n + 1];
	a->n = b->n = 0;
	build_api_versions(a, b, 2);
	q->dir[q->n++] = 0;
	q->dir[q->n++] = 1;
}

static struct seq sq;

static void
assert_seq_secret_absent(const char *secret)
{
	struct kw_kafka_conn *c;

	for (int mode = WHOLE; mode <= BYTES; mode += BYTES) {
		run_seq(&sq, mode, 0, &r_other, &c);
		assert_false(contains(c, sizeof(*c), secret));
		assert_false(contains(g_ctx, sizeof(struct kw_kafka_ctx), secret));
		assert_false(contains(r_other.ev, sizeof(r_other.ev), secret));
		kw_kafka_conn_free(g_ctx, c);
		g_out = NULL;
	}
}

static void
test_sasl_v0_plain(void **state)
{
	(void)state;
	static const char *const ctok[] = {"|alice|s3cr3tpass"};
	static const char *const stok[] = {""};
	build_sasl_v0(&sq, "PLAIN", 0, ctok, stok, 1);
	run_seq_all(&sq);
	assert_int_equal(r_whole.n, 2);
	assert_string_equal(r_whole.ev[0].api_name, "SaslHandshake");
	assert_string_equal(r_whole.ev[1].api_name, "ApiVersions");
	assert_int_equal(r_whole.ev[1].flags, 0);
	assert_string_equal(r_whole.id.user.s, "alice");
	assert_int_equal(r_whole.cnt.sasl_users, 1);
	assert_int_equal(r_whole.cnt.sasl_raw_tokens, 2);
	assert_int_equal(r_whole.cnt.header_bad, 0);
	assert_int_equal(r_whole.cnt.api_unknown, 0);
	assert_int_equal(r_whole.cnt.resp_unmatched, 0);
	assert_seq_secret_absent("s3cr3t");
}

static void
test_sasl_v0_scram(void **state)
{
	(void)state;
	static const char *const ctok[] = {"n,,n=bob,r=fyko+d2lbbFgONRv9qkxdawL",
					   "c=biws,r=fyko+d2lbbFgONRv9qkxdawLsrv,p=PR00FPR00F="};
	static const char *const stok[] = {
		"r=fyko+d2lbbFgONRv9qkxdawLsrv,s=QSXCR+Q6sek8bf92,i=4096",
		"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
	};
	build_sasl_v0(&sq, "SCRAM-SHA-256", 0, ctok, stok, 2);
	run_seq_all(&sq);
	assert_int_equal(r_whole.n, 2);
	assert_string_equal(r_whole.ev[1].api_name, "ApiVersions");
	assert_string_equal(r_whole.id.user.s, "bob");
	assert_int_equal(r_whole.cnt.sasl_users, 1);
	assert_int_equal(r_whole.cnt.sasl_raw_tokens, 4);
	assert_int_equal(r_whole.cnt.resp_unmatched, 0);
	assert_seq_secret_absent("PR00F");

	/* A failed handshake does not switch to raw tokens: Kafka framing continues. */
	build_sasl_v0(&sq, "SCRAM-SHA-256", 33, ctok, stok, 0);
	run_seq_all(&sq);
	assert_int_equal(r_whole.n, 2);
	assert_int_equal(r_whole.cnt.sasl_raw_tokens, 0);
	assert_int_equal(r_whole.ev[1].flags, 0);

	/* GSSAPI: no fixed token count, so the conn goes opaque (counted), nothing misparsed. */
	static const char *const gtok[] = {"\x60\x82krb5-token"};
	static const char *const gstok[] = {"\x60\x81reply"};
	build_sasl_v0(&sq, "GSSAPI", 0, gtok, gstok, 1);
	run_seq_all(&sq);
	assert_int_equal(r_whole.n, 1);
	assert_int_equal(r_whole.cnt.sasl_raw_opaque, 1);
	assert_int_equal(r_whole.cnt.header_bad, 0);
	assert_true(r_whole.cnt.opaque_bytes > 0);
	assert_int_equal(r_whole.id.user.len, 0);
}

/* ---- resync after a mid-stream pickup ---- */

static struct wb rs_prev_q, rs_prev_s, rs_unseen_q, rs_unseen_s, rs_q[3], rs_s[3];

/*
 * The conversation kwire joins: a Fetch pair (corr 7) already under way, cut by the pickup, an
 * ApiVersions response (corr 8) to a request it never saw, then ApiVersions (21), Fetch v13
 * (22) and Produce acks=0 (23) whole.
 */
static void
resync_build(void)
{
	rs_prev_q.n = rs_prev_s.n = rs_unseen_q.n = rs_unseen_s.n = 0;
	for (int i = 0; i < 3; i++)
		rs_q[i].n = rs_s[i].n = 0;
	build_fetch_flex(&rs_prev_q, &rs_prev_s, 12, 7, 0);
	build_api_versions(&rs_unseen_q, &rs_unseen_s, 8);
	build_api_versions(&rs_q[0], &rs_s[0], 21);
	build_fetch_flex(&rs_q[1], &rs_s[1], 13, 22, 0);
	build_produce(&rs_q[2], 23, 0, false);
}

/* Request stream from byte cq of the cut request, response stream from byte cs. */
static void
resync_streams(size_t cq, size_t cs)
{
	rq.n = rs.n = 0;
	wraw(&rq, rs_prev_q.b + cq, rs_prev_q.n - cq);
	wraw(&rs, rs_prev_s.b + cs, rs_prev_s.n - cs);
	wraw(&rs, rs_unseen_s.b, rs_unseen_s.n);
	for (int i = 0; i < 3; i++) {
		wraw(&rq, rs_q[i].b, rs_q[i].n);
		wraw(&rs, rs_s[i].b, rs_s[i].n);
	}
}

/*
 * A request start is trusted once the next one follows it, so the first whole request (and its
 * response) is skipped: ApiVersions 21 is the price, Fetch 22 and Produce 23 are decoded.
 */
static void
resync_check(const struct result *r, size_t cq, size_t cs)
{
	size_t req_skip = rs_prev_q.n - cq + rs_q[0].n;
	size_t resp_skip = rs_prev_s.n - cs + rs_unseen_s.n + rs_s[0].n;

	assert_int_equal(r->n, 2);
	assert_int_equal(r->ev[0].corr_id, 23); /* acks=0: emitted with its request */
	assert_true(r->ev[0].flags & KW_KAFKA_EV_NO_RESPONSE);
	assert_string_equal(r->ev[1].api_name, "Fetch");
	assert_int_equal(r->ev[1].corr_id, 22);
	assert_int_equal(r->ev[1].flags, 0);
	assert_int_equal(r->ev[1].req_off, req_skip);
	assert_int_equal(r->ev[1].resp_off, resp_skip);
	assert_int_equal(r->ev[1].n_offsets, 6);
	assert_int_equal(r->ev[1].topic_id_count, 3);
	assert_int_equal(r->cnt.resync_started, 2);
	assert_int_equal(r->cnt.resync_ok, 2);
	assert_int_equal(r->cnt.resync_false, 0);
	assert_int_equal(r->cnt.resync_failed, 0);
	assert_int_equal(r->cnt.resync_skipped_bytes, req_skip + resp_skip);
	assert_int_equal(r->cnt.resp_unmatched, 0);
	assert_int_equal(r->cnt.frame_malformed, 0);
	assert_int_equal(r->cnt.header_bad, 0);
	assert_int_equal(r->cnt.opaque_bytes, 0);
	assert_int_equal(r->cnt.frames_req, 2);
	assert_int_equal(r->cnt.frames_resp, 1);
}

static void
test_resync(void **state)
{
	(void)state;
	resync_build();
	g_resync = true;
	/* Every cut of the request in flight, including inside its size and header. */
	for (size_t cq = 1; cq < rs_prev_q.n; cq++) {
		size_t cs = 1 + (cq * 7) % (rs_prev_s.n - 1);

		resync_streams(cq, cs);
		run(&rq, &rs, WHOLE, 0, &r_whole, NULL);
		resync_check(&r_whole, cq, cs);
	}
	/* A few cuts fed at every split point and byte by byte. */
	static const size_t cuts[] = {1, 3, 4, 13, 40};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		resync_streams(cuts[i], cuts[i] + 2);
		run_all(&rq, &rs);
		resync_check(&r_whole, cuts[i], cuts[i] + 2);
	}
	g_resync = false;
}

/* Response bytes that arrive before the request direction has synced wait, then sync. */
static void
test_resync_response_first(void **state)
{
	(void)state;
	struct kw_kafka_counters before = *kw_kafka_ctx_counters(g_ctx);
	struct kw_kafka_conn *c = kw_kafka_conn_alloc(g_ctx);
	size_t head = rs_prev_s.n - 10 + rs_unseen_s.n + 3; /* into the first real response */

	assert_non_null(c);
	resync_build();
	resync_streams(20, 10);
	memset(&r_other, 0, sizeof(r_other));
	g_out = &r_other;
	kw_kafka_conn_resync(g_ctx, c, 0);
	kw_kafka_conn_resync(g_ctx, c, 1);
	for (size_t i = 0; i < head; i++)
		kw_kafka_conn_feed(g_ctx, c, 1, i, rs.b + i, 1, 10);
	kw_kafka_conn_feed(g_ctx, c, 0, 0, rq.b, (uint32_t)rq.n, 20);
	kw_kafka_conn_feed(g_ctx, c, 1, head, rs.b + head, (uint32_t)(rs.n - head), 30);
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	counters_delta(&r_other.cnt, &before, kw_kafka_ctx_counters(g_ctx));
	resync_check(&r_other, 20, 10);
}

/* No plausible start within resync_max bytes: the direction goes opaque, counted. */
static void
test_resync_give_up(void **state)
{
	(void)state;
	struct kw_kafka_params p = {.max_conns = 1, .resync_max = 1000};
	struct kw_kafka_ctx *ctx = kw_kafka_ctx_create(&p, 0, NULL, NULL);
	static uint8_t junk[3000];
	struct kw_kafka_counters k;

	assert_non_null(ctx);
	/* Sizes of 1..255 everywhere, but never a known api key with a valid version. */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i % 4 == 3 ? 0x40 : 0);
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct kw_kafka_counters before = *kw_kafka_ctx_counters(ctx);
		struct kw_kafka_conn *c = kw_kafka_conn_alloc(ctx);

		assert_non_null(c);
		kw_kafka_conn_resync(ctx, c, 0);
		kw_kafka_conn_resync(ctx, c, 1);
		if (bytewise)
			for (size_t i = 0; i < sizeof(junk); i++)
				kw_kafka_conn_feed(ctx, c, 0, i, junk + i, 1, 0);
		else
			kw_kafka_conn_feed(ctx, c, 0, 0, junk, sizeof(junk), 0);
		/* Without a request direction there is nothing to pair responses with. */
		kw_kafka_conn_feed(ctx, c, 1, 0, junk, 100, 0);
		kw_kafka_conn_free(ctx, c);
		counters_delta(&k, &before, kw_kafka_ctx_counters(ctx));
		assert_int_equal(k.resync_failed, 2);
		assert_int_equal(k.resync_ok, 0);
		assert_int_equal(k.resync_skipped_bytes, 1000 + 100);
		assert_int_equal(k.opaque_bytes, sizeof(junk) - 1000);
		assert_int_equal(k.events, 0);
	}
	kw_kafka_ctx_destroy(ctx);
}

/*
 * Plausible request starts whose frame does not decode: each follows a whole request (so chain()
 * takes it and it decodes on probation) and is refuted, at a different check each time: a topic
 * count beyond the frame (frame_bad(), mid-walk, with the frame claiming bytes past the next
 * request: a walk that went on after the refute would eat into it), bytes after the decoded body
 * (walk()'s body end), a frame ending inside a field (frame_end()), and an ApiVersions request
 * naming a client software, then bytes after its body: what it wrote of the connection's
 * identity is unknown again. Scanning resumes after each and the real frames after the last one
 * decode.
 */
enum { RF_COUNT = 0, RF_TRAILING, RF_SHORT, RF_IDENT, RF_N };

/* A request (corr) on probation, refuted as kind says: Metadata v12, or ApiVersions v3. */
static void
refute_build(struct wb *q, int kind, int32_t corr)
{
	size_t at = fbegin(q);

	req_hdr(q, 3, 12, corr, true);
	if (kind == RF_COUNT) {
		wuv(q, 0x10000); /* 65535 topics */
		fend(q, at);
		q->b[at + 3] += 64; /* the frame claims 64 bytes past its content */
		return;
	}
	if (kind == RF_SHORT) {
		wuv(q, 1); /* no topics; the frame ends before allow_auto_topic_creation */
		fend(q, at);
		return;
	}
	if (kind == RF_IDENT) {
		q->n = at;
		at = fbegin(q);
		req_hdr(q, 18, 3, corr, true);
		wcstr(q, "ghost-sw");
		wcstr(q, "6.6.6");
		wuv(q, 0);
		w16(q, 0xffff); /* two bytes after the body, counted in the size */
		fend(q, at);
		return;
	}
	q->n = at;
	build_metadata_req(q, corr, "ghost", 1);
	w16(q, 0xffff); /* two bytes after the body, counted in the size */
	q->b[at + 3] += 2;
}

static size_t rf_req_skip, rf_resp_skip;

/*
 * From byte cq of the cut request and cs of its response: ApiVersions 21, refuted 91,
 * ApiVersions 31, refuted 92, ApiVersions 41, refuted 93, ApiVersions 51, refuted 94,
 * ApiVersions 61, then Fetch v13 (22)
 * and Produce acks=0 (23). The bogus requests have no response.
 */
static void
refute_streams(size_t cq, size_t cs)
{
	static struct wb av_q, av_s;

	rq.n = rs.n = 0;
	wraw(&rq, rs_prev_q.b + cq, rs_prev_q.n - cq);
	wraw(&rs, rs_prev_s.b + cs, rs_prev_s.n - cs);
	wraw(&rs, rs_unseen_s.b, rs_unseen_s.n);
	for (int i = 0; i <= RF_N; i++) {
		av_q.n = av_s.n = 0;
		build_api_versions(&av_q, &av_s, 21 + 10 * i);
		wraw(&rq, av_q.b, av_q.n);
		wraw(&rs, av_s.b, av_s.n);
		if (i < RF_N)
			refute_build(&rq, RF_COUNT + i, 91 + i);
	}
	rf_req_skip = rq.n;
	rf_resp_skip = rs.n;
	wraw(&rq, rs_q[1].b, rs_q[1].n);
	wraw(&rs, rs_s[1].b, rs_s[1].n);
	wraw(&rq, rs_q[2].b, rs_q[2].n);
}

/*
 * Each refuted start and the request before it (the next start to be trusted) are skipped:
 * Fetch 22 is the first frame decoded, then Produce 23; nothing of 91..94 reaches an event or
 * the connection's identity.
 */
static void
refute_check(const struct result *r)
{
	assert_int_equal(r->n, 2);
	assert_int_equal(r->ev[0].api_key, KW_KAFKA_API_PRODUCE);
	assert_int_equal(r->ev[0].corr_id, 23);
	assert_true(r->ev[0].flags & KW_KAFKA_EV_NO_RESPONSE);
	assert_string_equal(r->ev[0].client_id.s, "kw-client");
	assert_int_equal(r->ev[0].n_topics, 1);
	assert_string_equal(r->ev[0].topics[0].s, "orders");
	assert_int_equal(r->ev[1].api_key, KW_KAFKA_API_FETCH);
	assert_int_equal(r->ev[1].corr_id, 22);
	assert_int_equal(r->ev[1].flags, 0);
	assert_string_equal(r->ev[1].client_id.s, "kw-client");
	assert_int_equal(r->ev[1].req_off, rf_req_skip);
	assert_int_equal(r->ev[1].resp_off, rf_resp_skip);
	assert_int_equal(r->ev[1].n_offsets, 6);
	assert_int_equal(r->ev[1].topic_id_count, 3);
	for (int i = 0; i < r->n; i++)
		for (int t = 0; t < r->ev[i].n_topics; t++)
			assert_string_not_equal(r->ev[i].topics[t].s, "ghost");
	assert_int_equal(r->cnt.resync_started, 2);
	assert_int_equal(r->cnt.resync_ok, 2);
	assert_int_equal(r->cnt.resync_false, RF_N);
	assert_int_equal(r->id.sw_name.len, 0);
	assert_int_equal(r->id.sw_version.len, 0);
	assert_string_equal(r->id.client_id.s, "kw-client");
	assert_int_equal(r->cnt.resync_failed, 0);
	assert_int_equal(r->cnt.resync_skipped_bytes, rf_req_skip + rf_resp_skip);
	assert_int_equal(r->cnt.resp_unmatched, 0);
	assert_int_equal(r->cnt.frame_malformed, 0);
	assert_int_equal(r->cnt.frame_trailing, 0);
	assert_int_equal(r->cnt.header_bad, 0);
	assert_int_equal(r->cnt.opaque_bytes, 0);
	assert_int_equal(r->cnt.frames_req, 2);
	assert_int_equal(r->cnt.frames_resp, 1);
}

static void
test_resync_refuted(void **state)
{
	(void)state;
	resync_build();
	g_resync = true;
	static const size_t cuts[] = {1, 4, 13, 40};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		refute_streams(cuts[i], cuts[i] + 2);
		run_all(&rq, &rs);
		refute_check(&r_whole);
	}
	g_resync = false;
}

/* ---- malformed input ---- */

static void
test_bad_frame_size(void **state)
{
	(void)state;
	static const uint8_t neg[] = {0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0};
	static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
	const uint8_t *v[2] = {neg, huge};

	for (int i = 0; i < 2; i++) {
		rq.n = rs.n = 0;
		wraw(&rq, v[i], 8);
		build_api_versions(&rq, &rs, 5); /* never decoded: the direction is opaque */
		run_all(&rq, &rs);
		assert_int_equal(r_whole.cnt.frame_size_bad, 1);
		assert_int_equal(r_whole.cnt.frames_req, 0);
		assert_int_equal(r_whole.cnt.opaque_bytes, rq.n - 4);
		assert_int_equal(r_whole.cnt.resp_unmatched, 1);
		assert_int_equal(r_whole.n, 0);
	}
}

/* A bad request, then a good ApiVersions pair: framing holds, the second pair decodes. */
static void
check_bad_then_good(uint64_t malformed, uint64_t tagged_too_many)
{
	build_api_versions(&rq, &rs, 77);
	run_all(&rq, &rs);
	assert_int_equal(r_whole.cnt.frames_req, 2);
	assert_int_equal(r_whole.cnt.frame_malformed, malformed);
	assert_int_equal(r_whole.cnt.tagged_too_many, tagged_too_many);
	assert_int_equal(r_whole.n, 2); /* the bad one is unanswered at free */
	assert_int_equal(r_whole.ev[0].corr_id, 77);
	assert_int_equal(r_whole.ev[0].flags, 0);
	assert_string_equal(r_whole.id.sw_name.s, "librdkafka");
	assert_int_equal(r_whole.ev[1].corr_id, 1);
	assert_true(r_whole.ev[1].flags & KW_KAFKA_EV_REQ_BAD);
	assert_true(r_whole.ev[1].flags & KW_KAFKA_EV_UNANSWERED);
}

static void
test_array_too_long(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 3, 1, 1, false);
	w32(&rq, 100000);         /* topics: far more than the frame holds */
	wstr(&rq, "orders");
	fend(&rq, at);
	check_bad_then_good(1, 0);
}

static void
test_varint_too_long(void **state)
{
	(void)state;
	static const uint8_t v6[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 18, 3, 1, true);
	wraw(&rq, v6, sizeof(v6));
	wraw(&rq, "abcdef", 6);
	fend(&rq, at);
	check_bad_then_good(1, 0);
}

static void
test_tagged_count_huge(void **state)
{
	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 18, 3, 1, false);
	wuv(&rq, 1000001);        /* header tagged section: a million fields */
	wraw(&rq, "xxxxxxxx", 8);
	fend(&rq, at);
	check_bad_then_good(0, 1);
}

static void
test_unknown_api_and_version(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		rq.n = rs.n = 0;
		size_t at = fbegin(&rq);
		req_hdr(&rq, i == 0 ? 999 : 18, i == 0 ? 0 : 99, 1, false);
		wraw(&rq, "opaque body", 11);
		fend(&rq, at);
		at = fbegin(&rs);
		resp_hdr(&rs, 1, false);
		wraw(&rs, "opaque answer", 13);
		fend(&rs, at);
		build_api_versions(&rq, &rs, 2);
		run_all(&rq, &rs);
		assert_int_equal(r_whole.cnt.api_unknown, i == 0);
		assert_int_equal(r_whole.cnt.version_unknown, i == 1);
		assert_int_equal(r_whole.cnt.frame_malformed, 0);
		assert_int_equal(r_whole.cnt.resp_unmatched, 0);
		assert_int_equal(r_whole.n, 2);
		assert_int_equal(r_whole.ev[0].corr_id, 1);
		assert_true(r_whole.ev[0].flags & KW_KAFKA_EV_OPAQUE);
		assert_int_equal(r_whole.ev[0].resp_len, 4 + 4 + 13);
		assert_int_equal(r_whole.ev[1].corr_id, 2);
		assert_int_equal(r_whole.ev[1].flags, 0);
		assert_string_equal(r_whole.id.sw_name.s, "librdkafka");
	}
}

static void
test_truncated_then_gap(void **state)
{
	(void)state;
	struct kw_kafka_conn *c;
	rq.n = rs.n = 0;
	build_api_versions(&rq, &rs, 3);
	struct wb half = rq;
	half.n = rq.n / 2;
	struct wb none = {0};
	run(&half, &none, WHOLE, 0, &r_other, &c);
	kw_kafka_conn_gap(g_ctx, c, 0);
	kw_kafka_conn_feed(g_ctx, c, 0, rq.n, rq.b, (uint32_t)rq.n, 1);
	const struct kw_kafka_counters *k = kw_kafka_ctx_counters(g_ctx);
	uint64_t trunc = k->frame_truncated, gaps = k->gaps, op = k->opaque_bytes;
	kw_kafka_conn_gap(g_ctx, c, 0); /* already opaque: not counted twice */
	assert_int_equal(k->gaps, gaps);
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	assert_true(trunc >= 1);
	assert_true(op >= rq.n);
	assert_int_equal(r_other.n, 0);
}

static void
test_pending_full(void **state)
{
	(void)state;
	struct kw_kafka_conn *c;
	rq.n = rs.n = 0;
	for (int i = 0; i < KW_KAFKA_INFLIGHT_MAX + 1; i++) {
		size_t at = fbegin(&rq);
		req_hdr(&rq, 3, 1, 100 + i, false);
		w32(&rq, 0);
		fend(&rq, at);
	}
	uint64_t ev0 = kw_kafka_ctx_counters(g_ctx)->pending_evicted;
	run(&rq, &rs, WHOLE, 0, &r_other, &c);
	assert_int_equal(kw_kafka_ctx_counters(g_ctx)->pending_evicted, ev0 + 1);
	assert_int_equal(r_other.n, 1);
	assert_int_equal(r_other.ev[0].corr_id, 100);
	assert_true(r_other.ev[0].flags & KW_KAFKA_EV_UNANSWERED);
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	assert_int_equal(r_other.n, 1 + KW_KAFKA_INFLIGHT_MAX);
}

/* A fresh conn whose pairs go to r_other (emptied), its streams at offsets 0. */
static struct kw_kafka_conn *
other_begin(uint64_t off[2])
{
	struct kw_kafka_conn *c = kw_kafka_conn_alloc(g_ctx);

	assert_non_null(c);
	off[0] = off[1] = 0;
	memset(&r_other, 0, sizeof(r_other));
	g_out = &r_other;
	return c;
}

/*
 * A client with one request in flight at a time: every request takes the first pending entry
 * (the window starts again at 0 once empty), and every pair is still matched.
 */
static void
test_pending_reuse(void **state)
{
	(void)state;
	uint64_t off[2];
	struct kw_kafka_conn *c = other_begin(off);

	for (int32_t corr = 1; corr <= 3; corr++) {
		rq.n = rs.n = 0;
		build_api_versions(&rq, &rs, corr);
		kw_kafka_conn_feed(g_ctx, c, 0, off[0], rq.b, (uint32_t)rq.n, 1000 * corr);
		off[0] += rq.n;
		assert_int_equal(c->pend_n, 1);
		assert_true(c->pend[0].used);
		assert_int_equal(c->pend[0].corr_id, corr);
		kw_kafka_conn_feed(g_ctx, c, 1, off[1], rs.b, (uint32_t)rs.n, 1000 * corr + 10);
		off[1] += rs.n;
		assert_int_equal(c->pend_n, 0);
		assert_int_equal(c->pend_head, 0);
		assert_int_equal(r_other.n, corr);
		assert_int_equal(r_other.ev[corr - 1].corr_id, corr);
		assert_int_equal(r_other.ev[corr - 1].resp_len, rs.n);
	}
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	assert_int_equal(r_other.n, 3);
}

/* One exchange of rq then rs on c, whose streams are at off[0] and off[1]. */
static void
exchange(struct kw_kafka_conn *c, uint64_t off[2], uint64_t now)
{
	kw_kafka_conn_feed(g_ctx, c, 0, off[0], rq.b, (uint32_t)rq.n, now);
	off[0] += rq.n;
	kw_kafka_conn_feed(g_ctx, c, 1, off[1], rs.b, (uint32_t)rs.n, now + 10);
	off[1] += rs.n;
}

/*
 * A pending entry writes only what its request had (kw_kafka_pending.kept): the records, group
 * and topic a request left in the entry do not show in the pair of the next one there, and an
 * unanswered request keeps its topic.
 */
static void
test_pending_kept(void **state)
{
	(void)state;
	uint64_t off[2];
	struct kw_kafka_conn *c = other_begin(off);

	rq.n = rs.n = 0;
	build_produce(&rq, 9, -1, false);
	build_produce_resp(&rs, 9, 0, 100);
	exchange(c, off, 1000);
	rq.n = rs.n = 0;
	build_offset_commit(&rq, &rs, 1, 0);
	exchange(c, off, 2000);
	rq.n = rs.n = 0;
	build_api_versions(&rq, &rs, 40);
	exchange(c, off, 3000);
	assert_int_equal(r_other.n, 3);
	assert_int_equal(r_other.ev[0].records.fields, 1);
	assert_string_equal(r_other.ev[1].group_id.s, "grp-1");
	assert_int_equal(r_other.ev[1].n_topics, 2);
	const struct kw_kafka_event *e = &r_other.ev[2];
	assert_int_equal(e->api_key, KW_KAFKA_API_API_VERSIONS);
	assert_int_equal(e->records.fields, 0);
	assert_int_equal(e->records.producer_id, -1);
	assert_int_equal(e->group_id.len, 0);
	assert_false(e->group_id.null);
	assert_int_equal(e->n_topics, 0);
	/* A Metadata request (no detail slot) that never gets its response. */
	rq.n = 0;
	build_metadata_req(&rq, 41, "kwgen-topic", 0);
	kw_kafka_conn_feed(g_ctx, c, 0, off[0], rq.b, (uint32_t)rq.n, 4000);
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	assert_int_equal(r_other.n, 4);
	e = &r_other.ev[3];
	assert_true(e->flags & KW_KAFKA_EV_UNANSWERED);
	assert_int_equal(e->corr_id, 41);
	assert_int_equal(e->n_topics, 1);
	assert_string_equal(e->topics[0].s, "kwgen-topic");
	assert_int_equal(e->group_id.len, 0);
}

/*
 * A null group id (ShareFetch's is nullable) is kept as null: the pair says the request named
 * no group, neither an empty one nor the group of the request before it in the entry.
 */
static void
test_pending_kept_null_group(void **state)
{
	(void)state;
	uint64_t off[2];
	struct kw_kafka_conn *c = other_begin(off);
	size_t at;

	rq.n = rs.n = 0;
	build_offset_commit(&rq, &rs, 1, 0);
	exchange(c, off, 1000);
	rq.n = 0;
	at = fbegin(&rq);
	req_hdr(&rq, KW_KAFKA_API_SHARE_FETCH, 0, 50, true);
	wcstr(&rq, NULL);	/* group id */
	wcstr(&rq, "member-1"); /* member id */
	w32(&rq, 0);		/* share session epoch */
	w32(&rq, 500);		/* max wait */
	w32(&rq, 1);		/* min bytes */
	w32(&rq, 1u << 20);	/* max bytes */
	wuv(&rq, 1);		/* topics: none */
	wuv(&rq, 1);		/* forgotten topics: none */
	wuv(&rq, 0);
	fend(&rq, at);
	kw_kafka_conn_feed(g_ctx, c, 0, off[0], rq.b, (uint32_t)rq.n, 2000);
	kw_kafka_conn_free(g_ctx, c);
	g_out = NULL;
	assert_int_equal(r_other.n, 2);
	assert_string_equal(r_other.ev[0].group_id.s, "grp-1");
	const struct kw_kafka_event *e = &r_other.ev[1];
	assert_int_equal(e->api_key, KW_KAFKA_API_SHARE_FETCH);
	assert_true(e->flags & KW_KAFKA_EV_UNANSWERED);
	assert_true(e->group_id.null);
	assert_int_equal(e->group_id.len, 0);
}

/* ---- record hook ---- */

#define MAX_RECS 16

struct hooked {
	unsigned int dir;
	int16_t api_key;
	int32_t corr_id;
	char topic[KW_KAFKA_NAME_MAX];
	int32_t partition;
	struct kw_kafka_record r;
};

struct hook_out {
	int n;
	struct hooked h[MAX_RECS];
};

static struct hook_out hk_whole, hk_other;

static void
on_record(void *arg, const struct kw_kafka_record_where *where, const struct kw_kafka_record *rec)
{
	struct hook_out *o = arg;
	struct hooked *h;

	assert_true(o->n < MAX_RECS);
	h = &o->h[o->n++];
	memset(h, 0, sizeof(*h));
	h->dir = where->dir;
	h->api_key = where->ev->api_key;
	h->corr_id = where->ev->corr_id;
	assert_null(where->topic_id);
	if (where->topic != NULL)
		memcpy(h->topic, where->topic->s, where->topic->len + 1u);
	h->partition = where->partition;
	h->r = *rec;
}

/* zigzag varint, as record fields are written */
static void
wsv(struct wb *w, int64_t v)
{
	wuv(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/*
 * A magic 2 batch at base offset base of nrec records: key "k<base+i>" (null for i == 1),
 * value "value-<base+i>", one header "h<i>" = "x".
 */
static void
build_keyed_batch(struct wb *w, int nrec, int64_t base)
{
	static struct wb body;
	char s[32];
	size_t at = w->n;

	w64(w, (uint64_t)base);
	w32(w, 0);          /* batch length, patched */
	w32(w, 0);          /* partition leader epoch */
	w8(w, 2);           /* magic */
	w32(w, 0);          /* crc, patched */
	w16(w, 0);          /* attributes: no compression */
	w32(w, (uint32_t)(nrec - 1));
	w64(w, 1700000000000ull);
	w64(w, 1700000000000ull + (uint64_t)nrec);
	w64(w, (uint64_t)-1);
	w16(w, 0xffff);
	w32(w, 0xffffffff);
	w32(w, (uint32_t)nrec);
	for (int i = 0; i < nrec; i++) {
		body.n = 0;
		w8(&body, 0);   /* attributes */
		wsv(&body, i);  /* timestamp delta */
		wsv(&body, i);  /* offset delta */
		if (i == 1) {
			wsv(&body, -1);
		} else {
			snprintf(s, sizeof(s), "k%lld", (long long)(base + i));
			wsv(&body, (int64_t)strlen(s));
			wraw(&body, s, strlen(s));
		}
		snprintf(s, sizeof(s), "value-%lld", (long long)(base + i));
		wsv(&body, (int64_t)strlen(s));
		wraw(&body, s, strlen(s));
		wsv(&body, 1);
		snprintf(s, sizeof(s), "h%d", i);
		wsv(&body, (int64_t)strlen(s));
		wraw(&body, s, strlen(s));
		wsv(&body, 1);
		w8(&body, 'x');
		wsv(w, (int64_t)body.n);
		wraw(w, body.b, body.n);
	}
	uint32_t blen = (uint32_t)(w->n - at - 12);
	for (int i = 0; i < 4; i++)
		w->b[at + 8 + i] = (uint8_t)(blen >> (24 - 8 * i));
	uint32_t crc = ref_crc32c(w->b + at + 21, w->n - at - 21);
	for (int i = 0; i < 4; i++)
		w->b[at + 17 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

/* The stream offsets of h point at the bytes build_keyed_batch wrote for record base + i. */
static void
check_hooked(const struct hooked *h, const struct wb *stream, int64_t base, int i)
{
	char key[32], value[32];

	snprintf(key, sizeof(key), "k%lld", (long long)(base + i));
	snprintf(value, sizeof(value), "value-%lld", (long long)(base + i));
	assert_int_equal(h->r.offset, base + i);
	assert_int_equal(h->r.timestamp, 1700000000000ll + i);
	if (i == 1) {
		assert_int_equal(h->r.key_len, -1);
	} else {
		assert_int_equal(h->r.key_len, strlen(key));
		assert_true(h->r.key_off + strlen(key) <= stream->n);
		assert_memory_equal(stream->b + h->r.key_off, key, strlen(key));
	}
	assert_int_equal(h->r.value_len, strlen(value));
	assert_true(h->r.value_off + strlen(value) <= stream->n);
	assert_memory_equal(stream->b + h->r.value_off, value, strlen(value));
	/* one header: key length 2 (zigzag 4), "h<i>", value length 1 (zigzag 2), 'x' */
	assert_int_equal(h->r.header_count, 1);
	assert_int_equal(h->r.headers_len, 5);
	assert_int_equal(stream->b[h->r.headers_off], 4);
	assert_int_equal(stream->b[h->r.headers_off + 1], 'h');
	assert_int_equal(stream->b[h->r.headers_off + 4], 'x');
	/* the record ends with its headers: off + length varint + len */
	assert_int_equal(h->r.headers_off + h->r.headers_len,
			 h->r.off + 1 + h->r.len); /* lengths here fit a 1-byte varint */
}

static void
hooked_eq(const struct hook_out *a, const struct hook_out *b)
{
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++) {
		assert_int_equal(a->h[i].dir, b->h[i].dir);
		assert_int_equal(a->h[i].api_key, b->h[i].api_key);
		assert_int_equal(a->h[i].corr_id, b->h[i].corr_id);
		assert_string_equal(a->h[i].topic, b->h[i].topic);
		assert_int_equal(a->h[i].partition, b->h[i].partition);
		assert_memory_equal(&a->h[i].r, &b->h[i].r, sizeof(a->h[i].r));
	}
}

/* Feed whole, at every split point and byte by byte: the hook sees the same records. */
static void
run_hooked(const struct wb *req, const struct wb *resp)
{
	size_t max = req->n > resp->n ? req->n : resp->n;

	hk_whole.n = 0;
	kw_kafka_ctx_set_record_hook(g_ctx, on_record, &hk_whole);
	run(req, resp, WHOLE, 0, &r_whole, NULL);
	kw_kafka_ctx_set_record_hook(g_ctx, on_record, &hk_other);
	for (size_t k = 1; k < max; k++) {
		hk_other.n = 0;
		run(req, resp, SPLIT, k, &r_other, NULL);
		hooked_eq(&hk_whole, &hk_other);
	}
	hk_other.n = 0;
	run(req, resp, BYTES, 0, &r_other, NULL);
	hooked_eq(&hk_whole, &hk_other);
	kw_kafka_ctx_set_record_hook(g_ctx, NULL, NULL);
}

/* Produce v9 (flexible): two partitions of "orders", each a batch of three records. */
static void
test_record_hook_produce(void **state)
{
	static struct wb batch;

	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 0, 9, 21, true);
	wcstr(&rq, NULL);          /* no transactional id */
	w16(&rq, 1);               /* acks */
	w32(&rq, 30000);
	wuv(&rq, 2);               /* one topic */
	wcstr(&rq, "orders");
	wuv(&rq, 3);               /* two partitions */
	for (int p = 0; p < 2; p++) {
		w32(&rq, (uint32_t)(3 + p));
		batch.n = 0;
		build_keyed_batch(&batch, 3, 100 * p);
		wuv(&rq, batch.n + 1);
		wraw(&rq, batch.b, batch.n);
		wuv(&rq, 0);
	}
	wuv(&rq, 0);
	wuv(&rq, 0);
	fend(&rq, at);

	run_hooked(&rq, &rs);
	assert_int_equal(hk_whole.n, 6);
	for (int i = 0; i < 6; i++) {
		const struct hooked *h = &hk_whole.h[i];

		assert_int_equal(h->dir, 0);
		assert_int_equal(h->api_key, 0);
		assert_int_equal(h->corr_id, 21);
		assert_string_equal(h->topic, "orders");
		assert_int_equal(h->partition, 3 + i / 3);
		assert_int_equal(h->r.batch, 0); /* one batch per records field */
		check_hooked(h, &rq, 100 * (i / 3), i % 3);
	}
	/* the event places both records fields: where each batch starts, its length, partition */
	assert_int_equal(r_whole.n, 1);
	assert_int_equal(r_whole.ev[0].n_rfields, 2);
	for (int p = 0; p < 2; p++) {
		const struct kw_kafka_ev_rfield *rf = &r_whole.ev[0].rfields[p];

		batch.n = 0;
		build_keyed_batch(&batch, 3, 100 * p);
		assert_int_equal(rf->len, batch.n);
		assert_true(rf->off + rf->len <= rq.n);
		assert_memory_equal(rq.b + rf->off, batch.b, batch.n);
		assert_int_equal(rf->dir, 0);
		assert_int_equal(rf->topic, 0);
		assert_string_equal(r_whole.ev[0].topics[rf->topic].s, "orders");
		assert_int_equal(rf->partition, 3 + p);
	}
	/* without a hook nothing is reported and the events are the same */
	hk_other.n = 0;
	run(&rq, &rs, WHOLE, 0, &r_other, NULL);
	assert_int_equal(hk_other.n, 0);
	result_eq(&r_whole, &r_other);
}

/* More records fields than an event keeps: the first KW_KAFKA_EV_RFIELDS, flagged, counted. */
static void
test_rfields_trunc(void **state)
{
	static struct wb batch;
	const int parts = KW_KAFKA_EV_RFIELDS + 1;

	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 0, 9, 22, true);
	wcstr(&rq, NULL);
	w16(&rq, 1);
	w32(&rq, 30000);
	wuv(&rq, 2);
	wcstr(&rq, "orders");
	wuv(&rq, (uint64_t)parts + 1);
	for (int p = 0; p < parts; p++) {
		w32(&rq, (uint32_t)p);
		batch.n = 0;
		build_keyed_batch(&batch, 1, p);
		wuv(&rq, batch.n + 1);
		wraw(&rq, batch.b, batch.n);
		wuv(&rq, 0);
	}
	wuv(&rq, 0);
	wuv(&rq, 0);
	fend(&rq, at);

	run(&rq, &rs, WHOLE, 0, &r_whole, NULL);
	assert_int_equal(r_whole.n, 1);
	assert_int_equal(r_whole.ev[0].n_rfields, KW_KAFKA_EV_RFIELDS);
	assert_true(r_whole.ev[0].flags & KW_KAFKA_EV_RFIELDS_TRUNC);
	assert_int_equal(r_whole.ev[0].rfields[KW_KAFKA_EV_RFIELDS - 1].partition,
			 KW_KAFKA_EV_RFIELDS - 1);
	assert_int_equal(r_whole.cnt.rfields_dropped, 1);
	assert_int_equal(r_whole.ev[0].records.fields, parts);
	for (size_t k = 1; k < rq.n; k += 7) {
		run(&rq, &rs, SPLIT, k, &r_other, NULL);
		result_eq(&r_whole, &r_other);
	}
}

/* Fetch v4 response: "orders" partition 7 with two batches, "audit" partition 0 with one. */
static void
test_record_hook_fetch(void **state)
{
	static struct wb batch;

	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 1, 4, 31, false);
	w32(&rq, (uint32_t)-1);
	w32(&rq, 500);
	w32(&rq, 1);
	w32(&rq, 1 << 20);
	w8(&rq, 0);
	w32(&rq, 0);               /* no topics: the response names them */
	fend(&rq, at);

	at = fbegin(&rs);
	resp_hdr(&rs, 31, false);
	w32(&rs, 0);               /* throttle */
	w32(&rs, 2);               /* two topics */
	for (int t = 0; t < 2; t++) {
		wstr(&rs, t == 0 ? "orders" : "audit");
		w32(&rs, 1);
		w32(&rs, t == 0 ? 7 : 0);
		w16(&rs, 0);
		w64(&rs, 99);
		w64(&rs, 99);
		w32(&rs, (uint32_t)-1);
		batch.n = 0;
		build_keyed_batch(&batch, 3, t == 0 ? 10 : 50);
		if (t == 0)
			build_keyed_batch(&batch, 2, 13);
		w32(&rs, (uint32_t)batch.n);
		wraw(&rs, batch.b, batch.n);
	}
	fend(&rs, at);

	run_hooked(&rq, &rs);
	assert_int_equal(hk_whole.n, 8);
	for (int i = 0; i < 8; i++) {
		const struct hooked *h = &hk_whole.h[i];

		assert_int_equal(h->dir, 1);
		assert_int_equal(h->api_key, 1);
		assert_int_equal(h->corr_id, 31);
		assert_string_equal(h->topic, i < 5 ? "orders" : "audit");
		assert_int_equal(h->partition, i < 5 ? 7 : 0);
		assert_int_equal(h->r.batch, i < 3 ? 0 : i < 5 ? 1 : 0);
		if (i < 3)
			check_hooked(h, &rs, 10, i);
		else if (i < 5)
			check_hooked(h, &rs, 13, i - 3);
		else
			check_hooked(h, &rs, 50, i - 5);
	}
	assert_int_equal(r_whole.n, 1);
	assert_int_equal(r_whole.ev[0].records.records, 8);
}

static void
test_pool(void **state)
{
	(void)state;
	struct kw_kafka_params p = {.max_conns = 2};
	struct kw_kafka_ctx *ctx = kw_kafka_ctx_create(&p, 0, NULL, NULL);
	assert_non_null(ctx);
	struct kw_kafka_conn *a = kw_kafka_conn_alloc(ctx), *b = kw_kafka_conn_alloc(ctx);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(kw_kafka_conn_alloc(ctx));
	assert_int_equal(kw_kafka_ctx_counters(ctx)->conn_alloc_fail, 1);
	kw_kafka_conn_free(ctx, a);
	assert_ptr_equal(kw_kafka_conn_alloc(ctx), a);
	kw_kafka_ctx_destroy(ctx);
}

/* The pairs test_park_pool's connections emit, each checked as it comes. */
static unsigned int g_park_events;

static void
on_park_emit(void *arg, const struct kw_kafka_event *e)
{
	(void)arg;
	g_park_events++;
	assert_string_equal(e->api_name, "Produce");
	assert_int_equal(e->corr_id, 9);
	assert_int_equal(e->n_topics, 1);
	assert_string_equal(e->topics[0].s, "orders");
	assert_string_equal(e->txn_id.s, "txn-1");
	assert_int_equal(e->records.records, 2);
	assert_int_equal(e->records.producer_id, 4242);
	assert_int_equal(e->throttle_ms, 250);
	assert_int_equal(e->n_offsets, 1);
	assert_offset(&e->offsets[0], KW_KAFKA_OFF_LOG_END, 0, 3, 102);
	assert_int_equal(e->flags & (KW_KAFKA_EV_REQ_BAD | KW_KAFKA_EV_RESP_BAD), 0);
}

/* Feed bytes [from, to) of w in direction dir of c, w starting at stream offset base. */
static void
feed_range(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *c, unsigned int dir,
	   const struct wb *w, uint64_t base, size_t from, size_t to)
{
	kw_kafka_conn_feed(ctx, c, dir, base + from, w->b + from, (uint32_t)(to - from), 1000);
}

/*
 * Frames that span feeds are built in the ctx's pool of parked events while it has a slot, in
 * their connection once it has none (counted), and every way out of a frame gives its slot
 * back: the frame's end, a gap, a resync, the connection's free.
 */
static void
test_park_pool(void **state)
{
	(void)state;
	enum { N = KW_KAFKA_PARK_MAX + 2 };
	struct kw_kafka_params p = {.max_conns = N};
	struct kw_kafka_ctx *ctx = kw_kafka_ctx_create(&p, 0, on_park_emit, NULL);
	struct kw_kafka_conn *c[N];
	size_t half;

	assert_non_null(ctx);
	rq.n = rs.n = 0;
	build_produce(&rq, 9, -1, false);
	build_produce_resp(&rs, 9, 0, 100);
	half = rq.n / 2;
	g_park_events = 0;
	for (unsigned int i = 0; i < N; i++) {
		c[i] = kw_kafka_conn_alloc(ctx);
		assert_non_null(c[i]);
	}
	/* Every request half fed: the pool's slots, then 2 conns' own events. */
	for (unsigned int i = 0; i < N; i++)
		feed_range(ctx, c[i], 0, &rq, 0, 0, half);
	assert_int_equal(ctx->park_n, 0);
	assert_int_equal(kw_kafka_ctx_counters(ctx)->events_parked_conn, 2);
	/* Each request completes, then its response, split: a slot again each time. */
	for (unsigned int i = 0; i < N; i++) {
		feed_range(ctx, c[i], 0, &rq, 0, half, rq.n);
		feed_range(ctx, c[i], 1, &rs, 0, 0, rs.n / 2);
		feed_range(ctx, c[i], 1, &rs, 0, rs.n / 2, rs.n);
	}
	assert_int_equal(g_park_events, N);
	assert_int_equal(ctx->park_n, KW_KAFKA_PARK_MAX);
	assert_int_equal(kw_kafka_ctx_counters(ctx)->events_parked_conn, 2);
	/* A gap, a resync and a free inside a frame each give the slot back. */
	for (unsigned int i = 0; i < 3; i++)
		feed_range(ctx, c[i], 0, &rq, rq.n, 0, half);
	assert_int_equal(ctx->park_n, KW_KAFKA_PARK_MAX - 3);
	kw_kafka_conn_gap(ctx, c[0], 0);
	kw_kafka_conn_resync(ctx, c[1], 0);
	kw_kafka_conn_free(ctx, c[2]);
	assert_int_equal(ctx->park_n, KW_KAFKA_PARK_MAX);
	/* Fresh conns take slots anew; freed, each gives back its slot, not its own event. */
	kw_kafka_conn_free(ctx, c[0]);
	kw_kafka_conn_free(ctx, c[1]);
	for (unsigned int i = 0; i < 3; i++) {
		c[i] = kw_kafka_conn_alloc(ctx);
		assert_non_null(c[i]);
		feed_range(ctx, c[i], 0, &rq, 0, 0, half);
	}
	for (unsigned int i = 3; i < N; i++)
		feed_range(ctx, c[i], 0, &rq, rq.n, 0, half);
	assert_int_equal(ctx->park_n, 0);
	assert_int_equal(kw_kafka_ctx_counters(ctx)->events_parked_conn, 4);
	for (unsigned int i = 0; i < N; i++)
		kw_kafka_conn_free(ctx, c[i]);
	assert_int_equal(ctx->park_n, KW_KAFKA_PARK_MAX);
	for (unsigned int i = 0; i < KW_KAFKA_PARK_MAX; i++) {
		c[i] = kw_kafka_conn_alloc(ctx);
		assert_non_null(c[i]);
		feed_range(ctx, c[i], 0, &rq, 0, 0, half);
		feed_range(ctx, c[i], 0, &rq, 0, half, rq.n);
		feed_range(ctx, c[i], 1, &rs, 0, 0, rs.n);
	}
	assert_int_equal(g_park_events, N + KW_KAFKA_PARK_MAX);
	assert_int_equal(kw_kafka_ctx_counters(ctx)->events_parked_conn, 4);
	kw_kafka_ctx_destroy(ctx);
}

/*
 * A ctx that keeps no lists (kw_kafka_params.no_lists: the statistics without the request log)
 * gives the pairs of a Metadata, a Produce and a Fetch exchange on one connection exactly as one
 * that keeps them, less their partition, broker id and records field lists: whole, split at
 * every byte and byte by byte, with the same counters.
 */
static void
test_no_lists(void **state)
{
	static struct result kept;
	const uint32_t trunc = KW_KAFKA_EV_PARTS_TRUNC | KW_KAFKA_EV_BROKERS_TRUNC |
			       KW_KAFKA_EV_RFIELDS_TRUNC;
	struct kw_kafka_params p = {.max_conns = 4, .no_lists = 1};
	struct kw_kafka_ctx *with_lists = g_ctx;

	(void)state;
	rq.n = rs.n = 0;
	size_t at = fbegin(&rq);
	req_hdr(&rq, 3, 1, 40, false);
	w32(&rq, 1);
	wstr(&rq, "orders");
	fend(&rq, at);
	at = fbegin(&rs);
	resp_hdr(&rs, 40, false);
	w32(&rs, 1);              /* broker 3 */
	w32(&rs, 3);
	wstr(&rs, "broker");
	w32(&rs, 9092);
	wstr(&rs, NULL);
	w32(&rs, 3);              /* controller */
	w32(&rs, 1);              /* orders: partition 0, leader 3, replicas and isr [3] */
	w16(&rs, 0);
	wstr(&rs, "orders");
	w8(&rs, 0);
	w32(&rs, 1);
	w16(&rs, 0);
	w32(&rs, 0);
	w32(&rs, 3);
	w32(&rs, 1);
	w32(&rs, 3);
	w32(&rs, 1);
	w32(&rs, 3);
	fend(&rs, at);
	build_produce(&rq, 41, -1, false);
	build_produce_resp(&rs, 41, 0, 100);
	build_fetch_wide(&rq, &rs, 42, 2);

	run_all(&rq, &rs);
	kept = r_whole;
	assert_int_equal(kept.n, 3);
	assert_int_equal(kept.ev[0].n_broker_ids, 1);
	assert_int_equal(kept.ev[0].n_parts, 1);
	assert_int_equal(kept.ev[1].n_rfields, 1);
	assert_int_equal(kept.ev[1].n_parts, 1);
	assert_int_equal(kept.ev[1].n_offsets, 1);
	assert_int_equal(kept.ev[2].n_parts, 2);
	assert_int_equal(kept.ev[2].n_offsets, 4);
	for (int i = 0; i < kept.n; i++) {
		kept.ev[i].n_parts = 0;
		kept.ev[i].n_broker_ids = 0;
		kept.ev[i].n_rfields = 0;
		kept.ev[i].flags &= ~trunc;
	}

	g_ctx = kw_kafka_ctx_create(&p, 0, on_emit, NULL);
	assert_non_null(g_ctx);
	run_all(&rq, &rs);
	result_eq(&kept, &r_whole);
	kw_kafka_ctx_destroy(g_ctx);
	g_ctx = with_lists;
}

static int
setup(void **state)
{
	(void)state;
	struct kw_kafka_params p = {.max_conns = 4};
	g_ctx = kw_kafka_ctx_create(&p, 0, on_emit, NULL);
	return g_ctx ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	kw_kafka_ctx_destroy(g_ctx);
	return 0;
}

/* The request-start test behind resync and detection: each condition flips it on its own. */
static void
test_req_start_plausible(void **state)
{
	/* ApiVersions v3, size 30, correlation id 7, client id "kwgen-1" (7 bytes) */
	static const uint8_t ok[KW_KAFKA_REQ_START_LEN] = {0, 0, 0, 30, 0, 18, 0, 3,
							   0, 0, 0, 7, 0, 7};
	uint8_t h[KW_KAFKA_REQ_START_LEN];

	(void)state;
	assert_true(kw_kafka_req_start_plausible(ok, 1024));
	/* size: below a header, above max_frame, negative */
	memcpy(h, ok, sizeof(h));
	h[3] = 9;
	assert_false(kw_kafka_req_start_plausible(h, 1024));
	assert_false(kw_kafka_req_start_plausible(ok, 29));
	h[0] = 0x80;
	h[3] = 30;
	assert_false(kw_kafka_req_start_plausible(h, 1024));
	/* api key the specs do not know; version past the key's range; negative version */
	memcpy(h, ok, sizeof(h));
	h[5] = 0xff;
	assert_false(kw_kafka_req_start_plausible(h, 1024));
	memcpy(h, ok, sizeof(h));
	h[7] = 99;
	assert_false(kw_kafka_req_start_plausible(h, 1024));
	h[6] = 0xff;
	assert_false(kw_kafka_req_start_plausible(h, 1024));
	/* client id length: -1 is null (fine), -2 is not, nor one past the frame or past 1024 */
	memcpy(h, ok, sizeof(h));
	h[12] = 0xff;
	h[13] = 0xff;
	assert_true(kw_kafka_req_start_plausible(h, 1024));
	h[13] = 0xfe;
	assert_false(kw_kafka_req_start_plausible(h, 1024));
	h[12] = 0;
	h[13] = 21; /* size 30 - 10 = 20 bytes left */
	assert_false(kw_kafka_req_start_plausible(h, 1024));
	h[13] = 20;
	assert_true(kw_kafka_req_start_plausible(h, 1024));
	h[0] = 0;
	h[2] = 0x10; /* size 4126: room for a 1025-byte client id, still refused */
	h[12] = 0x04;
	h[13] = 0x01;
	assert_false(kw_kafka_req_start_plausible(h, 1u << 20));
	h[13] = 0x00;
	assert_true(kw_kafka_req_start_plausible(h, 1u << 20));
}

int
main(void)
{
	if (kw_test_eal_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_prim),
		cmocka_unit_test(test_api_versions),
		cmocka_unit_test(test_api_versions_unsupported),
		cmocka_unit_test(test_tags_hand_back),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_broker_ids),
		cmocka_unit_test(test_produce),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_sasl_plain),
		cmocka_unit_test(test_ident_not_inherited),
		cmocka_unit_test(test_capture_interleaved),
		cmocka_unit_test(test_sasl_scram),
		cmocka_unit_test(test_fetch_offsets),
		cmocka_unit_test(test_fetch_detail_full),
		cmocka_unit_test(test_offset_commit),
		cmocka_unit_test(test_offset_fetch),
		cmocka_unit_test(test_fetch_offsets_rotate),
		cmocka_unit_test(test_fetch_fetched),
		cmocka_unit_test(test_txn_offset_commit),
		cmocka_unit_test(test_list_offsets),
		cmocka_unit_test(test_offset_delete),
		cmocka_unit_test(test_describe_groups),
		cmocka_unit_test(test_metadata_aligned),
		cmocka_unit_test(test_metadata_partition_error),
		cmocka_unit_test(test_metadata_one_topic),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_resync_response_first),
		cmocka_unit_test(test_resync_give_up),
		cmocka_unit_test(test_resync_refuted),
		cmocka_unit_test(test_sasl_v0_plain),
		cmocka_unit_test(test_sasl_v0_scram),
		cmocka_unit_test(test_bad_frame_size),
		cmocka_unit_test(test_array_too_long),
		cmocka_unit_test(test_varint_too_long),
		cmocka_unit_test(test_tagged_count_huge),
		cmocka_unit_test(test_unknown_api_and_version),
		cmocka_unit_test(test_truncated_then_gap),
		cmocka_unit_test(test_pending_full),
		cmocka_unit_test(test_pending_reuse),
		cmocka_unit_test(test_pending_kept),
		cmocka_unit_test(test_pending_kept_null_group),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_park_pool),
		cmocka_unit_test(test_record_hook_produce),
		cmocka_unit_test(test_record_hook_fetch),
		cmocka_unit_test(test_req_start_plausible),
		cmocka_unit_test(test_rfields_trunc),
		cmocka_unit_test(test_no_lists),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
