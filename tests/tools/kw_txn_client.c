/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kw_txn_client: a transactional producer that commits consumer offsets inside its
 * transactions, as a consume-transform-produce application (Kafka Streams exactly-once) does,
 * with librdkafka's transactions API: for tests/integration/test_live_txn.sh.
 *
 *   kw_txn_client BOOTSTRAP TOPIC GROUP
 *
 * Transaction 1 produces one message to TOPIC and sends the offsets TOPIC[0] 5 and TOPIC[1] 7 of
 * GROUP, then commits (TxnOffsetCommit, then EndTxn committing). Transaction 2 produces one and
 * sends TOPIC[0] 50, then aborts. Exits 0 when every step succeeded, 1 otherwise (the failing
 * step on stderr).
 */
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kw_rdkafka.h"

#define TIMEOUT_MS 10000

/* Prints a transactions API error of step what; returns 1 when there was one. */
static int
failed(rd_kafka_error_t *error, const char *what)
{
	if (error == NULL)
		return 0;
	fprintf(stderr, "kw_txn_client: %s: %s\n", what, rd_kafka_error_string(error));
	rd_kafka_error_destroy(error);
	return 1;
}

/* One transaction: a message to topic, offsets[] of partitions 0.. for group, commit or abort. */
static int
transaction(rd_kafka_t *rk, const char *topic, const char *group, const int64_t *offsets, int n,
	    int commit)
{
	rd_kafka_consumer_group_metadata_t *cgmd;
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_resp_err_t err;
	rd_kafka_error_t *error;

	if (failed(rd_kafka_begin_transaction(rk), "begin_transaction"))
		return 1;
	err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
				RD_KAFKA_V_VALUE("txn", 3), RD_KAFKA_V_END);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "kw_txn_client: produce: %s\n", rd_kafka_err2str(err));
		return 1;
	}
	parts = rd_kafka_topic_partition_list_new(n);
	for (int p = 0; p < n; p++)
		rd_kafka_topic_partition_list_add(parts, topic, p)->offset = offsets[p];
	cgmd = rd_kafka_consumer_group_metadata_new(group);
	error = rd_kafka_send_offsets_to_transaction(rk, parts, cgmd, TIMEOUT_MS);
	rd_kafka_consumer_group_metadata_destroy(cgmd);
	rd_kafka_topic_partition_list_destroy(parts);
	if (failed(error, "send_offsets_to_transaction"))
		return 1;
	if (commit)
		return failed(rd_kafka_commit_transaction(rk, TIMEOUT_MS), "commit_transaction");
	return failed(rd_kafka_abort_transaction(rk, TIMEOUT_MS), "abort_transaction");
}

int
main(int argc, char **argv)
{
	static const int64_t first[] = {5, 7}, second[] = {50};
	rd_kafka_t *rk;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: kw_txn_client BOOTSTRAP TOPIC GROUP\n");
		return 1;
	}
	rk = kw_rdkafka_new("kw_txn_client", RD_KAFKA_PRODUCER,
			    (const char *const[]){"bootstrap.servers", argv[1], "transactional.id",
						  "kw-txn-client", "client.id", "kw-txn-client",
						  NULL});
	if (rk == NULL)
		return 1;
	rc = failed(rd_kafka_init_transactions(rk, TIMEOUT_MS), "init_transactions") ||
	     transaction(rk, argv[2], argv[3], first, 2, 1) ||
	     transaction(rk, argv[2], argv[3], second, 1, 0);
	rd_kafka_destroy(rk);
	return rc;
}
