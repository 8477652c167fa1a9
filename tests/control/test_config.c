/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the strict YAML config loader (control/config.c): defaults, a full file, each
 * error class with its exact FILE:LINE:COL message, bridges, Kafka port ranges, the cross-section
 * checks, the shipped example and file I/O.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/config.h"

#ifndef KW_TEST_EXAMPLE_YAML
#error "KW_TEST_EXAMPLE_YAML must name docs/kwire.example.yaml (set by tests/control/meson.build)"
#endif

static int load(struct kw_config *cfg, const char *yaml, char *err)
{
	return kw_config_load_string(cfg, yaml, "kwire.yaml", err, KW_CONFIG_ERR_MAX);
}

/* Loading yaml fails with -EINVAL and exactly this message, and leaves cfg untouched. */
static void expect_error(const char *yaml, const char *msg)
{
	struct kw_config cfg, before;
	char err[KW_CONFIG_ERR_MAX];

	memset(&cfg, 0x5a, sizeof(cfg));
	memcpy(&before, &cfg, sizeof(cfg));
	assert_int_equal(load(&cfg, yaml, err), -EINVAL);
	assert_string_equal(err, msg);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void assert_defaults(const struct kw_config *cfg)
{
	assert_int_equal(cfg->mbufs_per_port, 8191);
	assert_int_equal(cfg->rx_desc, 1024);
	assert_int_equal(cfg->tx_desc, 1024);
	assert_true(cfg->promiscuous);
	assert_int_equal(cfg->n_bridges, 0);
	assert_int_equal(cfg->dispatch, KW_DISPATCH_AUTO);
	assert_int_equal(cfg->inspect, KW_INSPECT_KAFKA);
	assert_int_equal(cfg->tx_drain_us, 100);
	assert_int_equal(cfg->dispatch_ring_size, 1024);
	assert_int_equal(cfg->flow_capacity, 65536);
	assert_int_equal(cfg->flow_idle_timeout_ms, 60000);
	assert_int_equal(cfg->flow_on_full, KW_FLOW_FULL_FORWARD);
	assert_int_equal(cfg->stats_interval_ms, 1000);
	assert_true(cfg->tcp_midstream);
	assert_int_equal(cfg->tcp_checksum, KW_CSUM_CFG_AUTO);
	assert_int_equal(cfg->tcp_ooo_segs_per_dir, 64);
	assert_int_equal(cfg->tcp_ooo_bytes_per_dir, 1048576);
	assert_int_equal(cfg->tcp_ooo_segs_total, 2048);
	assert_int_equal(cfg->frag_max_packets, 4096);
	assert_int_equal(cfg->frag_timeout_ms, 2000);
	assert_int_equal(cfg->n_kafka_ports, 1);
	assert_int_equal(cfg->kafka_ports[0].lo, 9092);
	assert_int_equal(cfg->kafka_ports[0].hi, 9094);
	assert_false(cfg->kafka_detect);
	assert_int_equal(cfg->kafka_max_frame, 104857600);
	assert_int_equal(cfg->kafka_max_conns, 4096);
	assert_int_equal(cfg->kafka_top_k, 64);
	assert_false(cfg->log_requests);
	assert_false(cfg->log_records);
	assert_string_equal(cfg->log_path, "-");
	assert_int_equal(cfg->log_sample, 1);
	assert_int_equal(cfg->log_ring_size, 4096);
}

static void test_defaults(void **state)
{
	struct kw_config cfg;

	(void)state;
	memset(&cfg, 0xff, sizeof(cfg));
	kw_config_defaults(&cfg);
	assert_defaults(&cfg);
}

/* Empty input, comments only, an empty document and empty sections all mean "defaults". */
static void test_empty_is_defaults(void **state)
{
	static const char *const inputs[] = {
		"",
		"# nothing here\n\n",
		"---\n",
		"---\n...\n",
		"ports:\nbridges:\ndataplane: ~\nflows: null\nstats:\n",
		"ports: {}\nbridges: []\n",
		"tcp:\nfragments: ~\nkafka: {}\nlog:\n",
	};
	char err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		memset(&cfg, 0xff, sizeof(cfg));
		assert_int_equal(load(&cfg, inputs[i], err), 0);
		assert_string_equal(err, "");
		assert_defaults(&cfg);
	}
}

static const char full_yaml[] = "ports:\n"
				"  mbufs_per_port: 1048575\n"
				"  rx_desc: 64\n"
				"  tx_desc: 16384\n"
				"  promiscuous: false\n"
				"bridges:\n"
				"  - [net_pcap0, net_pcap1]\n"
				"  - [\"2\", '3']\n"
				"  -\n"
				"    - 0000:03:00.0\n"
				"    - 0000:03:00.1\n"
				"dataplane:\n"
				"  dispatch: software\n"
				"  inspect: passthrough\n"
				"  tx_drain_us: 100000\n"
				"  dispatch_ring_size: 65536\n"
				"flows:\n"
				"  capacity: 16777216\n"
				"  idle_timeout_ms: 86400000\n"
				"  on_full: drop\n"
				"stats:\n"
				"  interval_ms: 0\n"
				"tcp:\n"
				"  midstream: false\n"
				"  checksum: off\n"
				"  ooo_segments_per_direction: 4096\n"
				"  ooo_bytes_per_direction: 67108864\n"
				"  ooo_segments_per_worker: 524286\n"
				"fragments:\n"
				"  max_packets: 1048576\n"
				"  timeout_ms: 60000\n"
				"kafka:\n"
				"  ports: [9092, \"19092-19099\", 1-65535]\n"
				"  detect: true\n"
				"  max_frame: 1073741824\n"
				"  max_connections: 1048576\n"
				"  top_k: 4096\n"
				"log:\n"
				"  requests: true\n"
				"  records: true\n"
				"  path: /var/log/kwire/requests.jsonl\n"
				"  sample: 1000000\n"
				"  ring_size: 1048576\n";

