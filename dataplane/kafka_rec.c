/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include <rte_common.h>

#include "dataplane/kafka/kafka_records.h"
#include "dataplane/kafka_rec.h"

/* The event's scalars before its names, and those between its names and its lists. */
#define HEAD1_AT  offsetof(struct kw_kafka_event, api_name)
#define HEAD1_LEN (offsetof(struct kw_kafka_event, client_id) - HEAD1_AT)
#define HEAD2_AT  offsetof(struct kw_kafka_event, topic_count)
#define HEAD2_LEN (offsetof(struct kw_kafka_event, parts) - HEAD2_AT)
#define IN_HEAD2(m)                                                                                \
	(offsetof(struct kw_kafka_event, m) >= HEAD2_AT &&                                         \
	 offsetof(struct kw_kafka_event, m) < HEAD2_AT + HEAD2_LEN)
_Static_assert(IN_HEAD2(n_offsets) && IN_HEAD2(n_rfields) && IN_HEAD2(n_broker_ids) &&
		       IN_HEAD2(n_parts) && IN_HEAD2(n_groups) && IN_HEAD2(groups_failed),
	       "the packed lists are counted by the second head");

/* Most bytes a pair packs to: heads, every name at its longest, every list full. */
#define NAMES_MAX (3 + KW_KAFKA_EV_TOPICS + KW_KAFKA_EV_GROUPS + KW_KAFKA_REC_ID_N)
#define OFFSETS_MAX (KW_KAFKA_EV_OFFSETS * sizeof(struct kw_kafka_ev_offset))
#define RFIELDS_MAX (KW_KAFKA_EV_RFIELDS * sizeof(struct kw_kafka_ev_rfield))
#define BROKERS_MAX (KW_KAFKA_EV_BROKERS * sizeof(int32_t))
#define PART_PACKED 5 /* a partition entry packed: topic ref, index */
#define PARTS_MAX   (KW_KAFKA_EV_PARTS * PART_PACKED)
#define LISTS_MAX                                                                                  \
	(KW_KAFKA_EV_TOPIC_IDS * 16 + OFFSETS_MAX + RFIELDS_MAX + BROKERS_MAX + PARTS_MAX)
#define PACKED_MAX (HEAD1_LEN + HEAD2_LEN + NAMES_MAX * (3 + KW_KAFKA_NAME_MAX - 1) + LISTS_MAX)
_Static_assert(PACKED_MAX <= sizeof(struct kw_kafka_rec) - offsetof(struct kw_kafka_rec, ev),
	       "a packed pair must fit the space its unpacked fields take");
_Static_assert(RTE_IS_POWER_OF_2(KW_KAFKA_NAME_MAX), "str_pack bounds a name's length by a mask");
_Static_assert(offsetof(struct kw_kafka_str, len) == 0 &&
		       offsetof(struct kw_kafka_str, trunc) == 1 &&
		       offsetof(struct kw_kafka_str, null) == 2 &&
		       KW_KAFKA_STR_HEAD <= 3 + KW_KAFKA_NAME_MAX - 1,
	       "a packed name is laid out as a kw_kafka_str's head, within a name's room");

/*
 * The scalars of a pair packed for the statistics (kw_kafka_rec_pack_stats), without padding.
 * records is the larger of the walked and the claimed record counts, all the statistics read.
 */
struct stats_head {
	const char *api_name;
	uint64_t latency_tsc;
	int16_t api_key;
	int16_t api_version;
	uint32_t flags;
	uint32_t req_len;
	uint32_t resp_len;
	uint32_t error_count;
	uint32_t records;
	uint8_t n_topics;
	uint8_t n_topic_ids;
	uint8_t n_offsets;
	uint8_t n_groups;
	uint8_t groups_failed;
	uint8_t family; /* 0, or 4 or 6: the client's address follows (kw_kafka_rec_stats_addr) */
} __attribute__((packed));

/* Bytes of a client address a statistics pair of this family carries. */
static inline unsigned int
addr_len(uint8_t family)
{
	return family == 0 ? 0 : family == 4 ? 4 : 16;
}

/* A statistics pair starts where the endpoints would be: the statistics do not read them. */
#define STATS_AT offsetof(struct kw_kafka_rec, client)
#define STATS_NAMES_MAX (5 + KW_KAFKA_EV_TOPICS + KW_KAFKA_EV_GROUPS)
#define STATS_MAX                                                                                  \
	(sizeof(struct stats_head) + 16 + 8 + STATS_NAMES_MAX * (3 + KW_KAFKA_NAME_MAX - 1) +      \
	 KW_KAFKA_EV_TOPIC_IDS * 16 + OFFSETS_MAX)
