/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kw_commit_client: a consumer that commits offsets the broker answers in part with errors, as
 * a consumer still committing a topic that was deleted does, then reads them back: for
 * scripts/make-captures.sh.
 *
 *   kw_commit_client BOOTSTRAP TOPIC GROUP
 *
 * Commits, for GROUP, without joining it (librdkafka's standalone commit): TOPIC[0] 3 and
 * no-such-topic[0] 9 and [1] 10, in one OffsetCommit. Then asks for the group's commits of
 * TOPIC[0] and no-such-topic[0] (an OffsetFetch), as a consumer does when it starts. Exits 0
 * when the commit failed with UNKNOWN_TOPIC_OR_PARTITION, the error of the topic the broker
 * does not have, and the read gave TOPIC[0] 3 and an error for no-such-topic[0]; 1 otherwise
 * (on stderr). librdkafka 2.0.2 reports the commit's first error, not each partition's: what
 * the broker answered for each is on the wire, where the capture has it.
 */
#include <inttypes.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "kw_rdkafka.h"

/* The partitions committed: TOPIC (0) or no-such-topic (1), index, offset. */
static const struct {
	int topic;
	int32_t partition;
	int64_t offset;
} commits[] = {{0, 0, 3}, {1, 0, 9}, {1, 1, 10}};

#define N_COMMITS (int)(sizeof(commits) / sizeof(commits[0]))

/* The first n partitions of commits[] with their offsets, TOPIC named topic. */
static rd_kafka_topic_partition_list_t *
commit_list(int n, const char *topic)
{
	rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n);

	for (int i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(parts, commits[i].topic ? "no-such-topic" : topic,
						  commits[i].partition)
			->offset = commits[i].offset;
	return parts;
}

int
main(int argc, char **argv)
{
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;
	int ok = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: kw_commit_client BOOTSTRAP TOPIC GROUP\n");
		return 1;
	}
	rk = kw_rdkafka_new("kw_commit_client", RD_KAFKA_CONSUMER,
			    (const char *const[]){"bootstrap.servers", argv[1], "group.id", argv[3],
						  "client.id", "kw-commit-client", NULL});
	if (rk == NULL)
		return 1;
	parts = commit_list(N_COMMITS, argv[2]);
	err = rd_kafka_commit(rk, parts, 0); /* synchronous */
	rd_kafka_topic_partition_list_destroy(parts);
	if (err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
		fprintf(stderr, "kw_commit_client: commit: %s\n", rd_kafka_err2str(err));
		ok = 0;
	}
	/* the first two partitions committed, read back (rd_kafka_committed sets the offsets) */
	parts = commit_list(2, argv[2]);
	err = rd_kafka_committed(rk, parts, 10000);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR || parts->elems[0].err != 0 ||
	    parts->elems[0].offset != commits[0].offset || parts->elems[1].err == 0) {
		fprintf(stderr, "kw_commit_client: committed: %s; %s %" PRId64 " %s; %s\n",
			rd_kafka_err2str(err), argv[2], parts->elems[0].offset,
			rd_kafka_err2str(parts->elems[0].err), rd_kafka_err2str(parts->elems[1].err));
		ok = 0;
	}
	rd_kafka_topic_partition_list_destroy(parts);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return ok ? 0 : 1;
}
