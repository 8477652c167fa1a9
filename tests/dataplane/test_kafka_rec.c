/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the packed pairs workers hand the control thread (dataplane/kafka_rec.c): every
 * field a reader may look at survives kw_kafka_rec_pack then kw_kafka_rec_unpack, from an empty
 * event to one with every name at its longest and every list full, and a small pair writes only
 * the first lines of its record (the point of packing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>

#include "dataplane/kafka_rec.h"

#include "kw_test_rec.h"

static void
str_set(struct kw_kafka_str *s, const char *v, uint8_t trunc, uint8_t null)
{
	memset(s, 0x5a, sizeof(*s)); /* bytes past the NUL are never read */
	s->len = (uint8_t)strlen(v);
	s->trunc = trunc;
	s->null = null;
	memcpy(s->s, v, s->len + 1u);
}

/* got (unpacked from a statistics pair) against what such a pair carries of flow and ev */
static void
stats_check(const struct kw_kafka_rec *got, const struct kw_kafka_rec *flow,
	    const struct kw_kafka_event *ev, const struct kw_kafka_str *const id[])
{
	const char *diff = kw_test_rec_stats_diff(got, flow, ev, id);

	if (diff != NULL)
		fail_msg("unpacked statistics pair: %s differs", diff);
}

/* got (unpacked) against the event and identity that were packed, as far as counts go */
static void
rec_check(const struct kw_kafka_rec *got, const struct kw_kafka_rec *flow,
	  const struct kw_kafka_event *ev, const struct kw_kafka_str *const id[])
{
	const char *diff = kw_test_rec_diff(got, flow, ev, id);

	if (diff != NULL)
		fail_msg("unpacked pair: %s differs", diff);
}

static struct kw_kafka_rec rec, out, flow;
static struct kw_kafka_event ev;
static struct kw_kafka_str ids[KW_KAFKA_REC_ID_N];
static const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N] = {&ids[0], &ids[1], &ids[2],
								 &ids[3]};

#define STALE 0xa5 /* what pack() leaves in every byte the packer does not write */

/* A record as a worker leaves it: its bytes stale, then flow, times and the packed pair. */
static void
pack(void)
{
	memset(&rec, STALE, sizeof(rec));
	rec.ts_ns = 1700000000123456789ull;
	rec.latency_ns = 4242;
	rec.worker = 3;
	rec.family = 6;
	for (unsigned int i = 0; i < 16; i++) {
		rec.client[i] = (uint8_t)i;
		rec.broker[i] = (uint8_t)(0xf0 | i);
	}
	rec.client_port = 40001;
	rec.broker_port = 9092;
	kw_kafka_rec_pack(&rec, &ev, id);
	assert_int_equal(rec.kind, KW_KAFKA_REC_PACKED);
	memset(&out, 0x3c, sizeof(out));
	kw_kafka_rec_unpack(&out, &rec);
}

/* Packing wrote nothing past the record's first `lines` cache lines (every later byte stale). */
static void
lines_written_at_most(unsigned int lines)
{
	for (size_t i = lines * RTE_CACHE_LINE_SIZE; i < sizeof(rec); i++)
		assert_int_equal(((const uint8_t *)&rec)[i], STALE);
}

static void
test_empty_pair(void **state)
{
	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.api_name = "ApiVersions";
	ev.api_key = 18;
	ev.api_version = 3;
	ev.corr_id = 1;
	ev.throttle_ms = -1;
	ev.producer_id = -1;
	str_set(&ev.client_id, "", 0, 0);
	str_set(&ev.group_id, "", 0, 0);
	str_set(&ev.txn_id, "", 0, 0);
	for (unsigned int i = 0; i < KW_KAFKA_REC_ID_N; i++)
		str_set(&ids[i], "", 0, 0);
	pack();
	rec_check(&out, &rec, &ev, id);
	/* flow, times and this pair in the first five lines; nothing written past them */
	lines_written_at_most(5);
}

