/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control loop on the main lcore: signals, the periodic one-line summary, link state, and
 * --idle-exit. Workers never see any of this except the shared run flag, cleared by the caller.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "control/app.h"
#include "control/kafka_obs.h"
#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/tcp/tcp_stream.h"

/* The control loop wakes this often to look at signals and links. */
#define TICK_US 10000
/* ... and this often while it drains Kafka records: a worker's ring (log.ring_size, 4096 by
 * default) must not fill during a nap at the event rates one worker reaches (~0.5 M/s). */
#define REC_TICK_US 1000
/* How far behind the wall clock the control thread ends rate windows: records wait in the
 * workers' rings up to a drain (~1 ms, more under load) before the control thread sees them. */
#define RATE_GRACE_NS 20000000u
/* Empty polls that must have happened since the last frame before --idle-exit stops kwire. */
#define IDLE_POLLS_MIN 1000

static volatile sig_atomic_t sig_stop;
static volatile sig_atomic_t sig_hup;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		sig_hup = 1;
	else
		sig_stop = 1;
}

void
kw_app_counters_sum(const struct kw_app *app, struct kw_counters *out)
{
	uint16_t w;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (w = 0; w < app->n_workers; w++)
		for (i = 0; i < KW_CTR_MAX; i++)
			out->v[i] += app->workers[w]->ctr.v[i];
}

static uint64_t
flows_active(const struct kw_app *app)
{
	uint64_t n = 0;
	uint16_t w;

	for (w = 0; w < app->n_workers; w++)
		if (app->workers[w]->flows != NULL)
			n += app->workers[w]->flows->count;
	return n;
}

static uint64_t
drops(const struct kw_counters *c)
{
	return c->v[KW_CTR_DROP_TX_FULL] + c->v[KW_CTR_DROP_NO_PEER] +
	       c->v[KW_CTR_DROP_DISPATCH_FULL] + c->v[KW_CTR_DROP_FLOW_FULL];
}

/*
 * Packets from the workers' counters; bytes from the ports' own statistics, which every mode has
 * (pass-through does not read frame lengths) and which some PMDs (net_null) do not keep.
 */
static void
print_summary(struct kw_app *app, const struct kw_counters *now, const struct kw_counters *prev,
	      double secs, double uptime)
{
	uint64_t nombuf = 0, missed = 0, ibytes = 0, obytes = 0;
	struct rte_eth_stats st;
	uint16_t p;

	for (p = 0; p < app->n_ports; p++)
		if (app->ports[p].pool != NULL && rte_eth_stats_get(p, &st) == 0) {
			nombuf += st.rx_nombuf;
			missed += st.imissed;
			ibytes += st.ibytes;
			obytes += st.obytes;
		}
	fprintf(stderr,
		"kwire: %.1fs rx %.3f Mpps %.3f Gbit/s tx %.3f Mpps %.3f Gbit/s drops %" PRIu64
		" flows %" PRIu64 " rx_nombuf %" PRIu64 " imissed %" PRIu64 "\n",
		uptime, (double)(now->v[KW_CTR_RX_PKTS] - prev->v[KW_CTR_RX_PKTS]) / secs / 1e6,
		(double)(ibytes - app->summary_ibytes) * 8 / secs / 1e9,
		(double)(now->v[KW_CTR_TX_PKTS] - prev->v[KW_CTR_TX_PKTS]) / secs / 1e6,
		(double)(obytes - app->summary_obytes) * 8 / secs / 1e9, drops(now),
		flows_active(app), nombuf, missed);
	app->summary_ibytes = ibytes;
	app->summary_obytes = obytes;
}

/* The TCP trackers' counters summed over workers (zero without inspection). */
static void
tcp_stats_sum(const struct kw_app *app, uint64_t tcp[KW_TCP_STAT_COUNT])
{
	unsigned int i;
	uint16_t w;

	memset(tcp, 0, KW_TCP_STAT_COUNT * sizeof(tcp[0]));
	for (w = 0; w < app->n_workers; w++) {
		const uint64_t *v;

		if (app->workers[w] == NULL || app->workers[w]->tcp == NULL)
			continue;
		v = (const uint64_t *)kw_tcp_ctx_stats(app->workers[w]->tcp);
		for (i = 0; i < KW_TCP_STAT_COUNT; i++)
			tcp[i] += v[i];
	}
}

/*
 * Kafka decoder and TCP reassembly counters summed over workers, non-zero ones only (an idle
 * layer prints nothing; /kwire/stats has them all).
 */