static void check_full(const struct kw_config *cfg)
{
	assert_int_equal(cfg->mbufs_per_port, 1048575);
	assert_int_equal(cfg->rx_desc, 64);
	assert_int_equal(cfg->tx_desc, 16384);
	assert_false(cfg->promiscuous);
	assert_int_equal(cfg->n_bridges, 3);
	assert_string_equal(cfg->bridges[0].a, "net_pcap0");
	assert_string_equal(cfg->bridges[0].b, "net_pcap1");
	assert_string_equal(cfg->bridges[1].a, "2");
	assert_string_equal(cfg->bridges[1].b, "3");
	assert_string_equal(cfg->bridges[2].a, "0000:03:00.0");
	assert_string_equal(cfg->bridges[2].b, "0000:03:00.1");
	assert_int_equal(cfg->dispatch, KW_DISPATCH_SOFTWARE);
	assert_int_equal(cfg->inspect, KW_INSPECT_PASSTHROUGH);
	assert_int_equal(cfg->tx_drain_us, 100000);
	assert_int_equal(cfg->dispatch_ring_size, 65536);
	assert_int_equal(cfg->flow_capacity, 16777216);
	assert_int_equal(cfg->flow_idle_timeout_ms, 86400000);
	assert_int_equal(cfg->flow_on_full, KW_FLOW_FULL_DROP);
	assert_int_equal(cfg->stats_interval_ms, 0);
	assert_false(cfg->tcp_midstream);
	assert_int_equal(cfg->tcp_checksum, KW_CSUM_CFG_OFF);
	assert_int_equal(cfg->tcp_ooo_segs_per_dir, 4096);
	assert_int_equal(cfg->tcp_ooo_bytes_per_dir, 67108864);
	assert_int_equal(cfg->tcp_ooo_segs_total, 524286);
	assert_int_equal(cfg->frag_max_packets, 1048576);
	assert_int_equal(cfg->frag_timeout_ms, 60000);
	assert_int_equal(cfg->n_kafka_ports, 3);
	assert_int_equal(cfg->kafka_ports[0].lo, 9092);
	assert_int_equal(cfg->kafka_ports[0].hi, 9092);
	assert_int_equal(cfg->kafka_ports[1].lo, 19092);
	assert_int_equal(cfg->kafka_ports[1].hi, 19099);
	assert_int_equal(cfg->kafka_ports[2].lo, 1);
	assert_int_equal(cfg->kafka_ports[2].hi, 65535);
	assert_true(cfg->kafka_detect);
	assert_int_equal(cfg->kafka_max_frame, 1073741824);
	assert_int_equal(cfg->kafka_max_conns, 1048576);
	assert_int_equal(cfg->kafka_top_k, 4096);
	assert_true(cfg->log_requests);
	assert_true(cfg->log_records);
	assert_string_equal(cfg->log_path, "/var/log/kwire/requests.jsonl");
	assert_int_equal(cfg->log_sample, 1000000);
	assert_int_equal(cfg->log_ring_size, 1048576);
}

static void test_full_file(void **state)
{
	char err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;

	(void)state;
	assert_int_equal(load(&cfg, full_yaml, err), 0);
	check_full(&cfg);
}

/* Keys left out keep their defaults; flow style works like block style. */
static void test_partial_file(void **state)
{
	char err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;

	(void)state;
	assert_int_equal(load(&cfg,
			      "dataplane: {dispatch: rss, inspect: flow}\n"
			      "stats: {interval_ms: 100}\n",
			      err),
			 0);
	assert_int_equal(cfg.dispatch, KW_DISPATCH_RSS);
	assert_int_equal(cfg.inspect, KW_INSPECT_FLOW);
	assert_int_equal(cfg.stats_interval_ms, 100);
	cfg.dispatch = KW_DISPATCH_AUTO;
	cfg.inspect = KW_INSPECT_KAFKA;
	cfg.stats_interval_ms = 1000;
	assert_defaults(&cfg);
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("flows:\n  capacity: 10\n\n\n\n\n  capcity: 5\n",
		     "kwire.yaml:7:3: unknown key 'capcity' in 'flows' "
		     "(expected: capacity, idle_timeout_ms, on_full)");
	expect_error("ports:\n  rx_desc: 64\nport:\n  tx_desc: 64\n",
		     "kwire.yaml:3:1: unknown key 'port' at the top level "
		     "(expected: ports, bridges, dataplane, flows, stats, tcp, fragments, kafka, "
		     "log)");
	/* A key with an embedded NUL must not match its prefix. */
	expect_error("ports: {\"rx_desc\\0x\": 64}\n",
		     "kwire.yaml:1:9: unknown key 'rx_desc?x' in 'ports' "
		     "(expected: mbufs_per_port, rx_desc, tx_desc, promiscuous)");
}

/* Every way an integer can be wrong gives the same message at the value's column. */
static void test_bad_integers(void **state)
{
	static const char *const bad[] = {
		"lots",	      "-1",
		"+64",	      "0x40",
		"064",	      "64k",
		"6 4",	      "1e3",
		"64.0",	      "\"1024\"",
		"'1024'",     "~",
		"4294967296", "99999999999999999999999",
		"63",	      "16385",
		"0",
	};
	char yaml[128], msg[KW_CONFIG_ERR_MAX], shown[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *v = bad[i];
		size_t l = strlen(v);

		/* The message quotes the scalar's value, without YAML's quotes. */
		if (l >= 2 && (v[0] == '"' || v[0] == '\''))
			snprintf(shown, sizeof(shown), "%.*s", (int)(l - 2), v + 1);
		else if (strcmp(v, "~") == 0 || l > 40)
			snprintf(shown, sizeof(shown), "%.40s%s", v, l > 40 ? "..." : "");
		else
			snprintf(shown, sizeof(shown), "%s", v);
		snprintf(yaml, sizeof(yaml), "ports:\n    rx_desc: %s\n", v);
		snprintf(msg, sizeof(msg),
			 "kwire.yaml:2:14: 'rx_desc' must be an integer in 64..16384, got '%s'",
			 shown);
		expect_error(yaml, msg);
	}
	/* An empty value has no column of its own: libyaml marks the end of its key. */
	expect_error("ports:\n    rx_desc:\n",
		     "kwire.yaml:2:13: 'rx_desc' must be an integer in 64..16384, got ''");
}

