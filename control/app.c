/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building the application from its configuration: bridge pairs, ports, dispatch and TX handoff
 * rings, workers with their flow tables, the RCU state; and taking it down again. Main lcore
 * only, before the workers launch and after they return.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <time.h>

#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include "control/app.h"
#include "control/kafka_obs.h"
#include "dataplane/frag.h"
#include "dataplane/inspect.h"
#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/kafka_rec.h"

static int
resolve_port(const char *name, uint16_t *id)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);

	if (*name != '\0' && *end == '\0') {
		if (v >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)v))
			return -ENODEV;
		*id = (uint16_t)v;
		return 0;
	}
	return rte_eth_dev_get_port_by_name(name, id) == 0 ? 0 : -ENODEV;
}

/* Bridge pairs from the config, or ports 0<->1, 2<->3, ... Sets each port's peer. */
static int
setup_bridges(struct kw_app *app)
{
	uint16_t *pairs = app->pairs;
	unsigned int i, n = 0;
	uint16_t avail = rte_eth_dev_count_avail(), a, b;

	if (avail == 0) {
		fprintf(stderr, "kwire: no ports: give the EAL a --vdev or a bound NIC\n");
		return -ENODEV;
	}
	if (app->cfg.n_bridges == 0) {
		if (avail % 2 != 0) {
			fprintf(stderr, "kwire: %u ports cannot pair up; name the bridges in the "
					"configuration (bridges:)\n", avail);
			return -EINVAL;
		}
		for (i = 0; i < avail; i += 2) {
			pairs[n++] = (uint16_t)i;
			pairs[n++] = (uint16_t)(i + 1);
		}
	} else {
		for (i = 0; i < app->cfg.n_bridges; i++) {
			const struct kw_config_bridge *br = &app->cfg.bridges[i];

			if (resolve_port(br->a, &a) != 0 || resolve_port(br->b, &b) != 0) {
				fprintf(stderr, "kwire: bridge %u: no port named '%s'\n", i,
					resolve_port(br->a, &a) != 0 ? br->a : br->b);
				return -ENODEV;
			}
			pairs[n++] = a;
			pairs[n++] = b;
		}
	}
	for (i = 0; i < n; i++) {
		if (pairs[i] >= KW_MAX_PORTS) {
			fprintf(stderr, "kwire: port %u is beyond the %u ports kwire handles\n",
				pairs[i], KW_MAX_PORTS);
			return -ENOTSUP;
		}
		app->ports[pairs[i]].id = pairs[i];
		app->ports[pairs[i]].peer = pairs[i ^ 1];
		if (pairs[i] + 1 > app->n_ports)
			app->n_ports = (uint16_t)(pairs[i] + 1);
	}
	app->n_pairs = (uint16_t)(n / 2);
	return 0;
}

/* One single-producer single-consumer ring per ordered pair of workers. */
static int
setup_ring_mesh(struct kw_app *app, const char *kind, struct rte_ring *r[][KW_MAX_WORKERS])
{
	char name[RTE_RING_NAMESIZE];
	uint16_t s, t;

	for (s = 0; s < app->n_workers; s++)
		for (t = 0; t < app->n_workers; t++) {
			if (s == t)
				continue;
			snprintf(name, sizeof(name), "kw_%s_%u_%u", kind, s, t);
			r[s][t] = rte_ring_create(name, app->cfg.dispatch_ring_size,
						  (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r[s][t] == NULL) {
				fprintf(stderr, "kwire: ring %s: %s\n", name, rte_strerror(rte_errno));
				return -ENOMEM;
			}
		}
	return 0;
}

static int
setup_rings(struct kw_app *app)
{
	int rc = setup_ring_mesh(app, "disp", app->rings);

	return rc != 0 ? rc : setup_ring_mesh(app, "tx", app->tx_rings);
}

static uint8_t
csum_mode(enum kw_tcp_csum_cfg c)
{
	return c == KW_CSUM_CFG_ON ? KW_TCP_CSUM_ON : c == KW_CSUM_CFG_OFF ? KW_TCP_CSUM_OFF
									    : KW_TCP_CSUM_AUTO;
}

/* Where capture timestamps are, when a port delivers them (kwire pcap). */
static void
setup_capture_clock(struct kw_worker *w)
{
	int flag;

	w->ts_off = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	flag = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);
	if (w->ts_off < 0 || flag < 0)
		return;
	w->ts_flag = 1ULL << flag;
	/* net_pcap stores the capture time in microseconds */
	w->ts_scale = 1000;
	w->clock_ns = 1;
}

