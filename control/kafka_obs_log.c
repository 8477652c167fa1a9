/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request log: one JSON object per request/response pair, keys in a fixed order, written
 * with a single fwrite so that a line is never interleaved. With log.records, also one object
 * ("type":"record") per record of an uncompressed batch. Strings are Kafka bytes, not
 * necessarily UTF-8: valid UTF-8 passes through, every other byte and every control character
 * becomes \u00XX (or its short escape), so a line is always valid JSON.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "control/kafka_obs_priv.h"

/* Worst case is ~10 KiB: 16 topics and 6 strings of 63 bytes escaped 6 for 1. */
#define LOG_LINE_MAX 16384

struct jbuf {
	char *p;
	size_t len;
	size_t cap;
	bool over;
};

static void
jraw(struct jbuf *b, const char *s, size_t n)
{
	if (b->len + n >= b->cap) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
jlit(struct jbuf *b, const char *s)
{
	jraw(b, s, strlen(s));
}

static void jfmt(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
jfmt(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->over = true;
	else
		b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates, > U+10FFFF). */
static size_t
utf8_len(const uint8_t *s, size_t n)
{
	size_t need, i;
	uint8_t lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (need >= n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need + 1;
}

static void
jstr(struct jbuf *b, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, u;
	char esc[8];

	jraw(b, "\"", 1);
	while (i < n) {
		uint8_t c = s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jraw(b, esc, 2);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n':
				jlit(b, "\\n");
				break;
			case '\r':
				jlit(b, "\\r");
				break;
			case '\t':
				jlit(b, "\\t");
				break;
			case '\b':
				jlit(b, "\\b");
				break;
			case '\f':
				jlit(b, "\\f");
				break;
			default:
				jfmt(b, "\\u%04x", c);
				break;
			}
			i++;
			continue;
		}
		u = utf8_len(s + i, n - i);
		if (u == 0) {
			jfmt(b, "\\u%04x", c);
			i++;
			continue;
		}
		jraw(b, str + i, u);
		i += u;
	}
	jraw(b, "\"", 1);
}

/* A Kafka string, or null when null or empty. */
static void
jkstr(struct jbuf *b, const struct kw_kafka_str *s)
{
	if (kw_kafka_str_none(s))
		jlit(b, "null");
	else
		jstr(b, s->s, s->len);
}

static void
jaddr(struct jbuf *b, uint8_t family, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, s, sizeof(s)) == NULL)
		jlit(b, "null");
	else
		jstr(b, s, strlen(s));
}

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{KW_KAFKA_EV_NO_RESPONSE, "no_response"},
	{KW_KAFKA_EV_UNANSWERED, "unanswered"},
	{KW_KAFKA_EV_REQ_BAD, "req_bad"},
	{KW_KAFKA_EV_RESP_BAD, "resp_bad"},
	{KW_KAFKA_EV_OPAQUE, "opaque"},
	{KW_KAFKA_EV_TOPICS_TRUNC, "topics_trunc"},
	{KW_KAFKA_EV_ERRORS_TRUNC, "errors_trunc"},
	{KW_KAFKA_EV_THROTTLED, "throttled"},
	{KW_KAFKA_EV_TOPIC_IDS_ALIGNED, "topic_ids_aligned"},
	{KW_KAFKA_EV_OFFSETS_TRUNC, "offsets_trunc"},
	{KW_KAFKA_EV_RFIELDS_TRUNC, "records_fields_trunc"},
	{KW_KAFKA_EV_CLOCK_BACK, "clock_back"},
	{KW_KAFKA_EV_BROKERS_TRUNC, "broker_ids_trunc"},
	{KW_KAFKA_EV_PARTS_TRUNC, "topic_partitions_trunc"},
	{KW_KAFKA_EV_CONN_FIRST, "conn_first"},
	{KW_KAFKA_EV_PRINCIPAL_FIRST, "principal_first"},
	{KW_KAFKA_EV_SOFTWARE_FIRST, "software_first"},
	{KW_KAFKA_EV_GROUPS_MANY, "group_ids_many"},
	{KW_KAFKA_EV_TXN_COMMIT, "txn_commit"},
	{KW_KAFKA_EV_GROUPS_TRUNC, "groups_trunc"},
	{KW_KAFKA_EV_TOP_ERROR, "top_error"},
};

