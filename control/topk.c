/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Space-Saving top-K with a count-min sketch, over a bounded LRU hash map. See topk.h for the
 * guarantees. Nothing here allocates after init.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "control/topk.h"

/*
 * CRC32C of the key (8 bytes per instruction; FNV-1a's byte-serial multiplies took 60% of the
 * control thread on the 10k-connection replay), spread to 64 bits by MurmurHash3's finalizer:
 * its two halves index the slots and derive the sketch rows. Keys whose CRCs differ land on
 * unrelated rows; keys with equal CRCs (odds 2^-32 a pair) share every row.
 */
uint64_t
kw_bmap_hash(const void *key, size_t len)
{
	uint64_t h = rte_hash_crc(key, (uint32_t)len, 0xffffffffu);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

int
kw_bmap_init(struct kw_bmap *m, uint32_t cap, uint32_t key_size)
{
	uint32_t nslots = 2;

	memset(m, 0, sizeof(*m));
	if (cap == 0 || key_size == 0 || key_size > (1u << 16) || cap > (1u << 28))
		return -EINVAL;
	/* load factor <= 1/2 keeps linear probes short */
	while (nslots < 2 * cap)
		nslots <<= 1;
	m->cap = cap;
	m->key_size = key_size;
	m->key_stride = (key_size + 7) & ~7u;
	m->mask = nslots - 1;
	m->head = m->tail = KW_BMAP_NONE;
	m->slots = calloc(nslots, sizeof(*m->slots));
	m->hash = calloc(cap, sizeof(*m->hash));
	m->prev = calloc(cap, sizeof(*m->prev));
	m->next = calloc(cap, sizeof(*m->next));
	m->keys = calloc(cap, m->key_stride);
	if (m->slots == NULL || m->hash == NULL || m->prev == NULL || m->next == NULL ||
	    m->keys == NULL) {
		kw_bmap_fini(m);
		return -ENOMEM;
	}
	return 0;
}

void
kw_bmap_fini(struct kw_bmap *m)
{
	free(m->slots);
	free(m->hash);
	free(m->prev);
	free(m->next);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}

static void
lru_unlink(struct kw_bmap *m, uint32_t i)
{
	if (m->prev[i] != KW_BMAP_NONE)
		m->next[m->prev[i]] = m->next[i];
	else
		m->head = m->next[i];
	if (m->next[i] != KW_BMAP_NONE)
		m->prev[m->next[i]] = m->prev[i];
	else
		m->tail = m->prev[i];
}

static void
lru_push_head(struct kw_bmap *m, uint32_t i)
{
	m->prev[i] = KW_BMAP_NONE;
	m->next[i] = m->head;
	if (m->head != KW_BMAP_NONE)
		m->prev[m->head] = i;
	m->head = i;
	if (m->tail == KW_BMAP_NONE)
		m->tail = i;
}

/* Slot holding entry idx; the entry must be indexed. */
static uint32_t
slot_of(const struct kw_bmap *m, uint32_t idx)
{
	uint32_t s = (uint32_t)m->hash[idx] & m->mask;

	while (m->slots[s] != idx + 1)
		s = (s + 1) & m->mask;
	return s;
}

/* Backward-shift deletion: later members of the probe run move up so no tombstone is needed. */
static void
index_del(struct kw_bmap *m, uint32_t idx)
{
	uint32_t i = slot_of(m, idx), j = i, home;

	for (;;) {
		j = (j + 1) & m->mask;
		if (m->slots[j] == 0)
			break;
		home = (uint32_t)m->hash[m->slots[j] - 1] & m->mask;
		/* move j into the hole at i unless its home lies cyclically in (i, j] */
		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i] = 0;
}

static void
index_add(struct kw_bmap *m, uint32_t idx, const void *key, uint64_t h)
{
	uint32_t s;

	memcpy(m->keys + (size_t)idx * m->key_stride, key, m->key_size);
	m->hash[idx] = h;
	s = (uint32_t)m->hash[idx] & m->mask;
	while (m->slots[s] != 0)
		s = (s + 1) & m->mask;
	m->slots[s] = idx + 1;
}

/* kw_bmap_find with the key's kw_bmap_hash() already computed (h). */
static uint32_t
kw_bmap_find_h(struct kw_bmap *m, const void *key, uint64_t h, bool touch)
{
	uint32_t s = (uint32_t)h & m->mask, idx;

	while (m->slots[s] != 0) {
		idx = m->slots[s] - 1;
		if (m->hash[idx] == h && memcmp(kw_bmap_key(m, idx), key, m->key_size) == 0) {
			if (touch && m->head != idx) {
				lru_unlink(m, idx);
				lru_push_head(m, idx);
			}
			return idx;
		}
		s = (s + 1) & m->mask;
	}
	return KW_BMAP_NONE;
}

uint32_t
kw_bmap_find(struct kw_bmap *m, const void *key, bool touch)
{
	return kw_bmap_find_h(m, key, kw_bmap_hash(key, m->key_size), touch);
}

/* kw_bmap_insert with the key's kw_bmap_hash() already computed (h). */
static uint32_t
kw_bmap_insert_h(struct kw_bmap *m, const void *key, uint64_t h, bool *evicted)
{
	uint32_t idx;

	*evicted = false;
	if (m->used < m->cap) {
		idx = m->used++;
	} else {
		idx = m->tail;
		index_del(m, idx);
		lru_unlink(m, idx);
		*evicted = true;
	}
	index_add(m, idx, key, h);
	lru_push_head(m, idx);
	return idx;
}

uint32_t
kw_bmap_insert(struct kw_bmap *m, const void *key, bool *evicted)
{
	return kw_bmap_insert_h(m, key, kw_bmap_hash(key, m->key_size), evicted);
}

uint32_t
kw_bmap_get(struct kw_bmap *m, const void *key, bool *added, bool *evicted)
{
	uint64_t h = kw_bmap_hash(key, m->key_size);
	uint32_t idx = kw_bmap_find_h(m, key, h, true);

	*added = idx == KW_BMAP_NONE;
	if (!*added) {
		*evicted = false;
		return idx;
	}
	return kw_bmap_insert_h(m, key, h, evicted);
}

uint32_t
kw_bmap_remove(struct kw_bmap *m, uint32_t idx)
{
	uint32_t last = m->used - 1, p, n;

	index_del(m, idx);
	lru_unlink(m, idx);
	m->used--;
	if (idx == last)
		return KW_BMAP_NONE;
	/* the last entry fills the hole: its slot, key, hash and LRU place */
	m->slots[slot_of(m, last)] = idx + 1;
	m->hash[idx] = m->hash[last];
	memcpy(m->keys + (size_t)idx * m->key_stride, kw_bmap_key(m, last), m->key_size);
	p = m->prev[last];
	n = m->next[last];
	m->prev[idx] = p;
	m->next[idx] = n;
	if (p != KW_BMAP_NONE)
		m->next[p] = idx;
	else
		m->head = idx;
	if (n != KW_BMAP_NONE)
		m->prev[n] = idx;
	else
		m->tail = idx;
	return last;
}

/* Give live entry idx a new key (not present) of hash h, keeping its LRU place. */
static void
kw_bmap_rekey_h(struct kw_bmap *m, uint32_t idx, const void *key, uint64_t h)
{
	index_del(m, idx);
	index_add(m, idx, key, h);
}

int
kw_topk_init(struct kw_topk *t, uint32_t k)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if (k == 0)
		return -EINVAL;
	rc = kw_bmap_init(&t->map, k, KW_TOPK_KEY_MAX);
	if (rc != 0)
		return rc;
	t->k = k;
	t->v = calloc(k, sizeof(*t->v));
	t->err = calloc(k, sizeof(*t->err));
	t->heap = calloc(k, sizeof(*t->heap));
	t->hpos = calloc(k, sizeof(*t->hpos));
	t->cms = calloc((size_t)KW_TOPK_CMS_ROWS * KW_TOPK_CMS_WIDTH, sizeof(*t->cms));
	t->win = calloc(k, sizeof(*t->win));
	t->last = calloc(k, sizeof(*t->last));
	t->win_partial = calloc(k, sizeof(*t->win_partial));
	t->last_partial = calloc(k, sizeof(*t->last_partial));
	t->peak = calloc(k, sizeof(*t->peak));
	if (t->v == NULL || t->err == NULL || t->heap == NULL || t->hpos == NULL ||
	    t->cms == NULL || t->win == NULL || t->last == NULL || t->win_partial == NULL ||
	    t->last_partial == NULL || t->peak == NULL) {
		kw_topk_fini(t);
		return -ENOMEM;
	}
	return 0;
}

