/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kafka wire primitives: big-endian integers, unsigned and zigzag varints (KIP-482), compact and
 * classic string/bytes/array lengths, tagged-field sections and UUIDs.
 *
 * Pure functions over a contiguous (pointer, length) view, callable from any thread. They never
 * read past len and own nothing. The streaming decoder gathers a primitive that straddles two
 * segments into a small buffer and then calls these, so whole and split input decode alike.
 *
 * Return convention: bytes consumed (> 0), -EAGAIN when len is too short to tell, -EBADMSG when
 * the bytes can never form a valid value (varint too long, negative length other than -1,
 * length or count larger than what remains).
 */
#ifndef KW_KAFKA_PRIM_H
#define KW_KAFKA_PRIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KW_KAFKA_UVARINT32_MAX 5
#define KW_KAFKA_UVARINT64_MAX 10
#define KW_KAFKA_UUID_LEN 16

static inline uint16_t
kw_kafka_prim_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
kw_kafka_prim_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
kw_kafka_prim_be64(const uint8_t *p)
{
	return (uint64_t)kw_kafka_prim_be32(p) << 32 | kw_kafka_prim_be32(p + 4);
}

/* Fixed-width signed integer of width bytes (1, 2, 4 or 8); returns width or -EAGAIN. */
static inline int
kw_kafka_prim_int(const uint8_t *p, size_t len, unsigned int width, int64_t *v)
{
	if (len < width)
		return -EAGAIN;
	switch (width) {
	case 1:
		*v = (int8_t)p[0];
		break;
	case 2:
		*v = (int16_t)kw_kafka_prim_be16(p);
		break;
	case 4:
		*v = (int32_t)kw_kafka_prim_be32(p);
		break;
	default:
		*v = (int64_t)kw_kafka_prim_be64(p);
		break;
	}
	return (int)width;
}

/*
 * Unsigned varint of at most max_bytes (5 for 32-bit, 10 for 64-bit values). A value whose last
 * byte carries bits beyond the width is rejected: Kafka's own reader throws on it too.
 */
static inline int
kw_kafka_prim_uvarint(const uint8_t *p, size_t len, unsigned int max_bytes, uint64_t *v)
{
	uint64_t r = 0;
	unsigned int i;

	for (i = 0; i < max_bytes; i++) {
		if (i >= len)
			return -EAGAIN;
		r |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0) {
			if (i == max_bytes - 1 &&
			    (p[i] >> (max_bytes == KW_KAFKA_UVARINT32_MAX ? 4 : 1)) != 0)
				return -EBADMSG;
			*v = r;
			return (int)i + 1;
		}
	}
	return -EBADMSG;
}

static inline int64_t
kw_kafka_prim_zigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Zigzag varint (32-bit) or varlong (64-bit), as used inside record batches. */
static inline int
kw_kafka_prim_varint(const uint8_t *p, size_t len, bool wide, int64_t *v)
{
	uint64_t u;
	int n = kw_kafka_prim_uvarint(p, len, wide ? KW_KAFKA_UVARINT64_MAX :
					KW_KAFKA_UVARINT32_MAX, &u);
	if (n > 0)
		*v = wide ? kw_kafka_prim_zigzag(u) : (int64_t)(int32_t)kw_kafka_prim_zigzag(u);
	return n;
}

/*
 * Length prefix of a string (classic: int16), bytes or array (classic: int32), or of any of them
 * in compact form (uvarint N+1, 0 = null). *n is -1 for null. A null is accepted only when
 * nullable. remain is the bytes left in the frame from p on, prefix included; a length larger
 * than remain minus the prefix, or a negative length other than -1, is -EBADMSG.
 */
static inline int
kw_kafka_prim_len(const uint8_t *p, size_t len, bool compact, unsigned int width, bool nullable,
		  uint64_t remain, int64_t *n)
{
	int64_t v;
	int c;

	if (compact) {
		uint64_t u;
		c = kw_kafka_prim_uvarint(p, len, KW_KAFKA_UVARINT32_MAX, &u);
		if (c < 0)
			return c;
		v = (int64_t)u - 1;
	} else {
		c = kw_kafka_prim_int(p, len, width, &v);
		if (c < 0)
			return c;
	}
	if (v < -1 || (v == -1 && !nullable))
		return -EBADMSG;
	if (v > 0 && (uint64_t)v > remain - ((uint64_t)c > remain ? remain : (uint64_t)c))
		return -EBADMSG;
	*n = v;
	return c;
}

/*
 * Skip a whole tagged-field section (KIP-482): uvarint count, then count x (uvarint tag, uvarint
 * size, size bytes). More than max_count fields is -EBADMSG (bounded work per section).
 */
static inline int
kw_kafka_prim_tagged_skip(const uint8_t *p, size_t len, uint32_t max_count)
{
	uint64_t count, tag, size;
	size_t off = 0;
	int c;

	c = kw_kafka_prim_uvarint(p, len, KW_KAFKA_UVARINT32_MAX, &count);
	if (c < 0)
		return c;
	if (count > max_count || count > len)
		return count > max_count ? -EBADMSG : -EAGAIN;
	off = (size_t)c;
	while (count--) {
		c = kw_kafka_prim_uvarint(p + off, len - off, KW_KAFKA_UVARINT32_MAX, &tag);
		if (c < 0)
			return c;
		off += (size_t)c;
		c = kw_kafka_prim_uvarint(p + off, len - off, KW_KAFKA_UVARINT32_MAX, &size);
		if (c < 0)
			return c;
		off += (size_t)c;
		if (size > len - off)
			return -EAGAIN;
		off += size;
	}
	return (int)off;
}

/* A UUID: 16 raw bytes. */
static inline int
kw_kafka_prim_uuid(const uint8_t *p, size_t len, uint8_t out[KW_KAFKA_UUID_LEN])
{
	if (len < KW_KAFKA_UUID_LEN)
		return -EAGAIN;
	memcpy(out, p, KW_KAFKA_UUID_LEN);
	return KW_KAFKA_UUID_LEN;
}

#endif /* KW_KAFKA_PRIM_H */