static void test_integer_ranges(void **state)
{
	char err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;

	(void)state;
	expect_error("ports: {mbufs_per_port: 1022}\n",
		     "kwire.yaml:1:25: 'mbufs_per_port' must be an integer in 1023..1048575, "
		     "got '1022'");
	expect_error("dataplane:\n  dispatch_ring_size: 1000\n",
		     "kwire.yaml:2:23: 'dispatch_ring_size' must be a power of two in 64..65536, "
		     "got '1000'");
	expect_error("dataplane:\n  dispatch_ring_size: 32\n",
		     "kwire.yaml:2:23: 'dispatch_ring_size' must be a power of two in 64..65536, "
		     "got '32'");
	expect_error("dataplane:\n  tx_drain_us: 0\n",
		     "kwire.yaml:2:16: 'tx_drain_us' must be an integer in 1..100000, got '0'");
	expect_error("flows:\n  idle_timeout_ms: 86400001\n",
		     "kwire.yaml:2:20: 'idle_timeout_ms' must be an integer in 1..86400000, "
		     "got '86400001'");
	expect_error("stats:\n  interval_ms: 99\n",
		     "kwire.yaml:2:16: 'interval_ms' must be 0 (off) or an integer in "
		     "100..3600000, got '99'");
	assert_int_equal(load(&cfg, "dataplane: {dispatch_ring_size: 64}\n", err), 0);
	assert_int_equal(cfg.dispatch_ring_size, 64);
	assert_int_equal(load(&cfg, "ports: {rx_desc: 1000}\n", err), 0);
	assert_int_equal(cfg.rx_desc, 1000);
	assert_int_equal(load(&cfg, "stats: {interval_ms: 3600000}\n", err), 0);
	assert_int_equal(cfg.stats_interval_ms, 3600000);
}

static void test_bad_booleans_and_enums(void **state)
{
	(void)state;
	expect_error("ports:\n  promiscuous: yes\n",
		     "kwire.yaml:2:16: 'promiscuous' must be true or false, got 'yes'");
	expect_error("ports:\n  promiscuous: True\n",
		     "kwire.yaml:2:16: 'promiscuous' must be true or false, got 'True'");
	expect_error("ports:\n  promiscuous: \"true\"\n",
		     "kwire.yaml:2:16: 'promiscuous' must be true or false, got 'true'");
	expect_error("ports:\n  promiscuous: 1\n",
		     "kwire.yaml:2:16: 'promiscuous' must be true or false, got '1'");
	expect_error("dataplane:\n  dispatch: fast\n",
		     "kwire.yaml:2:13: 'dispatch' must be one of auto, rss, software, got 'fast'");
	expect_error("dataplane:\n  inspect: [flow]\n",
		     "kwire.yaml:2:12: 'inspect' must be one of passthrough, flow, kafka, "
		     "got a sequence");
	expect_error("flows:\n  on_full: DROP\n",
		     "kwire.yaml:2:12: 'on_full' must be one of forward, drop, got 'DROP'");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	expect_error("ports:\n  rx_desc: 64\n  tx_desc: 64\n  rx_desc: 128\n",
		     "kwire.yaml:4:3: duplicate key 'rx_desc' in 'ports' (first at 2:3)");
	expect_error("stats: {}\nflows: {}\nstats: {}\n",
		     "kwire.yaml:3:1: duplicate key 'stats' in the top level (first at 1:1)");
}

static void test_wrong_kinds(void **state)
{
	(void)state;
	expect_error("ports:\n  - rx_desc: 64\n",
		     "kwire.yaml:2:3: 'ports' must be a mapping, got a sequence");
	expect_error("flows: lots\n", "kwire.yaml:1:8: 'flows' must be a mapping, got a scalar");
	expect_error("ports:\n  rx_desc: {a: 1}\n",
		     "kwire.yaml:2:12: 'rx_desc' must be an integer in 64..16384, got a mapping");
	expect_error("- ports\n", "kwire.yaml:1:1: the document must be a mapping, got a sequence");
	expect_error("hello\n", "kwire.yaml:1:1: the document must be a mapping, got a scalar");
	expect_error("ports: {[a]: 1}\n",
		     "kwire.yaml:1:9: keys in 'ports' must be scalars, got a sequence");
	expect_error("bridges:\n  net_pcap0: net_pcap1\n",
		     "kwire.yaml:2:3: 'bridges' must be a sequence of [port, port] pairs, "
		     "got a mapping");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_error("ports:\n  rx_desc: 1024\n tx_desc: 5\n",
		     "kwire.yaml:3:2: did not find expected key "
		     "(while parsing a block mapping at line 1, column 1)");
	expect_error("ports: [1, 2\n", "kwire.yaml:2:1: did not find expected ',' or ']' "
				       "(while parsing a flow sequence at line 1, column 8)");
	expect_error("ports:\n\trx_desc: 64\n",
		     "kwire.yaml:2:1: found character that cannot start any token "
		     "(while scanning for the next token at line 2, column 1)");
	expect_error("ports:\n  rx_desc: \xc3\x28\n",
		     "kwire.yaml:2:13: invalid trailing UTF-8 octet (byte 0x28)");
}

/* YAML features that have no place in a config file are refused, not half-supported. */
static void test_unsupported_yaml(void **state)
{
	(void)state;
	expect_error("ports:\n  rx_desc: &n 64\n  tx_desc: *n\n",
		     "kwire.yaml:3:12: aliases are not supported");
	expect_error("ports:\n  rx_desc: !!str 64\n",
		     "kwire.yaml:2:12: tags are not supported ('tag:yaml.org,2002:str')");
	expect_error("stats: {}\n---\nflows: {}\n",
		     "kwire.yaml:2:1: only one YAML document is allowed");
	expect_error("ports: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]\n",
		     "kwire.yaml:1:23: nested deeper than 16 levels");
}

