/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker hands the control thread for every Kafka request/response pair: the decoder's
 * event plus the flow, the time, and the connection's identity. Records come from a per-worker
 * pool and travel through a per-worker single-producer ring; the control thread turns them into
 * the request log and the per-client/topic/group statistics, then puts them back in the pool.
 * A full ring or an empty pool drops the record and counts it (kafka_rec_dropped).
 */
#ifndef KW_KAFKA_REC_H
#define KW_KAFKA_REC_H

#include <stdint.h>

#include "dataplane/kafka/kafka_conn.h"

struct kw_kafka_rec {
	struct kw_kafka_event ev;
	uint64_t ts_ns;       /* UNIX time of the request: capture time in pcap mode, else wall clock */
	uint64_t latency_ns;  /* request complete -> response complete; 0 without a response */
	uint16_t worker;
	uint8_t family;       /* 4 or 6 */
	uint8_t client[16];   /* the side that sends requests */
	uint8_t broker[16];
	uint16_t client_port;
	uint16_t broker_port;
	struct kw_kafka_str principal;  /* SASL username, empty if none */
	struct kw_kafka_str mechanism;  /* SASL mechanism, empty if none */
	struct kw_kafka_str sw_name;    /* ApiVersions v3+ client software */
	struct kw_kafka_str sw_version;
};

#endif /* KW_KAFKA_REC_H */
