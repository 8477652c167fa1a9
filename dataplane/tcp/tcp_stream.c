/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream tracking and reassembly (see tcp_stream.h for the contract).
 *
 * Invariants of one direction d, once KW_TCP_DIR_BASE is set:
 * - stream offset x is sequence number d->base + x (mod 2^32); d->next_off is the first byte
 *   not yet delivered, so a sequence number s maps to next_off + (int32_t)(s - next_seq): exact
 *   as long as s lies within 2^31 of next_seq, which the window check enforces.
 * - held pieces form a list sorted by offset, never overlapping one another, all strictly after
 *   next_off; each piece owns one reference on its mbuf chain. "First copy wins": a byte is
 *   taken from the first segment that carried it and was not yet delivered.
 * - once KW_TCP_DIR_OPAQUE is set, nothing is held and nothing is delivered any more.
 */
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dataplane/tcp/tcp_csum.h"
#include "dataplane/tcp/tcp_stream.h"

static_assert(sizeof(struct kw_tcp_conn) <= 128, "struct kw_tcp_conn is embedded in every flow");

/* One held out-of-order piece: bytes [off, off + len) of the stream at pay_off of m. */
struct node {
	struct rte_mbuf *m;
	uint64_t off;
	uint32_t pay_off;
	uint32_t len;
	uint32_t next; /* index + 1 of the next piece (list or free list); 0 ends */
	uint32_t pad;
};

struct kw_tcp_ctx {
	struct kw_tcp_stats st;
	struct kw_tcp_params p;
	struct node *nodes;
	uint32_t free_head; /* index + 1 of the first free node; 0: pool empty */
	uint32_t n_free;
} __rte_cache_aligned;

#define KW_TCP_STAT_NAME(name, help) #name,
const char *const kw_tcp_stat_names[KW_TCP_STAT_COUNT] = {KW_TCP_STATS(KW_TCP_STAT_NAME)};
#undef KW_TCP_STAT_NAME

#define KW_TCP_STAT_HELP(name, help) help,
const char *const kw_tcp_stat_help[KW_TCP_STAT_COUNT] = {KW_TCP_STATS(KW_TCP_STAT_HELP)};
#undef KW_TCP_STAT_HELP

void kw_tcp_params_defaults(struct kw_tcp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->ooo_max_segs_per_dir = 64;
	p->ooo_max_bytes_per_dir = 1u << 20;
	p->ooo_max_segs_total = 65536;
	p->midstream = true;
	p->csum_mode = KW_TCP_CSUM_AUTO;
	p->csum_auto_probe = 8;
}

struct kw_tcp_ctx *kw_tcp_ctx_create(const struct kw_tcp_params *p, int socket)
{
	struct kw_tcp_ctx *ctx;
	uint32_t i;

	if (p == NULL || p->ooo_max_segs_total == 0 || p->ooo_max_segs_total >= UINT32_MAX ||
	    p->ooo_max_segs_per_dir > UINT16_MAX || p->csum_mode > KW_TCP_CSUM_OFF ||
	    (p->csum_mode == KW_TCP_CSUM_AUTO && p->csum_auto_probe == 0))
		return NULL;

	ctx = rte_zmalloc_socket("kw_tcp_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE, socket);
	if (ctx == NULL)
		return NULL;
	ctx->p = *p;
	ctx->nodes = rte_zmalloc_socket("kw_tcp_nodes",
					(size_t)p->ooo_max_segs_total * sizeof(struct node),
					RTE_CACHE_LINE_SIZE, socket);
	if (ctx->nodes == NULL)
		goto fail_ctx;
	for (i = 0; i < p->ooo_max_segs_total; i++)
		ctx->nodes[i].next = i + 2 <= p->ooo_max_segs_total ? i + 2 : 0;
	ctx->free_head = 1;
	ctx->n_free = p->ooo_max_segs_total;
	return ctx;

fail_ctx:
	rte_free(ctx);
	return NULL;
}

void kw_tcp_ctx_free(struct kw_tcp_ctx *ctx)
{
	if (ctx == NULL)
		return;
	rte_free(ctx->nodes);
	rte_free(ctx);
}

const struct kw_tcp_stats *kw_tcp_ctx_stats(const struct kw_tcp_ctx *ctx)
{
	return &ctx->st;
}

uint32_t kw_tcp_ctx_nodes_free(const struct kw_tcp_ctx *ctx)
{
	return ctx->n_free;
}

void kw_tcp_conn_init(struct kw_tcp_conn *c)
{
	memset(c, 0, sizeof(*c));
}

/* ---- segment parsing and checksums ---- */

int kw_tcp_seg_parse(const struct rte_mbuf *m, uint8_t ip_ver, uint16_t l3_off, uint16_t l4_off,
		     struct kw_tcp_seg *seg)
{
	uint8_t buf[60];
	const struct rte_tcp_hdr *th;
	const uint8_t *opt;
	uint32_t ip_end, doff, i;

	memset(seg, 0, sizeof(*seg));
	if (ip_ver == 4) {
		struct rte_ipv4_hdr hb;
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_read(m, l3_off, sizeof(hb), &hb);
		uint32_t ihl, tot;

		if (ip == NULL)
			return -EINVAL;
		ihl = rte_ipv4_hdr_len(ip);
		tot = rte_be_to_cpu_16(ip->total_length);
		if (ihl < sizeof(*ip) || tot < ihl || l4_off < (uint32_t)l3_off + ihl)
			return -EINVAL;
		ip_end = l3_off + tot;
	} else if (ip_ver == 6) {
		struct rte_ipv6_hdr hb;
		const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_read(m, l3_off, sizeof(hb), &hb);

		if (ip6 == NULL || l4_off < (uint32_t)l3_off + sizeof(*ip6))
			return -EINVAL;
		ip_end = l3_off + sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	} else {
		return -EINVAL;
	}
	/* pkt_len may exceed ip_end (Ethernet padding); the IP length is authoritative. */
	if (ip_end > rte_pktmbuf_pkt_len(m) || (uint32_t)l4_off + sizeof(*th) > ip_end)
		return -EINVAL;
	th = rte_pktmbuf_read(m, l4_off, sizeof(*th), buf);
	if (th == NULL)
		return -EINVAL;
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (doff < sizeof(*th) || l4_off + doff > ip_end)
		return -EINVAL;

