/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the per-worker flow table (dataplane/flow.c): one flow for both directions,
 * duplicates of a new key within one bulk lookup, a full table, idle aging by an incremental
 * sweep with small budgets, the walk, and keys that overflow their home bucket. Keys come from
 * real frames through kw_pkt_parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "dataplane/counters.h"
#include "dataplane/flow.h"
#include "dataplane/pkt.h"
#include "kw_test_eal.h"

#define CAPACITY 100
#define IDLE 1000
#define MAX_KEYS 256

static struct kw_flow_key keys[MAX_KEYS];

/* The flow key of an IPv4/TCP frame 10.0.a.b:sport -> 10.1.c.d:dport, through the parser. */
static struct kw_flow_key
key_of(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t *dir)
{
	uint8_t f[54] = {0};
	struct kw_pkt_info pi;
	struct kw_counters ctr;
	unsigned int i;

	memset(&ctr, 0, sizeof(ctr));
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 40; /* IP total length */
	f[23] = IPPROTO_TCP;
	for (i = 0; i < 4; i++) {
		f[26 + i] = (uint8_t)(src >> (24 - 8 * i));
		f[30 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	f[46] = 0x50; /* data offset 5 */
	assert_true(kw_pkt_parse(f, sizeof(f), sizeof(f), &pi, &ctr));
	if (dir != NULL)
		*dir = pi.dir;
	return pi.key;
}

/* Distinct client flows to one broker, as the forward direction of each. */
static void
keys_make(void)
{
	unsigned int i;

	for (i = 0; i < MAX_KEYS; i++)
		keys[i] = key_of(0x0a000000 + i, 0x0a010001, (uint16_t)(30000 + i), 9092, NULL);
}

/* Look keys[from..from+n) up in bulks of at most 64; returns the NULL count. */
static unsigned int
lookup_range(struct kw_flow_table *t, unsigned int from, unsigned int n, uint64_t now,
	     struct kw_flow **flows, struct kw_counters *ctr)
{
	const struct kw_flow_key *kp[64];
	unsigned int done = 0, n_null = 0, i, b;

	while (done < n) {
		b = RTE_MIN(n - done, 64u);
		for (i = 0; i < b; i++)
			kp[i] = &keys[from + done + i];
		n_null += kw_flow_lookup_bulk(t, kp, b, now, flows + done, ctr);
		done += b;
	}
	return n_null;
}

struct walk_state {
	unsigned int n;
	uint8_t seen[MAX_KEYS];
	uint64_t last_tsc_min;
};

static void
walk_fn(const struct kw_flow *f, void *arg)
{
	struct walk_state *ws = arg;
	unsigned int i;

	ws->n++;
	for (i = 0; i < MAX_KEYS; i++) {
		if (memcmp(&keys[i], &f->key, sizeof(f->key)) == 0) {
			ws->seen[i]++;
			break;
		}
	}
	if (f->last_tsc < ws->last_tsc_min)
		ws->last_tsc_min = f->last_tsc;
}

static void
walk_collect(const struct kw_flow_table *t, struct walk_state *ws)
{
	memset(ws, 0, sizeof(*ws));
	ws->last_tsc_min = UINT64_MAX;
	kw_flow_table_walk(t, walk_fn, ws);
}

/* Age with a small budget until the sweep has covered every slot once; returns removed. */
static unsigned int
age_full_pass(struct kw_flow_table *t, uint64_t now, struct kw_counters *ctr)
{
	const unsigned int budget = 7;
	unsigned int removed = 0, examined;

	for (examined = 0; examined < t->n_slots; examined += budget)
		removed += kw_flow_table_age(t, now, budget, ctr);
	return removed;
}

static void
test_both_directions_one_flow(void **state)
{
	struct kw_flow_table *t = kw_flow_table_create("tf_dir", CAPACITY, IDLE, SOCKET_ID_ANY);
	struct kw_flow_key fwd, rev;
	const struct kw_flow_key *kp[2];
	struct kw_flow *flows[2];
	struct kw_counters ctr;
	uint8_t dfwd, drev;

	(void)state;
	assert_non_null(t);
	memset(&ctr, 0, sizeof(ctr));
	fwd = key_of(0x0a000005, 0x0a010001, 40001, 9092, &dfwd);
	rev = key_of(0x0a010001, 0x0a000005, 9092, 40001, &drev);
	assert_int_not_equal(dfwd, drev);
	kp[0] = &fwd;
	kp[1] = &rev;
	assert_int_equal(kw_flow_lookup_bulk(t, kp, 2, 10, flows, &ctr), 0);
	assert_non_null(flows[0]);
	assert_ptr_equal(flows[0], flows[1]);
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], 1);
	assert_int_equal(t->count, 1);
	assert_memory_equal(&flows[0]->key, &fwd, sizeof(fwd));
	assert_int_equal(flows[0]->first_tsc, 10);
	assert_int_equal(flows[0]->last_tsc, 10);

	/* the reverse alone, later, finds the same flow; stamping it is the caller's (worker.c) */
	assert_int_equal(kw_flow_lookup_bulk(t, &kp[1], 1, 20, flows + 1, &ctr), 0);
	assert_ptr_equal(flows[1], flows[0]);
	assert_int_equal(flows[0]->first_tsc, 10);
	assert_int_equal(flows[0]->last_tsc, 10);
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], 1);
	kw_flow_table_free(t);
}

