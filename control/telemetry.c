/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry commands under /kwire/, readable with DPDK's dpdk-telemetry.py. They run on the
 * EAL telemetry thread and only read: counters (plain 64-bit loads of the workers' blocks) and
 * the ports' ethdev stats. The callbacks take no argument, so the app is kept here once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "control/app.h"
#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/tcp/tcp_stream.h"

static const struct kw_app *tel_app;

/* Every worker's TCP reassembly stats summed (the struct is the KW_TCP_STATS table). */
static void
tcp_stats_sum(const struct kw_app *app, uint64_t out[KW_TCP_STAT_COUNT])
{
	memset(out, 0, KW_TCP_STAT_COUNT * sizeof(out[0]));
	for (uint16_t w = 0; w < app->n_workers; w++) {
		const struct kw_tcp_ctx *tcp = app->workers[w] ? app->workers[w]->tcp : NULL;
		const uint64_t *v;

		if (tcp == NULL)
			continue;
		v = (const uint64_t *)kw_tcp_ctx_stats(tcp);
		for (unsigned int i = 0; i < KW_TCP_STAT_COUNT; i++)
			out[i] += v[i];
	}
}

/* A "<prefix><name>" key; telemetry copies it. */
static void
tel_add_prefixed(struct rte_tel_data *d, const char *prefix, const char *name, uint64_t v)
{
	char key[RTE_TEL_MAX_STRING_LEN];

	snprintf(key, sizeof(key), "%s%s", prefix, name);
	rte_tel_data_add_dict_u64(d, key, v);
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	/* ~50 KiB: not on the stack; telemetry runs a thread per client, so not static either */
	struct kw_kafka_counters *kafka = malloc(sizeof(*kafka));
	uint64_t tcp[KW_TCP_STAT_COUNT];
	struct kw_counters sum;
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (kafka == NULL)
		return -ENOMEM;
	kw_app_counters_sum(tel_app, &sum);
	kw_app_kafka_counters_sum(tel_app, kafka);
	tcp_stats_sum(tel_app, tcp);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "uptime_ms",
				  (rte_rdtsc() - tel_app->started_tsc) * 1000 / rte_get_tsc_hz());
	for (i = 0; i < KW_CTR_MAX; i++)
		rte_tel_data_add_dict_u64(d, kw_ctr_desc[i].name, sum.v[i]);
	for (i = 0; i < KW_KAFKA_CTR_COUNT; i++)
		tel_add_prefixed(d, "kafka_", kw_kafka_ctr_names[i], kw_kafka_ctr_get(kafka, i));
	for (i = 0; i < KW_TCP_STAT_COUNT; i++)
		tel_add_prefixed(d, "tcp_", kw_tcp_stat_names[i], tcp[i]);
	free(kafka);
	return 0;
}

/* One api's counts: totals and a "versions" dict of the versions that saw traffic. */
static struct rte_tel_data *
tel_api(const struct kw_kafka_counters *k, unsigned int key)
{
	uint64_t req = 0, resp = 0, req_b = 0, resp_b = 0;
	struct rte_tel_data *a, *vers;
	char v[8];

	for (unsigned int ver = 0; ver <= KW_KAFKA_MAX_VERSION; ver++) {
		req += k->req_count[key][ver];
		resp += k->resp_count[key][ver];
		req_b += k->req_bytes[key][ver];
		resp_b += k->resp_bytes[key][ver];
	}
	if (req == 0 && resp == 0)
		return NULL;
	a = rte_tel_data_alloc();
	vers = rte_tel_data_alloc();
	if (a == NULL || vers == NULL) {
		rte_tel_data_free(a);
		rte_tel_data_free(vers);
		return NULL;
	}
	rte_tel_data_start_dict(a);
	rte_tel_data_add_dict_u64(a, "requests", req);
	rte_tel_data_add_dict_u64(a, "responses", resp);
	rte_tel_data_add_dict_u64(a, "request_bytes", req_b);
	rte_tel_data_add_dict_u64(a, "response_bytes", resp_b);
	rte_tel_data_start_dict(vers);
	for (unsigned int ver = 0; ver <= KW_KAFKA_MAX_VERSION; ver++) {
		struct rte_tel_data *c;

		if (k->req_count[key][ver] == 0 && k->resp_count[key][ver] == 0)
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			continue;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "requests", k->req_count[key][ver]);
		rte_tel_data_add_dict_u64(c, "responses", k->resp_count[key][ver]);
		snprintf(v, sizeof(v), "%u", ver);
		rte_tel_data_add_dict_container(vers, v, c, 0);
	}
	rte_tel_data_add_dict_container(a, "versions", vers, 0);
	return a;
}

