/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream tracking and reassembly: per flow and per direction, it follows the handshake, the
 * window and teardown, and hands the consumer (the Kafka layer) each direction's byte stream in
 * order, as (pointer, length) views into the received mbufs. It never copies or changes payload.
 * It delivers only what the receiving stack would accept: checksum (configurable), receive
 * window, RFC 5961 style RST check. Out-of-order data is held by mbuf reference in a per-worker
 * node pool; when a hole can no longer be filled the direction becomes opaque (sink->gap).
 *
 * Who calls: the worker that owns the flow, one thread, no locks. kw_tcp_ctx_create/free run at
 * init/exit on the main lcore; everything else is fast path and never allocates.
 * What it owns: struct kw_tcp_ctx owns the node pool and the counters; a struct kw_tcp_conn
 * (embedded by the caller in its flow entry) owns one reference on every mbuf it holds, until
 * the data is delivered, the direction turns opaque or kw_tcp_conn_release() is called.
 */
#ifndef KW_TCP_STREAM_H
#define KW_TCP_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

/* Wraparound-safe sequence comparisons (modulo 2^32, like the kernel's before()/after()). */
static inline bool kw_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool kw_seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool kw_seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool kw_seq_ge(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

/* TCP header flags (the low byte of the flags field). */
#define KW_TCP_FIN 0x01
#define KW_TCP_SYN 0x02
#define KW_TCP_RST 0x04
#define KW_TCP_PSH 0x08
#define KW_TCP_ACK 0x10
#define KW_TCP_URG 0x20

#define KW_TCP_WSCALE_NONE 0xff /* no window scale option in the SYN */
#define KW_TCP_WSCALE_MAX  14	/* RFC 7323: larger shifts are treated as 14 */

/* Checksum validation of TCP segments, chosen per worker at start. */
enum kw_tcp_csum_mode {
	KW_TCP_CSUM_AUTO = 0, /* validate; a direction whose first segments all fail stops */
	KW_TCP_CSUM_ON,	      /* validate every segment: bad ones are not delivered */
	KW_TCP_CSUM_OFF,      /* trust every segment */
};

/* What is known about a segment's IP and TCP checksums before the tracker looks at it. */
enum kw_tcp_seg_csum {
	KW_TCP_SEG_CSUM_UNKNOWN = 0, /* the tracker computes it when the mode asks for it */
	KW_TCP_SEG_CSUM_GOOD,
	KW_TCP_SEG_CSUM_BAD,
};

/* How sink->close was reached. */
enum kw_tcp_close_how {
	KW_TCP_CLOSE_FIN = 0, /* the FIN was reached in stream order: the stream is complete */
	KW_TCP_CLOSE_RST,     /* an acceptable RST ended the connection */
};

struct kw_tcp_params {
	uint32_t ooo_max_segs_per_dir;	/* held out-of-order pieces per direction; default 64 */
	uint32_t ooo_max_bytes_per_dir; /* held out-of-order bytes per direction; default 1 MiB */
	uint32_t ooo_max_segs_total;	/* node pool size per worker; default 65536. Each node pins
					 * an mbuf: keep it well below the RX mempool size. */
	bool midstream;			/* pick up flows without a handshake; default true */
	uint8_t csum_mode;		/* enum kw_tcp_csum_mode; default AUTO */
	uint8_t csum_auto_probe;	/* AUTO: leading failures that turn it off; default 8 */
};

/*
 * Counters, declared once: X(name, help). All count events (unit: 1) except bytes_delivered.
 * The X-macro generates struct kw_tcp_stats and the name/help tables for telemetry.
 */
#define KW_TCP_STATS(X)                                                                            \
	X(segs, "TCP segments given to the tracker")                                               \
	X(bytes_delivered, "payload bytes handed to the consumer, in stream order (bytes)")        \
	X(invalid, "segments whose descriptor does not fit the mbuf (not delivered)")              \
	X(ooo_held, "segments held (by mbuf reference) because they arrived ahead of a hole")      \
	X(ooo_filled, "held pieces delivered after their hole was filled")                         \
	X(retx, "segments overlapping delivered or held data (same bytes where comparable)")       \
	X(retx_conflict, "segments carrying different bytes over held data (first copy kept)")     \
	X(out_of_window, "data segments beyond the receiver's advertised window or after its FIN") \
	X(bad_csum, "segments with a bad IP/TCP checksum while validating (not delivered)")        \
	X(csum_unverified, "segments whose checksum could not be computed (accepted)")             \
	X(csum_auto_off, "directions where AUTO stopped validating (offload-captured traffic)")    \
	X(midstream_pickups, "directions picked up without a handshake")                           \
	X(midstream_refused, "directions left opaque because midstream pickup is off")             \
	X(gaps, "unfillable holes reported to the consumer (direction became opaque)")             \
	X(gap_acked, "gaps detected because the receiver acknowledged bytes never seen")           \
	X(gap_closed, "gaps because the connection ended or was released with a hole")             \
	X(cap_ooo_flow, "gaps because a direction hit its held segment or byte cap")               \
	X(cap_ooo_global, "gaps because the worker's node pool was empty")                         \
	X(opaque_segs, "segments ignored because their direction is opaque")                       \
	X(after_close, "data segments after the direction was closed")                             \
	X(ack_unsent, "ACK fields beyond anything the other side sent (ignored)")                  \
	X(syn, "SYN segments that set a direction's initial sequence number")                      \
	X(syn_ignored, "SYNs on a synchronized direction, not a retransmitted SYN (dropped)")      \
	X(syn_reuse, "SYNs that restarted a closed connection (port reuse)")                       \
	X(fin, "FINs reached in stream order (sink->close FIN)")                                   \
	X(rst, "acceptable RSTs (sink->close RST on both directions)")                             \
	X(rst_invalid, "RSTs whose sequence number is not the expected one (ignored)")

#define KW_TCP_STAT_FIELD(name, help) uint64_t name;
struct kw_tcp_stats {
	KW_TCP_STATS(KW_TCP_STAT_FIELD)
};
#undef KW_TCP_STAT_FIELD

#define KW_TCP_STAT_ENUM(name, help) KW_TCP_STAT_##name,
/* clang-format off */
enum kw_tcp_stat_id {
	KW_TCP_STATS(KW_TCP_STAT_ENUM)
	KW_TCP_STAT_COUNT
};
/* clang-format on */
#undef KW_TCP_STAT_ENUM

/* Names and help strings indexed by enum kw_tcp_stat_id (struct kw_tcp_stats field order). */
extern const char *const kw_tcp_stat_names[KW_TCP_STAT_COUNT];
extern const char *const kw_tcp_stat_help[KW_TCP_STAT_COUNT];

/* One parsed TCP segment, as the caller's classifier found it. */
struct kw_tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t pay_off; /* offset of the first payload byte in the mbuf chain */
	uint32_t pay_len; /* payload bytes according to the IP length (not pkt_len: padding) */
	uint16_t win;	  /* raw window field */
	uint16_t l3_off;  /* IP header offset, for checksum computation */
	uint16_t l4_off;  /* TCP header offset */
	uint8_t flags;	  /* KW_TCP_* */
	uint8_t ip_ver;	  /* 4 or 6 */
	uint8_t wscale;	  /* window scale option of a SYN, or KW_TCP_WSCALE_NONE */
	uint8_t csum;	  /* enum kw_tcp_seg_csum */
};

