/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Kafka observability module: the exact JSON log line (escaping, IPv6, nulls,
 * topic ids), log sampling, Space-Saving guarantees and bounded memory, the LRU map, consumer
 * lag and the latency histograms. No EAL is needed: nothing here touches DPDK memory.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "control/kafka_obs.h"
#include "control/kafka_obs_priv.h"
#include "control/topk.h"
#include "dataplane/kafka_rec.h"

static const uint8_t id_payments[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2,  3,  4,
					5,    6,    7,	  8,	9, 10, 11, 12};
static const uint8_t id_unknown[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

static void
kstr(struct kw_kafka_str *k, const char *s, size_t len)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->s, s, len);
	k->len = (uint8_t)len;
}

#define KSTR(k, lit) kstr((k), (lit), sizeof(lit) - 1)
#define NO_GRP	     KW_KAFKA_GROUP_NONE

/* A plain pair: ApiVersions v3 from 198.18.0.1:40000 to 198.19.0.1:9092. */
static void
base_rec(struct kw_kafka_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_ns = 1704067200000010999ULL; /* 2024-01-01T00:00:00.000010999Z */
	r->latency_ns = 12345;
	r->family = 4;
	memcpy(r->client, (uint8_t[]){198, 18, 0, 1}, 4);
	memcpy(r->broker, (uint8_t[]){198, 19, 0, 1}, 4);
	r->client_port = 40000;
	r->broker_port = 9092;
	r->ev.api_name = "ApiVersions";
	r->ev.api_key = 18;
	r->ev.api_version = 3;
	r->ev.corr_id = 1;
	r->ev.req_len = 61;
	r->ev.resp_len = 412;
	r->ev.throttle_ms = 0;
	r->ev.producer_id = -1;
	KSTR(&r->ev.client_id, "kwgen");
	KSTR(&r->sw_name, "kwgen");
	KSTR(&r->sw_version, "0.1.0");
	KSTR(&r->ev.topics[0], "kwgen-topic");
	r->ev.n_topics = 1;
	r->ev.topic_count = 1;
	r->ev.partition_count = 1;
	r->ev.parts[0] = (struct kw_kafka_ev_part){.topic = 0, .partition = 5};
	r->ev.n_parts = 1;
	kw_kafka_records_sum_init(&r->ev.records);
	r->ev.records.records = 8;
	r->ev.records.records_hdr = 8;
}

/* Metadata response naming payments both ways, so that its id resolves from now on. */
static void
learn_payments(struct kw_obs *o)
{
	struct kw_kafka_rec r;

	base_rec(&r);
	r.ev.api_name = "Metadata";
	r.ev.api_key = 3;
	r.ev.flags = KW_KAFKA_EV_TOPIC_IDS_ALIGNED;
	KSTR(&r.ev.topics[0], "payments");
	memcpy(r.ev.topic_ids[0], id_payments, 16);
	r.ev.n_topic_ids = 1;
	kw_obs_record(o, &r);
}

static char *
line_of(struct kw_obs *o, const struct kw_kafka_rec *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(kw_obs_log_line(o, r, f), 0);
	fclose(f);
	return buf;
}

/* The final report of o, as a string the caller frees. */
static char *
report_of(const struct kw_obs *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kw_obs_report(o, f);
	fclose(f);
	return buf;
}

static void
test_json_ipv4(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_kafka_rec r;
	char *line;

	(void)state;
	assert_non_null(o);
	base_rec(&r);
	r.ev.flags = KW_KAFKA_EV_TOPICS_TRUNC;
	line = line_of(o, &r);
	assert_string_equal(
		line,
		"{\"ts\":\"2024-01-01T00:00:00.000010Z\",\"flow\":{\"src\":\"198.18.0.1\","
		"\"sport\":40000,\"dst\":\"198.19.0.1\",\"dport\":9092},\"worker\":0,"
		"\"api_key\":18,\"api_name\":\"ApiVersions\",\"api_version\":3,"
		"\"correlation_id\":1,\"client_id\":\"kwgen\",\"principal\":null,"
		"\"client_software\":{\"name\":\"kwgen\",\"version\":\"0.1.0\"},"
		"\"topics\":[\"kwgen-topic\"],\"topic_count\":1,\"partitions\":1,\"records\":8,"
		"\"records_fields\":[],"
		"\"bytes\":{\"request\":61,\"response\":412},\"error_codes\":[],"
		"\"topic_partitions\":[{\"topic\":\"kwgen-topic\",\"partition\":5}],"
		"\"broker_ids\":[],\"partition_offsets\":[],"
		"\"latency_us\":12.345,\"throttle_time_ms\":0,\"group_id\":null,\"groups\":[],"
		"\"transactional_id\":null,\"producer_id\":null,\"flags\":[\"topics_trunc\"]}\n");
	free(line);
	kw_obs_free(o);
}

static void
test_json_ipv6_escaping_topic_ids(void **state)
{
	/* quote, backslash, newline, SOH, valid UTF-8 e-acute, a lone 0xff, DEL */
	static const char cid[] = {'a',	       '"',	   '\\',       '\n', 0x01,
				   (char)0xc3, (char)0xa9, (char)0xff, 0x7f, 'z'};
	static const uint8_t c6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_kafka_rec r;
	char *line;

	(void)state;
	assert_non_null(o);
	learn_payments(o);
	base_rec(&r);
	r.ts_ns = 1704067200123456789ULL;
	r.family = 6;
	memcpy(r.client, c6, 16);
	memcpy(r.broker, b6, 16);
	r.client_port = 50000;
	r.broker_port = 9093;
	r.worker = 3;
	r.ev.api_name = "Fetch";
	r.ev.api_key = 1;
	r.ev.api_version = 13;
	r.ev.corr_id = -5;
	r.ev.flags = KW_KAFKA_EV_UNANSWERED | KW_KAFKA_EV_BROKERS_TRUNC | 0x80000000u;
	r.ev.resp_len = 0;
	r.ev.throttle_ms = -1;
	kstr(&r.ev.client_id, cid, sizeof(cid));
	KSTR(&r.principal, "alice");
	memset(&r.sw_name, 0, sizeof(r.sw_name));
	memset(&r.sw_version, 0, sizeof(r.sw_version));
	KSTR(&r.ev.topics[0], "orders");
	memcpy(r.ev.topic_ids[0], id_payments, 16);
	memcpy(r.ev.topic_ids[1], id_unknown, 16);
	r.ev.n_topic_ids = 2;
	r.ev.topic_count = 1;
	r.ev.topic_id_count = 2;
	r.ev.partition_count = 3;
	r.ev.records.records = 2;
	r.ev.records.records_hdr = 5; /* a compressed batch claims more than was walked */
	r.ev.errors[0] = 3;
	r.ev.errors[1] = 7;
	r.ev.n_errors = 2;
	r.ev.error_count = 2;
	KSTR(&r.ev.group_id, "g1");
	KSTR(&r.ev.txn_id, "t\xe2\x82"); /* UTF-8 cut in the middle of a sequence */
	/* records fields: a topic by name, one by an id not learned (its UUID), one not kept */
	r.ev.rfields[0] = (struct kw_kafka_ev_rfield){
		.off = 1000, .len = 77, .dir = 1, .topic = 0, .partition = 2};
	r.ev.rfields[1] = (struct kw_kafka_ev_rfield){
		.off = 1100, .len = 5, .dir = 1, .topic = 0x81, .partition = -1};
	r.ev.rfields[2] = (struct kw_kafka_ev_rfield){
		.off = 7, .len = 9, .dir = 0, .topic = 0xff, .partition = 0};
	r.ev.n_rfields = 3;
	r.ev.parts[0] = (struct kw_kafka_ev_part){.topic = 0, .partition = 2};
	r.ev.parts[1] = (struct kw_kafka_ev_part){.topic = 0x81, .partition = 0};
	r.ev.parts[2] = (struct kw_kafka_ev_part){.topic = 0xff, .partition = 7};
	r.ev.n_parts = 3;
	r.ev.broker_ids[0] = 1002;
	r.ev.broker_ids[1] = 0;
	r.ev.n_broker_ids = 2;
	/* offsets under the groups a response named: the second, the first, none */
	r.ev.offsets[0] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_FETCHED, 0, 1, 2, 1234};
	r.ev.offsets[1] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_HWM, 0x81, 0, 0, -1};
	r.ev.offsets[2] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_FETCH, 0xff, NO_GRP, 7, 5};
	r.ev.n_offsets = 3;
	KSTR(&r.ev.groups[0], "g1");
	KSTR(&r.ev.groups[1], "g\"2");
	r.ev.n_groups = 2;
	r.ev.groups_failed = 0x2;
	r.ev.records.producer_id = 77; /* a batch's */
	line = line_of(o, &r);
	assert_string_equal(
		line,
		"{\"ts\":\"2024-01-01T00:00:00.123456Z\",\"flow\":{\"src\":\"2001:db8::1\","
		"\"sport\":50000,\"dst\":\"2001:db8::2\",\"dport\":9093},\"worker\":3,"
		"\"api_key\":1,\"api_name\":\"Fetch\",\"api_version\":13,"
		"\"correlation_id\":-5,\"client_id\":"
		"\"a\\\"\\\\\\n\\u0001\xc3\xa9\\u00ff\\u007fz\","
		"\"principal\":\"alice\",\"client_software\":null,"
		"\"topics\":[\"orders\",\"payments\",\"00112233-4455-6677-8899-aabbccddeeff\"],"
		"\"topic_count\":2,\"partitions\":3,\"records\":5,"
		"\"records_fields\":[{\"dir\":\"response\",\"off\":1000,\"len\":77,"
		"\"topic\":\"orders\",\"partition\":2},{\"dir\":\"response\",\"off\":1100,"
		"\"len\":5,\"topic\":\"00112233-4455-6677-8899-aabbccddeeff\",\"partition\":null},"
		"{\"dir\":\"request\",\"off\":7,\"len\":9,\"topic\":null,\"partition\":0}],"
		"\"bytes\":{\"request\":61,\"response\":null},\"error_codes\":[3,7],"
		"\"topic_partitions\":[{\"topic\":\"orders\",\"partition\":2},"
		"{\"topic\":\"00112233-4455-6677-8899-aabbccddeeff\",\"partition\":0},"
		"{\"topic\":null,\"partition\":7}],"
		"\"broker_ids\":[1002,0],"
		"\"partition_offsets\":[{\"kind\":\"fetched\",\"topic\":\"orders\","
		"\"group\":\"g\\\"2\",\"partition\":2,\"offset\":1234},"
		"{\"kind\":\"high_watermark\",\"topic\":\"00112233-4455-6677-8899-aabbccddeeff\","
		"\"group\":\"g1\",\"partition\":0,\"offset\":-1},"
		"{\"kind\":\"fetch\",\"topic\":null,\"group\":null,\"partition\":7,"
		"\"offset\":5}],"
		"\"latency_us\":null,\"throttle_time_ms\":null,\"group_id\":\"g1\","
		"\"groups\":[{\"group_id\":\"g1\",\"error\":false},"
		"{\"group_id\":\"g\\\"2\",\"error\":true}],"
		"\"transactional_id\":\"t\\u00e2\\u0082\",\"producer_id\":77,"
		"\"flags\":[\"unanswered\",\"broker_ids_trunc\",\"0x80000000\"]}"
		"\n");
	free(line);
	kw_obs_free(o);
}