_Static_assert(STATS_MAX <= sizeof(struct kw_kafka_rec) - STATS_AT,
	       "a pair packed for the statistics must fit its record");

/*
 * The rest of a name longer than the head, through a call to memcpy: inlined, GCC expands a
 * copy it knows is at most KW_KAFKA_NAME_MAX bytes into rep movsq, whose start-up costs more
 * than the call (a quarter of kw_kafka_rec_pack's samples once sat on the instruction after it,
 * on the 10 k replay, when every name was copied this way).
 */
static __rte_noinline void
name_copy(uint8_t *dst, const char *src, unsigned int len)
{
	memcpy(dst, src, len);
}

/*
 * A name packed as its length, flags and bytes, which is how a kw_kafka_str begins: the head is
 * copied whole (a short name in one fixed-size copy, no call), a longer name's rest by length.
 * The head copy may write past a short packed name, never past the longest name's room, and
 * what follows is written after it. Packing a pair took 364 instructions before, 280 after
 * (callgrind, a Produce-like pair; 368 -> 248 without lists).
 */
static inline uint8_t *
str_pack(uint8_t *b, const struct kw_kafka_str *s)
{
	const unsigned int head = KW_KAFKA_STR_HEAD - offsetof(struct kw_kafka_str, s);
	/*
	 * The same as RTE_MIN(s->len, KW_KAFKA_NAME_MAX - 1) for every len a kw_kafka_str may
	 * have, and as safe for any other, without the compare and move the minimum took
	 * (kw_kafka_rec_pack_stats: 198 -> 176 instructions a pair on the 1k replay).
	 */
	size_t len = s->len & (KW_KAFKA_NAME_MAX - 1);

	memcpy(b, s, KW_KAFKA_STR_HEAD);
	b[0] = (uint8_t)len;
	if (len > head)
		name_copy(b + KW_KAFKA_STR_HEAD, s->s + head, len - head);
	return b + offsetof(struct kw_kafka_str, s) + len;
}

/* A list's entries; most pairs carry no entry of most lists, and those cost no call. */
static inline uint8_t *
list_pack(uint8_t *b, const void *src, size_t len)
{
	if (len != 0)
		memcpy(b, src, len);
	return b + len;
}

static inline const uint8_t *
str_unpack(const uint8_t *b, struct kw_kafka_str *s)
{
	s->len = b[0];
	s->trunc = b[1];
	s->null = b[2];
	memcpy(s->s, b + 3, s->len);
	s->s[s->len] = '\0';
	return b + 3 + s->len;
}

/* The entries list_pack wrote, len bytes. */
static inline const uint8_t *
list_unpack(const uint8_t *b, void *dst, size_t len)
{
	memcpy(dst, b, len);
	return b + len;
}

/* The topic names, then the group ids a response named: names both kinds of pair carry. */
static inline uint8_t *
names_pack(uint8_t *b, const struct kw_kafka_event *ev)
{
	unsigned int i, n = kw_kafka_ev_list_n(ev->n_topics, KW_KAFKA_EV_TOPICS);

	for (i = 0; i < n; i++)
		b = str_pack(b, &ev->topics[i]);
	n = kw_kafka_ev_list_n(ev->n_groups, KW_KAFKA_EV_GROUPS);
	for (i = 0; i < n; i++)
		b = str_pack(b, &ev->groups[i]);
	return b;
}

/* What names_pack wrote, below ev's counts. */
static inline const uint8_t *
names_unpack(const uint8_t *b, struct kw_kafka_event *ev)
{
	unsigned int i, n = kw_kafka_ev_list_n(ev->n_topics, KW_KAFKA_EV_TOPICS);

	for (i = 0; i < n; i++)
		b = str_unpack(b, &ev->topics[i]);
	n = kw_kafka_ev_list_n(ev->n_groups, KW_KAFKA_EV_GROUPS);
	for (i = 0; i < n; i++)
		b = str_unpack(b, &ev->groups[i]);
	return b;
}

/* The topic ids, then the offsets: lists both kinds of pair carry, the one after the other. */
static inline uint8_t *
ids_offsets_pack(uint8_t *b, const struct kw_kafka_event *ev)
{
	unsigned int n = kw_kafka_ev_list_n(ev->n_topic_ids, KW_KAFKA_EV_TOPIC_IDS);

	b = list_pack(b, ev->topic_ids, n * 16u);
	n = kw_kafka_ev_list_n(ev->n_offsets, KW_KAFKA_EV_OFFSETS);
	return list_pack(b, ev->offsets, n * sizeof(ev->offsets[0]));
}

