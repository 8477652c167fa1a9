/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwire: EAL arguments, "--", then kwire's own options. The configuration is loaded and checked
 * before the EAL probes a single port; any error exits non-zero with the reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_version.h>
#include <rte_ring.h>

#include "control/app.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: kwire [EAL options] -- [options]\n"
		"\n"
		"kwire forwards frames bump-in-the-wire between bridge port pairs and tracks\n"
		"their flows. Ports come from the EAL (--vdev, PCI devices); the main lcore runs\n"
		"the control thread and every other lcore a worker.\n"
		"\n"
		"options:\n"
		"  -c, --config FILE     YAML configuration (default: the embedded defaults)\n"
		"      --idle-exit MS    stop once no frame has arrived for MS milliseconds\n"
		"                        (for captures replayed through net_pcap)\n"
		"      --dump-flows FILE at exit, write every tracked flow as a JSON line\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n"
		"\n"
		"example (no NIC, no hugepages):\n"
		"  kwire -l 0,1 --no-huge -m 512 --no-pci --no-shconf \\\n"
		"        --vdev 'net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap' \\\n"
		"        --vdev 'net_pcap1,rx_pcap=/dev/null,tx_pcap=fwd.pcap' -- --idle-exit 500\n");
}

/* Parse kwire's own options (argv[0] is a program name). Returns 0, 1 (exit 0 now) or -EINVAL. */
static int
parse_args(struct kw_app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"idle-exit", required_argument, NULL, 'i'},
		{"dump-flows", required_argument, NULL, 'd'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	unsigned long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			app->cfg_path = optarg;
			break;
		case 'i':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || v == 0 || v > 86400000) {
				fprintf(stderr, "kwire: --idle-exit wants milliseconds in 1..86400000\n");
				return -EINVAL;
			}
			app->idle_exit_ms = (uint32_t)v;
			break;
		case 'd':
			app->flows_dump = optarg;
			break;
		case 'V':
			printf("kwire %s (DPDK %s)\n", KW_VERSION, rte_version());
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kwire: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

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
setup_bridges(struct kw_app *app, uint16_t *pairs, unsigned int *n_pairs)
{
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
	*n_pairs = n / 2;
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

static int
setup_workers(struct kw_app *app, const uint16_t *pairs, unsigned int n_pairs)
{
	uint64_t hz = rte_get_tsc_hz();
	unsigned int lcore, i, p;
	uint16_t id = 0, dispatcher = 0;
	char name[64];

	/* spread the TX owners of single-queue ports over the workers */
	for (i = 0; i < 2 * n_pairs; i++)
		app->tx_owner[pairs[i]] = (uint16_t)(i % app->n_workers);

	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct kw_worker *w;

		w = rte_zmalloc_socket("kw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
				       (int)rte_lcore_to_socket_id(lcore));
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
		if (app->cfg.inspect == KW_INSPECT_FLOW) {
			snprintf(name, sizeof(name), "kw_flows_%u", id);
			w->flows = kw_flow_table_create(name, app->cfg.flow_capacity,
							hz * app->cfg.flow_idle_timeout_ms / 1000,
							(int)rte_lcore_to_socket_id(lcore));
			if (w->flows == NULL) {
				fprintf(stderr, "kwire: worker %u: flow table of %u flows: %s\n", id,
					app->cfg.flow_capacity, rte_strerror(rte_errno));
				return -ENOMEM;
			}
			w->flows_full_drop = app->cfg.flow_on_full == KW_FLOW_FULL_DROP;
		}
		kw_worker_set_mode(w, app->cfg.inspect);
		id++;
	}
	/* RX sources: a queue of every RSS port each; a single-queue port to one dispatcher */
	for (i = 0; i < 2 * n_pairs; i++) {
		const struct kw_port *port = &app->ports[pairs[i]];

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

static int
setup_qsbr(struct kw_app *app)
{
	size_t sz = rte_rcu_qsbr_get_memsize(app->n_workers);

	app->shared.qsbr = rte_zmalloc("kw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (app->shared.qsbr == NULL)
		return -ENOMEM;
	return rte_rcu_qsbr_init(app->shared.qsbr, app->n_workers);
}

static void
launch_workers(struct kw_app *app)
{
	unsigned int lcore;
	uint16_t id = 0;

	app->shared.run = 1;
	app->started_tsc = rte_rdtsc();
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(kw_worker_main, app->workers[id++], lcore);
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

static int
dump_flows(const struct kw_app *app)
{
	FILE *out = fopen(app->flows_dump, "w");
	unsigned int id;

	if (out == NULL) {
		fprintf(stderr, "kwire: --dump-flows %s: %s\n", app->flows_dump, strerror(errno));
		return -errno;
	}
	for (id = 0; id < app->n_workers; id++) {
		void *arg[2] = {out, &id};

		if (app->workers[id]->flows != NULL)
			kw_flow_table_walk(app->workers[id]->flows, dump_flow, arg);
	}
	return fclose(out) == 0 ? 0 : -EIO;
}

static void
teardown(struct kw_app *app)
{
	uint16_t s, t;

	for (s = 0; s < app->n_ports; s++)
		if (app->ports[s].pool != NULL)
			kw_port_teardown(&app->ports[s]);
	for (s = 0; s < app->n_workers; s++) {
		if (app->workers[s] != NULL)
			kw_flow_table_free(app->workers[s]->flows);
		rte_free(app->workers[s]);
		for (t = 0; t < app->n_workers; t++) {
			rte_ring_free(app->rings[s][t]);
			rte_ring_free(app->tx_rings[s][t]);
		}
	}
	rte_free(app->shared.qsbr);
}

int
main(int argc, char **argv)
{
	static struct kw_app app;
	uint16_t pairs[2 * KW_MAX_PORTS];
	unsigned int n_pairs = 0, i;
	char err[KW_CONFIG_ERR_MAX];
	int sep, rc, status = EXIT_FAILURE;
	char *kw_argv[64];
	int kw_argc = 0;

	/* split "EAL options -- kwire options"; without "--" everything is kwire's if it
	 * starts with a kwire option (kwire --version), else the EAL's */
	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	kw_argv[kw_argc++] = argv[0];
	if (sep < argc) {
		for (i = (unsigned int)sep + 1; i < (unsigned int)argc && kw_argc < 63; i++)
			kw_argv[kw_argc++] = argv[i];
	} else if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
				strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		kw_argv[kw_argc++] = argv[1];
		sep = 1;
	}
	kw_argv[kw_argc] = NULL;
	rc = parse_args(&app, kw_argc, kw_argv);
	if (rc != 0)
		return rc > 0 ? EXIT_SUCCESS : EXIT_FAILURE;

	kw_config_defaults(&app.cfg);
	if (app.cfg_path != NULL &&
	    kw_config_load(&app.cfg, app.cfg_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "kwire: %s\n", err);
		return EXIT_FAILURE;
	}

	rc = rte_eal_init(sep, argv);
	if (rc < 0) {
		fprintf(stderr, "kwire: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	app.n_workers = (uint16_t)(rte_lcore_count() - 1);
	if (app.n_workers == 0 || app.n_workers > KW_MAX_WORKERS) {
		fprintf(stderr, "kwire: needs 2 to %u lcores (one control, the rest workers); "
				"got %u (EAL -l)\n", KW_MAX_WORKERS + 1, rte_lcore_count());
		goto out_eal;
	}
	if (setup_bridges(&app, pairs, &n_pairs) != 0)
		goto out_eal;
	for (i = 0; i < 2 * n_pairs; i++) {
		if (kw_port_setup(&app.ports[pairs[i]], app.n_workers, &app.cfg, err,
				  sizeof(err)) != 0) {
			fprintf(stderr, "kwire: %s\n", err);
			goto out_teardown;
		}
	}
	if ((app.n_workers > 1 && setup_rings(&app) != 0) ||
	    setup_workers(&app, pairs, n_pairs) != 0 || setup_qsbr(&app) != 0) {
		fprintf(stderr, "kwire: cannot set up the workers\n");
		goto out_teardown;
	}
	kw_telemetry_register(&app);

	fprintf(stderr, "kwire %s: %u worker(s), inspect %s, dispatch %s, config %s\n", KW_VERSION,
		app.n_workers, kw_config_inspect_name(app.cfg.inspect),
		kw_config_dispatch_name(app.cfg.dispatch), app.cfg_path ? app.cfg_path : "(embedded)");
	for (i = 0; i < 2 * n_pairs; i += 2) {
		const struct kw_port *a = &app.ports[pairs[i]], *b = &app.ports[pairs[i + 1]];

		fprintf(stderr, "kwire: bridge %s <-> %s (%s, %s; RX queues %u/%u, %s)\n", a->name,
			b->name, a->driver, b->driver, a->nb_rxq, b->nb_rxq,
			app.n_workers == 1 ? "one worker"
			: a->rss && b->rss ? "symmetric RSS" : "software dispatch");
	}

	launch_workers(&app);
	kw_control_run(&app);
	__atomic_store_n(&app.shared.run, 0, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();

	kw_app_report(&app, stderr);
	status = EXIT_SUCCESS;
	if (app.flows_dump != NULL && dump_flows(&app) != 0)
		status = EXIT_FAILURE;
out_teardown:
	teardown(&app);
out_eal:
	rte_eal_cleanup();
	return status;
}