	seg->seq = rte_be_to_cpu_32(th->sent_seq);
	seg->ack = rte_be_to_cpu_32(th->recv_ack);
	seg->win = rte_be_to_cpu_16(th->rx_win);
	seg->flags = th->tcp_flags;
	seg->ip_ver = ip_ver;
	seg->l3_off = l3_off;
	seg->l4_off = l4_off;
	seg->pay_off = l4_off + doff;
	seg->pay_len = ip_end - seg->pay_off;
	seg->wscale = KW_TCP_WSCALE_NONE;
	seg->csum = kw_tcp_csum_from_ol_flags(m->ol_flags);

	if (!(seg->flags & KW_TCP_SYN) || doff == sizeof(*th))
		return 0;
	opt = rte_pktmbuf_read(m, l4_off, doff, buf);
	if (opt == NULL)
		return -EINVAL;
	/* RFC 9293 options: EOL ends, NOP is one byte, others carry kind + length. */
	for (i = sizeof(*th); i < doff;) {
		uint8_t kind = opt[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= doff)
			break;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > doff)
			break;
		if (kind == 3 && olen == 3) /* RFC 7323 window scale */
			seg->wscale = opt[i + 2];
		i += olen;
	}
	return 0;
}

/*
 * The TCP pseudo-header words without the addresses (protocol, length), as read in memory, up
 * to a multiple of 0xffff, which no checksum verdict can tell: since 2^16 is 1 modulo 0xffff,
 * the length's two 16-bit words add up to the length, and a word read byte-swapped is worth
 * 256 times its value. Never 0, as the words it stands for.
 */
static inline uint64_t csum_pseudo(uint32_t l4_len)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return ((uint64_t)l4_len + IPPROTO_TCP) << 8;
#else
	return (uint64_t)l4_len + IPPROTO_TCP;
#endif
}

/*
 * RFC 1071 sum of len bytes at off of chain m, or -1 when the chain is shorter. A piece that
 * starts at an odd offset is byte-swapped once folded (rte_raw_cksum_mbuf() of DPDK 22.11
 * swaps the unfolded sum and loses its carries: it fails good packets split at odd offsets).
 */
static int csum_chain_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint64_t *sum)
{
	uint64_t acc = 0;
	uint32_t done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (done < len) {
		uint32_t n, piece;

		if (m == NULL)
			return -1;
		n = RTE_MIN(len - done, (uint32_t)m->data_len - off);
		piece = kw_tcp_csum_fold(
			kw_tcp_csum_add(0, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n));
		acc += (done & 1) ? rte_bswap16((uint16_t)piece) : piece;
		done += n;
		off = 0;
		m = m->next;
	}
	*sum = acc;
	return 0;
}

/* Any layout: headers read through copies, the segment summed piece by piece. */
static int csum_compute_chain(const struct rte_mbuf *m, const struct kw_tcp_seg *seg)
{
	uint8_t hbuf[60];
	uint64_t sum, raw;
	uint32_t l4_len;

	if (seg->ip_ver == 4) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_read(m, seg->l3_off, sizeof(*ip), hbuf);
		uint32_t ihl;

		if (ip == NULL)
			return -1;
		ihl = rte_ipv4_hdr_len(ip);
		if (ihl < sizeof(*ip))
			return -1;
		l4_len = (uint32_t)seg->l3_off + rte_be_to_cpu_16(ip->total_length);
		if (l4_len < seg->l4_off)
			return -1;
		l4_len -= seg->l4_off;
		ip = rte_pktmbuf_read(m, seg->l3_off, ihl, hbuf);
		if (ip == NULL)
			return -1;
		if (!kw_tcp_csum_good(kw_tcp_csum_add_words(0, (const uint8_t *)ip, ihl)))
			return 0;
		sum = kw_tcp_csum_add_words(csum_pseudo(l4_len), (const uint8_t *)&ip->src_addr, 8);
	} else if (seg->ip_ver == 6) {
		const struct rte_ipv6_hdr *ip6 =
			rte_pktmbuf_read(m, seg->l3_off, sizeof(*ip6), hbuf);

		if (ip6 == NULL || ip6->payload_len == 0)
			return -1;
		/* The pseudo header carries the upper-layer length: extension headers excluded. */
		l4_len = (uint32_t)seg->l3_off + sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
		if (l4_len < seg->l4_off)
			return -1;
		l4_len -= seg->l4_off;
		sum = kw_tcp_csum_add_words(csum_pseudo(l4_len), ip6->src_addr, 32);
	} else {
		return -1;
	}
	if ((uint64_t)seg->l4_off + l4_len > rte_pktmbuf_pkt_len(m) ||
	    csum_chain_sum(m, seg->l4_off, l4_len, &raw) != 0)
		return -1;
	return kw_tcp_csum_good(raw + kw_tcp_csum_fold(sum));
}

/* The 32-bit word at p as read in memory, for sums. */
static inline uint64_t
csum_word32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * sum + a segment of 20 or 32 bytes: mostly a TCP header alone, without options or with
 * timestamps (as Linux sends them), so a bare ACK, the most common segment, or a FIN. In 32-bit
 * words, inline: no call, no loop. For a sum below 2^35, eight words cannot carry out of 64 bits.
 */
