/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker driven in-process through the same wiring kwire uses (kw_app_setup), one poll at a
 * time: mempool exhaustion shows in rx_nombuf and forwarding resumes when buffers return;
 * flows.on_full drop and forward; idle aging frees the table; frames cross a net_ring bridge
 * untouched in both directions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "control/app.h"
#include "dataplane/inspect.h"
#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/kafka_rec.h"
#include "kw_test_eal.h"

#define RING_SIZE 1024

struct ring_port {
	struct rte_ring *rx; /* the test enqueues what the port "receives" */
	struct rte_ring *tx; /* what the port transmitted */
	uint16_t id;
};

static unsigned int n_made;

/* A net_ring port whose rings the test reads and writes. */
static void
ring_port_make(struct ring_port *rp, char *name, size_t len)
{
	char rn[32];
	int port;

	snprintf(name, len, "kwt_ring%u", n_made);
	snprintf(rn, sizeof(rn), "kwt_rx%u", n_made);
	rp->rx = rte_ring_create(rn, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rn, sizeof(rn), "kwt_tx%u", n_made);
	rp->tx = rte_ring_create(rn, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(rp->rx);
	assert_non_null(rp->tx);
	n_made++;
	port = rte_eth_from_rings(name, &rp->rx, 1, &rp->tx, 1, 0);
	assert_true(port >= 0);
	rp->id = (uint16_t)port;
	/* the ethdev takes a name of its own: bridge by that */
	assert_int_equal(rte_eth_dev_get_name_by_port(rp->id, name), 0);
}

/* An Ethernet/IPv4/TCP frame of flow number `flow`, from the client side when dir is 0. */
static uint16_t
frame_make(uint8_t *f, unsigned int flow, unsigned int dir, uint32_t seq)
{
	static const uint8_t tmpl[54] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 19, 0, 1,
		0, 0, 0x23, 0x84, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0,
	};
	uint16_t sport = (uint16_t)(10000 + flow);

	memcpy(f, tmpl, sizeof(tmpl));
	if (dir) { /* swap addresses and ports */
		memcpy(f + 26, tmpl + 30, 4);
		memcpy(f + 30, tmpl + 26, 4);
		f[34] = 0x23, f[35] = 0x84;
		f[36] = (uint8_t)(sport >> 8), f[37] = (uint8_t)sport;
	} else {
		f[34] = (uint8_t)(sport >> 8), f[35] = (uint8_t)sport;
	}
	f[38] = (uint8_t)(seq >> 24), f[39] = (uint8_t)(seq >> 16);
	f[40] = (uint8_t)(seq >> 8), f[41] = (uint8_t)seq;
	return sizeof(tmpl);
}

static struct rte_mbuf *
mbuf_frame(struct rte_mempool *mp, unsigned int flow, unsigned int dir, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, 54);
	assert_non_null(p);
	frame_make(p, flow, dir, seq);
	return m;
}

static void
app_init(struct kw_app *app, const char *a, const char *b)
{
	memset(app, 0, sizeof(*app));
	kw_config_defaults(&app->cfg);
	app->cfg.n_bridges = 1;
	snprintf(app->cfg.bridges[0].a, sizeof(app->cfg.bridges[0].a), "%s", a);
	snprintf(app->cfg.bridges[0].b, sizeof(app->cfg.bridges[0].b), "%s", b);
	app->cfg.mbufs_per_port = 1023;
	app->cfg.stats_interval_ms = 0;
	/* the default full decoding, sized to the test's small EAL memory */
	app->cfg.flow_capacity = 1024;
	app->cfg.kafka_max_conns = 64;
	app->cfg.frag_max_packets = 64;
	app->cfg.log_ring_size = 64;
	app->cfg.tcp_ooo_segs_total = 256;
	app->n_workers = 1;
	app->lcores[0] = rte_get_main_lcore();
}