/* The request log's name of a partition offset's kind (enum kw_kafka_off_kind). */
static const char *
offset_kind(uint8_t kind)
{
	switch (kind) {
	case KW_KAFKA_OFF_HWM:
		return "high_watermark";
	case KW_KAFKA_OFF_COMMITTED:
		return "committed";
	case KW_KAFKA_OFF_FETCH:
		return "fetch";
	case KW_KAFKA_OFF_COMMITTED_READ:
		return "committed_read";
	case KW_KAFKA_OFF_FETCHED:
		return "fetched";
	case KW_KAFKA_OFF_TXN_COMMITTED:
		return "txn_committed";
	case KW_KAFKA_OFF_PRODUCED:
		return "produced";
	case KW_KAFKA_OFF_LOG_END:
		return "log_end";
	case KW_KAFKA_OFF_LIST_LATEST:
		return "list_latest";
	case KW_KAFKA_OFF_LIST_STABLE:
		return "list_stable";
	case KW_KAFKA_OFF_LAST_STABLE:
		return "last_stable";
	case KW_KAFKA_OFF_COMMIT_DELETE:
		return "commit_delete";
	case KW_KAFKA_OFF_COMMIT_FAILED:
		return "commit_failed";
	case KW_KAFKA_OFF_READ_FAILED:
		return "read_failed";
	case KW_KAFKA_OFF_DELETE_FAILED:
		return "delete_failed";
	case KW_KAFKA_OFF_FETCH_FAILED:
		return "fetch_failed";
	default:
		return "unknown";
	}
}

static void
jflags(struct jbuf *b, uint32_t flags)
{
	unsigned int i;
	uint32_t known = 0;
	bool first = true;

	jraw(b, "[", 1);
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		known |= flag_names[i].bit;
		if (!(flags & flag_names[i].bit))
			continue;
		jfmt(b, "%s\"%s\"", first ? "" : ",", flag_names[i].name);
		first = false;
	}
	/* a flag newer than this table still shows up */
	for (i = 0; i < 32; i++)
		if (flags & ~known & (1u << i)) {
			jfmt(b, "%s\"0x%x\"", first ? "" : ",", 1u << i);
			first = false;
		}
	jraw(b, "]", 1);
}

/* "worker", the request header's api, version and correlation id, and its client id. */
static void
format_api(struct jbuf *b, uint16_t worker, int16_t api_key, const char *api_name,
	   int16_t api_version, int32_t corr_id, const struct kw_kafka_str *client_id)
{
	jfmt(b, ",\"worker\":%u,\"api_key\":%d,\"api_name\":", worker, api_key);
	if (api_name == NULL)
		jlit(b, "null");
	else
		jstr(b, api_name, strlen(api_name));
	jfmt(b, ",\"api_version\":%d,\"correlation_id\":%" PRId32 ",\"client_id\":", api_version,
	     corr_id);
	/* the header's client id is nullable; an empty one is a real value */
	if (client_id->null)
		jlit(b, "null");
	else
		jstr(b, client_id->s, client_id->len);
}

/* "ts", then "type" when given (record lines; request lines have none), then "flow". */
static void
format_ts_flow(const struct kw_kafka_rec *r, const char *type, struct jbuf *b)
{
	time_t sec = (time_t)(r->ts_ns / 1000000000u);
	struct tm tm;
	char ts[32];

	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	jfmt(b, "{\"ts\":\"%s.%06uZ\"", ts, (unsigned int)(r->ts_ns % 1000000000u / 1000u));
	if (type != NULL)
		jfmt(b, ",\"type\":\"%s\"", type);
	jlit(b, ",\"flow\":{\"src\":");
	jaddr(b, r->family, r->client);
	jfmt(b, ",\"sport\":%u,\"dst\":", r->client_port);
	jaddr(b, r->family, r->broker);
	jfmt(b, ",\"dport\":%u}", r->broker_port);
}

