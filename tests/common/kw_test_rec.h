/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a packed pair must give back: kw_test_rec_diff compares a record unpacked from a full
 * pair (kw_kafka_rec_pack) with the flow, event and identity that were packed; every field a
 * reader may look at, lists as far as their counts go; kw_test_rec_stats_diff does the same for
 * a pair packed for the statistics (kw_kafka_rec_pack_stats), with what it carries. For the
 * unit tests of kafka_rec.c and the decoder's fuzz target, which packs every event it emits.
 */
#ifndef KW_TEST_REC_H
#define KW_TEST_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>

#include "dataplane/kafka_rec.h"

/* NULL when a and b hold the same string (bytes past the NUL are never read), else why not. */
static inline const char *
kw_test_str_diff(const struct kw_kafka_str *a, const struct kw_kafka_str *b)
{
	if (a->len != b->len)
		return "len";
	if (a->trunc != b->trunc)
		return "trunc";
	if (a->null != b->null)
		return "null";
	if (strcmp(a->s, b->s) != 0)
		return "s";
	return NULL;
}

#define KW_TEST_DIFF(cond, what)                                                                   \
	do {                                                                                       \
		if (cond)                                                                          \
			return what;                                                               \
	} while (0)
#define KW_TEST_STR_DIFF(a, b, what) KW_TEST_DIFF(kw_test_str_diff(a, b) != NULL, what)

/*
 * NULL when g has ev's topics, topic ids, offsets and a response's groups (what both kinds of
 * pair carry).
 */
static inline const char *
kw_test_rec_lists_diff(const struct kw_kafka_event *g, const struct kw_kafka_event *ev)
{
	unsigned int i, ids;

	KW_TEST_DIFF(g->n_topics != ev->n_topics, "n_topics");
	for (i = 0; i < RTE_MIN(ev->n_topics, (unsigned int)KW_KAFKA_EV_TOPICS); i++)
		KW_TEST_STR_DIFF(&g->topics[i], &ev->topics[i], "topics");
	KW_TEST_DIFF(g->n_topic_ids != ev->n_topic_ids, "n_topic_ids");
	ids = RTE_MIN(ev->n_topic_ids, (unsigned int)KW_KAFKA_EV_TOPIC_IDS);
	KW_TEST_DIFF(memcmp(g->topic_ids, ev->topic_ids, ids * 16u) != 0, "topic_ids");
	KW_TEST_DIFF(g->n_offsets != ev->n_offsets, "n_offsets");
	for (i = 0; i < RTE_MIN(ev->n_offsets, (unsigned int)KW_KAFKA_EV_OFFSETS); i++)
		KW_TEST_DIFF(g->offsets[i].kind != ev->offsets[i].kind ||
				     g->offsets[i].topic != ev->offsets[i].topic ||
				     g->offsets[i].group != ev->offsets[i].group ||
				     g->offsets[i].partition != ev->offsets[i].partition ||
				     g->offsets[i].offset != ev->offsets[i].offset,
			     "offsets");
	KW_TEST_DIFF(g->n_groups != ev->n_groups, "n_groups");
	KW_TEST_DIFF(g->groups_failed != ev->groups_failed, "groups_failed");
	for (i = 0; i < RTE_MIN(ev->n_groups, (unsigned int)KW_KAFKA_EV_GROUPS); i++)
		KW_TEST_STR_DIFF(&g->groups[i], &ev->groups[i], "groups");
	return NULL;
}

