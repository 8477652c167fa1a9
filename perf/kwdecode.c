/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwdecode: the Kafka decoder alone over the TCP payloads of a capture, timed with the TSC.
 *
 * Standalone slow-path tool (single thread, may allocate and print) for decoder performance work:
 * no PMD, no TCP tracker, no flow table, no log records, so its figures move only with the
 * decoder (and the cache footprint of its per-connection state). Each pass feeds every in-order
 * payload of the capture, in capture order, to kw_kafka_conn_feed() of its connection, exactly as
 * kwire's TCP layer would deliver them; events are counted, not copied. The capture must be
 * clean and in order (kwgen's are): a direction with a retransmission, a reordering or a gap
 * stops being fed at that point, and is counted. Run `kwdecode --help`.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_jhash.h>
#include <rte_tcp.h>

#include "dataplane/counters.h"
#include "dataplane/kafka/kafka_conn.h"
#include "dataplane/kafka/kafka_decode.h"
#include "dataplane/pkt.h"

#define DEC_PASSES_DEFAULT 5
#define DEC_FLOWS_MAX	   100000
#define DEC_SLOTS	   (1u << 18) /* open addressing, at most ~40% full */

/* A connection: both directions under kwire's own flow key (kw_pkt_parse orders the endpoints). */
struct dec_flow {
	struct kw_flow_key key;
	uint32_t idx;     /* 1 + index of its decoder state; 0: slot free */
	uint32_t next[2]; /* sequence number of the next in-order byte */
	uint32_t base[2]; /* sequence number of stream offset 0 */
	uint8_t state[2]; /* 0: no SYN seen, 1: in order, 2: stopped */
};

/* One in-order payload, in capture order. */
struct dec_piece {
	const uint8_t *p;
	uint32_t len;
	uint32_t off;
	uint32_t flow;
	uint8_t dir;
};

struct dec_opts {
	const char *file;
	unsigned int passes;
	uint16_t port;
	unsigned int ahead; /* payloads ahead whose connection state is prefetched; 0: none */
	bool by_api;
};

/* --by-api: cycles and frames of one pass by direction and api key (index 0: no api known) */
struct dec_api {
	uint64_t cyc[2][KW_KAFKA_API_MAX_KEY + 2];
	uint64_t frames[2][KW_KAFKA_API_MAX_KEY + 2];
};

struct dec_stats {
	uint64_t packets;
	uint64_t pieces;
	uint64_t bytes;
	uint64_t not_tcp;      /* not IPv4/IPv6 TCP on the broker port, or IP fragments */
	uint64_t no_syn;       /* payloads of directions whose SYN was not seen */
	uint64_t out_of_order; /* payloads after a direction stopped (its first one included) */
};

static uint64_t g_events;

static void
on_event(void *arg, const struct kw_kafka_event *ev)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(ev);
	g_events++;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"kwdecode " KW_VERSION " - the Kafka decoder alone over a capture, TSC timed\n\n"
		"usage: kwdecode [--passes N] [--port P] [--ahead A] [--by-api] FILE.pcap\n\n"
		"Feeds the in-order TCP payloads of every connection to the broker port P\n"
		"(default 9092) to kwire's Kafka decoder, in capture order, N times (default %u,\n"
		"at most 1000) after one warm-up pass, with fresh decoder state per connection\n"
		"and pass, and prints the decoder's TSC cycles per frame, per payload and per\n"
		"KiB: the fastest pass and the median. Events are counted, not copied (kwire\n"
		"hands each to its control thread). The capture must be in order and without\n"
		"loss (kwgen's are). The last line says the same as JSON.\n\n"
		"--ahead A: prefetch the decoder state of the payload A ahead (at most 64) as\n"
		"kwire's worker does (kw_kafka_conn_prefetch); default 0, none.\n\n"
		"--by-api: N more passes that time each payload on its own (the TSC read's own\n"
		"cost subtracted) and charge it to the frame it starts or ends (the last one it\n"
		"starts if several); prints each api and direction's cycles per frame, fastest\n"
		"pass.\n",
		DEC_PASSES_DEFAULT);
}

