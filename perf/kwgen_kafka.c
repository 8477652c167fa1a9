/* SPDX-License-Identifier: BSD-3-Clause */
/* kwgen Kafka message builders; see kwgen_kafka.h. Field order follows the message schemas. */
#include "kwgen_kafka.h"

#include <stdio.h>

#ifndef KW_VERSION
#define KW_VERSION "0.1.0"
#endif

/* A broker's ApiVersions answer: {key, min, max}, roughly what a Kafka 3.1 broker lists. */
static const int16_t api_table[][3] = {
	{0, 0, 9},  {1, 0, 13}, {2, 0, 7},  {3, 0, 12}, {8, 0, 8},  {9, 0, 8},	{10, 0, 4},
	{11, 0, 9}, {12, 0, 4}, {13, 0, 5}, {14, 0, 5}, {15, 0, 5}, {16, 0, 4}, {17, 0, 1},
	{18, 0, 3}, {19, 0, 7}, {20, 0, 6}, {21, 0, 2}, {22, 0, 4}, {23, 0, 4}, {24, 0, 3},
	{25, 0, 3}, {26, 0, 3}, {27, 0, 1}, {28, 0, 3}, {29, 0, 2}, {30, 0, 2}, {31, 0, 2},
	{32, 0, 4}, {33, 0, 2}, {34, 0, 2}, {35, 0, 2}, {36, 0, 2}, {37, 0, 3}, {38, 0, 2},
	{39, 0, 2}, {40, 0, 2}, {41, 0, 2}, {42, 0, 2}, {43, 0, 2}, {44, 0, 1}, {45, 0, 0},
	{46, 0, 0}, {47, 0, 0}, {48, 0, 1}, {49, 0, 1}, {50, 0, 0}, {51, 0, 0}, {56, 0, 0},
	{57, 0, 0}, {60, 0, 0}, {61, 0, 0}, {65, 0, 0}, {66, 0, 0}, {67, 0, 0},
};

/* Start a message: reserve the int32 size; returns the offset to hand to msg_end(). */
static size_t
msg_begin(struct kw_gen_buf *b)
{
	size_t at = b->len;
	kw_gen_buf_put_be32(b, 0);
	return at;
}

static void
msg_end(struct kw_gen_buf *b, size_t at)
{
	kw_gen_buf_patch_be32(b, at, (uint32_t)(b->len - at - 4));
}

/* Request header v2 (v1 for classic versions): key, version, correlation id, client id, tags. */
static size_t
req_begin(struct kw_gen_buf *b, int16_t key, int16_t version, int32_t corr, int flexible)
{
	size_t at = msg_begin(b);
	kw_gen_buf_put_be16(b, (uint16_t)key);
	kw_gen_buf_put_be16(b, (uint16_t)version);
	kw_gen_buf_put_be32(b, (uint32_t)corr);
	kw_gen_buf_put_str(b, KW_GEN_KAFKA_CLIENT_ID); /* never compact, even in v2 */
	if (flexible)
		kw_gen_buf_put_tags(b);
	return at;
}

/* Response header v1 (correlation id, tags); v0 drops the tags, as ApiVersions always does. */
static size_t
resp_begin(struct kw_gen_buf *b, int32_t corr, int flexible_header)
{
	size_t at = msg_begin(b);
	kw_gen_buf_put_be32(b, (uint32_t)corr);
	if (flexible_header)
		kw_gen_buf_put_tags(b);
	return at;
}

/* A deterministic topic id, so Metadata answers look like a KRaft-era broker's. */
static void
put_topic_id(struct kw_gen_buf *b, uint64_t seed)
{
	uint64_t st = seed ^ 0x746f706963ull;
	kw_gen_buf_put_be64(b, kw_gen_rand_next(&st));
	kw_gen_buf_put_be64(b, kw_gen_rand_next(&st));
}