static void
test_bulk_duplicates(void **state)
{
	struct kw_flow_table *t = kw_flow_table_create("tf_dup", CAPACITY, IDLE, SOCKET_ID_ANY);
	struct kw_flow_key copy = keys[3];
	const struct kw_flow_key *kp[6] = {&keys[3], &keys[3], &copy, &keys[4], &copy, &keys[4]};
	struct kw_flow *flows[6];
	struct kw_counters ctr, want;

	(void)state;
	assert_non_null(t);
	memset(&ctr, 0, sizeof(ctr));
	assert_int_equal(kw_flow_lookup_bulk(t, kp, 6, 1, flows, &ctr), 0);
	assert_non_null(flows[0]);
	assert_non_null(flows[3]);
	assert_ptr_not_equal(flows[0], flows[3]);
	assert_ptr_equal(flows[1], flows[0]);
	assert_ptr_equal(flows[2], flows[0]);
	assert_ptr_equal(flows[4], flows[0]);
	assert_ptr_equal(flows[5], flows[3]);
	assert_int_equal(t->count, 2);
	memset(&want, 0, sizeof(want));
	want.v[KW_CTR_FLOW_CREATED] = 2;
	assert_memory_equal(&ctr, &want, sizeof(want));

	/* distinct keys before the first run each keep their own flow */
	const struct kw_flow_key *kq[5] = {&keys[5], &keys[6], &keys[7], &keys[7], &keys[5]};
	assert_int_equal(kw_flow_lookup_bulk(t, kq, 5, 2, flows, &ctr), 0);
	for (unsigned int i = 0; i < 3; i++)
		assert_memory_equal(&flows[i]->key, kq[i], sizeof(*kq[i]));
	assert_ptr_equal(flows[3], flows[2]);
	assert_ptr_equal(flows[4], flows[0]);
	assert_int_equal(t->count, 5);
	kw_flow_table_free(t);
}