/* app bridging two fresh ring ports a and b, configured by app_init (not set up yet). */
static void
ring_bridge_init(struct kw_app *app, struct ring_port *a, struct ring_port *b)
{
	char na[RTE_ETH_NAME_MAX_LEN], nb[RTE_ETH_NAME_MAX_LEN];

	ring_port_make(a, na, sizeof(na));
	ring_port_make(b, nb, sizeof(nb));
	app_init(app, na, nb);
}

static void
poll_n(struct kw_app *app, unsigned int n)
{
	while (n-- > 0)
		kw_worker_poll(app->workers[0], rte_rdtsc());
	kw_worker_flush(app->workers[0]);
}

static void
ring_free_all(struct rte_ring *r, uint64_t *bytes)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0) {
		if (bytes != NULL)
			*bytes += ((struct rte_mbuf *)m)->pkt_len;
		rte_pktmbuf_free(m);
	}
}

/* Frames enter each side and leave the other, bytes untouched, counted once. */
static void
test_ring_bridge_both_directions(void **state)
{
	struct ring_port a, b;
	struct kw_app app;
	struct rte_mempool *mp;
	unsigned int i;
	void *out = NULL;

	(void)state;
	ring_bridge_init(&app, &a, &b);
	assert_int_equal(kw_app_setup(&app), 0);
	mp = app.ports[a.id].pool;
	for (i = 0; i < 10; i++) {
		assert_int_equal(rte_ring_enqueue(a.rx, mbuf_frame(mp, i, 0, i)), 0);
		assert_int_equal(rte_ring_enqueue(b.rx, mbuf_frame(mp, i, 1, i)), 0);
	}
	poll_n(&app, 4);
	assert_int_equal(rte_ring_count(b.tx), 10);
	assert_int_equal(rte_ring_count(a.tx), 10);
	for (i = 0; i < 10; i++) {
		uint8_t want[64];

		assert_int_equal(rte_ring_dequeue(b.tx, &out), 0);
		frame_make(want, i, 0, i);
		assert_memory_equal(rte_pktmbuf_mtod((struct rte_mbuf *)out, void *), want, 54);
		rte_pktmbuf_free(out);
		assert_int_equal(rte_ring_dequeue(a.tx, &out), 0);
		frame_make(want, i, 1, i);
		assert_memory_equal(rte_pktmbuf_mtod((struct rte_mbuf *)out, void *), want, 54);
		rte_pktmbuf_free(out);
	}
	assert_int_equal(app.workers[0]->ctr.v[KW_CTR_RX_PKTS], 20);
	assert_int_equal(app.workers[0]->ctr.v[KW_CTR_TX_PKTS], 20);
	assert_int_equal(app.workers[0]->ctr.v[KW_CTR_FLOW_CREATED], 10);
	assert_int_equal(app.workers[0]->flows->count, 10);
	kw_app_teardown(&app);
}

/* flows.on_full: drop frees the frames of new flows; forward passes them untracked. */
static void
run_full_policy(enum kw_flow_full_policy policy)
{
	struct ring_port a, b;
	struct kw_app app;
	struct kw_worker *w;
	unsigned int i, avail;

	ring_bridge_init(&app, &a, &b);
	app.cfg.flow_capacity = 4;
	app.cfg.flow_on_full = policy;
	assert_int_equal(kw_app_setup(&app), 0);
	w = app.workers[0];
	avail = rte_mempool_avail_count(app.ports[a.id].pool);
	for (i = 0; i < 8; i++) /* flows 0-3 fit, 4-7 do not */
		assert_int_equal(rte_ring_enqueue(a.rx, mbuf_frame(app.ports[a.id].pool, i, 0, 1)), 0);
	poll_n(&app, 2);
	assert_int_equal(w->flows->count, 4);
	assert_int_equal(w->ctr.v[KW_CTR_FLOW_TABLE_FULL], 4);
	if (policy == KW_FLOW_FULL_DROP) {
		assert_int_equal(w->ctr.v[KW_CTR_DROP_FLOW_FULL], 4);
		assert_int_equal(rte_ring_count(b.tx), 4);
	} else {
		assert_int_equal(w->ctr.v[KW_CTR_DROP_FLOW_FULL], 0);
		assert_int_equal(rte_ring_count(b.tx), 8);
	}
	ring_free_all(b.tx, NULL);
	/* every mbuf is back: the dropped ones were freed, not leaked */
	assert_int_equal(rte_mempool_avail_count(app.ports[a.id].pool), avail);
	kw_app_teardown(&app);
}