static void test_bridges(void **state)
{
	char yaml[2048], msg[KW_CONFIG_ERR_MAX], err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;
	size_t o;
	int i;

	(void)state;
	expect_error("bridges:\n  - [a, b]\n  - [c, d]\n  - [e, b]\n",
		     "kwire.yaml:4:9: port 'b' is already in a bridge (at 2:9)");
	expect_error("bridges:\n  - [a, b]\n  - [a, d]\n",
		     "kwire.yaml:3:6: port 'a' is already in a bridge (at 2:6)");
	expect_error("bridges:\n  - [a, b]\n  - [c, a]\n",
		     "kwire.yaml:3:9: port 'a' is already in a bridge (at 2:6)");
	expect_error("bridges:\n  - [net_pcap0, net_pcap0]\n",
		     "kwire.yaml:2:17: bridge connects port 'net_pcap0' to itself");
	expect_error("bridges:\n  - [a, b, c]\n",
		     "kwire.yaml:2:5: a bridge must have exactly 2 ports, got 3");
	expect_error("bridges:\n  - [a]\n",
		     "kwire.yaml:2:5: a bridge must have exactly 2 ports, got 1");
	expect_error(
		"bridges:\n  - a\n",
		"kwire.yaml:2:5: a bridge must be a 2-element sequence [port, port], got a scalar");
	expect_error("bridges:\n  - [a, [b]]\n",
		     "kwire.yaml:2:9: a bridge port must be a device name or port id, "
		     "got a sequence");
	expect_error("bridges:\n  - [a, \"\"]\n",
		     "kwire.yaml:2:9: a bridge port name must not be empty");
	expect_error(
		"bridges:\n  - [a, \"b c\"]\n",
		"kwire.yaml:2:9: bridge port name 'b c' contains a space or control character");
	expect_error("bridges:\n  - [07, a]\n",
		     "kwire.yaml:2:6: bridge port id '07' must be a decimal number in 0..65535 "
		     "without leading zeros");
	expect_error("bridges:\n  - [65536, a]\n",
		     "kwire.yaml:2:6: bridge port id '65536' must be a decimal number in 0..65535 "
		     "without leading zeros");

	/* Names up to KW_CONFIG_PORT_NAME_MAX - 1 characters fit, one more does not. */
	o = (size_t)snprintf(yaml, sizeof(yaml), "bridges:\n  - [a, ");
	memset(yaml + o, 'x', KW_CONFIG_PORT_NAME_MAX - 1);
	strcpy(yaml + o + KW_CONFIG_PORT_NAME_MAX - 1, "]\n");
	assert_int_equal(load(&cfg, yaml, err), 0);
	assert_int_equal(strlen(cfg.bridges[0].b), KW_CONFIG_PORT_NAME_MAX - 1);
	memset(yaml + o, 'x', KW_CONFIG_PORT_NAME_MAX);
	strcpy(yaml + o + KW_CONFIG_PORT_NAME_MAX, "]\n");
	snprintf(msg, sizeof(msg),
		 "kwire.yaml:2:9: bridge port name '%.40s...' is longer than %d characters",
		 yaml + o, KW_CONFIG_PORT_NAME_MAX - 1);
	expect_error(yaml, msg);

	/* Exactly KW_CONFIG_MAX_BRIDGES bridges load; one more is refused at its item. */
	o = (size_t)snprintf(yaml, sizeof(yaml), "bridges:\n");
	for (i = 0; i < KW_CONFIG_MAX_BRIDGES; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "  - [%d, %d]\n", 2 * i,
				      2 * i + 1);
	assert_int_equal(load(&cfg, yaml, err), 0);
	assert_int_equal(cfg.n_bridges, KW_CONFIG_MAX_BRIDGES);
	assert_string_equal(cfg.bridges[KW_CONFIG_MAX_BRIDGES - 1].b, "31");
	snprintf(yaml + o, sizeof(yaml) - o, "  - [x, y]\n");
	snprintf(msg, sizeof(msg), "kwire.yaml:%d:5: at most %d bridges are allowed",
		 KW_CONFIG_MAX_BRIDGES + 2, KW_CONFIG_MAX_BRIDGES);
	expect_error(yaml, msg);
}

/* One integer key of the newer sections, with where it lands in struct kw_config. */
struct uint_key {
	const char *section;
	const char *key;
	size_t off;
	size_t size;
	uint32_t dflt;
	uint32_t min;
	uint32_t max;
	bool pow2;
};

#define UINT_KEY(sec, key, member, dflt, min, max, pow2)                                           \
	{sec, key, offsetof(struct kw_config, member), sizeof(((struct kw_config *)0)->member),    \
	 dflt, min, max, pow2}

/* ooo_segments_per_worker's upper bounds need a large pool; see test_cross_check. */
static const char big_pool[] = "ports: {mbufs_per_port: 1048575}\n";

static const struct uint_key uint_keys[] = {
	UINT_KEY("tcp", "ooo_segments_per_direction", tcp_ooo_segs_per_dir, 64, 1, 4096, false),
	UINT_KEY("tcp", "ooo_bytes_per_direction", tcp_ooo_bytes_per_dir, 1048576, 1024, 67108864,
		 false),
	UINT_KEY("tcp", "ooo_segments_per_worker", tcp_ooo_segs_total, 2048, 16, 1048576, false),
	UINT_KEY("fragments", "max_packets", frag_max_packets, 4096, 16, 1048576, false),
	UINT_KEY("fragments", "timeout_ms", frag_timeout_ms, 2000, 1, 60000, false),
	UINT_KEY("kafka", "max_frame", kafka_max_frame, 104857600, 64, 1073741824, false),
	UINT_KEY("kafka", "max_connections", kafka_max_conns, 4096, 1, 1048576, false),
	UINT_KEY("kafka", "top_k", kafka_top_k, 64, 1, 4096, false),
	UINT_KEY("kafka", "rate_window_ms", kafka_rate_window_ms, 1000, 100, 3600000, false),
	UINT_KEY("log", "sample", log_sample, 1, 1, 1000000, false),
	UINT_KEY("log", "ring_size", log_ring_size, 4096, 64, 1048576, true),
};

