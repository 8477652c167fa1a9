/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up for any DPDK PMD: a mempool per port, one TX queue per worker (or a single one
 * that one worker owns when the PMD has fewer), and either one RX
 * queue per worker with symmetric RSS (both directions of a flow hash to the same queue) or a
 * single RX queue that a worker fans out in software. Transparent: no offloads that change
 * frames, VLAN tags kept, promiscuous where the PMD allows it.
 *
 * Called from the main lcore at start and exit only; owns the per-port mempools.
 */
#ifndef KW_PORT_H
#define KW_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "control/config.h"

struct kw_rss_map;

/* Toeplitz key whose 16-bit pattern repeats, so hash(src, dst) == hash(dst, src). */
#define KW_PORT_RSS_KEY_WORD 0x6d5a
#define KW_PORT_RSS_KEY_MAX 64

struct kw_port {
	uint16_t id;
	uint16_t peer;     /* bridge peer port id */
	uint16_t nb_rxq;
	uint16_t nb_txq;
	bool rss;          /* nb_rxq == workers and symmetric RSS is on */
	bool lsc_intr;     /* the PMD reports link changes by interrupt */
	bool rx_timestamp; /* in: ask for RX timestamps (captures); out: the PMD gives them */
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[64];
	struct rte_mempool *pool;
	struct kw_rss_map *rss_map; /* when rss: how flows reach queues (dataplane/worker.h) */
	/* link state as the control thread last saw it */
	uint8_t link_up;
	uint32_t link_speed;
	uint64_t link_changes;
};

/* Fill key (len bytes, even) with the symmetric Toeplitz pattern. */
void kw_port_rss_key_fill(uint8_t *key, unsigned int len);

/*
 * Configure and start port p->id for n_workers workers under cfg->dispatch. Fills the rest of p.
 * Returns 0, -ENOTSUP (rss required but not available) or another -errno,
 * with a reason in err.
 */
int kw_port_setup(struct kw_port *p, uint16_t n_workers, const struct kw_config *cfg, char *err,
		  size_t err_len);

/* Stop and close the port (flushes PMD output such as pcap files), free its pool. */
void kw_port_teardown(struct kw_port *p);

/* Poll the link; returns true when it changed since the last call (counted in p->link_changes). */
bool kw_port_link_poll(struct kw_port *p);

#endif /* KW_PORT_H */
