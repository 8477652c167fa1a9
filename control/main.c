/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwire: EAL arguments, "--", then kwire's own options. The configuration is loaded and checked
 * before the EAL probes a single port; any error exits non-zero with the reason.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "control/app.h"
#include "control/capture.h"
#include "control/kafka_obs.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: kwire [EAL options] -- [options]\n"
		"       kwire pcap FILE.pcap [options]\n"
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
		"kwire pcap runs the same dataplane over a capture (net_pcap, no hugepages) with\n"
		"full Kafka decoding and writes the request log, one JSON line per request and\n"
		"response, to standard output (log.path in the configuration overrides).\n"
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

/* EAL and kwire arguments of `kwire pcap FILE [options]`, built in bufs. Returns 0 or -EINVAL. */
static int
pcap_args(int argc, char **argv, char **eal, int *n_eal, char **kw, int *n_kw, char (*bufs)[512])
{
	static char replay[400]; /* leaves room in bufs[1] for the device name */
	char err[600];
	int i;

	if (argc < 3 || argv[2][0] == '-') {
		fprintf(stderr, "usage: kwire pcap FILE.pcap [-c CONFIG] [--dump-flows FILE]\n");
		return -EINVAL;
	}
	if (strchr(argv[2], ',') != NULL) {
		fprintf(stderr, "kwire: pcap: a file name with ',' cannot be a DPDK device argument\n");
		return -EINVAL;
	}
	if (access(argv[2], R_OK) != 0) {
		fprintf(stderr, "kwire: pcap: %s: %s\n", argv[2], strerror(errno));
		return -EINVAL;
	}
	/* net_pcap replays bytes as they are and the classifier reads Ethernet: another link
	 * type is replayed from an Ethernet copy, removed at exit */
	atexit(kw_capture_done);
	if (kw_capture_prepare(argv[2], replay, sizeof(replay), err, sizeof(err)) != 0) {
		fprintf(stderr, "kwire: pcap: %s\n", err);
		return -EINVAL;
	}
	snprintf(bufs[0], sizeof(bufs[0]), "--file-prefix=kwpcap%d", (int)getpid());
	snprintf(bufs[1], sizeof(bufs[1]), "net_pcap0,rx_pcap=%s", replay);
	/* one control lcore and one worker; they share core 0 on a single-core machine */
	snprintf(bufs[2], sizeof(bufs[2]), "%s", sysconf(_SC_NPROCESSORS_ONLN) > 1 ? "0@0,1@1" : "0@0,1@0");
	*n_eal = 0;
	eal[(*n_eal)++] = argv[0];
	eal[(*n_eal)++] = "--lcores";
	eal[(*n_eal)++] = bufs[2];
	eal[(*n_eal)++] = "--no-huge";
	eal[(*n_eal)++] = "-m";
	eal[(*n_eal)++] = "512";
	eal[(*n_eal)++] = "--no-pci";
	eal[(*n_eal)++] = "--no-shconf";
	eal[(*n_eal)++] = "--no-telemetry";
	eal[(*n_eal)++] = bufs[0];
	eal[(*n_eal)++] = "--log-level=*:error";
	eal[(*n_eal)++] = "--vdev";
	eal[(*n_eal)++] = bufs[1];
	eal[*n_eal] = NULL;
	*n_kw = 0;
	kw[(*n_kw)++] = argv[0];
	for (i = 3; i < argc && *n_kw < 62; i++)
		kw[(*n_kw)++] = argv[i];
	kw[*n_kw] = NULL;
	return 0;
}

/* kwire pcap: the capture port bridged to itself, full decode, the request log on. */
static void
capture_overrides(struct kw_app *app)
{
	struct kw_config *cfg = &app->cfg;

	app->capture = true;
	cfg->n_bridges = 1;
	snprintf(cfg->bridges[0].a, sizeof(cfg->bridges[0].a), "net_pcap0");
	snprintf(cfg->bridges[0].b, sizeof(cfg->bridges[0].b), "net_pcap0");
	cfg->inspect = KW_INSPECT_KAFKA;
	cfg->log_requests = true;
	cfg->stats_interval_ms = 0;
	if (app->idle_exit_ms == 0)
		app->idle_exit_ms = 300;
}

