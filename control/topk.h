/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounded-memory key tables for the control thread's Kafka statistics.
 *
 * kw_bmap: a fixed-capacity map from fixed-size byte keys to entry indexes (open addressing,
 * linear probing, backward-shift deletion) with an LRU order; when full, an insert reuses the
 * least recently used entry. kw_topk: Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi,
 * ICDT 2005) over a kw_bmap and a min-heap, with a count-min sketch (Cormode, Muthukrishnan 2005)
 * behind it for keys that are not, or no longer, in the top-K.
 *
 * Called only by the control thread (the owner serialises access). Both allocate at init only;
 * add/find/insert never allocate. Each owns its arrays; keys are copied in.
 *
 * Guarantees of kw_topk for a stream of total weight N (metric 0 is the Space-Saving weight):
 *  - a tracked key's count c and error e satisfy c - e <= true <= c, and e <= N / K;
 *  - every key whose true weight exceeds N / K is tracked;
 *  - the other metrics of a tracked key are exact when e == 0 and lower bounds (the weight since
 *    the key last entered the table) otherwise;
 *  - a sketch estimate never underestimates, and exceeds the truth by more than e/W * N (W the
 *    row width) with probability at most exp(-D) (D the row count); 4 x 1024 gives 0.27 % of N
 *    with probability 98 %.
 * Windows for rates: a tracked key also counts its metrics in the current window; kw_topk_roll
 * ends it, and last[] then holds what the key added in the window that ended: exact for a key
 * tracked through all of it, a lower bound (partial) for one that took an evicted key's place
 * during it.
 */
#ifndef KW_TOPK_H
#define KW_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KW_BMAP_NONE UINT32_MAX

struct kw_bmap {
	uint32_t cap;       /* entries */
	uint32_t used;      /* entries 0 .. used - 1 are live */
	uint32_t mask;      /* index slots - 1 */
	uint32_t key_size;
	uint32_t key_stride; /* key_size rounded up to 8: each key is 8-byte aligned, as the
			      * hash's word loads want */
	uint32_t *slots;    /* entry index + 1, 0 empty */
	uint64_t *hash;     /* per entry */
	uint32_t *prev;     /* LRU list, head = most recent */
	uint32_t *next;
	uint32_t head;
	uint32_t tail;
	uint8_t *keys;      /* cap * key_stride */
};

/* Allocate a map of cap entries of key_size-byte keys; 0, -EINVAL or -ENOMEM. */
int kw_bmap_init(struct kw_bmap *m, uint32_t cap, uint32_t key_size);
void kw_bmap_fini(struct kw_bmap *m);
/* The entry of key, or KW_BMAP_NONE; touch moves it to the LRU head. */
uint32_t kw_bmap_find(struct kw_bmap *m, const void *key, bool touch);
/* Add key (not present) and return its entry; when full the LRU entry is reused (*evicted). */
uint32_t kw_bmap_insert(struct kw_bmap *m, const void *key, bool *evicted);
/*
 * The entry of key moved to the LRU head, added as kw_bmap_insert does when absent (*added,
 * *evicted): a find with touch and an insert on a miss, hashing the key once.
 */
uint32_t kw_bmap_get(struct kw_bmap *m, const void *key, bool *added, bool *evicted);
/*
 * Remove live entry idx. Entries stay dense: the last one moves into idx, and its old index is
 * returned (the caller moves whatever it keeps per entry likewise), or KW_BMAP_NONE when idx was
 * the last.
 */
uint32_t kw_bmap_remove(struct kw_bmap *m, uint32_t idx);
static inline const void *
kw_bmap_key(const struct kw_bmap *m, uint32_t idx)
{
	return m->keys + (size_t)idx * m->key_stride;
}
/* A 64-bit hash of len bytes (CRC32C, finalized). */
uint64_t kw_bmap_hash(const void *key, size_t len);

#define KW_TOPK_METRICS 6
#define KW_TOPK_KEY_MAX 64 /* zero-padded string keys */
#define KW_TOPK_CMS_ROWS 4
#define KW_TOPK_CMS_WIDTH 1024

struct kw_topk {
	uint32_t k;
	struct kw_bmap map;
	uint64_t (*v)[KW_TOPK_METRICS]; /* per entry; v[0] is the Space-Saving count */
	uint64_t *err;                  /* per entry overestimation of v[0] */
	uint32_t *heap;                 /* min-heap of entries by v[0] */
	uint32_t *hpos;                 /* entry -> heap position */
	uint64_t (*cms)[KW_TOPK_METRICS]; /* ROWS x WIDTH cells */
	uint64_t total[KW_TOPK_METRICS];
	uint64_t evictions;             /* keys pushed out of the top-K */
	uint64_t (*win)[KW_TOPK_METRICS];  /* per entry: added in the current window */
	uint64_t (*last)[KW_TOPK_METRICS]; /* per entry: added in the last window that ended */
	uint8_t *win_partial;           /* per entry: took an evicted key's place in the window */
	uint8_t *last_partial;          /* per entry: the same, for the last window */
	uint64_t (*peak)[KW_TOPK_METRICS]; /* per entry: the most added in one window that ended
					    * while it was tracked, per metric */
};

/* Allocate a top-k table; 0, -EINVAL (k == 0) or -ENOMEM. */
int kw_topk_init(struct kw_topk *t, uint32_t k);
void kw_topk_fini(struct kw_topk *t);
/* Account v (v[0] >= 1 is the weight) to the string key of len bytes (cut at KEY_MAX - 1). */
void kw_topk_add(struct kw_topk *t, const char *key, size_t len, const uint64_t *v);
/*
 * Tracked: 1, v = its metrics, *err its error, *idx its entry (idx may be NULL). Untracked: 0,
 * v = sketch estimates, *err = 0, *idx = KW_BMAP_NONE.
 */
int kw_topk_get(const struct kw_topk *t, const char *key, uint64_t *v, uint64_t *err,
		uint32_t *idx);
/*
 * End the current window and n - 1 more (n >= 1 windows went by): last[] becomes what each
 * entry added in the current window when n == 1, nothing otherwise, and peak[] keeps the
 * largest; the new window is empty.
 */
void kw_topk_roll(struct kw_topk *t, uint64_t n);
/* Up to n tracked entries into idx[], highest count first; returns how many. */
uint32_t kw_topk_sorted(const struct kw_topk *t, uint32_t *idx, uint32_t n);
static inline const char *
kw_topk_key(const struct kw_topk *t, uint32_t idx)
{
	return (const char *)kw_bmap_key(&t->map, idx);
}

#endif /* KW_TOPK_H */