/*
 * Per-direction state that every segment reads, 32 bytes: a connection's two directions share one
 * cache line. The consumer may read the flags through the helpers below.
 */
struct kw_tcp_dir {
	uint64_t next_off; /* stream offset of the next byte to deliver (offset 0 = base) */
	uint32_t base;	   /* sequence number of stream offset 0 (ISN + 1, or pickup point) */
	uint32_t max_end;  /* highest sequence number sent + 1, FIN included (validates ACKs) */
	uint32_t ack;	   /* last ACK field sent: the receiver's RCV.NXT for the other side */
	uint32_t win;	   /* last window this direction advertised, scaled */
	uint32_t ooo_head; /* pool index + 1 of the first held piece (sorted by offset); 0: none */
	uint16_t flags;	   /* KW_TCP_DIR_* */
	uint8_t wscale;	   /* shift of this side's windows, when KW_TCP_DIR_WS_KNOWN */
};

/* Per-direction state only a FIN, held pieces or a failed checksum touch. */
struct kw_tcp_dir_rare {
	uint32_t fin_seq; /* sequence number of the FIN, when KW_TCP_DIR_FIN */
	uint32_t ooo_bytes;
	uint16_t ooo_segs;
	uint8_t csum_fails; /* AUTO mode: failures before the first good checksum */
};

#define KW_TCP_DIR_BASE	     0x0001 /* base is set: stream offsets are defined */
#define KW_TCP_DIR_MIDSTREAM 0x0002 /* picked up without a handshake: resync on frames */
#define KW_TCP_DIR_OPAQUE    0x0004 /* a gap happened: nothing more is delivered */
#define KW_TCP_DIR_FIN	     0x0008 /* a FIN was seen at fin_seq */
#define KW_TCP_DIR_CLOSED    0x0010 /* sink->close was called */
#define KW_TCP_DIR_ACK	     0x0020 /* ack/win are valid */
#define KW_TCP_DIR_SYN	     0x0040 /* this direction sent a SYN */
#define KW_TCP_DIR_WS_KNOWN  0x0080 /* wscale is known (else windows use the maximum shift) */
#define KW_TCP_DIR_MAX_END   0x0100 /* max_end is valid */
#define KW_TCP_DIR_CSUM_OK   0x0200 /* AUTO: a good checksum was seen, keep validating */
#define KW_TCP_DIR_CSUM_OFF  0x0400 /* AUTO: stopped validating */
#define KW_TCP_DIR_RST	     0x0800 /* an acceptable RST was seen (set on both directions) */

/*
 * One TCP connection, embedded in the caller's flow entry. All zero (or kw_tcp_conn_init) is a
 * fresh connection. Direction 0/1 is the caller's (e.g. "from the key's lo endpoint"). dir[] is
 * the first 64 bytes: aligned to a cache line, a segment of an open connection reads one line.
 */
