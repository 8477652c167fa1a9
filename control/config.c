/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The strict YAML loader behind control/config.h.
 *
 * Two passes: libyaml's event parser builds a small tree of nodes that keep their source mark,
 * then a table-driven schema walks that tree into a private struct kw_config. Only a fully valid
 * file reaches the caller's struct, so a bad reload leaves the running settings untouched.
 * Every error names FILE:LINE:COL (1-based) of the node it is about.
 */
#include "control/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* A config file is a few hundred bytes; this bounds the memory a stray path can make us use. */
#define FILE_MAX (1u << 20)
/* The schema is at most three deep (bridges -> item -> port); anything deeper is wrong anyway. */
#define DEPTH_MAX 16
/* How much of an offending value an error message quotes. */
#define QUOTE_MAX 40

enum node_kind {
	NODE_SCALAR,
	NODE_SEQUENCE,
	NODE_MAPPING,
};

struct node {
	enum node_kind kind;
	/* Where the node starts; line and column are 0-based. */
	yaml_mark_t mark;
	/* Scalar written without quotes: only such a scalar may be an integer, boolean or null. */
	bool plain;
	/* Scalar value, NUL terminated; "\0" escapes can put NULs inside, so compare with len. */
	char *text;
	size_t len;
	/* Sequence: the items; mapping: key, value, key, value, ... */
	struct node **child;
	size_t n_child;
	size_t cap_child;
};

struct loader {
	yaml_parser_t parser;
	const char *name; /* file name for messages */
	const unsigned char *buf;
	size_t len;
	unsigned int depth;
	char *err;
	size_t err_len;
};

/* Schema tables. */

enum field_kind {
	FIELD_UINT,
	FIELD_BOOL,
	FIELD_ENUM,
	FIELD_CUSTOM, /* values that are not one scalar number or word: parse() stores them */
};

#define FIELD_POW2     0x1u /* value must also be a power of two */
#define FIELD_ZERO_OFF 0x2u /* 0 is allowed besides min..max and means "off" */

typedef void (*field_store_fn)(struct kw_config *cfg, uint32_t v);
struct field;
typedef int (*field_parse_fn)(struct loader *ld, const struct field *f, const struct node *v,
			      struct kw_config *cfg);

struct field {
	const char *key;
	enum field_kind kind;
	uint32_t min;
	uint32_t max;
	unsigned int flags;
	const char *const *names; /* FIELD_ENUM: spellings indexed by enum value */
	unsigned int n_names;
	field_store_fn store; /* FIELD_UINT, FIELD_BOOL, FIELD_ENUM */
	field_parse_fn parse; /* FIELD_CUSTOM */
};

struct section;
typedef int (*section_walk_fn)(struct loader *ld, const struct section *sec, const struct node *n,
			       struct kw_config *cfg);

struct section {
	const char *key;
	const struct field *fields;
	unsigned int n_fields;
	section_walk_fn walk;
};

static const char *const dispatch_names[] = {
	[KW_DISPATCH_AUTO] = "auto",
	[KW_DISPATCH_RSS] = "rss",
	[KW_DISPATCH_SOFTWARE] = "software",
};

static const char *const inspect_names[] = {
	[KW_INSPECT_PASSTHROUGH] = "passthrough",
	[KW_INSPECT_FLOW] = "flow",
	[KW_INSPECT_KAFKA] = "kafka",
};

static const char *const flow_full_names[] = {
	[KW_FLOW_FULL_FORWARD] = "forward",
	[KW_FLOW_FULL_DROP] = "drop",
};