static void
test_log_sampling(void **state)
{
	struct kw_obs_params p = {.top_k = 8, .log_sample = 3};
	struct kw_kafka_rec r;
	struct kw_obs *o;
	char *buf = NULL, *s;
	size_t len = 0;
	int i, lines = 0;

	(void)state;
	p.log = open_memstream(&buf, &len);
	assert_non_null(p.log);
	o = kw_obs_create(&p);
	assert_non_null(o);
	base_rec(&r);
	for (i = 1; i <= 10; i++) {
		r.ev.corr_id = i;
		kw_obs_record(o, &r);
	}
	fflush(p.log);
	for (s = buf; (s = strchr(s, '\n')) != NULL; s++)
		lines++;
	assert_int_equal(lines, 3);
	assert_non_null(strstr(buf, "\"correlation_id\":3,"));
	assert_non_null(strstr(buf, "\"correlation_id\":6,"));
	assert_non_null(strstr(buf, "\"correlation_id\":9,"));
	assert_null(strstr(buf, "\"correlation_id\":1,"));
	assert_int_equal(kw_obs_counters(o)->logged, 3);
	assert_int_equal(kw_obs_counters(o)->log_sampled_out, 7);
	kw_obs_free(o);
	fclose(p.log);
	free(buf);
}

static void
client_rec(struct kw_kafka_rec *r, const char *client)
{
	base_rec(r);
	kstr(&r->ev.client_id, client, strlen(client));
	r->ev.n_topics = 0;
}

#define SS_K	      16
#define SS_HEAVY      5
#define SS_HEAVY_EACH 1000
#define SS_LIGHT      4000

static void
test_space_saving_heavy_hitters(void **state)
{
	struct kw_obs_params p = {.top_k = SS_K};
	char keys[SS_K][KW_KAFKA_NAME_MAX], name[32];
	struct kw_obs_stats st[SS_K], one;
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_kafka_rec r;
	uint64_t total = SS_HEAVY * SS_HEAVY_EACH + SS_LIGHT;
	uint32_t n, i, h;
	int light = 0;

	(void)state;
	assert_non_null(o);
	/* heavies interleaved with distinct one-off keys that keep evicting each other */
	for (i = 0; i < SS_HEAVY_EACH; i++) {
		for (h = 0; h < SS_HEAVY; h++) {
			snprintf(name, sizeof(name), "heavy-%u", h);
			client_rec(&r, name);
			kw_obs_record(o, &r);
		}
		for (h = 0; h < SS_LIGHT / SS_HEAVY_EACH; h++) {
			snprintf(name, sizeof(name), "light-%d", light++);
			client_rec(&r, name);
			kw_obs_record(o, &r);
		}
	}
	assert_true(SS_HEAVY_EACH * SS_K > total); /* each heavy exceeds total / K */
	n = kw_obs_top(o, KW_OBS_CLIENT, keys, st, SS_K);
	assert_int_equal(n, SS_K);
	for (i = 0; i < SS_HEAVY; i++) {
		assert_memory_equal(keys[i], "heavy-", 6);
		assert_true(st[i].v[KW_OBS_REQUESTS] >= SS_HEAVY_EACH);
		assert_true(st[i].v[KW_OBS_REQUESTS] - st[i].error_bound <= SS_HEAVY_EACH);
		assert_true(st[i].error_bound <= total / SS_K);
	}
	/* every tracked entry is still found through the index after thousands of rekeys */
	for (i = 0; i < n; i++) {
		assert_int_equal(kw_obs_lookup(o, KW_OBS_CLIENT, keys[i], &one), 1);
		assert_int_equal(one.v[KW_OBS_REQUESTS], st[i].v[KW_OBS_REQUESTS]);
	}
	/* an evicted light key is estimated by the sketch, never below its true count */
	assert_int_equal(kw_obs_lookup(o, KW_OBS_CLIENT, "light-0", &one), 0);
	assert_true(one.v[KW_OBS_REQUESTS] >= 1);
	assert_true(one.v[KW_OBS_BYTES_IN] >= 61);
	kw_obs_free(o);
}

/*
 * The sketch behind the top-K spreads similar keys (names that differ in a digit or two, zero
 * padded to 64 bytes) over its cells: N one-off keys, K kept, the rest estimated. Every estimate
 * is at least the truth (1); at most exp(-D) of them (D rows; 1.8% for 4) may exceed it by more
 * than e * N / W (W cells a row); and the mean estimate is what independent rows give: the
 * least of D cells of 1 + N / W keys on average, ~1.03 standard deviations (sqrt(N / W)) under
 * that mean for D = 4, where rows that move together (two keys sharing a cell in one row share
 * it in all) would give the mean itself.
 */
#define SK_KEYS 20480u

static void
test_sketch_spread(void **state)
{
	const double per_cell = (double)SK_KEYS / KW_TOPK_CMS_WIDTH;
	const uint64_t one[KW_TOPK_METRICS] = {1, 0, 0, 0, 0};
	uint64_t v[KW_TOPK_METRICS], err, sum = 0;
	struct kw_topk t;
	uint32_t i, over = 0, estimated = 0;
	char name[32];

	(void)state;
	assert_int_equal(kw_topk_init(&t, 16), 0);
	for (i = 0; i < SK_KEYS; i++) {
		snprintf(name, sizeof(name), "client-%u", i);
		kw_topk_add(&t, name, strlen(name), one);
	}
	for (i = 0; i < SK_KEYS; i++) {
		snprintf(name, sizeof(name), "client-%u", i);
		if (kw_topk_get(&t, name, v, &err, NULL) != 0)
			continue;
		estimated++;
		assert_true(v[0] >= 1);
		if ((double)v[0] > 1 + 2.718281828 * per_cell)
			over++;
		sum += v[0];
	}
	assert_true(estimated >= SK_KEYS - 16);
	assert_true(over <= estimated / 50);
	assert_true((double)sum / estimated < 1 + per_cell - 0.5 * sqrt(per_cell));
	kw_topk_fini(&t);
}

static void
test_space_saving_bounded_memory(void **state)
{
	struct kw_obs_params p = {.top_k = 32};
	char keys[32][KW_KAFKA_NAME_MAX], name[32];
	struct kw_obs_stats st[32];
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_kafka_rec r;
	struct mallinfo2 before, after;
	int i;

	(void)state;
	assert_non_null(o);
	client_rec(&r, "warmup");
	kw_obs_record(o, &r);
	before = mallinfo2();
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "client-%d", i);
		kstr(&r.ev.client_id, name, strlen(name));
		kstr(&r.ev.group_id, name, strlen(name));
		kstr(&r.principal, name, strlen(name));
		kw_obs_record(o, &r);
	}
	after = mallinfo2();
	assert_int_equal(after.uordblks, before.uordblks);
	assert_int_equal(kw_obs_top(o, KW_OBS_CLIENT, keys, st, 32), 32);
	assert_int_equal(kw_obs_top(o, KW_OBS_GROUP, keys, st, 32), 32);
	assert_true(kw_obs_counters(o)->records == 20001);
	kw_obs_free(o);
}

static void
test_bmap_lru(void **state)
{
	struct kw_bmap m;
	uint32_t k, idx;
	bool ev, added;

	(void)state;
	assert_int_equal(kw_bmap_init(&m, 4, sizeof(k)), 0);
	for (k = 0; k < 4; k++) {
		kw_bmap_insert(&m, &k, &ev);
		assert_false(ev);
	}
	k = 0;
	assert_int_not_equal(kw_bmap_find(&m, &k, true), KW_BMAP_NONE); /* 1 is now the LRU */
	k = 4;
	idx = kw_bmap_insert(&m, &k, &ev);
	assert_true(ev);
	assert_int_equal(kw_bmap_find(&m, &k, false), idx);
	for (k = 0; k < 4; k++)
		assert_true((kw_bmap_find(&m, &k, false) == KW_BMAP_NONE) == (k == 1));
	/* get: a present key is found and touched (LRU now 3, 0, 4, 2), an absent one added */
	k = 2;
	idx = kw_bmap_find(&m, &k, false);
	assert_int_equal(kw_bmap_get(&m, &k, &added, &ev), idx);
	assert_false(added);
	assert_false(ev);
	k = 5;
	idx = kw_bmap_get(&m, &k, &added, &ev);
	assert_true(added);
	assert_true(ev);
	assert_int_equal(kw_bmap_find(&m, &k, false), idx);
	for (k = 0; k < 6; k++)
		assert_true((kw_bmap_find(&m, &k, false) == KW_BMAP_NONE) == (k == 1 || k == 3));
	kw_bmap_fini(&m);
}

/*
 * Removal against a model: random gets (touch or insert, evicting the least recently used) and
 * removals over 48 keys in a map of 16, with per-entry values moved as kw_bmap_remove says.
 * After every step each key is found exactly when the model holds it, with its value, and the
 * LRU list runs through the model's order both ways.
 */
static void
test_bmap_remove(void **state)
{
	enum { CAP = 16, KEYS = 48, STEPS = 20000 };
	uint32_t model[CAP], val[CAP], n = 0, k, idx, i, j, seed = 7;
	struct kw_bmap m;
	bool added, ev;

	(void)state;
	assert_int_equal(kw_bmap_init(&m, CAP, sizeof(k)), 0);
	for (int step = 0; step < STEPS; step++) {
		seed = seed * 1103515245u + 12345u;
		k = (seed >> 8) % KEYS;
		for (i = 0; i < n && model[i] != k; i++)
			;
		if ((seed >> 20) % 3 == 0) {
			/* remove k where present */
			idx = kw_bmap_find(&m, &k, false);
			assert_true((idx == KW_BMAP_NONE) == (i == n));
			if (idx == KW_BMAP_NONE)
				continue;
			j = kw_bmap_remove(&m, idx);
			if (j != KW_BMAP_NONE)
				val[idx] = val[j];
			memmove(&model[i], &model[i + 1], (n - i - 1) * sizeof(model[0]));
			n--;
		} else {
			idx = kw_bmap_get(&m, &k, &added, &ev);
			assert_true(added == (i == n));
			assert_true(ev == (added && n == CAP));
			if (added) {
				val[idx] = k * 3;
				if (n == CAP)
					n--; /* the model's tail went */
				i = n++;
			}
			/* k to the model's head (most recent) */
			memmove(&model[1], &model[0], i * sizeof(model[0]));
			model[0] = k;
		}
		assert_int_equal(m.used, n);
		for (k = 0; k < KEYS; k++) {
			for (i = 0; i < n && model[i] != k; i++)
				;
			idx = kw_bmap_find(&m, &k, false);
			assert_true((idx == KW_BMAP_NONE) == (i == n));
			if (idx != KW_BMAP_NONE)
				assert_int_equal(val[idx], k * 3);
		}
		for (i = 0, idx = m.head; i < n; i++, idx = m.next[idx])
			assert_int_equal(*(const uint32_t *)kw_bmap_key(&m, idx), model[i]);
		assert_int_equal(idx, KW_BMAP_NONE);
		for (i = n, idx = m.tail; i > 0; i--, idx = m.prev[idx])
			assert_int_equal(*(const uint32_t *)kw_bmap_key(&m, idx), model[i - 1]);
		assert_int_equal(idx, KW_BMAP_NONE);
	}
	kw_bmap_fini(&m);
}

static void
commit_rec(struct kw_kafka_rec *r, const char *group, int32_t part, int64_t off)
{
	base_rec(r);
	r->ev.api_name = "OffsetCommit";
	r->ev.api_key = 8;
	r->ev.api_version = 8;
	kstr(&r->ev.group_id, group, strlen(group));
	KSTR(&r->ev.topics[0], "payments");
	r->ev.n_offsets = 1;
	r->ev.offsets[0] = (struct kw_kafka_ev_offset){
		.kind = KW_KAFKA_OFF_COMMITTED, .topic = 0, .partition = part, .offset = off};
}

