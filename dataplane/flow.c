/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dataplane/flow.h"
#include "dataplane/mem.h"

/* rte_hash has a vector compare for 48-byte keys; any other length falls back to memcmp */
_Static_assert(sizeof(struct kw_flow_key) == 48, "flow key must stay 48 bytes");

struct kw_flow_table *
kw_flow_table_create(const char *name, uint32_t capacity, uint64_t idle_tsc, int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = capacity,
		.key_len = sizeof(struct kw_flow_key),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		/* single writer (the owning worker); no RW concurrency, no lcore cache */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct kw_flow_table *t;

	/* rte_hash rounds tiny tables up and wants at least 8 entries */
	if (capacity < 8)
		hp.entries = 8;
	t = rte_zmalloc_socket(name, sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return NULL;
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto err_hash;
	t->n_slots = (uint32_t)rte_hash_max_key_id(t->hash) + 1;
	t->flows = kw_mem_table_alloc(name, sizeof(struct kw_flow) * t->n_slots, socket);
	if (t->flows == NULL)
		goto err_flows;
	t->capacity = capacity;
	t->idle_tsc = idle_tsc;
	return t;

err_flows:
	rte_hash_free(t->hash);
err_hash:
	rte_free(t);
	return NULL;
}

void
kw_flow_table_free(struct kw_flow_table *t)
{
	if (t == NULL)
		return;
	kw_mem_table_free(t->flows, sizeof(struct kw_flow) * t->n_slots);
	rte_hash_free(t->hash);
	rte_free(t);
}

/* Insert a key the bulk lookup missed; NULL when the table is full. */
static struct kw_flow *
flow_insert(struct kw_flow_table *t, const struct kw_flow_key *key, uint64_t now,
	    struct kw_counters *ctr)
{
	struct kw_flow *f;
	int32_t pos;

	/* an earlier packet of this burst may have created it already */
	pos = rte_hash_lookup(t->hash, key);
	if (pos >= 0)
		return &t->flows[pos];
	if (t->count >= t->capacity) {
		kw_ctr_inc(ctr, KW_CTR_FLOW_TABLE_FULL);
		return NULL;
	}
	pos = rte_hash_add_key(t->hash, key);
	if (unlikely(pos < 0)) {
		kw_ctr_inc(ctr, KW_CTR_FLOW_TABLE_FULL);
		return NULL;
	}
	f = &t->flows[pos];
	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->first_tsc = now;
	f->last_tsc = now;
	f->in_use = 1;
	t->count++;
	kw_ctr_inc(ctr, KW_CTR_FLOW_CREATED);
	return f;
}

struct kw_flow *
kw_flow_lookup(struct kw_flow_table *t, const struct kw_flow_key *key, uint64_t now, bool create,
	       struct kw_counters *ctr)
{
	int32_t pos = rte_hash_lookup(t->hash, key);
	struct kw_flow *f;

	if (pos >= 0) {
		f = &t->flows[pos];
		f->last_tsc = now;
	} else if (create) {
		f = flow_insert(t, key, now, ctr); /* stamped there */
	} else {
		return NULL;
	}
	return f;
}

/*
 * Whether two keys are the same flow: all 48 bytes (the unused ones are zero by construction).
 * The word with the ports first: two flows seldom share it, so a burst without runs costs one
 * compare a packet.
 */
static inline bool
key_eq(const struct kw_flow_key *a, const struct kw_flow_key *b)
{
	uint64_t x[sizeof(*a) / 8], y[sizeof(*a) / 8], d = 0;
	const unsigned int ports = offsetof(struct kw_flow_key, port_lo) / 8;

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	if (x[ports] != y[ports])
		return false;
	for (unsigned int i = 0; i < RTE_DIM(x); i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* The flows of n distinct keys, created when new; returns the number of NULLs (table full). */
static unsigned int
lookup_keys(struct kw_flow_table *t, const struct kw_flow_key **keys, unsigned int n,
	    uint64_t now, struct kw_flow **flows, struct kw_counters *ctr)
{
	int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int i, n_full = 0;

	rte_hash_lookup_bulk(t->hash, (const void **)keys, n, pos);
	/* with many flows the entries miss the cache: start every load before the first use */
	for (i = 0; i < n; i++)
		if (pos[i] >= 0)
			rte_prefetch0(&t->flows[pos[i]]);
	for (i = 0; i < n; i++) {
		struct kw_flow *f = pos[i] >= 0 ? &t->flows[pos[i]] :
						  flow_insert(t, keys[i], now, ctr);

		flows[i] = f;
		if (f == NULL)
			n_full++;
	}
	return n_full;
}

/*
 * Packets of one flow often come in runs (the segments of one message, a request and its
 * answer): a key equal to the one before it takes that packet's flow instead of a hash lookup.
 * The outcome is what a lookup of each key would give; a run whose flow could not be created
 * counts flow_table_full once per packet, as the lookups did. A burst without runs is looked up
 * as it is.
 */
unsigned int
kw_flow_lookup_bulk(struct kw_flow_table *t, const struct kw_flow_key **keys, unsigned int n,
		    uint64_t now, struct kw_flow **flows, struct kw_counters *ctr)
{
	const struct kw_flow_key *uniq[RTE_HASH_LOOKUP_BULK_MAX];
	struct kw_flow *found[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t of[RTE_HASH_LOOKUP_BULK_MAX]; /* keys[i] is uniq[of[i]] */
	unsigned int i, n_uniq, n_full = 0;

	RTE_ASSERT(n <= RTE_HASH_LOOKUP_BULK_MAX);
	for (i = 1; i < n && !key_eq(keys[i], keys[i - 1]); i++)
		;
	if (i >= n)
		return n == 0 ? 0 : lookup_keys(t, keys, n, now, flows, ctr);
	/* keys[0 .. i) differ each from the one before: each starts a run, compared once */
	for (n_uniq = 0; n_uniq < i; n_uniq++) {
		uniq[n_uniq] = keys[n_uniq];
		of[n_uniq] = (uint8_t)n_uniq;
	}
	/* against the key before (equal to its run's first): no chain through n_uniq */
	for (; i < n; i++) {
		if (!key_eq(keys[i], keys[i - 1]))
			uniq[n_uniq++] = keys[i];
		of[i] = (uint8_t)(n_uniq - 1);
	}
	lookup_keys(t, uniq, n_uniq, now, found, ctr);
	for (i = 0; i < n; i++) {
		flows[i] = found[of[i]];
		if (flows[i] != NULL)
			continue;
		n_full++;
		if (i > 0 && of[i] == of[i - 1])
			kw_ctr_inc(ctr, KW_CTR_FLOW_TABLE_FULL);
	}
	return n_full;
}

static void
flow_remove(struct kw_flow_table *t, struct kw_flow *f)
{
	if (t->release != NULL)
		t->release(t->release_arg, f);
	rte_hash_del_key(t->hash, &f->key);
	f->in_use = 0;
	t->count--;
}

unsigned int
kw_flow_table_age(struct kw_flow_table *t, uint64_t now, unsigned int budget,
		  struct kw_counters *ctr)
{
	unsigned int removed = 0;

	if (t->count == 0)
		return 0;
	while (budget-- > 0) {
		struct kw_flow *f = &t->flows[t->age_cursor];

		if (++t->age_cursor == t->n_slots)
			t->age_cursor = 0;
		if (!f->in_use || now - f->last_tsc < t->idle_tsc)
			continue;
		flow_remove(t, f);
		removed++;
	}
	kw_ctr_add(ctr, KW_CTR_FLOW_EXPIRED, removed);
	return removed;
}

unsigned int
kw_flow_table_flush(struct kw_flow_table *t, unsigned int budget)
{
	unsigned int removed = 0;
	uint32_t i;

	for (i = 0; i < t->n_slots && removed < budget; i++)
		if (t->flows[i].in_use) {
			flow_remove(t, &t->flows[i]);
			removed++;
		}
	return removed;
}

void
kw_flow_table_walk(const struct kw_flow_table *t, void (*fn)(const struct kw_flow *f, void *arg),
		   void *arg)
{
	uint32_t i;

	for (i = 0; i < t->n_slots; i++)
		if (t->flows[i].in_use)
			fn(&t->flows[i], arg);
}

_Static_assert(sizeof(struct kw_flow) == 4 * RTE_CACHE_LINE_SIZE, "a flow is four cache lines");
_Static_assert(offsetof(struct kw_flow, tcp) == RTE_CACHE_LINE_SIZE,
	       "a segment reads the flow's first two lines");