static void
test_produce_pair(void **state)
{
	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.api_name = "Produce";
	ev.api_key = 0;
	ev.api_version = 9;
	ev.corr_id = 7;
	ev.flags = 0x81;
	ev.req_off = 123456789012ull;
	ev.resp_off = 98765;
	ev.req_len = 1827;
	ev.resp_len = 66;
	ev.t_req = 555;
	ev.latency_tsc = 777;
	str_set(&ev.client_id, "rdkafka", 0, 0);
	str_set(&ev.group_id, "", 0, 0);
	str_set(&ev.txn_id, "", 0, 1);
	ev.topic_count = ev.partition_count = 1;
	ev.n_topics = 1;
	ev.acks = -1;
	ev.throttle_ms = 0;
	ev.throttle_off = 98800;
	ev.producer_id = 4000;
	ev.records.fields = 1;
	ev.records.batches = 1;
	ev.records.records = 8;
	str_set(&ev.topics[0], "kwgen-topic", 0, 0);
	ev.n_rfields = 1;
	ev.rfields[0] = (struct kw_kafka_ev_rfield){.off = 90, .len = 1760, .topic = 0};
	ev.n_broker_ids = 1;
	ev.broker_ids[0] = 1;
	ev.n_parts = 1;
	ev.parts[0] = (struct kw_kafka_ev_part){.topic = 0, .partition = 3};
	str_set(&ids[KW_KAFKA_REC_ID_PRINCIPAL], "alice", 0, 0);
	str_set(&ids[KW_KAFKA_REC_ID_MECHANISM], "SCRAM-SHA-256", 0, 0);
	str_set(&ids[KW_KAFKA_REC_ID_SW_NAME], "librdkafka", 0, 0);
	str_set(&ids[KW_KAFKA_REC_ID_SW_VERSION], "2.0.2", 0, 0);
	pack();
	rec_check(&out, &rec, &ev, id);
	/* a typical pair: six lines of its record at most */
	lines_written_at_most(6);
}

/*
 * ev of a connection whose client software is name/version, packed for the statistics (within
 * its record's first two lines) and unpacked: what it carries comes back, the software with it.
 */
static void
stats_with_software(const char *name, const char *version)
{
	str_set(&ids[KW_KAFKA_REC_ID_SW_NAME], name, 0, 0);
	str_set(&ids[KW_KAFKA_REC_ID_SW_VERSION], version, 0, 0);
	memset(&rec, STALE, sizeof(rec));
	flow = rec;
	kw_kafka_rec_pack_stats(&rec, &ev, id);
	lines_written_at_most(2);
	kw_kafka_rec_unpack(&out, &rec);
	stats_check(&out, &flow, &ev, id);
	assert_string_equal(out.sw_name.s, name);
	assert_string_equal(out.sw_version.s, version);
}

/*
 * Without the request log a pair carries only what the statistics read, packed over the
 * endpoints: the typical Produce pair above and an ApiVersions pair, both with the client
 * software, each in their first two lines. What it carries survives; what it does not reads as
 * none (test_kafka_obs checks that the statistics come out the same).
 */
static void
test_stats_pair(void **state)
{
	test_produce_pair(state);
	memset(&rec, STALE, sizeof(rec));
	rec.ts_ns = 1700000000123456789ull;
	rec.latency_ns = 4242;
	rec.worker = 3;
	flow = rec;
	kw_kafka_rec_pack_stats(&rec, &ev, id);
	assert_int_equal(rec.kind, KW_KAFKA_REC_STATS);
	lines_written_at_most(2);
	memset(&out, 0x3c, sizeof(out));
	kw_kafka_rec_unpack(&out, &rec);
	assert_int_equal(out.ts_ns, rec.ts_ns);
	assert_int_equal(out.latency_ns, rec.latency_ns);
	assert_int_equal(out.worker, rec.worker);
	stats_check(&out, &flow, &ev, id);
	assert_int_equal(out.ev.n_topics, 1);
	/* not carried: none */
	assert_int_equal(out.family, 0);
	for (unsigned int i = 0; i < sizeof(out.client); i++)
		assert_int_equal(out.client[i] | out.broker[i], 0);
	assert_int_equal(out.client_port | out.broker_port, 0);
	assert_int_equal(out.ev.corr_id, 0);
	assert_int_equal(out.ev.txn_id.len, 0);
	assert_int_equal(out.ev.txn_id.null, 0);
	assert_int_equal(out.ev.throttle_ms, -1);
	assert_int_equal(out.ev.producer_id, -1);
	assert_int_equal(out.ev.records.producer_id, -1);
	assert_int_equal(out.ev.n_rfields + out.ev.n_broker_ids + out.ev.n_parts, 0);
	assert_int_equal(out.mechanism.len, 0);
	/* the client software of the connection, with every pair */
	assert_string_equal(out.sw_name.s, "librdkafka");
	assert_string_equal(out.sw_version.s, "2.0.2");

	/* an ApiVersions pair carries the client software too, still in two lines */
	test_empty_pair(state);
	stats_with_software("librdkafka", "2.0.2");
	/* a connection that announced none: empty strings */
	test_produce_pair(state);
	stats_with_software("", "");
}

/*
 * A statistics pair of a Fetch or of a group member's request carries its client's address, by
 * which the statistics tie the two (consumer lag by fetch position); others do not. The worker's
 * kw_kafka_rec_pack_stats_client, given the address, packs the same bytes.
 */