/* Adjacent keys that differ in one field only are two flows: a run is equal keys, nothing less. */
static void
test_bulk_runs_differ(void **state)
{
	struct kw_flow_table *t = kw_flow_table_create("tf_run", CAPACITY, IDLE, SOCKET_ID_ANY);
	struct kw_flow_key k[5];
	const struct kw_flow_key *kp[5];
	struct kw_flow *flows[5];
	struct kw_counters ctr;
	unsigned int i, j;

	(void)state;
	assert_non_null(t);
	memset(&ctr, 0, sizeof(ctr));
	k[0] = key_of(0x0a000005, 0x0a010001, 40001, 9092, NULL);
	k[1] = key_of(0x0a000005, 0x0a010001, 40001, 9093, NULL); /* broker port */
	k[2] = key_of(0x0a000005, 0x0a010002, 40001, 9093, NULL); /* broker address */
	k[3] = k[2];
	k[3].proto = IPPROTO_UDP;
	k[4] = k[3];
	k[4].zero[9] = 1; /* never made by the parser, but a different key all the same */
	for (i = 0; i < 5; i++)
		kp[i] = &k[i];
	assert_int_equal(kw_flow_lookup_bulk(t, kp, 5, 1, flows, &ctr), 0);
	for (i = 0; i < 5; i++) {
		assert_non_null(flows[i]);
		assert_memory_equal(&flows[i]->key, &k[i], sizeof(k[i]));
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(flows[i], flows[j]);
	}
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], 5);
	kw_flow_table_free(t);
}

static void
test_full_table(void **state)
{
	struct kw_flow_table *t = kw_flow_table_create("tf_full", CAPACITY, IDLE, SOCKET_ID_ANY);
	struct kw_flow *flows[CAPACITY + 1], *again[CAPACITY];
	struct kw_counters ctr, want;
	unsigned int i;

	(void)state;
	assert_non_null(t);
	memset(&ctr, 0, sizeof(ctr));
	assert_int_equal(lookup_range(t, 0, CAPACITY, 5, flows, &ctr), 0);
	assert_int_equal(t->count, CAPACITY);
	for (i = 0; i < CAPACITY; i++)
		assert_non_null(flows[i]);

	/* one new key too many, in a bulk with known ones around it */
	assert_int_equal(lookup_range(t, CAPACITY - 1, 2, 6, flows, &ctr), 1);
	assert_non_null(flows[0]);
	assert_null(flows[1]);
	memset(&want, 0, sizeof(want));
	want.v[KW_CTR_FLOW_CREATED] = CAPACITY;
	want.v[KW_CTR_FLOW_TABLE_FULL] = 1;
	assert_memory_equal(&ctr, &want, sizeof(want));

	/* a run of one new key's packets: each is refused and counted, as one lookup each */
	{
		const struct kw_flow_key *run[4] = {&keys[CAPACITY], &keys[CAPACITY], &keys[0],
						    &keys[CAPACITY]};

		assert_int_equal(kw_flow_lookup_bulk(t, run, 4, 6, flows, &ctr), 3);
		assert_null(flows[0]);
		assert_null(flows[1]);
		assert_non_null(flows[2]);
		assert_null(flows[3]);
		want.v[KW_CTR_FLOW_TABLE_FULL] += 3;
		assert_memory_equal(&ctr, &want, sizeof(want));
	}

	/* every old key still resolves to its own flow */
	assert_int_equal(lookup_range(t, 0, CAPACITY, 7, again, &ctr), 0);
	for (i = 0; i < CAPACITY; i++) {
		assert_non_null(again[i]);
		assert_memory_equal(&again[i]->key, &keys[i], sizeof(keys[i]));
	}
	assert_memory_equal(&ctr, &want, sizeof(want));
	assert_int_equal(t->count, CAPACITY);
	kw_flow_table_free(t);
}