void
kw_topk_fini(struct kw_topk *t)
{
	kw_bmap_fini(&t->map);
	free(t->v);
	free(t->err);
	free(t->heap);
	free(t->hpos);
	free(t->cms);
	free(t->win);
	free(t->last);
	free(t->win_partial);
	free(t->last_partial);
	free(t->peak);
	memset(t, 0, sizeof(*t));
}

static void
heap_swap(struct kw_topk *t, uint32_t a, uint32_t b)
{
	uint32_t x = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->hpos[t->heap[a]] = a;
	t->hpos[t->heap[b]] = b;
}

static void
heap_up(struct kw_topk *t, uint32_t i)
{
	while (i > 0 && t->v[t->heap[(i - 1) / 2]][0] > t->v[t->heap[i]][0]) {
		heap_swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct kw_topk *t, uint32_t i)
{
	uint32_t n = t->map.used, l, s;

	for (;;) {
		l = 2 * i + 1;
		if (l >= n)
			break;
		s = l;
		if (l + 1 < n && t->v[t->heap[l + 1]][0] < t->v[t->heap[l]][0])
			s = l + 1;
		if (t->v[t->heap[s]][0] >= t->v[t->heap[i]][0])
			break;
		heap_swap(t, i, s);
		i = s;
	}
}

/* Row r's cell for hash h: double hashing (Kirsch-Mitzenmacher) from one 64-bit hash. */
static inline uint32_t
cms_cell(uint64_t h, uint32_t r)
{
	uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;

	return r * KW_TOPK_CMS_WIDTH + ((h1 + r * h2) & (KW_TOPK_CMS_WIDTH - 1));
}

static void
make_key(char *k, const char *key, size_t len)
{
	memset(k, 0, KW_TOPK_KEY_MAX);
	if (len > KW_TOPK_KEY_MAX - 1)
		len = KW_TOPK_KEY_MAX - 1;
	memcpy(k, key, len);
}

void
kw_topk_add(struct kw_topk *t, const char *key, size_t len, const uint64_t *v)
{
	char k[KW_TOPK_KEY_MAX];
	uint64_t h;
	uint32_t idx, r, m;
	bool ev;

	make_key(k, key, len);
	h = kw_bmap_hash(k, KW_TOPK_KEY_MAX);
	for (r = 0; r < KW_TOPK_CMS_ROWS; r++)
		for (m = 0; m < KW_TOPK_METRICS; m++)
			t->cms[cms_cell(h, r)][m] += v[m];
	for (m = 0; m < KW_TOPK_METRICS; m++)
		t->total[m] += v[m];

	idx = kw_bmap_find_h(&t->map, k, h, false);
	if (idx != KW_BMAP_NONE) {
		for (m = 0; m < KW_TOPK_METRICS; m++) {
			t->v[idx][m] += v[m];
			t->win[idx][m] += v[m];
		}
		heap_down(t, t->hpos[idx]);
		return;
	}
	/* a new entry has no last window; its current one starts with v */
	if (t->map.used < t->k) {
		/* every key seen so far got an entry: nothing of this one went uncounted */
		idx = kw_bmap_insert_h(&t->map, k, h, &ev);
		memcpy(t->v[idx], v, sizeof(t->v[idx]));
		t->err[idx] = 0;
		t->heap[idx] = idx;
		t->hpos[idx] = idx;
		t->win_partial[idx] = 0;
		heap_up(t, idx);
	} else {
		/* Space-Saving: the new key takes the minimum's place, inherits its count as
		 * error; what it sent earlier in this window while untracked is not in win */
		idx = t->heap[0];
		kw_bmap_rekey_h(&t->map, idx, k, h);
		t->err[idx] = t->v[idx][0];
		t->v[idx][0] += v[0];
		for (m = 1; m < KW_TOPK_METRICS; m++)
			t->v[idx][m] = v[m];
		t->win_partial[idx] = 1;
		t->evictions++;
		heap_down(t, 0);
	}
	memcpy(t->win[idx], v, sizeof(t->win[idx]));
	/* nothing in the last window either: exactly so for a fresh key, at least for another */
	memset(t->last[idx], 0, sizeof(t->last[idx]));
	memset(t->peak[idx], 0, sizeof(t->peak[idx]));
	t->last_partial[idx] = t->win_partial[idx];
}

void
kw_topk_roll(struct kw_topk *t, uint64_t n)
{
	uint32_t i, m;

	if (n == 0)
		return;
	for (i = 0; i < t->map.used; i++) {
		for (m = 0; m < KW_TOPK_METRICS; m++)
			if (t->win[i][m] > t->peak[i][m])
				t->peak[i][m] = t->win[i][m];
		if (n == 1) {
			memcpy(t->last[i], t->win[i], sizeof(t->last[i]));
			t->last_partial[i] = t->win_partial[i];
		} else {
			memset(t->last[i], 0, sizeof(t->last[i]));
			t->last_partial[i] = 0;
		}
		memset(t->win[i], 0, sizeof(t->win[i]));
		t->win_partial[i] = 0;
	}
}

int
kw_topk_get(const struct kw_topk *t, const char *key, uint64_t *v, uint64_t *err,
	    uint32_t *idx_out)
{
	char k[KW_TOPK_KEY_MAX];
	uint64_t h, c;
	uint32_t idx, r, m;

	make_key(k, key, strlen(key));
	h = kw_bmap_hash(k, KW_TOPK_KEY_MAX);
	idx = kw_bmap_find_h((struct kw_bmap *)&t->map, k, h, false);
	if (idx_out != NULL)
		*idx_out = idx;
	if (idx != KW_BMAP_NONE) {
		memcpy(v, t->v[idx], sizeof(t->v[idx]));
		*err = t->err[idx];
		return 1;
	}
	for (m = 0; m < KW_TOPK_METRICS; m++) {
		v[m] = UINT64_MAX;
		for (r = 0; r < KW_TOPK_CMS_ROWS; r++) {
			c = t->cms[cms_cell(h, r)][m];
			if (c < v[m])
				v[m] = c;
		}
	}
	*err = 0;
	return 0;
}

static int
by_count_desc(const void *a, const void *b, void *arg)
{
	const struct kw_topk *t = arg;
	uint64_t x = t->v[*(const uint32_t *)a][0], y = t->v[*(const uint32_t *)b][0];

	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(kw_topk_key(t, *(const uint32_t *)a), kw_topk_key(t, *(const uint32_t *)b));
}

uint32_t
kw_topk_sorted(const struct kw_topk *t, uint32_t *idx, uint32_t n)
{
	uint32_t i, used = t->map.used;

	/* the heap gives no ranking: sort everything when idx holds it all, else keep the n
	 * largest by insertion (n is small: what a report or telemetry reply shows) */
	if (n >= used) {
		for (i = 0; i < used; i++)
			idx[i] = i;
		qsort_r(idx, used, sizeof(*idx), by_count_desc, (void *)t);
		return used;
	}
	for (i = 0; i < used; i++) {
		uint32_t j, cnt = i < n ? i : n;

		if (cnt == n && by_count_desc(&i, &idx[n - 1], (void *)t) >= 0)
			continue;
		j = cnt == n ? n - 1 : cnt;
		while (j > 0 && by_count_desc(&i, &idx[j - 1], (void *)t) < 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	return n;
}
