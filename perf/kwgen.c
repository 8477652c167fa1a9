/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwgen: a deterministic Kafka traffic generator that writes pcap files.
 *
 * Standalone slow-path tool (single thread, may allocate and print) used by the decoder tests
 * and the forwarding benchmarks. Output is a pure function of the command line: no clock, no
 * system randomness, only a splitmix64 stream seeded from --seed. Run `kwgen --help`.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "kwgen_enc.h"
#include "kwgen_kafka.h"

#ifndef KW_VERSION
#define KW_VERSION "0.1.0"
#endif

/* First pcap timestamp (2024-01-01T00:00:00Z) and the fixed gap between frames. */
#define GEN_EPOCH_S	 1704067200u
#define GEN_FRAME_GAP_US 10u
#define GEN_SNAPLEN	 65535
#define GEN_FRAME_MAX	 9216
#define GEN_MSS_MIN	 64
#define GEN_MSS_MAX	 8900
/* Client addresses come from i % GEN_HOSTS (198.18.0.1 .. 198.18.255.250). */
#define GEN_HOSTS    64000
#define GEN_CONN_MAX GEN_HOSTS
/* Bound on one Kafka message, far below Kafka's int32 sizes and this tool's memory. */
#define GEN_MSG_MAX   (256u << 20)
#define GEN_FLOWS_MAX 1000000
#define GEN_WSCALE    7
/* Window field after the handshake: 2048 << 7 = 256 KiB. SYNs carry an unscaled 64240. */
#define GEN_WIN	    2048
#define GEN_SYN_WIN 64240

enum gen_dir { GEN_C2S = 0, GEN_S2C = 1 };

struct gen_opts {
	const char *out;
	const char *split[2];
	uint32_t connections;
	uint32_t produce;
	uint32_t fetch;
	uint32_t records;
	uint32_t record_size;
	uint32_t headers;
	uint32_t mss;
	uint64_t seed;
	uint16_t port;
	uint16_t vlan; /* 0: untagged */
	int ipv6;
	uint32_t frame_size;
	uint64_t count;
	uint32_t flows;
	int16_t produce_v;
	int16_t fetch_v;
	int16_t metadata_v;
};

/* One TCP endpoint; seq is the next sequence number it sends. */
struct gen_ep {
	struct rte_ether_addr mac;
	uint32_t ip4; /* host order */
	uint8_t ip6[16];
	uint16_t port;
	uint32_t seq;
	uint16_t ip_id;
	uint32_t ts_base;   /* TSval clock offset */
	uint32_t ts_recent; /* last TSval seen from the peer: our TSecr */
};

struct gen_conn {
	struct gen_ep ep[2]; /* indexed by enum gen_dir: ep[GEN_C2S] is the client */
	int32_t corr;
	uint32_t index;
};

struct gen_ctx {
	const struct gen_opts *o;
	pcap_t *dead;
	pcap_dumper_t *all;
	pcap_dumper_t *side[2];
	uint64_t frames;
	uint8_t frame[GEN_FRAME_MAX];
};