static uint32_t read_member(const struct kw_config *cfg, size_t off, size_t size)
{
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;

	switch (size) {
	case 1:
		memcpy(&v8, (const char *)cfg + off, 1);
		return v8;
	case 2:
		memcpy(&v16, (const char *)cfg + off, 2);
		return v16;
	default:
		assert_int_equal(size, 4);
		memcpy(&v32, (const char *)cfg + off, 4);
		return v32;
	}
}

/* "section:\n  key: value\n" loads and stores value. */
static void expect_uint(const struct uint_key *k, uint32_t value)
{
	char yaml[256], err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;

	snprintf(yaml, sizeof(yaml), "%s%s:\n  %s: %u\n", big_pool, k->section, k->key, value);
	assert_int_equal(load(&cfg, yaml, err), 0);
	assert_string_equal(err, "");
	assert_int_equal(read_member(&cfg, k->off, k->size), value);
}

/* "section:\n  key: text\n" fails at the value (line 3 after big_pool) with the range text. */
static void expect_uint_error(const struct uint_key *k, const char *text, const char *shown)
{
	char yaml[256], msg[KW_CONFIG_ERR_MAX];

	snprintf(yaml, sizeof(yaml), "%s%s:\n  %s: %s\n", big_pool, k->section, k->key, text);
	snprintf(msg, sizeof(msg), "kwire.yaml:3:%zu: '%s' must be %s in %u..%u, got %s",
		 strlen(k->key) + 5, k->key, k->pow2 ? "a power of two" : "an integer", k->min,
		 k->max, shown);
	expect_error(yaml, msg);
}

static void test_uint_keys(void **state)
{
	struct kw_config cfg;
	char shown[64];
	size_t i;

	(void)state;
	kw_config_defaults(&cfg);
	for (i = 0; i < sizeof(uint_keys) / sizeof(uint_keys[0]); i++) {
		const struct uint_key *k = &uint_keys[i];
		char text[32];

		assert_int_equal(read_member(&cfg, k->off, k->size), k->dflt);
		expect_uint(k, k->min);
		/* The one key bounded by another section too: its own maximum is unreachable. */
		if (k->off != offsetof(struct kw_config, tcp_ooo_segs_total))
			expect_uint(k, k->max);
		snprintf(text, sizeof(text), "%u", k->min - 1);
		snprintf(shown, sizeof(shown), "'%u'", k->min - 1);
		expect_uint_error(k, text, shown);
		snprintf(text, sizeof(text), "%u", k->max + 1);
		snprintf(shown, sizeof(shown), "'%u'", k->max + 1);
		expect_uint_error(k, text, shown);
		expect_uint_error(k, "lots", "'lots'");
		expect_uint_error(k, "\"64\"", "'64'");
		expect_uint_error(k, "[1]", "a sequence");
		if (k->pow2) {
			expect_uint(k, k->min * 2);
			snprintf(text, sizeof(text), "%u", k->min * 2 + 1);
			snprintf(shown, sizeof(shown), "'%u'", k->min * 2 + 1);
			expect_uint_error(k, text, shown);
		}
	}
	/* The messages spelled out once, so the column arithmetic above is itself checked. */
	expect_error("fragments:\n  timeout_ms: 60001\n",
		     "kwire.yaml:2:15: 'timeout_ms' must be an integer in 1..60000, got '60001'");
	expect_error("log: {ring_size: 100}\n",
		     "kwire.yaml:1:18: 'ring_size' must be a power of two in 64..1048576, "
		     "got '100'");
	expect_error("kafka:\n  top_k: 0\n",
		     "kwire.yaml:2:10: 'top_k' must be an integer in 1..4096, got '0'");
}

static void test_bool_keys(void **state)
{
	static const struct {
		const char *section;
		const char *key;
		size_t off;
		bool dflt;
	} keys[] = {
		{"tcp", "midstream", offsetof(struct kw_config, tcp_midstream), true},
		{"kafka", "detect", offsetof(struct kw_config, kafka_detect), false},
		{"log", "requests", offsetof(struct kw_config, log_requests), false},
		{"log", "records", offsetof(struct kw_config, log_records), false},
	};
	char yaml[128], msg[KW_CONFIG_ERR_MAX], err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;
	bool b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		kw_config_defaults(&cfg);
		memcpy(&b, (char *)&cfg + keys[i].off, sizeof(b));
		assert_int_equal(b, keys[i].dflt);

		snprintf(yaml, sizeof(yaml), "%s:\n  %s: %s\n", keys[i].section, keys[i].key,
			 keys[i].dflt ? "false" : "true");
		assert_int_equal(load(&cfg, yaml, err), 0);
		memcpy(&b, (char *)&cfg + keys[i].off, sizeof(b));
		assert_int_equal(b, !keys[i].dflt);

		snprintf(yaml, sizeof(yaml), "%s:\n  %s: yes\n", keys[i].section, keys[i].key);
		snprintf(msg, sizeof(msg), "kwire.yaml:2:%zu: '%s' must be true or false, got 'yes'",
			 strlen(keys[i].key) + 5, keys[i].key);
		expect_error(yaml, msg);
	}
	expect_error("tcp:\n  midstream: 1\n",
		     "kwire.yaml:2:14: 'midstream' must be true or false, got '1'");
	expect_error("kafka: {detect: [true]}\n",
		     "kwire.yaml:1:17: 'detect' must be true or false, got a sequence");
	expect_error("log: {records: 1}\n",
		     "kwire.yaml:1:16: 'records' must be true or false, got '1'");
	/* records without requests loads: it is ignored then (kwire pcap turns the log on) */
	assert_int_equal(load(&cfg, "log: {requests: false, records: true}\n", err), 0);
	assert_false(cfg.log_requests);
	assert_true(cfg.log_records);
	expect_error("log:\n  record: true\n",
		     "kwire.yaml:2:3: unknown key 'record' in 'log' "
		     "(expected: requests, records, path, sample, ring_size)");
}