/* commit_rec's offset as an OffsetFetch response gives it (COMMITTED_READ; -1: none). */
static void
offset_fetch_rec(struct kw_kafka_rec *r, const char *group, int32_t part, int64_t off)
{
	commit_rec(r, group, part, off);
	r->ev.api_name = "OffsetFetch";
	r->ev.api_key = KW_KAFKA_API_OFFSET_FETCH;
	r->ev.offsets[0].kind = KW_KAFKA_OFF_COMMITTED_READ;
}

static void
test_lag(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_kafka_rec r;
	int64_t c = 0, h = 0, lag = 0;
	char *buf;

	(void)state;
	assert_non_null(o);
	learn_payments(o);
	commit_rec(&r, "g1", 2, 100);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g1", "payments", 2, &c, &h, &lag), -ENODATA);
	/* a commit the response refused must not move the committed offset */
	commit_rec(&r, "g1", 2, 140);
	r.ev.offsets[0].kind = KW_KAFKA_OFF_COMMIT_FAILED;
	r.ev.error_count = 1;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_counters(o)->commits_failed, 1);
	/* an OffsetCommit's error codes are its partitions': the others are committed */
	r.ev.offsets[1] = r.ev.offsets[0];
	r.ev.offsets[1].kind = KW_KAFKA_OFF_COMMITTED;
	r.ev.offsets[1].partition = 4;
	r.ev.n_offsets = 2;
	kstr(&r.ev.group_id, "g9", 2);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_counters(o)->commits_failed, 2);
	assert_int_equal(kw_obs_lag(o, "g9", "payments", 4, &c, &h, &lag), -ENODATA);
	assert_int_equal(c, 140);
	assert_int_equal(kw_obs_lag(o, "g9", "payments", 2, &c, &h, &lag), -ENOENT);
	/* a commit never answered may have been refused: the one kept stays */
	commit_rec(&r, "g9", 4, 160);
	r.ev.flags = KW_KAFKA_EV_UNANSWERED;
	kw_obs_record(o, &r);
	r.ev.flags = KW_KAFKA_EV_RESP_BAD; /* an answer that did not decode */
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g9", "payments", 4, &c, &h, &lag), -ENODATA);
	assert_int_equal(c, 140);
	assert_int_equal(kw_obs_counters(o)->commits_unanswered, 2);
	/* a commit of -1 is read back as none: it drops the one kept, and gives no lag */
	commit_rec(&r, "g8", 4, 170);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g8", "payments", 4, &c, &h, &lag), -ENODATA);
	r.ev.offsets[0].offset = -1;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g8", "payments", 4, &c, &h, &lag), -ENOENT);
	assert_int_equal(kw_obs_counters(o)->commits_none, 1);
	assert_int_equal(kw_obs_counters(o)->commits_cleared, 1);

	/* Fetch v13 response: topic named by id, resolved through the Metadata above */
	base_rec(&r);
	r.ev.api_name = "Fetch";
	r.ev.api_key = 1;
	r.ev.api_version = 13;
	r.ev.n_topics = 0;
	memcpy(r.ev.topic_ids[0], id_payments, 16);
	r.ev.n_topic_ids = 1;
	r.ev.n_offsets = 3;
	r.ev.offsets[0] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_FETCH, 0x80, NO_GRP, 2, 90};
	r.ev.offsets[1] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_HWM, 0x80, NO_GRP, 2, 150};
	/* no id 1 */
	r.ev.offsets[2] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_HWM, 0x81, NO_GRP, 0, 7};
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g1", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(c, 100);
	assert_int_equal(h, 150);
	assert_int_equal(lag, 50);
	assert_int_equal(kw_obs_lag(o, "g2", "payments", 2, &c, &h, &lag), -ENOENT);
	assert_int_equal(kw_obs_counters(o)->offsets_bad, 1);
	assert_int_equal(kw_obs_counters(o)->fetch_offsets, 1);

	/* an OffsetFetch response gives g2's commit; -1 is none; a pair of two groups is unsure */
	offset_fetch_rec(&r, "g2", 2, 120);
	r.ev.offsets[1] = r.ev.offsets[0];
	r.ev.offsets[1].partition = 3;
	r.ev.offsets[1].offset = -1;
	r.ev.n_offsets = 2;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g2", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(lag, 30);
	assert_int_equal(kw_obs_lag(o, "g2", "payments", 3, &c, &h, &lag), -ENOENT);
	assert_int_equal(kw_obs_counters(o)->commits_read, 1);
	assert_int_equal(kw_obs_counters(o)->commits_none, 2); /* g8's above too */
	r.ev.flags |= KW_KAFKA_EV_GROUPS_MANY;
	r.ev.offsets[0].offset = 10;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_counters(o)->commits_groups_many, 2); /* its -1 too */
	assert_int_equal(kw_obs_lag(o, "g2", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(c, 120);
	/*
	 * A partition answered with an error (READ_FAILED, -1) says nothing of the group's commit:
	 * the one kept stays, the pair's other partitions are read. An error code on no partition
	 * (an OffsetFetch v2-7's, after its topics) is the whole answer's: none is read.
	 */
	r.ev.flags = 0;
	r.ev.offsets[0].kind = KW_KAFKA_OFF_READ_FAILED;
	r.ev.offsets[0].offset = -1;
	r.ev.offsets[1].offset = 77;
	r.ev.error_count = 1;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g2", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(c, 120);
	assert_int_equal(kw_obs_lag(o, "g2", "payments", 3, &c, &h, &lag), -ENODATA);
	assert_int_equal(c, 77);
	assert_int_equal(kw_obs_counters(o)->commits_failed, 3);
	assert_int_equal(kw_obs_counters(o)->commits_none, 3); /* the -1s above, not this one */
	r.ev.offsets[1].offset = 78;
	r.ev.error_count = 2;
	r.ev.flags = KW_KAFKA_EV_TOP_ERROR;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "g2", "payments", 3, &c, &h, &lag), -ENODATA);
	assert_int_equal(c, 77);
	assert_int_equal(kw_obs_counters(o)->commits_failed, 5);

	buf = report_of(o);
	assert_non_null(strstr(buf, "lag payments[2] 50"));
	assert_non_null(strstr(buf, "kwgen"));
	/* what became of the commits, on one line, zeros left out */
	assert_non_null(strstr(buf, "\nconsumer lag: commits 5 commits_read 2 commits_none 3 "));
	assert_non_null(strstr(buf, " commits_failed 5 commits_unanswered 2 hwms 1 "));
	assert_null(strstr(buf, "commits_evicted"));
	free(buf);
	kw_obs_free(o);
}

/* A pair of api_key for group from client at 198.18.0.<host>. */
static void
member_rec(struct kw_kafka_rec *r, int16_t api_key, const char *client, uint8_t host,
	   const char *group)
{
	base_rec(r);
	r->ev.api_key = api_key;
	r->ev.api_name = "group request";
	kstr(&r->ev.client_id, client, strlen(client));
	r->client[3] = host;
	if (group != NULL)
		kstr(&r->ev.group_id, group, strlen(group));
}

/* member_rec, recorded by o. */
static void
record_member(struct kw_obs *o, int16_t api_key, const char *client, uint8_t host,
	      const char *group)
{
	struct kw_kafka_rec r;

	member_rec(&r, api_key, client, host, group);
	kw_obs_record(o, &r);
}

/* A Fetch pair of client at 198.18.0.<host>: position pos and high watermark hwm of payments/2. */
static void
fetch_rec(struct kw_kafka_rec *r, const char *client, uint8_t host, int64_t pos, int64_t hwm)
{
	member_rec(r, 1, client, host, NULL);
	r->ev.api_name = "Fetch";
	KSTR(&r->ev.topics[0], "payments");
	r->ev.n_offsets = 2;
	r->ev.offsets[0] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_FETCH, 0, NO_GRP, 2, pos};
	r->ev.offsets[1] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_HWM, 0, NO_GRP, 2, hwm};
}

/*
 * Fetch positions: a Fetch's client (client id and address) is a group's member when it sent
 * that group's member requests; its positions then give the group's position lag. A client
 * seen in two groups, or in none, gives none; nor does a partition the Fetch's response answered
 * with an error, nor any of a Fetch whose error code is on no partition. Where the response
 * returned records, the offset after them is the position.
 */
static void
test_positions(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	const struct kw_obs_counters *k;
	int64_t pos = 0, h = 0, lag = 0;
	struct kw_kafka_rec r;
	char *buf;

	(void)state;
	assert_non_null(o);
	k = kw_obs_counters(o);
	record_member(o, KW_KAFKA_API_JOIN_GROUP, "app-a", 1, "ga");
	record_member(o, KW_KAFKA_API_HEARTBEAT, "app-a", 1, "ga");
	/* one host, one client id, two groups: which one a Fetch is for is not known */
	record_member(o, KW_KAFKA_API_JOIN_GROUP, "rdkafka", 2, "gb");
	record_member(o, KW_KAFKA_API_SYNC_GROUP, "rdkafka", 2, "gc");
	/* an admin's OffsetFetch and DescribeGroups make no member */
	record_member(o, KW_KAFKA_API_OFFSET_FETCH, "app-c", 1, "ga");
	record_member(o, KW_KAFKA_API_DESCRIBE_GROUPS, "app-c", 1, "ga");
	assert_int_equal(k->members, 2);
	assert_int_equal(k->members_ambiguous, 1);

	fetch_rec(&r, "app-a", 1, 90, 150);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), 0);
	assert_int_equal(pos, 90);
	assert_int_equal(h, 150);
	assert_int_equal(lag, 60);
	assert_int_equal(k->positions, 1);
	/* a position is not a commit */
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &pos, &h, &lag), -ENOENT);

	fetch_rec(&r, "rdkafka", 2, 10, 150);
	kw_obs_record(o, &r);
	assert_int_equal(k->positions_ambiguous, 1);
	fetch_rec(&r, "app-c", 1, 20, 150);
	kw_obs_record(o, &r);
	fetch_rec(&r, "app-a", 9, 30, 150); /* the same client id on another host */
	kw_obs_record(o, &r);
	assert_int_equal(k->positions_unattributed, 2);
	fetch_rec(&r, "app-a", 1, 40, 150);
	r.ev.error_count = 1;
	r.ev.flags |= KW_KAFKA_EV_TOP_ERROR;
	kw_obs_record(o, &r);
	assert_int_equal(k->positions_failed, 1);
	assert_int_equal(k->fetch_offsets, 5);
	assert_int_equal(k->positions, 1);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), 0);
	assert_int_equal(pos, 90);
	assert_int_equal(kw_obs_position(o, "gb", "payments", 2, &pos, &h, &lag), -ENOENT);
	assert_int_equal(kw_obs_position(o, "gc", "payments", 2, &pos, &h, &lag), -ENOENT);

	/* the member fetches on: its latest position counts */
	fetch_rec(&r, "app-a", 1, 140, 160);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), 0);
	assert_int_equal(lag, 20);
	/* the report gives a group's position lag beside its committed lag */
	member_rec(&r, KW_KAFKA_API_OFFSET_COMMIT, "app-a", 1, "ga");
	KSTR(&r.ev.topics[0], "payments");
	r.ev.n_offsets = 1;
	r.ev.offsets[0] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_COMMITTED, 0, NO_GRP, 2, 100};
	kw_obs_record(o, &r);
	buf = report_of(o);
	assert_non_null(strstr(buf, "    lag total 60 (1 partitions)\n    lag payments[2] 60\n"
				    "    position lag total 20 (1 partitions)\n"
				    "    position lag payments[2] 20\n"));
	free(buf);

	/* records the Fetch returned move the position past them: the response's offset wins */
	fetch_rec(&r, "app-a", 1, 155, 160);
	r.ev.offsets[0].kind = KW_KAFKA_OFF_FETCHED;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), 0);
	assert_int_equal(pos, 155);
	assert_int_equal(lag, 5);
	assert_int_equal(k->fetch_offsets, 7);
	assert_int_equal(k->fetched_offsets, 1);
	assert_int_equal(k->positions, 3);

	/*
	 * A partition the response answered with an error (FETCH_FAILED: not the leader) has no
	 * position, and no high watermark (the decoder keeps none of -1); the pair's other
	 * partitions do. An error code on no partition fails them all.
	 */
	fetch_rec(&r, "app-a", 1, 156, 160);
	r.ev.offsets[1] = r.ev.offsets[0];
	r.ev.offsets[1].partition = 3;
	r.ev.offsets[1].offset = 70;
	r.ev.offsets[0].kind = KW_KAFKA_OFF_FETCH_FAILED;
	r.ev.error_count = 3; /* and two of partitions past the ones the pair kept */
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), 0);
	assert_int_equal(pos, 155);
	assert_int_equal(k->positions_failed, 2);
	assert_int_equal(k->positions, 4);
	assert_int_equal(k->fetch_offsets, 9);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 3, &pos, &h, &lag), -ENODATA);
	assert_int_equal(pos, 70);
	r.ev.offsets[1].offset = 71;
	r.ev.error_count = 2;
	r.ev.flags |= KW_KAFKA_EV_TOP_ERROR;
	kw_obs_record(o, &r);
	assert_int_equal(k->positions_failed, 4);
	assert_int_equal(k->positions, 4);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 3, &pos, &h, &lag), -ENODATA);
	assert_int_equal(pos, 70);
	kw_obs_free(o);
}