static void
test_stats_pair_address(void **state)
{
	static struct kw_kafka_rec want;
	static const struct {
		int16_t api_key;
		uint8_t family;
		bool carried;
	} cases[] = {
		{KW_KAFKA_API_FETCH, 6, true},	       {KW_KAFKA_API_FETCH, 4, true},
		{KW_KAFKA_API_HEARTBEAT, 4, true},     {KW_KAFKA_API_OFFSET_COMMIT, 6, true},
		{KW_KAFKA_API_OFFSET_FETCH, 4, false}, {KW_KAFKA_API_PRODUCE, 6, false},
	};

	for (unsigned int c = 0; c < RTE_DIM(cases); c++) {
		test_produce_pair(state);
		ev.api_key = cases[c].api_key;
		memset(&rec, STALE, sizeof(rec));
		rec.family = cases[c].family;
		for (unsigned int i = 0; i < 16; i++)
			rec.client[i] = (uint8_t)(i < 4 || cases[c].family == 6 ? 0x10 + i : 0);
		flow = rec;
		kw_kafka_rec_pack_stats(&rec, &ev, id);
		/* the address can take a pair into the third line (the worker prefetches three) */
		lines_written_at_most(cases[c].carried ? 3 : 2);
		kw_kafka_rec_unpack(&out, &rec);
		stats_check(&out, &flow, &ev, id);
		assert_int_equal(out.family, cases[c].carried ? cases[c].family : 0);
		assert_int_equal(out.client[3], cases[c].carried ? 0x13 : 0);
		assert_int_equal(out.client[15],
				 cases[c].carried && cases[c].family == 6 ? 0x1f : 0);
		/* as a worker packs it: the address from the flow's key, not from r (left stale) */
		want = rec;
		memset(&rec, STALE, sizeof(rec));
		kw_kafka_rec_pack_stats_client(&rec, &ev, id,
					       cases[c].carried ? cases[c].family : 0,
					       cases[c].carried ? flow.client : NULL);
		assert_memory_equal((const uint8_t *)&rec + offsetof(struct kw_kafka_rec, client),
				    (const uint8_t *)&want + offsetof(struct kw_kafka_rec, client),
				    sizeof(rec) - offsetof(struct kw_kafka_rec, client));
	}
}

/*
 * A statistics pair of the transactions' offset commits and ends, and of InitProducerId, carries
 * the producer id, by which the statistics tie a transaction's offsets to its end; others do not.
 */
static void
test_stats_pair_producer(void **state)
{
	static const struct {
		int16_t api_key;
		bool carried;
	} cases[] = {
		{KW_KAFKA_API_TXN_OFFSET_COMMIT, true}, {KW_KAFKA_API_END_TXN, true},
		{KW_KAFKA_API_INIT_PRODUCER_ID, true},  {KW_KAFKA_API_PRODUCE, false},
		{KW_KAFKA_API_FETCH, false},
	};

	for (unsigned int c = 0; c < RTE_DIM(cases); c++) {
		test_produce_pair(state);
		ev.api_key = cases[c].api_key;
		ev.producer_id = 0x0102030405060708;
		memset(&rec, STALE, sizeof(rec));
		rec.family = 4;
		flow = rec;
		kw_kafka_rec_pack_stats(&rec, &ev, id);
		/* the id, as the address, can take a pair into the third line */
		lines_written_at_most(
			cases[c].carried || cases[c].api_key == KW_KAFKA_API_FETCH ? 3 : 2);
		kw_kafka_rec_unpack(&out, &rec);
		stats_check(&out, &flow, &ev, id);
		assert_int_equal(out.ev.producer_id, cases[c].carried ? ev.producer_id : -1);
	}
}

