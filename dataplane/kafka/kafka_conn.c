/* SPDX-License-Identifier: BSD-3-Clause */
/* Kafka ctx and connection pool: the only part of the decoder that allocates (at init). */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "dataplane/kafka/kafka_decode.h"

struct kw_kafka_ctx *
kw_kafka_ctx_create(const struct kw_kafka_params *params, int socket, kw_kafka_emit_fn emit,
		    void *emit_arg)
{
	struct kw_kafka_ctx *ctx;
	uint32_t n = params && params->max_conns ? params->max_conns : KW_KAFKA_DEFAULT_MAX_CONNS;

	ctx = rte_zmalloc_socket("kw_kafka_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE, socket);
	if (ctx == NULL)
		return NULL;
	ctx->pool = rte_zmalloc_socket("kw_kafka_conns", (size_t)n * sizeof(*ctx->pool),
				       RTE_CACHE_LINE_SIZE, socket);
	if (ctx->pool == NULL)
		goto fail_ctx;
	ctx->params.max_frame = params && params->max_frame ? params->max_frame :
				KW_KAFKA_DEFAULT_MAX_FRAME;
	ctx->params.max_conns = n;
	ctx->n_conns = n;
	ctx->emit = emit;
	ctx->emit_arg = emit_arg;
	for (uint32_t i = n; i-- > 0;) {
		ctx->pool[i].next_free = ctx->free_list;
		ctx->free_list = &ctx->pool[i];
	}
	return ctx;

fail_ctx:
	rte_free(ctx);
	return NULL;
}

void
kw_kafka_ctx_destroy(struct kw_kafka_ctx *ctx)
{
	if (ctx == NULL)
		return;
	rte_free(ctx->pool);
	rte_free(ctx);
}

const struct kw_kafka_counters *
kw_kafka_ctx_counters(const struct kw_kafka_ctx *ctx)
{
	return &ctx->cnt;
}

struct kw_kafka_conn *
kw_kafka_conn_alloc(struct kw_kafka_ctx *ctx)
{
	struct kw_kafka_conn *conn = ctx->free_list;

	if (conn == NULL) {
		ctx->cnt.conn_alloc_fail++;
		return NULL;
	}
	ctx->free_list = conn->next_free;
	conn->next_free = NULL;
	conn->in_use = 1;
	kw_kafka_conn_reset(conn);
	return conn;
}

void
kw_kafka_conn_free(struct kw_kafka_ctx *ctx, struct kw_kafka_conn *conn)
{
	if (conn == NULL || !conn->in_use)
		return;
	kw_kafka_conn_flush(ctx, conn);
	conn->in_use = 0;
	conn->next_free = ctx->free_list;
	ctx->free_list = conn;
}