static void
format_line(const struct kw_obs *o, const struct kw_kafka_rec *r, struct jbuf *b)
{
	const struct kw_kafka_event *ev = &r->ev;
	char scratch[KW_KAFKA_NAME_MAX];
	unsigned int i, n;
	uint64_t lat;
	int64_t pid;
	const char *name;

	format_ts_flow(r, NULL, b);
	format_api(b, r->worker, ev->api_key, ev->api_name, ev->api_version, ev->corr_id,
		   &ev->client_id);
	jlit(b, ",\"principal\":");
	jkstr(b, &r->principal);
	jlit(b, ",\"client_software\":");
	if (r->sw_name.len == 0 && r->sw_version.len == 0) {
		jlit(b, "null");
	} else {
		jlit(b, "{\"name\":");
		jkstr(b, &r->sw_name);
		jlit(b, ",\"version\":");
		jkstr(b, &r->sw_version);
		jlit(b, "}");
	}
	jlit(b, ",\"topics\":[");
	n = kw_obs_topic_n(ev);
	for (i = 0; i < n; i++) {
		if (i != 0)
			jlit(b, ",");
		name = kw_obs_topic_at(o, ev, i, scratch);
		jstr(b, name, strlen(name));
	}
	jfmt(b, "],\"topic_count\":%" PRIu32 ",\"partitions\":%" PRIu32 ",\"records\":%" PRIu64,
	     ev->topic_count > ev->topic_id_count ? ev->topic_count : ev->topic_id_count,
	     ev->partition_count, kw_obs_records_of(ev));
	jlit(b, ",\"records_fields\":[");
	n = ev->n_rfields < KW_KAFKA_EV_RFIELDS ? ev->n_rfields : KW_KAFKA_EV_RFIELDS;
	for (i = 0; i < n; i++) {
		const struct kw_kafka_ev_rfield *rf = &ev->rfields[i];

		jfmt(b, "%s{\"dir\":\"%s\",\"off\":%" PRIu64 ",\"len\":%" PRIu32 ",\"topic\":",
		     i ? "," : "", rf->dir ? "response" : "request", rf->off, rf->len);
		name = kw_obs_topic_ref(o, ev, rf->topic, scratch);
		if (name == NULL)
			jlit(b, "null");
		else
			jstr(b, name, strlen(name));
		if (rf->partition < 0)
			jlit(b, ",\"partition\":null}");
		else
			jfmt(b, ",\"partition\":%" PRId32 "}", rf->partition);
	}
	jlit(b, "]");
	jfmt(b, ",\"bytes\":{\"request\":%" PRIu32 ",\"response\":", ev->req_len);
	if (ev->resp_len == 0)
		jlit(b, "null}");
	else
		jfmt(b, "%" PRIu32 "}", ev->resp_len);
	jlit(b, ",\"error_codes\":[");
	n = ev->n_errors < KW_KAFKA_EV_ERRORS ? ev->n_errors : KW_KAFKA_EV_ERRORS;
	for (i = 0; i < n; i++)
		jfmt(b, "%s%d", i ? "," : "", ev->errors[i]);
	jlit(b, "],\"topic_partitions\":[");
	n = ev->n_parts < KW_KAFKA_EV_PARTS ? ev->n_parts : KW_KAFKA_EV_PARTS;
	for (i = 0; i < n; i++) {
		jlit(b, i ? ",{\"topic\":" : "{\"topic\":");
		name = kw_obs_topic_ref(o, ev, ev->parts[i].topic, scratch);
		if (name == NULL)
			jlit(b, "null");
		else
			jstr(b, name, strlen(name));
		jfmt(b, ",\"partition\":%" PRId32 "}", ev->parts[i].partition);
	}
	jlit(b, "],\"broker_ids\":[");
	n = ev->n_broker_ids < KW_KAFKA_EV_BROKERS ? ev->n_broker_ids : KW_KAFKA_EV_BROKERS;
	for (i = 0; i < n; i++)
		jfmt(b, "%s%" PRId32, i ? "," : "", ev->broker_ids[i]);
	jlit(b, "],\"partition_offsets\":[");
	n = ev->n_offsets < KW_KAFKA_EV_OFFSETS ? ev->n_offsets : KW_KAFKA_EV_OFFSETS;
	for (i = 0; i < n; i++) {
		const struct kw_kafka_ev_offset *e = &ev->offsets[i];
		const struct kw_kafka_str *g = kw_kafka_ev_offset_group(ev, e);

		jfmt(b, "%s{\"kind\":\"%s\",\"topic\":", i ? "," : "", offset_kind(e->kind));
		name = kw_obs_topic_ref(o, ev, e->topic, scratch);
		if (name == NULL)
			jlit(b, "null");
		else
			jstr(b, name, strlen(name));
		jlit(b, ",\"group\":");
		if (g != NULL)
			jkstr(b, g);
		else
			jlit(b, "null");
		jfmt(b, ",\"partition\":%" PRId32 ",\"offset\":%" PRId64 "}", e->partition,
		     e->offset);
	}
	jlit(b, "],\"latency_us\":");
	lat = kw_obs_latency_ns(o, r);
	if (lat == UINT64_MAX)
		jlit(b, "null");
	else
		jfmt(b, "%" PRIu64 ".%03u", lat / 1000, (unsigned int)(lat % 1000));
	jlit(b, ",\"throttle_time_ms\":");
	if (ev->throttle_ms < 0)
		jlit(b, "null");
	else
		jfmt(b, "%" PRId32, ev->throttle_ms);
	jlit(b, ",\"group_id\":");
	jkstr(b, &ev->group_id);
	jlit(b, ",\"groups\":[");
	n = kw_kafka_ev_list_n(ev->n_groups, KW_KAFKA_EV_GROUPS);
	for (i = 0; i < n; i++) {
		jlit(b, i ? ",{\"group_id\":" : "{\"group_id\":");
		jkstr(b, &ev->groups[i]);
		jlit(b, (ev->groups_failed & (1u << i)) ? ",\"error\":true}" : ",\"error\":false}");
	}
	jlit(b, "]");
	jlit(b, ",\"transactional_id\":");
	jkstr(b, &ev->txn_id);
	pid = ev->producer_id >= 0 ? ev->producer_id : ev->records.producer_id;
	if (pid < 0)
		jlit(b, ",\"producer_id\":null");
	else
		jfmt(b, ",\"producer_id\":%" PRId64, pid);
	jlit(b, ",\"flags\":");
	jflags(b, ev->flags);
	jlit(b, "}\n");
}