static const struct rte_ether_addr client_mac = {{0x02, 0x6b, 0x77, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr broker_mac = {{0x02, 0x6b, 0x77, 0x00, 0x00, 0x02}};

static void
usage(FILE *f)
{
	fprintf(f,
		"kwgen %s - deterministic Kafka traffic generator writing pcap files\n"
		"\n"
		"usage:\n"
		"  kwgen kafka  -o OUT.pcap [--split C2S.pcap S2C.pcap] [options]\n"
		"  kwgen frames -o OUT.pcap [--split A.pcap B.pcap] --frame-size B --count N\n"
		"               [--flows N] [--seed S] [--ipv6] [--vlan ID] [--port P]\n"
		"\n"
		"Output is a pure function of the arguments: two runs with the same arguments\n"
		"give byte-identical files. Frames are Ethernet (DLT_EN10MB, snaplen 65535, no\n"
		"FCS), timestamped 10 us apart from 2024-01-01T00:00:00Z. IPv4 header and TCP\n"
		"checksums are valid; IP ids count up per sender.\n"
		"\n"
		"common options:\n"
		"  -o, --output FILE      all frames in wire order (interleaved conversation)\n"
		"  --split A B            client->server frames to A, server->client frames to B\n"
		"                         (the two sides of a bridge); -o and/or --split needed\n"
		"  --seed S               PRNG seed (default 1): ISNs, IP ids, record values\n"
		"  --port P               broker TCP port (default 9092)\n"
		"  --vlan ID              802.1Q tag 1..4094 on every frame (default untagged)\n"
		"  --ipv6                 IPv6 instead of IPv4\n"
		"\n"
		"kafka mode: --connections TCP sessions, each in this order:\n"
		"  SYN, SYN/ACK, ACK (MSS, SACK-permitted, timestamps, window scale 7)\n"
		"  ApiVersions v3 request (client_software_name \"kwgen\", version \"%s\")\n"
		"    and response (header v0; ~55 api keys, Produce 0-9, Fetch 0-13,\n"
		"    Metadata 0-12, ApiVersions 0-3)\n"
		"  Metadata request for topic \"%s\" and response (one broker,\n"
		"    node %d, %d partitions, leader %d)\n"
		"  --produce x Produce request (acks -1, one topic, one partition, one record\n"
		"    batch) and response (error 0, base_offset of the batch)\n"
		"  --fetch x Fetch request (one partition, full fetch without session) and\n"
		"    response carrying one record batch\n"
		"  FIN/ACK from the client, FIN/ACK from the broker, last ACK.\n"
		"  Requests use request header v2 and responses (but ApiVersions) response\n"
		"  header v1; classic versions use v1 and v0. Correlation ids are 1, 2, ...\n"
		"  on each connection. Connection i uses partition i %% %d; its k-th Produce\n"
		"  and k-th Fetch both cover offsets ((i / %d) * produce + k) * records on,\n"
		"  so a Fetch returns the very records (and CRC) that were produced.\n"
		"  Record batches: magic 2, no compression, CRC-32C, producer id -1; record n\n"
		"  has key \"key-<n>\", a value of --record-size lowercase letters drawn from the\n"
		"  seed, and --headers headers \"kwgen-h<j>\" = \"<partition>-<n>\".\n"
		"  A message goes out in segments of at most --mss payload bytes (PSH on the\n"
		"  last); the receiver ACKs every second segment and the last one. Sessions\n"
		"  are interleaved: each step (handshake, exchange, teardown) is done for\n"
		"  every connection before the next step.\n"
		"  Client i is 198.18.<h/250>.<1+h%%250> with h = i%%64000, port\n"
		"  40000+i%%25000, broker 198.19.0.1:--port (IPv6: 2001:2:0:1::<i+1> and\n"
		"  2001:2:0:2::1); MAC 02:6b:77:00:00:01 on the client side,\n"
		"  02:6b:77:00:00:02 on the broker side.\n"
		"  --connections N        TCP sessions (default 4, max %d)\n"
		"  --produce N            Produce exchanges per session (default 4)\n"
		"  --fetch N              Fetch exchanges per session (default 4)\n"
		"  --records N            records per batch (default 8, min 1)\n"
		"  --record-size B        value bytes per record (default 200)\n"
		"  --headers N            headers per record (default 0)\n"
		"  --mss B                TCP payload bytes per frame (default 1448, %d..%d)\n"
		"  --produce-version V    Produce 3..9 (default 9, flexible from 9)\n"
		"  --fetch-version V      Fetch 4..13 (default 12, flexible from 12, topic ids\n"
		"                         instead of names from 13)\n"
		"  --metadata-version V   Metadata 9..12 (default 12, all flexible)\n"
		"  tshark 4.0 dissects only Produce <= 8, Fetch <= 11 and Metadata <= 9:\n"
		"  --produce-version 8 --fetch-version 11 --metadata-version 9 gives a capture\n"
		"  that it decodes field by field.\n"
		"\n"
		"frames mode: --count TCP ACK|PSH data frames of exactly --frame-size bytes\n"
		"  (60..9000; IPv6 needs >= 74 and a VLAN tag 4 more), round-robin over --flows\n"
		"  5-tuples, flow f addressed like client i = f above, to the broker port. No\n"
		"  handshake, no TCP options, seeded filler payload, sequence numbers advance\n"
		"  per flow and direction. Without --split every frame goes client->server;\n"
		"  with --split frames alternate client->server (A) and server->client (B),\n"
		"  each flow taking both directions in turn, and -o holds both.\n"
		"  --frame-size B         frame length in the pcap (no FCS)\n"
		"  --count N              number of frames\n"
		"  --flows N              distinct 5-tuples (default 1, max %d)\n"
		"\n"
		"exit status: 0 done, 1 bad arguments, 2 output or memory error.\n",
		KW_VERSION, KW_VERSION, KW_GEN_KAFKA_TOPIC, KW_GEN_KAFKA_NODE_ID,
		KW_GEN_KAFKA_PARTITIONS, KW_GEN_KAFKA_NODE_ID, KW_GEN_KAFKA_PARTITIONS,
		KW_GEN_KAFKA_PARTITIONS, GEN_CONN_MAX, GEN_MSS_MIN, GEN_MSS_MAX, GEN_FLOWS_MAX);
}

/* Parse an unsigned decimal (or 0x hex) in [min, max]; 0 or -EINVAL. */
static int
parse_u64(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "kwgen: %s: '%s' is not a number in %" PRIu64 "..%" PRIu64 "\n",
			name, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static void
gen_write(struct gen_ctx *g, enum gen_dir dir, size_t len)
{
	struct pcap_pkthdr h;
	uint64_t us = g->frames * GEN_FRAME_GAP_US;
	h.ts.tv_sec = (time_t)(GEN_EPOCH_S + us / 1000000);
	h.ts.tv_usec = (suseconds_t)(us % 1000000);
	h.caplen = (bpf_u_int32)len;
	h.len = (bpf_u_int32)len;
	if (g->all != NULL)
		pcap_dump((u_char *)g->all, &h, g->frame);
	if (g->side[dir] != NULL)
		pcap_dump((u_char *)g->side[dir], &h, g->frame);
	g->frames++;
}

/* Millisecond TCP timestamp clock derived from the frame clock. */
static uint32_t
gen_tsval(const struct gen_ctx *g, const struct gen_ep *ep)
{
	return ep->ts_base + (uint32_t)(g->frames * GEN_FRAME_GAP_US / 1000);
}

/* Size of the L2+L3 headers in front of TCP. */
static size_t
gen_l23_len(const struct gen_opts *o)
{
	return sizeof(struct rte_ether_hdr) + (o->vlan != 0 ? sizeof(struct rte_vlan_hdr) : 0) +
	       (o->ipv6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr));
}

/*
 * Build one Ethernet/IP/TCP frame from @src to @dst into g->frame and write it. @opt/@optlen
 * are TCP options (a multiple of 4); the payload is copied unless @pay is NULL, in which case
 * the caller has already placed it after the headers. Returns nothing: sizes are checked by
 * the option parser (mss and frame size bounds).
 */
static void
gen_emit(struct gen_ctx *g, enum gen_dir dir, struct gen_ep *src, const struct gen_ep *dst,
	 uint8_t flags, uint32_t ack, uint16_t win, const uint8_t *opt, size_t optlen,
	 const uint8_t *pay, size_t paylen)
{
	const struct gen_opts *o = g->o;
	uint8_t *p = g->frame;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	size_t l2 = sizeof(*eth);

	eth->dst_addr = dst->mac;
	eth->src_addr = src->mac;
	if (o->vlan != 0) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(p + l2);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(o->vlan);
		vh->eth_proto =
			rte_cpu_to_be_16(o->ipv6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
		l2 += sizeof(*vh);
	} else {
		eth->ether_type =
			rte_cpu_to_be_16(o->ipv6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	}

	size_t l3 = o->ipv6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	size_t l4 = sizeof(struct rte_tcp_hdr) + optlen;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(p + l2 + l3);
	th->src_port = rte_cpu_to_be_16(src->port);
	th->dst_port = rte_cpu_to_be_16(dst->port);
	th->sent_seq = rte_cpu_to_be_32(src->seq);
	th->recv_ack = rte_cpu_to_be_32((flags & RTE_TCP_ACK_FLAG) ? ack : 0);
	th->data_off = (uint8_t)((l4 / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	th->cksum = 0;
	th->tcp_urp = 0;
	if (optlen > 0)
		memcpy(th + 1, opt, optlen);
	if (pay != NULL && paylen > 0)
		memcpy(p + l2 + l3 + l4, pay, paylen);

	if (o->ipv6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(p + l2);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + paylen));
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, src->ip6, 16);
		memcpy(ip6->dst_addr, dst->ip6, 16);
		th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + l2);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + paylen));
		ip->packet_id = rte_cpu_to_be_16(src->ip_id++);
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->hdr_checksum = 0;
		ip->src_addr = rte_cpu_to_be_32(src->ip4);
		ip->dst_addr = rte_cpu_to_be_32(dst->ip4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	}
	gen_write(g, dir, l2 + l3 + l4 + paylen);
}