static int
tel_kafka_apis(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct kw_kafka_counters *kafka = malloc(sizeof(*kafka)); /* ~50 KiB, as in tel_stats */

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (kafka == NULL)
		return -ENOMEM;
	kw_app_kafka_counters_sum(tel_app, kafka);
	rte_tel_data_start_dict(d);
	for (unsigned int key = 0; key <= KW_KAFKA_API_MAX_KEY; key++) {
		const struct kw_kafka_api *api = kw_kafka_api_get((int)key);
		struct rte_tel_data *a;

		if (api == NULL || (a = tel_api(kafka, key)) == NULL)
			continue;
		rte_tel_data_add_dict_container(d, api->name, a, 0);
	}
	free(kafka);
	return 0;
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_eth_stats st;
	char key[16];
	uint16_t p;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (p = 0; p < tel_app->n_ports; p++) {
		const struct kw_port *port = &tel_app->ports[p];
		struct rte_tel_data *c;

		if (port->pool == NULL || rte_eth_stats_get(p, &st) != 0)
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "name", port->name);
		rte_tel_data_add_dict_string(c, "driver", port->driver);
		rte_tel_data_add_dict_u64(c, "peer", port->peer);
		rte_tel_data_add_dict_u64(c, "rx_queues", port->nb_rxq);
		rte_tel_data_add_dict_u64(c, "tx_queues", port->nb_txq);
		rte_tel_data_add_dict_string(c, "dispatch", port->rss ? "rss" : "software");
		rte_tel_data_add_dict_string(c, "link", port->link_up ? "up" : "down");
		rte_tel_data_add_dict_u64(c, "link_speed_mbps", port->link_speed);
		rte_tel_data_add_dict_u64(c, "link_changes", port->link_changes);
		rte_tel_data_add_dict_u64(c, "ipackets", st.ipackets);
		rte_tel_data_add_dict_u64(c, "ibytes", st.ibytes);
		rte_tel_data_add_dict_u64(c, "opackets", st.opackets);
		rte_tel_data_add_dict_u64(c, "obytes", st.obytes);
		rte_tel_data_add_dict_u64(c, "imissed", st.imissed);
		rte_tel_data_add_dict_u64(c, "ierrors", st.ierrors);
		rte_tel_data_add_dict_u64(c, "oerrors", st.oerrors);
		rte_tel_data_add_dict_u64(c, "rx_nombuf", st.rx_nombuf);
		snprintf(key, sizeof(key), "%u", p);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char key[16];
	uint16_t w;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (w = 0; w < tel_app->n_workers; w++) {
		const struct kw_worker *wk = tel_app->workers[w];
		struct rte_tel_data *c = rte_tel_data_alloc();
		unsigned int i;

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "rx_sources", wk->n_rx);
		for (i = 0; i < KW_CTR_MAX; i++)
			if (wk->ctr.v[i] != 0)
				rte_tel_data_add_dict_u64(c, kw_ctr_desc[i].name, wk->ctr.v[i]);
		snprintf(key, sizeof(key), "%u", w);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

static int
tel_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t active = 0, capacity = 0, created = 0, expired = 0, full = 0;
	uint16_t w;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	for (w = 0; w < tel_app->n_workers; w++) {
		const struct kw_worker *wk = tel_app->workers[w];

		if (wk->flows != NULL) {
			active += wk->flows->count;
			capacity += wk->flows->capacity;
		}
		created += wk->ctr.v[KW_CTR_FLOW_CREATED];
		expired += wk->ctr.v[KW_CTR_FLOW_EXPIRED];
		full += wk->ctr.v[KW_CTR_FLOW_TABLE_FULL];
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "active", active);
	rte_tel_data_add_dict_u64(d, "capacity", capacity);
	rte_tel_data_add_dict_u64(d, "created", created);
	rte_tel_data_add_dict_u64(d, "expired", expired);
	rte_tel_data_add_dict_u64(d, "table_full", full);
	rte_tel_data_add_dict_u64(d, "idle_timeout_ms", tel_app->cfg.flow_idle_timeout_ms);
	rte_tel_data_add_dict_string(d, "on_full", kw_config_flow_full_name(tel_app->cfg.flow_on_full));
	return 0;
}

int
kw_telemetry_register(struct kw_app *app)
{
	tel_app = app;
	if (rte_telemetry_register_cmd("/kwire/stats", tel_stats,
				       "kwire counters summed over workers. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/kwire/ports", tel_ports,
				       "kwire bridge ports: queues, link, ethdev stats. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/kwire/workers", tel_workers,
				       "kwire per-worker non-zero counters. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/kwire/flows", tel_flows,
				       "kwire flow tables: active, capacity, created, expired. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/kwire/kafka/apis", tel_kafka_apis,
				       "kwire Kafka traffic per api and version. No parameters") != 0)
		return -EINVAL;
	return 0;
}