/* NULL when got (unpacked) gives back flow's endpoints and times, ev and id; else the field. */
static inline const char *
kw_test_rec_diff(const struct kw_kafka_rec *got, const struct kw_kafka_rec *flow,
		 const struct kw_kafka_event *ev, const struct kw_kafka_str *const id[])
{
	const struct kw_kafka_event *g = &got->ev;
	const char *diff;
	unsigned int i;

	KW_TEST_DIFF(got->kind != KW_KAFKA_REC_EVENT, "kind");
	KW_TEST_DIFF(memcmp(&got->ts_ns, &flow->ts_ns, offsetof(struct kw_kafka_rec, kind)) != 0,
		     "ts_ns, latency_ns, worker or family");
	KW_TEST_DIFF(memcmp(got->client, flow->client, sizeof(got->client)) != 0, "client");
	KW_TEST_DIFF(memcmp(got->broker, flow->broker, sizeof(got->broker)) != 0, "broker");
	KW_TEST_DIFF(got->client_port != flow->client_port, "client_port");
	KW_TEST_DIFF(got->broker_port != flow->broker_port, "broker_port");
	KW_TEST_DIFF(g->api_name != ev->api_name, "api_name");
	KW_TEST_DIFF(g->api_key != ev->api_key, "api_key");
	KW_TEST_DIFF(g->api_version != ev->api_version, "api_version");
	KW_TEST_DIFF(g->corr_id != ev->corr_id, "corr_id");
	KW_TEST_DIFF(g->flags != ev->flags, "flags");
	KW_TEST_DIFF(g->req_off != ev->req_off, "req_off");
	KW_TEST_DIFF(g->resp_off != ev->resp_off, "resp_off");
	KW_TEST_DIFF(g->req_len != ev->req_len, "req_len");
	KW_TEST_DIFF(g->resp_len != ev->resp_len, "resp_len");
	KW_TEST_DIFF(g->t_req != ev->t_req, "t_req");
	KW_TEST_DIFF(g->latency_tsc != ev->latency_tsc, "latency_tsc");
	KW_TEST_STR_DIFF(&g->client_id, &ev->client_id, "client_id");
	KW_TEST_STR_DIFF(&g->group_id, &ev->group_id, "group_id");
	KW_TEST_STR_DIFF(&g->txn_id, &ev->txn_id, "txn_id");
	KW_TEST_DIFF(g->topic_count != ev->topic_count, "topic_count");
	KW_TEST_DIFF(g->topic_id_count != ev->topic_id_count, "topic_id_count");
	KW_TEST_DIFF(g->partition_count != ev->partition_count, "partition_count");
	KW_TEST_DIFF(g->error_count != ev->error_count, "error_count");
	KW_TEST_DIFF(g->n_errors != ev->n_errors, "n_errors");
	KW_TEST_DIFF(memcmp(g->errors, ev->errors, sizeof(g->errors)) != 0, "errors");
	KW_TEST_DIFF(g->acks != ev->acks, "acks");
	KW_TEST_DIFF(g->throttle_ms != ev->throttle_ms, "throttle_ms");
	KW_TEST_DIFF(g->throttle_off != ev->throttle_off, "throttle_off");
	KW_TEST_DIFF(g->producer_id != ev->producer_id, "producer_id");
	KW_TEST_DIFF(memcmp(&g->records, &ev->records, sizeof(g->records)) != 0, "records");
	diff = kw_test_rec_lists_diff(g, ev);
	if (diff != NULL)
		return diff;
	KW_TEST_DIFF(g->n_rfields != ev->n_rfields, "n_rfields");
	for (i = 0; i < RTE_MIN(ev->n_rfields, (unsigned int)KW_KAFKA_EV_RFIELDS); i++)
		KW_TEST_DIFF(g->rfields[i].off != ev->rfields[i].off ||
				     g->rfields[i].len != ev->rfields[i].len ||
				     g->rfields[i].dir != ev->rfields[i].dir ||
				     g->rfields[i].topic != ev->rfields[i].topic ||
				     g->rfields[i].partition != ev->rfields[i].partition,
			     "rfields");
	KW_TEST_DIFF(g->n_parts != ev->n_parts, "n_parts");
	for (i = 0; i < RTE_MIN(ev->n_parts, (unsigned int)KW_KAFKA_EV_PARTS); i++)
		KW_TEST_DIFF(g->parts[i].topic != ev->parts[i].topic ||
				     g->parts[i].partition != ev->parts[i].partition,
			     "parts");
	KW_TEST_DIFF(g->n_broker_ids != ev->n_broker_ids, "n_broker_ids");
	for (i = 0; i < RTE_MIN(ev->n_broker_ids, (unsigned int)KW_KAFKA_EV_BROKERS); i++)
		KW_TEST_DIFF(g->broker_ids[i] != ev->broker_ids[i], "broker_ids");
	KW_TEST_STR_DIFF(&got->principal, id[KW_KAFKA_REC_ID_PRINCIPAL], "principal");
	KW_TEST_STR_DIFF(&got->mechanism, id[KW_KAFKA_REC_ID_MECHANISM], "mechanism");
	KW_TEST_STR_DIFF(&got->sw_name, id[KW_KAFKA_REC_ID_SW_NAME], "sw_name");
	KW_TEST_STR_DIFF(&got->sw_version, id[KW_KAFKA_REC_ID_SW_VERSION], "sw_version");
	return NULL;
}

