/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwgen encoding primitives: a growable byte buffer with Kafka wire encoders (big-endian ints,
 * unsigned varints, zigzag varints, compact and classic strings, tagged-field sections), the
 * CRC-32C used by record batches, and the seeded PRNG that makes kwgen deterministic.
 *
 * Called by the kwgen tool (single-threaded, slow path) and by its unit tests. A buffer owns its
 * heap storage until kw_gen_buf_fini(). Encoders never fail midway: an allocation failure sets
 * buf->err to -ENOMEM and later writes become no-ops, so callers check once at the end.
 */
#ifndef KW_GEN_ENC_H
#define KW_GEN_ENC_H

#include <stddef.h>
#include <stdint.h>

/* An unsigned varint of a 64-bit value never takes more than this many bytes. */
#define KW_GEN_VARINT_MAX 10

struct kw_gen_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int err; /* 0, or -ENOMEM once a growth failed */
};

void kw_gen_buf_init(struct kw_gen_buf *b);
void kw_gen_buf_fini(struct kw_gen_buf *b);
/* Forget the contents, keep the storage. */
void kw_gen_buf_reset(struct kw_gen_buf *b);

void kw_gen_buf_put(struct kw_gen_buf *b, const void *src, size_t len);
void kw_gen_buf_put_u8(struct kw_gen_buf *b, uint8_t v);
void kw_gen_buf_put_be16(struct kw_gen_buf *b, uint16_t v);
void kw_gen_buf_put_be32(struct kw_gen_buf *b, uint32_t v);
void kw_gen_buf_put_be64(struct kw_gen_buf *b, uint64_t v);
/* Overwrite 4 bytes already written at @off (length and CRC back-patching). */
void kw_gen_buf_patch_be32(struct kw_gen_buf *b, size_t off, uint32_t v);

/* Protobuf-style unsigned varint (UNSIGNED_VARINT). */
void kw_gen_buf_put_uvarint(struct kw_gen_buf *b, uint64_t v);
/* Zigzag signed varint/varlong, as used inside records (VARINT, VARLONG). */
void kw_gen_buf_put_varint(struct kw_gen_buf *b, int64_t v);

/* NULLABLE_STRING: int16 length then bytes; NULL encodes as length -1. */
void kw_gen_buf_put_str(struct kw_gen_buf *b, const char *s);
/* COMPACT_NULLABLE_STRING: uvarint (length + 1) then bytes; NULL encodes as 0. */
void kw_gen_buf_put_cstr(struct kw_gen_buf *b, const char *s);
/* COMPACT_BYTES / COMPACT_RECORDS: uvarint (length + 1) then the bytes. */
void kw_gen_buf_put_cbytes(struct kw_gen_buf *b, const void *src, size_t len);
/* COMPACT_ARRAY length prefix: uvarint (n + 1); a null array is kw_gen_buf_put_u8(b, 0). */
void kw_gen_buf_put_carray(struct kw_gen_buf *b, uint32_t n);
/* An empty tagged-field section (KIP-482): uvarint 0. */
void kw_gen_buf_put_tags(struct kw_gen_buf *b);

/* Encode @v into @out, return the number of bytes used (1..KW_GEN_VARINT_MAX). */
size_t kw_gen_uvarint_encode(uint8_t *out, uint64_t v);
uint64_t kw_gen_zigzag(int64_t v);

/* Standard CRC-32C (Castagnoli, reflected, init and final XOR 0xffffffff) via rte_hash_crc. */
uint32_t kw_gen_crc32c(const void *data, size_t len);

/* splitmix64: the only source of variation in kwgen output, advanced from --seed. */
uint64_t kw_gen_rand_next(uint64_t *state);

#endif /* KW_GEN_ENC_H */