static void test_tcp_checksum(void **state)
{
	static const char *const spell[] = {"auto", "on", "off"};
	static const enum kw_tcp_csum_cfg want[] = {KW_CSUM_CFG_AUTO, KW_CSUM_CFG_ON,
						    KW_CSUM_CFG_OFF};
	char yaml[64], err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(yaml, sizeof(yaml), "tcp: {checksum: %s}\n", spell[i]);
		memset(&cfg, 0xff, sizeof(cfg));
		assert_int_equal(load(&cfg, yaml, err), 0);
		assert_int_equal(cfg.tcp_checksum, want[i]);
		assert_string_equal(kw_config_csum_name(want[i]), spell[i]);
	}
	/* YAML 1.1 would read on/off as booleans; here they are just the enum words. */
	expect_error("tcp:\n  checksum: ON\n",
		     "kwire.yaml:2:13: 'checksum' must be one of auto, on, off, got 'ON'");
	expect_error("tcp:\n  checksum: true\n",
		     "kwire.yaml:2:13: 'checksum' must be one of auto, on, off, got 'true'");
	expect_error("tcp:\n  checksum: {a: b}\n",
		     "kwire.yaml:2:13: 'checksum' must be one of auto, on, off, got a mapping");
	assert_string_equal(kw_config_csum_name((enum kw_tcp_csum_cfg)3), "invalid");
}

static void test_kafka_ports(void **state)
{
	/* Each wrong entry, as written after "[9092, " and as the message quotes it. */
	static const struct {
		const char *text;
		const char *shown;
	} bad_ports[] = {
		{"0", "'0'"},
		{"65536", "'65536'"},
		{"0-10", "'0-10'"},
		{"9092-65536", "'9092-65536'"},
		{"09092", "'09092'"},
		{"9092 - 9094", "'9092 - 9094'"},
		{"-9092", "'-9092'"},
		{"9092-", "'9092-'"},
		{"9092--9094", "'9092--9094'"},
		{"1-2-3", "'1-2-3'"},
		{"0x2384", "'0x2384'"},
		{"9092.5", "'9092.5'"},
		{"lots", "'lots'"},
		{"~", "'~'"},
		{"-1", "'-1'"},
		{"4294967296", "'4294967296'"},
		{"\"\"", "''"},
		{"[9092]", "a sequence"},
	};
	char yaml[1024], msg[KW_CONFIG_ERR_MAX], err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;
	size_t o;
	int i;

	(void)state;
	/* Block style, single ports, plain and quoted ranges, a one-port range, overlaps. */
	assert_int_equal(load(&cfg,
			      "kafka:\n  ports:\n    - 9092\n    - 9092-9094\n    - \"9093-9200\"\n"
			      "    - '30000'\n    - 65535-65535\n",
			      err),
			 0);
	assert_int_equal(cfg.n_kafka_ports, 5);
	assert_int_equal(cfg.kafka_ports[0].lo, 9092);
	assert_int_equal(cfg.kafka_ports[0].hi, 9092);
	assert_int_equal(cfg.kafka_ports[1].lo, 9092);
	assert_int_equal(cfg.kafka_ports[1].hi, 9094);
	assert_int_equal(cfg.kafka_ports[2].lo, 9093);
	assert_int_equal(cfg.kafka_ports[2].hi, 9200);
	assert_int_equal(cfg.kafka_ports[3].lo, 30000);
	assert_int_equal(cfg.kafka_ports[3].hi, 30000);
	assert_int_equal(cfg.kafka_ports[4].lo, 65535);
	assert_int_equal(cfg.kafka_ports[4].hi, 65535);
	assert_true(kw_config_kafka_port(&cfg, 9092));
	assert_true(kw_config_kafka_port(&cfg, 9200));
	assert_true(kw_config_kafka_port(&cfg, 30000));
	assert_true(kw_config_kafka_port(&cfg, 65535));
	assert_false(kw_config_kafka_port(&cfg, 9091));
	assert_false(kw_config_kafka_port(&cfg, 9201));
	assert_false(kw_config_kafka_port(&cfg, 29999));
	assert_false(kw_config_kafka_port(&cfg, 0));

	/* The default range, and the empty list that leaves only detection. */
	kw_config_defaults(&cfg);
	assert_false(kw_config_kafka_port(&cfg, 9091));
	assert_true(kw_config_kafka_port(&cfg, 9093));
	assert_false(kw_config_kafka_port(&cfg, 9095));
	assert_int_equal(load(&cfg, "kafka: {ports: [], detect: true}\n", err), 0);
	assert_int_equal(cfg.n_kafka_ports, 0);
	assert_true(cfg.kafka_detect);
	assert_false(kw_config_kafka_port(&cfg, 9092));

	expect_error("kafka:\n  ports: [9092, 9094-9092]\n",
		     "kwire.yaml:2:17: port range '9094-9092' is reversed: write the lower port "
		     "first");
	expect_error("kafka:\n  ports: 9092\n",
		     "kwire.yaml:2:10: 'ports' must be a sequence of ports and \"A-B\" ranges, "
		     "got '9092'");
	expect_error("kafka:\n  ports:\n",
		     "kwire.yaml:2:9: 'ports' must be a sequence of ports and \"A-B\" ranges, "
		     "got ''");
	expect_error("kafka:\n  ports: {a: 1}\n",
		     "kwire.yaml:2:10: 'ports' must be a sequence of ports and \"A-B\" ranges, "
		     "got a mapping");

	for (i = 0; i < (int)(sizeof(bad_ports) / sizeof(bad_ports[0])); i++) {
		snprintf(yaml, sizeof(yaml), "kafka:\n  ports: [9092, %s]\n", bad_ports[i].text);
		snprintf(msg, sizeof(msg),
			 "kwire.yaml:2:17: 'ports' entries must be a port in 1..65535 or a range "
			 "\"A-B\", got %s",
			 bad_ports[i].shown);
		expect_error(yaml, msg);
	}

	/* KW_CONFIG_MAX_PORT_RANGES entries load; one more is refused at its item. */
	o = (size_t)snprintf(yaml, sizeof(yaml), "kafka:\n  ports:\n");
	for (i = 0; i < KW_CONFIG_MAX_PORT_RANGES; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "    - %d-%d\n", 1000 * (i + 1),
				      1000 * (i + 1) + 9);
	assert_int_equal(load(&cfg, yaml, err), 0);
	assert_int_equal(cfg.n_kafka_ports, KW_CONFIG_MAX_PORT_RANGES);
	assert_int_equal(cfg.kafka_ports[KW_CONFIG_MAX_PORT_RANGES - 1].hi,
			 1000 * KW_CONFIG_MAX_PORT_RANGES + 9);
	assert_true(kw_config_kafka_port(&cfg, 1000 * KW_CONFIG_MAX_PORT_RANGES + 9));
	assert_false(kw_config_kafka_port(&cfg, 1000 * KW_CONFIG_MAX_PORT_RANGES + 10));
	snprintf(yaml + o, sizeof(yaml) - o, "    - 80\n");
	snprintf(msg, sizeof(msg), "kwire.yaml:%d:7: at most %d entries are allowed in 'ports'",
		 KW_CONFIG_MAX_PORT_RANGES + 3, KW_CONFIG_MAX_PORT_RANGES);
	expect_error(yaml, msg);
}