static void
put_record(struct kw_gen_buf *rec, const struct kw_gen_kafka_params *p, uint32_t stream,
	   int64_t offset, int32_t delta)
{
	char key[32];
	int klen = snprintf(key, sizeof(key), "key-%lld", (long long)offset);

	kw_gen_buf_put_u8(rec, 0);	   /* attributes */
	kw_gen_buf_put_varint(rec, delta); /* timestampDelta: one record per ms */
	kw_gen_buf_put_varint(rec, delta); /* offsetDelta */
	kw_gen_buf_put_varint(rec, klen);
	kw_gen_buf_put(rec, key, (size_t)klen);
	kw_gen_buf_put_varint(rec, p->record_size);
	/* Printable values so that tshark and hexdumps stay readable. */
	uint64_t st = p->seed ^ ((uint64_t)stream << 40) ^ (uint64_t)offset * 0x100000001b3ull;
	uint64_t r = 0;
	for (uint32_t i = 0; i < p->record_size; i++) {
		if (i % 8 == 0)
			r = kw_gen_rand_next(&st);
		kw_gen_buf_put_u8(rec, (uint8_t)('a' + (r & 0xff) % 26));
		r >>= 8;
	}
	kw_gen_buf_put_varint(rec, p->headers);
	for (uint32_t h = 0; h < p->headers; h++) {
		char hk[24], hv[24];
		int hkl = snprintf(hk, sizeof(hk), "kwgen-h%u", h);
		int hvl = snprintf(hv, sizeof(hv), "%u-%lld", stream, (long long)offset);
		kw_gen_buf_put_varint(rec, hkl);
		kw_gen_buf_put(rec, hk, (size_t)hkl);
		kw_gen_buf_put_varint(rec, hvl);
		kw_gen_buf_put(rec, hv, (size_t)hvl);
	}
}

void
kw_gen_kafka_batch_build(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, uint32_t stream,
			 int64_t base_offset, int from_broker)
{
	struct kw_gen_buf rec;
	int64_t ts = KW_GEN_KAFKA_EPOCH_MS + base_offset;
	size_t start = b->len;

	kw_gen_buf_put_be64(b, from_broker ? (uint64_t)base_offset : 0);
	kw_gen_buf_put_be32(b, 0);			      /* batchLength, patched */
	kw_gen_buf_put_be32(b, from_broker ? 0 : UINT32_MAX); /* partitionLeaderEpoch */
	kw_gen_buf_put_u8(b, 2);			      /* magic */
	kw_gen_buf_put_be32(b, 0);			      /* crc, patched */
	size_t crc_from = b->len;
	kw_gen_buf_put_be16(b, 0); /* attributes: no compression, CreateTime */
	kw_gen_buf_put_be32(b, p->records - 1);
	kw_gen_buf_put_be64(b, (uint64_t)ts);
	kw_gen_buf_put_be64(b, (uint64_t)(ts + p->records - 1));
	kw_gen_buf_put_be64(b, UINT64_MAX); /* producerId -1: not idempotent */
	kw_gen_buf_put_be16(b, UINT16_MAX); /* producerEpoch -1 */
	kw_gen_buf_put_be32(b, UINT32_MAX); /* baseSequence -1 */
	kw_gen_buf_put_be32(b, p->records);

	kw_gen_buf_init(&rec);
	for (uint32_t i = 0; i < p->records; i++) {
		kw_gen_buf_reset(&rec);
		put_record(&rec, p, stream, base_offset + i, (int32_t)i);
		if (rec.err != 0) {
			b->err = rec.err;
			break;
		}
		kw_gen_buf_put_varint(b, (int64_t)rec.len);
		kw_gen_buf_put(b, rec.data, rec.len);
	}
	kw_gen_buf_fini(&rec);
	if (b->err != 0)
		return;
	/* batchLength counts from partitionLeaderEpoch; the CRC covers attributes..end. */
	kw_gen_buf_patch_be32(b, start + 8, (uint32_t)(b->len - start - 12));
	kw_gen_buf_patch_be32(b, crc_from - 4,
			      kw_gen_crc32c(b->data + crc_from, b->len - crc_from));
}

/* Version-dependent encodings: compact (flexible versions, KIP-482) or classic. */
static void
put_string(struct kw_gen_buf *b, int flex, const char *s)
{
	if (flex)
		kw_gen_buf_put_cstr(b, s);
	else
		kw_gen_buf_put_str(b, s);
}