static void
test_full_policy_drop(void **state)
{
	(void)state;
	run_full_policy(KW_FLOW_FULL_DROP);
}

static void
test_full_policy_forward(void **state)
{
	(void)state;
	run_full_policy(KW_FLOW_FULL_FORWARD);
}

/* Idle flows leave the table on the drain timer, and their slots take new flows. */
static void
test_aging_frees_slots(void **state)
{
	struct ring_port a, b;
	struct kw_app app;
	struct kw_worker *w;
	unsigned int i;

	(void)state;
	ring_bridge_init(&app, &a, &b);
	app.cfg.flow_capacity = 8;
	app.cfg.flow_idle_timeout_ms = 1;
	assert_int_equal(kw_app_setup(&app), 0);
	w = app.workers[0];
	for (i = 0; i < 8; i++)
		rte_ring_enqueue(a.rx, mbuf_frame(app.ports[a.id].pool, i, 0, 1));
	poll_n(&app, 1);
	assert_int_equal(w->flows->count, 8);
	usleep(5000);
	/* the sweep looks at KW_AGE_BUDGET slots per drain tick */
	for (i = 0; i < 1000 && w->flows->count > 0; i++) {
		usleep(200);
		poll_n(&app, 1);
	}
	assert_int_equal(w->flows->count, 0);
	assert_int_equal(w->ctr.v[KW_CTR_FLOW_EXPIRED], 8);
	for (i = 100; i < 108; i++)
		rte_ring_enqueue(a.rx, mbuf_frame(app.ports[a.id].pool, i, 0, 1));
	poll_n(&app, 1);
	assert_int_equal(w->flows->count, 8);
	assert_int_equal(w->ctr.v[KW_CTR_FLOW_TABLE_FULL], 0);
	ring_free_all(b.tx, NULL);
	kw_app_teardown(&app);
}

/*
 * The worker stamps a flow with the poll's clock each time it forwards one of its frames (the
 * bulk lookup leaves that to it), so a flow in use does not age out: a frame at t1 and one
 * at t2 leave last_tsc at t1, then t2; another flow's frame leaves it alone.
 */
static void
test_forwarding_stamps_flows(void **state)
{
	struct ring_port a, b;
	const uint64_t t1 = rte_rdtsc(), t2 = t1 + 1000, t3 = t1 + 2000;
	struct kw_flow *f = NULL;
	struct kw_app app;
	struct kw_worker *w;
	uint32_t i;

	(void)state;
	ring_bridge_init(&app, &a, &b);
	assert_int_equal(kw_app_setup(&app), 0);
	w = app.workers[0];
	rte_ring_enqueue(a.rx, mbuf_frame(app.ports[a.id].pool, 7, 0, 1));
	kw_worker_poll(w, t1);
	assert_int_equal(w->flows->count, 1);
	for (i = 0; i < w->flows->n_slots && f == NULL; i++)
		if (w->flows->flows[i].in_use)
			f = &w->flows->flows[i];
	assert_non_null(f);
	assert_int_equal(f->last_tsc, t1);
	rte_ring_enqueue(a.rx, mbuf_frame(app.ports[a.id].pool, 7, 1, 2));
	kw_worker_poll(w, t2);
	assert_int_equal(f->last_tsc, t2);
	assert_int_equal(f->pkts[0] + f->pkts[1], 2);
	rte_ring_enqueue(a.rx, mbuf_frame(app.ports[a.id].pool, 8, 0, 1));
	kw_worker_poll(w, t3);
	assert_int_equal(w->flows->count, 2);
	assert_int_equal(f->last_tsc, t2);
	kw_worker_flush(w);
	ring_free_all(b.tx, NULL);
	kw_app_teardown(&app);
}

