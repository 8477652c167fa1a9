/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/worker.h"
#include "drivers/port.h"

/* per-lcore mempool cache; DPDK wants it at most n / 1.5 */
#define MBUF_CACHE_MAX 256u

void
kw_port_rss_key_fill(uint8_t *key, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2) {
		key[i] = KW_PORT_RSS_KEY_WORD >> 8;
		key[i + 1] = KW_PORT_RSS_KEY_WORD & 0xff;
	}
}

static bool
rss_usable(const struct rte_eth_dev_info *di, uint16_t n_workers)
{
	/* a redirection table kwire can hold, so that it knows which queue a flow reaches */
	return n_workers > 1 && di->max_rx_queues >= n_workers &&
	       (di->flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP)) != 0 &&
	       di->hash_key_size > 0 && di->hash_key_size <= KW_PORT_RSS_KEY_MAX &&
	       di->reta_size > 0 && di->reta_size <= KW_RSS_RETA_MAX;
}

/*
 * Record how the started port spreads flows over its queues: the key and hash types it was given,
 * and the redirection table, set to queue i % nb_rxq where the PMD takes it (so it is known), else
 * read back. Returns 0 or -errno with a reason in err.
 */
static int
rss_map_fill(struct kw_port *p, const uint8_t *key, unsigned int key_len, uint64_t rss_hf,
	     uint16_t reta_size, int socket, char *err, size_t err_len)
{
	struct rte_eth_rss_reta_entry64 conf[KW_RSS_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	struct kw_rss_map *map;
	unsigned int i, g, e;
	int rc;

	map = rte_zmalloc_socket("kw_rss_map", sizeof(*map), RTE_CACHE_LINE_SIZE, socket);
	if (map == NULL) {
		snprintf(err, err_len, "port %s: no memory for its RSS map", p->name);
		return -ENOMEM;
	}
	memcpy(map->key, key, RTE_MIN(key_len, (unsigned int)sizeof(map->key)));
	map->rss_hf = rss_hf;
	map->reta_size = reta_size;
	memset(conf, 0, sizeof(conf));
	for (i = 0; i < reta_size; i++) {
		g = i / RTE_ETH_RETA_GROUP_SIZE;
		e = i % RTE_ETH_RETA_GROUP_SIZE;
		conf[g].mask |= 1ULL << e;
		conf[g].reta[e] = (uint16_t)(i % p->nb_rxq);
	}
	rc = rte_eth_dev_rss_reta_update(p->id, conf, reta_size);
	if (rc != 0)
		rc = rte_eth_dev_rss_reta_query(p->id, conf, reta_size);
	if (rc != 0) {
		snprintf(err, err_len, "port %s: RSS redirection table neither set nor read: %s",
			 p->name, strerror(-rc));
		rte_free(map);
		return rc;
	}
	for (i = 0; i < reta_size; i++)
		map->reta[i] = conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	p->rss_map = map;
	return 0;
}

int
kw_port_setup(struct kw_port *p, uint16_t n_workers, const struct kw_config *cfg, char *err,
	      size_t err_len)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info di;
	uint8_t key[KW_PORT_RSS_KEY_MAX];
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	int socket, rc;
	uint16_t q, rxd = cfg->rx_desc, txd = cfg->tx_desc;

	rc = rte_eth_dev_info_get(p->id, &di);
	if (rc != 0) {
		snprintf(err, err_len, "port %u: cannot read device info: %s", p->id, strerror(-rc));
		return rc;
	}
	rte_eth_dev_get_name_by_port(p->id, p->name);
	snprintf(p->driver, sizeof(p->driver), "%s", di.driver_name);
	p->rss = false;
	if (n_workers > 1 && cfg->dispatch != KW_DISPATCH_SOFTWARE) {
		p->rss = rss_usable(&di, n_workers);
		if (!p->rss && cfg->dispatch == KW_DISPATCH_RSS) {
			snprintf(err, err_len,
				 "port %s (%s): dispatch: rss needs RSS and %u RX queues; "
				 "it has %u queues, RSS types 0x%" PRIx64,
				 p->name, di.driver_name, n_workers, di.max_rx_queues,
				 di.flow_type_rss_offloads);
			return -ENOTSUP;
		}
	}
	p->nb_rxq = p->rss ? n_workers : 1;
	/* fewer TX queues than workers: one queue, written by its owner only (see worker.h) */
	p->nb_txq = di.max_tx_queues >= n_workers ? n_workers : 1;
	if (p->rss) {
		kw_port_rss_key_fill(key, di.hash_key_size);
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len = di.hash_key_size;
		conf.rx_adv_conf.rss_conf.rss_hf =
			di.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	p->lsc_intr = (*di.dev_flags & RTE_ETH_DEV_INTR_LSC) != 0;
	p->rx_timestamp = p->rx_timestamp && (di.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP);
	if (p->rx_timestamp)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	conf.intr_conf.lsc = p->lsc_intr;

	socket = rte_eth_dev_socket_id(p->id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	snprintf(pool_name, sizeof(pool_name), "kw_pool_%u", p->id);
	p->pool = rte_pktmbuf_pool_create(pool_name, cfg->mbufs_per_port,
					  RTE_MIN(MBUF_CACHE_MAX, cfg->mbufs_per_port / 2u), 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (p->pool == NULL) {
		snprintf(err, err_len, "port %s: cannot create a pool of %u mbufs: %s", p->name,
			 cfg->mbufs_per_port, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = rte_eth_dev_configure(p->id, p->nb_rxq, p->nb_txq, &conf);
	if (rc != 0) {
		snprintf(err, err_len, "port %s: configure failed: %s", p->name, strerror(-rc));
		goto err_pool;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &rxd, &txd);
	if (rc != 0) {
		snprintf(err, err_len, "port %s: descriptor counts rejected: %s", p->name,
			 strerror(-rc));
		goto err_pool;
	}
	for (q = 0; q < p->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->id, q, rxd, socket, NULL, p->pool);
		if (rc != 0) {
			snprintf(err, err_len, "port %s: RX queue %u: %s", p->name, q,
				 strerror(-rc));
			goto err_pool;
		}
	}
	for (q = 0; q < p->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->id, q, txd, socket, NULL);
		if (rc != 0) {
			snprintf(err, err_len, "port %s: TX queue %u: %s", p->name, q,
				 strerror(-rc));
			goto err_pool;
		}
	}
	rc = rte_eth_dev_start(p->id);
	if (rc != 0) {
		snprintf(err, err_len, "port %s: start failed: %s", p->name, strerror(-rc));
		goto err_pool;
	}
	if (p->rss) {
		rc = rss_map_fill(p, key, di.hash_key_size, conf.rx_adv_conf.rss_conf.rss_hf,
				  di.reta_size, socket, err, err_len);
		if (rc != 0) {
			rte_eth_dev_stop(p->id);
			goto err_pool;
		}
	}
	/* a bump in the wire must see frames for every MAC; some PMDs have no such switch */
	if (cfg->promiscuous)
		rte_eth_promiscuous_enable(p->id);
	kw_port_link_poll(p);
	p->link_changes = 0;
	return 0;

err_pool:
	rte_eth_dev_close(p->id);
	rte_mempool_free(p->pool);
	p->pool = NULL;
	return rc < 0 ? rc : -EIO;
}

void
kw_port_teardown(struct kw_port *p)
{
	rte_eth_dev_stop(p->id);
	rte_eth_dev_close(p->id);
	rte_mempool_free(p->pool);
	p->pool = NULL;
	rte_free(p->rss_map);
	p->rss_map = NULL;
}

bool
kw_port_link_poll(struct kw_port *p)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(p->id, &link) != 0)
		return false;
	if (link.link_status == p->link_up && link.link_speed == p->link_speed)
		return false;
	p->link_up = link.link_status;
	p->link_speed = link.link_speed;
	p->link_changes++;
	return true;
}