static void
put_array(struct kw_gen_buf *b, int flex, uint32_t n)
{
	if (flex)
		kw_gen_buf_put_carray(b, n);
	else
		kw_gen_buf_put_be32(b, n);
}

static void
put_tags(struct kw_gen_buf *b, int flex)
{
	if (flex)
		kw_gen_buf_put_tags(b);
}

/* Append a record batch as RECORDS (int32 length) or COMPACT_RECORDS (uvarint length + 1). */
static void
put_records(struct kw_gen_buf *b, int flex, const struct kw_gen_kafka_params *p, uint32_t stream,
	    int64_t base_offset, int from_broker)
{
	struct kw_gen_buf batch;
	kw_gen_buf_init(&batch);
	kw_gen_kafka_batch_build(&batch, p, stream, base_offset, from_broker);
	if (batch.err != 0) {
		b->err = batch.err;
	} else if (flex) {
		kw_gen_buf_put_cbytes(b, batch.data, batch.len);
	} else {
		kw_gen_buf_put_be32(b, (uint32_t)batch.len);
		kw_gen_buf_put(b, batch.data, batch.len);
	}
	kw_gen_buf_fini(&batch);
}

int
kw_gen_kafka_version_ok(int16_t api_key, int16_t version)
{
	switch (api_key) {
	case KW_GEN_KAFKA_PRODUCE:
		return version >= 3 && version <= 9;
	case KW_GEN_KAFKA_FETCH:
		return version >= 4 && version <= 13;
	case KW_GEN_KAFKA_METADATA:
		return version >= 9 && version <= 12;
	case KW_GEN_KAFKA_API_VERSIONS:
		return version == 3;
	default:
		return 0;
	}
}

void
kw_gen_kafka_api_versions_req(struct kw_gen_buf *b, int32_t corr)
{
	size_t at = req_begin(b, KW_GEN_KAFKA_API_VERSIONS, 3, corr, 1);
	kw_gen_buf_put_cstr(b, "kwgen");
	kw_gen_buf_put_cstr(b, KW_VERSION);
	kw_gen_buf_put_tags(b);
	msg_end(b, at);
}

void
kw_gen_kafka_api_versions_resp(struct kw_gen_buf *b, int32_t corr)
{
	/* ApiVersions responses always use response header v0 (KIP-511). */
	size_t at = resp_begin(b, corr, 0);
	uint32_t n = sizeof(api_table) / sizeof(api_table[0]);
	kw_gen_buf_put_be16(b, 0); /* error_code */
	kw_gen_buf_put_carray(b, n);
	for (uint32_t i = 0; i < n; i++) {
		kw_gen_buf_put_be16(b, (uint16_t)api_table[i][0]);
		kw_gen_buf_put_be16(b, (uint16_t)api_table[i][1]);
		kw_gen_buf_put_be16(b, (uint16_t)api_table[i][2]);
		kw_gen_buf_put_tags(b);
	}
	kw_gen_buf_put_be32(b, 0); /* throttle_time_ms */
	kw_gen_buf_put_tags(b);
	msg_end(b, at);
}

void
kw_gen_kafka_metadata_req(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int32_t corr)
{
	static const uint8_t zero_uuid[16];
	int16_t v = p->metadata_v;
	size_t at = req_begin(b, KW_GEN_KAFKA_METADATA, v, corr, 1);
	kw_gen_buf_put_carray(b, 1);
	if (v >= 10)
		kw_gen_buf_put(b, zero_uuid, sizeof(zero_uuid)); /* topic_id: asking by name */
	kw_gen_buf_put_cstr(b, KW_GEN_KAFKA_TOPIC);
	kw_gen_buf_put_tags(b);
	kw_gen_buf_put_u8(b, 1); /* allow_auto_topic_creation */
	if (v <= 10)
		kw_gen_buf_put_u8(b, 0); /* include_cluster_authorized_operations */
	kw_gen_buf_put_u8(b, 0);	 /* include_topic_authorized_operations */
	kw_gen_buf_put_tags(b);
	msg_end(b, at);
}