/* Client i's (or flow i's) addressing; the broker side is fixed. */
static void
gen_endpoints(const struct gen_opts *o, uint32_t i, struct gen_ep *c, struct gen_ep *s)
{
	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
	c->mac = client_mac;
	s->mac = broker_mac;
	/* (ip, port) stays unique for i < lcm(64000, 25000) = 1.6M > GEN_FLOWS_MAX */
	uint32_t h = i % GEN_HOSTS;
	c->ip4 = (198u << 24) | (18u << 16) | ((h / 250) << 8) | (1 + h % 250);
	s->ip4 = (198u << 24) | (19u << 16) | 1u;
	/* 2001:2::/48 is the IPv6 benchmarking range (RFC 5180). */
	const uint8_t pfx[6] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00};
	memcpy(c->ip6, pfx, sizeof(pfx));
	memcpy(s->ip6, pfx, sizeof(pfx));
	c->ip6[7] = 1;
	s->ip6[7] = 2;
	uint32_t host = i + 1;
	c->ip6[12] = (uint8_t)(host >> 24);
	c->ip6[13] = (uint8_t)(host >> 16);
	c->ip6[14] = (uint8_t)(host >> 8);
	c->ip6[15] = (uint8_t)host;
	s->ip6[15] = 1;
	c->port = (uint16_t)(40000 + i % 25000);
	s->port = o->port;
}