static void
test_full_pair(void **state)
{
	char name[KW_KAFKA_NAME_MAX];
	unsigned int i;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ev.api_name = "Fetch";
	ev.api_key = 1;
	ev.api_version = 13;
	ev.corr_id = -2;
	str_set(&ev.client_id, name, 1, 0);
	str_set(&ev.group_id, name + 1, 0, 0);
	str_set(&ev.txn_id, "t", 0, 0);
	ev.topic_count = 40;
	ev.topic_id_count = 30;
	ev.partition_count = 900;
	ev.error_count = 12;
	ev.n_topics = KW_KAFKA_EV_TOPICS;
	ev.n_topic_ids = KW_KAFKA_EV_TOPIC_IDS;
	ev.n_errors = KW_KAFKA_EV_ERRORS;
	for (i = 0; i < KW_KAFKA_EV_ERRORS; i++)
		ev.errors[i] = (int16_t)(i + 1);
	for (i = 0; i < KW_KAFKA_EV_TOPICS; i++)
		str_set(&ev.topics[i], name + i, i & 1, 0);
	for (i = 0; i < KW_KAFKA_EV_TOPIC_IDS; i++)
		memset(ev.topic_ids[i], (int)i + 1, 16);
	ev.n_offsets = KW_KAFKA_EV_OFFSETS;
	for (i = 0; i < KW_KAFKA_EV_OFFSETS; i++)
		ev.offsets[i] = (struct kw_kafka_ev_offset){
			.kind = (uint8_t)(i % 3),
			.topic = (uint8_t)(0x80 | (i % 8)),
			.group = (uint8_t)(i % 5 ? i % KW_KAFKA_EV_GROUPS : KW_KAFKA_GROUP_NONE),
			.partition = (int32_t)i,
			.offset = (int64_t)i << 40};
	ev.n_groups = KW_KAFKA_EV_GROUPS;
	ev.groups_failed = 0x96;
	for (i = 0; i < KW_KAFKA_EV_GROUPS; i++)
		str_set(&ev.groups[i], name + 3 + i, (uint8_t)(i == 2), (uint8_t)(i == 5));
	ev.n_rfields = KW_KAFKA_EV_RFIELDS;
	for (i = 0; i < KW_KAFKA_EV_RFIELDS; i++)
		ev.rfields[i] = (struct kw_kafka_ev_rfield){
			.off = (uint64_t)i << 33, .len = i * 1000, .dir = 1, .topic = (uint8_t)i,
			.partition = -1};
	ev.n_parts = KW_KAFKA_EV_PARTS;
	for (i = 0; i < KW_KAFKA_EV_PARTS; i++)
		ev.parts[i] = (struct kw_kafka_ev_part){
			.topic = (uint8_t)(i % 3 ? i : 0xff), .partition = (int32_t)(i * 7919u)};
	ev.n_broker_ids = KW_KAFKA_EV_BROKERS;
	for (i = 0; i < KW_KAFKA_EV_BROKERS; i++)
		ev.broker_ids[i] = (int32_t)(i * 1000003u);
	for (i = 0; i < KW_KAFKA_REC_ID_N; i++)
		str_set(&ids[i], name + 2 * i, 0, (uint8_t)(i == 1));
	pack();
	rec_check(&out, &rec, &ev, id);
	/* every list and name a statistics pair carries, full */
	flow = rec;
	kw_kafka_rec_pack_stats(&rec, &ev, id);
	kw_kafka_rec_unpack(&out, &rec);
	stats_check(&out, &flow, &ev, id);
}

/*
 * Names of every length from empty to the longest, in every slot: a short name is packed by
 * copying a kw_kafka_str's head whole, a longer one's rest by length, so the lengths around the
 * head's end are where a name could lose or gain a byte. Each slot's length differs from its
 * neighbours', so every name starts at a different offset.
 */
static void
test_name_lengths(void **state)
{
	char name[KW_KAFKA_NAME_MAX + 2]; /* names start at name + 0, 1 or 2 */
	unsigned int len, i;

	(void)state;
	for (i = 0; i < sizeof(name); i++)
		name[i] = (char)('a' + i % 26);
	for (len = 0; len < KW_KAFKA_NAME_MAX; len++) {
		char v[KW_KAFKA_NAME_MAX];
		unsigned int k = 0;

#define NAME(s, fl)                                                                                \
	do {                                                                                       \
		unsigned int n_ = (len + 5 * k) % KW_KAFKA_NAME_MAX;                               \
		memcpy(v, name + k % 3, n_);                                                       \
		v[n_] = '\0';                                                                      \
		str_set((s), v, (uint8_t)((fl) & 1), (uint8_t)((fl) >> 1 & 1));                    \
		k++;                                                                               \
	} while (0)
		memset(&ev, 0, sizeof(ev));
		ev.api_name = "Metadata";
		ev.api_key = 3;
		ev.api_version = 12;
		ev.corr_id = (int32_t)len;
		NAME(&ev.client_id, len);
		NAME(&ev.group_id, len >> 1);
		NAME(&ev.txn_id, len >> 2);
		ev.n_topics = KW_KAFKA_EV_TOPICS;
		for (i = 0; i < KW_KAFKA_EV_TOPICS; i++)
			NAME(&ev.topics[i], i);
		ev.n_groups = (uint8_t)(len % (KW_KAFKA_EV_GROUPS + 1));
		for (i = 0; i < ev.n_groups; i++)
			NAME(&ev.groups[i], i + 1);
		for (i = 0; i < KW_KAFKA_REC_ID_N; i++)
			NAME(&ids[i], i + len);
#undef NAME
		ev.n_broker_ids = 2;
		ev.broker_ids[0] = (int32_t)len;
		ev.broker_ids[1] = -7;
		pack();
		rec_check(&out, &rec, &ev, id);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_pair),
		cmocka_unit_test(test_produce_pair),
		cmocka_unit_test(test_full_pair),
		cmocka_unit_test(test_stats_pair),
		cmocka_unit_test(test_stats_pair_address),
		cmocka_unit_test(test_stats_pair_producer),
		cmocka_unit_test(test_name_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
