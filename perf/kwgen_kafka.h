/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwgen Kafka message builders: each call appends one complete size-delimited Kafka message
 * (int32 size, request header v2 or response header v0/v1, body) to a buffer, encoded per the
 * Apache Kafka message schemas, plus the magic-2 record batch builder they share.
 *
 * Called by the kwgen tool and its unit tests (single-threaded). Builders own nothing; record
 * contents are a pure function of (seed, stream, offset), so a Fetch response carries exactly
 * the records that the Produce request for the same offsets carried.
 */
#ifndef KW_GEN_KAFKA_H
#define KW_GEN_KAFKA_H

#include <stdint.h>

#include "kwgen_enc.h"

#define KW_GEN_KAFKA_PRODUCE	  0
#define KW_GEN_KAFKA_FETCH	  1
#define KW_GEN_KAFKA_METADATA	  3
#define KW_GEN_KAFKA_API_VERSIONS 18

/*
 * Default versions: all flexible (KIP-482). Supported ranges (kw_gen_kafka_version_ok()):
 * Produce 3-9 (flexible from 9), Fetch 4-13 (flexible from 12, topic ids from 13), Metadata 9-12
 * (all flexible), ApiVersions 3 only. Non-flexible requests use request header v1 and their
 * responses response header v0.
 */
#define KW_GEN_KAFKA_PRODUCE_V	9
#define KW_GEN_KAFKA_FETCH_V	12
#define KW_GEN_KAFKA_METADATA_V 12

#define KW_GEN_KAFKA_CLIENT_ID	"kwgen"
#define KW_GEN_KAFKA_TOPIC	"kwgen-topic"
#define KW_GEN_KAFKA_PARTITIONS 8
#define KW_GEN_KAFKA_NODE_ID	1
/* CreateTime of offset 0 (2024-01-01T00:00:00Z); offset n is stamped n ms later. */
#define KW_GEN_KAFKA_EPOCH_MS 1704067200000ll

/* Size of a record batch header, baseOffset through recordsCount. */
#define KW_GEN_KAFKA_BATCH_HDR 61

struct kw_gen_kafka_params {
	uint64_t seed;
	uint32_t records;     /* records per batch, >= 1 */
	uint32_t record_size; /* value bytes per record */
	uint32_t headers;     /* headers per record */
	uint16_t port;	      /* broker port advertised in Metadata */
	const char *host;     /* broker host advertised in Metadata */
	int16_t produce_v;
	int16_t fetch_v;
	int16_t metadata_v;
};

/* 1 if kwgen can encode @version of @api_key, else 0. */
int kw_gen_kafka_version_ok(int16_t api_key, int16_t version);

/*
 * Append a record batch of p->records records with offsets base_offset.. to @b. @stream selects
 * the value sequence (kwgen uses the connection index). @from_broker picks the broker's view
 * (real baseOffset, partitionLeaderEpoch 0) over the producer's (baseOffset 0, epoch -1); the
 * CRC is the same for both because it starts at attributes.
 */
void kw_gen_kafka_batch_build(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p,
			      uint32_t stream, int64_t base_offset, int from_broker);

void kw_gen_kafka_api_versions_req(struct kw_gen_buf *b, int32_t corr);
void kw_gen_kafka_api_versions_resp(struct kw_gen_buf *b, int32_t corr);
void kw_gen_kafka_metadata_req(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p,
			       int32_t corr);
void kw_gen_kafka_metadata_resp(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p,
				int32_t corr);
void kw_gen_kafka_produce_req(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p,
			      int32_t corr, uint32_t stream, int32_t partition,
			      int64_t base_offset);
void kw_gen_kafka_produce_resp(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p,
			       int32_t corr, int32_t partition, int64_t base_offset);
void kw_gen_kafka_fetch_req(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p, int32_t corr,
			    int32_t partition, int64_t fetch_offset);
void kw_gen_kafka_fetch_resp(struct kw_gen_buf *b, const struct kw_gen_kafka_params *p,
			     int32_t corr, uint32_t stream, int32_t partition,
			     int64_t fetch_offset);

#endif /* KW_GEN_KAFKA_H */