/* ---- kafka mode ---- */

/* TCP timestamp option preceded by two NOPs: 12 bytes, as Linux sends on every segment. */
static size_t
put_ts_opt(uint8_t *opt, uint32_t tsval, uint32_t tsecr)
{
	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 8;
	opt[3] = 10;
	for (int k = 0; k < 4; k++) {
		opt[4 + k] = (uint8_t)(tsval >> (24 - 8 * k));
		opt[8 + k] = (uint8_t)(tsecr >> (24 - 8 * k));
	}
	return 12;
}

/* A segment carrying data and/or flags from side @dir of @c, with the timestamp option. */
static void
conn_seg(struct gen_ctx *g, struct gen_conn *c, enum gen_dir dir, uint8_t flags, const uint8_t *pay,
	 size_t len)
{
	struct gen_ep *src = &c->ep[dir];
	struct gen_ep *dst = &c->ep[!dir];
	uint8_t opt[12];
	uint32_t tsval = gen_tsval(g, src);

	put_ts_opt(opt, tsval, src->ts_recent);
	gen_emit(g, dir, src, dst, flags, dst->seq, GEN_WIN, opt, sizeof(opt), pay, len);
	dst->ts_recent = tsval;
	src->seq += (uint32_t)len + ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ? 1 : 0);
}