/* The TCP and Kafka contexts, the record ring and pool of one worker (inspect: kafka). */
static int
setup_inspection(struct kw_app *app, struct kw_worker *w, int socket)
{
	const struct kw_config *cfg = &app->cfg;
	/* without the request log nothing reads an event's lists (kw_kafka_rec_pack_stats) */
	struct kw_kafka_params kp = {.max_frame = cfg->kafka_max_frame,
				     .max_conns = cfg->kafka_max_conns,
				     .no_lists = !cfg->log_requests};
	struct kw_tcp_params tp;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct timespec ts;

	kw_tcp_params_defaults(&tp);
	tp.midstream = cfg->tcp_midstream;
	tp.csum_mode = csum_mode(cfg->tcp_checksum);
	/*
	 * kwire pcap: a capture taken on a client or broker host shows that host's outgoing
	 * segments with the blank or partial checksums TX offload leaves, from its SYN on. Auto
	 * then decides on a direction's first segment: bad, and the direction is not validated;
	 * good, and it is from then on. Inline it waits for 8 (one corrupt segment must not turn
	 * validation off), but in a capture the 7 segments dropped meanwhile were the handshake
	 * and the first requests of every connection the host sent.
	 */
	if (app->capture)
		tp.csum_auto_probe = 1;
	tp.ooo_max_segs_per_dir = cfg->tcp_ooo_segs_per_dir;
	tp.ooo_max_bytes_per_dir = cfg->tcp_ooo_bytes_per_dir;
	tp.ooo_max_segs_total = cfg->tcp_ooo_segs_total;
	w->tcp = kw_tcp_ctx_create(&tp, socket);
	w->kafka = kw_kafka_ctx_create(&kp, socket, kw_inspect_emit, w);
	/* records only become log lines: without the log they would cost for nothing */
	if (w->kafka != NULL && cfg->log_records && cfg->log_requests)
		kw_kafka_ctx_set_record_hook(w->kafka, kw_inspect_record, w);
	snprintf(name, sizeof(name), "kw_frag_%u", w->id);
	w->frag = kw_frag_create(name, cfg->frag_max_packets,
				 rte_get_tsc_hz() * cfg->frag_timeout_ms / 1000, socket);
	snprintf(name, sizeof(name), "kw_rec_%u", w->id);
	w->rec_ring = rte_ring_create(name, cfg->log_ring_size, socket,
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "kw_recp_%u", w->id);
	/* the worker takes records, the control thread gives them back (dataplane/inspect.c) */
	w->rec_pool = rte_mempool_create(name, cfg->log_ring_size, sizeof(struct kw_kafka_rec), 0, 0,
					 NULL, NULL, NULL, NULL, socket,
					 RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
	if (w->tcp == NULL || w->kafka == NULL || w->frag == NULL || w->rec_ring == NULL ||
	    w->rec_pool == NULL) {
		fprintf(stderr, "kwire: worker %u: cannot create the inspection state: %s\n", w->id,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	w->cfg = cfg;
	kw_inspect_init(w);
	w->flows->release = kw_inspect_flow_release;
	w->flows->release_arg = w;
	w->rec_block = app->capture;
	/* without the request log, pairs only feed the statistics (kw_kafka_rec_pack_stats) */
	w->rec_stats = !cfg->log_requests;
	w->ts_off = -1;
	if (app->capture)
		setup_capture_clock(w);
	clock_gettime(CLOCK_REALTIME, &ts);
	w->wall_ns0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	w->tsc0 = rte_rdtsc();
	kw_tsc_ns_init(&w->tsc_ns, rte_get_tsc_hz());
	return 0;
}

static int
setup_workers(struct kw_app *app)
{
	const uint16_t *pairs = app->pairs;
	unsigned int n_pairs = app->n_pairs;
	uint64_t hz = rte_get_tsc_hz();
	unsigned int i, p;
	uint16_t id, dispatcher = 0;
	char name[64];

	/* spread the TX owners of single-queue ports over the workers */
	for (i = 0; i < 2 * n_pairs; i++)
		app->tx_owner[pairs[i]] = (uint16_t)(i % app->n_workers);

	for (id = 0; id < app->n_workers; id++) {
		int socket = (int)rte_lcore_to_socket_id(app->lcores[id]);
		struct kw_worker *w;

		w = rte_zmalloc_socket("kw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
		if (w == NULL)
			return -ENOMEM;
		app->workers[id] = w;
		w->id = id;
		w->n_workers = app->n_workers;
		w->n_ports = app->n_ports;
		w->shared = &app->shared;
		w->drain_tsc = hz * app->cfg.tx_drain_us / 1000000;
		for (p = 0; p < KW_MAX_PORTS; p++)
			w->peer[p] = KW_PORT_NONE;
		for (i = 0; i < 2 * n_pairs; i++)
			w->peer[pairs[i]] = pairs[i ^ 1];
		for (i = 0; i < app->n_workers; i++) {
			w->ring_out[i] = app->rings[id][i];
			w->ring_in[i] = app->rings[i][id];
			w->tx_in[i] = app->tx_rings[i][id];
		}
		for (i = 0; i < 2 * n_pairs; i++) {
			const struct kw_port *port = &app->ports[pairs[i]];
			uint16_t owner = app->tx_owner[port->id];

			w->txq[port->id] = port->nb_txq == app->n_workers ? id : 0;
			if (port->nb_txq < app->n_workers && owner != id)
				w->tx_handoff[port->id] = app->tx_rings[id][owner];
		}
		if (app->cfg.inspect != KW_INSPECT_PASSTHROUGH) {
			snprintf(name, sizeof(name), "kw_flows_%u", id);
			w->flows = kw_flow_table_create(name, app->cfg.flow_capacity,
							hz * app->cfg.flow_idle_timeout_ms / 1000,
							socket);
			if (w->flows == NULL) {
				fprintf(stderr, "kwire: worker %u: flow table of %u flows: %s\n", id,
					app->cfg.flow_capacity, rte_strerror(rte_errno));
				return -ENOMEM;
			}
			w->flows_full_drop = app->cfg.flow_on_full == KW_FLOW_FULL_DROP;
		}
		if (app->cfg.inspect == KW_INSPECT_KAFKA && setup_inspection(app, w, socket) != 0)
			return -ENOMEM;
		kw_worker_set_mode(w, app->cfg.inspect);
	}
	/* RX sources: a queue of every RSS port each; a single-queue port to one dispatcher */
	for (i = 0; i < 2 * n_pairs; i++) {
		const struct kw_port *port = &app->ports[pairs[i]];

		if (i % 2 == 1 && pairs[i] == pairs[i - 1])
			continue; /* bridged to itself */
		for (id = 0; id < app->n_workers; id++) {
			struct kw_worker *w = app->workers[id];
			struct kw_rx_source *src = &w->rx[w->n_rx];

			if (!port->rss && id != dispatcher)
				continue;
			src->port = port->id;
			src->queue = port->rss ? id : 0;
			src->dispatch = !port->rss && app->n_workers > 1;
			w->n_rx++;
		}
		if (!port->rss)
			dispatcher = (uint16_t)((dispatcher + 1) % app->n_workers);
	}
	return 0;
}

/*
 * Reassembled IP fragments go to the worker owning their flow (inspect: kafka, several workers):
 * each worker learns how frames reach workers (the RSS map of each RSS port, else software
 * dispatch), and every ordered pair of workers gets a single-producer single-consumer ring of
 * struct kw_frag_handoff, bounded like the dispatch rings; a full one costs an inspection only.
 */
static int
setup_frag_handoff(struct kw_app *app)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;
	uint16_t s, t, p;

	if (app->n_workers < 2 || app->cfg.inspect != KW_INSPECT_KAFKA)
		return 0;
	for (s = 0; s < app->n_workers; s++) {
		for (p = 0; p < app->n_ports; p++)
			if (app->ports[p].rss)
				app->workers[s]->rss[p] = app->ports[p].rss_map;
		for (t = 0; t < app->n_workers; t++) {
			if (s == t)
				continue;
			snprintf(name, sizeof(name), "kw_frag_%u_%u", s, t);
			r = rte_ring_create_elem(name, sizeof(struct kw_frag_handoff),
						 app->cfg.dispatch_ring_size, (int)rte_socket_id(),
						 RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL) {
				fprintf(stderr, "kwire: ring %s: %s\n", name, rte_strerror(rte_errno));
				return -ENOMEM;
			}
			app->workers[s]->frag_out[t] = r;
			app->workers[t]->frag_in[s] = r;
		}
	}
	return 0;
}

/* Free what is left in the fragment handoff rings while every fragment pool still exists. */
static void
teardown_frag_handoff(struct kw_app *app)
{
	struct kw_frag_handoff h;
	uint16_t s, t;

	for (s = 0; s < app->n_workers; s++)
		for (t = 0; t < app->n_workers && app->workers[s] != NULL; t++) {
			struct rte_ring *r = app->workers[s]->frag_out[t];

			if (r == NULL)
				continue;
			while (rte_ring_dequeue_elem(r, &h, sizeof(h)) == 0)
				rte_pktmbuf_free(h.m);
			rte_ring_free(r);
			app->workers[s]->frag_out[t] = NULL;
			if (app->workers[t] != NULL)
				app->workers[t]->frag_in[s] = NULL;
		}
}

static int
setup_qsbr(struct kw_app *app)
{
	size_t sz = rte_rcu_qsbr_get_memsize(app->n_workers);

	app->shared.qsbr = rte_zmalloc("kw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (app->shared.qsbr == NULL)
		return -ENOMEM;
	return rte_rcu_qsbr_init(app->shared.qsbr, app->n_workers);
}

void
kw_app_launch(struct kw_app *app)
{
	uint16_t id;

	app->shared.run = 1;
	app->started_tsc = rte_rdtsc();
	for (id = 0; id < app->n_workers; id++)
		rte_eal_remote_launch(kw_worker_main, app->workers[id], app->lcores[id]);
}

static void
dump_flow(const struct kw_flow *f, void *arg)
{
	FILE *out = ((void **)arg)[0];
	unsigned int worker = *(unsigned int *)((void **)arg)[1];
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	int af = f->key.family == 4 ? AF_INET : AF_INET6;

	inet_ntop(af, f->key.addr_lo, lo, sizeof(lo));
	inet_ntop(af, f->key.addr_hi, hi, sizeof(hi));
	fprintf(out,
		"{\"worker\":%u,\"proto\":%u,\"lo\":\"%s\",\"lo_port\":%u,\"hi\":\"%s\","
		"\"hi_port\":%u,\"pkts\":[%" PRIu64 ",%" PRIu64 "],\"bytes\":[%" PRIu64 ",%" PRIu64
		"]}\n",
		worker, f->key.proto, lo, f->key.port_lo, hi, f->key.port_hi, f->pkts[0], f->pkts[1],
		f->bytes[0], f->bytes[1]);
}

int
kw_app_dump_flows(const struct kw_app *app, const char *path)
{
	FILE *out = fopen(path, "w");
	unsigned int id;

	if (out == NULL) {
		fprintf(stderr, "kwire: --dump-flows %s: %s\n", path, strerror(errno));
		return -errno;
	}
	for (id = 0; id < app->n_workers; id++) {
		void *arg[2] = {out, &id};

		if (app->workers[id]->flows != NULL)
			kw_flow_table_walk(app->workers[id]->flows, dump_flow, arg);
	}
	return fclose(out) == 0 ? 0 : -EIO;
}

void
kw_app_teardown(struct kw_app *app)
{
	uint16_t s, t;

	for (s = 0; s < app->n_ports; s++)
		if (app->ports[s].pool != NULL)
			kw_port_teardown(&app->ports[s]);
	teardown_frag_handoff(app);
	for (s = 0; s < app->n_workers; s++) {
		struct kw_worker *w = app->workers[s];

		if (w != NULL) {
			kw_flow_table_free(w->flows);
			kw_tcp_ctx_free(w->tcp);
			kw_kafka_ctx_destroy(w->kafka);
			kw_frag_free(w->frag);
			rte_ring_free(w->rec_ring);
			kw_inspect_recs_release(w);
			rte_mempool_free(w->rec_pool);
		}
		rte_free(w);
		for (t = 0; t < app->n_workers; t++) {
			rte_ring_free(app->rings[s][t]);
			rte_ring_free(app->tx_rings[s][t]);
		}
	}
	rte_free(app->shared.qsbr);
}

int
kw_app_setup(struct kw_app *app)
{
	char err[KW_CONFIG_ERR_MAX];
	unsigned int i;

	if (setup_bridges(app) != 0)
		return -EINVAL;
	for (i = 0; i < 2 * app->n_pairs; i++) {
		struct kw_port *port = &app->ports[app->pairs[i]];

		if (port->pool != NULL) /* a port bridged to itself */
			continue;
		port->rx_timestamp = app->capture;
		if (kw_port_setup(port, app->n_workers, &app->cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "kwire: %s\n", err);
			return -EIO;
		}
	}
	if ((app->n_workers > 1 && setup_rings(app) != 0) ||
	    setup_workers(app) != 0 || setup_frag_handoff(app) != 0 || setup_qsbr(app) != 0) {
		fprintf(stderr, "kwire: cannot set up the workers\n");
		return -ENOMEM;
	}
	return 0;
}

unsigned int
kw_app_drain_records(struct kw_app *app, unsigned int max_per_worker)
{
	struct kw_kafka_rec *recs[64];
	struct kw_kafka_rec unpacked; /* a worker's packed pair, as the statistics read it */
	unsigned int total = 0, n, i;
	uint16_t id;

	for (id = 0; id < app->n_workers; id++) {
		struct kw_worker *w = app->workers[id];
		unsigned int left = max_per_worker;

		if (w->rec_ring == NULL)
			continue;
		while (left > 0 &&
		       (n = rte_ring_sc_dequeue_burst(w->rec_ring, (void **)recs,
						       RTE_MIN(left, RTE_DIM(recs)), NULL)) > 0) {
			for (i = 0; i < n; i++) {
				if (recs[i]->kind != KW_KAFKA_REC_PACKED &&
				    recs[i]->kind != KW_KAFKA_REC_STATS) {
					kw_obs_record(app->obs, recs[i]);
					continue;
				}
				kw_kafka_rec_unpack(&unpacked, recs[i]);
				kw_obs_record(app->obs, &unpacked);
			}
			rte_mempool_put_bulk(w->rec_pool, (void **)recs, n);
			left -= n;
			total += n;
		}
	}
	return total;
}

void
kw_app_finish_flows(struct kw_app *app)
{
	uint16_t id;

	for (id = 0; id < app->n_workers; id++) {
		struct kw_worker *w = app->workers[id];

		if (w->flows == NULL)
			continue;
		/* a few flows at a time, draining the records their pending requests become */
		while (kw_flow_table_flush(w->flows, 16) > 0)
			kw_app_drain_records(app, UINT32_MAX);
	}
	kw_app_drain_records(app, UINT32_MAX);
}

void
kw_app_kafka_counters_sum(const struct kw_app *app, struct kw_kafka_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (uint16_t w = 0; w < app->n_workers; w++)
		if (app->workers[w] != NULL && app->workers[w]->kafka != NULL)
			kw_kafka_counters_add(out, kw_kafka_ctx_counters(app->workers[w]->kafka));
}