/*
 * A pair of api_key with one offset of payments/2 of kind kind, requested at ts and answered lat
 * ns later, recorded by o.
 */
static void
record_offset_at(struct kw_obs *o, int16_t api_key, uint8_t kind, int64_t off, uint64_t ts,
		 uint64_t lat)
{
	struct kw_kafka_rec r;

	base_rec(&r);
	r.ev.api_name = api_key == KW_KAFKA_API_PRODUCE	  ? "Produce"
			: api_key == KW_KAFKA_API_LIST_OFFSETS ? "ListOffsets"
							       : "Fetch";
	r.ev.api_key = api_key;
	KSTR(&r.ev.topics[0], "payments");
	r.ev.n_offsets = 1;
	r.ev.offsets[0] = (struct kw_kafka_ev_offset){kind, 0, NO_GRP, 2, off};
	r.ev.resp_len = 100;
	r.ts_ns = ts;
	r.latency_ns = lat;
	kw_obs_record(o, &r);
}

/* record_offset_at, all at time 0. */
static void
record_offset(struct kw_obs *o, int16_t api_key, uint8_t kind, int64_t off)
{
	record_offset_at(o, api_key, kind, off, 0, 0);
}

/*
 * A Produce response's log end moves a partition's high watermark on, never back (it may run
 * ahead of the high watermark with acks=1); a Fetch's high watermark is the broker's word.
 */
static void
test_log_end(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	int64_t c, h = 0, lag = 0;
	struct kw_kafka_rec r;

	(void)state;
	assert_non_null(o);
	commit_rec(&r, "ga", 2, 100);
	kw_obs_record(o, &r);
	record_offset(o, KW_KAFKA_API_PRODUCE, KW_KAFKA_OFF_LOG_END, 150);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 150);
	assert_int_equal(lag, 50);
	record_offset(o, KW_KAFKA_API_PRODUCE, KW_KAFKA_OFF_LOG_END, 140);
	record_offset(o, KW_KAFKA_API_PRODUCE, KW_KAFKA_OFF_PRODUCED, 5); /* unanswered */
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 150);
	record_offset(o, KW_KAFKA_API_FETCH, KW_KAFKA_OFF_HWM, 145);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 145);
	record_offset(o, KW_KAFKA_API_PRODUCE, KW_KAFKA_OFF_LOG_END, 160);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 160);
	assert_int_equal(kw_obs_counters(o)->hwms_produced, 3);
	assert_int_equal(kw_obs_counters(o)->offsets_bad, 0);
	kw_obs_free(o);
}

/*
 * High watermarks by the time they were answered: a Fetch that waited (long poll) answers after
 * a Produce requested later, and the later answer is the one kept; one answered before the value
 * kept is stale, unless it moves the value on.
 */
static void
test_hwm_order(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	const struct kw_obs_counters *k;
	int64_t c = 0, h = 0, lag = 0;
	struct kw_kafka_rec r;

	(void)state;
	assert_non_null(o);
	k = kw_obs_counters(o);
	commit_rec(&r, "ga", 2, 100);
	kw_obs_record(o, &r);
	/* a Fetch requested at 1000, answered at 1500 with 150 */
	record_offset_at(o, KW_KAFKA_API_FETCH, KW_KAFKA_OFF_HWM, 150, 1000, 500);
	/* a Fetch requested at 1100 and answered at 1200, with 140: answered before */
	record_offset_at(o, KW_KAFKA_API_FETCH, KW_KAFKA_OFF_HWM, 140, 1100, 100);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 150);
	assert_int_equal(k->hwms_stale, 1);
	/* answered before too, but it moves the value on */
	record_offset_at(o, KW_KAFKA_API_FETCH, KW_KAFKA_OFF_HWM, 155, 1100, 200);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 155);
	/* still answered before 1500, the latest answer seen */
	record_offset_at(o, KW_KAFKA_API_FETCH, KW_KAFKA_OFF_HWM, 145, 1300, 100);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 155);
	/* a Produce's log end answered at 2000 moves it on; a Fetch answered at 1900 is stale */
	record_offset_at(o, KW_KAFKA_API_PRODUCE, KW_KAFKA_OFF_LOG_END, 170, 1990, 10);
	record_offset_at(o, KW_KAFKA_API_FETCH, KW_KAFKA_OFF_HWM, 160, 1800, 100);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 170);
	assert_int_equal(k->hwms_stale, 3);
	/* answered later: the broker's word, even lower (acks=1 ran ahead) */
	record_offset_at(o, KW_KAFKA_API_FETCH, KW_KAFKA_OFF_HWM, 165, 2000, 100);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 165);
	assert_int_equal(k->hwms, 4);
	kw_obs_free(o);
}

/*
 * ListOffsets for the latest offset: read_uncommitted answers the high watermark, which replaces
 * the one known; read_committed the last stable offset, at most the high watermark, which only
 * moves it on. Unanswered or failed, the request's entries change nothing.
 */
static void
test_listed_offsets(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	int64_t c, h = 0, lag = 0;
	struct kw_kafka_rec r;

	(void)state;
	assert_non_null(o);
	commit_rec(&r, "ga", 2, 100);
	kw_obs_record(o, &r);
	record_offset(o, KW_KAFKA_API_LIST_OFFSETS, KW_KAFKA_OFF_LAST_STABLE, 130);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 130);
	assert_int_equal(lag, 30);
	record_offset(o, KW_KAFKA_API_LIST_OFFSETS, KW_KAFKA_OFF_HWM, 150);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 150);
	record_offset(o, KW_KAFKA_API_LIST_OFFSETS, KW_KAFKA_OFF_LAST_STABLE, 140);
	record_offset(o, KW_KAFKA_API_LIST_OFFSETS, KW_KAFKA_OFF_LIST_STABLE, -1);
	record_offset(o, KW_KAFKA_API_LIST_OFFSETS, KW_KAFKA_OFF_LIST_LATEST, -1);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 150);
	record_offset(o, KW_KAFKA_API_LIST_OFFSETS, KW_KAFKA_OFF_HWM, 120);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(h, 120);
	assert_int_equal(lag, 20);
	assert_int_equal(kw_obs_counters(o)->hwms_listed, 4);
	assert_int_equal(kw_obs_counters(o)->hwms, 4);
	assert_int_equal(kw_obs_counters(o)->offsets_bad, 0);
	kw_obs_free(o);
}

/* OffsetCommits of group for payments/0 .. n-1: off + the partition's index. */
static void
commit_parts(struct kw_obs *o, const char *group, int32_t n, int64_t off)
{
	struct kw_kafka_rec r;

	for (int32_t i = 0; i < n; i++) {
		commit_rec(&r, group, i, off + i);
		kw_obs_record(o, &r);
	}
}

/* A Fetch pair with the high watermark hwm of payments/0 .. n-1. */
static void
record_hwms(struct kw_obs *o, uint8_t n, int64_t hwm)
{
	struct kw_kafka_rec r;

	base_rec(&r);
	r.ev.api_name = "Fetch";
	r.ev.api_key = KW_KAFKA_API_FETCH;
	KSTR(&r.ev.topics[0], "payments");
	r.ev.n_offsets = n;
	for (uint8_t i = 0; i < n; i++)
		r.ev.offsets[i] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_HWM, 0, NO_GRP, i, hwm};
	kw_obs_record(o, &r);
}

/* Commits of group g kept for payments/0 .. n-1. */
static int
commits_of(const struct kw_obs *o, const char *g, int32_t n)
{
	int64_t c, h, lag;
	int kept = 0;

	for (int32_t i = 0; i < n; i++)
		kept += kw_obs_lag(o, g, "payments", i, &c, &h, &lag) == 0;
	return kept;
}

/*
 * Commits the broker no longer has: an OffsetFetch answering -1 (expired, or deleted), an
 * OffsetDelete without errors, a DeleteGroups of the group (commits and positions); each drops
 * what kwire kept, and nothing of other groups (one named with the same prefix). With errors, or
 * with several groups in one DeleteGroups, nothing is dropped.
 */
