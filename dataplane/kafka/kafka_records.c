/* SPDX-License-Identifier: BSD-3-Clause */
/* Record batch v2 layout and CRC32C coverage: Kafka implementation guide, "Record Batch". */
#include <string.h>

#include <rte_hash_crc.h>

#include "dataplane/kafka/kafka_prim.h"
#include "dataplane/kafka/kafka_records.h"

enum {
	RS_HDR = 0, /* gathering a batch header: 17 bytes tell the magic, 61 the whole v2 header */
	RS_BODY,    /* inside a v2 batch after its header: CRC, and record walk if uncompressed */
	RS_LEGACY,  /* inside a magic 0/1 message: skipped */
	RS_SKIP,    /* malformed: the rest of the field is skipped */
};

#define BATCH_PROBE_LEN 17 /* base offset, length, leader epoch, magic */
#define CRC_START 21       /* the CRC covers attributes .. end of batch */

/* rte_hash_crc reads 8/4/2-byte words: feed the unaligned head bytewise (UBSan-clean, and no
 * split word loads on the hot part). */
static inline uint32_t
crc_update(const uint8_t *p, uint32_t len, uint32_t crc)
{
	while (len && ((uintptr_t)p & 7)) {
		crc = rte_hash_crc_1byte(*p++, crc);
		len--;
	}
	return rte_hash_crc(p, len, crc);
}

uint32_t
kw_kafka_crc32c(const uint8_t *p, uint32_t len)
{
	return ~crc_update(p, len, 0xffffffffu);
}

void
kw_kafka_records_sum_init(struct kw_kafka_records_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->producer_id = -1;
	sum->producer_epoch = -1;
	sum->base_sequence = -1;
}

void
kw_kafka_records_begin(struct kw_kafka_records *rs, struct kw_kafka_records_sum *sum,
		       uint64_t off, uint64_t len)
{
	rs->sum = sum;
	rs->left = len;
	rs->state = RS_HDR;
	rs->have = 0;
	rs->walk = 0;
	if (sum->fields == 0)
		sum->off = off;
	sum->fields++;
	sum->bytes += len;
}

static void
batch_header(struct kw_kafka_records *rs)
{
	struct kw_kafka_records_sum *sum = rs->sum;
	const uint8_t *h = rs->hdr;
	uint16_t attr = kw_kafka_prim_be16(h + 21);
	int32_t count = (int32_t)kw_kafka_prim_be32(h + 57);

	sum->batches++;
	if (sum->batches == 1) {
		sum->producer_id = (int64_t)kw_kafka_prim_be64(h + 43);
		sum->producer_epoch = (int16_t)kw_kafka_prim_be16(h + 51);
		sum->base_sequence = (int32_t)kw_kafka_prim_be32(h + 53);
	}
	sum->codec = attr & 0x7;
	sum->transactional |= (attr >> 4) & 1;
	sum->control |= (attr >> 5) & 1;
	if (count > 0)
		sum->records_hdr += (uint32_t)count;
	rs->crc_want = kw_kafka_prim_be32(h + 17);
	rs->crc = crc_update(h + CRC_START, KW_KAFKA_BATCH_HDR_LEN - CRC_START, 0xffffffffu);
	rs->batch_left = kw_kafka_prim_be32(h + 8) - KW_KAFKA_BATCH_MIN_LEN;
	/* Only uncompressed record bodies can be walked in place. */
	rs->walk = (attr & 0x7) == 0 && count >= 0;
	rs->nrec = 0;
	rs->rec_left = 0;
	rs->have = 0;
	rs->state = RS_BODY;
}

static void
batch_end(struct kw_kafka_records *rs)
{
	struct kw_kafka_records_sum *sum = rs->sum;

	if (~rs->crc != rs->crc_want)
		sum->crc_bad++;
	if (rs->walk && (rs->have != 0 || rs->rec_left != 0 ||
			 rs->nrec != kw_kafka_prim_be32(rs->hdr + 57)))
		sum->malformed++;
	rs->state = RS_HDR;
	rs->have = 0;
}