/* *v = the decimal s of option --name, in lo..hi; -EINVAL (said on stderr) otherwise. */
static int
num_arg(const char *name, const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v < lo || *v > hi) {
		fprintf(stderr, "kwdecode: bad --%s '%s'\n", name, s);
		return -EINVAL;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct dec_opts *o)
{
	static const struct option longs[] = {
		{"passes", required_argument, NULL, 'n'},
		{"port", required_argument, NULL, 'p'},
		{"ahead", required_argument, NULL, 'w'},
		{"by-api", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long v;
	int c;

	o->passes = DEC_PASSES_DEFAULT;
	o->port = 9092;
	o->ahead = 0;
	o->by_api = false;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (num_arg("passes", optarg, 1, 1000, &v) != 0)
				return -EINVAL;
			o->passes = (unsigned int)v;
			break;
		case 'p':
			if (num_arg("port", optarg, 1, 65535, &v) != 0)
				return -EINVAL;
			o->port = (uint16_t)v;
			break;
		case 'w':
			if (num_arg("ahead", optarg, 0, 64, &v) != 0)
				return -EINVAL;
			o->ahead = (unsigned int)v;
			break;
		case 'a':
			o->by_api = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -EINVAL;
	}
	o->file = argv[optind];
	return 0;
}

/*
 * Frame f (caplen bytes captured of frame_len) through kwire's classifier (dataplane/pkt.c):
 * true for a TCP segment to or from the broker port whose headers and payload were captured
 * whole, with *to_srv its direction.
 */
static bool
frame_tcp(const uint8_t *f, uint32_t caplen, uint32_t frame_len, uint16_t port,
	  struct kw_pkt_info *pi, bool *to_srv)
{
	struct kw_counters ctr;
	uint16_t sport, dport;

	if (!kw_pkt_parse(f, caplen, frame_len, pi, &ctr) || pi->l4_proto != IPPROTO_TCP ||
	    (uint32_t)pi->l2_len + pi->l3_len + pi->l4_len + pi->payload_len > caplen)
		return false;
	/* direction 0 travels from the key's lo endpoint */
	sport = pi->dir ? pi->key.port_hi : pi->key.port_lo;
	dport = pi->dir ? pi->key.port_lo : pi->key.port_hi;
	if (dport != port && sport != port)
		return false;
	*to_srv = dport == port;
	return true;
}

/* The flow of key k in the table (DEC_SLOTS slots, linear probing), added if new; NULL when the
 * table holds DEC_FLOWS_MAX flows already. */
static struct dec_flow *
flow_get(struct dec_flow *tab, uint32_t *n_flows, const struct kw_flow_key *k)
{
	uint32_t i = rte_jhash(k, sizeof(*k), 0) & (DEC_SLOTS - 1);

	while (tab[i].idx != 0) {
		if (memcmp(&tab[i].key, k, sizeof(*k)) == 0)
			return &tab[i];
		i = (i + 1) & (DEC_SLOTS - 1);
	}
	if (*n_flows == DEC_FLOWS_MAX)
		return NULL;
	tab[i].key = *k;
	tab[i].idx = ++*n_flows;
	return &tab[i];
}

/* Every in-order payload of the capture into pieces (capture order); the flows counted. */
static int
load(const struct dec_opts *o, struct dec_flow *flows, uint32_t *n_flows, struct dec_piece **pieces,
     struct dec_stats *st)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	size_t cap = 0;
	pcap_t *pc;
	int rc;

	pc = pcap_open_offline(o->file, err);
	if (pc == NULL) {
		fprintf(stderr, "kwdecode: %s\n", err);
		return -EIO;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "kwdecode: %s: not an Ethernet capture\n", o->file);
		pcap_close(pc);
		return -EINVAL;
	}
	while ((rc = pcap_next_ex(pc, &ph, &data)) == 1) {
		struct kw_pkt_info pi;
		uint32_t seq, len;
		struct dec_flow *fl;
		bool to_srv;
		unsigned int dir;
		uint8_t *copy;

		st->packets++;
		if (!frame_tcp(data, ph->caplen, ph->len, o->port, &pi, &to_srv)) {
			st->not_tcp++;
			continue;
		}
		dir = to_srv ? 0 : 1;
		fl = flow_get(flows, n_flows, &pi.key);
		if (fl == NULL) {
			fprintf(stderr, "kwdecode: more than %u connections\n", DEC_FLOWS_MAX);
			rc = -ENOSPC;
			break;
		}
		seq = pi.tcp_seq;
		len = pi.payload_len;
		if (pi.tcp_flags & RTE_TCP_SYN_FLAG) { /* SYN: the stream starts after it */
			fl->base[dir] = seq + 1;
			fl->next[dir] = seq + 1;
			fl->state[dir] = 1;
			continue;
		}
		if (len == 0)
			continue;
		if (fl->state[dir] == 0) {
			st->no_syn++;
			continue;
		}
		if (fl->state[dir] == 2 || seq != fl->next[dir]) {
			fl->state[dir] = 2;
			st->out_of_order++;
			continue;
		}
		fl->next[dir] = seq + len;
		if (st->pieces == cap) {
			struct dec_piece *np;

			cap = cap ? cap * 2 : 4096;
			np = realloc(*pieces, cap * sizeof(**pieces));
			if (np == NULL) {
				rc = -ENOMEM;
				break;
			}
			*pieces = np;
		}
		copy = malloc(len);
		if (copy == NULL) {
			rc = -ENOMEM;
			break;
		}
		memcpy(copy, data + pi.l2_len + pi.l3_len + pi.l4_len, len);
		(*pieces)[st->pieces++] = (struct dec_piece){
			.p = copy,
			.len = len,
			.off = seq - fl->base[dir],
			.flow = fl->idx - 1,
			.dir = (uint8_t)dir,
		};
		st->bytes += len;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "kwdecode: %s: %s\n", o->file, pcap_geterr(pc));
		rc = -EIO;
	}
	pcap_close(pc);
	return rc < 0 && rc != PCAP_ERROR_BREAK ? rc : 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The TSC read's own cost, as two back-to-back reads measure it (the fastest of many). */