static void
conn_handshake(struct gen_ctx *g, struct gen_conn *c)
{
	for (int d = GEN_C2S; d <= GEN_S2C; d++) {
		struct gen_ep *src = &c->ep[d];
		struct gen_ep *dst = &c->ep[!d];
		uint8_t opt[20];
		uint32_t tsval = gen_tsval(g, src);
		/* MSS, SACK permitted, timestamps, NOP, window scale: Linux's SYN layout. */
		opt[0] = 2;
		opt[1] = 4;
		opt[2] = (uint8_t)(g->o->mss >> 8);
		opt[3] = (uint8_t)g->o->mss;
		put_ts_opt(opt + 4, tsval, d == GEN_C2S ? 0 : src->ts_recent);
		opt[4] = 4; /* the NOP pair of put_ts_opt() is replaced by SACK-permitted */
		opt[5] = 2;
		opt[16] = 1;
		opt[17] = 3;
		opt[18] = 3;
		opt[19] = GEN_WSCALE;
		uint8_t flags = RTE_TCP_SYN_FLAG | (d == GEN_S2C ? RTE_TCP_ACK_FLAG : 0);
		gen_emit(g, (enum gen_dir)d, src, dst, flags, dst->seq, GEN_SYN_WIN, opt,
			 sizeof(opt), NULL, 0);
		dst->ts_recent = tsval;
		src->seq++;
	}
	conn_seg(g, c, GEN_C2S, RTE_TCP_ACK_FLAG, NULL, 0);
}

/* Send one Kafka message from side @dir in MSS-sized segments, ACKed by the peer. */
static void
conn_send(struct gen_ctx *g, struct gen_conn *c, enum gen_dir dir, const struct kw_gen_buf *m)
{
	uint32_t nseg = 0;
	for (size_t off = 0; off < m->len;) {
		size_t n = m->len - off < g->o->mss ? m->len - off : g->o->mss;
		int last = off + n == m->len;
		uint8_t flags = RTE_TCP_ACK_FLAG | (last ? RTE_TCP_PSH_FLAG : 0);
		conn_seg(g, c, dir, flags, m->data + off, n);
		off += n;
		nseg++;
		if (nseg % 2 == 0 || last)
			conn_seg(g, c, (enum gen_dir) !dir, RTE_TCP_ACK_FLAG, NULL, 0);
	}
}

static void
conn_teardown(struct gen_ctx *g, struct gen_conn *c)
{
	conn_seg(g, c, GEN_C2S, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, NULL, 0);
	conn_seg(g, c, GEN_S2C, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, NULL, 0);
	conn_seg(g, c, GEN_C2S, RTE_TCP_ACK_FLAG, NULL, 0);
}

/* Do step @step of connection @c: 0 handshake, then the exchanges, then teardown. */
static int
conn_step(struct gen_ctx *g, struct gen_conn *c, uint32_t step,
	  const struct kw_gen_kafka_params *kp, struct kw_gen_buf *req, struct kw_gen_buf *resp)
{
	const struct gen_opts *o = g->o;
	int32_t part = (int32_t)(c->index % KW_GEN_KAFKA_PARTITIONS);
	int64_t first = (int64_t)(c->index / KW_GEN_KAFKA_PARTITIONS) * o->produce * o->records;

	kw_gen_buf_reset(req);
	kw_gen_buf_reset(resp);
	if (step == 0) {
		conn_handshake(g, c);
		return 0;
	}
	if (step == 3 + o->produce + o->fetch) {
		conn_teardown(g, c);
		return 0;
	}
	int32_t corr = ++c->corr;
	if (step == 1) {
		kw_gen_kafka_api_versions_req(req, corr);
		kw_gen_kafka_api_versions_resp(resp, corr);
	} else if (step == 2) {
		kw_gen_kafka_metadata_req(req, kp, corr);
		kw_gen_kafka_metadata_resp(resp, kp, corr);
	} else if (step < 3 + o->produce) {
		int64_t off = first + (int64_t)(step - 3) * o->records;
		kw_gen_kafka_produce_req(req, kp, corr, (uint32_t)part, part, off);
		kw_gen_kafka_produce_resp(resp, kp, corr, part, off);
	} else {
		int64_t off = first + (int64_t)(step - 3 - o->produce) * o->records;
		kw_gen_kafka_fetch_req(req, kp, corr, part, off);
		kw_gen_kafka_fetch_resp(resp, kp, corr, (uint32_t)part, part, off);
	}
	if (req->err != 0 || resp->err != 0)
		return -ENOMEM;
	conn_send(g, c, GEN_C2S, req);
	conn_send(g, c, GEN_S2C, resp);
	return 0;
}

