/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming Kafka record-set parser: record batches (magic 2) with an incremental CRC32C check,
 * legacy message sets (magic 0/1) framed and counted.
 *
 * Called by the Kafka stream decoder on the worker that owns the flow, one records field at a
 * time: begin, feed the field's bytes in as many pieces as they arrive, end. It keeps no pointer
 * to the input; a batch header that straddles pieces is gathered into a 61-byte buffer, record
 * bodies are walked in place. It owns only its struct and writes the summary it is given.
 *
 * With a record hook set, the records of uncompressed batches are also parsed field by field and
 * each complete, well-formed one is handed to the hook as stream offsets of its key, value and
 * headers (the bytes themselves are never copied). The struct must start zeroed (no hook).
 */
#ifndef KW_KAFKA_RECORDS_H
#define KW_KAFKA_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#define KW_KAFKA_BATCH_HDR_LEN 61   /* record batch v2 header, base offset .. record count */
#define KW_KAFKA_BATCH_MIN_LEN 49   /* smallest batchLength: header bytes after that field */

/* What a records field turned out to hold; accumulated over all records fields of a message. */
struct kw_kafka_records_sum {
	uint64_t off;          /* stream offset of the first records field's bytes */
	uint64_t bytes;        /* bytes in all records fields */
	uint32_t fields;       /* records fields seen (non-null) */
	uint32_t batches;      /* magic 2 batches whose header was complete */
	uint32_t records;      /* records counted inside uncompressed batches */
	uint32_t records_hdr;  /* record counts claimed by batch headers */
	uint32_t legacy;       /* magic 0/1 messages */
	uint32_t crc_bad;      /* complete batches whose CRC32C did not match */
	uint32_t partial;      /* batch cut short by the end of the field (normal in Fetch) */
	uint32_t malformed;    /* bad magic, length or record framing */
	int64_t producer_id;   /* of the first batch, -1 when none */
	int16_t producer_epoch;
	int32_t base_sequence;
	uint8_t codec;         /* attributes & 7 of the last batch: 0 none, 1 gzip, 2 snappy, ... */
	uint8_t transactional; /* some batch had the transactional bit */
	uint8_t control;       /* some batch was a control batch */
};

/*
 * One record of an uncompressed batch (record batch v2), as stream offsets. A record's bytes are
 * off .. off + length varint + len; key, value and headers lie inside them.
 */
struct kw_kafka_record {
	uint64_t off;          /* stream offset of the record's length varint */
	uint32_t len;          /* record bytes after the length */
	uint32_t batch;        /* index of the magic 2 batch within this records field, from 0 */
	int64_t offset;        /* batch base offset + offsetDelta */
	int64_t timestamp;     /* batch first timestamp + timestampDelta */
	uint64_t key_off;      /* stream offset of the key bytes */
	uint64_t value_off;    /* stream offset of the value bytes */
	uint64_t headers_off;  /* stream offset of the first header (after the count) */
	int32_t key_len;       /* -1 null */
	int32_t value_len;     /* -1 null */
	uint32_t headers_len;  /* bytes of all headers */
	int32_t header_count;
};

/* Called on the worker, from inside kw_kafka_records_feed; rec is valid for the call only. */
typedef void (*kw_kafka_record_fn)(void *arg, const struct kw_kafka_record *rec);

