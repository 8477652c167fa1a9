/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dataplane/flow.h"
#include "dataplane/mem.h"

#ifdef RTE_ARCH_X86
#include <smmintrin.h>
#endif

_Static_assert(sizeof(struct kw_flow_bucket) == RTE_CACHE_LINE_SIZE, "a bucket is one line");

/* No slot: the key is absent. */
#define SLOT_NONE UINT32_MAX

struct kw_flow_table *
kw_flow_table_create(const char *name, uint32_t capacity, uint64_t idle_tsc, int socket)
{
	struct kw_flow_table *t;
	uint32_t n_buckets, i;

	if (capacity == 0 || capacity > UINT32_MAX / 4)
		return NULL;
	/* at most half full: probes stay short, and every one of capacity flows finds room */
	n_buckets = rte_align32pow2(RTE_MAX(capacity / (KW_FLOW_BUCKET_ENTRIES / 2), 1u));
	t = rte_zmalloc_socket(name, sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return NULL;
	t->buckets = kw_mem_table_alloc(name, sizeof(*t->buckets) * n_buckets, socket);
	if (t->buckets == NULL)
		goto err_buckets;
	t->flows = kw_mem_table_alloc(name, sizeof(struct kw_flow) * capacity, socket);
	if (t->flows == NULL)
		goto err_flows;
	t->free_slots = rte_malloc_socket(name, sizeof(uint32_t) * capacity, 0, socket);
	if (t->free_slots == NULL)
		goto err_free;
	/* slot 0 on top: flows fill the table from its start */
	for (i = 0; i < capacity; i++)
		t->free_slots[i] = capacity - 1 - i;
	t->n_free = capacity;
	t->bucket_mask = n_buckets - 1;
	t->n_slots = capacity;
	t->capacity = capacity;
	t->idle_tsc = idle_tsc;
	return t;

err_free:
	kw_mem_table_free(t->flows, sizeof(struct kw_flow) * capacity);
err_flows:
	kw_mem_table_free(t->buckets, sizeof(*t->buckets) * n_buckets);
err_buckets:
	rte_free(t);
	return NULL;
}

void
kw_flow_table_free(struct kw_flow_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->free_slots);
	kw_mem_table_free(t->flows, sizeof(struct kw_flow) * t->n_slots);
	kw_mem_table_free(t->buckets, sizeof(*t->buckets) * (t->bucket_mask + 1));
	rte_free(t);
}

/* A hash's signature: never 0, which marks an empty entry. */
static inline uint16_t
hash_sig(uint32_t h)
{
	uint16_t sig = (uint16_t)(h >> 16);

	return sig != 0 ? sig : 1;
}

/* The entries of bucket b holding signature sig: bit 2i set for entry i. */
static inline uint32_t
sig_match(const struct kw_flow_bucket *b, uint16_t sig)
{
#ifdef RTE_ARCH_X86
	__m128i v = _mm_load_si128((const __m128i *)b->sig);

	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(v, _mm_set1_epi16((short)sig))) & 0x5555;
#else
	uint32_t m = 0;
	unsigned int i;

	for (i = 0; i < KW_FLOW_BUCKET_ENTRIES; i++)
		if (b->sig[i] == sig)
			m |= 1u << (2 * i);
	return m;
#endif
}

/* Whether two keys are the same flow: all 48 bytes (the unused ones are zero by construction). */
static inline bool
key_eq(const struct kw_flow_key *a, const struct kw_flow_key *b)
{
#ifdef __SSE4_1__
	const __m128i *x = (const __m128i *)a, *y = (const __m128i *)b;
	__m128i d = _mm_or_si128(
		_mm_xor_si128(_mm_loadu_si128(x), _mm_loadu_si128(y)),
		_mm_or_si128(_mm_xor_si128(_mm_loadu_si128(x + 1), _mm_loadu_si128(y + 1)),
			     _mm_xor_si128(_mm_loadu_si128(x + 2), _mm_loadu_si128(y + 2))));

	return _mm_testz_si128(d, d) != 0;
#else
	uint64_t x[sizeof(*a) / 8], y[sizeof(*a) / 8], d = 0;

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	for (unsigned int i = 0; i < RTE_DIM(x); i++)
		d |= x[i] ^ y[i];
	return d == 0;
#endif
}

/* The slot of key in the flows of bucket b's entries m whose key matches, or SLOT_NONE. */
static inline uint32_t
bucket_find(const struct kw_flow_table *t, const struct kw_flow_bucket *b, uint32_t m,
	    const struct kw_flow_key *key)
{
	for (; m != 0; m &= m - 1) {
		uint32_t s = b->slot[rte_bsf32(m) / 2];

		if (key_eq(&t->flows[s].key, key))
			return s;
	}
	return SLOT_NONE;
}

/* The slot of key (hash h), or SLOT_NONE: the home bucket, then on while entries passed. */
static uint32_t
find(const struct kw_flow_table *t, const struct kw_flow_key *key, uint32_t h)
{
	uint32_t i = h & t->bucket_mask;
	uint16_t sig = hash_sig(h);

	for (;;) {
		const struct kw_flow_bucket *b = &t->buckets[i];
		uint32_t s = bucket_find(t, b, sig_match(b, sig), key);

		if (s != SLOT_NONE || b->passing == 0)
			return s;
		i = (i + 1) & t->bucket_mask;
	}
}