static int
run_kafka(struct gen_ctx *g)
{
	const struct gen_opts *o = g->o;
	struct kw_gen_kafka_params kp = {
		.seed = o->seed,
		.records = o->records,
		.record_size = o->record_size,
		.headers = o->headers,
		.port = o->port,
		.host = o->ipv6 ? "2001:2:0:2::1" : "198.19.0.1",
		.produce_v = o->produce_v,
		.fetch_v = o->fetch_v,
		.metadata_v = o->metadata_v,
	};
	struct kw_gen_buf req, resp;
	uint64_t rng = o->seed;
	int rc = 0;

	struct gen_conn *conns = calloc(o->connections, sizeof(*conns));
	if (conns == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < o->connections; i++) {
		struct gen_conn *c = &conns[i];
		c->index = i;
		gen_endpoints(o, i, &c->ep[GEN_C2S], &c->ep[GEN_S2C]);
		for (int d = 0; d < 2; d++) {
			uint64_t r = kw_gen_rand_next(&rng);
			c->ep[d].seq = (uint32_t)r;
			c->ep[d].ip_id = (uint16_t)(r >> 32);
			c->ep[d].ts_base = (uint32_t)(r >> 48) << 8;
		}
	}
	kw_gen_buf_init(&req);
	kw_gen_buf_init(&resp);
	uint32_t steps = 4 + o->produce + o->fetch;
	for (uint32_t s = 0; s < steps && rc == 0; s++)
		for (uint32_t i = 0; i < o->connections && rc == 0; i++)
			rc = conn_step(g, &conns[i], s, &kp, &req, &resp);
	kw_gen_buf_fini(&req);
	kw_gen_buf_fini(&resp);
	free(conns);
	return rc;
}

/* ---- frames mode ---- */

static int
run_frames(struct gen_ctx *g)
{
	const struct gen_opts *o = g->o;
	size_t hdr = gen_l23_len(o) + sizeof(struct rte_tcp_hdr);
	size_t paylen = o->frame_size - hdr;
	uint32_t dirs = (o->split[0] != NULL) ? 2 : 1;
	uint64_t rng = o->seed;

	struct gen_ep *eps = calloc((size_t)o->flows * 2, sizeof(*eps));
	if (eps == NULL)
		return -ENOMEM;
	for (uint32_t f = 0; f < o->flows; f++) {
		gen_endpoints(o, f, &eps[2 * f], &eps[2 * f + 1]);
		for (int d = 0; d < 2; d++) {
			uint64_t r = kw_gen_rand_next(&rng);
			eps[2 * f + d].seq = (uint32_t)r;
			eps[2 * f + d].ip_id = (uint16_t)(r >> 32);
		}
	}
	uint8_t *pay = malloc(paylen + 8);
	if (pay == NULL) {
		free(eps);
		return -ENOMEM;
	}
	for (size_t k = 0; k < paylen; k += 8) {
		uint64_t r = kw_gen_rand_next(&rng);
		memcpy(pay + k, &r, 8);
	}
	for (uint64_t n = 0; n < o->count; n++) {
		uint32_t d = (uint32_t)(n % dirs);
		uint32_t f = (uint32_t)((n / dirs) % o->flows);
		struct gen_ep *src = &eps[2 * f + d];
		struct gen_ep *dst = &eps[2 * f + !d];
		gen_emit(g, (enum gen_dir)d, src, dst, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
			 dst->seq, GEN_WIN, NULL, 0, pay, paylen);
		src->seq += (uint32_t)paylen;
	}
	free(pay);
	free(eps);
	return 0;
}

/* ---- command line ---- */