static const char *const csum_names[] = {
	[KW_CSUM_CFG_AUTO] = "auto",
	[KW_CSUM_CFG_ON] = "on",
	[KW_CSUM_CFG_OFF] = "off",
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One store per field keeps the table type safe whatever width each member has. */
#define STORE(member)                                                                              \
	static void store_##member(struct kw_config *cfg, uint32_t v)                              \
	{                                                                                          \
		cfg->member = v;                                                                   \
	}

STORE(mbufs_per_port)
STORE(rx_desc)
STORE(tx_desc)
STORE(promiscuous)
STORE(dispatch)
STORE(inspect)
STORE(tx_drain_us)
STORE(dispatch_ring_size)
STORE(flow_capacity)
STORE(flow_idle_timeout_ms)
STORE(flow_on_full)
STORE(stats_interval_ms)
STORE(tcp_midstream)
STORE(tcp_checksum)
STORE(tcp_ooo_segs_per_dir)
STORE(tcp_ooo_bytes_per_dir)
STORE(tcp_ooo_segs_total)
STORE(frag_max_packets)
STORE(frag_timeout_ms)
STORE(kafka_detect)
STORE(kafka_max_frame)
STORE(kafka_max_conns)
STORE(kafka_top_k)
STORE(kafka_rate_window_ms)
STORE(log_requests)
STORE(log_records)
STORE(log_sample)
STORE(log_ring_size)

static int parse_kafka_ports(struct loader *ld, const struct field *f, const struct node *v,
			     struct kw_config *cfg);
static int parse_log_path(struct loader *ld, const struct field *f, const struct node *v,
			  struct kw_config *cfg);

static const struct field ports_fields[] = {
	{"mbufs_per_port", FIELD_UINT, 1023, 1048575, 0, NULL, 0, store_mbufs_per_port},
	{"rx_desc", FIELD_UINT, 64, 16384, 0, NULL, 0, store_rx_desc},
	{"tx_desc", FIELD_UINT, 64, 16384, 0, NULL, 0, store_tx_desc},
	{"promiscuous", FIELD_BOOL, 0, 1, 0, NULL, 0, store_promiscuous},
};

static const struct field dataplane_fields[] = {
	{"dispatch", FIELD_ENUM, 0, 0, 0, dispatch_names, N_ELEM(dispatch_names), store_dispatch},
	{"inspect", FIELD_ENUM, 0, 0, 0, inspect_names, N_ELEM(inspect_names), store_inspect},
	{"tx_drain_us", FIELD_UINT, 1, 100000, 0, NULL, 0, store_tx_drain_us},
	{"dispatch_ring_size", FIELD_UINT, 64, 65536, FIELD_POW2, NULL, 0,
	 store_dispatch_ring_size},
};

static const struct field flows_fields[] = {
	{"capacity", FIELD_UINT, 1, 16777216, 0, NULL, 0, store_flow_capacity},
	{"idle_timeout_ms", FIELD_UINT, 1, 86400000, 0, NULL, 0, store_flow_idle_timeout_ms},
	{"on_full", FIELD_ENUM, 0, 0, 0, flow_full_names, N_ELEM(flow_full_names),
	 store_flow_on_full},
};

static const struct field stats_fields[] = {
	{"interval_ms", FIELD_UINT, 100, 3600000, FIELD_ZERO_OFF, NULL, 0, store_stats_interval_ms},
};

static const struct field tcp_fields[] = {
	{"midstream", FIELD_BOOL, 0, 1, 0, NULL, 0, store_tcp_midstream},
	{"checksum", FIELD_ENUM, 0, 0, 0, csum_names, N_ELEM(csum_names), store_tcp_checksum},
	{"ooo_segments_per_direction", FIELD_UINT, 1, 4096, 0, NULL, 0, store_tcp_ooo_segs_per_dir},
	{"ooo_bytes_per_direction", FIELD_UINT, 1024, 67108864, 0, NULL, 0,
	 store_tcp_ooo_bytes_per_dir},
	{"ooo_segments_per_worker", FIELD_UINT, 16, 1048576, 0, NULL, 0, store_tcp_ooo_segs_total},
};

static const struct field fragments_fields[] = {
	{"max_packets", FIELD_UINT, 16, 1048576, 0, NULL, 0, store_frag_max_packets},
	{"timeout_ms", FIELD_UINT, 1, 60000, 0, NULL, 0, store_frag_timeout_ms},
};

static const struct field kafka_fields[] = {
	{"ports", FIELD_CUSTOM, 1, 65535, 0, NULL, 0, NULL, parse_kafka_ports},
	{"detect", FIELD_BOOL, 0, 1, 0, NULL, 0, store_kafka_detect},
	{"max_frame", FIELD_UINT, 64, 1073741824, 0, NULL, 0, store_kafka_max_frame},
	{"max_connections", FIELD_UINT, 1, 1048576, 0, NULL, 0, store_kafka_max_conns},
	{"top_k", FIELD_UINT, 1, 4096, 0, NULL, 0, store_kafka_top_k},
	{"rate_window_ms", FIELD_UINT, 100, 3600000, 0, NULL, 0, store_kafka_rate_window_ms},
};

static const struct field log_fields[] = {
	{"requests", FIELD_BOOL, 0, 1, 0, NULL, 0, store_log_requests},
	{"records", FIELD_BOOL, 0, 1, 0, NULL, 0, store_log_records},
	{"path", FIELD_CUSTOM, 1, KW_CONFIG_PATH_MAX - 1, 0, NULL, 0, NULL, parse_log_path},
	{"sample", FIELD_UINT, 1, 1000000, 0, NULL, 0, store_log_sample},
	{"ring_size", FIELD_UINT, 64, 1048576, FIELD_POW2, NULL, 0, store_log_ring_size},
};

static int walk_fields(struct loader *ld, const struct section *sec, const struct node *n,
		       struct kw_config *cfg);
static int walk_bridges(struct loader *ld, const struct section *sec, const struct node *n,
			struct kw_config *cfg);

static const struct section sections[] = {
	{"ports", ports_fields, N_ELEM(ports_fields), walk_fields},
	{"bridges", NULL, 0, walk_bridges},
	{"dataplane", dataplane_fields, N_ELEM(dataplane_fields), walk_fields},
	{"flows", flows_fields, N_ELEM(flows_fields), walk_fields},
	{"stats", stats_fields, N_ELEM(stats_fields), walk_fields},
	{"tcp", tcp_fields, N_ELEM(tcp_fields), walk_fields},
	{"fragments", fragments_fields, N_ELEM(fragments_fields), walk_fields},
	{"kafka", kafka_fields, N_ELEM(kafka_fields), walk_fields},
	{"log", log_fields, N_ELEM(log_fields), walk_fields},
};

void kw_config_defaults(struct kw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mbufs_per_port = 8191;
	cfg->rx_desc = 1024;
	cfg->tx_desc = 1024;
	cfg->promiscuous = true;
	cfg->n_bridges = 0;
	cfg->dispatch = KW_DISPATCH_AUTO;
	cfg->inspect = KW_INSPECT_KAFKA;
	cfg->tx_drain_us = 100;
	cfg->dispatch_ring_size = 1024;
	cfg->flow_capacity = 65536;
	cfg->flow_idle_timeout_ms = 60000;
	cfg->flow_on_full = KW_FLOW_FULL_FORWARD;
	cfg->stats_interval_ms = 1000;
	cfg->tcp_midstream = true;
	cfg->tcp_checksum = KW_CSUM_CFG_AUTO;
	cfg->tcp_ooo_segs_per_dir = 64;
	cfg->tcp_ooo_bytes_per_dir = 1048576;
	cfg->tcp_ooo_segs_total = 2048;
	cfg->frag_max_packets = 4096;
	cfg->frag_timeout_ms = 2000;
	/* The ports Kafka brokers commonly listen on (PLAINTEXT, SSL/SASL, controller variants). */
	cfg->n_kafka_ports = 1;
	cfg->kafka_ports[0].lo = 9092;
	cfg->kafka_ports[0].hi = 9094;
	cfg->kafka_detect = false;
	cfg->kafka_max_frame = 104857600;
	cfg->kafka_max_conns = 4096;
	cfg->kafka_top_k = 64;
	cfg->kafka_rate_window_ms = 1000;
	cfg->log_requests = false;
	cfg->log_records = false;
	strcpy(cfg->log_path, "-");
	cfg->log_sample = 1;
	cfg->log_ring_size = 4096;
}

static const char *enum_name(const char *const *names, unsigned int n, unsigned int v)
{
	return v < n ? names[v] : "invalid";
}

const char *kw_config_dispatch_name(enum kw_dispatch_mode mode)
{
	return enum_name(dispatch_names, N_ELEM(dispatch_names), mode);
}

const char *kw_config_inspect_name(enum kw_inspect_mode mode)
{
	return enum_name(inspect_names, N_ELEM(inspect_names), mode);
}

const char *kw_config_flow_full_name(enum kw_flow_full_policy policy)
{
	return enum_name(flow_full_names, N_ELEM(flow_full_names), policy);
}

const char *kw_config_csum_name(enum kw_tcp_csum_cfg mode)
{
	return enum_name(csum_names, N_ELEM(csum_names), mode);
}

/* Messages. */

static void err_vset(char *err, size_t err_len, const char *fmt, va_list ap)
{
	if (err == NULL || err_len == 0)
		return;
	vsnprintf(err, err_len, fmt, ap);
}

static void err_set(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, err_len, fmt, ap);
	va_end(ap);
}

