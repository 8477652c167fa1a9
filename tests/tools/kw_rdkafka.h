/* SPDX-License-Identifier: BSD-3-Clause */
/* What the librdkafka test tools (kw_mock_cluster, kw_txn_client, kw_commit_client) share. */
#ifndef KW_RDKAFKA_H
#define KW_RDKAFKA_H

#include <stdio.h>

#include <librdkafka/rdkafka.h>

/*
 * A handle of type with the configuration properties kv set (name, value, ..., NULL); NULL when
 * librdkafka refused one or the handle, said on stderr as tool.
 */
static inline rd_kafka_t *
kw_rdkafka_new(const char *tool, rd_kafka_type_t type, const char *const *kv)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[256];
	rd_kafka_t *rk;

	for (; kv[0] != NULL; kv += 2) {
		if (rd_kafka_conf_set(conf, kv[0], kv[1], errstr, sizeof(errstr)) !=
		    RD_KAFKA_CONF_OK) {
			fprintf(stderr, "%s: %s\n", tool, errstr);
			rd_kafka_conf_destroy(conf);
			return NULL;
		}
	}
	rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
	if (rk == NULL) {
		fprintf(stderr, "%s: rd_kafka_new: %s\n", tool, errstr);
		rd_kafka_conf_destroy(conf); /* rd_kafka_new takes it only on success */
	}
	return rk;
}

#endif