enum {
	OPT_SPLIT = 256,
	OPT_CONNECTIONS,
	OPT_PRODUCE,
	OPT_FETCH,
	OPT_RECORDS,
	OPT_RECORD_SIZE,
	OPT_HEADERS,
	OPT_MSS,
	OPT_SEED,
	OPT_PORT,
	OPT_VLAN,
	OPT_IPV6,
	OPT_FRAME_SIZE,
	OPT_COUNT,
	OPT_FLOWS,
	OPT_PRODUCE_V,
	OPT_FETCH_V,
	OPT_METADATA_V,
};

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"split", required_argument, NULL, OPT_SPLIT},
	{"connections", required_argument, NULL, OPT_CONNECTIONS},
	{"produce", required_argument, NULL, OPT_PRODUCE},
	{"fetch", required_argument, NULL, OPT_FETCH},
	{"records", required_argument, NULL, OPT_RECORDS},
	{"record-size", required_argument, NULL, OPT_RECORD_SIZE},
	{"headers", required_argument, NULL, OPT_HEADERS},
	{"mss", required_argument, NULL, OPT_MSS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"port", required_argument, NULL, OPT_PORT},
	{"vlan", required_argument, NULL, OPT_VLAN},
	{"ipv6", no_argument, NULL, OPT_IPV6},
	{"frame-size", required_argument, NULL, OPT_FRAME_SIZE},
	{"count", required_argument, NULL, OPT_COUNT},
	{"flows", required_argument, NULL, OPT_FLOWS},
	{"produce-version", required_argument, NULL, OPT_PRODUCE_V},
	{"fetch-version", required_argument, NULL, OPT_FETCH_V},
	{"metadata-version", required_argument, NULL, OPT_METADATA_V},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Parse argv after the mode word into @o; 0, 1 for --help, or -EINVAL. */
static int
parse_args(int argc, char **argv, int kafka, struct gen_opts *o)
{
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "+o:h", long_opts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case OPT_SPLIT:
			if (optind >= argc) {
				fprintf(stderr, "kwgen: --split needs two files\n");
				return -EINVAL;
			}
			o->split[0] = optarg;
			o->split[1] = argv[optind++];
			break;
		case OPT_CONNECTIONS:
			rc = parse_u64("--connections", optarg, 1, GEN_CONN_MAX, &v);
			o->connections = (uint32_t)v;
			break;
		case OPT_PRODUCE:
			rc = parse_u64("--produce", optarg, 0, 1000000, &v);
			o->produce = (uint32_t)v;
			break;
		case OPT_FETCH:
			rc = parse_u64("--fetch", optarg, 0, 1000000, &v);
			o->fetch = (uint32_t)v;
			break;
		case OPT_RECORDS:
			rc = parse_u64("--records", optarg, 1, 100000, &v);
			o->records = (uint32_t)v;
			break;
		case OPT_RECORD_SIZE:
			rc = parse_u64("--record-size", optarg, 0, 1u << 20, &v);
			o->record_size = (uint32_t)v;
			break;
		case OPT_HEADERS:
			rc = parse_u64("--headers", optarg, 0, 64, &v);
			o->headers = (uint32_t)v;
			break;
		case OPT_MSS:
			rc = parse_u64("--mss", optarg, GEN_MSS_MIN, GEN_MSS_MAX, &v);
			o->mss = (uint32_t)v;
			break;
		case OPT_SEED:
			rc = parse_u64("--seed", optarg, 0, UINT64_MAX, &v);
			o->seed = v;
			break;
		case OPT_PORT:
			rc = parse_u64("--port", optarg, 1, 65535, &v);
			o->port = (uint16_t)v;
			break;
		case OPT_VLAN:
			rc = parse_u64("--vlan", optarg, 1, 4094, &v);
			o->vlan = (uint16_t)v;
			break;
		case OPT_IPV6:
			o->ipv6 = 1;
			break;
		case OPT_FRAME_SIZE:
			rc = parse_u64("--frame-size", optarg, 60, 9000, &v);
			o->frame_size = (uint32_t)v;
			break;
		case OPT_COUNT:
			rc = parse_u64("--count", optarg, 1, UINT64_MAX / 2, &v);
			o->count = v;
			break;
		case OPT_FLOWS:
			rc = parse_u64("--flows", optarg, 1, GEN_FLOWS_MAX, &v);
			o->flows = (uint32_t)v;
			break;
		case OPT_PRODUCE_V:
			rc = parse_u64("--produce-version", optarg, 3, 9, &v);
			o->produce_v = (int16_t)v;
			break;
		case OPT_FETCH_V:
			rc = parse_u64("--fetch-version", optarg, 4, 13, &v);
			o->fetch_v = (int16_t)v;
			break;
		case OPT_METADATA_V:
			rc = parse_u64("--metadata-version", optarg, 9, 12, &v);
			o->metadata_v = (int16_t)v;
			break;
		case 'h':
			return 1;
		default:
			return -EINVAL;
		}
		if (rc != 0)
			return rc;
	}
	if (optind != argc) {
		fprintf(stderr, "kwgen: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->out == NULL && o->split[0] == NULL) {
		fprintf(stderr, "kwgen: give -o FILE and/or --split A B\n");
		return -EINVAL;
	}
	if (kafka) {
		uint64_t rec = (uint64_t)o->record_size + 64 + (uint64_t)o->headers * 40;
		if ((uint64_t)o->records * rec > GEN_MSG_MAX) {
			fprintf(stderr, "kwgen: --records x --record-size exceeds %u bytes\n",
				GEN_MSG_MAX);
			return -EINVAL;
		}
	} else {
		if (o->frame_size == 0 || o->count == 0) {
			fprintf(stderr, "kwgen: frames mode needs --frame-size and --count\n");
			return -EINVAL;
		}
		size_t hdr = gen_l23_len(o) + sizeof(struct rte_tcp_hdr);
		if (o->frame_size < hdr) {
			fprintf(stderr, "kwgen: --frame-size %u is below the %zu header bytes\n",
				o->frame_size, hdr);
			return -EINVAL;
		}
	}
	return 0;
}