void
kw_gen_kafka_metadata_resp(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int32_t corr)
{
	int16_t v = p->metadata_v;
	size_t at = resp_begin(b, corr, 1);
	kw_gen_buf_put_be32(b, 0); /* throttle_time_ms */
	kw_gen_buf_put_carray(b, 1);
	kw_gen_buf_put_be32(b, KW_GEN_KAFKA_NODE_ID);
	kw_gen_buf_put_cstr(b, p->host);
	kw_gen_buf_put_be32(b, p->port);
	kw_gen_buf_put_cstr(b, NULL); /* rack */
	kw_gen_buf_put_tags(b);
	kw_gen_buf_put_cstr(b, "kwgen-cluster-00000000");
	kw_gen_buf_put_be32(b, KW_GEN_KAFKA_NODE_ID); /* controller_id */
	kw_gen_buf_put_carray(b, 1);
	kw_gen_buf_put_be16(b, 0); /* error_code */
	kw_gen_buf_put_cstr(b, KW_GEN_KAFKA_TOPIC);
	if (v >= 10)
		put_topic_id(b, p->seed);
	kw_gen_buf_put_u8(b, 0); /* is_internal */
	kw_gen_buf_put_carray(b, KW_GEN_KAFKA_PARTITIONS);
	for (int32_t i = 0; i < KW_GEN_KAFKA_PARTITIONS; i++) {
		kw_gen_buf_put_be16(b, 0);
		kw_gen_buf_put_be32(b, (uint32_t)i);
		kw_gen_buf_put_be32(b, KW_GEN_KAFKA_NODE_ID); /* leader_id */
		kw_gen_buf_put_be32(b, 0);		      /* leader_epoch */
		kw_gen_buf_put_carray(b, 1);		      /* replica_nodes */
		kw_gen_buf_put_be32(b, KW_GEN_KAFKA_NODE_ID);
		kw_gen_buf_put_carray(b, 1); /* isr_nodes */
		kw_gen_buf_put_be32(b, KW_GEN_KAFKA_NODE_ID);
		kw_gen_buf_put_carray(b, 0); /* offline_replicas */
		kw_gen_buf_put_tags(b);
	}
	kw_gen_buf_put_be32(b, 0x80000000u); /* topic_authorized_operations: not requested */
	kw_gen_buf_put_tags(b);
	if (v <= 10)
		kw_gen_buf_put_be32(b, 0x80000000u); /* cluster_authorized_operations */
	kw_gen_buf_put_tags(b);
	msg_end(b, at);
}

void
kw_gen_kafka_produce_req(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int32_t corr,
			 uint32_t stream, int32_t partition, int64_t base_offset)
{
	int16_t v = p->produce_v;
	int flex = v >= 9;
	size_t at = req_begin(b, KW_GEN_KAFKA_PRODUCE, v, corr, flex);
	put_string(b, flex, NULL);	    /* transactional_id */
	kw_gen_buf_put_be16(b, UINT16_MAX); /* acks = -1 (all) */
	kw_gen_buf_put_be32(b, 30000);	    /* timeout_ms */
	put_array(b, flex, 1);
	put_string(b, flex, KW_GEN_KAFKA_TOPIC);
	put_array(b, flex, 1);
	kw_gen_buf_put_be32(b, (uint32_t)partition);
	put_records(b, flex, p, stream, base_offset, 0);
	put_tags(b, flex);
	put_tags(b, flex);
	put_tags(b, flex);
	msg_end(b, at);
}

void
kw_gen_kafka_produce_resp(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int32_t corr,
			  int32_t partition, int64_t base_offset)
{
	int16_t v = p->produce_v;
	int flex = v >= 9;
	size_t at = resp_begin(b, corr, flex);
	put_array(b, flex, 1);
	put_string(b, flex, KW_GEN_KAFKA_TOPIC);
	put_array(b, flex, 1);
	kw_gen_buf_put_be32(b, (uint32_t)partition);
	kw_gen_buf_put_be16(b, 0);		       /* error_code */
	kw_gen_buf_put_be64(b, (uint64_t)base_offset); /* base_offset */
	kw_gen_buf_put_be64(b, UINT64_MAX);	       /* log_append_time_ms -1: CreateTime */
	if (v >= 5)
		kw_gen_buf_put_be64(b, 0); /* log_start_offset */
	if (v >= 8) {
		put_array(b, flex, 0);	   /* record_errors */
		put_string(b, flex, NULL); /* error_message */
	}
	put_tags(b, flex);
	put_tags(b, flex);
	kw_gen_buf_put_be32(b, 0); /* throttle_time_ms */
	put_tags(b, flex);
	msg_end(b, at);
}