static void
test_commits_cleared(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	const struct kw_obs_counters *k;
	int64_t pos = 0, h = 0, lag = 0;
	struct kw_kafka_rec r;

	(void)state;
	assert_non_null(o);
	k = kw_obs_counters(o);
	record_hwms(o, 4, 500);
	/* ga's entries last: a removal moves another of ga's into the hole */
	commit_parts(o, "ga-2", 4, 200);
	commit_parts(o, "ga", 4, 100);
	assert_int_equal(commits_of(o, "ga", 4), 4);

	/* OffsetFetch: ga has no commit of partition 1 any more */
	offset_fetch_rec(&r, "ga", 1, -1);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 1, &pos, &h, &lag), -ENOENT);
	assert_int_equal(commits_of(o, "ga", 4), 3);
	assert_int_equal(k->commits_cleared, 1);
	assert_int_equal(k->commits_none, 1);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 3, &pos, &h, &lag), 0);
	assert_int_equal(pos, 103); /* moved into the hole, with its offset */
	/* none kept: nothing more to drop */
	kw_obs_record(o, &r);
	assert_int_equal(k->commits_cleared, 1);

	/*
	 * OffsetDelete of partitions 3 and 0: refused for the group (an error code on no
	 * partition); refused for partition 3 (DELETE_FAILED), which leaves 0 deleted; never
	 * answered; then done
	 */
	commit_rec(&r, "ga", 3, -1);
	r.ev.api_name = "OffsetDelete";
	r.ev.api_key = KW_KAFKA_API_OFFSET_DELETE;
	r.ev.offsets[0].kind = KW_KAFKA_OFF_COMMIT_DELETE;
	r.ev.offsets[1] = r.ev.offsets[0];
	r.ev.offsets[1].partition = 0;
	r.ev.n_offsets = 2;
	r.ev.error_count = 1;
	r.ev.flags = KW_KAFKA_EV_TOP_ERROR;
	kw_obs_record(o, &r);
	assert_int_equal(commits_of(o, "ga", 4), 3);
	r.ev.offsets[0].kind = KW_KAFKA_OFF_DELETE_FAILED;
	r.ev.flags = 0;
	kw_obs_record(o, &r);
	assert_int_equal(k->commits_failed, 3);
	assert_int_equal(commits_of(o, "ga", 4), 2);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 0, &pos, &h, &lag), -ENOENT);
	r.ev.offsets[0].kind = KW_KAFKA_OFF_COMMIT_DELETE;
	r.ev.n_offsets = 1;
	r.ev.error_count = 0;
	r.ev.flags = KW_KAFKA_EV_UNANSWERED;
	kw_obs_record(o, &r);
	assert_int_equal(k->commits_unanswered, 1);
	assert_int_equal(commits_of(o, "ga", 4), 2);
	r.ev.flags = 0;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 3, &pos, &h, &lag), -ENOENT);
	assert_int_equal(commits_of(o, "ga", 4), 1);
	assert_int_equal(k->commits_cleared, 3);
	assert_int_equal(k->commits_none, 2); /* the two answers of -1 above, not the deletions */
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 2, &pos, &h, &lag), 0);
	assert_int_equal(pos, 102);

	/* a member of ga with a position */
	record_member(o, KW_KAFKA_API_JOIN_GROUP, "app-a", 1, "ga");
	fetch_rec(&r, "app-a", 1, 90, 500);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), 0);

	/*
	 * DeleteGroups: a request without a response, and a response that answers ga with an
	 * error (a group of its own, gx, without), delete nothing of ga
	 */
	member_rec(&r, KW_KAFKA_API_DELETE_GROUPS, "admin", 3, "ga");
	kw_obs_record(o, &r);
	KSTR(&r.ev.groups[0], "gx");
	KSTR(&r.ev.groups[1], "ga");
	r.ev.n_groups = 2;
	r.ev.groups_failed = 0x2;
	kw_obs_record(o, &r);
	assert_int_equal(k->groups_deleted, 1); /* gx, which had nothing */
	assert_int_equal(commits_of(o, "ga", 4), 1);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), 0);
	/* ga answered without error, with more groups than a pair keeps */
	r.ev.groups_failed = 0x1;
	r.ev.flags |= KW_KAFKA_EV_GROUPS_TRUNC;
	kw_obs_record(o, &r);
	assert_int_equal(k->groups_deleted_many, 1);
	assert_int_equal(k->groups_deleted, 2);
	assert_int_equal(commits_of(o, "ga", 4), 0);
	assert_int_equal(kw_obs_position(o, "ga", "payments", 2, &pos, &h, &lag), -ENOENT);
	assert_int_equal(k->commits_cleared, 4);
	assert_int_equal(commits_of(o, "ga-2", 4), 4);
	assert_int_equal(kw_obs_lag(o, "ga-2", "payments", 3, &pos, &h, &lag), 0);
	assert_int_equal(pos, 203);
	/* the group commits again */
	commit_parts(o, "ga", 1, 300);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 0, &pos, &h, &lag), 0);
	assert_int_equal(lag, 200);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 1, &pos, &h, &lag), -ENOENT);
	kw_obs_free(o);
}

/* Offsets are the peer's: a lag and a group's total saturate instead of wrapping (UBSan). */
static void
test_lag_saturates(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_obs_part_lag out[2];
	int64_t c = 0, h = 0, lag = 0, total = 0;
	struct kw_kafka_rec r;
	uint32_t known = 0;

	(void)state;
	assert_non_null(o);
	record_hwms(o, 2, INT64_MAX);
	/* a commit below 0 is none (add_offsets), not a lag past INT64_MAX */
	commit_rec(&r, "gs", 0, -10);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "gs", "payments", 0, &c, &h, &lag), -ENOENT);
	commit_rec(&r, "gs", 0, 0);
	kw_obs_record(o, &r);
	commit_rec(&r, "gs", 1, 5);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "gs", "payments", 0, &c, &h, &lag), 0);
	assert_true(lag == INT64_MAX);
	assert_int_equal(kw_obs_group_lags(o, KW_OBS_LAG_COMMITTED, "gs", out, 2, &total, &known), 2);
	assert_int_equal(known, 2);
	assert_true(total == INT64_MAX);
	record_hwms(o, 1, INT64_MIN + 1);
	commit_rec(&r, "gs", 0, 10);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "gs", "payments", 0, &c, &h, &lag), 0);
	assert_true(lag == INT64_MIN);
	kw_obs_free(o);
}

/* An OffsetFetch pair of group "go" requested at ts: payments/0 -> off (-1: none). */
static void
record_offset_fetch(struct kw_obs *o, uint64_t ts, int64_t off)
{
	struct kw_kafka_rec r;

	offset_fetch_rec(&r, "go", 0, off);
	r.ts_ns = ts;
	kw_obs_record(o, &r);
}

/*
 * An OffsetFetch v8+ response answers for several groups at once: each commit counts under the
 * group it was answered under, and a group answered with an error gives none of its commits. An
 * offset without such a group in a pair of several groups is still unsure. The groups share the
 * pair's statistics.
 */
static void
test_commits_by_group(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	const struct kw_obs_counters *k;
	int64_t c = 0, h = 0, lag = 0;
	struct kw_obs_stats st;
	struct kw_kafka_rec r;

	(void)state;
	assert_non_null(o);
	k = kw_obs_counters(o);
	record_hwms(o, 2, 1000);
	offset_fetch_rec(&r, "gc", 0, 0);
	r.ev.flags = KW_KAFKA_EV_GROUPS_MANY | KW_KAFKA_EV_TOP_ERROR;
	r.ev.error_count = 1; /* gc's */
	KSTR(&r.ev.groups[0], "ga");
	KSTR(&r.ev.groups[1], "gb");
	KSTR(&r.ev.groups[2], "gc");
	r.ev.n_groups = 3;
	r.ev.groups_failed = 0x4;
	for (uint8_t i = 0; i < 4; i++)
		r.ev.offsets[i] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_COMMITTED_READ, 0,
							      i == 3 ? NO_GRP : i, 1, 500 + i};
	r.ev.offsets[4] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_COMMITTED_READ, 0, 1, 0, 900};
	r.ev.n_offsets = 5;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 1, &c, &h, &lag), 0);
	assert_int_equal(c, 500);
	assert_int_equal(lag, 500);
	assert_int_equal(kw_obs_lag(o, "gb", "payments", 1, &c, &h, &lag), 0);
	assert_int_equal(c, 501);
	assert_int_equal(kw_obs_lag(o, "gb", "payments", 0, &c, &h, &lag), 0);
	assert_int_equal(c, 900);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 0, &c, &h, &lag), -ENOENT);
	assert_int_equal(kw_obs_lag(o, "gc", "payments", 1, &c, &h, &lag), -ENOENT);
	assert_int_equal(k->commits_read, 3);
	assert_int_equal(k->commits_failed, 1);
	assert_int_equal(k->commits_groups_many, 1);
	/* the three groups share the pair, as a pair's topics do (61 + 412 bytes); its error is
	 * the failed group's */
	assert_int_equal(kw_obs_lookup(o, KW_OBS_GROUP, "ga", &st), 1);
	assert_int_equal(st.v[KW_OBS_REQUESTS], 1);
	assert_int_equal(st.v[KW_OBS_BYTES_IN], 21);
	assert_int_equal(st.v[KW_OBS_BYTES_OUT], 138);
	assert_int_equal(st.v[KW_OBS_ERRORS], 0);
	assert_int_equal(kw_obs_lookup(o, KW_OBS_GROUP, "gc", &st), 1);
	assert_int_equal(st.v[KW_OBS_BYTES_IN], 20);
	assert_int_equal(st.v[KW_OBS_BYTES_OUT], 137);
	assert_int_equal(st.v[KW_OBS_ERRORS], 1);

	/* a group ref past the groups kept is the pair's group, and several: unsure */
	r.ev.n_groups = 1;
	kw_obs_record(o, &r);
	assert_int_equal(k->commits_groups_many, 5);
	assert_int_equal(k->commits_read, 4);
	/* a group's own error bit decides, not the pair's error count (here still gc's) */
	r.ev.flags = 0;
	r.ev.groups_failed = 0;
	r.ev.n_offsets = 1;
	r.ev.offsets[0].offset = 600;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "ga", "payments", 1, &c, &h, &lag), 0);
	assert_int_equal(c, 600);
	kw_obs_free(o);
}

/*
 * Pairs of two workers reach the control thread in either order: a commit, a drop of one, a
 * group's deletion or a position from a pair requested before the one that gave the value kept
 * changes nothing (counted).
 */
static void
test_commit_order(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	const struct kw_obs_counters *k;
	int64_t c = 0, h = 0, lag = 0;
	struct kw_kafka_rec r;

	(void)state;
	assert_non_null(o);
	k = kw_obs_counters(o);
	record_hwms(o, 1, 100);
	commit_rec(&r, "go", 0, 50);
	r.ts_ns = 200;
	kw_obs_record(o, &r);
	record_offset_fetch(o, 100, 40); /* asked before the commit */
	record_offset_fetch(o, 150, -1);
	assert_int_equal(kw_obs_lag(o, "go", "payments", 0, &c, &h, &lag), 0);
	assert_int_equal(c, 50);
	assert_int_equal(k->commits_stale, 2);
	record_offset_fetch(o, 300, 60);
	assert_int_equal(kw_obs_lag(o, "go", "payments", 0, &c, &h, &lag), 0);
	assert_int_equal(c, 60);
	assert_int_equal(k->commits_stale, 2);

	/* a deletion asked before the commit it would drop */
	member_rec(&r, KW_KAFKA_API_DELETE_GROUPS, "admin", 3, "go");
	KSTR(&r.ev.groups[0], "go");
	r.ev.n_groups = 1;
	r.ts_ns = 250;
	kw_obs_record(o, &r);
	assert_int_equal(k->groups_deleted, 1);
	assert_int_equal(kw_obs_lag(o, "go", "payments", 0, &c, &h, &lag), 0);
	r.ts_ns = 400;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "go", "payments", 0, &c, &h, &lag), -ENOENT);
	assert_int_equal(k->commits_cleared, 1);

	/* a member's positions */
	record_member(o, KW_KAFKA_API_JOIN_GROUP, "app-o", 1, "go");
	fetch_rec(&r, "app-o", 1, 90, 100);
	r.ts_ns = 500;
	kw_obs_record(o, &r);
	fetch_rec(&r, "app-o", 1, 80, 100);
	r.ts_ns = 450;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_position(o, "go", "payments", 2, &c, &h, &lag), 0);
	assert_int_equal(c, 90);
	assert_int_equal(k->positions_stale, 1);
	assert_int_equal(k->positions, 1);

	/* a removal moves the last entry (go's, from 900) into the hole: its time goes with it */
	commit_rec(&r, "gp", 0, 10);
	r.ts_ns = 100;
	kw_obs_record(o, &r);
	commit_rec(&r, "go", 0, 70);
	r.ts_ns = 900;
	kw_obs_record(o, &r);
	commit_rec(&r, "gp", 0, -1);
	r.ev.api_key = KW_KAFKA_API_OFFSET_FETCH;
	r.ev.offsets[0].kind = KW_KAFKA_OFF_COMMITTED_READ;
	r.ts_ns = 200;
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lag(o, "gp", "payments", 0, &c, &h, &lag), -ENOENT);
	record_offset_fetch(o, 500, 65);
	assert_int_equal(kw_obs_lag(o, "go", "payments", 0, &c, &h, &lag), 0);
	assert_int_equal(c, 70);
	kw_obs_free(o);
}