/*
 * Index slot s under hash h: the first bucket from home with an empty entry; each full bucket
 * passed counts it. There is one: the buckets hold twice the capacity.
 */
static void
index_add(struct kw_flow_table *t, uint32_t h, uint32_t s)
{
	uint32_t i = h & t->bucket_mask, m;

	while ((m = sig_match(&t->buckets[i], 0)) == 0) {
		t->buckets[i].passing++;
		i = (i + 1) & t->bucket_mask;
	}
	t->buckets[i].sig[rte_bsf32(m) / 2] = hash_sig(h);
	t->buckets[i].slot[rte_bsf32(m) / 2] = s;
}

/* Unindex slot s, indexed under hash h: its entry emptied, the buckets before it uncounted. */
static void
index_del(struct kw_flow_table *t, uint32_t h, uint32_t s)
{
	uint32_t home = h & t->bucket_mask, i = home, m;
	uint16_t sig = hash_sig(h);

	for (;;) {
		struct kw_flow_bucket *b = &t->buckets[i];

		for (m = sig_match(b, sig); m != 0; m &= m - 1)
			if (b->slot[rte_bsf32(m) / 2] == s)
				break;
		if (m != 0) {
			b->sig[rte_bsf32(m) / 2] = 0;
			break;
		}
		i = (i + 1) & t->bucket_mask;
	}
	for (; home != i; home = (home + 1) & t->bucket_mask)
		t->buckets[home].passing--;
}

/* The flow of key (hash h) after a full probe, created when absent; NULL when the table is full. */
static struct kw_flow *
flow_insert(struct kw_flow_table *t, const struct kw_flow_key *key, uint32_t h, uint64_t now,
	    struct kw_counters *ctr)
{
	struct kw_flow *f;
	uint32_t s;

	/* past the home bucket's first candidate, or created by an earlier packet of the burst */
	s = find(t, key, h);
	if (s != SLOT_NONE)
		return &t->flows[s];
	if (t->n_free == 0) {
		kw_ctr_inc(ctr, KW_CTR_FLOW_TABLE_FULL);
		return NULL;
	}
	s = t->free_slots[--t->n_free];
	index_add(t, h, s);
	f = &t->flows[s];
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
	uint32_t h = kw_flow_key_hash(key);
	uint32_t s = find(t, key, h);
	struct kw_flow *f;

	if (s != SLOT_NONE) {
		f = &t->flows[s];
		f->last_tsc = now;
	} else if (create) {
		f = flow_insert(t, key, h, now, ctr); /* stamped there */
	} else {
		return NULL;
	}
	return f;
}

/*
 * The flows of n distinct keys, created when new; returns the number of NULLs (table full).
 * In three passes, so that the loads of each overlap: hash every key and prefetch its home
 * bucket; take the slot its signature names there and prefetch that flow's key and first line;
 * compare the keys. A key that is not its home bucket's first entry of its signature probes in
 * full before it is created (one in thousands at half load).
 */
static unsigned int
lookup_keys(struct kw_flow_table *t, const struct kw_flow_key **keys, unsigned int n,
	    uint64_t now, struct kw_flow **flows, struct kw_counters *ctr)
{
	uint32_t h[KW_FLOW_LOOKUP_MAX], slot[KW_FLOW_LOOKUP_MAX];
	unsigned int i, n_full = 0;

	for (i = 0; i < n; i++) {
		h[i] = kw_flow_key_hash(keys[i]);
		rte_prefetch0(&t->buckets[h[i] & t->bucket_mask]);
	}
	for (i = 0; i < n; i++) {
		const struct kw_flow_bucket *b = &t->buckets[h[i] & t->bucket_mask];
		uint32_t m = sig_match(b, hash_sig(h[i]));

		slot[i] = m != 0 ? b->slot[rte_bsf32(m) / 2] : SLOT_NONE;
		if (m != 0) {
			rte_prefetch0(&t->flows[slot[i]].key);
			rte_prefetch0(&t->flows[slot[i]]);
		}
	}
	for (i = 0; i < n; i++) {
		struct kw_flow *f;

		if (slot[i] != SLOT_NONE && key_eq(&t->flows[slot[i]].key, keys[i]))
			f = &t->flows[slot[i]];
		else
			f = flow_insert(t, keys[i], h[i], now, ctr); /* probes on first */
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
	const struct kw_flow_key *uniq[KW_FLOW_LOOKUP_MAX];
	struct kw_flow *found[KW_FLOW_LOOKUP_MAX];
	uint8_t of[KW_FLOW_LOOKUP_MAX]; /* keys[i] is uniq[of[i]] */
	unsigned int i, n_uniq, n_full = 0;

	RTE_ASSERT(n <= KW_FLOW_LOOKUP_MAX);
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
	index_del(t, kw_flow_key_hash(&f->key), (uint32_t)(f - t->flows));
	f->in_use = 0;
	t->free_slots[t->n_free++] = (uint32_t)(f - t->flows);
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
_Static_assert(offsetof(struct kw_flow, key) == 3 * RTE_CACHE_LINE_SIZE,
	       "a lookup reads the key on a line of its own");