static void
test_aging_and_walk(void **state)
{
	struct kw_flow_table *t = kw_flow_table_create("tf_age", CAPACITY, IDLE, SOCKET_ID_ANY);
	struct kw_flow *flows[CAPACITY + 1];
	struct kw_counters ctr;
	struct walk_state ws;
	const uint64_t t0 = 1000, t1 = 5000;
	const unsigned int n_old = 60;
	unsigned int i;

	(void)state;
	assert_non_null(t);
	memset(&ctr, 0, sizeof(ctr));
	assert_int_equal(lookup_range(t, 0, n_old, t0, flows, &ctr), 0);
	assert_int_equal(lookup_range(t, n_old, CAPACITY - n_old, t1, flows, &ctr), 0);
	walk_collect(t, &ws);
	assert_int_equal(ws.n, CAPACITY);
	for (i = 0; i < CAPACITY; i++)
		assert_int_equal(ws.seen[i], 1);

	/* one tick before the t1 flows go idle: only the t0 ones are removed */
	assert_int_equal(age_full_pass(t, t1 + IDLE - 1, &ctr), n_old);
	assert_int_equal(ctr.v[KW_CTR_FLOW_EXPIRED], n_old);
	assert_int_equal(t->count, CAPACITY - n_old);
	walk_collect(t, &ws);
	assert_int_equal(ws.n, CAPACITY - n_old);
	assert_int_equal(ws.last_tsc_min, t1);
	for (i = 0; i < CAPACITY; i++)
		assert_int_equal(ws.seen[i], i >= n_old);
	/* a second pass at the same time finds nothing more */
	assert_int_equal(age_full_pass(t, t1 + IDLE - 1, &ctr), 0);

	/* the freed room takes exactly n_old new flows, then the table is full again */
	assert_int_equal(lookup_range(t, CAPACITY, n_old, t1 + 10, flows, &ctr), 0);
	assert_int_equal(t->count, CAPACITY);
	assert_int_equal(lookup_range(t, CAPACITY + n_old, 1, t1 + 10, flows, &ctr), 1);
	assert_int_equal(ctr.v[KW_CTR_FLOW_TABLE_FULL], 1);
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], CAPACITY + n_old);

	/* an expired key comes back as a new flow */
	assert_int_equal(age_full_pass(t, t1 + IDLE, &ctr), CAPACITY - n_old);
	assert_int_equal(lookup_range(t, 0, 1, t1 + 20, flows, &ctr), 0);
	assert_int_equal(flows[0]->first_tsc, t1 + 20);
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], CAPACITY + n_old + 1);

	/* everything ages out; the walk then visits nothing */
	assert_int_equal(age_full_pass(t, UINT64_C(1) << 40, &ctr), n_old + 1);
	assert_int_equal(t->count, 0);
	assert_int_equal(ctr.v[KW_CTR_FLOW_EXPIRED], CAPACITY + n_old + 1);
	walk_collect(t, &ws);
	assert_int_equal(ws.n, 0);
	kw_flow_table_free(t);
}

/* Look n keys up one bulk at a time (n <= 64) at now; returns the NULL count. */
static unsigned int
lookup_keys(struct kw_flow_table *t, const struct kw_flow_key *k, unsigned int n, uint64_t now,
	    struct kw_flow **flows, struct kw_counters *ctr)
{
	const struct kw_flow_key *kp[64];
	unsigned int i;

	for (i = 0; i < n; i++)
		kp[i] = &k[i];
	return kw_flow_lookup_bulk(t, kp, n, now, flows, ctr);
}

/* The passing counts of buckets 3, 4, 5 and 6 of t. */
static void
assert_passing(const struct kw_flow_table *t, uint32_t b3, uint32_t b4, uint32_t b5, uint32_t b6)
{
	assert_int_equal(t->buckets[3].passing, b3);
	assert_int_equal(t->buckets[4].passing, b4);
	assert_int_equal(t->buckets[5].passing, b5);
	assert_int_equal(t->buckets[6].passing, b6);
}

/*
 * Keys that share a home bucket overflow into the next ones: 20 homed in bucket 3 of 8 and 6 in
 * bucket 4 fill buckets 3-5 and part of 6. Every key still finds its own flow, also after the
 * flows before it in the chain are removed, and the buckets count what passed them: exactly,
 * and back to zero once the table is empty.
 */