/* A TxnOffsetCommit of producer pid for group "gt", requested at ts: payments/part -> off. */
static void
txn_commit_rec(struct kw_kafka_rec *r, int64_t pid, uint64_t ts, int32_t part, int64_t off)
{
	commit_rec(r, "gt", part, off);
	r->ev.api_name = "TxnOffsetCommit";
	r->ev.api_key = KW_KAFKA_API_TXN_OFFSET_COMMIT;
	r->ev.api_version = 3;
	r->ev.producer_id = pid;
	r->ev.offsets[0].kind = KW_KAFKA_OFF_TXN_COMMITTED;
	r->ts_ns = ts;
}

/* txn_commit_rec, recorded by o. */
static void
record_txn_commit(struct kw_obs *o, int64_t pid, uint64_t ts, int32_t part, int64_t off)
{
	struct kw_kafka_rec r;

	txn_commit_rec(&r, pid, ts, part, off);
	kw_obs_record(o, &r);
}

/* An EndTxn (commit or abort) or an InitProducerId of producer pid at ts. */
static void
end_rec(struct kw_kafka_rec *r, int16_t api_key, int64_t pid, uint64_t ts, bool commit,
	uint32_t errors)
{
	base_rec(r);
	r->ev.api_name = api_key == KW_KAFKA_API_END_TXN ? "EndTxn" : "InitProducerId";
	r->ev.api_key = api_key;
	r->ev.producer_id = pid;
	r->ev.error_count = errors;
	r->ts_ns = ts;
	if (commit)
		r->ev.flags |= KW_KAFKA_EV_TXN_COMMIT;
}

/* end_rec, recorded by o. */
static void
record_end(struct kw_obs *o, int16_t api_key, int64_t pid, uint64_t ts, bool commit,
	   uint32_t errors)
{
	struct kw_kafka_rec r;

	end_rec(&r, api_key, pid, ts, commit, errors);
	kw_obs_record(o, &r);
}

/* Group "gt"'s committed offset of payments/part, -1 when it has none. */
static int64_t
gt_committed(const struct kw_obs *o, int32_t part)
{
	int64_t c = -1, h, lag;

	return kw_obs_lag(o, "gt", "payments", part, &c, &h, &lag) == -ENOENT ? -1 : c;
}

/*
 * Transactions: a TxnOffsetCommit's offsets are the group's commits once their EndTxn commits,
 * never when it aborts, fails, or the producer starts again (InitProducerId). Pairs that reach
 * the control thread out of order go by their request times.
 */
static void
test_txn_commits(void **state)
{
	const uint64_t t0 = 1704067200000000000ULL;
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	const struct kw_obs_counters *k;
	int64_t c = 0, h = 0, lag = 0;
	struct kw_kafka_rec r;
	char *buf;

	(void)state;
	assert_non_null(o);
	k = kw_obs_counters(o);
	record_txn_commit(o, 7, t0 + 10, 2, 100);
	record_txn_commit(o, 7, t0 + 20, 3, 200);
	assert_int_equal(gt_committed(o, 2), -1);
	record_end(o, KW_KAFKA_API_END_TXN, 8, t0 + 30, true, 0); /* another producer's */
	assert_int_equal(gt_committed(o, 2), -1);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 40, true, 0);
	assert_int_equal(gt_committed(o, 2), 100);
	assert_int_equal(gt_committed(o, 3), 200);
	assert_int_equal(k->commits_txn, 2);
	assert_int_equal(k->commits, 2);

	/* aborted */
	record_txn_commit(o, 7, t0 + 50, 2, 150);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 60, false, 0);
	assert_int_equal(gt_committed(o, 2), 100);
	assert_int_equal(k->txn_offsets_aborted, 1);

	/* an EndTxn with errors leaves them waiting: the producer retries it */
	record_txn_commit(o, 7, t0 + 70, 2, 170);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 80, true, 1);
	assert_int_equal(k->txn_ends_failed, 1);
	assert_int_equal(gt_committed(o, 2), 100);
	/* so does one never answered */
	end_rec(&r, KW_KAFKA_API_END_TXN, 7, t0 + 85, true, 0);
	r.ev.flags |= KW_KAFKA_EV_UNANSWERED;
	kw_obs_record(o, &r);
	assert_int_equal(k->txn_ends_failed, 2);
	assert_int_equal(gt_committed(o, 2), 100);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 90, true, 0);
	assert_int_equal(gt_committed(o, 2), 170);
	/* a transaction's commit of -1 is none too: partition 3's is dropped */
	record_txn_commit(o, 7, t0 + 92, 3, -1);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 94, true, 0);
	assert_int_equal(kw_obs_lag(o, "gt", "payments", 3, &c, &h, &lag), -ENOENT);
	assert_int_equal(k->commits_none, 1);
	record_txn_commit(o, 7, t0 + 96, 3, 200);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 98, true, 0);
	assert_int_equal(gt_committed(o, 3), 200);

	/*
	 * Transaction A (offsets at 110, committed at 120) and B (offsets at 130, aborted at 140),
	 * their pairs in this order: B's offsets, A's end, A's offsets, B's end.
	 */
	record_txn_commit(o, 7, t0 + 130, 3, 230);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 120, true, 0);
	assert_int_equal(gt_committed(o, 3), 200);
	record_txn_commit(o, 7, t0 + 110, 2, 210);
	assert_int_equal(gt_committed(o, 2), 210);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 140, false, 0);
	assert_int_equal(gt_committed(o, 3), 200);
	assert_int_equal(k->txn_offsets_aborted, 2);

	/* the producer starts again: what it left open is aborted */
	record_txn_commit(o, 7, t0 + 150, 2, 250);
	record_end(o, KW_KAFKA_API_INIT_PRODUCER_ID, 7, t0 + 160, false, 0);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 170, true, 0);
	assert_int_equal(gt_committed(o, 2), 210);
	assert_int_equal(k->txn_offsets_aborted, 3);

	/* a TxnOffsetCommit partition refused, or one without a producer id, is ignored */
	txn_commit_rec(&r, 7, t0 + 180, 2, 280);
	r.ev.offsets[0].kind = KW_KAFKA_OFF_COMMIT_FAILED;
	r.ev.error_count = 1;
	kw_obs_record(o, &r);
	record_txn_commit(o, -1, t0 + 180, 2, 280);
	/* one never answered may not be the transaction's */
	txn_commit_rec(&r, 7, t0 + 180, 2, 280);
	r.ev.flags |= KW_KAFKA_EV_UNANSWERED;
	kw_obs_record(o, &r);
	assert_int_equal(k->commits_unanswered, 1);
	record_end(o, KW_KAFKA_API_END_TXN, 7, t0 + 190, true, 0);
	assert_int_equal(gt_committed(o, 2), 210);
	assert_int_equal(k->txn_offsets_failed, 2);

	/* a transaction keeps 16 partitions */
	for (int32_t part = 0; part < 18; part++) {
		record_txn_commit(o, 9, t0 + 200, part, 1000 + part);
	}
	record_end(o, KW_KAFKA_API_END_TXN, 9, t0 + 210, true, 0);
	assert_int_equal(gt_committed(o, 15), 1015);
	assert_int_equal(gt_committed(o, 16), -1);
	assert_int_equal(k->txn_offsets_dropped, 2);
	assert_int_equal(k->txn_offsets, 30);
	assert_int_equal(k->commits_txn, 2 + 1 + 1 + 1 + 16);

	/* idempotent producers starting take no entry: an open transaction stays */
	record_txn_commit(o, 11, t0 + 250, 41, 4100);
	for (int64_t pid = 2000; pid < 2000 + 2 * KW_OBS_TXNS; pid++)
		record_end(o, KW_KAFKA_API_INIT_PRODUCER_ID, pid, t0 + 260, false, 0);
	record_end(o, KW_KAFKA_API_END_TXN, 11, t0 + 270, true, 0);
	assert_int_equal(gt_committed(o, 41), 4100);
	assert_int_equal(k->txns_evicted, 0);

	/* the table full of producers' ends: the least recently used goes with what it held */
	record_txn_commit(o, 10, t0 + 300, 40, 400);
	for (int64_t pid = 100; pid < 100 + KW_OBS_TXNS; pid++)
		record_end(o, KW_KAFKA_API_END_TXN, pid, t0 + 310, true, 0);
	record_end(o, KW_KAFKA_API_END_TXN, 10, t0 + 320, true, 0);
	assert_int_equal(gt_committed(o, 40), -1);
	assert_int_equal(k->txn_offsets_dropped, 3);
	assert_true(k->txns_evicted >= 1);
	/* no Fetch gave a high watermark: the report lists the commits */
	buf = report_of(o);
	assert_non_null(strstr(buf, "  gt "));
	assert_non_null(strstr(buf, "    committed 17 partitions, no high watermark seen\n"
				    "    committed payments[2] 1002\n"
				    "    committed payments[3] 1003\n"));
	free(buf);
	kw_obs_free(o);
}

static void
test_latency_histogram(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	const struct kw_obs_lat *h;
	struct kw_kafka_rec r;
	uint64_t q;
	int i;

	(void)state;
	assert_int_equal(kw_obs_lat_bucket(0), 0);
	assert_int_equal(kw_obs_lat_bucket(999), 0);
	assert_int_equal(kw_obs_lat_bucket(1000), 1);
	assert_int_equal(kw_obs_lat_bucket(1999), 1);
	assert_int_equal(kw_obs_lat_bucket(2000), 2);
	assert_int_equal(kw_obs_lat_bucket(12345), 4);
	assert_int_equal(kw_obs_lat_bucket(16000000000ULL), 24);
	assert_int_equal(kw_obs_lat_bucket(17000000000ULL), KW_OBS_LAT_BUCKETS - 1);
	assert_int_equal(kw_obs_lat_bucket(UINT64_MAX), KW_OBS_LAT_BUCKETS - 1);

	assert_non_null(o);
	base_rec(&r);
	r.latency_ns = 5000;
	for (i = 0; i < 100; i++)
		kw_obs_record(o, &r);
	r.latency_ns = 1000000;
	kw_obs_record(o, &r);
	r.ev.flags = KW_KAFKA_EV_NO_RESPONSE; /* no latency to count */
	kw_obs_record(o, &r);
	h = kw_obs_latency(o, 18);
	assert_non_null(h);
	assert_int_equal(h->count, 101);
	assert_int_equal(h->sum_ns, 100 * 5000 + 1000000);
	assert_int_equal(h->max_ns, 1000000);
	assert_int_equal(h->buckets[3], 100);
	assert_int_equal(h->buckets[10], 1);
	q = kw_obs_lat_quantile(h, 0.5);
	assert_true(q >= 4000 && q <= 8000);
	q = kw_obs_lat_quantile(h, 0.99);
	assert_true(q >= 4000 && q <= 8000);
	assert_int_equal(kw_obs_lat_quantile(h, 1.0), 1000000);
	assert_null(kw_obs_latency(o, -1));
	kw_obs_free(o);
}

static void
test_telemetry_register(void **state)
{
	struct kw_obs_params p = {0};
	struct kw_obs *o = kw_obs_create(&p);

	(void)state;
	assert_non_null(o);
	assert_int_equal(kw_obs_telemetry_register(o), 0);
	/* a second obs takes over without registering the commands twice */
	kw_obs_free(o);
	o = kw_obs_create(&p);
	assert_non_null(o);
	assert_int_equal(kw_obs_telemetry_register(o), 0);
	kw_obs_free(o);
}