static inline uint64_t
csum_header(uint64_t sum, const uint8_t *p, uint32_t len)
{
	sum += csum_word32(p) + csum_word32(p + 4) + csum_word32(p + 8) + csum_word32(p + 12) +
	       csum_word32(p + 16);
	if (len == 32)
		sum += csum_word32(p + 20) + csum_word32(p + 24) + csum_word32(p + 28);
	return sum;
}

/*
 * 1: checksums good, 0: bad, -1: cannot tell (headers not readable, IPv6 jumbogram). The common
 * case, IP header and segment in the first mbuf, is summed in place with one pass over the
 * segment; any other layout, and every case that cannot be told, goes the general way, which
 * gives the same answer for any layout.
 */
static int csum_compute(const struct rte_mbuf *m, const struct kw_tcp_seg *seg)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, seg->l3_off);
	uint32_t data_len = rte_pktmbuf_data_len(m), l3_off = seg->l3_off, l3_len;
	/* past any IP length when l4_off < l3_off: then the checks below take the general way */
	uint32_t l4_rel = (uint32_t)seg->l4_off - l3_off;
	uint64_t sum;

	if (seg->ip_ver == 4 && l3_off + sizeof(struct rte_ipv4_hdr) <= data_len) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		uint64_t addrs;

		l3_len = rte_be_to_cpu_16(ip->total_length);
		if (l3_off + l3_len > data_len || l3_len < l4_rel)
			return csum_compute_chain(m, seg);
		/* five 32-bit words cannot carry out of 64 bits; the addresses serve twice */
		addrs = (uint64_t)ip->src_addr + ip->dst_addr;
		sum = csum_word32(l3) + csum_word32(l3 + 4) + csum_word32(l3 + 8) + addrs;
		if ((ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) != RTE_IPV4_MIN_IHL) {
			uint32_t ihl = rte_ipv4_hdr_len(ip);

			if (ihl < sizeof(*ip) || ihl > l3_len)
				return csum_compute_chain(m, seg);
			sum = kw_tcp_csum_add_words(sum, l3 + sizeof(*ip), ihl - sizeof(*ip));
		}
		/* the IHL makes the first word non-zero */
		if (!kw_tcp_csum_good_nonzero(sum))
			return 0;
		sum = csum_pseudo(l3_len - l4_rel) + addrs;
		if (l3_len - l4_rel == 20 || l3_len - l4_rel == 32)
			return kw_tcp_csum_good_nonzero(
				csum_header(sum, l3 + l4_rel, l3_len - l4_rel));
	} else if (seg->ip_ver == 6 && l3_off + sizeof(struct rte_ipv6_hdr) <= data_len) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)l3;

		l3_len = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
		if (ip6->payload_len == 0 || l3_off + l3_len > data_len || l3_len < l4_rel)
			return csum_compute_chain(m, seg);
		sum = kw_tcp_csum_add_words(csum_pseudo(l3_len - l4_rel),
			       l3 + offsetof(struct rte_ipv6_hdr, src_addr), 32);
	} else {
		return csum_compute_chain(m, seg);
	}
	return kw_tcp_csum_good(kw_tcp_csum_add(sum, l3 + l4_rel, l3_len - l4_rel));
}

/* Whether the receiving stack would take the segment as far as checksums go. */
static bool csum_accept(struct kw_tcp_ctx *ctx, struct kw_tcp_dir *d, struct kw_tcp_dir_rare *x,
			const struct rte_mbuf *m, const struct kw_tcp_seg *seg)
{
	uint8_t mode = ctx->p.csum_mode;
	int good;

	if (mode == KW_TCP_CSUM_OFF || (d->flags & KW_TCP_DIR_CSUM_OFF))
		return true;
	if (seg->csum == KW_TCP_SEG_CSUM_UNKNOWN) {
		good = csum_compute(m, seg);
		if (good < 0) {
			ctx->st.csum_unverified++;
			return true;
		}
	} else {
		good = seg->csum == KW_TCP_SEG_CSUM_GOOD;
	}
	if (good) {
		if (!(d->flags & KW_TCP_DIR_CSUM_OK)) /* once: no store per segment */
			d->flags |= KW_TCP_DIR_CSUM_OK;
		return true;
	}
	/*
	 * AUTO, like Suricata's checksum auto mode but per direction: a capture taken on a host
	 * with TX offload shows bad checksums on that host's outgoing packets only. When the first
	 * csum_auto_probe segments of a direction all fail, stop validating it (the segment that
	 * reaches the limit is accepted; those before it were dropped).
	 */
	if (mode == KW_TCP_CSUM_AUTO && !(d->flags & KW_TCP_DIR_CSUM_OK) &&
	    ++x->csum_fails >= ctx->p.csum_auto_probe) {
		d->flags |= KW_TCP_DIR_CSUM_OFF;
		ctx->st.csum_auto_off++;
		return true;
	}
	ctx->st.bad_csum++;
	return false;
}

/* ---- mbuf walking ---- */

/* The segment of chain m holding byte *pos of the packet; *pos becomes its offset there. */
static inline const struct rte_mbuf *mbuf_locate(const struct rte_mbuf *m, uint32_t *pos)
{
	while (m != NULL && *pos >= m->data_len) {
		*pos -= m->data_len;
		m = m->next;
	}
	return m;
}