/* Write "NAME:LINE:COL: reason" for a 0-based mark; returns -EINVAL for the caller to pass on. */
static int fail_at(struct loader *ld, size_t line, size_t col, const char *fmt, ...)
{
	char reason[KW_CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	err_set(ld->err, ld->err_len, "%s:%zu:%zu: %s", ld->name, line + 1, col + 1, reason);
	return -EINVAL;
}

#define fail(ld, node, ...) fail_at((ld), (node)->mark.line, (node)->mark.column, __VA_ARGS__)

static const char *kind_name(enum node_kind kind)
{
	switch (kind) {
	case NODE_SEQUENCE:
		return "a sequence";
	case NODE_MAPPING:
		return "a mapping";
	default:
		return "a scalar";
	}
}

/* "'value'" (shortened, control characters shown as '?') or "a mapping" / "a sequence". */
static const char *describe(const struct node *n, char *buf, size_t size)
{
	size_t i, o = 0;

	if (n->kind != NODE_SCALAR)
		return kind_name(n->kind);
	buf[o++] = '\'';
	for (i = 0; i < n->len && i < QUOTE_MAX && o + 5 < size; i++) {
		unsigned char c = (unsigned char)n->text[i];

		buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (i < n->len && o + 5 < size) {
		memcpy(&buf[o], "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* Tree. */

static void node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n_child; i++)
		node_free(n->child[i]);
	free(n->child);
	free(n->text);
	free(n);
}

static struct node *node_new(enum node_kind kind, const yaml_mark_t *mark)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->mark = *mark;
	return n;
}

static int node_append(struct node *parent, struct node *child)
{
	if (parent->n_child == parent->cap_child) {
		size_t cap = parent->cap_child ? parent->cap_child * 2 : 8;
		struct node **c = realloc(parent->child, cap * sizeof(*c));

		if (c == NULL)
			return -ENOMEM;
		parent->child = c;
		parent->cap_child = cap;
	}
	parent->child[parent->n_child++] = child;
	return 0;
}

static bool scalar_is(const struct node *n, const char *s)
{
	size_t l = strlen(s);

	return n->kind == NODE_SCALAR && n->len == l && memcmp(n->text, s, l) == 0;
}

/* An empty value ("ports:" with every key commented out) counts as an empty section. */
static bool node_is_null(const struct node *n)
{
	return n->kind == NODE_SCALAR && n->plain &&
	       (n->len == 0 || scalar_is(n, "~") || scalar_is(n, "null"));
}

/* libyaml reader errors (bad encoding) carry a byte offset, not a mark. */
static int fail_reader(struct loader *ld)
{
	size_t off = ld->parser.problem_offset, line = 0, col = 0, i;

	for (i = 0; i < off && i < ld->len; i++) {
		if (ld->buf[i] == '\n') {
			line++;
			col = 0;
		} else if ((ld->buf[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	if (ld->parser.problem_value >= 0)
		return fail_at(ld, line, col, "%s (byte 0x%02x)", ld->parser.problem,
			       ld->parser.problem_value);
	return fail_at(ld, line, col, "%s", ld->parser.problem);
}

/* Next parser event, or -EINVAL with the parser's own problem text and mark. */
static int next_event(struct loader *ld, yaml_event_t *ev)
{
	yaml_parser_t *p = &ld->parser;

	if (yaml_parser_parse(p, ev))
		return 0;
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		err_set(ld->err, ld->err_len, "%s: out of memory", ld->name);
		return -ENOMEM;
	case YAML_READER_ERROR:
		return fail_reader(ld);
	default:
		if (p->context != NULL)
			return fail_at(ld, p->problem_mark.line, p->problem_mark.column,
				       "%s (%s at line %zu, column %zu)",
				       p->problem ? p->problem : "syntax error", p->context,
				       p->context_mark.line + 1, p->context_mark.column + 1);
		return fail_at(ld, p->problem_mark.line, p->problem_mark.column, "%s",
			       p->problem ? p->problem : "syntax error");
	}
}

static int parse_node(struct loader *ld, yaml_event_t *ev, struct node **out);

/* Children of a sequence or mapping until its end event. */
static int parse_children(struct loader *ld, struct node *parent, yaml_event_type_t end)
{
	yaml_event_t ev;
	struct node *child;
	int rc;

	for (;;) {
		rc = next_event(ld, &ev);
		if (rc < 0)
			return rc;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		rc = parse_node(ld, &ev, &child);
		if (rc < 0)
			return rc;
		rc = node_append(parent, child);
		if (rc < 0) {
			node_free(child);
			err_set(ld->err, ld->err_len, "%s: out of memory", ld->name);
			return rc;
		}
	}
}

/* Build the node that starts with ev (which this consumes) and everything under it. */
static int parse_node(struct loader *ld, yaml_event_t *ev, struct node **out)
{
	struct node *n = NULL;
	yaml_char_t *tag = NULL;
	int rc = -ENOMEM;

	*out = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		tag = ev->data.mapping_start.tag;
		break;
	case YAML_ALIAS_EVENT:
		rc = fail_at(ld, ev->start_mark.line, ev->start_mark.column,
			     "aliases are not supported");
		goto out_event;
	default:
		/* libyaml only hands out node events here; anything else is a bug of ours. */
		rc = fail_at(ld, ev->start_mark.line, ev->start_mark.column, "unexpected event");
		goto out_event;
	}
	/* A tag could turn "1024" into a string or worse; the schema already says each type. */
	if (tag != NULL) {
		rc = fail_at(ld, ev->start_mark.line, ev->start_mark.column,
			     "tags are not supported ('%s')", (const char *)tag);
		goto out_event;
	}
	if (ld->depth >= DEPTH_MAX) {
		rc = fail_at(ld, ev->start_mark.line, ev->start_mark.column,
			     "nested deeper than %u levels", DEPTH_MAX);
		goto out_event;
	}

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(NODE_SCALAR, &ev->start_mark);
		if (n == NULL)
			goto out_nomem;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->len = ev->data.scalar.length;
		n->text = malloc(n->len + 1);
		if (n->text == NULL)
			goto out_nomem;
		memcpy(n->text, ev->data.scalar.value, n->len);
		n->text[n->len] = '\0';
		yaml_event_delete(ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? NODE_SEQUENCE : NODE_MAPPING,
			     &ev->start_mark);
		if (n == NULL)
			goto out_nomem;
		yaml_event_delete(ev);
		ld->depth++;
		rc = parse_children(ld, n,
				    n->kind == NODE_SEQUENCE ? YAML_SEQUENCE_END_EVENT
							     : YAML_MAPPING_END_EVENT);
		ld->depth--;
		if (rc < 0) {
			node_free(n);
			return rc;
		}
		break;
	default:
		break;
	}
	*out = n;
	return 0;

out_nomem:
	node_free(n);
	err_set(ld->err, ld->err_len, "%s: out of memory", ld->name);
	rc = -ENOMEM;
out_event:
	yaml_event_delete(ev);
	return rc;
}

/* The whole stream: nothing at all (root NULL) or exactly one document. */
static int parse_stream(struct loader *ld, struct node **root)
{
	yaml_event_t ev;
	int rc;

	*root = NULL;
	rc = next_event(ld, &ev);
	if (rc < 0)
		return rc;
	yaml_event_delete(&ev); /* STREAM-START */

	rc = next_event(ld, &ev);
	if (rc < 0)
		return rc;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return 0;
	}
	yaml_event_delete(&ev); /* DOCUMENT-START */

	rc = next_event(ld, &ev);
	if (rc < 0)
		return rc;
	rc = parse_node(ld, &ev, root);
	if (rc < 0)
		return rc;

	rc = next_event(ld, &ev);
	if (rc < 0)
		goto fail;
	yaml_event_delete(&ev); /* DOCUMENT-END */

	rc = next_event(ld, &ev);
	if (rc < 0)
		goto fail;
	if (ev.type != YAML_STREAM_END_EVENT) {
		rc = fail_at(ld, ev.start_mark.line, ev.start_mark.column,
			     "only one YAML document is allowed");
		yaml_event_delete(&ev);
		goto fail;
	}
	yaml_event_delete(&ev);
	return 0;

fail:
	node_free(*root);
	*root = NULL;
	return rc;
}

/* Schema walk. */

/* len characters of canonical decimal: no sign, no leading zero, no junk, fits 32 bits. */
static bool parse_dec(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* An integer scalar: decimal only, and no quotes (a quoted "10" is a string). */
static bool parse_u32(const struct node *n, uint32_t *out)
{
	if (n->kind != NODE_SCALAR || !n->plain)
		return false;
	return parse_dec(n->text, n->len, out);
}

static int field_uint(struct loader *ld, const struct field *f, const struct node *v, uint32_t *out)
{
	char quoted[QUOTE_MAX + 8];
	uint32_t x;

	if (parse_u32(v, &x)) {
		if ((f->flags & FIELD_ZERO_OFF) && x == 0)
			goto ok;
		if (x >= f->min && x <= f->max && (!(f->flags & FIELD_POW2) || (x & (x - 1)) == 0))
			goto ok;
	}
	if (f->flags & FIELD_POW2)
		return fail(ld, v, "'%s' must be a power of two in %u..%u, got %s", f->key, f->min,
			    f->max, describe(v, quoted, sizeof(quoted)));
	if (f->flags & FIELD_ZERO_OFF)
		return fail(ld, v, "'%s' must be 0 (off) or an integer in %u..%u, got %s", f->key,
			    f->min, f->max, describe(v, quoted, sizeof(quoted)));
	return fail(ld, v, "'%s' must be an integer in %u..%u, got %s", f->key, f->min, f->max,
		    describe(v, quoted, sizeof(quoted)));
ok:
	*out = x;
	return 0;
}

static int field_bool(struct loader *ld, const struct field *f, const struct node *v, uint32_t *out)
{
	char quoted[QUOTE_MAX + 8];

	/* Not YAML 1.1's yes/no/on/off: one spelling each, so a typo cannot flip a switch. */
	if (v->kind == NODE_SCALAR && v->plain && scalar_is(v, "true")) {
		*out = 1;
		return 0;
	}
	if (v->kind == NODE_SCALAR && v->plain && scalar_is(v, "false")) {
		*out = 0;
		return 0;
	}
	return fail(ld, v, "'%s' must be true or false, got %s", f->key,
		    describe(v, quoted, sizeof(quoted)));
}

static int field_enum(struct loader *ld, const struct field *f, const struct node *v, uint32_t *out)
{
	char quoted[QUOTE_MAX + 8], list[128];
	unsigned int i;
	size_t o = 0;

	for (i = 0; i < f->n_names; i++) {
		if (scalar_is(v, f->names[i])) {
			*out = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; i < f->n_names && o < sizeof(list); i++)
		o += (size_t)snprintf(&list[o], sizeof(list) - o, "%s%s", i ? ", " : "",
				      f->names[i]);
	return fail(ld, v, "'%s' must be one of %s, got %s", f->key, list,
		    describe(v, quoted, sizeof(quoted)));
}

/* "a, b, c" of the keys a mapping accepts, for unknown-key messages. */
static void expected_keys(const struct section *sec, char *buf, size_t size)
{
	size_t o = 0;
	unsigned int i;

	buf[0] = '\0';
	if (sec == NULL) {
		for (i = 0; i < N_ELEM(sections) && o < size; i++)
			o += (size_t)snprintf(&buf[o], size - o, "%s%s", i ? ", " : "",
					      sections[i].key);
		return;
	}
	for (i = 0; i < sec->n_fields && o < size; i++)
		o += (size_t)snprintf(&buf[o], size - o, "%s%s", i ? ", " : "", sec->fields[i].key);
}

/*
 * Checks every mapping has in common: keys are scalars and unique. what names the mapping in
 * messages ("top level" or the section key).
 */
static int check_mapping(struct loader *ld, const struct node *n, const char *what)
{
	char quoted[QUOTE_MAX + 8];
	size_t i, j;

	for (i = 0; i < n->n_child; i += 2) {
		const struct node *k = n->child[i];

		if (k->kind != NODE_SCALAR)
			return fail(ld, k, "keys in %s must be scalars, got %s", what,
				    kind_name(k->kind));
		for (j = 0; j < i; j += 2) {
			const struct node *prev = n->child[j];

			if (prev->len == k->len && memcmp(prev->text, k->text, k->len) == 0)
				return fail(ld, k, "duplicate key %s in %s (first at %zu:%zu)",
					    describe(k, quoted, sizeof(quoted)), what,
					    prev->mark.line + 1, prev->mark.column + 1);
		}
	}
	return 0;
}

static int walk_fields(struct loader *ld, const struct section *sec, const struct node *n,
		       struct kw_config *cfg)
{
	char quoted[QUOTE_MAX + 8], what[64], expected[256];
	unsigned int f;
	uint32_t v = 0;
	size_t i;
	int rc;

	if (node_is_null(n))
		return 0;
	if (n->kind != NODE_MAPPING)
		return fail(ld, n, "'%s' must be a mapping, got %s", sec->key, kind_name(n->kind));
	snprintf(what, sizeof(what), "'%s'", sec->key);
	rc = check_mapping(ld, n, what);
	if (rc < 0)
		return rc;

	for (i = 0; i < n->n_child; i += 2) {
		const struct node *k = n->child[i], *val = n->child[i + 1];
		const struct field *fd = NULL;

		for (f = 0; f < sec->n_fields; f++) {
			if (scalar_is(k, sec->fields[f].key)) {
				fd = &sec->fields[f];
				break;
			}
		}
		if (fd == NULL) {
			expected_keys(sec, expected, sizeof(expected));
			return fail(ld, k, "unknown key %s in '%s' (expected: %s)",
				    describe(k, quoted, sizeof(quoted)), sec->key, expected);
		}
		switch (fd->kind) {
		case FIELD_UINT:
			rc = field_uint(ld, fd, val, &v);
			break;
		case FIELD_BOOL:
			rc = field_bool(ld, fd, val, &v);
			break;
		case FIELD_ENUM:
			rc = field_enum(ld, fd, val, &v);
			break;
		default:
			rc = fd->parse(ld, fd, val, cfg);
			break;
		}
		if (rc < 0)
			return rc;
		if (fd->kind != FIELD_CUSTOM)
			fd->store(cfg, v);
	}
	return 0;
}

/* One kafka.ports entry: "N" or "N-M" with canonical decimal ports in f->min..f->max, N <= M. */
static int port_range(struct loader *ld, const struct field *f, const struct node *v,
		      struct kw_config_port_range *r)
{
	char quoted[QUOTE_MAX + 8];
	const char *dash = NULL;
	uint32_t lo = 0, hi = 0;
	bool ok = false;

	/* Quotes do not matter here: a range is text anyway, and "9092" can only mean the port. */
	if (v->kind == NODE_SCALAR) {
		dash = memchr(v->text, '-', v->len);
		if (dash == NULL) {
			ok = parse_dec(v->text, v->len, &lo);
			hi = lo;
		} else {
			ok = parse_dec(v->text, (size_t)(dash - v->text), &lo) &&
			     parse_dec(dash + 1, v->len - (size_t)(dash + 1 - v->text), &hi);
		}
	}
	if (!ok || lo < f->min || lo > f->max || hi < f->min || hi > f->max)
		return fail(ld, v, "'%s' entries must be a port in %u..%u or a range \"A-B\", got %s",
			    f->key, f->min, f->max, describe(v, quoted, sizeof(quoted)));
	if (lo > hi)
		return fail(ld, v, "port range %s is reversed: write the lower port first",
			    describe(v, quoted, sizeof(quoted)));
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

/* kafka.ports: a sequence of port ranges; empty means only detection finds Kafka. */
static int parse_kafka_ports(struct loader *ld, const struct field *f, const struct node *v,
			     struct kw_config *cfg)
{
	char quoted[QUOTE_MAX + 8];
	size_t i;
	int rc;

	if (v->kind != NODE_SEQUENCE)
		return fail(ld, v, "'%s' must be a sequence of ports and \"A-B\" ranges, got %s",
			    f->key, describe(v, quoted, sizeof(quoted)));
	/* Overlapping ranges are harmless to the lookup, so they are not worth an error. */
	for (i = 0; i < v->n_child; i++) {
		if (i == KW_CONFIG_MAX_PORT_RANGES)
			return fail(ld, v->child[i], "at most %d entries are allowed in '%s'",
				    KW_CONFIG_MAX_PORT_RANGES, f->key);
		rc = port_range(ld, f, v->child[i], &cfg->kafka_ports[i]);
		if (rc < 0)
			return rc;
	}
	cfg->n_kafka_ports = (unsigned int)i;
	return 0;
}

/* log.path: any file name of f->min..f->max characters without control characters. */
static int parse_log_path(struct loader *ld, const struct field *f, const struct node *v,
			  struct kw_config *cfg)
{
	char quoted[QUOTE_MAX + 8];
	size_t i;

	if (v->kind != NODE_SCALAR || node_is_null(v) || v->len < f->min)
		return fail(ld, v, "'%s' must be a file name or \"-\" for stdout, got %s", f->key,
			    describe(v, quoted, sizeof(quoted)));
	if (v->len > f->max)
		return fail(ld, v, "'%s' %s is longer than %u characters", f->key,
			    describe(v, quoted, sizeof(quoted)), f->max);
	for (i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->text[i];

		/* A NUL would silently cut the name; other controls are always typos. */
		if (c < 0x20 || c == 0x7f)
			return fail(ld, v, "'%s' %s contains a control character", f->key,
				    describe(v, quoted, sizeof(quoted)));
	}
	memcpy(cfg->log_path, v->text, v->len);
	cfg->log_path[v->len] = '\0';
	return 0;
}

/* One side of a bridge: a non-empty name that fits, a port id in canonical decimal. */
static int bridge_port(struct loader *ld, const struct node *p, char *dst)
{
	char quoted[QUOTE_MAX + 8];
	size_t i;
	bool digits = true;

	if (p->kind != NODE_SCALAR)
		return fail(ld, p, "a bridge port must be a device name or port id, got %s",
			    kind_name(p->kind));
	if (p->len == 0)
		return fail(ld, p, "a bridge port name must not be empty");
	if (p->len >= KW_CONFIG_PORT_NAME_MAX)
		return fail(ld, p, "bridge port name %s is longer than %d characters",
			    describe(p, quoted, sizeof(quoted)), KW_CONFIG_PORT_NAME_MAX - 1);
	for (i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->text[i];

		if (c <= 0x20 || c == 0x7f)
			return fail(ld, p,
				    "bridge port name %s contains a space or control "
				    "character",
				    describe(p, quoted, sizeof(quoted)));
		if (c < '0' || c > '9')
			digits = false;
	}
	/* "07" and "7" would be one port under two names and dodge the duplicate check. */
	if (digits && ((p->len > 1 && p->text[0] == '0') || p->len > 5 || atoi(p->text) > 65535))
		return fail(ld, p,
			    "bridge port id %s must be a decimal number in 0..65535 "
			    "without leading zeros",
			    describe(p, quoted, sizeof(quoted)));
	memcpy(dst, p->text, p->len);
	dst[p->len] = '\0';
	return 0;
}

static int walk_bridges(struct loader *ld, const struct section *sec, const struct node *n,
			struct kw_config *cfg)
{
	/* Where each port was named, for the duplicate message. */
	const struct node *seen[2 * KW_CONFIG_MAX_BRIDGES];
	char quoted[QUOTE_MAX + 8];
	unsigned int nb = 0, s;
	size_t i;
	int rc;

	(void)sec;
	if (node_is_null(n))
		goto done;
	if (n->kind != NODE_SEQUENCE)
		return fail(ld, n, "'bridges' must be a sequence of [port, port] pairs, got %s",
			    kind_name(n->kind));

	for (i = 0; i < n->n_child; i++) {
		const struct node *item = n->child[i];
		struct kw_config_bridge *br;

		if (nb == KW_CONFIG_MAX_BRIDGES)
			return fail(ld, item, "at most %d bridges are allowed",
				    KW_CONFIG_MAX_BRIDGES);
		if (item->kind != NODE_SEQUENCE)
			return fail(ld, item,
				    "a bridge must be a 2-element sequence [port, port], got %s",
				    kind_name(item->kind));
		if (item->n_child != 2)
			return fail(ld, item, "a bridge must have exactly 2 ports, got %zu",
				    item->n_child);
		br = &cfg->bridges[nb];
		rc = bridge_port(ld, item->child[0], br->a);
		if (rc < 0)
			return rc;
		rc = bridge_port(ld, item->child[1], br->b);
		if (rc < 0)
			return rc;
		if (strcmp(br->a, br->b) == 0)
			return fail(ld, item->child[1], "bridge connects port %s to itself",
				    describe(item->child[1], quoted, sizeof(quoted)));
		for (s = 0; s < 2 * nb; s++) {
			const struct node *p = item->child[0];

			if (strcmp(seen[s]->text, br->a) != 0) {
				p = item->child[1];
				if (strcmp(seen[s]->text, br->b) != 0)
					continue;
			}
			return fail(ld, p, "port %s is already in a bridge (at %zu:%zu)",
				    describe(p, quoted, sizeof(quoted)), seen[s]->mark.line + 1,
				    seen[s]->mark.column + 1);
		}
		seen[2 * nb] = item->child[0];
		seen[2 * nb + 1] = item->child[1];
		nb++;
	}
done:
	cfg->n_bridges = nb;
	return 0;
}

/* The value of key in mapping n, or NULL when n is not a mapping (or NULL) or lacks the key. */
static const struct node *map_get(const struct node *n, const char *key)
{
	size_t i;

	if (n == NULL || n->kind != NODE_MAPPING)
		return NULL;
	for (i = 0; i < n->n_child; i += 2)
		if (scalar_is(n->child[i], key))
			return n->child[i + 1];
	return NULL;
}

/*
 * Rules that span sections, checked once every section is in. Held out-of-order segments pin
 * RX mbufs: the port must keep at least half of its pool to receive the segments that close
 * the gaps. The error points at whichever of the two keys the file sets, the TCP one first.
 */
static int check_cross(struct loader *ld, const struct node *root, const struct kw_config *cfg)
{
	const struct node *at;
	size_t line = 0, col = 0;

	if (cfg->tcp_ooo_segs_total < cfg->mbufs_per_port / 2)
		return 0;
	at = map_get(map_get(root, "tcp"), "ooo_segments_per_worker");
	if (at == NULL)
		at = map_get(map_get(root, "ports"), "mbufs_per_port");
	if (at != NULL) {
		line = at->mark.line;
		col = at->mark.column;
	}
	return fail_at(ld, line, col,
		       "'tcp.ooo_segments_per_worker' (%u) must be less than half of "
		       "'ports.mbufs_per_port' (%u / 2 = %u)",
		       cfg->tcp_ooo_segs_total, cfg->mbufs_per_port, cfg->mbufs_per_port / 2);
}

static int walk_root(struct loader *ld, const struct node *root, struct kw_config *cfg)
{
	char quoted[QUOTE_MAX + 8], expected[256];
	unsigned int s;
	size_t i;
	int rc;

	if (root == NULL || node_is_null(root))
		return 0;
	if (root->kind != NODE_MAPPING)
		return fail(ld, root, "the document must be a mapping, got %s",
			    kind_name(root->kind));
	rc = check_mapping(ld, root, "the top level");
	if (rc < 0)
		return rc;

	for (i = 0; i < root->n_child; i += 2) {
		const struct node *k = root->child[i];
		const struct section *sec = NULL;

		for (s = 0; s < N_ELEM(sections); s++) {
			if (scalar_is(k, sections[s].key)) {
				sec = &sections[s];
				break;
			}
		}
		if (sec == NULL) {
			expected_keys(NULL, expected, sizeof(expected));
			return fail(ld, k, "unknown key %s at the top level (expected: %s)",
				    describe(k, quoted, sizeof(quoted)), expected);
		}
		rc = sec->walk(ld, sec, root->child[i + 1], cfg);
		if (rc < 0)
			return rc;
	}
	return check_cross(ld, root, cfg);
}

/* Parse buf into a fresh config and copy it to cfg only if all of it is valid. */
static int load_buffer(struct kw_config *cfg, const unsigned char *buf, size_t len,
		       const char *name, char *err, size_t err_len)
{
	struct loader ld = {
		.name = name,
		.buf = buf,
		.len = len,
		.err = err,
		.err_len = err_len,
	};
	struct kw_config tmp;
	struct node *root = NULL;
	int rc;

	if (!yaml_parser_initialize(&ld.parser)) {
		err_set(err, err_len, "%s: out of memory", name);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&ld.parser, buf, len);
	/* Keep the encoding fixed: a BOM or NULs must not switch libyaml to UTF-16 silently. */
	yaml_parser_set_encoding(&ld.parser, YAML_UTF8_ENCODING);

	rc = parse_stream(&ld, &root);
	yaml_parser_delete(&ld.parser);
	if (rc < 0)
		return rc;

	kw_config_defaults(&tmp);
	rc = walk_root(&ld, root, &tmp);
	node_free(root);
	if (rc < 0)
		return rc;
	*cfg = tmp;
	if (err != NULL && err_len > 0)
		err[0] = '\0';
	return 0;
}

int kw_config_load_string(struct kw_config *cfg, const char *yaml, const char *name, char *err,
			  size_t err_len)
{
	if (name == NULL)
		name = "<string>";
	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (cfg == NULL || yaml == NULL) {
		err_set(err, err_len, "%s: no configuration given", name);
		return -EINVAL;
	}
	return load_buffer(cfg, (const unsigned char *)yaml, strlen(yaml), name, err, err_len);
}

int kw_config_load(struct kw_config *cfg, const char *path, char *err, size_t err_len)
{
	unsigned char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int rc;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (cfg == NULL || path == NULL) {
		err_set(err, err_len, "%s: no configuration given", path ? path : "<null>");
		return -EINVAL;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		rc = errno == ENOENT ? -ENOENT : -EIO;
		err_set(err, err_len, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	for (;;) {
		if (len == cap) {
			if (cap > FILE_MAX) {
				err_set(err, err_len, "%s: larger than %u bytes", path, FILE_MAX);
				rc = -EINVAL;
				goto out;
			}
			cap = cap ? cap * 2 : 4096;
			nbuf = realloc(buf, cap + 1);
			if (nbuf == NULL) {
				err_set(err, err_len, "%s: out of memory", path);
				rc = -ENOMEM;
				goto out;
			}
			buf = nbuf;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		err_set(err, err_len, "%s: read error: %s", path, strerror(errno));
		rc = -EIO;
		goto out;
	}
	if (len > FILE_MAX) {
		err_set(err, err_len, "%s: larger than %u bytes", path, FILE_MAX);
		rc = -EINVAL;
		goto out;
	}
	rc = load_buffer(cfg, buf ? buf : (const unsigned char *)"", len, path, err, err_len);
out:
	free(buf);
	fclose(f);
	return rc;
}