static void
report_l7(const struct kw_app *app, FILE *f, const uint64_t tcp[KW_TCP_STAT_COUNT])
{
	struct kw_kafka_counters *kafka = malloc(sizeof(*kafka)); /* ~50 KiB */
	unsigned int i;

	for (i = 0; i < KW_TCP_STAT_COUNT; i++)
		if (tcp[i] != 0)
			fprintf(f, "  tcp_%s %" PRIu64 "\n", kw_tcp_stat_names[i], tcp[i]);
	if (kafka == NULL)
		return;
	kw_app_kafka_counters_sum(app, kafka);
	for (i = 0; i < KW_KAFKA_CTR_COUNT; i++)
		if (kw_kafka_ctr_get(kafka, i) != 0)
			fprintf(f, "  kafka_%s %" PRIu64 "\n", kw_kafka_ctr_names[i],
				kw_kafka_ctr_get(kafka, i));
	free(kafka);
}

/*
 * After the counters: one line for each configured bound the run reached, with what it cost and
 * the key that raises it, so that a capture replayed with the defaults does not lose flows,
 * connections or log lines with only a counter among ~150 to tell.
 */
static void
report_limits(const struct kw_app *app, FILE *f, const struct kw_counters *sum,
	      const uint64_t tcp[KW_TCP_STAT_COUNT])
{
	const struct kw_config *cfg = &app->cfg;
	uint64_t v;

	if ((v = sum->v[KW_CTR_FLOW_TABLE_FULL]) != 0)
		fprintf(f, "kwire: limit reached: flows.capacity (%u per worker): %" PRIu64
			" packets of new flows found the table full (%s)\n", cfg->flow_capacity, v,
			cfg->flow_on_full == KW_FLOW_FULL_DROP ? "dropped" : "forwarded untracked");
	if ((v = sum->v[KW_CTR_L7_CONN_POOL_EMPTY]) != 0)
		fprintf(f, "kwire: limit reached: kafka.max_connections (%u per worker): %" PRIu64
			" Kafka flows forwarded undecoded\n", cfg->kafka_max_conns, v);
	if ((v = sum->v[KW_CTR_KAFKA_REC_DROPPED]) != 0)
		fprintf(f, "kwire: limit reached: log.ring_size (%u per worker): %" PRIu64
			" request log records dropped\n", cfg->log_ring_size, v);
	if ((v = tcp[KW_TCP_STAT_cap_ooo_flow]) != 0)
		fprintf(f, "kwire: limit reached: tcp.ooo_segments_per_direction (%u) or "
			"tcp.ooo_bytes_per_direction (%u): %" PRIu64 " directions left undecoded\n",
			cfg->tcp_ooo_segs_per_dir, cfg->tcp_ooo_bytes_per_dir, v);
	if ((v = tcp[KW_TCP_STAT_cap_ooo_global]) != 0)
		fprintf(f, "kwire: limit reached: tcp.ooo_segments_per_worker (%u): %" PRIu64
			" directions left undecoded\n", cfg->tcp_ooo_segs_total, v);
}

/* -Dphase_tsc=true: each phase's TSC cycles per received frame, summed over workers. */
static void
report_phases(const struct kw_app *app, FILE *f, uint64_t rx_pkts)
{
	unsigned int i;
	uint16_t w;

	fprintf(f, "phase cycles per frame (sum of %u workers, one rdtsc per mark):", app->n_workers);
	for (i = 0; i < KW_PHASE_COUNT; i++) {
		uint64_t c = 0;

		for (w = 0; w < app->n_workers; w++)
			c += app->workers[w]->phases.cyc[i];
		fprintf(f, " %s %.0f", kw_phase_names[i], rx_pkts ? (double)c / (double)rx_pkts : 0.0);
	}
	fprintf(f, "\n");
}

void
kw_app_report(const struct kw_app *app, FILE *f)
{
	struct kw_counters sum;
	struct rte_eth_stats st;
	uint64_t tcp[KW_TCP_STAT_COUNT];
	unsigned int i;
	uint16_t p, w;

	fprintf(f, "kwire: final report after %.3f s\n",
		(double)(rte_rdtsc() - app->started_tsc) / (double)rte_get_tsc_hz());
	for (p = 0; p < app->n_ports; p++) {
		const struct kw_port *port = &app->ports[p];

		if (port->pool == NULL || rte_eth_stats_get(p, &st) != 0)
			continue;
		fprintf(f,
			"port %u %s (%s) -> %u: ipackets %" PRIu64 " ibytes %" PRIu64
			" opackets %" PRIu64 " obytes %" PRIu64 " imissed %" PRIu64
			" ierrors %" PRIu64 " oerrors %" PRIu64 " rx_nombuf %" PRIu64
			" link_changes %" PRIu64 "\n",
			p, port->name, port->driver, port->peer, st.ipackets, st.ibytes,
			st.opackets, st.obytes, st.imissed, st.ierrors, st.oerrors, st.rx_nombuf,
			port->link_changes);
	}
	for (w = 0; w < app->n_workers; w++) {
		const struct kw_worker *wk = app->workers[w];

		fprintf(f,
			"worker %u: rx_pkts %" PRIu64 " tx_pkts %" PRIu64 " dispatch_in %" PRIu64
			" dispatch_out %" PRIu64 " flows %u\n",
			w, wk->ctr.v[KW_CTR_RX_PKTS], wk->ctr.v[KW_CTR_TX_PKTS],
			wk->ctr.v[KW_CTR_DISPATCH_IN], wk->ctr.v[KW_CTR_DISPATCH_OUT],
			wk->flows != NULL ? wk->flows->count : 0);
	}
	kw_app_counters_sum(app, &sum);
	if (KW_PHASE_ON)
		report_phases(app, f, sum.v[KW_CTR_RX_PKTS]);
	fprintf(f, "counters (sum of %u workers):\n", app->n_workers);
	for (i = 0; i < KW_CTR_MAX; i++)
		fprintf(f, "  %s %" PRIu64 "\n", kw_ctr_desc[i].name, sum.v[i]);
	tcp_stats_sum(app, tcp);
	report_l7(app, f, tcp);
	report_limits(app, f, &sum, tcp);
}