struct kw_kafka_records {
	struct kw_kafka_records_sum *sum;
	uint64_t left;        /* bytes left in the records field */
	uint32_t batch_left;  /* bytes left in the current batch after its header */
	uint32_t rec_left;    /* bytes left in the current record */
	uint32_t crc;         /* running CRC32C (pre-inversion) over attributes .. end of batch */
	uint32_t crc_want;
	uint32_t nrec;        /* records seen in the current batch */
	uint8_t state;
	uint8_t have;         /* bytes gathered in hdr */
	uint8_t walk;         /* walk records of the current batch: 0 no, lengths, or fields */
	uint8_t fstate;       /* fields walk: what comes next in the record */
	/* Record hook and fields walk: with fn NULL only end and nbatch are written, per field. */
	uint32_t nbatch;      /* magic 2 batches begun in this field (counted with a hook) */
	uint32_t skip;        /* fields walk: key, value or header bytes still to pass */
	int32_t hdrs_left;    /* fields walk: headers still to parse */
	uint64_t end;         /* stream offset just past the field */
	int64_t next;         /* the offset after the field's last complete batch, -1 none */
	int64_t span;         /* offsets the field's complete v2 batches take (lastOffsetDelta + 1
			       * each; a Produce request's batches start at offset 0) */
	kw_kafka_record_fn fn;
	void *arg;
	/* the scalars above share their lines; a batch header is gathered after them */
	uint8_t hdr[KW_KAFKA_BATCH_HDR_LEN];
	struct kw_kafka_record rec; /* the record being parsed */
};

/*
 * Call fn(arg, rec) for every complete, well-formed record of the uncompressed batches fed from
 * now on (fn NULL: no hook, records are only counted). Set it before kw_kafka_records_begin or
 * between fields, not in the middle of one.
 */
void kw_kafka_records_set_hook(struct kw_kafka_records *rs, kw_kafka_record_fn fn, void *arg);

/* Start a records field of len bytes at stream offset off; sum is updated as bytes arrive. */
void kw_kafka_records_begin(struct kw_kafka_records *rs, struct kw_kafka_records_sum *sum,
			    uint64_t off, uint64_t len);

/* Feed the next len bytes of the field (never more than what is left). */
void kw_kafka_records_feed(struct kw_kafka_records *rs, const uint8_t *p, uint32_t len);

/*
 * The field is over (all bytes fed, or the frame ended early): account for any partial batch.
 * rs->next is then the offset a consumer reads next after this field's records: the last
 * complete batch's base offset + lastOffsetDelta + 1 (a legacy message's offset + 1), skipping
 * a batch whose CRC32C did not match; -1 when no batch was complete. A partial batch at the end
 * does not count: consumers drop it and fetch it again. rs->span sums lastOffsetDelta + 1 over
 * the same v2 batches: the offsets a Produce request's records take once appended.
 */
void kw_kafka_records_end(struct kw_kafka_records *rs);

/* Reset a summary to "nothing seen". */
void kw_kafka_records_sum_init(struct kw_kafka_records_sum *sum);

/* CRC32C as Kafka computes it (Castagnoli, inverted in and out), over a contiguous buffer. */
uint32_t kw_kafka_crc32c(const uint8_t *p, uint32_t len);

/* The ways kw_kafka_crc32c computes, from the longest runs it takes down (kafka_records.c). */
enum kw_kafka_crc_impl {
	KW_KAFKA_CRC_FOLD512, /* 256 bytes and up: VPCLMULQDQ folding, 512-bit (x86, AVX-512) */
	KW_KAFKA_CRC_FOLD,    /* 128 bytes and up: VPCLMULQDQ folding, 256-bit (x86) */
	KW_KAFKA_CRC_FOLD128, /* 64 bytes and up: PCLMULQDQ folding, 128-bit (x86) */
	KW_KAFKA_CRC_LANES,   /* 192 bytes and up: three crc32 chains joined by PCLMULQDQ (x86) */
	KW_KAFKA_CRC_CHAIN,   /* rte_hash_crc alone */
};

/* The one kw_kafka_crc32c uses for long runs on this CPU (chosen at start-up). */
enum kw_kafka_crc_impl kw_kafka_crc32c_impl(void);

/*
 * For tests: kw_kafka_crc32c with impl for the runs it takes and the plain chain for shorter
 * ones; false, *crc untouched, when this CPU or build has not got impl.
 */
bool kw_kafka_crc32c_by(enum kw_kafka_crc_impl impl, const uint8_t *p, uint32_t len, uint32_t *crc);

#endif /* KW_KAFKA_RECORDS_H */