/* Whether len bytes at p1 of m1 and at p2 of m2 differ. */
static bool mbuf_differ(const struct rte_mbuf *m1, uint32_t p1, const struct rte_mbuf *m2,
			uint32_t p2, uint32_t len)
{
	m1 = mbuf_locate(m1, &p1);
	m2 = mbuf_locate(m2, &p2);
	while (len > 0) {
		uint32_t n;

		if (m1 == NULL || m2 == NULL)
			return true; /* cannot happen for valid chains; treat as a conflict */
		n = RTE_MIN(len, RTE_MIN((uint32_t)m1->data_len - p1, (uint32_t)m2->data_len - p2));
		if (memcmp(rte_pktmbuf_mtod_offset(m1, const uint8_t *, p1),
			   rte_pktmbuf_mtod_offset(m2, const uint8_t *, p2), n) != 0)
			return true;
		len -= n;
		p1 += n;
		p2 += n;
		if (p1 == m1->data_len) {
			m1 = m1->next;
			p1 = 0;
		}
		if (p2 == m2->data_len) {
			m2 = m2->next;
			p2 = 0;
		}
	}
	return false;
}

/* Hand len bytes at pos of m to the consumer as the next bytes of dir, piece by mbuf segment. */
static void deliver(struct kw_tcp_ctx *ctx, struct kw_tcp_dir *d, unsigned int dir,
		    const struct rte_mbuf *m, uint32_t pos, uint32_t len,
		    const struct kw_tcp_sink *sink)
{
	m = mbuf_locate(m, &pos);
	while (len > 0 && m != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - pos);

		if (n > 0 && sink != NULL && sink->data != NULL)
			sink->data(sink->arg, dir, d->next_off,
				   rte_pktmbuf_mtod_offset(m, const uint8_t *, pos), n);
		d->next_off += n;
		ctx->st.bytes_delivered += n;
		len -= n;
		pos = 0;
		m = m->next;
	}
	/* A chain shorter than pkt_len is a broken mbuf; the offsets tell the consumer. */
	d->next_off += len;
}

/* ---- held pieces ---- */

static inline struct node *node_at(struct kw_tcp_ctx *ctx, uint32_t idx1)
{
	return &ctx->nodes[idx1 - 1];
}

static inline void node_put(struct kw_tcp_ctx *ctx, uint32_t idx1)
{
	node_at(ctx, idx1)->m = NULL;
	node_at(ctx, idx1)->next = ctx->free_head;
	ctx->free_head = idx1;
	ctx->n_free++;
}

static void dir_drop_held(struct kw_tcp_ctx *ctx, struct kw_tcp_dir *d, struct kw_tcp_dir_rare *x)
{
	uint32_t idx = d->ooo_head;

	while (idx != 0) {
		struct node *n = node_at(ctx, idx);
		uint32_t next = n->next;

		rte_pktmbuf_free(n->m);
		node_put(ctx, idx);
		idx = next;
	}
	d->ooo_head = 0;
	x->ooo_segs = 0;
	x->ooo_bytes = 0;
}

/* An unfillable hole: tell the consumer, release what is held, deliver nothing more. */
static void dir_gap(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir,
		    const struct kw_tcp_sink *sink)
{
	struct kw_tcp_dir *d = &c->dir[dir];

	if (d->flags & KW_TCP_DIR_OPAQUE)
		return;
	d->flags |= KW_TCP_DIR_OPAQUE;
	dir_drop_held(ctx, d, &c->rare[dir]);
	ctx->st.gaps++;
	if (sink != NULL && sink->gap != NULL)
		sink->gap(sink->arg, dir, d->next_off);
}

static void dir_close(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir, int how,
		      const struct kw_tcp_sink *sink)
{
	struct kw_tcp_dir *d = &c->dir[dir];

	if (d->flags & KW_TCP_DIR_CLOSED)
		return;
	d->flags |= KW_TCP_DIR_CLOSED;
	dir_drop_held(ctx, d, &c->rare[dir]); /* anything still held lies beyond the FIN */
	if (how == KW_TCP_CLOSE_FIN)
		ctx->st.fin++;
	if (sink != NULL && sink->close != NULL)
		sink->close(sink->arg, dir, how);
}

static inline uint32_t dir_next_seq(const struct kw_tcp_dir *d)
{
	return d->base + (uint32_t)d->next_off;
}

static inline int64_t dir_seq_off(const struct kw_tcp_dir *d, uint32_t seq)
{
	return (int64_t)d->next_off + (int32_t)(seq - dir_next_seq(d));
}

/* Unlink and deliver the first held piece (it starts at or before next_off). */
static void deliver_head(struct kw_tcp_ctx *ctx, struct kw_tcp_dir *d, struct kw_tcp_dir_rare *x,
			 unsigned int dir, const struct kw_tcp_sink *sink)
{
	uint32_t idx = d->ooo_head;
	struct node *n = node_at(ctx, idx);
	uint64_t nend = n->off + n->len;

	d->ooo_head = n->next;
	x->ooo_segs--;
	x->ooo_bytes -= n->len;
	if (nend > d->next_off)
		deliver(ctx, d, dir, n->m, n->pay_off + (uint32_t)(d->next_off - n->off),
			(uint32_t)(nend - d->next_off), sink);
	rte_pktmbuf_free(n->m);
	node_put(ctx, idx);
	ctx->st.ooo_filled++;
}