/* What ids_offsets_pack wrote, below ev's counts. */
static inline const uint8_t *
ids_offsets_unpack(const uint8_t *b, struct kw_kafka_event *ev)
{
	unsigned int n = kw_kafka_ev_list_n(ev->n_topic_ids, KW_KAFKA_EV_TOPIC_IDS);

	b = list_unpack(b, ev->topic_ids, n * 16u);
	n = kw_kafka_ev_list_n(ev->n_offsets, KW_KAFKA_EV_OFFSETS);
	return list_unpack(b, ev->offsets, n * sizeof(ev->offsets[0]));
}

void
kw_kafka_rec_pack(struct kw_kafka_rec *r, const struct kw_kafka_event *ev,
		  const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N])
{
	uint8_t *b = (uint8_t *)&r->ev;
	unsigned int i, n;

	memcpy(b, (const char *)ev + HEAD1_AT, HEAD1_LEN);
	b += HEAD1_LEN;
	memcpy(b, (const char *)ev + HEAD2_AT, HEAD2_LEN);
	b += HEAD2_LEN;
	b = str_pack(b, &ev->client_id);
	b = str_pack(b, &ev->group_id);
	b = str_pack(b, &ev->txn_id);
	b = names_pack(b, ev);
	for (i = 0; i < KW_KAFKA_REC_ID_N; i++)
		b = str_pack(b, id[i]);
	/* the lists from the offsets on are counted by the second head (n_offsets .. n_parts) */
	b = ids_offsets_pack(b, ev);
	n = kw_kafka_ev_list_n(ev->n_rfields, KW_KAFKA_EV_RFIELDS);
	b = list_pack(b, ev->rfields, n * sizeof(ev->rfields[0]));
	n = kw_kafka_ev_list_n(ev->n_broker_ids, KW_KAFKA_EV_BROKERS);
	b = list_pack(b, ev->broker_ids, n * sizeof(ev->broker_ids[0]));
	/* partition entries as topic ref and index, without the struct's padding */
	n = kw_kafka_ev_list_n(ev->n_parts, KW_KAFKA_EV_PARTS);
	for (i = 0; i < n; i++, b += PART_PACKED) {
		b[0] = ev->parts[i].topic;
		memcpy(b + 1, &ev->parts[i].partition, sizeof(int32_t));
	}
	r->kind = KW_KAFKA_REC_PACKED;
}

void
kw_kafka_rec_pack_stats_client(struct kw_kafka_rec *r, const struct kw_kafka_event *ev,
			       const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N],
			       uint8_t family, const uint8_t *client)
{
	uint8_t *b = (uint8_t *)r + STATS_AT;
	const struct stats_head h = {
		.api_name = ev->api_name,
		.latency_tsc = ev->latency_tsc,
		.api_key = ev->api_key,
		.api_version = ev->api_version,
		.flags = ev->flags,
		.req_len = ev->req_len,
		.resp_len = ev->resp_len,
		.error_count = ev->error_count,
		.records = RTE_MAX(ev->records.records, ev->records.records_hdr),
		.n_topics = ev->n_topics,
		.n_topic_ids = ev->n_topic_ids,
		.n_offsets = ev->n_offsets,
		.n_groups = ev->n_groups,
		.groups_failed = ev->groups_failed,
		.family = family,
	};

	memcpy(b, &h, sizeof(h));
	b += sizeof(h);
	if (family != 0) {
		/* one fixed copy; what follows overwrites the rest */
		memcpy(b, client, 16);
		b += addr_len(family);
	}
	if (kw_kafka_rec_stats_pid(ev->api_key)) {
		memcpy(b, &ev->producer_id, sizeof(ev->producer_id));
		b += sizeof(ev->producer_id);
	}
	b = str_pack(b, &ev->client_id);
	b = str_pack(b, &ev->group_id);
	b = str_pack(b, id[KW_KAFKA_REC_ID_PRINCIPAL]);
	b = str_pack(b, id[KW_KAFKA_REC_ID_SW_NAME]);
	b = str_pack(b, id[KW_KAFKA_REC_ID_SW_VERSION]);
	b = names_pack(b, ev);
	ids_offsets_pack(b, ev);
	r->kind = KW_KAFKA_REC_STATS;
}

void
kw_kafka_rec_pack_stats(struct kw_kafka_rec *r, const struct kw_kafka_event *ev,
			const struct kw_kafka_str *const id[KW_KAFKA_REC_ID_N])
{
	uint8_t family = kw_kafka_rec_stats_addr(ev->api_key) && (r->family == 4 || r->family == 6)
				 ? r->family
				 : 0;
	uint8_t client[16];

	/* the address is where the pair is written: read it first */
	memcpy(client, r->client, sizeof(client));
	kw_kafka_rec_pack_stats_client(r, ev, id, family, client);
}