static uint64_t
tsc_overhead(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 1000; i++) {
		uint64_t t0 = rte_rdtsc(), t1 = rte_rdtsc();

		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

/* One --by-api pass: each payload timed on its own, charged to the api its direction last
 * began a frame of (kafka_decode.h: the direction's api_key, -1 before any). */
static int
pass_by_api(struct kw_kafka_ctx *ctx, struct kw_kafka_conn **conns, uint32_t n_flows,
	    const struct dec_piece *pieces, uint64_t n_pieces, uint64_t ovh, struct dec_api *a)
{
	const struct kw_kafka_counters *c = kw_kafka_ctx_counters(ctx);
	uint64_t req0[KW_KAFKA_API_MAX_KEY + 1], resp0[KW_KAFKA_API_MAX_KEY + 1];

	memset(a, 0, sizeof(*a));
	for (unsigned int k = 0; k <= KW_KAFKA_API_MAX_KEY; k++) {
		req0[k] = resp0[k] = 0;
		for (unsigned int v = 0; v <= KW_KAFKA_MAX_VERSION; v++) {
			req0[k] += c->req_count[k][v];
			resp0[k] += c->resp_count[k][v];
		}
	}
	for (uint32_t i = 0; i < n_flows; i++) {
		conns[i] = kw_kafka_conn_alloc(ctx);
		if (conns[i] == NULL)
			return -ENOMEM;
	}
	for (uint64_t i = 0; i < n_pieces; i++) {
		const struct dec_piece *pc = &pieces[i];
		uint64_t t0 = rte_rdtsc(), dt;
		int key;

		kw_kafka_conn_feed(ctx, conns[pc->flow], pc->dir, pc->off, pc->p, pc->len, t0);
		dt = rte_rdtsc() - t0;
		key = conns[pc->flow]->dir[pc->dir].api_key;
		if (key < 0 || key > KW_KAFKA_API_MAX_KEY)
			key = -1;
		a->cyc[pc->dir][key + 1] += dt > ovh ? dt - ovh : 0;
	}
	for (uint32_t i = 0; i < n_flows; i++)
		kw_kafka_conn_free(ctx, conns[i]);
	for (unsigned int k = 0; k <= KW_KAFKA_API_MAX_KEY; k++) {
		uint64_t req = 0, resp = 0;

		for (unsigned int v = 0; v <= KW_KAFKA_MAX_VERSION; v++) {
			req += c->req_count[k][v];
			resp += c->resp_count[k][v];
		}
		a->frames[0][k + 1] = req - req0[k];
		a->frames[1][k + 1] = resp - resp0[k];
	}
	return 0;
}

/* --by-api: the fastest of passes passes, for each api and direction with frames. */
static int
report_by_api(struct kw_kafka_ctx *ctx, struct kw_kafka_conn **conns, uint32_t n_flows,
	      const struct dec_piece *pieces, uint64_t n_pieces, unsigned int passes)
{
	struct dec_api *best = calloc(1, sizeof(*best)), *a = calloc(1, sizeof(*a));
	uint64_t ovh = tsc_overhead();
	int rc = -ENOMEM;

	if (best == NULL || a == NULL)
		goto out;
	for (unsigned int p = 0; p < passes; p++) {
		rc = pass_by_api(ctx, conns, n_flows, pieces, n_pieces, ovh, a);
		if (rc != 0)
			goto out;
		for (unsigned int d = 0; d < 2; d++)
			for (unsigned int k = 0; k < KW_KAFKA_API_MAX_KEY + 2; k++)
				if (p == 0 || a->cyc[d][k] < best->cyc[d][k]) {
					best->cyc[d][k] = a->cyc[d][k];
					best->frames[d][k] = a->frames[d][k];
				}
	}
	printf("kwdecode: by api (each payload timed, %" PRIu64 " cycles of TSC reads taken off;"
	       " fastest of %u passes):\n", ovh, passes);
	for (unsigned int k = 1; k < KW_KAFKA_API_MAX_KEY + 2; k++)
		for (unsigned int d = 0; d < 2; d++) {
			const struct kw_kafka_api *api = kw_kafka_api_get((int)k - 1);

			if (best->frames[d][k] == 0)
				continue;
			printf("kwdecode:   %-24s %-8s %8" PRIu64 " frames %8.0f cycles/frame\n",
			       api ? api->name : "?", d ? "response" : "request",
			       best->frames[d][k],
			       (double)best->cyc[d][k] / (double)best->frames[d][k]);
		}
	if (best->cyc[0][0] || best->cyc[1][0])
		printf("kwdecode:   (no api known: %" PRIu64 " cycles)\n",
		       best->cyc[0][0] + best->cyc[1][0]);
	rc = 0;
out:
	free(best);
	free(a);
	return rc;
}

int
main(int argc, char **argv)
{
	char prefix[64], mem[32];
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", mem, "--no-pci", "--no-shconf",
		       "--no-telemetry", "--log-level", "error", "--file-prefix", prefix};
	struct kw_kafka_params kp = {0};
	struct dec_stats st = {0};
	struct dec_piece *pieces = NULL;
	struct dec_flow *flows = NULL;
	struct kw_kafka_conn **conns = NULL;
	struct kw_kafka_ctx *ctx = NULL;
	uint64_t *cyc = NULL, frames = 0, events = 0;
	uint32_t n_flows = 0;
	bool eal_up = false;
	struct dec_opts o;
	int rc = 1;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	flows = calloc(DEC_SLOTS, sizeof(*flows));
	if (flows == NULL) {
		fprintf(stderr, "kwdecode: out of memory\n");
		return 1;
	}
	if (load(&o, flows, &n_flows, &pieces, &st) != 0)
		goto out;
	if (st.pieces == 0) {
		fprintf(stderr, "kwdecode: %s: no in-order payload to port %u\n", o.file, o.port);
		goto out;
	}
	/* room for the decoder state of every connection: rte_zmalloc, no hugepages */
	snprintf(mem, sizeof(mem), "%zu",
		 (size_t)n_flows * sizeof(struct kw_kafka_conn) / (1u << 20) + 256);
	snprintf(prefix, sizeof(prefix), "kwdecode%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "kwdecode: EAL init failed\n");
		goto out;
	}
	eal_up = true;
	kp.max_conns = n_flows;
	ctx = kw_kafka_ctx_create(&kp, SOCKET_ID_ANY, on_event, NULL);
	conns = calloc(n_flows ? n_flows : 1, sizeof(*conns));
	cyc = calloc(o.passes, sizeof(*cyc));
	if (ctx == NULL || conns == NULL || cyc == NULL) {
		fprintf(stderr, "kwdecode: out of memory for %u connections\n", n_flows);
		goto out;
	}
	/* pass 0 warms up (first touch of the decoder state, the payload copies): not counted */
	for (unsigned int pass = 0; pass <= o.passes; pass++) {
		const struct kw_kafka_counters *c = kw_kafka_ctx_counters(ctx);
		uint64_t f0 = c->frames_req + c->frames_resp, e0 = g_events, t0;

		for (uint32_t i = 0; i < n_flows; i++) {
			conns[i] = kw_kafka_conn_alloc(ctx);
			if (conns[i] == NULL) {
				fprintf(stderr, "kwdecode: decoder pool empty\n");
				goto out;
			}
		}
		t0 = rte_rdtsc();
		for (uint64_t i = 0; i < st.pieces; i++) {
			const struct dec_piece *pc = &pieces[i];

			if (o.ahead != 0 && i + o.ahead < st.pieces) {
				const struct dec_piece *pa = &pieces[i + o.ahead];

				kw_kafka_conn_prefetch(conns[pa->flow], pa->dir, pa->p, pa->len);
			}
			kw_kafka_conn_feed(ctx, conns[pc->flow], pc->dir, pc->off, pc->p, pc->len,
					   t0 + i);
		}
		if (pass > 0)
			cyc[pass - 1] = rte_rdtsc() - t0;
		for (uint32_t i = 0; i < n_flows; i++)
			kw_kafka_conn_free(ctx, conns[i]);
		frames = c->frames_req + c->frames_resp - f0;
		events = g_events - e0;
	}
	if (o.by_api && report_by_api(ctx, conns, n_flows, pieces, st.pieces, o.passes) != 0) {
		fprintf(stderr, "kwdecode: --by-api: out of memory\n");
		goto out;
	}
	qsort(cyc, o.passes, sizeof(*cyc), cmp_u64);
	{
		uint64_t best = cyc[0], med = cyc[o.passes / 2];
		double hz = (double)rte_get_tsc_hz();

		printf("kwdecode: %s: %" PRIu64 " packets, %u connections, %" PRIu64
		       " payloads (%" PRIu64 " bytes), %" PRIu64 " frames, %" PRIu64
		       " events per pass; skipped: %" PRIu64 " not TCP to the port, %" PRIu64
		       " without SYN, %" PRIu64 " out of order\n",
		       o.file, st.packets, n_flows, st.pieces, st.bytes, frames, events, st.not_tcp,
		       st.no_syn, st.out_of_order);
		printf("kwdecode: %u passes, fastest / median: %.0f / %.0f cycles per frame, "
		       "%.0f / %.0f per payload, %.0f / %.0f per KiB (TSC %.2f GHz)\n",
		       o.passes, (double)best / (double)frames, (double)med / (double)frames,
		       (double)best / (double)st.pieces, (double)med / (double)st.pieces,
		       (double)best * 1024 / (double)st.bytes,
		       (double)med * 1024 / (double)st.bytes, hz / 1e9);
		printf("{\"file\":\"%s\",\"connections\":%u,\"payloads\":%" PRIu64
		       ",\"bytes\":%" PRIu64 ",\"frames\":%" PRIu64 ",\"events\":%" PRIu64
		       ",\"passes\":%u,\"ahead\":%u,"
		       "\"cycles_per_frame_min\":%.1f,\"cycles_per_frame_median\":%.1f,"
		       "\"cycles_per_payload_min\":%.1f,\"tsc_hz\":%.0f}\n",
		       o.file, n_flows, st.pieces, st.bytes, frames, events, o.passes, o.ahead,
		       (double)best / (double)frames, (double)med / (double)frames,
		       (double)best / (double)st.pieces, hz);
	}
	rc = 0;
out:
	if (pieces != NULL)
		for (uint64_t i = 0; i < st.pieces; i++)
			free((void *)(uintptr_t)pieces[i].p);
	free(pieces);
	free(cyc);
	free(conns);
	free(flows);
	if (ctx != NULL)
		kw_kafka_ctx_destroy(ctx);
	if (eal_up) {
		char dir[PATH_MAX];

		/* its runtime directory (kwdecode<pid>; no telemetry socket) is empty after the
		 * cleanup: not left behind */
		snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		rmdir(dir);
	}
	return rc;
}