/* Hold [off, off + len) at pay_off of m before list position cur, after prev; updates prev. */
static int hold_piece(struct kw_tcp_ctx *ctx, struct kw_tcp_dir *d, struct kw_tcp_dir_rare *x,
		      uint32_t *prev, uint32_t cur, struct rte_mbuf *m, uint32_t pay_off, uint64_t off,
		      uint32_t len)
{
	uint32_t idx;
	struct node *n;

	if (x->ooo_segs >= ctx->p.ooo_max_segs_per_dir ||
	    len > ctx->p.ooo_max_bytes_per_dir - x->ooo_bytes) {
		ctx->st.cap_ooo_flow++;
		return -ENOSPC;
	}
	if (ctx->free_head == 0) {
		ctx->st.cap_ooo_global++;
		return -ENOSPC;
	}
	idx = ctx->free_head;
	n = node_at(ctx, idx);
	ctx->free_head = n->next;
	ctx->n_free--;

	/* Every segment of the chain: rte_pktmbuf_free() drops one reference on each. */
	rte_pktmbuf_refcnt_update(m, 1);
	n->m = m;
	n->off = off;
	n->pay_off = pay_off;
	n->len = len;
	n->next = cur;
	if (*prev == 0)
		d->ooo_head = idx;
	else
		node_at(ctx, *prev)->next = idx;
	*prev = idx;
	x->ooo_segs++;
	x->ooo_bytes += len;
	return 0;
}

/* ---- stream input ---- */

/*
 * Bytes [off, end) of the stream at pay_off of m, with off <= next_off < end: deliver them,
 * taking held bytes first where they overlap (first copy wins), then drain what became
 * contiguous. Returns true when some overlap carried different bytes.
 */
static bool stream_in_order(struct kw_tcp_ctx *ctx, struct kw_tcp_dir *d,
			    struct kw_tcp_dir_rare *x, unsigned int dir, const struct rte_mbuf *m,
			    uint32_t pay_off, int64_t off, int64_t end, const struct kw_tcp_sink *sink)
{
	bool conflict = false;

	while ((int64_t)d->next_off < end) {
		struct node *n = d->ooo_head ? node_at(ctx, d->ooo_head) : NULL;
		int64_t lim;

		if (n != NULL && n->off <= d->next_off) {
			int64_t ov_end = RTE_MIN((int64_t)(n->off + n->len), end);

			if (!conflict && ov_end > (int64_t)d->next_off &&
			    mbuf_differ(n->m, n->pay_off + (uint32_t)(d->next_off - n->off), m,
					pay_off + (uint32_t)((int64_t)d->next_off - off),
					(uint32_t)(ov_end - (int64_t)d->next_off)))
				conflict = true;
			deliver_head(ctx, d, x, dir, sink);
			continue;
		}
		lim = n != NULL ? RTE_MIN(end, (int64_t)n->off) : end;
		deliver(ctx, d, dir, m, pay_off + (uint32_t)((int64_t)d->next_off - off),
			(uint32_t)(lim - (int64_t)d->next_off), sink);
	}
	while (d->ooo_head != 0 && node_at(ctx, d->ooo_head)->off <= d->next_off)
		deliver_head(ctx, d, x, dir, sink);
	return conflict;
}

/*
 * Bytes [off, end) with off > next_off: hold the parts no held piece covers yet. Returns 0 or
 * -ENOSPC (cap hit: the caller makes the direction opaque); *overlap / *conflict report bytes
 * already held (with different content).
 */
static int stream_hold(struct kw_tcp_ctx *ctx, struct kw_tcp_dir *d, struct kw_tcp_dir_rare *x,
		       struct rte_mbuf *m, uint32_t pay_off, int64_t off, int64_t end,
		       bool *overlap, bool *conflict, bool *held)
{
	uint32_t prev = 0, cur = d->ooo_head;
	int64_t cursor = off;
	int ret;

	while (cursor < end) {
		struct node *n = cur ? node_at(ctx, cur) : NULL;
		int64_t nend;

		if (n == NULL || (int64_t)n->off > cursor) {
			int64_t lim = n != NULL ? RTE_MIN(end, (int64_t)n->off) : end;

			ret = hold_piece(ctx, d, x, &prev, cur, m,
					 pay_off + (uint32_t)(cursor - off), (uint64_t)cursor,
					 (uint32_t)(lim - cursor));
			if (ret < 0)
				return ret;
			*held = true;
			cursor = lim;
			continue;
		}
		nend = (int64_t)(n->off + n->len);
		if (nend > cursor) {
			int64_t ov_end = RTE_MIN(nend, end);

			*overlap = true;
			if (!*conflict &&
			    mbuf_differ(n->m, n->pay_off + (uint32_t)(cursor - (int64_t)n->off), m,
					pay_off + (uint32_t)(cursor - off),
					(uint32_t)(ov_end - cursor)))
				*conflict = true;
			cursor = ov_end;
		}
		prev = cur;
		cur = n->next;
	}
	return 0;
}

/* Payload and FIN of an accepted segment of a direction with a base. */
static int stream_input(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir,
			struct rte_mbuf *m, uint32_t pay_off, uint32_t seq, uint32_t len, bool fin,
			const struct kw_tcp_sink *sink)
{
	struct kw_tcp_dir *d = &c->dir[dir];
	struct kw_tcp_dir_rare *x = &c->rare[dir];
	int64_t off = dir_seq_off(d, seq);
	int64_t end = off + len;
	bool overlap = false, conflict = false, held = false;
	int ret = 0;

	if (fin && !(d->flags & KW_TCP_DIR_FIN)) {
		x->fin_seq = seq + len;
		d->flags |= KW_TCP_DIR_FIN;
	}
	if (d->flags & KW_TCP_DIR_FIN) {
		/* The receiver takes nothing after the FIN. */
		int64_t fin_off = dir_seq_off(d, x->fin_seq);

		if (end > fin_off) {
			ctx->st.out_of_window++;
			end = RTE_MAX(fin_off, off);
		}
	}

	if (end <= (int64_t)d->next_off) {
		if (len > 0 && end > off)
			ctx->st.retx++;
	} else if (off <= (int64_t)d->next_off) {
		overlap = off < (int64_t)d->next_off;
		conflict = stream_in_order(ctx, d, x, dir, m, pay_off, off, end, sink);
	} else {
		ret = stream_hold(ctx, d, x, m, pay_off, off, end, &overlap, &conflict, &held);
		if (ret < 0) {
			dir_gap(ctx, c, dir, sink);
			return ret;
		}
		if (held)
			ctx->st.ooo_held++;
	}
	if (conflict)
		ctx->st.retx_conflict++;
	else if (overlap)
		ctx->st.retx++;

	if ((d->flags & KW_TCP_DIR_FIN) && dir_next_seq(d) == x->fin_seq)
		dir_close(ctx, c, dir, KW_TCP_CLOSE_FIN, sink);
	return 0;
}

