/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry commands under /kwire/kafka/. They run on the EAL telemetry thread; callbacks
 * take no argument, so the registered obs is kept in one static pointer, guarded by tel_lock so
 * that kw_obs_free cannot pull it away mid-reply, and every read holds the obs lock.
 *
 * DPDK 22.11 does not escape dict names and refuses (-EINVAL) one with a character outside
 * [A-Za-z0-9_/]. Names here come from the wire: they are reduced to that set (anything else
 * becomes '_', a clash gets "_<rank>") and no string value from the wire is ever returned.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "control/kafka_obs_priv.h"

/* What a reply's dict may take: DPDK 22.11's 16 KiB less its "{"/kwire/kafka/...":" prefix. */
#define TEL_BUDGET (16 * 1024 - 64)

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kw_obs *tel_obs;
static bool tel_registered;

static void
tel_name(char *out, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '/';

		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

static void
tel_u64(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

/* tel_u64 (d may be NULL: sizes only), and the bytes its JSON takes added to *len: ,"name":v */
static void
tel_u64_len(struct rte_tel_data *d, const char *name, uint64_t v, size_t *len)
{
	char digits[24];

	if (d != NULL)
		tel_u64(d, name, v);
	*len += strlen(name) + 4 + (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, v);
}

/*
 * The top keys of dim, most requests first, as long as their JSON stays within budget bytes:
 * DPDK 22.11 writes a reply into 16 KiB and silently leaves out an entry that does not fit
 * (32 groups, each with 8 partitions' lag, take ~30 KiB; measured through dpdk-telemetry.py:
 * 18 such groups fit, as this count says). The entries left out are counted in the reply as
 * "kwire/omitted" (a name DPDK accepts; a key from the wire that reads the same is the user's
 * problem) and returned in *omitted. d NULL: only *omitted (the containers of a reply are freed
 * by DPDK once it is written, and only then).
 */
int
kw_obs_tel_dim(struct kw_obs *o, enum kw_obs_dim dim, struct rte_tel_data *d, size_t budget,
	       uint32_t *omitted)
{
	const struct kw_topk *t = &o->dim[dim];
	char names[KW_OBS_TEL_TOP][KW_KAFKA_NAME_MAX + 12], key[RTE_TEL_MAX_STRING_LEN];
	struct kw_obs_part_lag lags[KW_OBS_TEL_LAG];
	struct kw_obs_stats st;
	uint32_t idx[KW_OBS_TEL_TOP], n, i, j, nl, known;
	size_t used = 2 + sizeof("\"kwire/omitted\":") + 10; /* the braces, and room to say so */
	int64_t total;

	*omitted = 0;
	if (d != NULL)
		rte_tel_data_start_dict(d);
	n = kw_topk_sorted(t, idx, KW_OBS_TEL_TOP);
	for (i = 0; i < n; i++) {
		const uint64_t *v = t->v[idx[i]];
		struct rte_tel_data *c;
		size_t len;

		tel_name(names[i], KW_KAFKA_NAME_MAX, kw_topk_key(t, idx[i]));
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				break;
		if (j < i)
			snprintf(names[i] + strlen(names[i]), 12, "_%u", i);
		c = NULL;
		if (d != NULL) {
			c = rte_tel_data_alloc();
			if (c == NULL)
				return -ENOMEM;
			rte_tel_data_start_dict(c);
		}
		len = strlen(names[i]) + 6; /* ,"name":{} */
		tel_u64_len(c, "requests", v[KW_OBS_REQUESTS], &len);
		tel_u64_len(c, "error_bound", t->err[idx[i]], &len);
		tel_u64_len(c, "bytes_in", v[KW_OBS_BYTES_IN], &len);
		tel_u64_len(c, "bytes_out", v[KW_OBS_BYTES_OUT], &len);
		tel_u64_len(c, "records", v[KW_OBS_RECORDS], &len);
		tel_u64_len(c, "errors", v[KW_OBS_ERRORS], &len);
		if (kw_obs_dim_conns(dim))
			tel_u64_len(c, "connections", v[KW_OBS_CONNECTIONS], &len);
		/* the last rate window's, per second (kafka.rate_window_ms) */
		kw_obs_rates_locked(o, dim, idx[i], &st);
		tel_u64_len(c, "requests_per_s", st.per_s[KW_OBS_REQUESTS], &len);
		tel_u64_len(c, "bytes_in_per_s", st.per_s[KW_OBS_BYTES_IN], &len);
		tel_u64_len(c, "bytes_out_per_s", st.per_s[KW_OBS_BYTES_OUT], &len);
		tel_u64_len(c, "records_per_s", st.per_s[KW_OBS_RECORDS], &len);
		if (kw_obs_dim_conns(dim))
			tel_u64_len(c, "connections_per_s", st.per_s[KW_OBS_CONNECTIONS], &len);
		tel_u64_len(c, "rate_partial", st.rate_partial, &len);
		if (dim == KW_OBS_GROUP) {
			/* positions: their total only; /kwire/kafka/lag,GROUP has each partition */
			kw_obs_group_lags(o, KW_OBS_LAG_POSITION, kw_topk_key(t, idx[i]), NULL, 0,
					  &total, &known);
			tel_u64_len(c, "position_lag_total", (uint64_t)total, &len);
			nl = kw_obs_group_lags(o, KW_OBS_LAG_COMMITTED, kw_topk_key(t, idx[i]),
					       lags, KW_OBS_TEL_LAG, &total, &known);
			tel_u64_len(c, "lag_total", (uint64_t)total, &len);
			for (j = 0; j < nl; j++) {
				char topic[KW_KAFKA_NAME_MAX];

				tel_name(topic, sizeof(topic), lags[j].key->topic);
				snprintf(key, sizeof(key), "lag/%s/%" PRId32, topic,
					 lags[j].key->partition);
				tel_u64_len(c, key, lags[j].lag > 0 ? (uint64_t)lags[j].lag : 0,
					    &len);
			}
		}
		if (used + len > budget) {
			*omitted = n - i;
			if (d != NULL) {
				rte_tel_data_free(c);
				tel_u64(d, "kwire/omitted", *omitted);
			}
			break;
		}
		used += len;
		if (d != NULL)
			rte_tel_data_add_dict_container(d, names[i], c, 0);
	}
	return 0;
}

/* Partitions of one group's lag reply: DPDK's 256 entries of a dict, less the reply's totals. */
#define TEL_GROUP_PARTS (RTE_TEL_MAX_DICT_ENTRIES - 4)

/* "topic/partition" of lk, reduced to the names DPDK accepts. */
static void
tel_part_name(char *out, size_t cap, const struct kw_obs_lag_key *lk)
{
	char topic[KW_KAFKA_NAME_MAX];

	tel_name(topic, sizeof(topic), lk->topic);
	snprintf(out, cap, "%s/%" PRId32, topic, lk->partition);
}

/*
 * /kwire/kafka/lag,GROUP: every partition of the group with a commit or a fetch position, each
 * a dict of what is known of committed, position, hwm, lag (hwm - committed) and position_lag
 * (hwm - position; negative lags read 0), within the reply's budget (kwire/omitted as for the
 * top keys), and lag_total, position_lag_total and partitions over all of them. Partitions
 * come in the order the tables hold them. No group or an unknown group: an empty dict.
 */
static int
tel_group_lag(struct kw_obs *o, const char *group, struct rte_tel_data *d)
{
	const struct kw_obs_lag_key *keys[TEL_GROUP_PARTS];
	struct kw_obs_lag_key want;
	char name[RTE_TEL_MAX_STRING_LEN];
	uint32_t nk = 0, more = 0, omitted = 0, i, known;
	size_t used = 2 + sizeof("\"kwire/omitted\":") + 10 + 3 * 40;
	int64_t total;
	int of;

	rte_tel_data_start_dict(d);
	if (group == NULL || group[0] == '\0')
		return 0;
	memset(&want, 0, sizeof(want));
	strncpy(want.group, group, sizeof(want.group) - 1);
	/* the union of both tables' partitions of the group: a position's key is new when no
	 * commit has it */
	for (of = KW_OBS_LAG_COMMITTED; of <= KW_OBS_LAG_POSITION; of++) {
		const struct kw_bmap *m = &o->lag[of];

		for (i = 0; i < m->used; i++) {
			const struct kw_obs_lag_key *lk = kw_bmap_key(m, i);

			if (memcmp(lk->group, want.group, sizeof(want.group)) != 0 ||
			    (of == KW_OBS_LAG_POSITION &&
			     kw_bmap_find(&o->lag[KW_OBS_LAG_COMMITTED], lk, false) !=
				     KW_BMAP_NONE))
				continue;
			if (nk == TEL_GROUP_PARTS)
				more++;
			else
				keys[nk++] = lk;
		}
	}
	if (nk == 0)
		return 0;
	for (of = KW_OBS_LAG_COMMITTED; of <= KW_OBS_LAG_POSITION; of++) {
		kw_obs_group_lags(o, (enum kw_obs_lag_of)of, group, NULL, 0, &total, &known);
		tel_u64(d, of == KW_OBS_LAG_POSITION ? "position_lag_total" : "lag_total",
			(uint64_t)total);
	}
	tel_u64(d, "partitions", nk + more);
	for (i = 0; i < nk; i++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		struct kw_obs_hwm_key hk;
		int64_t off, hwm, lag;
		uint32_t hi;
		size_t len;

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		tel_part_name(name, sizeof(name), keys[i]);
		len = strlen(name) + 6; /* ,"name":{} */
		for (of = KW_OBS_LAG_COMMITTED; of <= KW_OBS_LAG_POSITION; of++) {
			bool pos = of == KW_OBS_LAG_POSITION;
			int rc = kw_obs_lag_locked(o, (enum kw_obs_lag_of)of, keys[i], &off, &hwm,
						   &lag);

			if (rc != -ENOENT)
				tel_u64_len(c, pos ? "position" : "committed",
					    (uint64_t)RTE_MAX(off, 0), &len);
			if (rc == 0)
				tel_u64_len(c, pos ? "position_lag" : "lag",
					    (uint64_t)RTE_MAX(lag, 0), &len);
		}
		memset(&hk, 0, sizeof(hk));
		memcpy(hk.topic, keys[i]->topic, sizeof(hk.topic));
		hk.partition = keys[i]->partition;
		hi = kw_bmap_find(&o->hwm, &hk, false);
		if (hi != KW_BMAP_NONE)
			tel_u64_len(c, "hwm", (uint64_t)RTE_MAX(o->hwm_off[hi], 0), &len);
		if (used + len > TEL_BUDGET) {
			rte_tel_data_free(c);
			omitted = nk - i;
			break;
		}
		used += len;
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	if (omitted + more > 0)
		tel_u64(d, "kwire/omitted", omitted + more);
	return 0;
}

static int
tel_latency(struct kw_obs *o, struct rte_tel_data *d)
{
	char key[32];
	unsigned int a, b;

	rte_tel_data_start_dict(d);
	for (a = 0; a <= KW_KAFKA_API_MAX_KEY; a++) {
		const struct kw_obs_lat *h = &o->lat[a];
		struct rte_tel_data *c;

		if (h->count == 0)
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		tel_u64(c, "api_key", a);
		tel_u64(c, "count", h->count);
		tel_u64(c, "sum_us", h->sum_ns / 1000);
		tel_u64(c, "max_us", h->max_ns / 1000);
		tel_u64(c, "p50_us", kw_obs_lat_quantile(h, 0.5) / 1000);
		tel_u64(c, "p99_us", kw_obs_lat_quantile(h, 0.99) / 1000);
		for (b = 0; b < KW_OBS_LAT_BUCKETS; b++) {
			if (h->buckets[b] == 0)
				continue;
			if (b == KW_OBS_LAT_BUCKETS - 1)
				snprintf(key, sizeof(key), "ge_%luus", 1ul << (b - 1));
			else
				snprintf(key, sizeof(key), "lt_%luus", 1ul << b);
			tel_u64(c, key, h->buckets[b]);
		}
		if (o->lat_name[a] != NULL)
			tel_name(key, sizeof(key), o->lat_name[a]);
		else
			snprintf(key, sizeof(key), "api_%u", a);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

static int
tel_counters(struct kw_obs *o, struct rte_tel_data *d)
{
	const struct kw_obs_counters *k = &o->ctr;

	rte_tel_data_start_dict(d);
	tel_u64(d, "records", k->records);
	tel_u64(d, "batch_records", k->batch_records);
	tel_u64(d, "batch_records_logged", k->batch_records_logged);
	tel_u64(d, "logged", k->logged);
	tel_u64(d, "log_sampled_out", k->log_sampled_out);
	tel_u64(d, "log_errors", k->log_errors);
	tel_u64(d, "unkeyed_client", k->unkeyed[KW_OBS_CLIENT]);
	tel_u64(d, "unkeyed_principal", k->unkeyed[KW_OBS_PRINCIPAL]);
	tel_u64(d, "unkeyed_topic", k->unkeyed[KW_OBS_TOPIC]);
	tel_u64(d, "unkeyed_group", k->unkeyed[KW_OBS_GROUP]);
	tel_u64(d, "unkeyed_software", k->unkeyed[KW_OBS_SOFTWARE]);
	tel_u64(d, "evicted_client", o->dim[KW_OBS_CLIENT].evictions);
	tel_u64(d, "evicted_principal", o->dim[KW_OBS_PRINCIPAL].evictions);
	tel_u64(d, "evicted_topic", o->dim[KW_OBS_TOPIC].evictions);
	tel_u64(d, "evicted_group", o->dim[KW_OBS_GROUP].evictions);
	tel_u64(d, "evicted_software", o->dim[KW_OBS_SOFTWARE].evictions);
	tel_u64(d, "api_out_of_range", k->api_out_of_range);
	tel_u64(d, "topic_ids_learned", k->topic_ids_learned);
	tel_u64(d, "topic_ids_evicted", k->topic_ids_evicted);
	tel_u64(d, "offsets_bad", k->offsets_bad);
#define TEL_LAG(name) tel_u64(d, #name, k->name);
	KW_OBS_LAG_COUNTERS(TEL_LAG)
#undef TEL_LAG
	tel_u64(d, "rate_windows", k->rate_windows);
	tel_u64(d, "rate_late", k->rate_late);
	return 0;
}

static int
tel_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct kw_obs *o;
	uint32_t omitted;
	int rc = 0;

	pthread_mutex_lock(&tel_lock);
	o = tel_obs;
	if (o == NULL) {
		rte_tel_data_start_dict(d);
		pthread_mutex_unlock(&tel_lock);
		return 0;
	}
	pthread_mutex_lock(&o->lock);
	if (strcmp(cmd, "/kwire/kafka/clients") == 0)
		rc = kw_obs_tel_dim(o, KW_OBS_CLIENT, d, TEL_BUDGET, &omitted);
	else if (strcmp(cmd, "/kwire/kafka/principals") == 0)
		rc = kw_obs_tel_dim(o, KW_OBS_PRINCIPAL, d, TEL_BUDGET, &omitted);
	else if (strcmp(cmd, "/kwire/kafka/topics") == 0)
		rc = kw_obs_tel_dim(o, KW_OBS_TOPIC, d, TEL_BUDGET, &omitted);
	else if (strcmp(cmd, "/kwire/kafka/groups") == 0)
		rc = kw_obs_tel_dim(o, KW_OBS_GROUP, d, TEL_BUDGET, &omitted);
	else if (strcmp(cmd, "/kwire/kafka/software") == 0)
		rc = kw_obs_tel_dim(o, KW_OBS_SOFTWARE, d, TEL_BUDGET, &omitted);
	else if (strcmp(cmd, "/kwire/kafka/lag") == 0)
		rc = tel_group_lag(o, params, d);
	else if (strcmp(cmd, "/kwire/kafka/latency") == 0)
		rc = tel_latency(o, d);
	else
		rc = tel_counters(o, d);
	pthread_mutex_unlock(&o->lock);
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

static const struct {
	const char *cmd;
	const char *help;
} tel_cmds[] = {
	{"/kwire/kafka/clients", "Top Kafka client ids: requests, bytes, records, errors, rates"},
	{"/kwire/kafka/principals", "Top SASL principals: requests, bytes, records, errors, rates"},
	{"/kwire/kafka/topics", "Top topics: requests, bytes, records, errors, rates"},
	{"/kwire/kafka/groups", "Top consumer groups: the same, with per-partition lag"},
	{"/kwire/kafka/lag", "Lag of one group's partitions: committed, position, hwm. "
			     "Parameter: the group"},
	{"/kwire/kafka/software", "Client software name/version: connections (ApiVersions), bytes"},
	{"/kwire/kafka/latency", "Per-API latency histogram (log2 us buckets), p50, p99"},
	{"/kwire/kafka/obs", "Kafka observability counters"},
};

int
kw_obs_telemetry_register(struct kw_obs *o)
{
	unsigned int i;
	int rc = 0;

	pthread_mutex_lock(&tel_lock);
	tel_obs = o;
	/* DPDK cannot unregister: register once, then only the pointer changes */
	if (!tel_registered) {
		for (i = 0; i < sizeof(tel_cmds) / sizeof(tel_cmds[0]) && rc == 0; i++)
			rc = rte_telemetry_register_cmd(tel_cmds[i].cmd, tel_cmd, tel_cmds[i].help);
		tel_registered = rc == 0;
	}
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

void
kw_obs_tel_forget(const struct kw_obs *o)
{
	pthread_mutex_lock(&tel_lock);
	if (tel_obs == o)
		tel_obs = NULL;
	pthread_mutex_unlock(&tel_lock);
}