static void
poll_links(struct kw_app *app)
{
	uint16_t p;

	for (p = 0; p < app->n_ports; p++) {
		struct kw_port *port = &app->ports[p];

		if (port->pool != NULL && kw_port_link_poll(port))
			fprintf(stderr, "kwire: port %u %s link %s %u Mbit/s (change %" PRIu64 ")\n",
				p, port->name, port->link_up ? "up" : "down", port->link_speed,
				port->link_changes);
	}
}

void
kw_control_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* the EAL's start-up may be in a system call; the control loop's naps end anyway */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
kw_control_run(struct kw_app *app)
{
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t stats_tsc = hz * app->cfg.stats_interval_ms / 1000;
	const uint64_t idle_tsc = hz * app->idle_exit_ms / 1000;
	const uint64_t flush_tsc = hz * KW_OBS_FLUSH_MS / 1000;
	struct kw_counters now_ctr, prev_ctr;
	uint64_t now, last_stats, last_rx_change, last_rx = 0, idle_polls = 0, last_flush;

	memset(&prev_ctr, 0, sizeof(prev_ctr));
	last_stats = last_rx_change = last_flush = rte_rdtsc();
	while (!sig_stop) {
		/* records waiting keep the control thread busy; otherwise it naps a tick */
		if (app->obs == NULL)
			usleep(TICK_US);
		else if (kw_app_drain_records(app, 4096) == 0)
			usleep(REC_TICK_US);
		now = rte_rdtsc();
		if (sig_hup) {
			sig_hup = 0;
			app->sighup_count++;
			fprintf(stderr, "kwire: SIGHUP is reserved for configuration reload, which "
					"this version does not do; configuration unchanged\n");
		}
		/*
		 * Inline, the pairs' clock is the wall clock: windows end without pairs too, so
		 * that a key that stopped sending shows no rate (kwire pcap: the capture's clock).
		 * RATE_GRACE_NS behind, so that pairs still in the rings count in their window.
		 */
		if (app->obs != NULL && !app->capture) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			kw_obs_advance(app->obs, (uint64_t)ts.tv_sec * 1000000000u +
							 (uint64_t)ts.tv_nsec - RATE_GRACE_NS);
		}
		/* a line of the request log is readable within KW_OBS_FLUSH_MS of its pair */
		if (app->obs != NULL && now - last_flush >= flush_tsc) {
			kw_obs_flush(app->obs);
			last_flush = now;
		}
		poll_links(app);
		if (stats_tsc == 0 && idle_tsc == 0)
			continue;
		kw_app_counters_sum(app, &now_ctr);
		if (now_ctr.v[KW_CTR_RX_PKTS] != last_rx) {
			last_rx = now_ctr.v[KW_CTR_RX_PKTS];
			last_rx_change = now;
			idle_polls = now_ctr.v[KW_CTR_POLLS_IDLE];
		}
		if (stats_tsc != 0 && now - last_stats >= stats_tsc) {
			print_summary(app, &now_ctr, &prev_ctr, (double)(now - last_stats) / (double)hz,
				      (double)(now - app->started_tsc) / (double)hz);
			prev_ctr = now_ctr;
			last_stats = now;
		}
		/*
		 * Idle means the workers poll and find nothing, not merely that the count stands
		 * still: a worker waiting for record ring space (captures) receives nothing either.
		 */
		if (idle_tsc != 0 && now - last_rx_change >= idle_tsc &&
		    now_ctr.v[KW_CTR_POLLS_IDLE] - idle_polls >= IDLE_POLLS_MIN) {
			fprintf(stderr, "kwire: no frame for %u ms, stopping (--idle-exit)\n",
				app->idle_exit_ms);
			break;
		}
	}
	if (sig_stop)
		fprintf(stderr, "kwire: signal received, draining workers\n");
	return 0;
}