/* The ACK field and window of a segment of dir: the receiver state for the other direction. */
static void ack_input(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir,
		      const struct kw_tcp_seg *seg, const struct kw_tcp_sink *sink)
{
	struct kw_tcp_dir *d = &c->dir[dir];
	struct kw_tcp_dir *r = &c->dir[dir ^ 1];
	unsigned int shift;

	/* A stack ignores an ACK of data never sent (RFC 9293 3.10.7.4); so do we. */
	if ((r->flags & KW_TCP_DIR_MAX_END) && kw_seq_gt(seg->ack, r->max_end)) {
		ctx->st.ack_unsent++;
		return;
	}
	if (seg->flags & KW_TCP_SYN)
		shift = 0; /* RFC 7323: the window of a SYN is never scaled */
	else if (d->flags & KW_TCP_DIR_WS_KNOWN)
		shift = d->wscale;
	else
		shift = KW_TCP_WSCALE_MAX; /* unknown scale: the largest window it could mean */
	if (!(d->flags & KW_TCP_DIR_ACK) || kw_seq_ge(seg->ack, d->ack)) {
		d->ack = seg->ack;
		d->win = (uint32_t)seg->win << shift;
		d->flags |= KW_TCP_DIR_ACK;
	}
	/*
	 * The receiver acknowledged bytes we never saw: nobody will retransmit them, so the hole
	 * (or a missed FIN) can never be filled.
	 */
	if ((r->flags & (KW_TCP_DIR_BASE | KW_TCP_DIR_OPAQUE | KW_TCP_DIR_CLOSED)) ==
		    KW_TCP_DIR_BASE &&
	    kw_seq_gt(seg->ack, dir_next_seq(r))) {
		ctx->st.gap_acked++;
		dir_gap(ctx, c, dir ^ 1, sink);
	}
}

/*
 * Whether d's receiver is synchronized with d (RFC 9293 3.10.7.4): it took bytes from d
 * (delivered, held, or acked unseen: opaque), d was picked up mid-stream (established before we
 * looked) or d sent its FIN. From then on d's base is fixed: moving it would deliver or report
 * offsets again.
 */
static inline bool dir_synchronized(const struct kw_tcp_dir *d)
{
	return (d->flags & KW_TCP_DIR_BASE) &&
	       (d->next_off != 0 || d->ooo_head != 0 ||
		(d->flags & (KW_TCP_DIR_MIDSTREAM | KW_TCP_DIR_OPAQUE | KW_TCP_DIR_FIN |
			     KW_TCP_DIR_CLOSED)));
}

/* Only for a direction that is not synchronized: stream offsets restart at 0. */
static void dir_set_base(struct kw_tcp_dir *d, uint32_t base)
{
	d->base = base;
	d->next_off = 0;
	d->flags |= KW_TCP_DIR_BASE;
	d->flags &= ~KW_TCP_DIR_MIDSTREAM;
}

static void conn_reset(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c)
{
	dir_drop_held(ctx, &c->dir[0], &c->rare[0]);
	dir_drop_held(ctx, &c->dir[1], &c->rare[1]);
	memset(c, 0, sizeof(*c));
}

/* SYN or SYN/ACK of dir: initial sequence numbers and window scaling. 0 or -EINVAL (ignored). */
static int syn_input(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir,
		     const struct kw_tcp_seg *seg)
{
	struct kw_tcp_dir *d = &c->dir[dir];
	struct kw_tcp_dir *o = &c->dir[dir ^ 1];
	uint32_t base = seg->seq + 1;
	bool synack = (seg->flags & KW_TCP_ACK) != 0;

	if (!synack && (d->flags & KW_TCP_DIR_CLOSED) && (o->flags & KW_TCP_DIR_CLOSED)) {
		/* A new connection on the same 5-tuple. */
		conn_reset(ctx, c);
		ctx->st.syn_reuse++;
	}
	if ((d->flags & KW_TCP_DIR_SYN) && d->base == base)
		return 0; /* retransmission: what it teaches is known already */
	/*
	 * RFC 5961 4.2 / RFC 9293 3.10.7.4: a synchronized receiver answers any other SYN with a
	 * challenge ACK and drops the segment, whatever its sequence number. That includes a late
	 * SYN whose ISN + 1 is the base a mid-stream pickup or a SYN/ACK gave: the stream is
	 * already counted from there.
	 */
	if (dir_synchronized(d)) {
		ctx->st.syn_ignored++;
		return -EINVAL;
	}
	if (synack && (o->flags & KW_TCP_DIR_SYN) && seg->ack != o->base) {
		/* The SYN/ACK does not answer the SYN we saw: the peer would reset it. */
		ctx->st.syn_ignored++;
		return -EINVAL;
	}
	if (!(d->flags & KW_TCP_DIR_BASE) || d->base != base)
		ctx->st.syn++;
	dir_set_base(d, base);
	d->flags |= KW_TCP_DIR_SYN;
	if (!synack) {
		d->wscale = seg->wscale; /* offered; effective once the SYN/ACK answers */
		d->flags &= ~KW_TCP_DIR_WS_KNOWN;
		return 0;
	}
	if (!(o->flags & KW_TCP_DIR_BASE))
		dir_set_base(o, seg->ack); /* SYN missed: its ISN + 1 is what the SYN/ACK acks */
	/* RFC 7323: scaling is on only when both SYNs carry the option. */
	if (o->flags & KW_TCP_DIR_SYN) {
		bool on = seg->wscale != KW_TCP_WSCALE_NONE && o->wscale != KW_TCP_WSCALE_NONE;

		d->wscale = on ? RTE_MIN(seg->wscale, KW_TCP_WSCALE_MAX) : 0;
		o->wscale = on ? RTE_MIN(o->wscale, KW_TCP_WSCALE_MAX) : 0;
		o->flags |= KW_TCP_DIR_WS_KNOWN;
	} else if (seg->wscale == KW_TCP_WSCALE_NONE) {
		d->wscale = 0;
		o->wscale = 0;
		o->flags |= KW_TCP_DIR_WS_KNOWN;
	} else {
		/* SYN missed: the other side's shift stays unknown (maximum assumed). */
		d->wscale = RTE_MIN(seg->wscale, KW_TCP_WSCALE_MAX);
	}
	d->flags |= KW_TCP_DIR_WS_KNOWN;
	return 0;
}

