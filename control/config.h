/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwire configuration: the strict YAML loader and the immutable settings it yields.
 *
 * Called by the main thread only, before any port is touched (and later on SIGHUP by the
 * control thread). A loaded struct kw_config is never changed: workers see it through the
 * RCU-published pointer in struct kw_shared. The loader owns nothing after it returns.
 */
#ifndef KW_CONFIG_H
#define KW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KW_CONFIG_MAX_BRIDGES 16
#define KW_CONFIG_PORT_NAME_MAX 64
#define KW_CONFIG_ERR_MAX 512
#define KW_CONFIG_MAX_PORT_RANGES 16
#define KW_CONFIG_PATH_MAX 256

/* How both directions of a flow reach one worker. */
enum kw_dispatch_mode {
	KW_DISPATCH_AUTO = 0, /* symmetric RSS where the PMD has it, else software */
	KW_DISPATCH_RSS,      /* require symmetric RSS on every port */
	KW_DISPATCH_SOFTWARE, /* one RX queue per port, hashed into per-worker rings */
};

/* What a worker does with a frame. */
enum kw_inspect_mode {
	KW_INSPECT_PASSTHROUGH = 0, /* forward only: no parsing, no flow state */
	KW_INSPECT_FLOW,            /* L2-L4 classification and the per-worker flow table */
	KW_INSPECT_KAFKA,           /* flow, plus TCP reassembly and Kafka decoding on the flows
				     * kafka.ports / kafka.detect select */
};

/* What happens to a new flow's packets when the flow table is full. */
enum kw_flow_full_policy {
	KW_FLOW_FULL_FORWARD = 0, /* forward untracked, count flow_table_full */
	KW_FLOW_FULL_DROP,        /* drop the packet, count flow_table_full and drop_flow_full */
};

/* TCP checksum validation; mirrors enum kw_tcp_csum_mode without making config depend on it. */
enum kw_tcp_csum_cfg {
	KW_CSUM_CFG_AUTO = 0, /* validate; a direction whose first segments all fail stops checking
			       * (checksum offload on the capture side) */
	KW_CSUM_CFG_ON,       /* validate every segment: bad ones are not delivered */
	KW_CSUM_CFG_OFF,      /* trust every segment */
};

/* Inclusive TCP port range; lo <= hi, both in 1..65535. */
struct kw_config_port_range {
	uint16_t lo;
	uint16_t hi;
};

struct kw_config_bridge {
	char a[KW_CONFIG_PORT_NAME_MAX]; /* DPDK device name ("net_pcap0") or port id ("0") */
	char b[KW_CONFIG_PORT_NAME_MAX];
};

struct kw_config {
	/* ports: */
	uint32_t mbufs_per_port;  /* mbufs in the pool, per port; default 8191 */
	uint16_t rx_desc;         /* RX ring descriptors per queue; default 1024 */
	uint16_t tx_desc;         /* TX ring descriptors per queue; default 1024 */
	bool promiscuous;         /* default true: a bump in the wire sees every frame */
	unsigned int n_bridges;   /* 0 means: pair ports 0<->1, 2<->3, ... */
	struct kw_config_bridge bridges[KW_CONFIG_MAX_BRIDGES];

	/* dataplane: */
	enum kw_dispatch_mode dispatch; /* default auto */
	enum kw_inspect_mode inspect;   /* default kafka */
	uint32_t tx_drain_us;           /* TX buffer drain period; default 100 */
	uint32_t dispatch_ring_size;    /* per worker pair ring, power of two; default 1024 */

	/* flows: */
	uint32_t flow_capacity;          /* flows per worker; default 65536 */
	uint32_t flow_idle_timeout_ms;   /* default 60000 */
	enum kw_flow_full_policy flow_on_full; /* default forward */

	/* stats: */
	uint32_t stats_interval_ms;      /* periodic one-line summary; 0 = off; default 1000 */

	/* tcp: */
	bool tcp_midstream;              /* pick up flows already open at start; default true */
	enum kw_tcp_csum_cfg tcp_checksum; /* default auto */
	uint32_t tcp_ooo_segs_per_dir;   /* held out-of-order segments per direction; default 64 */
	uint32_t tcp_ooo_bytes_per_dir;  /* held out-of-order bytes per direction; default 1 MiB */
	uint32_t tcp_ooo_segs_total;     /* held segments (mbufs) per worker; default 2048; always
					  * below mbufs_per_port / 2 so RX keeps buffers */

	/* fragments: */
	uint32_t frag_max_packets;       /* IP fragments held for reassembly per worker; 4096 */
	uint32_t frag_timeout_ms;        /* default 2000 */

	/* kafka: */
	/* Ports where Kafka is expected; may overlap; default one range, 9092-9094. None (0) leaves
	 * kafka_detect as the only way to find Kafka. */
	unsigned int n_kafka_ports;
	struct kw_config_port_range kafka_ports[KW_CONFIG_MAX_PORT_RANGES];
	bool kafka_detect;               /* recognize Kafka on other ports by its first request;
					  * default false */
	uint32_t kafka_max_frame;        /* largest request/response frame, bytes; the broker's
					  * socket.request.max.bytes; default 104857600 */
	uint32_t kafka_max_conns;        /* Kafka connections tracked per worker; default 4096 */
	uint32_t kafka_top_k;            /* clients/principals/topics/groups reported exactly;
					  * default 64 */
	uint32_t kafka_rate_window_ms;   /* window of their rates, ms; default 1000 */

	/* log: */
	bool log_requests;               /* write the JSON-lines request log; default false */
	bool log_records;                /* also a line per record of uncompressed batches (needs
					  * the log: log_requests or kwire pcap); default false */
	char log_path[KW_CONFIG_PATH_MAX]; /* file to append to, "-" = stdout; default "-" */
	uint32_t log_sample;             /* log one request/response pair in N; default 1 */
	uint32_t log_ring_size;          /* records in flight per worker, power of two; 4096 */
};

/* Fill cfg with the embedded defaults (the values documented above). */
void kw_config_defaults(struct kw_config *cfg);

/*
 * Load a YAML file over the defaults. Strict: unknown keys, wrong types, out of range values
 * and duplicate keys are errors. Returns 0, or -EINVAL (bad content) / -ENOENT / -EIO with
 * "FILE:LINE:COL: reason" written to err (err_len bytes, always NUL terminated).
 */
int kw_config_load(struct kw_config *cfg, const char *path, char *err, size_t err_len);

/* The same from a NUL-terminated string; name stands in for the file name in errors. */
int kw_config_load_string(struct kw_config *cfg, const char *yaml, const char *name, char *err,
			  size_t err_len);

const char *kw_config_dispatch_name(enum kw_dispatch_mode mode);
const char *kw_config_inspect_name(enum kw_inspect_mode mode);
const char *kw_config_flow_full_name(enum kw_flow_full_policy policy);
const char *kw_config_csum_name(enum kw_tcp_csum_cfg mode);

/* True when port falls in one of the configured Kafka port ranges (not counting detection). */
static inline bool kw_config_kafka_port(const struct kw_config *cfg, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < cfg->n_kafka_ports; i++)
		if (port >= cfg->kafka_ports[i].lo && port <= cfg->kafka_ports[i].hi)
			return true;
	return false;
}

#endif /* KW_CONFIG_H */