/*
 * NULL when got (unpacked from kw_kafka_rec_pack_stats) gives back what a statistics pair
 * carries of ev, id[] and the client address flow had when it was packed (its times and worker
 * are the caller's to check): the principal and the client software with every pair, the
 * client's address with the apis of kw_kafka_rec_stats_addr; else the field.
 */
static inline const char *
kw_test_rec_stats_diff(const struct kw_kafka_rec *got, const struct kw_kafka_rec *flow,
		       const struct kw_kafka_event *ev, const struct kw_kafka_str *const id[])
{
	const struct kw_kafka_event *g = &got->ev;
	static const uint8_t none[16];
	bool addr =
		kw_kafka_rec_stats_addr(ev->api_key) && (flow->family == 4 || flow->family == 6);

	KW_TEST_DIFF(got->kind != KW_KAFKA_REC_EVENT, "kind");
	KW_TEST_DIFF(got->family != (addr ? flow->family : 0), "family");
	KW_TEST_DIFF(memcmp(got->client, addr ? flow->client : none,
			    addr && flow->family == 4 ? 4 : 16) != 0,
		     "client");
	KW_TEST_DIFF(g->api_name != ev->api_name, "api_name");
	KW_TEST_DIFF(g->api_key != ev->api_key, "api_key");
	KW_TEST_DIFF(g->api_version != ev->api_version, "api_version");
	KW_TEST_DIFF(g->flags != ev->flags, "flags");
	KW_TEST_DIFF(g->req_len != ev->req_len, "req_len");
	KW_TEST_DIFF(g->resp_len != ev->resp_len, "resp_len");
	KW_TEST_DIFF(g->latency_tsc != ev->latency_tsc, "latency_tsc");
	KW_TEST_DIFF(g->error_count != ev->error_count, "error_count");
	KW_TEST_DIFF(g->producer_id != (kw_kafka_rec_stats_pid(ev->api_key) ? ev->producer_id : -1),
		     "producer_id");
	/* the larger of the walked and the claimed record counts, all the statistics read */
	KW_TEST_DIFF(g->records.records != RTE_MAX(ev->records.records, ev->records.records_hdr),
		     "records");
	KW_TEST_STR_DIFF(&g->client_id, &ev->client_id, "client_id");
	KW_TEST_STR_DIFF(&g->group_id, &ev->group_id, "group_id");
	KW_TEST_STR_DIFF(&got->principal, id[KW_KAFKA_REC_ID_PRINCIPAL], "principal");
	KW_TEST_STR_DIFF(&got->sw_name, id[KW_KAFKA_REC_ID_SW_NAME], "sw_name");
	KW_TEST_STR_DIFF(&got->sw_version, id[KW_KAFKA_REC_ID_SW_VERSION], "sw_version");
	return kw_test_rec_lists_diff(g, ev);
}

#endif /* KW_TEST_REC_H */