/* RFC 5961 3.2: only a RST at the expected sequence number resets; others get a challenge. */
static int rst_input(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir,
		     const struct kw_tcp_seg *seg, const struct kw_tcp_sink *sink)
{
	struct kw_tcp_dir *d = &c->dir[dir];
	struct kw_tcp_dir *o = &c->dir[dir ^ 1];
	unsigned int i;
	bool ok;

	if (d->flags & KW_TCP_DIR_BASE)
		ok = seg->seq == dir_next_seq(d) ||
		     ((o->flags & KW_TCP_DIR_ACK) && seg->seq == o->ack) ||
		     ((d->flags & KW_TCP_DIR_MAX_END) && seg->seq == d->max_end);
	else /* nothing seen from d: the receiver's ACK is its RCV.NXT, if known */
		ok = !(o->flags & KW_TCP_DIR_ACK) || seg->seq == o->ack;
	if (!ok) {
		ctx->st.rst_invalid++;
		return -ERANGE;
	}
	ctx->st.rst++;
	c->dir[0].flags |= KW_TCP_DIR_RST;
	c->dir[1].flags |= KW_TCP_DIR_RST;
	for (i = 0; i < 2; i++) {
		unsigned int x = dir ^ i;

		if (c->dir[x].ooo_head != 0) {
			ctx->st.gap_closed++;
			dir_gap(ctx, c, x, sink);
		}
		dir_close(ctx, c, x, KW_TCP_CLOSE_RST, sink);
	}
	return 0;
}

/* Any segment: what kw_tcp_conn_input does unless ack_predicted() takes the segment. */
static __rte_noinline int
conn_input_slow(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir, struct rte_mbuf *m,
		const struct kw_tcp_seg *seg, const struct kw_tcp_sink *sink)
{
	struct kw_tcp_dir *d, *o;
	uint32_t seq, len, end_seq;
	bool syn, fin;
	int ret;

	ctx->st.segs++;
	if (unlikely(dir > 1 || seg->pay_off > rte_pktmbuf_pkt_len(m) ||
		     seg->pay_len > rte_pktmbuf_pkt_len(m) - seg->pay_off)) {
		ctx->st.invalid++;
		return -EINVAL;
	}
	d = &c->dir[dir];
	o = &c->dir[dir ^ 1];
	if (!csum_accept(ctx, d, &c->rare[dir], m, seg))
		return -EBADMSG;

	syn = (seg->flags & KW_TCP_SYN) != 0;
	fin = (seg->flags & KW_TCP_FIN) != 0;
	len = seg->pay_len;
	if (d->flags & KW_TCP_DIR_RST) {
		if (!syn || (seg->flags & KW_TCP_ACK)) {
			if (len > 0)
				ctx->st.after_close++;
			return -ENOTCONN;
		}
		conn_reset(ctx, c); /* a new SYN after a reset: port reuse */
		ctx->st.syn_reuse++;
	}
	if (seg->flags & KW_TCP_RST)
		return rst_input(ctx, c, dir, seg, sink);
	if (syn) {
		ret = syn_input(ctx, c, dir, seg);
		if (ret < 0)
			return ret;
	}
	seq = seg->seq + (syn ? 1 : 0); /* the SYN occupies one sequence number */

	/* RFC 9293 3.10.7.4: the receiver's window is its last ACK + its scaled window. */
	if (len > 0 && !syn && (o->flags & KW_TCP_DIR_ACK) && kw_seq_ge(seq, o->ack + o->win)) {
		ctx->st.out_of_window++;
		return -ERANGE;
	}
	end_seq = seq + len + (fin ? 1 : 0);
	if (!(d->flags & KW_TCP_DIR_MAX_END) || kw_seq_gt(end_seq, d->max_end)) {
		d->max_end = end_seq;
		d->flags |= KW_TCP_DIR_MAX_END;
	}
	if (seg->flags & KW_TCP_ACK)
		ack_input(ctx, c, dir, seg, sink);
	if (len == 0 && !fin)
		return 0;
	/*
	 * Header prediction (RFC 9293 3.10.7.4's common case): the next bytes of an open direction
	 * that holds nothing. stream_input would deliver them whole and count nothing.
	 */
	if (!fin && (d->flags & (KW_TCP_DIR_BASE | KW_TCP_DIR_OPAQUE | KW_TCP_DIR_CLOSED |
				 KW_TCP_DIR_FIN)) == KW_TCP_DIR_BASE &&
	    d->ooo_head == 0 && seq == dir_next_seq(d)) {
		deliver(ctx, d, dir, m, seg->pay_off, len, sink);
		return 0;
	}

	if (!(d->flags & KW_TCP_DIR_BASE)) {
		uint32_t base = seq;

		if (len == 0) {
			/* A bare FIN of a direction that never sent data: nothing to deliver. */
			dir_close(ctx, c, dir, KW_TCP_CLOSE_FIN, sink);
			return 0;
		}
		if (!ctx->p.midstream) {
			d->flags |= KW_TCP_DIR_BASE | KW_TCP_DIR_OPAQUE;
			d->base = seq;
			ctx->st.midstream_refused++;
			if (sink != NULL && sink->gap != NULL)
				sink->gap(sink->arg, dir, 0);
			return -ENOTCONN;
		}
		/* Start where the receiver is: a retransmission of acked bytes is old news. */
		if ((o->flags & KW_TCP_DIR_ACK) && kw_seq_gt(o->ack, seq)) {
			if (kw_seq_ge(o->ack, seq + len)) {
				ctx->st.retx++;
				return 0;
			}
			base = o->ack;
		}
		dir_set_base(d, base);
		d->flags |= KW_TCP_DIR_MIDSTREAM;
		ctx->st.midstream_pickups++;
	}
	if (d->flags & KW_TCP_DIR_OPAQUE) {
		ctx->st.opaque_segs++;
		if (fin)
			dir_close(ctx, c, dir, KW_TCP_CLOSE_FIN, sink);
		return -ENOTCONN;
	}
	if (d->flags & KW_TCP_DIR_CLOSED) {
		if (len > 0 && kw_seq_gt(seq + len, c->rare[dir].fin_seq))
			ctx->st.after_close++;
		else if (len > 0)
			ctx->st.retx++;
		return -ENOTCONN;
	}
	return stream_input(ctx, c, dir, m, seg->pay_off, seq, len, fin, sink);
}