/* A pcap of n frames for the net_pcap port. */
static void
pcap_write(const char *path, unsigned int n)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	struct pcap_pkthdr h = {0};
	uint8_t f[64];
	unsigned int i;

	assert_non_null(d);
	for (i = 0; i < n; i++) {
		h.caplen = h.len = frame_make(f, i % 16, 0, i);
		h.ts.tv_usec = (suseconds_t)i;
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/*
 * The broker side holds every frame (a net_ring nobody drains): the client port's pool runs dry,
 * the PMD counts rx_nombuf, nothing crashes; once the test frees the held frames, forwarding
 * resumes and every frame is either forwarded or counted as an allocation failure.
 */
static void
test_mempool_exhaustion_recovers(void **state)
{
	const unsigned int total = 3000;
	char path[64], args[160], nb[RTE_ETH_NAME_MAX_LEN];
	struct ring_port b;
	struct kw_app app;
	struct rte_eth_stats st;
	uint16_t pcap_port;
	uint64_t forwarded = 0, before;
	unsigned int i;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/kwt_nombuf_%d.pcap", (int)getpid());
	pcap_write(path, total);
	snprintf(args, sizeof(args), "rx_pcap=%s,tx_drop=1", path);
	/* tx_drop is not a devarg of every DPDK release; fall back to a plain RX-only port */
	if (rte_vdev_init("net_pcap_kwt", args) != 0) {
		snprintf(args, sizeof(args), "rx_pcap=%s,tx_pcap=/dev/null", path);
		assert_int_equal(rte_vdev_init("net_pcap_kwt", args), 0);
	}
	assert_int_equal(rte_eth_dev_get_port_by_name("net_pcap_kwt", &pcap_port), 0);
	ring_port_make(&b, nb, sizeof(nb));
	app_init(&app, "net_pcap_kwt", nb);
	app.cfg.mbufs_per_port = 1023; /* the minimum; the broker ring holds RING_SIZE - 1 */
	assert_int_equal(kw_app_setup(&app), 0);

	poll_n(&app, 200);
	assert_int_equal(rte_eth_stats_get(pcap_port, &st), 0);
	assert_true(st.rx_nombuf > 0);
	before = app.workers[0]->ctr.v[KW_CTR_RX_PKTS];
	assert_true(before < total);

	/* buffers return: drain the broker side repeatedly while polling */
	for (i = 0; i < 2000 && forwarded + st.rx_nombuf < total; i++) {
		ring_free_all(b.tx, NULL);
		poll_n(&app, 4);
		forwarded = app.workers[0]->ctr.v[KW_CTR_TX_PKTS];
		rte_eth_stats_get(pcap_port, &st);
	}
	ring_free_all(b.tx, NULL);
	assert_true(app.workers[0]->ctr.v[KW_CTR_RX_PKTS] > before);
	assert_int_equal(forwarded, app.workers[0]->ctr.v[KW_CTR_RX_PKTS]);
	assert_int_equal(forwarded + st.rx_nombuf, total);
	assert_int_equal(app.workers[0]->ctr.v[KW_CTR_DROP_TX_FULL], 0);
	kw_app_teardown(&app);
	unlink(path);
}

/*
 * Kafka log records when nobody drains (the control thread behind): the worker's ring takes
 * log.ring_size - 1 records, every further one is dropped and counted, never lost from the pool;
 * once drained, records flow again. A committed kcat capture replayed in a loop
 * (infinite_rx: every loop reopens the connection) keeps events coming.
 */
static void
test_rec_ring_full_drops_counted(void **state)
{
	const char *dir = getenv("KW_CAPTURES");
	char args[PATH_MAX + 64], nb[RTE_ETH_NAME_MAX_LEN];
	struct kw_kafka_rec *recs[64];
	struct ring_port b;
	struct kw_app app;
	struct kw_worker *w;
	uint64_t events, recs_before;
	unsigned int i, n;

	(void)state;
	if (dir == NULL)
		skip();
	snprintf(args, sizeof(args), "rx_pcap=%s/produce-none.pcap,infinite_rx=1", dir);
	assert_int_equal(rte_vdev_init("net_pcap_kwrec", args), 0);
	ring_port_make(&b, nb, sizeof(nb));
	app_init(&app, "net_pcap_kwrec", nb);
	assert_int_equal(kw_app_setup(&app), 0);
	w = app.workers[0];
	assert_non_null(w->rec_ring);

	for (i = 0; i < 5000 && w->ctr.v[KW_CTR_KAFKA_REC_DROPPED] < 100; i++) {
		ring_free_all(b.tx, NULL);
		poll_n(&app, 1);
	}
	events = kw_kafka_ctx_counters(w->kafka)->events;
	assert_int_equal(w->ctr.v[KW_CTR_KAFKA_RECS], app.cfg.log_ring_size - 1);
	assert_true(w->ctr.v[KW_CTR_KAFKA_REC_DROPPED] >= 100);
	assert_int_equal(w->ctr.v[KW_CTR_KAFKA_RECS] + w->ctr.v[KW_CTR_KAFKA_REC_DROPPED], events);
	/* every record is on the ring, in the pool or held by the worker (taken ahead) */
	assert_int_equal(rte_ring_count(w->rec_ring), app.cfg.log_ring_size - 1);
	assert_true(kw_inspect_recs_held(w) <= KW_REC_BULK);
	assert_int_equal(rte_ring_count(w->rec_ring) + rte_mempool_avail_count(w->rec_pool) +
				 kw_inspect_recs_held(w),
			 app.cfg.log_ring_size);

	/* the control thread's part: take them all and give them back */
	while ((n = rte_ring_sc_dequeue_burst(w->rec_ring, (void **)recs, RTE_DIM(recs), NULL)) > 0) {
		/* the request log is off here: pairs carry what the statistics read */
		for (i = 0; i < n; i++)
			assert_int_equal(recs[i]->kind, KW_KAFKA_REC_STATS);
		rte_mempool_put_bulk(w->rec_pool, (void **)recs, n);
	}
	recs_before = w->ctr.v[KW_CTR_KAFKA_RECS];
	for (i = 0; i < 5000 && w->ctr.v[KW_CTR_KAFKA_RECS] < recs_before + 10; i++) {
		ring_free_all(b.tx, NULL);
		poll_n(&app, 1);
	}
	assert_true(w->ctr.v[KW_CTR_KAFKA_RECS] >= recs_before + 10);
	ring_free_all(b.tx, NULL);
	while ((n = rte_ring_sc_dequeue_burst(w->rec_ring, (void **)recs, RTE_DIM(recs), NULL)) > 0)
		rte_mempool_put_bulk(w->rec_pool, (void **)recs, n);
	kw_app_teardown(&app);
	rte_vdev_uninit("net_pcap_kwrec");
}

/*
 * Two IPv6 fragments whose first one names a Fragment header as the next header: the packet
 * they reassemble to is a fragment again (nested fragmentation, found by fuzz_pkt). Both frames
 * are forwarded; the reassembled packet is counted as not inspected, once, and freed.
 */
static const uint8_t nested_frag0[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x30, 0x2c, 0x40, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x2c, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x04, 0xd2, 0x9c, 0x43, 0x23, 0x84, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00,
	0x00, 0x06, 0x50, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0e, 0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05,
	0x6b, 0x77, 0x67, 0x65, 0x6e, 0x79,
};
static const uint8_t nested_frag1[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x21, 0x2c, 0x40, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x06, 0x00, 0x00, 0x28, 0x00, 0x00,
	0x04, 0xd2, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0xee,
	0x29, 0x02, 0x00, 0xf0, 0x60, 0x00, 0x00, 0x79, 0x79, 0x79, 0x79, 0x79,
	0x79, 0x79, 0x79,
};

static void
test_nested_fragment_counted(void **state)
{
	const uint8_t *frames[] = {nested_frag0, nested_frag1};
	const uint16_t lens[] = {sizeof(nested_frag0), sizeof(nested_frag1)};
	struct ring_port a, b;
	struct kw_app app;
	struct kw_worker *w;
	unsigned int i;

	(void)state;
	ring_bridge_init(&app, &a, &b);
	assert_int_equal(kw_app_setup(&app), 0);
	w = app.workers[0];
	for (i = 0; i < 2; i++) {
		struct rte_mbuf *f = rte_pktmbuf_alloc(app.ports[a.id].pool);
		uint8_t *p;

		assert_non_null(f);
		p = (uint8_t *)rte_pktmbuf_append(f, lens[i]);
		assert_non_null(p);
		memcpy(p, frames[i], lens[i]);
		rte_ring_enqueue(a.rx, f);
	}
	poll_n(&app, 2);
	assert_int_equal(w->ctr.v[KW_CTR_FRAG_HELD], 2);
	assert_int_equal(w->ctr.v[KW_CTR_FRAG_REASSEMBLED], 1);
	assert_int_equal(w->ctr.v[KW_CTR_FRAG_REASSEMBLED_BAD], 1);
	assert_int_equal(rte_ring_count(b.tx), 2);
	ring_free_all(b.tx, NULL);
	kw_app_teardown(&app);
}

/*
 * TSC to ns: at most 1 ns over the exact d * 10^9 / hz (128-bit reference), for rates above and
 * below 1 GHz, across 7.1 s at 2.6 GHz (where d * 10^9 stopped fitting 64 bits) and up to
 * 2^64 - 1 cycles.
 */
static void
test_tsc_ns(void **state)
{
	const uint64_t hz[] = {2600000000u, 3000000000u, 1000000000u, 999999937u, 25000000u, 1u};
	const uint64_t d[] = {0, 1, 2, 999, 2600000000u, 18446744074u, 26000000000u,
			      UINT64_C(224640000000000), UINT64_C(1) << 62, UINT64_MAX};

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(hz); i++) {
		struct kw_tsc_ns c;

		kw_tsc_ns_init(&c, hz[i]);
		for (unsigned int j = 0; j < RTE_DIM(d); j++) {
			unsigned __int128 exact = (unsigned __int128)d[j] * 1000000000u / hz[i];
			uint64_t got;

			if (exact >= UINT64_MAX)
				continue;
			got = kw_tsc_ns(&c, d[j]);
			assert_true(got >= exact);
			assert_true(got - exact <= 1);
			/* a whole number of ns is exact */
			if ((unsigned __int128)d[j] * 1000000000u % hz[i] == 0)
				assert_true(got == exact);
		}
	}
	/* 10 s at 2.6 GHz: 10^10 ns, where 64-bit d * 10^9 / hz gave 2.9 s */
	{
		struct kw_tsc_ns c;

		kw_tsc_ns_init(&c, 2600000000u);
		assert_int_equal(kw_tsc_ns(&c, 26000000000u), 10000000000u);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_bridge_both_directions),
		cmocka_unit_test(test_full_policy_drop),
		cmocka_unit_test(test_full_policy_forward),
		cmocka_unit_test(test_aging_frees_slots),
		cmocka_unit_test(test_forwarding_stamps_flows),
		cmocka_unit_test(test_mempool_exhaustion_recovers),
		cmocka_unit_test(test_rec_ring_full_drops_counted),
		cmocka_unit_test(test_tsc_ns),
		cmocka_unit_test(test_nested_fragment_counted),
	};

	if (kw_test_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
