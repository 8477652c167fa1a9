/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kw_commit_client: a consumer that commits offsets the broker answers in part with errors, as
 * a consumer still committing a topic that was deleted does: for scripts/make-captures.sh.
 *
 *   kw_commit_client BOOTSTRAP TOPIC GROUP
 *
 * Commits, for GROUP, without joining it (librdkafka's standalone commit): TOPIC[0] 3 and
 * no-such-topic[0] 9 and [1] 10, in one OffsetCommit. Exits 0 when the commit failed with
 * UNKNOWN_TOPIC_OR_PARTITION, the error of the topic the broker does not have, 1 otherwise (on
 * stderr). librdkafka 2.0.2 reports the commit's first error, not each partition's: what the
 * broker answered for each is on the wire, where the capture has it.
 */
#include <stdio.h>

#include <librdkafka/rdkafka.h>

/* The partitions committed: TOPIC (0) or no-such-topic (1), index, offset. */
static const struct {
	int topic;
	int32_t partition;
	int64_t offset;
} commits[] = {{0, 0, 3}, {1, 0, 9}, {1, 1, 10}};

#define N_COMMITS (int)(sizeof(commits) / sizeof(commits[0]))

int
main(int argc, char **argv)
{
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_conf_t *conf;
	rd_kafka_resp_err_t err;
	char errstr[256];
	rd_kafka_t *rk;

	if (argc != 4) {
		fprintf(stderr, "usage: kw_commit_client BOOTSTRAP TOPIC GROUP\n");
		return 1;
	}
	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "group.id", argv[3], errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "client.id", "kw-commit-client", errstr, sizeof(errstr))) {
		fprintf(stderr, "kw_commit_client: %s\n", errstr);
		rd_kafka_conf_destroy(conf);
		return 1;
	}
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (rk == NULL) {
		fprintf(stderr, "kw_commit_client: rd_kafka_new: %s\n", errstr);
		rd_kafka_conf_destroy(conf);
		return 1;
	}
	parts = rd_kafka_topic_partition_list_new(N_COMMITS);
	for (int i = 0; i < N_COMMITS; i++)
		rd_kafka_topic_partition_list_add(parts, commits[i].topic ? "no-such-topic" : argv[2],
						  commits[i].partition)
			->offset = commits[i].offset;
	err = rd_kafka_commit(rk, parts, 0); /* synchronous */
	if (err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
		fprintf(stderr, "kw_commit_client: commit: %s\n", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(parts);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? 0 : 1;
}