/*
 * Header prediction for a bare ACK (RFC 9293 3.10.7.4's common case; two segments in three of
 * a Kafka exchange): no payload, no SYN/FIN/RST, no reset seen, d has sent and acked before,
 * and the ACK field is one ack_input takes as it is: not older than d's last ACK, not beyond
 * what r sent (ack_unsent), not beyond what we have of r (no gap_acked, whatever r's state).
 * conn_input_slow would then only move d's max_end, ack and window: nothing else looks at a
 * segment without payload or FIN. The rest (the handshake's last ACK, the ACK of a FIN, old
 * ACKs) goes the slow way: a wider test here costs more on every segment than it saves.
 */
static inline bool
ack_predicted(const struct kw_tcp_dir *d, const struct kw_tcp_dir *r, const struct kw_tcp_seg *seg)
{
	return seg->pay_len == 0 &&
	       (seg->flags & (KW_TCP_SYN | KW_TCP_FIN | KW_TCP_RST | KW_TCP_ACK)) == KW_TCP_ACK &&
	       (d->flags & (KW_TCP_DIR_RST | KW_TCP_DIR_ACK | KW_TCP_DIR_MAX_END)) ==
		       (KW_TCP_DIR_ACK | KW_TCP_DIR_MAX_END) &&
	       (r->flags & (KW_TCP_DIR_BASE | KW_TCP_DIR_MAX_END)) ==
		       (KW_TCP_DIR_BASE | KW_TCP_DIR_MAX_END) &&
	       kw_seq_ge(seg->ack, d->ack) && kw_seq_le(seg->ack, r->max_end) &&
	       kw_seq_le(seg->ack, dir_next_seq(r));
}

/* A segment ack_predicted() took: what conn_input_slow would do with it, step by step. */
static __rte_noinline int
conn_input_fast(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir, struct rte_mbuf *m,
		const struct kw_tcp_seg *seg)
{
	struct kw_tcp_dir *d = &c->dir[dir];

	ctx->st.segs++;
	/* conn_input_slow's descriptor check, for a dir the dispatcher checked and no payload */
	if (unlikely(seg->pay_off > rte_pktmbuf_pkt_len(m))) {
		ctx->st.invalid++;
		return -EINVAL;
	}
	if (!csum_accept(ctx, d, &c->rare[dir], m, seg))
		return -EBADMSG;
	if (kw_seq_gt(seg->seq, d->max_end))
		d->max_end = seg->seq;
	d->ack = seg->ack;
	/* the shift ack_input uses for a segment that is not a SYN */
	d->win = (uint32_t)seg->win
		 << ((d->flags & KW_TCP_DIR_WS_KNOWN) ? d->wscale : KW_TCP_WSCALE_MAX);
	return 0;
}

int
kw_tcp_conn_input(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir,
		  struct rte_mbuf *m, const struct kw_tcp_seg *seg, uint64_t now_tsc,
		  const struct kw_tcp_sink *sink)
{
	RTE_SET_USED(now_tsc);
	/*
	 * Only reads. Both paths count the segment and check the descriptor and checksums first;
	 * the checksums may set CSUM flags, which ack_predicted does not look at.
	 */
	if (dir <= 1 && ack_predicted(&c->dir[dir], &c->dir[dir ^ 1], seg))
		return conn_input_fast(ctx, c, dir, m, seg);
	return conn_input_slow(ctx, c, dir, m, seg, sink);
}

void kw_tcp_conn_release(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c,
			 const struct kw_tcp_sink *sink)
{
	unsigned int x;

	for (x = 0; x < 2; x++) {
		if (c->dir[x].ooo_head != 0) {
			ctx->st.gap_closed++;
			dir_gap(ctx, c, x, sink);
		}
	}
	conn_reset(ctx, c);
}