/*
 * Walk records (length-prefixed, zigzag varint) of an uncompressed batch. hdr[0..4] is reused
 * to gather a length that straddles pieces: the batch header was consumed already.
 */
static void
walk_records(struct kw_kafka_records *rs, const uint8_t *p, uint32_t len)
{
	while (len && rs->walk) {
		if (rs->rec_left) {
			uint32_t n = len < rs->rec_left ? len : rs->rec_left;
			rs->rec_left -= n;
			p += n;
			len -= n;
			continue;
		}
		int64_t v = 0;
		int c;

		if (rs->have == 0 && (c = kw_kafka_prim_varint(p, len, false, &v)) > 0) {
			/* Fast path: the whole length is in the piece (the byte-by-byte gathering
			 * below stops at the same byte with the same value). */
			p += c;
			len -= (uint32_t)c;
		} else {
			rs->hdr[rs->have++] = *p++;
			len--;
			c = kw_kafka_prim_varint(rs->hdr, rs->have, false, &v);
			if (c == -EAGAIN && rs->have < KW_KAFKA_UVARINT32_MAX)
				continue;
			rs->have = 0;
		}
		/* Tail: the bytes of this piece still in the batch after the length. */
		if (c < 0 || v <= 0 || (uint64_t)v > (uint64_t)rs->batch_left + len) {
			rs->sum->malformed++;
			rs->walk = 0;
			break;
		}
		rs->rec_left = (uint32_t)v;
		rs->nrec++;
		rs->sum->records++;
	}
}

void
kw_kafka_records_feed(struct kw_kafka_records *rs, const uint8_t *p, uint32_t len)
{
	struct kw_kafka_records_sum *sum = rs->sum;

	if (len > rs->left)
		len = (uint32_t)rs->left;
	rs->left -= len;
	while (len) {
		uint32_t n;

		switch (rs->state) {
		case RS_HDR: {
			uint8_t need = rs->have < BATCH_PROBE_LEN ? BATCH_PROBE_LEN :
				       KW_KAFKA_BATCH_HDR_LEN;
			n = need - rs->have;
			if (n > len)
				n = len;
			memcpy(rs->hdr + rs->have, p, n);
			rs->have += (uint8_t)n;
			p += n;
			len -= n;
			if (rs->have < need)
				break;
			int32_t blen = (int32_t)kw_kafka_prim_be32(rs->hdr + 8);
			uint8_t magic = rs->hdr[16];
			if (need == KW_KAFKA_BATCH_HDR_LEN) {
				batch_header(rs);
				if (rs->batch_left == 0)
					batch_end(rs);
			} else if (magic == 2 && blen >= KW_KAFKA_BATCH_MIN_LEN) {
				/* gather the rest of the v2 header */
			} else if ((magic == 0 || magic == 1) && blen >= 14) {
				/* crc, magic, attributes, [timestamp,] key, value: skipped */
				sum->legacy++;
				rs->batch_left = (uint32_t)blen - 5;
				rs->state = RS_LEGACY;
			} else {
				sum->malformed++;
				rs->state = RS_SKIP;
			}
			break;
		}
		case RS_BODY:
			n = len < rs->batch_left ? len : rs->batch_left;
			rs->crc = crc_update(p, n, rs->crc);
			rs->batch_left -= n;
			if (rs->walk)
				walk_records(rs, p, n);
			p += n;
			len -= n;
			if (rs->batch_left == 0)
				batch_end(rs);
			break;
		case RS_LEGACY:
			n = len < rs->batch_left ? len : rs->batch_left;
			rs->batch_left -= n;
			p += n;
			len -= n;
			if (rs->batch_left == 0) {
				rs->state = RS_HDR;
				rs->have = 0;
			}
			break;
		default:
			return;
		}
	}
}

void
kw_kafka_records_end(struct kw_kafka_records *rs)
{
	/* Brokers cut the last batch of a Fetch response at the size limit: not an error. */
	if ((rs->state == RS_HDR && rs->have) || rs->state == RS_BODY || rs->state == RS_LEGACY)
		rs->sum->partial++;
	rs->state = RS_SKIP;
}
