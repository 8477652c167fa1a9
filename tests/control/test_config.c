/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the strict YAML config loader (control/config.c): defaults, a full file, each
 * error class with its exact FILE:LINE:COL message, bridges, the shipped example and file I/O.
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
	assert_int_equal(cfg->inspect, KW_INSPECT_FLOW);
	assert_int_equal(cfg->tx_drain_us, 100);
	assert_int_equal(cfg->dispatch_ring_size, 1024);
	assert_int_equal(cfg->flow_capacity, 65536);
	assert_int_equal(cfg->flow_idle_timeout_ms, 60000);
	assert_int_equal(cfg->flow_on_full, KW_FLOW_FULL_FORWARD);
	assert_int_equal(cfg->stats_interval_ms, 1000);
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
				"  interval_ms: 0\n";

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
	assert_int_equal(load(&cfg, "dataplane: {dispatch: rss}\nstats: {interval_ms: 100}\n", err),
			 0);
	assert_int_equal(cfg.dispatch, KW_DISPATCH_RSS);
	assert_int_equal(cfg.stats_interval_ms, 100);
	cfg.dispatch = KW_DISPATCH_AUTO;
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
		     "(expected: ports, bridges, dataplane, flows, stats)");
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
		     "kwire.yaml:2:12: 'inspect' must be one of passthrough, flow, got a sequence");
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
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_bad_files),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