/* xorshift32: the pairs of test_stats_pairs, the same on every run */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Pair i of a mix that touches every statistic: apis, clients, principals, groups, topics by
 * name and by id (learned from Metadata), lag offsets, errors, records, latencies, flags. */
static void
varied_rec(struct kw_kafka_rec *r, uint32_t *s)
{
	static const struct {
		const char *name;
		int16_t key;
	} apis[] = {{"Produce", 0}, {"Fetch", 1}, {"Metadata", 3}, {"OffsetCommit", 8},
		    {"JoinGroup", 11}, {"ApiVersions", 18}};
	char name[KW_KAFKA_NAME_MAX];
	uint32_t x = next_rand(s), a = x % RTE_DIM(apis);
	struct kw_kafka_event *ev = &r->ev;
	unsigned int i, n;

	base_rec(r);
	r->client[3] = (uint8_t)(1 + next_rand(s) % 3); /* three hosts, their consumers apart */
	ev->api_name = apis[a].name;
	ev->api_key = apis[a].key;
	ev->api_version = (int16_t)(x >> 8 & 15);
	ev->corr_id = (int32_t)next_rand(s);
	ev->req_len = next_rand(s) % 5000;
	ev->resp_len = x >> 12 & 7 ? next_rand(s) % 9000 : 0;
	ev->latency_tsc = next_rand(s) % 50000000;
	r->latency_ns = x >> 15 & 3 ? next_rand(s) % 40000000 : 0; /* 0: from latency_tsc */
	ev->flags = (x >> 17 & 7) == 0 ? KW_KAFKA_EV_UNANSWERED :
		    (x >> 17 & 7) == 1 ? KW_KAFKA_EV_NO_RESPONSE :
		    (x >> 17 & 7) == 2 ? KW_KAFKA_EV_CLOCK_BACK : 0;
	ev->error_count = next_rand(s) % 4;
	ev->records.records = next_rand(s) % 100;
	ev->records.records_hdr = next_rand(s) % 100;
	snprintf(name, sizeof(name), "client-%u", next_rand(s) % 13);
	kstr(&ev->client_id, name, x >> 20 & 7 ? strlen(name) : 0);
	ev->client_id.null = (x >> 20 & 7) == 0;
	snprintf(name, sizeof(name), "user-%u", next_rand(s) % 5);
	kstr(&r->principal, name, x >> 23 & 1 ? strlen(name) : 0);
	/* the client software, which ApiVersions pairs count by library */
	snprintf(name, sizeof(name), "lib-%u", next_rand(s) % 3);
	kstr(&r->sw_name, name, x >> 26 & 1 ? strlen(name) : 0);
	snprintf(name, sizeof(name), "1.%u", next_rand(s) % 4);
	kstr(&r->sw_version, name, strlen(name));
	snprintf(name, sizeof(name), "group-%u", next_rand(s) % 7);
	kstr(&ev->group_id, name, apis[a].key == 8 || x >> 24 & 1 ? strlen(name) : 0);
	/* names, then ids; Metadata aligned (teaching ids), more topics than kept at times */
	n = next_rand(s) % 4;
	ev->n_topics = (uint8_t)(x >> 25 & 7 ? n : KW_KAFKA_EV_TOPICS + 2);
	for (i = 0; i < kw_kafka_ev_list_n(ev->n_topics, KW_KAFKA_EV_TOPICS); i++) {
		snprintf(name, sizeof(name), "topic-%u", next_rand(s) % 11);
		kstr(&ev->topics[i], name, strlen(name));
	}
	ev->n_topic_ids = (uint8_t)(next_rand(s) % 3);
	for (i = 0; i < ev->n_topic_ids; i++) {
		memset(ev->topic_ids[i], 0, 16);
		ev->topic_ids[i][0] = (uint8_t)(1 + next_rand(s) % 11);
	}
	if (apis[a].key == 3) {
		ev->flags |= KW_KAFKA_EV_TOPIC_IDS_ALIGNED;
		ev->n_topic_ids = (uint8_t)kw_kafka_ev_list_n(ev->n_topics, KW_KAFKA_EV_TOPICS);
		for (i = 0; i < ev->n_topic_ids; i++) {
			memset(ev->topic_ids[i], 0, 16);
			ev->topic_ids[i][0] = (uint8_t)(1 + atoi(ev->topics[i].s + 6));
		}
	}
	ev->n_offsets = (uint8_t)(next_rand(s) % 5);
	for (i = 0; i < ev->n_offsets; i++) {
		uint32_t y = next_rand(s);

		ev->offsets[i] = (struct kw_kafka_ev_offset){
			.kind = (uint8_t)(apis[a].key == 8 ? KW_KAFKA_OFF_COMMITTED :
					  y % 3 ? KW_KAFKA_OFF_HWM : KW_KAFKA_OFF_FETCH),
			.topic = (uint8_t)(y >> 4 & 1 ? 0x80 | (y >> 5 & 1) : y >> 5 & 3),
			.partition = (int32_t)(y >> 8 & 7),
			.offset = (int64_t)(y >> 11)};
	}
	/* what the statistics do not read, filled so that a pair really carries it */
	kstr(&ev->txn_id, "txn", 3);
	KSTR(&r->mechanism, "PLAIN");
	ev->n_rfields = 1;
	ev->n_broker_ids = 1;
	ev->broker_ids[0] = 1;
}

/*
 * Without the request log a worker packs only what the statistics read
 * (kw_kafka_rec_pack_stats). The same pairs fed to one kw_obs as full packed pairs and to
 * another as statistics pairs must leave the same statistics: every counter, every top-K of
 * every dimension with its counts, lag and latency (the report prints them all).
 */
static void
test_stats_pairs(void **state)
{
	struct kw_obs_params p = {.top_k = 6, .log_sample = 1, .tsc_hz = 2000000000};
	struct kw_obs *full = kw_obs_create(&p), *stats = kw_obs_create(&p);
	static struct kw_kafka_rec r, packed, out;
	const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N] = {
		[KW_KAFKA_REC_ID_PRINCIPAL] = &r.principal,
		[KW_KAFKA_REC_ID_MECHANISM] = &r.mechanism,
		[KW_KAFKA_REC_ID_SW_NAME] = &r.sw_name,
		[KW_KAFKA_REC_ID_SW_VERSION] = &r.sw_version,
	};
	char *rep[2];
	uint32_t seed = 2463534242u;
	unsigned int i;

	(void)state;
	assert_non_null(full);
	assert_non_null(stats);
	for (i = 0; i < 4000; i++) {
		varied_rec(&r, &seed);
		memcpy(&packed, &r, offsetof(struct kw_kafka_rec, ev));
		kw_kafka_rec_pack(&packed, &r.ev, id);
		kw_kafka_rec_unpack(&out, &packed);
		kw_obs_record(full, &out);
		memcpy(&packed, &r, offsetof(struct kw_kafka_rec, ev));
		kw_kafka_rec_pack_stats(&packed, &r.ev, id);
		assert_int_equal(packed.kind, KW_KAFKA_REC_STATS);
		kw_kafka_rec_unpack(&out, &packed);
		assert_int_equal(out.kind, KW_KAFKA_REC_EVENT);
		/* what a statistics pair does not carry reads as none */
		assert_int_equal(out.ev.txn_id.len, 0);
		assert_int_equal(out.mechanism.len, 0);
		assert_int_equal(out.ev.n_rfields + out.ev.n_broker_ids + out.ev.n_parts, 0);
		kw_obs_record(stats, &out);
	}
	assert_memory_equal(kw_obs_counters(full), kw_obs_counters(stats),
			    sizeof(struct kw_obs_counters));
	rep[0] = report_of(full);
	rep[1] = report_of(stats);
	assert_string_equal(rep[0], rep[1]);
	/* the mix reached every statistic (a test of nothing would pass too) */
	assert_non_null(strstr(rep[0], "client-"));
	assert_non_null(strstr(rep[0], "user-"));
	assert_non_null(strstr(rep[0], "group-"));
	assert_non_null(strstr(rep[0], "topic-"));
	assert_non_null(strstr(rep[0], "lib-"));
	assert_non_null(strstr(rep[0], "lag "));
	assert_non_null(strstr(rep[0], "latency Fetch"));
	assert_true(kw_obs_counters(full)->topic_ids_learned > 0);
	assert_true(kw_obs_counters(full)->commits > 0);
	/* fetch positions need the client's address, which statistics pairs carry for them */
	assert_true(kw_obs_counters(full)->positions > 0);
	assert_true(kw_obs_counters(full)->members > 0);
	free(rep[0]);
	free(rep[1]);
	kw_obs_free(full);
	kw_obs_free(stats);
}

#define SEC 1000000000ull

/* A pair of client cid that completes at done ns (base_rec's, 12,345 ns after its request). */
static void
pair_at(struct kw_obs *o, const char *cid, uint64_t done)
{
	struct kw_kafka_rec r;

	base_rec(&r);
	kstr(&r.ev.client_id, cid, strlen(cid));
	r.ts_ns = done - r.latency_ns;
	kw_obs_record(o, &r);
}

/*
 * The client's rates: req pairs per second, each of base_rec's 61 bytes in, 412 out and 8
 * records; partial: they are lower bounds.
 */
static void
rates_are(struct kw_obs *o, const char *cid, uint64_t req, uint8_t partial)
{
	struct kw_obs_stats st;

	assert_int_equal(kw_obs_lookup(o, KW_OBS_CLIENT, cid, &st), 1);
	assert_int_equal(st.per_s[KW_OBS_REQUESTS], req);
	assert_int_equal(st.per_s[KW_OBS_BYTES_IN], req * 61);
	assert_int_equal(st.per_s[KW_OBS_BYTES_OUT], req * 412);
	assert_int_equal(st.per_s[KW_OBS_RECORDS], req * 8);
	assert_int_equal(st.rate_partial, partial);
}

/*
 * Per-key rates: windows on the pairs' completion times; the last window that ended, per
 * second; nothing before a window ends; windows without pairs zero the rates; a key that took an
 * evicted key's place has lower bounds; a late pair counts in the current window.
 */
