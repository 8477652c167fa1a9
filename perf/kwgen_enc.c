/* SPDX-License-Identifier: BSD-3-Clause */
/* kwgen encoding primitives; see kwgen_enc.h. */
#include "kwgen_enc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

void
kw_gen_buf_init(struct kw_gen_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
kw_gen_buf_fini(struct kw_gen_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
kw_gen_buf_reset(struct kw_gen_buf *b)
{
	b->len = 0;
	b->err = 0;
}

/* Make room for @extra more bytes; 0 or -ENOMEM (also latched in b->err). */
static int
reserve(struct kw_gen_buf *b, size_t extra)
{
	if (b->err != 0)
		return b->err;
	if (b->len + extra <= b->cap)
		return 0;
	size_t cap = b->cap != 0 ? b->cap : 256;
	while (cap < b->len + extra)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (p == NULL) {
		b->err = -ENOMEM;
		return b->err;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void
kw_gen_buf_put(struct kw_gen_buf *b, const void *src, size_t len)
{
	if (len == 0 || reserve(b, len) != 0)
		return;
	memcpy(b->data + b->len, src, len);
	b->len += len;
}

void
kw_gen_buf_put_u8(struct kw_gen_buf *b, uint8_t v)
{
	kw_gen_buf_put(b, &v, 1);
}

void
kw_gen_buf_put_be16(struct kw_gen_buf *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	kw_gen_buf_put(b, x, sizeof(x));
}

void
kw_gen_buf_put_be32(struct kw_gen_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	kw_gen_buf_put(b, x, sizeof(x));
}

void
kw_gen_buf_put_be64(struct kw_gen_buf *b, uint64_t v)
{
	kw_gen_buf_put_be32(b, (uint32_t)(v >> 32));
	kw_gen_buf_put_be32(b, (uint32_t)v);
}

void
kw_gen_buf_patch_be32(struct kw_gen_buf *b, size_t off, uint32_t v)
{
	if (b->err != 0 || off + 4 > b->len)
		return;
	b->data[off] = (uint8_t)(v >> 24);
	b->data[off + 1] = (uint8_t)(v >> 16);
	b->data[off + 2] = (uint8_t)(v >> 8);
	b->data[off + 3] = (uint8_t)v;
}

size_t
kw_gen_uvarint_encode(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

uint64_t
kw_gen_zigzag(int64_t v)
{
	/* (n << 1) ^ (n >> 63), done on unsigned values to avoid signed-shift UB. */
	return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
}

void
kw_gen_buf_put_uvarint(struct kw_gen_buf *b, uint64_t v)
{
	uint8_t x[KW_GEN_VARINT_MAX];
	kw_gen_buf_put(b, x, kw_gen_uvarint_encode(x, v));
}

void
kw_gen_buf_put_varint(struct kw_gen_buf *b, int64_t v)
{
	kw_gen_buf_put_uvarint(b, kw_gen_zigzag(v));
}

void
kw_gen_buf_put_str(struct kw_gen_buf *b, const char *s)
{
	if (s == NULL) {
		kw_gen_buf_put_be16(b, 0xffff);
		return;
	}
	size_t n = strlen(s);
	kw_gen_buf_put_be16(b, (uint16_t)n);
	kw_gen_buf_put(b, s, n);
}

void
kw_gen_buf_put_cstr(struct kw_gen_buf *b, const char *s)
{
	if (s == NULL) {
		kw_gen_buf_put_u8(b, 0);
		return;
	}
	kw_gen_buf_put_cbytes(b, s, strlen(s));
}

void
kw_gen_buf_put_cbytes(struct kw_gen_buf *b, const void *src, size_t len)
{
	kw_gen_buf_put_uvarint(b, (uint64_t)len + 1);
	kw_gen_buf_put(b, src, len);
}

void
kw_gen_buf_put_carray(struct kw_gen_buf *b, uint32_t n)
{
	kw_gen_buf_put_uvarint(b, (uint64_t)n + 1);
}

void
kw_gen_buf_put_tags(struct kw_gen_buf *b)
{
	kw_gen_buf_put_u8(b, 0);
}

uint32_t
kw_gen_crc32c(const void *data, size_t len)
{
	/*
	 * rte_hash_crc() is the raw CRC-32C register update (SSE4.2 crc32 or its table fallback)
	 * with no final inversion; pre- and post-inverting gives the standard CRC-32C that Kafka
	 * record batches carry. Chunked because its length argument is 32-bit.
	 */
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;
	while (len > 0) {
		uint32_t n = len > 0x40000000u ? 0x40000000u : (uint32_t)len;
		crc = rte_hash_crc(p, n, crc);
		p += n;
		len -= n;
	}
	return crc ^ 0xffffffffu;
}

uint64_t
kw_gen_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