struct kw_tcp_conn {
	struct kw_tcp_dir dir[2];
	struct kw_tcp_dir_rare rare[2];
};

_Static_assert(sizeof(struct kw_tcp_dir) * 2 == 64, "both directions' kw_tcp_dir in 64 bytes");

/* Whether an acceptable RST ended c. */
static inline bool kw_tcp_conn_rst(const struct kw_tcp_conn *c)
{
	return (c->dir[0].flags & KW_TCP_DIR_RST) != 0;
}

struct kw_tcp_ctx;

/*
 * The consumer, called in stream order with contiguous pieces that live inside mbufs (zero
 * copy: valid only during the call). stream_off is the 64-bit offset from the base of dir.
 * gap: nothing more will be delivered for dir (stream_off: first missing byte); consumer goes
 * opaque. close: how is enum kw_tcp_close_how; called at most once per direction. Any callback
 * may be NULL.
 */
struct kw_tcp_sink {
	void (*data)(void *arg, unsigned int dir, uint64_t stream_off, const uint8_t *p,
		     uint32_t len);
	void (*gap)(void *arg, unsigned int dir, uint64_t stream_off);
	void (*close)(void *arg, unsigned int dir, int how);
	void *arg;
};

/* Fill p with the documented defaults. */
void kw_tcp_params_defaults(struct kw_tcp_params *p);

/* Init only: the per-worker context (node pool on socket, counters). NULL on bad params/ENOMEM. */
struct kw_tcp_ctx *kw_tcp_ctx_create(const struct kw_tcp_params *p, int socket);

/* Exit only, after every connection was released. NULL is accepted. */
void kw_tcp_ctx_free(struct kw_tcp_ctx *ctx);

/* The worker's counters (the reader sums them over workers). */
const struct kw_tcp_stats *kw_tcp_ctx_stats(const struct kw_tcp_ctx *ctx);

/* Free pool nodes (tests and telemetry). */
uint32_t kw_tcp_ctx_nodes_free(const struct kw_tcp_ctx *ctx);

/*
 * Fill seg from the IP header at l3_off (ip_ver 4 or 6) and the TCP header at l4_off of m:
 * sequence numbers, flags, window, the window scale option of a SYN, the payload offset and
 * length from the IP length, and the checksum state from m->ol_flags. Headers may span
 * segments. Returns 0, or -EINVAL when the headers are truncated or inconsistent.
 */
int kw_tcp_seg_parse(const struct rte_mbuf *m, uint8_t ip_ver, uint16_t l3_off, uint16_t l4_off,
		     struct kw_tcp_seg *seg);

/* Map RX offload flags to enum kw_tcp_seg_csum. */
static inline uint8_t kw_tcp_csum_from_ol_flags(uint64_t ol_flags)
{
	if ((ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return KW_TCP_SEG_CSUM_BAD;
	switch (ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
	case RTE_MBUF_F_RX_L4_CKSUM_NONE: /* data valid, checksum field not filled (virtio) */
		return KW_TCP_SEG_CSUM_GOOD;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return KW_TCP_SEG_CSUM_BAD;
	default:
		return KW_TCP_SEG_CSUM_UNKNOWN;
	}
}

/* Make c a fresh connection (the same as zeroing it). */
void kw_tcp_conn_init(struct kw_tcp_conn *c);

/*
 * Feed one segment of direction dir (0 or 1). m stays the caller's: the tracker takes its own
 * reference (rte_pktmbuf_refcnt_update on every segment of the chain) for data it holds, and
 * never writes to m. Sink callbacks run before this returns. now_tsc is reserved for hold
 * timeouts. Returns 0 when the segment was accepted (delivered, held, or a duplicate), or why
 * not: -EINVAL (descriptor does not fit m, bad dir, SYN on a direction that already carries data
 * other than a retransmission of its SYN, SYN/ACK not answering the SYN seen), -EBADMSG
 * (bad checksum), -ERANGE (out of window, RST at an unexpected sequence number), -ENOTCONN
 * (direction opaque or closed), -ENOSPC (a cap turned the direction opaque).
 */
int kw_tcp_conn_input(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c, unsigned int dir,
		      struct rte_mbuf *m, const struct kw_tcp_seg *seg, uint64_t now_tsc,
		      const struct kw_tcp_sink *sink);

/*
 * The flow ends (aged out, evicted): a direction that still holds data behind a hole reports
 * sink->gap (sink may be NULL), then every held mbuf is freed and c is fresh again.
 */
void kw_tcp_conn_release(struct kw_tcp_ctx *ctx, struct kw_tcp_conn *c,
			 const struct kw_tcp_sink *sink);

static inline bool kw_tcp_conn_midstream(const struct kw_tcp_conn *c, unsigned int dir)
{
	return (c->dir[dir & 1].flags & KW_TCP_DIR_MIDSTREAM) != 0;
}

static inline bool kw_tcp_conn_opaque(const struct kw_tcp_conn *c, unsigned int dir)
{
	return (c->dir[dir & 1].flags & KW_TCP_DIR_OPAQUE) != 0;
}

#endif /* KW_TCP_STREAM_H */
