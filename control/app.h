/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application as the control thread sees it: configuration, ports, workers and the state
 * they share. Built by main() on the main lcore before the workers launch; after that the
 * control thread (main lcore) and the telemetry thread only read the workers' counters and
 * write the shared run flag.
 */
#ifndef KW_APP_H
#define KW_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "control/config.h"
#include "dataplane/worker.h"
#include "drivers/port.h"

struct rte_ring;
struct kw_obs;
struct kw_kafka_counters;

struct kw_app {
	struct kw_config cfg;
	const char *cfg_path;   /* NULL: the embedded defaults */
	uint32_t idle_exit_ms;  /* --idle-exit: stop after this long without a received frame */
	const char *flows_dump; /* --dump-flows FILE: JSON lines of every flow at exit */

	uint16_t n_pairs;
	uint16_t pairs[2 * KW_MAX_PORTS]; /* port ids: pairs[2i] <-> pairs[2i + 1] */
	uint16_t n_ports;
	struct kw_port ports[KW_MAX_PORTS];
	uint16_t n_workers;
	unsigned int lcores[KW_MAX_WORKERS]; /* the lcore of each worker */
	struct kw_worker *workers[KW_MAX_WORKERS];
	struct rte_ring *rings[KW_MAX_WORKERS][KW_MAX_WORKERS];    /* dispatch [from][to] */
	struct rte_ring *tx_rings[KW_MAX_WORKERS][KW_MAX_WORKERS]; /* TX handoff [from][to] */
	uint16_t tx_owner[KW_MAX_PORTS]; /* the worker writing a single-TX-queue port */
	struct kw_shared shared;

	uint64_t started_tsc;
	uint64_t sighup_count;
	uint64_t summary_ibytes; /* port byte totals at the last periodic summary */
	uint64_t summary_obytes;

	bool capture;        /* kwire pcap: frames are a capture, time is theirs, no record is lost */
	struct kw_obs *obs;  /* Kafka statistics and the request log (inspect: kafka) */
};

/*
 * Build everything from app->cfg for app->n_workers workers (app->lcores set): bridges, ports,
 * rings, workers. Returns 0 or a negative errno after printing the reason to stderr; call
 * kw_app_teardown either way.
 */
int kw_app_setup(struct kw_app *app);

/* Start every worker on its lcore. */
void kw_app_launch(struct kw_app *app);

/* Stop and close the ports (flushing PMD output), free workers, rings and tables. */
void kw_app_teardown(struct kw_app *app);

/* Every tracked flow as a JSON line to path; after the workers stopped. Returns 0 or -errno. */
int kw_app_dump_flows(const struct kw_app *app, const char *path);

/* Hand up to max_per_worker records of each worker to the statistics/log. Returns the count. */
unsigned int kw_app_drain_records(struct kw_app *app, unsigned int max_per_worker);

/* After the workers stopped: end every flow (pending requests become unanswered records). */
void kw_app_finish_flows(struct kw_app *app);

/* Sum every worker's counters into out. */
void kw_app_counters_sum(const struct kw_app *app, struct kw_counters *out);

/* Sum every worker's Kafka decoder counters into out (workers without a decoder add nothing). */
void kw_app_kafka_counters_sum(const struct kw_app *app, struct kw_kafka_counters *out);

/* Write the final report (per-port ethdev stats, summed counters) to f. */
void kw_app_report(const struct kw_app *app, FILE *f);

/*
 * Catch SIGINT and SIGTERM (stop) and SIGHUP from here on: called first thing in main, so that
 * a stop asked for while the EAL and the ports start up is kept, and honoured as soon as the
 * control loop starts, instead of being lost (a background job of a script starts with SIGINT
 * ignored) or killing the process half set up.
 */
void kw_control_signals(void);

/* Run the control loop on the main lcore until a signal or --idle-exit; returns 0. */
int kw_control_run(struct kw_app *app);

/* Register the /kwire/ telemetry commands; app must outlive the process's telemetry thread. */
int kw_telemetry_register(struct kw_app *app);

#endif /* KW_APP_H */
