/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kafka observability: aggregation of request/response records, consumer lag, latency
 * histograms, the final report. The JSON request log is in kafka_obs_log.c and the telemetry
 * commands in kafka_obs_tel.c. One lock serialises the control thread (record, report) and the
 * telemetry thread; it is uncontended except while a telemetry reply is built.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "control/kafka_obs_priv.h"

_Static_assert(KW_TOPK_KEY_MAX == KW_KAFKA_NAME_MAX, "top-K keys are Kafka strings");
_Static_assert(KW_TOPK_METRICS == KW_OBS_METRICS, "one sketch cell per metric");

struct kw_obs *
kw_obs_create(const struct kw_obs_params *p)
{
	struct kw_obs *o;
	uint32_t k = p->top_k ? p->top_k : KW_OBS_DEFAULT_TOP_K;
	unsigned int d;

	if (k > (1u << 20))
		return NULL;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return NULL;
	o->p = *p;
	o->p.top_k = k;
	if (o->p.rate_window_ns == 0)
		o->p.rate_window_ns = KW_OBS_DEFAULT_RATE_WINDOW;
	if (o->p.log_sample == 0)
		o->p.log_sample = 1;
	pthread_mutex_init(&o->lock, NULL);
	for (d = 0; d < KW_OBS_DIMS; d++)
		if (kw_topk_init(&o->dim[d], k) != 0)
			goto fail;
	if (kw_bmap_init(&o->tid, KW_OBS_TOPIC_IDS, 16) != 0 ||
	    kw_bmap_init(&o->lag[KW_OBS_LAG_COMMITTED], KW_OBS_LAG_ENTRIES,
			 sizeof(struct kw_obs_lag_key)) != 0 ||
	    kw_bmap_init(&o->hwm, KW_OBS_HWM_ENTRIES, sizeof(struct kw_obs_hwm_key)) != 0 ||
	    kw_bmap_init(&o->member, KW_OBS_MEMBERS, sizeof(struct kw_obs_member_key)) != 0 ||
	    kw_bmap_init(&o->lag[KW_OBS_LAG_POSITION], KW_OBS_POS_ENTRIES,
			 sizeof(struct kw_obs_lag_key)) != 0 ||
	    kw_bmap_init(&o->txn, KW_OBS_TXNS, sizeof(int64_t)) != 0)
		goto fail;
	o->tid_name = calloc(KW_OBS_TOPIC_IDS, sizeof(*o->tid_name));
	o->lag_off[KW_OBS_LAG_COMMITTED] = calloc(KW_OBS_LAG_ENTRIES, sizeof(int64_t));
	o->hwm_off = calloc(KW_OBS_HWM_ENTRIES, sizeof(*o->hwm_off));
	o->hwm_ts = calloc(KW_OBS_HWM_ENTRIES, sizeof(*o->hwm_ts));
	o->member_group = calloc(KW_OBS_MEMBERS, sizeof(*o->member_group));
	o->member_ambiguous = calloc(KW_OBS_MEMBERS, sizeof(*o->member_ambiguous));
	o->lag_off[KW_OBS_LAG_POSITION] = calloc(KW_OBS_POS_ENTRIES, sizeof(int64_t));
	o->lag_ts[KW_OBS_LAG_COMMITTED] = calloc(KW_OBS_LAG_ENTRIES, sizeof(uint64_t));
	o->lag_ts[KW_OBS_LAG_POSITION] = calloc(KW_OBS_POS_ENTRIES, sizeof(uint64_t));
	o->txns = calloc(KW_OBS_TXNS, sizeof(*o->txns));
	if (o->tid_name == NULL || o->lag_off[KW_OBS_LAG_COMMITTED] == NULL || o->hwm_off == NULL ||
	    o->hwm_ts == NULL || o->member_group == NULL || o->member_ambiguous == NULL ||
	    o->lag_off[KW_OBS_LAG_POSITION] == NULL || o->lag_ts[KW_OBS_LAG_COMMITTED] == NULL ||
	    o->lag_ts[KW_OBS_LAG_POSITION] == NULL || o->txns == NULL)
		goto fail;
	return o;
fail:
	kw_obs_free(o);
	return NULL;
}

void
kw_obs_free(struct kw_obs *o)
{
	unsigned int d;

	if (o == NULL)
		return;
	kw_obs_tel_forget(o);
	for (d = 0; d < KW_OBS_DIMS; d++)
		kw_topk_fini(&o->dim[d]);
	kw_bmap_fini(&o->tid);
	kw_bmap_fini(&o->lag[KW_OBS_LAG_COMMITTED]);
	kw_bmap_fini(&o->lag[KW_OBS_LAG_POSITION]);
	kw_bmap_fini(&o->hwm);
	kw_bmap_fini(&o->member);
	kw_bmap_fini(&o->txn);
	free(o->tid_name);
	free(o->lag_off[KW_OBS_LAG_COMMITTED]);
	free(o->lag_off[KW_OBS_LAG_POSITION]);
	free(o->lag_ts[KW_OBS_LAG_COMMITTED]);
	free(o->lag_ts[KW_OBS_LAG_POSITION]);
	free(o->hwm_off);
	free(o->hwm_ts);
	free(o->member_group);
	free(o->member_ambiguous);
	free(o->txns);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static void
uuid_str(const uint8_t *id, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i, j = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[id[i] >> 4];
		out[j++] = hex[id[i] & 15];
	}
	out[j] = '\0';
}

const char *
kw_obs_topic_id_name(const struct kw_obs *o, const uint8_t *id, char *scratch)
{
	uint32_t idx = kw_bmap_find((struct kw_bmap *)&o->tid, id, false);

	if (idx != KW_BMAP_NONE)
		return o->tid_name[idx];
	uuid_str(id, scratch);
	return scratch;
}

static bool
uuid_zero(const uint8_t *id)
{
	static const uint8_t zero[16];

	return memcmp(id, zero, 16) == 0;
}

/* Metadata responses name each topic both ways: remember id -> name (LRU when full). */
static void
learn_topic_ids(struct kw_obs *o, const struct kw_kafka_event *ev)
{
	unsigned int i, n = ev->n_topics < ev->n_topic_ids ? ev->n_topics : ev->n_topic_ids;
	uint32_t idx;
	bool added, evicted;

	if (!(ev->flags & KW_KAFKA_EV_TOPIC_IDS_ALIGNED))
		return;
	for (i = 0; i < n; i++) {
		const struct kw_kafka_str *t = &ev->topics[i];

		if (uuid_zero(ev->topic_ids[i]) || t->len == 0)
			continue;
		idx = kw_bmap_get(&o->tid, ev->topic_ids[i], &added, &evicted);
		o->ctr.topic_ids_learned += added;
		o->ctr.topic_ids_evicted += evicted;
		memcpy(o->tid_name[idx], t->s, t->len);
		o->tid_name[idx][t->len] = '\0';
	}
}

unsigned int
kw_obs_lat_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned int b = 0;

	/* bucket b >= 1 holds [2^(b-1), 2^b) us */
	while (us != 0 && b < KW_OBS_LAT_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	return b;
}

