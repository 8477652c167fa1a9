/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Record-set parser tests: record batches v2 built by hand (header, records, CRC32C) and fed as
 * one records field whole, with garbage after it, split at every point and byte by byte. The
 * records the hook reports (every field, stream offsets from a non-zero base) and the summary
 * must be the same in every mode and equal to what the builder wrote; without a hook the summary
 * must not change on well-formed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/kafka/kafka_records.h"

#define BASE_OFF 1000 /* stream offset of the field's first byte */
#define MAX_REC 32

/* ---- byte writer ---- */

struct wb {
	size_t n;
	uint8_t b[16384];
};

static void
w8(struct wb *w, uint8_t v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = v;
}

static void
wfill(struct wb *w, uint8_t c, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		w8(w, c);
}

static void
wbe(struct wb *w, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		w8(w, (uint8_t)(v >> (8 * i)));
}

static void
patch_be(struct wb *w, size_t at, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		w->b[at + (size_t)i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

/* Zigzag varint / varlong (record batch v2); returns its size. */
static size_t
wvar(struct wb *w, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t n0 = w->n;

	while (u >= 0x80) {
		w8(w, (uint8_t)(u | 0x80));
		u >>= 7;
	}
	w8(w, (uint8_t)u);
	return w->n - n0;
}

/* ---- batch builder ---- */

struct expect {
	int n;
	struct kw_kafka_record rec[MAX_REC];
	int64_t next; /* rs->next after the field: -1 when no batch was complete */
	int64_t span; /* rs->span after the field */
};

struct batch {
	struct wb *w;
	size_t at;      /* start of the batch in w */
	uint32_t index; /* within the field */
	int64_t base_offset;
	int64_t first_ts;
	int32_t count;
	int32_t last_delta; /* the largest offset delta added */
};

static void
batch_open(struct batch *b, struct wb *w, uint32_t index, int64_t base_offset, int64_t first_ts,
	   uint16_t attr)
{
	b->w = w;
	b->at = w->n;
	b->index = index;
	b->base_offset = base_offset;
	b->first_ts = first_ts;
	b->count = 0;
	b->last_delta = 0;
	wbe(w, (uint64_t)base_offset, 8);
	wbe(w, 0, 4);          /* batch length, patched */
	wbe(w, 0xffffffff, 4); /* partition leader epoch */
	w8(w, 2);              /* magic */
	wbe(w, 0, 4);          /* crc, patched */
	wbe(w, attr, 2);
	wbe(w, 0, 4);          /* last offset delta, patched */
	wbe(w, (uint64_t)first_ts, 8);
	wbe(w, (uint64_t)first_ts, 8); /* max timestamp */
	wbe(w, 4242, 8);       /* producer id */
	wbe(w, 1, 2);          /* producer epoch */
	wbe(w, 7, 4);          /* base sequence */
	wbe(w, 0, 4);          /* record count, patched */
}

static void
batch_close(struct batch *b)
{
	struct wb *w = b->w;

	patch_be(w, b->at + 8, w->n - b->at - 12, 4);
	patch_be(w, b->at + 23, (uint32_t)b->last_delta, 4);
	patch_be(w, b->at + 57, (uint64_t)b->count, 4);
	patch_be(w, b->at + 17, kw_kafka_crc32c(w->b + b->at + 21, (uint32_t)(w->n - b->at - 21)), 4);
}

/* Record bytes after its length varint, as given, counted in the batch but never expected. */
static void
rec_raw(struct batch *b, const uint8_t *body, size_t n)
{
	wvar(b->w, (int64_t)n);
	for (size_t i = 0; i < n; i++)
		w8(b->w, body[i]);
	b->count++;
}

struct hspec {
	int32_t klen; /* >= 0 */
	int32_t vlen; /* -1 null */
};

/*
 * A well-formed record (key bytes 'K', value 'V', header keys 'h', header values 'H'), appended
 * to ex with the stream offsets it must be reported at.
 */
static void
rec_add(struct batch *b, struct expect *ex, int64_t ts_delta, int32_t odelta, int32_t klen,
	int32_t vlen, const struct hspec *h, int nh)
{
	static struct wb t;
	struct kw_kafka_record r;
	size_t key_at, value_at, headers_at, start = b->w->n, lsize;

	t.n = 0;
	w8(&t, 0); /* attributes */
	wvar(&t, ts_delta);
	wvar(&t, odelta);
	wvar(&t, klen);
	key_at = t.n;
	wfill(&t, 'K', klen);
	wvar(&t, vlen);
	value_at = t.n;
	wfill(&t, 'V', vlen);
	wvar(&t, nh);
	headers_at = t.n;
	for (int i = 0; i < nh; i++) {
		wvar(&t, h[i].klen);
		wfill(&t, 'h', h[i].klen);
		wvar(&t, h[i].vlen);
		wfill(&t, 'H', h[i].vlen);
	}
	lsize = wvar(b->w, (int64_t)t.n);
	for (size_t i = 0; i < t.n; i++)
		w8(b->w, t.b[i]);
	b->count++;
	if (odelta > b->last_delta)
		b->last_delta = odelta;

	memset(&r, 0, sizeof(r));
	r.off = BASE_OFF + start;
	r.len = (uint32_t)t.n;
	r.batch = b->index;
	r.offset = b->base_offset + odelta;
	r.timestamp = b->first_ts + ts_delta;
	r.key_off = BASE_OFF + start + lsize + key_at;
	r.key_len = klen;
	r.value_off = BASE_OFF + start + lsize + value_at;
	r.value_len = vlen;
	r.headers_off = BASE_OFF + start + lsize + headers_at;
	r.headers_len = (uint32_t)(t.n - headers_at);
	r.header_count = nh;
	assert_true(ex->n < MAX_REC);
	ex->rec[ex->n++] = r;
}

/* ---- runner ---- */

struct run {
	int n;
	struct kw_kafka_record rec[MAX_REC];
	struct kw_kafka_records_sum sum;
	int64_t next;
	int64_t span;
};

static void
on_record(void *arg, const struct kw_kafka_record *rec)
{
	struct run *out = arg;

	assert_true(out->n < MAX_REC);
	out->rec[out->n++] = *rec;
}

enum mode { M_WHOLE, M_GARBAGE, M_SPLIT, M_BYTES };

/* Feed a piece from its own exact-size allocation, so ASan sees any read past it. */
static void
feed_copy(struct kw_kafka_records *rs, const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	assert_non_null(c);
	memcpy(c, p, n);
	kw_kafka_records_feed(rs, c, (uint32_t)n);
	free(c);
}

static void
run_field(const uint8_t *b, size_t len, bool hook, enum mode m, size_t split, struct run *out)
{
	static uint8_t garbage[sizeof(((struct wb *)0)->b) + 64];
	struct kw_kafka_records rs;

	memset(&rs, 0, sizeof(rs));
	memset(out, 0, sizeof(*out));
	kw_kafka_records_sum_init(&out->sum);
	if (hook)
		kw_kafka_records_set_hook(&rs, on_record, out);
	kw_kafka_records_begin(&rs, &out->sum, BASE_OFF, len);
	switch (m) {
	case M_WHOLE:
		feed_copy(&rs, b, len);
		break;
	case M_GARBAGE: /* the parser takes no more than the field's bytes */
		memcpy(garbage, b, len);
		memset(garbage + len, 0x80, 64);
		kw_kafka_records_feed(&rs, garbage, (uint32_t)len + 64);
		break;
	case M_SPLIT:
		feed_copy(&rs, b, split);
		feed_copy(&rs, b + split, len - split);
		break;
	case M_BYTES:
		for (size_t i = 0; i < len; i++)
			feed_copy(&rs, b + i, 1);
		break;
	}
	kw_kafka_records_end(&rs);
	out->next = rs.next;
	out->span = rs.span;
}

static void
sum_equal(const struct kw_kafka_records_sum *x, const struct kw_kafka_records_sum *y)
{
	assert_int_equal(x->off, y->off);
	assert_int_equal(x->bytes, y->bytes);
	assert_int_equal(x->fields, y->fields);
	assert_int_equal(x->batches, y->batches);
	assert_int_equal(x->records, y->records);
	assert_int_equal(x->records_hdr, y->records_hdr);
	assert_int_equal(x->legacy, y->legacy);
	assert_int_equal(x->crc_bad, y->crc_bad);
	assert_int_equal(x->partial, y->partial);
	assert_int_equal(x->malformed, y->malformed);
	assert_int_equal(x->producer_id, y->producer_id);
	assert_int_equal(x->producer_epoch, y->producer_epoch);
	assert_int_equal(x->base_sequence, y->base_sequence);
	assert_int_equal(x->codec, y->codec);
	assert_int_equal(x->transactional, y->transactional);
	assert_int_equal(x->control, y->control);
}

static void
rec_equal(const struct kw_kafka_record *x, const struct kw_kafka_record *y)
{
	assert_int_equal(x->off, y->off);
	assert_int_equal(x->len, y->len);
	assert_int_equal(x->batch, y->batch);
	assert_int_equal(x->offset, y->offset);
	assert_int_equal(x->timestamp, y->timestamp);
	assert_int_equal(x->key_off, y->key_off);
	assert_int_equal(x->key_len, y->key_len);
	assert_int_equal(x->value_off, y->value_off);
	assert_int_equal(x->value_len, y->value_len);
	assert_int_equal(x->headers_off, y->headers_off);
	assert_int_equal(x->headers_len, y->headers_len);
	assert_int_equal(x->header_count, y->header_count);
}

/* The reported offsets point at the bytes the builder wrote. */
static void
check_bytes(const uint8_t *b, const struct kw_kafka_record *r)
{
	for (int32_t i = 0; i < r->key_len; i++)
		assert_int_equal(b[r->key_off - BASE_OFF + (uint64_t)i], 'K');
	for (int32_t i = 0; i < r->value_len; i++)
		assert_int_equal(b[r->value_off - BASE_OFF + (uint64_t)i], 'V');
	assert_true(r->key_off > r->off && r->value_off >= r->key_off);
	assert_true(r->headers_off > r->value_off);
	/* the headers end where the record ends */
	assert_int_equal(r->headers_off + r->headers_len, r->off + (r->len < 64 ? 1 : 2) + r->len);
}

/*
 * Feed b[0..len) in every mode: with the hook, the records reported must be ex and the summary
 * want_hook; without, the summary must be want_plain and nothing is reported. The offset after
 * the last complete batch must be ex->next in both.
 */
static void
check_field(const uint8_t *b, size_t len, const struct expect *ex,
	    const struct kw_kafka_records_sum *want_hook,
	    const struct kw_kafka_records_sum *want_plain)
{
	static struct run out;

	for (int hook = 1; hook >= 0; hook--) {
		for (size_t k = 0; k < len + 4; k++) {
			enum mode m = k == 0 ? M_WHOLE : k == 1 ? M_GARBAGE : k == 2 ? M_BYTES : M_SPLIT;
			run_field(b, len, hook, m, k - 3, &out);
			sum_equal(&out.sum, hook ? want_hook : want_plain);
			assert_int_equal(out.next, ex->next);
			assert_int_equal(out.span, ex->span);
			if (!hook) {
				assert_int_equal(out.n, 0);
				continue;
			}
			assert_int_equal(out.n, ex->n);
			for (int i = 0; i < ex->n; i++) {
				rec_equal(&out.rec[i], &ex->rec[i]);
				check_bytes(b, &out.rec[i]);
			}
		}
	}
}

static void
sum_want(struct kw_kafka_records_sum *s, size_t len, uint32_t batches, uint32_t records,
	 uint32_t records_hdr)
{
	kw_kafka_records_sum_init(s);
	s->off = BASE_OFF;
	s->bytes = len;
	s->fields = 1;
	s->batches = batches;
	s->records = records;
	s->records_hdr = records_hdr;
	s->producer_id = 4242;
	s->producer_epoch = 1;
	s->base_sequence = 7;
}

/* ---- tests ---- */

static struct wb g_w;
static struct expect g_ex;

/* Null, empty and long keys and values, headers, multi-byte varints, two batches, compressed. */
static void
test_records_fields(void **state)
{
	const struct hspec h3[] = { { 3, 5 }, { 0, -1 }, { 130, 0 } };
	const struct hspec h1[] = { { 4, -1 } };
	struct kw_kafka_records_sum want;
	struct batch b;
	(void)state;

	g_w.n = 0;
	g_ex.n = 0;
	batch_open(&b, &g_w, 0, 100, 1700000000000, 0);
	rec_add(&b, &g_ex, 0, 0, -1, 1, NULL, 0);          /* null key */
	rec_add(&b, &g_ex, 1, 1, 0, -1, NULL, 0);          /* empty key, null value */
	rec_add(&b, &g_ex, 2, 2, 200, 300, h3, 3);         /* 2-byte lengths, null header value */
	rec_add(&b, &g_ex, -123456789012, 70000, 5, 1000, h1, 1); /* long varlong and varint */
	batch_close(&b);
	batch_open(&b, &g_w, 1, 5000, 1600000000000, 0);
	rec_add(&b, &g_ex, 0, 0, -1, -1, h1, 1);
	rec_add(&b, &g_ex, 10, 1, 1, 0, h3, 2);
	batch_close(&b);
	batch_open(&b, &g_w, 2, 9000, 1600000000000, 1); /* gzip: not walked, never reported */
	wfill(b.w, 0x80, 40);
	b.count = 5;
	b.last_delta = 4;
	batch_close(&b);
	batch_open(&b, &g_w, 3, 9005, 1600000000000, 0);
	rec_add(&b, &g_ex, 0, 0, 2, 2, NULL, 0);
	batch_close(&b);
	g_ex.next = 9006;
	g_ex.span = 70001 + 2 + 5 + 1;

	assert_int_equal(g_ex.n, 7);
	sum_want(&want, g_w.n, 4, 7, 12);
	check_field(g_w.b, g_w.n, &g_ex, &want, &want);
}

/* The field ends inside the batch: records cut short are counted partial and not reported. */
static void
test_records_partial(void **state)
{
	static struct expect ex;
	struct kw_kafka_records_sum want;
	struct batch b;
	size_t third;
	(void)state;

	g_w.n = 0;
	g_ex.n = 0;
	batch_open(&b, &g_w, 0, 0, 1700000000000, 0);
	rec_add(&b, &g_ex, 0, 0, 3, 20, NULL, 0);
	rec_add(&b, &g_ex, 1, 1, -1, 200, NULL, 0);
	third = g_w.n;
	rec_add(&b, &g_ex, 2, 2, 10, 10, (const struct hspec[]){ { 2, 2 } }, 1);
	batch_close(&b);
	/* cut at the third record's first byte, inside its 1-byte length, ... up to its last byte */
	for (size_t cut = third; cut < g_w.n; cut++) {
		ex = g_ex;
		ex.n = 2;
		ex.next = -1; /* the only batch is cut */
		ex.span = 0;
		sum_want(&want, cut, 1, cut > third ? 3 : 2, 3);
		want.partial = 1;
		check_field(g_w.b, cut, &ex, &want, &want);
	}
	/* cut inside the batch header: nothing counted but the partial */
	sum_want(&want, 30, 0, 0, 0);
	want.partial = 1;
	want.producer_id = -1;
	want.producer_epoch = -1;
	want.base_sequence = -1;
	ex.n = 0;
	check_field(g_w.b, 30, &ex, &want, &want);
}

/*
 * A record inconsistent with its own length is not reported, counts malformed once and stops the
 * walk of its batch (the next batch is walked again); without a hook the inner fields are not
 * read, so only the lengths are checked and every record is counted.
 */
static void
test_records_malformed(void **state)
{
	static const struct {
		uint8_t n;
		uint8_t body[12];
	} bad[] = {
		{ 9, { 0, 0, 0, 100, 'a', 'b', 'c', 1, 0 } }, /* key length 50 past the end */
		{ 6, { 0, 0, 0, 1, 1, 1 } }, /* header count -1 */
		{ 8, { 0, 0, 0, 1, 1, 0, 0xaa, 0xbb } }, /* trailing bytes */
		{ 6, { 0, 0, 0, 1, 3, 0 } }, /* value length -2 */
		{ 8, { 0, 0, 0, 1, 1, 2, 1, 1 } }, /* header key null */
		{ 8, { 0, 0, 0, 1, 1, 2, 2, 'x' } }, /* header value length missing */
		{ 2, { 0, 0 } }, /* ends after the timestamp */
		{ 2, { 0, 0x80 } }, /* varlong past the end */
		{ 5, { 0, 0, 0, 2, 'k' } }, /* value length missing */
		/* varlong over 64 bits */
		{ 11, { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f } },
		{ 7, { 0, 0, 0xff, 0xff, 0xff, 0xff, 0x7f } }, /* offsetDelta over 32 bits */
	};
	struct kw_kafka_records_sum want_hook, want_plain;
	struct batch b;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g_w.n = 0;
		g_ex.n = 0;
		/* bad record in the middle of a batch, at the end of one, then a clean batch */
		batch_open(&b, &g_w, 0, 10, 1700000000000, 0);
		rec_add(&b, &g_ex, 0, 0, 1, 1, NULL, 0);
		rec_raw(&b, bad[i].body, bad[i].n);
		rec_add(&b, &g_ex, 0, 2, 1, 1, NULL, 0);
		batch_close(&b);
		g_ex.n--; /* after the bad one: not walked */
		batch_open(&b, &g_w, 1, 20, 1700000000000, 0);
		rec_add(&b, &g_ex, 0, 0, 1, 1, (const struct hspec[]){ { 1, -1 } }, 1);
		rec_raw(&b, bad[i].body, bad[i].n);
		batch_close(&b);
		batch_open(&b, &g_w, 2, 30, 1700000000000, 0);
		rec_add(&b, &g_ex, 0, 0, -1, 3, NULL, 0);
		batch_close(&b);
		g_ex.next = 31;
		g_ex.span = 3 + 1 + 1;

		assert_int_equal(g_ex.n, 3);
		sum_want(&want_hook, g_w.n, 3, 5, 6);
		want_hook.malformed = 2;
		sum_want(&want_plain, g_w.n, 3, 6, 6);
		check_field(g_w.b, g_w.n, &g_ex, &want_hook, &want_plain);
	}
}

/* A legacy message (magic 1, uncompressed) at offset off: key null, value "v". */
static void
legacy_add(struct wb *w, int64_t off)
{
	wbe(w, (uint64_t)off, 8);
	wbe(w, 4 + 1 + 1 + 8 + 4 + 4 + 1, 4); /* message size */
	wbe(w, 0, 4);                         /* crc: not checked */
	w8(w, 1);                             /* magic */
	w8(w, 0);                             /* attributes */
	wbe(w, 1700000000000, 8);             /* timestamp */
	wbe(w, 0xffffffff, 4);                /* key: null */
	wbe(w, 1, 4);
	w8(w, 'v');
}

/* test_records_next's summaries after its bad batch: every record counted by its header */
static void
sum_want_next(struct kw_kafka_records_sum *s, size_t len, uint32_t batches, uint32_t records,
	      uint32_t legacy, uint32_t partial)
{
	sum_want(s, len, batches, records, records);
	s->crc_bad = 1;
	s->legacy = legacy;
	s->partial = partial;
}

/*
 * The offset a consumer reads next after the field: the last complete batch's base offset +
 * lastOffsetDelta + 1 (a compacted batch's delta runs past its count), a legacy message's offset
 * + 1. A batch whose CRC32C does not match, and one cut short at the end of the field, leave it
 * as it was. The span sums lastOffsetDelta + 1 over the same v2 batches.
 */
static void
test_records_next(void **state)
{
	static struct expect ex;
	struct kw_kafka_records_sum want;
	struct batch b;
	size_t at;
	(void)state;

	g_w.n = 0;
	g_ex.n = 0;
	batch_open(&b, &g_w, 0, 40, 1700000000000, 0);
	rec_add(&b, &g_ex, 0, 0, 1, 1, NULL, 0);
	rec_add(&b, &g_ex, 0, 5, 1, 1, NULL, 0); /* offsets 41-44 compacted away */
	batch_close(&b);
	g_ex.next = 46;
	g_ex.span = 6; /* a bad CRC, a legacy message and a cut batch add nothing */
	sum_want(&want, g_w.n, 1, 2, 2);
	check_field(g_w.b, g_w.n, &g_ex, &want, &want);

	batch_open(&b, &g_w, 1, 100, 1700000000000, 0);
	rec_add(&b, &g_ex, 0, 0, 1, 1, NULL, 0);
	batch_close(&b);
	g_w.b[b.at + 17] ^= 1; /* the CRC */
	sum_want_next(&want, g_w.n, 2, 3, 0, 0);
	check_field(g_w.b, g_w.n, &g_ex, &want, &want);

	legacy_add(&g_w, 77);
	g_ex.next = 78;
	sum_want_next(&want, g_w.n, 2, 3, 1, 0);
	check_field(g_w.b, g_w.n, &g_ex, &want, &want);

	at = g_w.n;
	batch_open(&b, &g_w, 2, 200, 1700000000000, 0);
	rec_add(&b, &g_ex, 0, 0, 1, 1, NULL, 0);
	batch_close(&b);
	/* cut inside the header, then before the last byte of its only record */
	ex = g_ex;
	ex.n = 3;
	sum_want_next(&want, at + 30, 2, 3, 1, 1);
	check_field(g_w.b, at + 30, &ex, &want, &want);
	sum_want_next(&want, g_w.n - 1, 3, 4, 1, 1);
	check_field(g_w.b, g_w.n - 1, &ex, &want, &want);
	g_ex.next = 201;
	g_ex.span = 7;
	sum_want_next(&want, g_w.n, 3, 4, 1, 0);
	check_field(g_w.b, g_w.n, &g_ex, &want, &want);
}

/* The hook is per field: batch indices restart at 0, offsets follow begin, NULL turns it off. */
static void
test_records_hook_fields(void **state)
{
	struct kw_kafka_records_sum sum;
	struct kw_kafka_records rs;
	static struct run out;
	struct batch b;
	(void)state;

	g_w.n = 0;
	g_ex.n = 0;
	batch_open(&b, &g_w, 0, 1, 1, 0);
	rec_add(&b, &g_ex, 0, 0, 1, 1, NULL, 0);
	batch_close(&b);
	batch_open(&b, &g_w, 1, 2, 2, 0);
	rec_add(&b, &g_ex, 0, 0, 1, 1, NULL, 0);
	batch_close(&b);

	memset(&rs, 0, sizeof(rs));
	memset(&out, 0, sizeof(out));
	kw_kafka_records_sum_init(&sum);
	kw_kafka_records_set_hook(&rs, on_record, &out);
	for (int f = 0; f < 3; f++) {
		if (f == 2)
			kw_kafka_records_set_hook(&rs, NULL, NULL);
		kw_kafka_records_begin(&rs, &sum, BASE_OFF + 5000 * (uint64_t)f, g_w.n);
		kw_kafka_records_feed(&rs, g_w.b, (uint32_t)g_w.n);
		kw_kafka_records_end(&rs);
	}
	assert_int_equal(out.n, 4);
	for (int i = 0; i < 4; i++) {
		struct kw_kafka_record r = g_ex.rec[i % 2];
		uint64_t shift = 5000 * (uint64_t)(i / 2);

		r.off += shift;
		r.key_off += shift;
		r.value_off += shift;
		r.headers_off += shift;
		rec_equal(&out.rec[i], &r);
	}
	assert_int_equal(sum.fields, 3);
	assert_int_equal(sum.batches, 6);
	assert_int_equal(sum.records, 6);
	assert_int_equal(sum.malformed, 0);
	assert_int_equal(sum.crc_bad, 0);
	assert_int_equal(sum.partial, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_fields),
		cmocka_unit_test(test_records_partial),
		cmocka_unit_test(test_records_malformed),
		cmocka_unit_test(test_records_next),
		cmocka_unit_test(test_records_hook_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