/* A statistics pair into out: what it carries, and none for everything else. */
static void
unpack_stats(struct kw_kafka_rec *out, const uint8_t *b)
{
	struct kw_kafka_event *ev = &out->ev;
	struct stats_head h;

	memcpy(&h, b, sizeof(h));
	b += sizeof(h);
	/* the scalars and the three names; lists are read below their counts only */
	memset(ev, 0, offsetof(struct kw_kafka_event, parts));
	ev->throttle_ms = -1;
	ev->producer_id = -1;
	kw_kafka_records_sum_init(&ev->records);
	memset(&out->principal, 0, offsetof(struct kw_kafka_rec, sw_version) +
					   sizeof(out->sw_version) -
					   offsetof(struct kw_kafka_rec, principal));
	ev->api_name = h.api_name;
	ev->latency_tsc = h.latency_tsc;
	ev->api_key = h.api_key;
	ev->api_version = h.api_version;
	ev->flags = h.flags;
	ev->req_len = h.req_len;
	ev->resp_len = h.resp_len;
	ev->error_count = h.error_count;
	ev->records.records = h.records;
	ev->n_topics = h.n_topics;
	ev->n_topic_ids = h.n_topic_ids;
	ev->n_offsets = h.n_offsets;
	ev->n_groups = h.n_groups;
	ev->groups_failed = h.groups_failed;
	out->family = h.family;
	memcpy(out->client, b, addr_len(h.family));
	b += addr_len(h.family);
	if (kw_kafka_rec_stats_pid(h.api_key)) {
		memcpy(&ev->producer_id, b, sizeof(ev->producer_id));
		b += sizeof(ev->producer_id);
	}
	b = str_unpack(b, &ev->client_id);
	b = str_unpack(b, &ev->group_id);
	b = str_unpack(b, &out->principal);
	b = str_unpack(b, &out->sw_name);
	b = str_unpack(b, &out->sw_version);
	b = names_unpack(b, ev);
	ids_offsets_unpack(b, ev);
}

void
kw_kafka_rec_unpack(struct kw_kafka_rec *out, const struct kw_kafka_rec *r)
{
	const uint8_t *b = (const uint8_t *)&r->ev;
	struct kw_kafka_event *ev = &out->ev;
	struct kw_kafka_str *id[KW_KAFKA_REC_ID_N] = {
		[KW_KAFKA_REC_ID_PRINCIPAL] = &out->principal,
		[KW_KAFKA_REC_ID_MECHANISM] = &out->mechanism,
		[KW_KAFKA_REC_ID_SW_NAME] = &out->sw_name,
		[KW_KAFKA_REC_ID_SW_VERSION] = &out->sw_version,
	};
	unsigned int i, n;

	/* flow and times: every field before the union */
	memcpy(out, r, offsetof(struct kw_kafka_rec, ev));
	out->kind = KW_KAFKA_REC_EVENT;
	if (r->kind == KW_KAFKA_REC_STATS) {
		out->family = 0;
		memset(out->client, 0, offsetof(struct kw_kafka_rec, ev) - STATS_AT);
		unpack_stats(out, (const uint8_t *)r + STATS_AT);
		return;
	}
	memcpy((char *)ev + HEAD1_AT, b, HEAD1_LEN);
	b += HEAD1_LEN;
	memcpy((char *)ev + HEAD2_AT, b, HEAD2_LEN);
	b += HEAD2_LEN;
	b = str_unpack(b, &ev->client_id);
	b = str_unpack(b, &ev->group_id);
	b = str_unpack(b, &ev->txn_id);
	b = names_unpack(b, ev);
	for (i = 0; i < KW_KAFKA_REC_ID_N; i++)
		b = str_unpack(b, id[i]);
	b = ids_offsets_unpack(b, ev);
	n = kw_kafka_ev_list_n(ev->n_rfields, KW_KAFKA_EV_RFIELDS);
	b = list_unpack(b, ev->rfields, n * sizeof(ev->rfields[0]));
	n = kw_kafka_ev_list_n(ev->n_broker_ids, KW_KAFKA_EV_BROKERS);
	b = list_unpack(b, ev->broker_ids, n * sizeof(ev->broker_ids[0]));
	n = kw_kafka_ev_list_n(ev->n_parts, KW_KAFKA_EV_PARTS);
	for (i = 0; i < n; i++, b += PART_PACKED) {
		ev->parts[i].topic = b[0];
		memcpy(&ev->parts[i].partition, b + 1, sizeof(int32_t));
	}
}