static void test_log_path(void **state)
{
	char yaml[512], msg[KW_CONFIG_ERR_MAX], err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;
	size_t o;

	(void)state;
	assert_int_equal(load(&cfg, "log:\n  path: 'kwire requests.jsonl'\n", err), 0);
	assert_string_equal(cfg.log_path, "kwire requests.jsonl");
	assert_int_equal(load(&cfg, "log: {path: 42}\n", err), 0);
	assert_string_equal(cfg.log_path, "42");
	expect_error("log:\n  path: \"\"\n",
		     "kwire.yaml:2:9: 'path' must be a file name or \"-\" for stdout, got ''");
	expect_error("log:\n  path:\n",
		     "kwire.yaml:2:8: 'path' must be a file name or \"-\" for stdout, got ''");
	expect_error("log:\n  path: [a]\n",
		     "kwire.yaml:2:9: 'path' must be a file name or \"-\" for stdout, "
		     "got a sequence");
	expect_error("log:\n  path: \"a\\tb\"\n",
		     "kwire.yaml:2:9: 'path' 'a?b' contains a control character");
	expect_error("log:\n  path: \"a\\0b\"\n",
		     "kwire.yaml:2:9: 'path' 'a?b' contains a control character");
	/* A bare - is YAML's sequence entry, which is why the example quotes it. */
	expect_error("log:\n  path: -\n",
		     "kwire.yaml:2:9: block sequence entries are not allowed in this context");

	/* KW_CONFIG_PATH_MAX - 1 characters fit, one more does not. */
	o = (size_t)snprintf(yaml, sizeof(yaml), "log:\n  path: ");
	memset(yaml + o, 'p', KW_CONFIG_PATH_MAX - 1);
	strcpy(yaml + o + KW_CONFIG_PATH_MAX - 1, "\n");
	assert_int_equal(load(&cfg, yaml, err), 0);
	assert_int_equal(strlen(cfg.log_path), KW_CONFIG_PATH_MAX - 1);
	memset(yaml + o, 'p', KW_CONFIG_PATH_MAX);
	strcpy(yaml + o + KW_CONFIG_PATH_MAX, "\n");
	snprintf(msg, sizeof(msg), "kwire.yaml:2:9: 'path' '%.40s...' is longer than %d characters",
		 yaml + o, KW_CONFIG_PATH_MAX - 1);
	expect_error(yaml, msg);
}

/* tcp.ooo_segments_per_worker < ports.mbufs_per_port / 2, reported at the key the file sets. */
static void test_cross_check(void **state)
{
	char err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;

	(void)state;
	/* 8191 / 2 = 4095: 4094 is the largest that fits the default pool. */
	assert_int_equal(load(&cfg, "tcp: {ooo_segments_per_worker: 4094}\n", err), 0);
	assert_int_equal(cfg.tcp_ooo_segs_total, 4094);
	expect_error("tcp:\n  ooo_segments_per_worker: 4095\n",
		     "kwire.yaml:2:28: 'tcp.ooo_segments_per_worker' (4095) must be less than half "
		     "of 'ports.mbufs_per_port' (8191 / 2 = 4095)");
	/* Only the pool is set: the error points at it. 4097 / 2 = 2048, the default. */
	expect_error("flows: {}\nports:\n  mbufs_per_port: 4097\n",
		     "kwire.yaml:3:19: 'tcp.ooo_segments_per_worker' (2048) must be less than half "
		     "of 'ports.mbufs_per_port' (4097 / 2 = 2048)");
	assert_int_equal(load(&cfg, "ports:\n  mbufs_per_port: 4099\n", err), 0);
	/* Both set, in either order: the TCP key is the one to change. */
	expect_error("tcp:\n  ooo_segments_per_worker: 600\nports:\n  mbufs_per_port: 1199\n",
		     "kwire.yaml:2:28: 'tcp.ooo_segments_per_worker' (600) must be less than half "
		     "of 'ports.mbufs_per_port' (1199 / 2 = 599)");
	expect_error("ports: {mbufs_per_port: 1023}\ntcp: {ooo_segments_per_worker: 511}\n",
		     "kwire.yaml:2:32: 'tcp.ooo_segments_per_worker' (511) must be less than half "
		     "of 'ports.mbufs_per_port' (1023 / 2 = 511)");
	assert_int_equal(load(&cfg, "ports: {mbufs_per_port: 1023}\n"
				    "tcp: {ooo_segments_per_worker: 510}\n",
			      err),
			 0);
	/* The largest pool allows 524286 of the 1048576 the key's own range would take. */
	assert_int_equal(load(&cfg, "ports: {mbufs_per_port: 1048575}\n"
				    "tcp: {ooo_segments_per_worker: 524286}\n",
			      err),
			 0);
	expect_error("ports: {mbufs_per_port: 1048575}\ntcp: {ooo_segments_per_worker: 1048576}\n",
		     "kwire.yaml:2:32: 'tcp.ooo_segments_per_worker' (1048576) must be less than "
		     "half of 'ports.mbufs_per_port' (1048575 / 2 = 524287)");
	/* A range error in either key wins over the cross-check. */
	expect_error("ports: {mbufs_per_port: 1022}\n",
		     "kwire.yaml:1:25: 'mbufs_per_port' must be an integer in 1023..1048575, "
		     "got '1022'");
}