/* Fetch v13+ names topics by id; earlier versions by name. */
static void
put_fetch_topic(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int flex)
{
	if (p->fetch_v >= 13)
		put_topic_id(b, p->seed);
	else
		put_string(b, flex, KW_GEN_KAFKA_TOPIC);
}

void
kw_gen_kafka_fetch_req(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int32_t corr,
		       int32_t partition, int64_t fetch_offset)
{
	int16_t v = p->fetch_v;
	int flex = v >= 12;
	size_t at = req_begin(b, KW_GEN_KAFKA_FETCH, v, corr, flex);
	kw_gen_buf_put_be32(b, UINT32_MAX); /* replica_id -1: a consumer */
	kw_gen_buf_put_be32(b, 500);	    /* max_wait_ms */
	kw_gen_buf_put_be32(b, 1);	    /* min_bytes */
	kw_gen_buf_put_be32(b, 52428800);   /* max_bytes */
	kw_gen_buf_put_u8(b, 0);	    /* isolation_level: read uncommitted */
	if (v >= 7) {
		kw_gen_buf_put_be32(b, 0);	    /* session_id */
		kw_gen_buf_put_be32(b, UINT32_MAX); /* session_epoch -1: full fetch, no session */
	}
	put_array(b, flex, 1);
	put_fetch_topic(b, p, flex);
	put_array(b, flex, 1);
	kw_gen_buf_put_be32(b, (uint32_t)partition);
	if (v >= 9)
		kw_gen_buf_put_be32(b, 0); /* current_leader_epoch */
	kw_gen_buf_put_be64(b, (uint64_t)fetch_offset);
	if (v >= 12)
		kw_gen_buf_put_be32(b, UINT32_MAX); /* last_fetched_epoch -1 */
	if (v >= 5)
		kw_gen_buf_put_be64(b, UINT64_MAX); /* log_start_offset -1: not a follower */
	kw_gen_buf_put_be32(b, 1048576);	    /* partition_max_bytes */
	put_tags(b, flex);
	put_tags(b, flex);
	if (v >= 7)
		put_array(b, flex, 0); /* forgotten_topics_data */
	if (v >= 11)
		put_string(b, flex, ""); /* rack_id */
	put_tags(b, flex);
	msg_end(b, at);
}

void
kw_gen_kafka_fetch_resp(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int32_t corr,
			uint32_t stream, int32_t partition, int64_t fetch_offset)
{
	int16_t v = p->fetch_v;
	int flex = v >= 12;
	int64_t hw = fetch_offset + p->records;
	size_t at = resp_begin(b, corr, flex);
	kw_gen_buf_put_be32(b, 0); /* throttle_time_ms */
	if (v >= 7) {
		kw_gen_buf_put_be16(b, 0); /* error_code */
		kw_gen_buf_put_be32(b, 0); /* session_id */
	}
	put_array(b, flex, 1);
	put_fetch_topic(b, p, flex);
	put_array(b, flex, 1);
	kw_gen_buf_put_be32(b, (uint32_t)partition);
	kw_gen_buf_put_be16(b, 0);	      /* error_code */
	kw_gen_buf_put_be64(b, (uint64_t)hw); /* high_watermark */
	kw_gen_buf_put_be64(b, (uint64_t)hw); /* last_stable_offset */
	if (v >= 5)
		kw_gen_buf_put_be64(b, 0); /* log_start_offset */
	put_array(b, flex, 0);		   /* aborted_transactions: none */
	if (v >= 11)
		kw_gen_buf_put_be32(b, UINT32_MAX); /* preferred_read_replica -1 */
	put_records(b, flex, p, stream, fetch_offset, 1);
	put_tags(b, flex);
	put_tags(b, flex);
	put_tags(b, flex);
	msg_end(b, at);
}