/* A stream offset and a length, -1 (null key or value) as such. */
static void
jspan(struct jbuf *b, const char *name, uint64_t off, int64_t len)
{
	jfmt(b, ",\"%s_off\":%" PRIu64 ",\"%s_len\":%" PRId64, name, off, name, len);
}

/* One record of a batch (log.records): where its key, value and headers are in the stream. */
static void
format_record_line(const struct kw_obs *o, const struct kw_kafka_rec *r, struct jbuf *b)
{
	const struct kw_kafka_rec_record *rr = &r->rec;
	const struct kw_kafka_record *k = &rr->r;
	char scratch[KW_KAFKA_NAME_MAX];
	const char *name;

	format_ts_flow(r, "record", b);
	format_api(b, r->worker, rr->api_key, rr->api_name, rr->api_version, rr->corr_id,
		   &rr->client_id);
	jfmt(b, ",\"dir\":\"%s\",\"topic\":", rr->dir == 0 ? "request" : "response");
	if (rr->by_id) {
		name = kw_obs_topic_id_name(o, rr->topic_id, scratch);
		jstr(b, name, strlen(name));
	} else {
		jkstr(b, &rr->topic);
	}
	jlit(b, ",\"partition\":");
	if (rr->partition < 0)
		jlit(b, "null");
	else
		jfmt(b, "%" PRId32, rr->partition);
	jfmt(b, ",\"batch\":%" PRIu32 ",\"offset\":%" PRId64 ",\"timestamp\":%" PRId64, k->batch,
	     k->offset, k->timestamp);
	jspan(b, "record", k->off, k->len);
	jspan(b, "key", k->key_off, k->key_len);
	jspan(b, "value", k->value_off, k->value_len);
	jspan(b, "headers", k->headers_off, k->headers_len);
	jfmt(b, ",\"header_count\":%" PRId32 "}\n", k->header_count);
}

int
kw_obs_log_line_locked(const struct kw_obs *o, const struct kw_kafka_rec *r, FILE *f)
{
	char line[LOG_LINE_MAX];
	struct jbuf b = {.p = line, .cap = sizeof(line)};

	if (r->kind == KW_KAFKA_REC_RECORD)
		format_record_line(o, r, &b);
	else
		format_line(o, r, &b);
	if (b.over)
		return -ENOSPC;
	if (fwrite(line, 1, b.len, f) != b.len)
		return -EIO;
	return 0;
}

int
kw_obs_log_line(const struct kw_obs *o, const struct kw_kafka_rec *r, FILE *f)
{
	struct kw_obs *w = (struct kw_obs *)o;
	int rc;

	pthread_mutex_lock(&w->lock);
	rc = kw_obs_log_line_locked(o, r, f);
	pthread_mutex_unlock(&w->lock);
	return rc;
}
