/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry commands under /kwire/, readable with DPDK's dpdk-telemetry.py. They run on the
 * EAL telemetry thread and only read: counters (plain 64-bit loads of the workers' blocks) and
 * the ports' ethdev stats. The callbacks take no argument, so the app is kept here once.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "control/app.h"

static const struct kw_app *tel_app;

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct kw_counters sum;
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	kw_app_counters_sum(tel_app, &sum);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "uptime_ms",
				  (rte_rdtsc() - tel_app->started_tsc) * 1000 / rte_get_tsc_hz());
	for (i = 0; i < KW_CTR_MAX; i++)
		rte_tel_data_add_dict_u64(d, kw_ctr_desc[i].name, sum.v[i]);
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
				       "kwire flow tables: active, capacity, created, expired. No parameters") != 0)
		return -EINVAL;
	return 0;
}