static void
test_rates(void **state)
{
	struct kw_obs_params p = {.top_k = 2};
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_obs_stats st[2];
	char keys[2][KW_KAFKA_NAME_MAX];
	char *report;

	(void)state;
	assert_non_null(o);
	/* window [1000 s, 1001 s): a three pairs, b one */
	pair_at(o, "a", 1000 * SEC + SEC / 10);
	pair_at(o, "a", 1000 * SEC + SEC / 5);
	pair_at(o, "a", 1000 * SEC + SEC / 2);
	pair_at(o, "b", 1000 * SEC + SEC / 2);
	rates_are(o, "a", 0, 0); /* no window has ended */
	/* a pair in the next window ends it */
	pair_at(o, "a", 1001 * SEC + SEC / 5);
	rates_are(o, "a", 3, 0);
	rates_are(o, "b", 1, 0);
	assert_int_equal(kw_obs_top(o, KW_OBS_CLIENT, keys, st, 2), 2);
	assert_string_equal(keys[0], "a");
	assert_int_equal(st[0].per_s[KW_OBS_REQUESTS], 3);
	assert_int_equal(st[0].per_s[KW_OBS_RECORDS], 24);
	assert_int_equal(st[1].per_s[KW_OBS_BYTES_OUT], 412);
	/* c takes b's place (k = 2): nothing known of its past, so its rates are lower bounds */
	pair_at(o, "c", 1001 * SEC + SEC / 2);
	rates_are(o, "c", 0, 1);
	kw_obs_advance(o, 1002 * SEC + SEC / 10);
	rates_are(o, "a", 1, 0);
	rates_are(o, "c", 1, 1);
	assert_int_equal(kw_obs_counters(o)->rate_windows, 2);
	/* a's busiest window so far was the first: 3 pairs */
	assert_int_equal(kw_obs_lookup(o, KW_OBS_CLIENT, "a", &st[0]), 1);
	assert_int_equal(st[0].peak_per_s[KW_OBS_REQUESTS], 3);
	assert_int_equal(st[0].peak_per_s[KW_OBS_BYTES_OUT], 3 * 412);
	/* two windows end at once: the last one saw nothing, whatever the one before saw */
	pair_at(o, "a", 1002 * SEC + SEC / 2);
	kw_obs_advance(o, 1004 * SEC);
	rates_are(o, "a", 0, 0);
	rates_are(o, "c", 0, 0);
	assert_int_equal(kw_obs_counters(o)->rate_windows, 4);
	/* window [1004 s, 1005 s): a pair that completed at 1003.5 s counts in it, as late */
	pair_at(o, "a", 1003 * SEC + SEC / 2);
	assert_int_equal(kw_obs_counters(o)->rate_late, 1);
	kw_obs_advance(o, 1005 * SEC);
	rates_are(o, "a", 1, 0);
	/* the peak stays, and the report gives it */
	assert_int_equal(kw_obs_lookup(o, KW_OBS_CLIENT, "a", &st[0]), 1);
	assert_int_equal(st[0].peak_per_s[KW_OBS_REQUESTS], 3);
	assert_int_equal(kw_obs_lookup(o, KW_OBS_CLIENT, "c", &st[0]), 1);
	assert_int_equal(st[0].peak_per_s[KW_OBS_REQUESTS], 1);
	report = report_of(o);
	assert_non_null(strstr(report, "    peak of 1 s windows, per second: requests 3 in 183 B "
				       "out 1236 B records 24 connections 0\n"));
	free(report);
	kw_obs_free(o);

	/* half-second windows: a window's weight counts twice per second */
	p.rate_window_ns = SEC / 2;
	o = kw_obs_create(&p);
	assert_non_null(o);
	kw_obs_advance(o, 20 * SEC); /* before the first pair: nothing to end */
	pair_at(o, "a", 10 * SEC + SEC / 10);
	pair_at(o, "a", 10 * SEC + SEC / 5);
	kw_obs_advance(o, 10 * SEC + SEC / 2);
	rates_are(o, "a", 4, 0);
	assert_int_equal(kw_obs_counters(o)->rate_windows, 1);
	kw_obs_free(o);
}

/*
 * A telemetry reply stays within what DPDK 22.11 can write (16 KiB): 32 groups with 8
 * partitions' lag each on a long topic take about twice that, so the last groups are left out
 * and counted, never silently dropped by DPDK; without a budget all 32 are given.
 */
static void
test_telemetry_budget(void **state)
{
	struct kw_obs_params p = {.top_k = 40};
	struct kw_obs *o = kw_obs_create(&p);
	char topic[KW_KAFKA_NAME_MAX], group[KW_KAFKA_NAME_MAX];
	struct kw_kafka_rec r;
	struct rte_tel_data *d;
	uint32_t omitted, g, part;

	(void)state;
	assert_non_null(o);
	memset(topic, 't', sizeof(topic) - 1);
	topic[sizeof(topic) - 1] = '\0';
	for (g = 0; g < 40; g++) {
		snprintf(group, sizeof(group), "group-%02u-%s", g, topic + 10);
		for (part = 0; part < 8; part++) {
			commit_rec(&r, group, (int32_t)part, 10);
			kstr(&r.ev.topics[0], topic, strlen(topic));
			kw_obs_record(o, &r);
		}
	}
	/* the high watermarks of the 8 partitions, from a Fetch response naming the topic */
	base_rec(&r);
	r.ev.api_name = "Fetch";
	r.ev.api_key = 1;
	r.ev.api_version = 12;
	kstr(&r.ev.topics[0], topic, strlen(topic));
	r.ev.n_offsets = 8;
	for (part = 0; part < 8; part++)
		r.ev.offsets[part] = (struct kw_kafka_ev_offset){KW_KAFKA_OFF_HWM, 0, NO_GRP,
								 (int32_t)part, 1000000};
	kw_obs_record(o, &r);

	/* sizes only: a reply's containers are freed by DPDK once written (it-telemetry) */
	assert_int_equal(kw_obs_tel_dim(o, KW_OBS_GROUP, NULL, 16 * 1024 - 64, &omitted), 0);
	assert_true(omitted > 8 && omitted < 32);
	assert_int_equal(kw_obs_tel_dim(o, KW_OBS_GROUP, NULL, SIZE_MAX, &omitted), 0);
	assert_int_equal(omitted, 0);
	/* one client, well within the budget */
	assert_int_equal(kw_obs_tel_dim(o, KW_OBS_CLIENT, NULL, 16 * 1024 - 64, &omitted), 0);
	assert_int_equal(omitted, 0);
	/* an empty reply: no container, nothing to leak */
	d = rte_tel_data_alloc();
	assert_non_null(d);
	assert_int_equal(kw_obs_tel_dim(o, KW_OBS_PRINCIPAL, d, 16 * 1024 - 64, &omitted), 0);
	assert_int_equal(omitted, 0);
	rte_tel_data_free(d);
	kw_obs_free(o);
}

/*
 * Client software: every pair of a connection that named it, as name/version. Connections: each
 * client id, principal and software counts one at the first pair of a connection that carried
 * it (the decoder's *_FIRST marks); groups and topics count none.
 */
static void
test_software(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_obs *o = kw_obs_create(&p);
	struct kw_obs_stats st;
	struct kw_kafka_rec r;

	(void)state;
	assert_non_null(o);
	base_rec(&r); /* ApiVersions from kwgen 0.1.0, the first pair of two connections */
	r.ev.flags = KW_KAFKA_EV_CONN_FIRST | KW_KAFKA_EV_SOFTWARE_FIRST;
	KSTR(&r.ev.group_id, "g1");
	kw_obs_record(o, &r);
	kw_obs_record(o, &r);
	/* a librdkafka connection: its ApiVersions pair, then two Produce pairs once alice has
	 * authenticated */
	KSTR(&r.sw_name, "librdkafka");
	KSTR(&r.sw_version, "2.0.2");
	kw_obs_record(o, &r);
	r.ev.flags = KW_KAFKA_EV_PRINCIPAL_FIRST;
	r.ev.api_name = "Produce";
	r.ev.api_key = 0;
	r.ev.req_len = 1000;
	KSTR(&r.principal, "alice");
	kw_obs_record(o, &r);
	r.ev.flags = 0;
	kw_obs_record(o, &r);
	/* a client that does not name itself (ApiVersions before v3) */
	base_rec(&r);
	r.ev.flags = KW_KAFKA_EV_CONN_FIRST;
	kstr(&r.sw_name, "", 0);
	kstr(&r.sw_version, "", 0);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_lookup(o, KW_OBS_SOFTWARE, "kwgen/0.1.0", &st), 1);
	assert_int_equal(st.v[KW_OBS_REQUESTS], 2);
	assert_int_equal(st.v[KW_OBS_BYTES_OUT], 2 * 412);
	assert_int_equal(st.v[KW_OBS_CONNECTIONS], 2);
	assert_int_equal(kw_obs_lookup(o, KW_OBS_SOFTWARE, "librdkafka/2.0.2", &st), 1);
	assert_int_equal(st.v[KW_OBS_REQUESTS], 3);
	assert_int_equal(st.v[KW_OBS_BYTES_IN], 61 + 2 * 1000);
	assert_int_equal(st.v[KW_OBS_CONNECTIONS], 1);
	assert_int_equal(kw_obs_counters(o)->unkeyed[KW_OBS_SOFTWARE], 1);
	/* the principal: its pairs since it authenticated, on one connection */
	assert_int_equal(kw_obs_lookup(o, KW_OBS_PRINCIPAL, "alice", &st), 1);
	assert_int_equal(st.v[KW_OBS_REQUESTS], 2);
	assert_int_equal(st.v[KW_OBS_CONNECTIONS], 1);
	/* the same client id on all of them: four connections, six pairs */
	assert_int_equal(kw_obs_lookup(o, KW_OBS_CLIENT, "kwgen", &st), 1);
	assert_int_equal(st.v[KW_OBS_REQUESTS], 6);
	assert_int_equal(st.v[KW_OBS_CONNECTIONS], 4);
	assert_int_equal(kw_obs_lookup(o, KW_OBS_GROUP, "g1", &st), 1);
	assert_int_equal(st.v[KW_OBS_REQUESTS], 5);
	assert_int_equal(st.v[KW_OBS_CONNECTIONS], 0);
	kw_obs_free(o);
}

/* Bytes of the file behind stream f that reached the kernel. */
static long
file_size(FILE *f)
{
	struct stat st;

	assert_int_equal(fstat(fileno(f), &st), 0);
	return (long)st.st_size;
}

/*
 * kw_obs_flush hands the log's buffered lines to the kernel, only when a line was written since
 * the last flush; a failed write is returned and counted.
 */
static void
test_log_flush(void **state)
{
	struct kw_obs_params p = {.top_k = 8};
	struct kw_kafka_rec r;
	struct kw_obs *o;
	long one;

	(void)state;
	p.log = tmpfile(); /* a file: fully buffered, as log.path's */
	assert_non_null(p.log);
	o = kw_obs_create(&p);
	assert_non_null(o);
	base_rec(&r);
	kw_obs_record(o, &r);
	assert_int_equal(file_size(p.log), 0); /* still in the stdio buffer */
	assert_int_equal(kw_obs_flush(o), 0);
	one = file_size(p.log);
	assert_true(one > 0);
	assert_int_equal(kw_obs_flush(o), 0); /* nothing new */
	assert_int_equal(file_size(p.log), one);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_flush(o), 0);
	assert_int_equal(file_size(p.log), 2 * one);
	assert_int_equal(kw_obs_counters(o)->log_errors, 0);
	kw_obs_free(o);
	fclose(p.log);

	/* a full disk: the line stays in the buffer, the flush fails and is counted */
	p.log = fopen("/dev/full", "w");
	assert_non_null(p.log);
	o = kw_obs_create(&p);
	assert_non_null(o);
	kw_obs_record(o, &r);
	assert_int_equal(kw_obs_flush(o), -ENOSPC);
	assert_int_equal(kw_obs_counters(o)->log_errors, 1);
	kw_obs_free(o);
	fclose(p.log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_ipv4),
		cmocka_unit_test(test_json_ipv6_escaping_topic_ids),
		cmocka_unit_test(test_log_sampling),
		cmocka_unit_test(test_log_flush),
		cmocka_unit_test(test_space_saving_heavy_hitters),
		cmocka_unit_test(test_space_saving_bounded_memory),
		cmocka_unit_test(test_sketch_spread),
		cmocka_unit_test(test_bmap_lru),
		cmocka_unit_test(test_bmap_remove),
		cmocka_unit_test(test_lag),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_txn_commits),
		cmocka_unit_test(test_log_end),
		cmocka_unit_test(test_listed_offsets),
		cmocka_unit_test(test_hwm_order),
		cmocka_unit_test(test_lag_saturates),
		cmocka_unit_test(test_commits_cleared),
		cmocka_unit_test(test_commit_order),
		cmocka_unit_test(test_commits_by_group),
		cmocka_unit_test(test_latency_histogram),
		cmocka_unit_test(test_telemetry_register),
		cmocka_unit_test(test_stats_pairs),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_telemetry_budget),
		cmocka_unit_test(test_software),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
