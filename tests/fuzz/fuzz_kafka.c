/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the Kafka stream decoder: arbitrary bytes, cut into pieces of
 * fuzzer-chosen sizes, fed alternately to the two directions of one connection.
 *
 * Input: byte 0 = n (low 4 bits: count of split bytes, bit 4: gap on dir 1 at the end); then n
 * split bytes, each (dir << 7 | size - 1); the rest is the data, taken piece by piece with the
 * split bytes used in turn (no split bytes: half to each direction). The decoder must never
 * crash, read outside the piece, or keep state that outlives the conn (ASan and UBSan check).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kw_test_eal.h"

#include "dataplane/kafka/kafka_conn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kw_kafka_ctx *g_ctx;
static uint64_t g_events;

static void
on_emit(void *arg, const struct kw_kafka_event *ev)
{
	(void)arg;
	/* Touch what a consumer reads, so that ASan sees any bad index. */
	g_events += ev->n_topics + ev->n_offsets + ev->topics[0].len;
	for (unsigned int i = 0; i < ev->n_offsets; i++) {
		uint8_t t = ev->offsets[i].topic;
		if ((t & 0x80) ? (t & 0x7f) >= ev->n_topic_ids : t >= ev->n_topics)
			abort(); /* an offset must name a kept topic */
	}
	if (ev->n_topics > KW_KAFKA_EV_TOPICS || ev->n_topic_ids > KW_KAFKA_EV_TOPIC_IDS ||
	    ev->n_errors > KW_KAFKA_EV_ERRORS || ev->n_offsets > KW_KAFKA_EV_OFFSETS)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kw_kafka_params p = {.max_conns = 1, .max_frame = 1u << 20};

	(void)argc;
	(void)argv;
	if (kw_test_eal_init() < 0)
		abort();
	g_ctx = kw_kafka_ctx_create(&p, 0, on_emit, NULL);
	if (g_ctx == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kw_kafka_conn *c;
	uint64_t off[2] = {0, 0};
	const uint8_t *split;
	unsigned int nsplit, i = 0;

	if (size < 1)
		return 0;
	nsplit = data[0] & 0x0f;
	if (size < 1 + (size_t)nsplit)
		return 0;
	split = data + 1;
	c = kw_kafka_conn_alloc(g_ctx);
	if (c == NULL)
		abort(); /* the single conn is always given back */
	const uint8_t *p = data + 1 + nsplit;
	size_t left = size - 1 - nsplit;
	if (nsplit == 0) {
		size_t half = left / 2;
		kw_kafka_conn_feed(g_ctx, c, 0, 0, p, (uint32_t)half, 1);
		kw_kafka_conn_feed(g_ctx, c, 1, 0, p + half, (uint32_t)(left - half), 2);
		left = 0;
	}
	while (left) {
		uint8_t s = split[i++ % nsplit];
		unsigned int dir = s >> 7;
		size_t n = (size_t)(s & 0x7f) + 1;

		if (n > left)
			n = left;
		kw_kafka_conn_feed(g_ctx, c, dir, off[dir], p, (uint32_t)n, i);
		off[dir] += n;
		p += n;
		left -= n;
	}
	if (data[0] & 0x10)
		kw_kafka_conn_gap(g_ctx, c, 1);
	kw_kafka_conn_free(g_ctx, c);
	return 0;
}