/* The Kafka statistics and request log, when kwire decodes Kafka. */
static int
obs_open(struct kw_app *app, FILE **log)
{
	struct kw_obs_params op = {
		.top_k = app->cfg.kafka_top_k,
		.log_sample = app->cfg.log_sample,
		.tsc_hz = rte_get_tsc_hz(),
		.rate_window_ns = (uint64_t)app->cfg.kafka_rate_window_ms * 1000000u,
	};

	*log = NULL;
	if (app->cfg.inspect != KW_INSPECT_KAFKA)
		return 0;
	if (app->cfg.log_requests) {
		*log = strcmp(app->cfg.log_path, "-") == 0 ? stdout : fopen(app->cfg.log_path, "a");
		if (*log == NULL) {
			fprintf(stderr, "kwire: log.path %s: %s\n", app->cfg.log_path, strerror(errno));
			return -errno;
		}
	}
	op.log = *log;
	app->obs = kw_obs_create(&op);
	if (app->obs == NULL) {
		fprintf(stderr, "kwire: cannot create the Kafka statistics\n");
		return -ENOMEM;
	}
	if (!app->capture)
		kw_obs_telemetry_register(app->obs);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct kw_app app;
	static char bufs[3][512];
	static char runtime_dir[PATH_MAX];
	unsigned int i, lcore;
	char err[KW_CONFIG_ERR_MAX];
	int sep, rc, status = EXIT_FAILURE;
	char *eal_argv[32], *kw_argv[64];
	int eal_argc = 0, kw_argc = 0;
	FILE *log = NULL;

	kw_control_signals();
	if (argc > 1 && strcmp(argv[1], "pcap") == 0) {
		if (pcap_args(argc, argv, eal_argv, &eal_argc, kw_argv, &kw_argc, bufs) != 0)
			return EXIT_FAILURE;
	} else {
		/* "EAL options -- kwire options"; without "--" everything is the EAL's, unless it
		 * is a lone kwire option (kwire --version) */
		for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
			;
		kw_argv[kw_argc++] = argv[0];
		if (sep < argc) {
			for (i = (unsigned int)sep + 1; i < (unsigned int)argc && kw_argc < 63; i++)
				kw_argv[kw_argc++] = argv[i];
		} else if (argc > 1 &&
			   (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
			    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			kw_argv[kw_argc++] = argv[1];
			sep = 1;
		}
		kw_argv[kw_argc] = NULL;
		for (eal_argc = 0; eal_argc < sep && eal_argc < 31; eal_argc++)
			eal_argv[eal_argc] = argv[eal_argc];
		eal_argv[eal_argc] = NULL;
	}
	rc = parse_args(&app, kw_argc, kw_argv);
	if (rc != 0)
		return rc > 0 ? EXIT_SUCCESS : EXIT_FAILURE;

	kw_config_defaults(&app.cfg);
	if (app.cfg_path != NULL &&
	    kw_config_load(&app.cfg, app.cfg_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "kwire: %s\n", err);
		return EXIT_FAILURE;
	}
	if (argc > 1 && strcmp(argv[1], "pcap") == 0)
		capture_overrides(&app);

	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		fprintf(stderr, "kwire: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	/* kwire pcap chose its own EAL prefix (kwpcap<pid>): its runtime directory goes at exit */
	if (app.capture)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	app.n_workers = (uint16_t)(rte_lcore_count() - 1);
	if (app.n_workers == 0 || app.n_workers > KW_MAX_WORKERS) {
		fprintf(stderr, "kwire: needs 2 to %u lcores (one control, the rest workers); "
				"got %u (EAL -l)\n", KW_MAX_WORKERS + 1, rte_lcore_count());
		goto out_eal;
	}
	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
		app.lcores[i++] = lcore;
	if (kw_app_setup(&app) != 0 || obs_open(&app, &log) != 0)
		goto out_teardown;
	kw_telemetry_register(&app);

	fprintf(stderr, "kwire %s: %u worker(s), inspect %s, dispatch %s, config %s\n", KW_VERSION,
		app.n_workers, kw_config_inspect_name(app.cfg.inspect),
		kw_config_dispatch_name(app.cfg.dispatch), app.cfg_path ? app.cfg_path : "(embedded)");
	for (i = 0; i < 2 * app.n_pairs; i += 2) {
		const struct kw_port *a = &app.ports[app.pairs[i]], *b = &app.ports[app.pairs[i + 1]];

		fprintf(stderr, "kwire: bridge %s <-> %s (%s, %s; RX queues %u/%u, %s)\n", a->name,
			b->name, a->driver, b->driver, a->nb_rxq, b->nb_rxq,
			app.n_workers == 1 ? "one worker"
			: a->rss && b->rss ? "symmetric RSS" : "software dispatch");
	}

	kw_app_launch(&app);
	kw_control_run(&app);
	__atomic_store_n(&app.shared.run, 0, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	if (app.obs != NULL) {
		kw_app_drain_records(&app, UINT32_MAX);
		/* a capture has ended: requests still waiting are reported as unanswered */
		if (app.capture)
			kw_app_finish_flows(&app);
	}

	kw_app_report(&app, stderr);
	if (app.obs != NULL)
		kw_obs_report(app.obs, stderr);
	status = EXIT_SUCCESS;
	if (app.flows_dump != NULL && kw_app_dump_flows(&app, app.flows_dump) != 0)
		status = EXIT_FAILURE;
out_teardown:
	kw_app_teardown(&app);
	kw_obs_free(app.obs);
	if (log != NULL && log != stdout)
		fclose(log);
	else if (log == stdout)
		fflush(stdout);
out_eal:
	rte_eal_cleanup();
	/* empty by now (--no-shconf, --no-telemetry); each run left one behind before */
	if (runtime_dir[0] != '\0' && rmdir(runtime_dir) != 0)
		fprintf(stderr, "kwire: %s: %s\n", runtime_dir, strerror(errno));
	return status;
}