/* The example shipped to users must load and must document the defaults it claims. */
static void test_example_file(void **state)
{
	char err[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;

	(void)state;
	assert_int_equal(kw_config_load(&cfg, KW_TEST_EXAMPLE_YAML, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(cfg.n_bridges, 1);
	assert_string_equal(cfg.bridges[0].a, "net_pcap0");
	assert_string_equal(cfg.bridges[0].b, "net_pcap1");
	cfg.n_bridges = 0;
	assert_defaults(&cfg);
}

static void test_load_file(void **state)
{
	const char *dir = getenv("TMPDIR");
	char path[256], err[KW_CONFIG_ERR_MAX], msg[KW_CONFIG_ERR_MAX];
	struct kw_config cfg;
	FILE *f;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/kw_test_config_XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(full_yaml, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(kw_config_load(&cfg, path, err, sizeof(err)), 0);
	check_full(&cfg);

	/* Errors from a file carry its path. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("ports:\n    rx_desc: lots\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(kw_config_load(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(msg, sizeof(msg), "%s:2:14: 'rx_desc' must be an integer in 64..16384, got 'lots'",
		 path);
	assert_string_equal(err, msg);
	check_full(&cfg);

	/* An empty file is valid. */
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(kw_config_load(&cfg, path, err, sizeof(err)), 0);
	assert_defaults(&cfg);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(kw_config_load(&cfg, path, err, sizeof(err)), -ENOENT);
	snprintf(msg, sizeof(msg), "%s: cannot open: %s", path, strerror(ENOENT));
	assert_string_equal(err, msg);
	assert_defaults(&cfg);
}

/* A directory and an oversized file are refused without reading them as YAML. */
static void test_load_bad_files(void **state)
{
	const char *dir = getenv("TMPDIR");
	char path[256], err[KW_CONFIG_ERR_MAX];
	static char chunk[64 * 1024];
	struct kw_config cfg;
	FILE *f;
	int fd, i;

	(void)state;
	if (dir == NULL)
		dir = "/tmp";
	assert_int_equal(kw_config_load(&cfg, dir, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "read error"));

	snprintf(path, sizeof(path), "%s/kw_test_config_XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	memset(chunk, '#', sizeof(chunk));
	for (i = 0; i < 32; i++)
		assert_int_equal(fwrite(chunk, 1, sizeof(chunk), f), sizeof(chunk));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(kw_config_load(&cfg, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": larger than "));
	assert_int_equal(unlink(path), 0);
}

static void test_error_buffer(void **state)
{
	char err[16];
	struct kw_config cfg;

	(void)state;
	memset(err, 'z', sizeof(err));
	assert_int_equal(kw_config_load_string(&cfg, "flows: {capcity: 1}\n", "kwire.yaml", err,
					       sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "kwire.yaml:1:9:");
	assert_int_equal(kw_config_load_string(&cfg, "bad: 1\n", "kwire.yaml", NULL, 0), -EINVAL);
	assert_int_equal(kw_config_load_string(&cfg, NULL, "kwire.yaml", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(kw_config_load_string(&cfg, "{}", NULL, err, sizeof(err)), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(kw_config_dispatch_name(KW_DISPATCH_AUTO), "auto");
	assert_string_equal(kw_config_dispatch_name(KW_DISPATCH_RSS), "rss");
	assert_string_equal(kw_config_dispatch_name(KW_DISPATCH_SOFTWARE), "software");
	assert_string_equal(kw_config_inspect_name(KW_INSPECT_PASSTHROUGH), "passthrough");
	assert_string_equal(kw_config_inspect_name(KW_INSPECT_FLOW), "flow");
	assert_string_equal(kw_config_inspect_name(KW_INSPECT_KAFKA), "kafka");
	assert_string_equal(kw_config_flow_full_name(KW_FLOW_FULL_FORWARD), "forward");
	assert_string_equal(kw_config_flow_full_name(KW_FLOW_FULL_DROP), "drop");
	assert_string_equal(kw_config_dispatch_name((enum kw_dispatch_mode)42), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_is_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_partial_file),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_integers),
		cmocka_unit_test(test_integer_ranges),
		cmocka_unit_test(test_bad_booleans_and_enums),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_wrong_kinds),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_unsupported_yaml),
		cmocka_unit_test(test_bridges),
		cmocka_unit_test(test_uint_keys),
		cmocka_unit_test(test_bool_keys),
		cmocka_unit_test(test_tcp_checksum),
		cmocka_unit_test(test_kafka_ports),
		cmocka_unit_test(test_log_path),
		cmocka_unit_test(test_cross_check),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_bad_files),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