static pcap_dumper_t *
open_out(pcap_t *dead, const char *path)
{
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	if (d == NULL)
		fprintf(stderr, "kwgen: %s: %s\n", path, pcap_geterr(dead));
	return d;
}

static int
close_out(pcap_dumper_t *d, const char *path)
{
	if (d == NULL)
		return 0;
	int bad = pcap_dump_flush(d) != 0;
	bad |= ferror(pcap_dump_file(d)) != 0;
	pcap_dump_close(d);
	if (bad)
		fprintf(stderr, "kwgen: %s: write error\n", path);
	return bad ? -EIO : 0;
}

int
main(int argc, char **argv)
{
	struct gen_opts o = {
		.connections = 4,
		.produce = 4,
		.fetch = 4,
		.records = 8,
		.record_size = 200,
		.mss = 1448,
		.seed = 1,
		.port = 9092,
		.flows = 1,
		.produce_v = KW_GEN_KAFKA_PRODUCE_V,
		.fetch_v = KW_GEN_KAFKA_FETCH_V,
		.metadata_v = KW_GEN_KAFKA_METADATA_V,
	};
	struct gen_ctx g = {.o = &o};
	int kafka;
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (strcmp(argv[1], "kafka") == 0) {
		kafka = 1;
	} else if (strcmp(argv[1], "frames") == 0) {
		kafka = 0;
	} else {
		fprintf(stderr, "kwgen: unknown mode '%s' (kafka or frames; see --help)\n",
			argv[1]);
		return 1;
	}
	rc = parse_args(argc - 1, argv + 1, kafka, &o);
	if (rc == 1) {
		usage(stdout);
		return 0;
	}
	if (rc != 0)
		return 1;

	g.dead = pcap_open_dead(DLT_EN10MB, GEN_SNAPLEN);
	if (g.dead == NULL) {
		fprintf(stderr, "kwgen: pcap_open_dead failed\n");
		return 2;
	}
	rc = 0;
	if (o.out != NULL && (g.all = open_out(g.dead, o.out)) == NULL)
		rc = -EIO;
	for (int d = 0; d < 2 && rc == 0 && o.split[0] != NULL; d++)
		if ((g.side[d] = open_out(g.dead, o.split[d])) == NULL)
			rc = -EIO;
	if (rc == 0)
		rc = kafka ? run_kafka(&g) : run_frames(&g);
	if (rc == -ENOMEM)
		fprintf(stderr, "kwgen: out of memory\n");
	int crc = close_out(g.all, o.out);
	for (int d = 0; d < 2; d++) {
		int r = close_out(g.side[d], o.split[d]);
		crc = crc != 0 ? crc : r;
	}
	pcap_close(g.dead);
	return rc != 0 || crc != 0 ? 2 : 0;
}