static void
test_probe_chains(void **state)
{
	struct kw_flow_table *t = kw_flow_table_create("tf_chain", 32, IDLE, SOCKET_ID_ANY);
	struct kw_flow_key chain[20], other[6];
	struct kw_flow *cf[20], *of[6], *again[20];
	struct kw_counters ctr;
	unsigned int n_chain = 0, n_other = 0, i;

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->bucket_mask, 7);
	memset(&ctr, 0, sizeof(ctr));
	for (i = 0; i < 100000 && (n_chain < 20 || n_other < 6); i++) {
		struct kw_flow_key k = key_of(0x0b000000 + i, 0x0a010001, 40000, 9092, NULL);
		uint32_t home = kw_flow_key_hash(&k) & t->bucket_mask;

		if (home == 3 && n_chain < 20)
			chain[n_chain++] = k;
		else if (home == 4 && n_other < 6)
			other[n_other++] = k;
	}
	assert_int_equal(n_chain, 20);
	assert_int_equal(n_other, 6);

	/* 8 in bucket 3, 2 passing it into 4; the others fill 4; 10 more pass 3 and 4 into 5-6 */
	assert_int_equal(lookup_keys(t, chain, 10, 1, cf, &ctr), 0);
	assert_passing(t, 2, 0, 0, 0);
	assert_int_equal(lookup_keys(t, other, 6, 1, of, &ctr), 0);
	assert_int_equal(lookup_keys(t, chain + 10, 10, 5, cf + 10, &ctr), 0);
	assert_passing(t, 12, 10, 2, 0);
	assert_int_equal(t->count, 26);
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], 26);
	for (i = 0; i < 20; i++)
		assert_memory_equal(&cf[i]->key, &chain[i], sizeof(chain[i]));
	assert_int_equal(lookup_keys(t, chain, 20, 6, again, &ctr), 0);
	assert_memory_equal(again, cf, sizeof(cf));
	assert_ptr_equal(kw_flow_lookup(t, &chain[19], 6, false, &ctr), cf[19]);

	/* the flows created at 1 expire: the rest of the chain is still found, in place */
	assert_int_equal(age_full_pass(t, 1 + IDLE - 1, &ctr), 0);
	assert_int_equal(age_full_pass(t, 5 + IDLE - 1, &ctr), 16);
	assert_passing(t, 10, 10, 2, 0);
	assert_int_equal(lookup_keys(t, chain + 10, 10, 7, again, &ctr), 0);
	assert_memory_equal(again, cf + 10, 10 * sizeof(cf[0]));
	assert_null(kw_flow_lookup(t, &chain[0], 7, false, &ctr));
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], 26);

	/* new again, the first ten take the room they left */
	assert_int_equal(lookup_keys(t, chain, 10, 7, cf, &ctr), 0);
	assert_passing(t, 12, 10, 2, 0);
	assert_int_equal(ctr.v[KW_CTR_FLOW_CREATED], 36);

	/* empty: nothing passes anything, every entry is free */
	assert_int_equal(age_full_pass(t, UINT64_C(1) << 40, &ctr), 20);
	assert_int_equal(t->count, 0);
	for (i = 0; i <= t->bucket_mask; i++) {
		assert_int_equal(t->buckets[i].passing, 0);
		for (unsigned int e = 0; e < KW_FLOW_BUCKET_ENTRIES; e++)
			assert_int_equal(t->buckets[i].sig[e], 0);
	}
	kw_flow_table_free(t);
}

static int
group_setup(void **state)
{
	(void)state;
	if (kw_test_eal_init() != 0)
		return -1;
	keys_make();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return rte_eal_cleanup();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions_one_flow),
		cmocka_unit_test(test_bulk_duplicates),
		cmocka_unit_test(test_bulk_runs_differ),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_aging_and_walk),
		cmocka_unit_test(test_probe_chains),
	};

	return cmocka_run_group_tests_name("flow", tests, group_setup, group_teardown);
}