uint64_t
kw_obs_lat_quantile(const struct kw_obs_lat *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, v;
	unsigned int b;

	if (h->count == 0)
		return 0;
	rank = (uint64_t)(q * (double)h->count + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (b = 0; b < KW_OBS_LAT_BUCKETS; b++) {
		if (seen + h->buckets[b] >= rank)
			break;
		seen += h->buckets[b];
	}
	if (b == KW_OBS_LAT_BUCKETS)
		return h->max_ns;
	/* linear interpolation inside the bucket, never past the largest value seen */
	lo = b == 0 ? 0 : (1000ULL << (b - 1));
	hi = b == KW_OBS_LAT_BUCKETS - 1 ? h->max_ns : (1000ULL << b);
	if (hi < lo)
		hi = lo;
	v = lo + (uint64_t)((double)(hi - lo) * (double)(rank - seen) / (double)h->buckets[b]);
	return v < h->max_ns ? v : h->max_ns;
}

uint64_t
kw_obs_latency_ns(const struct kw_obs *o, const struct kw_kafka_rec *r)
{
	if (r->ev.resp_len == 0 ||
	    (r->ev.flags &
	     (KW_KAFKA_EV_NO_RESPONSE | KW_KAFKA_EV_UNANSWERED | KW_KAFKA_EV_CLOCK_BACK)))
		return UINT64_MAX;
	if (r->latency_ns == 0 && r->ev.latency_tsc != 0 && o->p.tsc_hz != 0)
		return (uint64_t)((double)r->ev.latency_tsc * 1e9 / (double)o->p.tsc_hz);
	return r->latency_ns;
}

uint64_t
kw_obs_records_of(const struct kw_kafka_event *ev)
{
	/* compressed batches are not walked: their headers' claim is the count */
	return ev->records.records_hdr > ev->records.records ? ev->records.records_hdr
							     : ev->records.records;
}

static void
add_latency(struct kw_obs *o, const struct kw_kafka_rec *r)
{
	uint64_t ns = kw_obs_latency_ns(o, r);
	struct kw_obs_lat *h;

	if (ns == UINT64_MAX)
		return;
	if (r->ev.api_key < 0 || r->ev.api_key > KW_KAFKA_API_MAX_KEY) {
		o->ctr.api_out_of_range++;
		return;
	}
	h = &o->lat[r->ev.api_key];
	if (r->ev.api_name != NULL)
		o->lat_name[r->ev.api_key] = r->ev.api_name;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->buckets[kw_obs_lat_bucket(ns)]++;
}

static void
add_key(struct kw_obs *o, enum kw_obs_dim d, const struct kw_kafka_str *s, const uint64_t *v)
{
	if (kw_kafka_str_none(s)) {
		o->ctr.unkeyed[d]++;
		return;
	}
	kw_topk_add(&o->dim[d], s->s, s->len, v);
}

/*
 * The client software of the pair's connection, as its ApiVersions v3+ request named it: counted
 * as "name/version", every pair of the connection. Unnamed (older clients, versions before 3, or
 * a connection picked up after its ApiVersions): unkeyed.
 */
static void
add_software(struct kw_obs *o, const struct kw_kafka_rec *r, const uint64_t *v)
{
	char key[KW_KAFKA_NAME_MAX];
	int n;

	if (r->sw_name.len == 0) {
		o->ctr.unkeyed[KW_OBS_SOFTWARE]++;
		return;
	}
	/* cut at the key's room: a name and version are short in practice */
	n = snprintf(key, sizeof(key), "%s/%s", r->sw_name.s, r->sw_version.s);
	kw_topk_add(&o->dim[KW_OBS_SOFTWARE], key,
		    n < (int)sizeof(key) ? (size_t)n : sizeof(key) - 1, v);
}

const char *
kw_obs_topic_ref(const struct kw_obs *o, const struct kw_kafka_event *ev, uint8_t ref,
		 char *scratch)
{
	unsigned int i = ref & 0x7f;

	if (ref & 0x80)
		return i < ev->n_topic_ids && i < KW_KAFKA_EV_TOPIC_IDS ?
			       kw_obs_topic_id_name(o, ev->topic_ids[i], scratch) :
			       NULL;
	return i < ev->n_topics && i < KW_KAFKA_EV_TOPICS ? ev->topics[i].s : NULL;
}

/* Topic key of offset entry i into name (zero-padded); false when it points at nothing. */
static bool
offset_topic(const struct kw_obs *o, const struct kw_kafka_event *ev, uint8_t t, char *name)
{
	char scratch[KW_KAFKA_NAME_MAX];
	const char *s = kw_obs_topic_ref(o, ev, t, scratch);
	size_t len;

	memset(name, 0, KW_KAFKA_NAME_MAX);
	if (s == NULL)
		return false;
	len = strlen(s);
	memcpy(name, s, len < KW_KAFKA_NAME_MAX ? len : KW_KAFKA_NAME_MAX - 1);
	return true;
}

/*
 * Fetch requests name no group: a member's fetch positions are its group's by the client id and
 * address that the member's requests (kw_kafka_api_group_member) and the Fetch share. Admin
 * requests (OffsetFetch, DescribeGroups) and TxnOffsetCommit (a transactional producer's) do not
 * make a member. Statistics pairs of these apis carry the client's address
 * (kw_kafka_rec_stats_addr).
 */
static void
member_key(const struct kw_kafka_rec *r, struct kw_obs_member_key *mk)
{
	memset(mk, 0, sizeof(*mk));
	if (!r->ev.client_id.null)
		memcpy(mk->client, r->ev.client_id.s, r->ev.client_id.len);
	memcpy(mk->addr, r->client, sizeof(mk->addr));
	mk->family = r->family;
}

/*
 * A member's request: its client is the group's. A client seen in a second group's requests
 * (two consumers on one host that share a client id, librdkafka's default "rdkafka" for one)
 * stays ambiguous until its entry is evicted: its positions are counted, never guessed.
 */
static void
learn_member(struct kw_obs *o, const struct kw_kafka_rec *r)
{
	const struct kw_kafka_str *g = &r->ev.group_id;
	struct kw_obs_member_key mk;
	char group[KW_KAFKA_NAME_MAX];
	bool added, evicted;
	uint32_t idx;

	if (!kw_kafka_api_group_member(r->ev.api_key) || kw_kafka_str_none(g))
		return;
	memset(group, 0, sizeof(group));
	memcpy(group, g->s, g->len);
	member_key(r, &mk);
	idx = kw_bmap_get(&o->member, &mk, &added, &evicted);
	o->ctr.members_evicted += evicted;
	if (added) {
		memcpy(o->member_group[idx], group, sizeof(group));
		o->member_ambiguous[idx] = 0;
		o->ctr.members++;
	} else if (!o->member_ambiguous[idx] &&
		   memcmp(o->member_group[idx], group, sizeof(group)) != 0) {
		o->member_ambiguous[idx] = 1;
		o->ctr.members_ambiguous++;
	}
}

/* The group of a Fetch's client into group (zero-padded): 0, -ENOENT or -EEXIST (ambiguous). */
static int
member_group(struct kw_obs *o, const struct kw_kafka_rec *r, char *group)
{
	struct kw_obs_member_key mk;
	uint32_t idx;

	member_key(r, &mk);
	idx = kw_bmap_find(&o->member, &mk, false);
	if (idx == KW_BMAP_NONE)
		return -ENOENT;
	if (o->member_ambiguous[idx])
		return -EEXIST;
	memcpy(group, o->member_group[idx], KW_KAFKA_NAME_MAX);
	return 0;
}

/* Whether lag key lk is of group (a name of at most KW_KAFKA_NAME_MAX bytes, NUL-padded). */
static inline bool
lag_key_of(const struct kw_obs_lag_key *lk, const char *group)
{
	return strncmp(lk->group, group, KW_KAFKA_NAME_MAX) == 0;
}

/* A lag key's group from a group id: zeroed, then its bytes. */
static void
lag_key_group(struct kw_obs_lag_key *lk, const struct kw_kafka_str *g)
{
	memset(lk, 0, sizeof(*lk));
	memcpy(lk->group, g->s, g->len);
}

/*
 * e's topic and partition into lk (its group already there): false when e's topic points at
 * nothing kept (counted in offsets_bad).
 */
static bool
lag_key_part(struct kw_obs *o, const struct kw_kafka_event *ev, const struct kw_kafka_ev_offset *e,
	     struct kw_obs_lag_key *lk)
{
	if (!offset_topic(o, ev, e->topic, lk->topic)) {
		o->ctr.offsets_bad++;
		return false;
	}
	lk->partition = e->partition;
	return true;
}

/* Whether entry idx of the lag table of `of` holds the value of a request later than ts. */
static inline bool
lag_later(const struct kw_obs *o, enum kw_obs_lag_of of, uint32_t idx, uint64_t ts)
{
	return ts < o->lag_ts[of][idx];
}

/*
 * off, from a pair requested at ts, into the lag table of `of` under lk, unless the entry holds
 * the value of a later request: the pairs of two workers (a consumer's commit, an admin tool's
 * OffsetFetch) reach the control thread in either order. False for such a stale value; *evicted
 * when the least recently used entry went.
 */
static bool
lag_store(struct kw_obs *o, enum kw_obs_lag_of of, const struct kw_obs_lag_key *lk, int64_t off,
	  uint64_t ts, bool *evicted)
{
	bool added;
	uint32_t idx = kw_bmap_get(&o->lag[of], lk, &added, evicted);

	if (!added && lag_later(o, of, idx, ts))
		return false;
	o->lag_off[of][idx] = off;
	o->lag_ts[of][idx] = ts;
	return true;
}

/* A group's committed offset of a partition (OffsetCommit, OffsetFetch, a transaction's). */
static void
commit_put(struct kw_obs *o, const struct kw_obs_lag_key *lk, int64_t off, uint64_t ts)
{
	bool evicted;

	if (lag_store(o, KW_OBS_LAG_COMMITTED, lk, off, ts, &evicted))
		o->ctr.commits++;
	else
		o->ctr.commits_stale++;
	o->ctr.commits_evicted += evicted;
}

/* Remove entry idx of the lag table of `of`, keeping the offsets beside the entries dense. */
static void
lag_remove(struct kw_obs *o, enum kw_obs_lag_of of, uint32_t idx)
{
	uint32_t moved = kw_bmap_remove(&o->lag[of], idx);

	if (moved == KW_BMAP_NONE)
		return;
	o->lag_off[of][idx] = o->lag_off[of][moved];
	o->lag_ts[of][idx] = o->lag_ts[of][moved];
}

/*
 * A group's commit of a partition that the broker no longer had when asked at ts: dropped if
 * kept, unless made by a later request.
 */
static void
commit_clear(struct kw_obs *o, const struct kw_obs_lag_key *lk, uint64_t ts)
{
	uint32_t idx = kw_bmap_find(&o->lag[KW_OBS_LAG_COMMITTED], lk, false);

	if (idx == KW_BMAP_NONE)
		return;
	if (lag_later(o, KW_OBS_LAG_COMMITTED, idx, ts)) {
		o->ctr.commits_stale++;
		return;
	}
	lag_remove(o, KW_OBS_LAG_COMMITTED, idx);
	o->ctr.commits_cleared++;
}

/*
 * Group g (a name) was deleted by a request made at ts: its commits and its members' positions
 * are dropped, those of later requests excepted.
 */
static void
group_delete(struct kw_obs *o, const struct kw_kafka_str *g, uint64_t ts)
{
	struct kw_obs_lag_key gk;

	lag_key_group(&gk, g); /* the group as the keys hold it */
	for (unsigned int of = 0; of < KW_OBS_LAG_OF_N; of++) {
		const struct kw_bmap *m = &o->lag[of];

		/* a removal moves the last entry into i: look at i again */
		for (uint32_t i = 0; i < m->used;) {
			const struct kw_obs_lag_key *lk = kw_bmap_key(m, i);

			if (!lag_key_of(lk, gk.group) ||
			    lag_later(o, (enum kw_obs_lag_of)of, i, ts)) {
				i++;
				continue;
			}
			lag_remove(o, (enum kw_obs_lag_of)of, i);
			o->ctr.commits_cleared += of == KW_OBS_LAG_COMMITTED;
		}
	}
	o->ctr.groups_deleted++;
}

/*
 * Whether the broker's answer to pair ev is known: a response that decoded. A request that was
 * never answered (its connection closed or lost bytes first, or the pending table was full) may
 * have been refused, so what it asked for (a commit, its deletion, a transaction's end) is not
 * applied.
 */
static inline bool
pair_answered(const struct kw_kafka_event *ev)
{
	return ev->resp_len != 0 && !(ev->flags & (KW_KAFKA_EV_NO_RESPONSE |
						   KW_KAFKA_EV_UNANSWERED | KW_KAFKA_EV_RESP_BAD));
}

/*
 * A DeleteGroups pair requested at ts: its response names each group with its own error code,
 * and each group it deleted without error is dropped. A request without a response deleted
 * nothing anyone saw; groups past the ones a pair keeps are counted.
 */
static void
groups_deleted(struct kw_obs *o, const struct kw_kafka_event *ev, uint64_t ts)
{
	unsigned int g, ng = kw_kafka_ev_list_n(ev->n_groups, KW_KAFKA_EV_GROUPS);

	for (g = 0; g < ng; g++) {
		if ((ev->groups_failed & (1u << g)) || kw_kafka_str_none(&ev->groups[g]))
			continue;
		group_delete(o, &ev->groups[g], ts);
	}
	o->ctr.groups_deleted_many += (ev->flags & KW_KAFKA_EV_GROUPS_TRUNC) != 0;
}

static inline bool
is_position(const struct kw_kafka_ev_offset *e)
{
	return e->kind == KW_KAFKA_OFF_FETCH || e->kind == KW_KAFKA_OFF_FETCHED;
}

/*
 * The fetch positions of a pair (offsets[] of kind FETCH or FETCHED, n of them; one per
 * partition) under its member's group.
 */
static void
add_positions(struct kw_obs *o, const struct kw_kafka_rec *r, unsigned int n)
{
	const struct kw_kafka_event *ev = &r->ev;
	struct kw_obs_lag_key lk;
	unsigned int i, npos = 0, nfetched = 0, nfailed = 0;
	bool evicted;
	int rc;

	/* statistics pairs carry the client's address for Fetch only (kw_kafka_rec_stats_addr) */
	if (ev->api_key != KW_KAFKA_API_FETCH)
		return;
	for (i = 0; i < n; i++) {
		npos += is_position(&ev->offsets[i]);
		nfetched += ev->offsets[i].kind == KW_KAFKA_OFF_FETCHED;
		nfailed += ev->offsets[i].kind == KW_KAFKA_OFF_FETCH_FAILED;
	}
	/* a partition the response answered with an error was not served: no position */
	o->ctr.fetch_offsets += npos + nfailed;
	o->ctr.fetched_offsets += nfetched;
	o->ctr.positions_failed += nfailed;
	if (npos == 0)
		return;
	/* an error code of the whole response: trust none of it */
	if (ev->flags & KW_KAFKA_EV_TOP_ERROR) {
		o->ctr.positions_failed += npos;
		return;
	}
	memset(&lk, 0, sizeof(lk));
	rc = member_group(o, r, lk.group);
	if (rc != 0) {
		if (rc == -EEXIST)
			o->ctr.positions_ambiguous += npos;
		else
			o->ctr.positions_unattributed += npos;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct kw_kafka_ev_offset *e = &ev->offsets[i];

		if (!is_position(e) || !lag_key_part(o, ev, e, &lk))
			continue;
		if (lag_store(o, KW_OBS_LAG_POSITION, &lk, e->offset, r->ts_ns, &evicted))
			o->ctr.positions++;
		else
			o->ctr.positions_stale++;
		o->ctr.positions_evicted += evicted;
	}
}

/*
 * A committed transaction's offset of a group's partition: a commit as of its EndTxn at ts; one
 * below 0 is none, as in add_offsets.
 */
static void
txn_commit_put(struct kw_obs *o, const struct kw_obs_lag_key *lk, int64_t off, uint64_t ts)
{
	if (off < 0) {
		o->ctr.commits_none++;
		commit_clear(o, lk, ts);
		return;
	}
	commit_put(o, lk, off, ts);
	o->ctr.commits_txn++;
}

/*
 * The transaction table's entry of a producer id, added (empty, never ended) when absent. An
 * entry evicted with offsets still waiting counts them dropped.
 */
static struct kw_obs_txn *
txn_get(struct kw_obs *o, const int64_t *producer_id)
{
	bool added, evicted;
	struct kw_obs_txn *t = &o->txns[kw_bmap_get(&o->txn, producer_id, &added, &evicted)];

	if (added) {
		o->ctr.txns_evicted += evicted;
		o->ctr.txn_offsets_dropped += t->n;
		memset(t, 0, offsetof(struct kw_obs_txn, off));
	}
	return t;
}

/*
 * A TxnOffsetCommit's offsets (n entries of offsets[]): the group's commits only once their
 * transaction commits, so they wait under its producer id, which the EndTxn names too. The same
 * partition again takes its new offset; past KW_OBS_TXN_OFFSETS partitions they are dropped.
 * Pairs of other connections may reach the control thread in another order than they happened
 * (each worker has its ring, and the group and the transaction coordinators may be two brokers):
 * offsets requested before the producer's last end seen belong to the transaction that ended
 * there, and follow it at once.
 */
static void
txn_offsets(struct kw_obs *o, const struct kw_kafka_rec *r, unsigned int n)
{
	const struct kw_kafka_event *ev = &r->ev;
	struct kw_obs_lag_key lk;
	struct kw_obs_txn *t;
	unsigned int i, j, seen = 0, refused = 0;
	bool late;

	for (i = 0; i < n; i++) {
		seen += ev->offsets[i].kind == KW_KAFKA_OFF_TXN_COMMITTED;
		refused += ev->offsets[i].kind == KW_KAFKA_OFF_COMMIT_FAILED;
	}
	/* the partitions the response refused (its error codes are theirs) */
	o->ctr.txn_offsets += seen + refused;
	o->ctr.txn_offsets_failed += refused;
	if (seen == 0)
		return;
	if (!pair_answered(ev)) {
		o->ctr.commits_unanswered += seen;
		return;
	}
	if (kw_kafka_str_none(&ev->group_id) || ev->producer_id < 0) {
		o->ctr.txn_offsets_failed += seen;
		return;
	}
	t = txn_get(o, &ev->producer_id);
	late = r->ts_ns < t->end_ns;
	lag_key_group(&lk, &ev->group_id);
	for (i = 0; i < n; i++) {
		const struct kw_kafka_ev_offset *e = &ev->offsets[i];

		if (e->kind != KW_KAFKA_OFF_TXN_COMMITTED || !lag_key_part(o, ev, e, &lk))
			continue;
		if (late && t->end_commit) {
			txn_commit_put(o, &lk, e->offset, t->end_ns);
			continue;
		}
		if (late) {
			o->ctr.txn_offsets_aborted++;
			continue;
		}
		for (j = 0; j < t->n && memcmp(&t->key[j], &lk, sizeof(lk)) != 0; j++)
			;
		if (j == KW_OBS_TXN_OFFSETS) {
			o->ctr.txn_offsets_dropped++;
			continue;
		}
		t->key[j] = lk;
		t->off[j] = e->offset;
		t->ts_ns[j] = r->ts_ns;
		t->n += j == t->n;
	}
}

/*
 * The end of a producer's transaction: EndTxn commits its waiting offsets (the group's commits
 * now) or aborts them; an InitProducerId answered with the producer id drops them, as the
 * coordinator aborts what the producer left open when it starts again. Offsets requested after
 * the end (the next transaction's, whose pair came first) wait on. An EndTxn with errors leaves
 * them waiting: the producer retries it, or starts again. Every idempotent producer sends
 * InitProducerId: one without an entry (no transaction seen) takes none.
 */
static void
txn_end(struct kw_obs *o, const struct kw_kafka_rec *r)
{
	const struct kw_kafka_event *ev = &r->ev;
	bool end_txn = ev->api_key == KW_KAFKA_API_END_TXN;
	struct kw_obs_txn *t;
	uint32_t i, idx, kept = 0;

	if (ev->producer_id < 0)
		return;
	idx = kw_bmap_find(&o->txn, &ev->producer_id, false);
	if (ev->error_count != 0 || !pair_answered(ev)) {
		o->ctr.txn_ends_failed += end_txn && idx != KW_BMAP_NONE;
		return;
	}
	if (!end_txn && idx == KW_BMAP_NONE)
		return;
	t = txn_get(o, &ev->producer_id);
	t->end_ns = r->ts_ns;
	t->end_commit = end_txn && (ev->flags & KW_KAFKA_EV_TXN_COMMIT);
	for (i = 0; i < t->n; i++) {
		if (t->ts_ns[i] >= t->end_ns) {
			t->key[kept] = t->key[i];
			t->off[kept] = t->off[i];
			t->ts_ns[kept++] = t->ts_ns[i];
		} else if (t->end_commit) {
			txn_commit_put(o, &t->key[i], t->off[i], t->end_ns);
		} else {
			o->ctr.txn_offsets_aborted++;
		}
	}
	t->n = kept;
}

/*
 * A partition's high watermark, log end or last stable offset from a pair answered at done.
 * A high watermark (Fetch, or ListOffsets for the latest offset) is the broker's word and
 * replaces what was known (a recreated topic starts again), unless it was answered before the
 * value kept: a Fetch waits up to its max wait, and two workers' pairs come in either order. A
 * Produce's log end only moves it on, as it may run ahead of the high watermark (acks=1) and lag
 * behind a Fetch; so does a last stable offset, which is at most the high watermark.
 */
static void
hwm_put(struct kw_obs *o, const struct kw_kafka_event *ev, const struct kw_kafka_ev_offset *e,
	uint64_t done)
{
	struct kw_obs_hwm_key hk;
	bool added, evicted;
	uint32_t idx;

	memset(&hk, 0, sizeof(hk));
	if (!offset_topic(o, ev, e->topic, hk.topic)) {
		o->ctr.offsets_bad++;
		return;
	}
	hk.partition = e->partition;
	idx = kw_bmap_get(&o->hwm, &hk, &added, &evicted);
	o->ctr.hwms_evicted += evicted;
	if (added || e->offset > o->hwm_off[idx] ||
	    (e->kind == KW_KAFKA_OFF_HWM && done >= o->hwm_ts[idx])) {
		o->hwm_off[idx] = e->offset;
		o->hwm_ts[idx] = added || done > o->hwm_ts[idx] ? done : o->hwm_ts[idx];
	} else if (e->kind == KW_KAFKA_OFF_HWM) {
		o->ctr.hwms_stale++;
		return;
	}
	o->ctr.hwms++;
	o->ctr.hwms_produced += e->kind == KW_KAFKA_OFF_LOG_END;
	o->ctr.hwms_listed += ev->api_key == KW_KAFKA_API_LIST_OFFSETS;
}

/*
 * The group of commit e of ev into lk: the group the response answered it under (OffsetFetch
 * v8+ answers for several), else the pair's; false (counted) when there is none, when the pair
 * names several groups that its offsets cannot be told apart by, or when the group failed: an
 * error code answered under it (OffsetFetch v8+), or, where the response names no group, failed
 * (TOP_ERROR: an error code outside the partitions, such as an OffsetFetch v2-7's or an
 * OffsetDelete's for the whole response).
 */
static bool
commit_group(struct kw_obs *o, const struct kw_kafka_event *ev, const struct kw_kafka_ev_offset *e,
	     bool failed, struct kw_obs_lag_key *lk)
{
	const struct kw_kafka_str *g = kw_kafka_ev_offset_group(ev, e);

	if (g != NULL) {
		failed = (ev->groups_failed & (1u << e->group)) != 0;
	} else if (ev->flags & KW_KAFKA_EV_GROUPS_MANY) {
		o->ctr.commits_groups_many++;
		return false;
	} else {
		g = &ev->group_id;
	}
	if (kw_kafka_str_none(g)) {
		o->ctr.commits_no_group++;
		return false;
	}
	if (failed) {
		o->ctr.commits_failed++;
		return false;
	}
	lag_key_group(lk, g);
	return true;
}

/* The partition offsets of pair r, answered at done. */
static void
add_offsets(struct kw_obs *o, const struct kw_kafka_rec *r, uint64_t done)
{
	const struct kw_kafka_event *ev = &r->ev;
	struct kw_obs_lag_key lk;
	unsigned int i,
		n = ev->n_offsets < KW_KAFKA_EV_OFFSETS ? ev->n_offsets : KW_KAFKA_EV_OFFSETS;
	bool answered = pair_answered(ev);
	/* an error code outside the partitions: the group's or the whole response's */
	bool failed = (ev->flags & KW_KAFKA_EV_TOP_ERROR) != 0;

	add_positions(o, r, n);
	if (ev->api_key == KW_KAFKA_API_DELETE_GROUPS)
		groups_deleted(o, ev, r->ts_ns);
	else if (ev->api_key == KW_KAFKA_API_TXN_OFFSET_COMMIT)
		txn_offsets(o, r, n);
	else if (ev->api_key == KW_KAFKA_API_END_TXN ||
		 ev->api_key == KW_KAFKA_API_INIT_PRODUCER_ID)
		txn_end(o, r);
	for (i = 0; i < n; i++) {
		const struct kw_kafka_ev_offset *e = &ev->offsets[i];

		switch (e->kind) {
		case KW_KAFKA_OFF_HWM:
		case KW_KAFKA_OFF_LOG_END:
		case KW_KAFKA_OFF_LAST_STABLE:
			hwm_put(o, ev, e, done);
			break;
		case KW_KAFKA_OFF_COMMITTED:
		case KW_KAFKA_OFF_COMMIT_DELETE:
			if (!answered) {
				o->ctr.commits_unanswered++;
				break;
			}
			/* fall through */
		case KW_KAFKA_OFF_COMMITTED_READ:
			/*
			 * OffsetFetch: the broker's answer, whoever asked. -1 is no commit there,
			 * and a commit of -1 (INVALID_OFFSET) is read back as none: not a lag of
			 * the log.
			 */
			o->ctr.commits_none +=
				e->kind != KW_KAFKA_OFF_COMMIT_DELETE && e->offset < 0;
			if (!commit_group(o, ev, e, failed, &lk) || !lag_key_part(o, ev, e, &lk))
				break;
			/* none: in the broker's answer (expired, deleted), committed, or deleted */
			if (e->offset < 0) {
				commit_clear(o, &lk, r->ts_ns);
				break;
			}
			commit_put(o, &lk, e->offset, r->ts_ns);
			o->ctr.commits_read += e->kind == KW_KAFKA_OFF_COMMITTED_READ;
			break;
		case KW_KAFKA_OFF_COMMIT_FAILED:
			/* a commit the response refused; a transaction's: txn_offsets */
			o->ctr.commits_failed += ev->api_key == KW_KAFKA_API_OFFSET_COMMIT;
			break;
		case KW_KAFKA_OFF_READ_FAILED:   /* no commit known: the one kept stays */
		case KW_KAFKA_OFF_DELETE_FAILED: /* the commit stays */
			o->ctr.commits_failed++;
			break;
		case KW_KAFKA_OFF_FETCH: /* add_positions */
		case KW_KAFKA_OFF_FETCHED:
		case KW_KAFKA_OFF_FETCH_FAILED:
		case KW_KAFKA_OFF_TXN_COMMITTED: /* txn_offsets */
		case KW_KAFKA_OFF_PRODUCED:      /* not answered: no log end */
		case KW_KAFKA_OFF_LIST_LATEST:   /* not answered (or failed): no offset */
		case KW_KAFKA_OFF_LIST_STABLE:
			break;
		default:
			o->ctr.offsets_bad++;
			break;
		}
	}
}

unsigned int
kw_obs_topic_n(const struct kw_kafka_event *ev)
{
	unsigned int nn = ev->n_topics < KW_KAFKA_EV_TOPICS ? ev->n_topics : KW_KAFKA_EV_TOPICS;
	unsigned int ni =
		ev->n_topic_ids < KW_KAFKA_EV_TOPIC_IDS ? ev->n_topic_ids : KW_KAFKA_EV_TOPIC_IDS;

	/* aligned ids name the same topics as the names: only ids past the names add any */
	if (ev->flags & KW_KAFKA_EV_TOPIC_IDS_ALIGNED)
		return nn > ni ? nn : ni;
	return nn + ni;
}

const char *
kw_obs_topic_at(const struct kw_obs *o, const struct kw_kafka_event *ev, unsigned int i,
		char *scratch)
{
	unsigned int nn = ev->n_topics < KW_KAFKA_EV_TOPICS ? ev->n_topics : KW_KAFKA_EV_TOPICS;

	if (i < nn)
		return ev->topics[i].s;
	if (ev->flags & KW_KAFKA_EV_TOPIC_IDS_ALIGNED)
		return kw_obs_topic_id_name(o, ev->topic_ids[i], scratch);
	return kw_obs_topic_id_name(o, ev->topic_ids[i - nn], scratch);
}

/* Share i of n of a value x split evenly, the remainder going to the first. */
static inline uint64_t
share(uint64_t x, unsigned int n, unsigned int i)
{
	return x / n + (i == 0 ? x % n : 0);
}

/*
 * Key i of n that share a pair's values v: each gets the request; bytes, records and errors are
 * not known per key and are split evenly.
 */
static void
share_of(const uint64_t *v, unsigned int n, unsigned int i, uint64_t *tv)
{
	tv[KW_OBS_REQUESTS] = 1;
	for (unsigned int m = 1; m < KW_OBS_METRICS; m++)
		tv[m] = share(v[m], n, i);
}

static void
aggregate(struct kw_obs *o, const struct kw_kafka_rec *r)
{
	const struct kw_kafka_event *ev = &r->ev;
	char scratch[KW_KAFKA_NAME_MAX];
	uint64_t v[KW_OBS_METRICS], tv[KW_OBS_METRICS];
	unsigned int i, nt, ng;
	const char *name;

	v[KW_OBS_REQUESTS] = 1;
	v[KW_OBS_BYTES_IN] = ev->req_len;
	v[KW_OBS_BYTES_OUT] = ev->resp_len;
	v[KW_OBS_RECORDS] = kw_obs_records_of(ev);
	v[KW_OBS_ERRORS] = ev->error_count;
	/* each identity counts a connection at the first pair that carried it */
	v[KW_OBS_CONNECTIONS] = (ev->flags & KW_KAFKA_EV_CONN_FIRST) != 0;
	add_key(o, KW_OBS_CLIENT, &ev->client_id, v);
	v[KW_OBS_CONNECTIONS] = (ev->flags & KW_KAFKA_EV_PRINCIPAL_FIRST) != 0;
	add_key(o, KW_OBS_PRINCIPAL, &r->principal, v);
	v[KW_OBS_CONNECTIONS] = (ev->flags & KW_KAFKA_EV_SOFTWARE_FIRST) != 0;
	add_software(o, r, v);
	/* a connection's first pair names a group or a topic only by chance: those dimensions
	 * count no connections */
	v[KW_OBS_CONNECTIONS] = 0;
	/* a response that answers for several groups (an admin tool's) shares the pair, as the
	 * topics of a pair do; its errors go to the groups they were answered under */
	ng = kw_kafka_ev_list_n(ev->n_groups, KW_KAFKA_EV_GROUPS);
	if (ng <= 1) {
		add_key(o, KW_OBS_GROUP, &ev->group_id, v);
	} else {
		unsigned int failed = ev->groups_failed & ((1u << ng) - 1);
		unsigned int nf = (unsigned int)__builtin_popcount(failed), fi = 0;

		for (i = 0; i < ng; i++) {
			share_of(v, ng, i, tv);
			if (nf != 0)
				tv[KW_OBS_ERRORS] =
					failed & (1u << i) ? share(v[KW_OBS_ERRORS], nf, fi++) : 0;
			add_key(o, KW_OBS_GROUP, &ev->groups[i], tv);
		}
	}

	/* each topic of the pair shares it */
	nt = kw_obs_topic_n(ev);
	if (nt == 0) {
		o->ctr.unkeyed[KW_OBS_TOPIC]++;
		return;
	}
	for (i = 0; i < nt; i++) {
		name = kw_obs_topic_at(o, ev, i, scratch);
		share_of(v, nt, i, tv);
		if (name[0] == '\0')
			o->ctr.unkeyed[KW_OBS_TOPIC]++;
		else
			kw_topk_add(&o->dim[KW_OBS_TOPIC], name, strlen(name), tv);
	}
}

/* A record of a batch: a log line only; the pair that carried it is counted by its event. */
static void
batch_record(struct kw_obs *o, const struct kw_kafka_rec *r)
{
	pthread_mutex_lock(&o->lock);
	o->ctr.batch_records++;
	if (o->p.log != NULL) {
		if (kw_obs_log_line_locked(o, r, o->p.log) == 0)
			o->ctr.batch_records_logged++;
		else
			o->ctr.log_errors++;
		o->unflushed = true;
	}
	pthread_mutex_unlock(&o->lock);
}

int
kw_obs_flush(struct kw_obs *o)
{
	int rc = 0;

	pthread_mutex_lock(&o->lock);
	if (o->p.log != NULL && o->unflushed) {
		o->unflushed = false;
		if (fflush(o->p.log) != 0) {
			rc = -errno;
			o->ctr.log_errors++;
		}
	}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

/* End the windows that ended before t (ns); the first call starts the window t falls in. */
static void
advance_locked(struct kw_obs *o, uint64_t t)
{
	const uint64_t w = o->p.rate_window_ns;
	uint64_t n;
	unsigned int d;

	if (o->win_end == 0) {
		o->win_end = (t / w + 1) * w;
		return;
	}
	if (t < o->win_end)
		return;
	n = (t - o->win_end) / w + 1;
	for (d = 0; d < KW_OBS_DIMS; d++)
		kw_topk_roll(&o->dim[d], n);
	o->win_end += n * w;
	o->ctr.rate_windows += n;
}

void
kw_obs_advance(struct kw_obs *o, uint64_t now_ns)
{
	pthread_mutex_lock(&o->lock);
	if (o->win_end != 0)
		advance_locked(o, now_ns);
	pthread_mutex_unlock(&o->lock);
}

/* A pair's completion time: its request's, plus its latency when it had a response. */
static uint64_t
done_ns(const struct kw_obs *o, const struct kw_kafka_rec *r)
{
	uint64_t lat = kw_obs_latency_ns(o, r);

	return lat == UINT64_MAX ? r->ts_ns : r->ts_ns + lat;
}

/* w, added in one rate window, per second */
static uint64_t
per_s(const struct kw_obs *o, uint64_t w)
{
	return (uint64_t)((unsigned __int128)w * 1000000000u / o->p.rate_window_ns);
}

void
kw_obs_rates_locked(const struct kw_obs *o, enum kw_obs_dim dim, uint32_t idx,
		    struct kw_obs_stats *st)
{
	const struct kw_topk *t = &o->dim[dim];
	unsigned int m;

	for (m = 0; m < KW_OBS_METRICS; m++) {
		st->per_s[m] = per_s(o, t->last[idx][m]);
		st->peak_per_s[m] = per_s(o, t->peak[idx][m]);
	}
	st->rate_partial = t->last_partial[idx];
}

void
kw_obs_record(struct kw_obs *o, const struct kw_kafka_rec *r)
{
	uint64_t done;

	if (r->kind == KW_KAFKA_REC_RECORD) {
		batch_record(o, r);
		return;
	}
	pthread_mutex_lock(&o->lock);
	o->ctr.records++;
	done = done_ns(o, r);
	if (o->win_end != 0 && done < o->win_end - o->p.rate_window_ns)
		o->ctr.rate_late++;
	advance_locked(o, done);
	learn_topic_ids(o, &r->ev);
	aggregate(o, r);
	add_latency(o, r);
	learn_member(o, r);
	add_offsets(o, r, done);
	if (o->p.log != NULL) {
		if (++o->pairs % o->p.log_sample != 0) {
			o->ctr.log_sampled_out++;
		} else if (kw_obs_log_line_locked(o, r, o->p.log) == 0) {
			o->ctr.logged++;
			o->unflushed = true;
		} else {
			o->ctr.log_errors++;
		}
	}
	pthread_mutex_unlock(&o->lock);
}

int
kw_obs_lookup(const struct kw_obs *o, enum kw_obs_dim dim, const char *key, struct kw_obs_stats *st)
{
	struct kw_obs *w = (struct kw_obs *)o;
	uint32_t idx;
	int rc;

	if ((unsigned int)dim >= KW_OBS_DIMS || key == NULL)
		return -EINVAL;
	pthread_mutex_lock(&w->lock);
	rc = kw_topk_get(&o->dim[dim], key, st->v, &st->error_bound, &idx);
	memset(st->per_s, 0, sizeof(st->per_s));
	memset(st->peak_per_s, 0, sizeof(st->peak_per_s));
	st->rate_partial = 0;
	if (rc == 1)
		kw_obs_rates_locked(o, dim, idx, st);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

uint32_t
kw_obs_top(const struct kw_obs *o, enum kw_obs_dim dim, char (*keys)[KW_KAFKA_NAME_MAX],
	   struct kw_obs_stats *st, uint32_t n)
{
	struct kw_obs *w = (struct kw_obs *)o;
	const struct kw_topk *t;
	uint32_t idx[KW_OBS_TEL_TOP], i, got;

	if ((unsigned int)dim >= KW_OBS_DIMS)
		return 0;
	if (n > KW_OBS_TEL_TOP)
		n = KW_OBS_TEL_TOP;
	t = &o->dim[dim];
	pthread_mutex_lock(&w->lock);
	got = kw_topk_sorted(t, idx, n);
	for (i = 0; i < got; i++) {
		memcpy(keys[i], kw_topk_key(t, idx[i]), KW_KAFKA_NAME_MAX);
		memcpy(st[i].v, t->v[idx[i]], sizeof(st[i].v));
		st[i].error_bound = t->err[idx[i]];
		kw_obs_rates_locked(o, dim, idx[i], &st[i]);
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

int
kw_obs_lag_locked(const struct kw_obs *o, enum kw_obs_lag_of of, const struct kw_obs_lag_key *lk,
		  int64_t *off, int64_t *hwm, int64_t *lag)
{
	struct kw_obs_hwm_key hk;
	uint32_t ci, hi;

	ci = kw_bmap_find((struct kw_bmap *)&o->lag[of], lk, false);
	if (ci == KW_BMAP_NONE)
		return -ENOENT;
	*off = o->lag_off[of][ci];
	memset(&hk, 0, sizeof(hk));
	memcpy(hk.topic, lk->topic, sizeof(hk.topic));
	hk.partition = lk->partition;
	hi = kw_bmap_find((struct kw_bmap *)&o->hwm, &hk, false);
	if (hi == KW_BMAP_NONE)
		return -ENODATA;
	*hwm = o->hwm_off[hi];
	/* peer values: saturated, not wrapped */
	if (__builtin_sub_overflow(*hwm, *off, lag))
		*lag = *off < 0 ? INT64_MAX : INT64_MIN;
	return 0;
}

static int
lag_of(const struct kw_obs *o, enum kw_obs_lag_of of, const char *group, const char *topic,
       int32_t partition, int64_t *off, int64_t *hwm, int64_t *lag)
{
	struct kw_obs *w = (struct kw_obs *)o;
	struct kw_obs_lag_key lk;
	int rc;

	memset(&lk, 0, sizeof(lk));
	strncpy(lk.group, group, sizeof(lk.group) - 1);
	strncpy(lk.topic, topic, sizeof(lk.topic) - 1);
	lk.partition = partition;
	pthread_mutex_lock(&w->lock);
	rc = kw_obs_lag_locked(o, of, &lk, off, hwm, lag);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int
kw_obs_lag(const struct kw_obs *o, const char *group, const char *topic, int32_t partition,
	   int64_t *committed, int64_t *hwm, int64_t *lag)
{
	return lag_of(o, KW_OBS_LAG_COMMITTED, group, topic, partition, committed, hwm, lag);
}

int
kw_obs_position(const struct kw_obs *o, const char *group, const char *topic, int32_t partition,
		int64_t *position, int64_t *hwm, int64_t *lag)
{
	return lag_of(o, KW_OBS_LAG_POSITION, group, topic, partition, position, hwm, lag);
}

uint32_t
kw_obs_group_lags(const struct kw_obs *o, enum kw_obs_lag_of of, const char *group,
		  struct kw_obs_part_lag *out, uint32_t n, int64_t *total, uint32_t *known)
{
	const struct kw_bmap *m = &o->lag[of];
	uint32_t i, j, got = 0;
	struct kw_obs_part_lag x;

	*total = 0;
	*known = 0;
	for (i = 0; i < m->used; i++) {
		const struct kw_obs_lag_key *lk = kw_bmap_key(m, i);
		int64_t c, h;

		if (!lag_key_of(lk, group) || kw_obs_lag_locked(o, of, lk, &c, &h, &x.lag) != 0)
			continue;
		x.key = lk;
		(*known)++;
		if (x.lag > 0 && __builtin_add_overflow(*total, x.lag, total))
			*total = INT64_MAX;
		/* keep the n largest lags, largest first */
		if (got == n && (n == 0 || out[n - 1].lag >= x.lag))
			continue;
		j = got < n ? got++ : n - 1;
		while (j > 0 && out[j - 1].lag < x.lag) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
	return got;
}

const struct kw_obs_lat *
kw_obs_latency(const struct kw_obs *o, int api_key)
{
	if (api_key < 0 || api_key > KW_KAFKA_API_MAX_KEY)
		return NULL;
	return &o->lat[api_key];
}

const struct kw_obs_counters *
kw_obs_counters(const struct kw_obs *o)
{
	return &o->ctr;
}

static const char *const dim_title[KW_OBS_DIMS] = {
	[KW_OBS_CLIENT] = "client ids",
	[KW_OBS_PRINCIPAL] = "principals",
	[KW_OBS_TOPIC] = "topics",
	[KW_OBS_GROUP] = "consumer groups",
	[KW_OBS_SOFTWARE] = "client software",
};

#define REPORT_TOP 10

/* Whether lk (a commit) has no lag: no high watermark of its partition seen. */
static bool
commit_unlagged(const struct kw_obs *o, const struct kw_obs_lag_key *lk, const char *group)
{
	int64_t c, h, lag;

	return lag_key_of(lk, group) &&
	       kw_obs_lag_locked(o, KW_OBS_LAG_COMMITTED, lk, &c, &h, &lag) == -ENODATA;
}

/*
 * A group's commits whose lag is not known (no high watermark seen, as in a capture without the
 * partition's Fetches and Produces): how many, and the first KW_OBS_TEL_LAG of them, to f.
 */
static void
report_commits(const struct kw_obs *o, const char *group, FILE *f)
{
	const struct kw_bmap *m = &o->lag[KW_OBS_LAG_COMMITTED];
	uint32_t i, n = 0;

	for (i = 0; i < m->used; i++)
		n += commit_unlagged(o, kw_bmap_key(m, i), group);
	if (n == 0)
		return;
	fprintf(f, "    committed %u partitions, no high watermark seen\n", n);
	for (i = 0, n = 0; i < m->used && n < KW_OBS_TEL_LAG; i++) {
		const struct kw_obs_lag_key *lk = kw_bmap_key(m, i);

		if (!commit_unlagged(o, lk, group))
			continue;
		fprintf(f, "    committed %s[%d] %ld\n", lk->topic, (int)lk->partition,
			(long)o->lag_off[KW_OBS_LAG_COMMITTED][i]);
		n++;
	}
}

/* Counter name of value v on the report's lag line, unless 0; whether the line has begun. */
static bool
report_lag_counter(FILE *f, const char *name, uint64_t v, bool begun)
{
	if (v == 0)
		return begun;
	fprintf(f, "%s %s %lu", begun ? "" : "consumer lag:", name, (unsigned long)v);
	return true;
}

/*
 * The consumer lag counters that are not 0, on one line: what became of the commits, high
 * watermarks and positions seen, which tells why a partition is or is not in the lags above.
 */
static void
report_lag_counters(const struct kw_obs_counters *k, FILE *f)
{
	bool begun = false;

#define LAG_CTR(n) begun = report_lag_counter(f, #n, k->n, begun);
	KW_OBS_LAG_COUNTERS(LAG_CTR)
#undef LAG_CTR
	if (begun)
		fputc('\n', f);
}

void
kw_obs_report(const struct kw_obs *o, FILE *f)
{
	struct kw_obs *w = (struct kw_obs *)o;
	struct kw_obs_part_lag lags[KW_OBS_TEL_LAG];
	uint32_t idx[REPORT_TOP], n, nl, i, j, known;
	enum kw_obs_lag_of of;
	unsigned int d;
	int64_t total;
	int a;

	pthread_mutex_lock(&w->lock);
	fprintf(f, "kafka: %lu request/response pairs, %lu logged\n", (unsigned long)o->ctr.records,
		(unsigned long)o->ctr.logged);
	for (d = 0; d < KW_OBS_DIMS; d++) {
		const struct kw_topk *t = &o->dim[d];

		n = kw_topk_sorted(t, idx, REPORT_TOP);
		if (n == 0)
			continue;
		fprintf(f, "top %s (of %lu requests%s):\n", dim_title[d],
			(unsigned long)t->total[KW_OBS_REQUESTS],
			t->evictions ? ", counts are upper bounds within +err" : "");
		for (i = 0; i < n; i++) {
			const uint64_t *v = t->v[idx[i]];

			fprintf(f,
				"  %-32s requests %lu (+err %lu) in %lu B out %lu B records %lu "
				"errors %lu",
				kw_topk_key(t, idx[i]), (unsigned long)v[KW_OBS_REQUESTS],
				(unsigned long)t->err[idx[i]], (unsigned long)v[KW_OBS_BYTES_IN],
				(unsigned long)v[KW_OBS_BYTES_OUT],
				(unsigned long)v[KW_OBS_RECORDS], (unsigned long)v[KW_OBS_ERRORS]);
			if (kw_obs_dim_conns((enum kw_obs_dim)d))
				fprintf(f, " connections %lu",
					(unsigned long)v[KW_OBS_CONNECTIONS]);
			fputc('\n', f);
			if (o->ctr.rate_windows != 0) {
				struct kw_obs_stats st;
				unsigned int m;

				/* the window in progress too: the last of a capture never ends */
				kw_obs_rates_locked(o, (enum kw_obs_dim)d, idx[i], &st);
				for (m = 0; m < KW_OBS_METRICS; m++)
					st.peak_per_s[m] = RTE_MAX(st.peak_per_s[m],
								   per_s(o, t->win[idx[i]][m]));
				fprintf(f,
					"    peak of %.3g s windows, per second: requests %lu "
					"in %lu B out %lu B records %lu",
					(double)o->p.rate_window_ns / 1e9,
					(unsigned long)st.peak_per_s[KW_OBS_REQUESTS],
					(unsigned long)st.peak_per_s[KW_OBS_BYTES_IN],
					(unsigned long)st.peak_per_s[KW_OBS_BYTES_OUT],
					(unsigned long)st.peak_per_s[KW_OBS_RECORDS]);
				if (kw_obs_dim_conns((enum kw_obs_dim)d))
					fprintf(f, " connections %lu",
						(unsigned long)st.peak_per_s[KW_OBS_CONNECTIONS]);
				fputc('\n', f);
			}
			if (d != KW_OBS_GROUP)
				continue;
			for (of = KW_OBS_LAG_COMMITTED; of <= KW_OBS_LAG_POSITION; of++) {
				const char *what =
					of == KW_OBS_LAG_POSITION ? "position lag" : "lag";

				nl = kw_obs_group_lags(o, of, kw_topk_key(t, idx[i]), lags,
						       KW_OBS_TEL_LAG, &total, &known);
				if (nl != 0)
					fprintf(f, "    %s total %ld (%u partitions)\n", what,
						(long)total, known);
				for (j = 0; j < nl; j++)
					fprintf(f, "    %s %s[%d] %ld\n", what, lags[j].key->topic,
						(int)lags[j].key->partition, (long)lags[j].lag);
				if (of == KW_OBS_LAG_COMMITTED)
					report_commits(o, kw_topk_key(t, idx[i]), f);
			}
		}
	}
	report_lag_counters(&o->ctr, f);
	for (a = 0; a <= KW_KAFKA_API_MAX_KEY; a++) {
		const struct kw_obs_lat *h = &o->lat[a];

		if (h->count == 0)
			continue;
		fprintf(f,
			"latency %s (%d): %lu responses, mean %.1f us, p50 %.1f us, p99 %.1f us, "
			"max %.1f us\n",
			o->lat_name[a] ? o->lat_name[a] : "?", a, (unsigned long)h->count,
			(double)h->sum_ns / (double)h->count / 1e3,
			(double)kw_obs_lat_quantile(h, 0.5) / 1e3,
			(double)kw_obs_lat_quantile(h, 0.99) / 1e3, (double)h->max_ns / 1e3);
	}
	pthread_mutex_unlock(&w->lock);
}
