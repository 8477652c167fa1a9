/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for flow placement: the symmetric Toeplitz key of drivers/port.c gives both
 * directions of a flow the same RSS hash (DPDK's software Toeplitz as the oracle, the
 * Microsoft default key as a control that is not symmetric), and the software dispatcher's
 * kw_worker_of_key sends both directions to one worker and spreads flows over all workers, and
 * kw_worker_owner names the worker whose queue the NIC fills (DPDK's software Toeplitz again).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>

#include <rte_ip.h>
#include <rte_thash.h>

#include "dataplane/counters.h"
#include "dataplane/pkt.h"
#include "dataplane/worker.h"
#include "drivers/port.h"

#define N_TUPLES 10000
#define N_FLOWS 10000

/* The RSS key of the Microsoft RSS specification, DPDK's usual default: not symmetric. */
static const uint8_t ms_key[40] __rte_aligned(4) = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static uint64_t
xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Toeplitz hash of an IPv4 tuple (host order), with or without the ports. */
static uint32_t
rss_v4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, bool l4, const uint8_t *key)
{
	union rte_thash_tuple t;

	memset(&t, 0, sizeof(t));
	t.v4.src_addr = src;
	t.v4.dst_addr = dst;
	t.v4.sport = sport;
	t.v4.dport = dport;
	return rte_softrss((uint32_t *)&t, l4 ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN, key);
}

/* The same for IPv6 addresses in network order, loaded the way rte_thash.h asks. */
static uint32_t
rss_v6(const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport, bool l4,
       const uint8_t *key)
{
	struct rte_ipv6_hdr ip;
	union rte_thash_tuple t;

	memset(&ip, 0, sizeof(ip));
	memset(&t, 0, sizeof(t));
	memcpy(ip.src_addr, src, 16);
	memcpy(ip.dst_addr, dst, 16);
	rte_thash_load_v6_addrs(&ip, &t);
	t.v6.sport = sport;
	t.v6.dport = dport;
	return rte_softrss((uint32_t *)&t, l4 ? RTE_THASH_V6_L4_LEN : RTE_THASH_V6_L3_LEN, key);
}

/* Tuples out of n_tuples whose hash equals that of the swapped tuple under key. */
static unsigned int
count_symmetric(const uint8_t *key, uint64_t seed)
{
	uint64_t x = seed;
	unsigned int i, k, n_sym = 0;

	for (i = 0; i < N_TUPLES; i++) {
		uint32_t a = (uint32_t)xorshift64(&x), b = (uint32_t)xorshift64(&x);
		uint16_t pa = (uint16_t)xorshift64(&x), pb = (uint16_t)xorshift64(&x);
		uint8_t a6[16], b6[16];
		bool l4 = i % 2 == 0;

		for (k = 0; k < 16; k++) {
			a6[k] = (uint8_t)xorshift64(&x);
			b6[k] = (uint8_t)xorshift64(&x);
		}
		if (rss_v4(a, b, pa, pb, l4, key) == rss_v4(b, a, pb, pa, l4, key) &&
		    rss_v6(a6, b6, pa, pb, l4, key) == rss_v6(b6, a6, pb, pa, l4, key))
			n_sym++;
	}
	return n_sym;
}

static void
test_known_answer(void **state)
{
	/* Microsoft's RSS verification vector: 66.9.149.187:2794 -> 161.142.100.80:1766 */
	const uint32_t src = 0x420995bb, dst = 0xa18e6450; /* RTE_IPV4() shifts an int: UB */

	(void)state;
	/* pins the input format (host order, port placement) the other tests rely on */
	assert_int_equal(rss_v4(src, dst, 2794, 1766, true, ms_key), 0x51ccc178);
	assert_int_equal(rss_v4(src, dst, 2794, 1766, false, ms_key), 0x323e8fc2);
}

static void
test_symmetric_key(void **state)
{
	static const unsigned int lens[] = {40, 52};
	uint8_t key[KW_PORT_RSS_KEY_MAX] __rte_aligned(4);
	unsigned int i, j;

	(void)state;
	for (i = 0; i < RTE_DIM(lens); i++) {
		memset(key, 0, sizeof(key));
		kw_port_rss_key_fill(key, lens[i]);
		for (j = 0; j < lens[i]; j++)
			assert_int_equal(key[j], j % 2 == 0 ? KW_PORT_RSS_KEY_WORD >> 8 :
						     (KW_PORT_RSS_KEY_WORD & 0xff));
		for (; j < sizeof(key); j++)
			assert_int_equal(key[j], 0);
		assert_int_equal(count_symmetric(key, 0x243f6a8885a308d3ull + i), N_TUPLES);
	}
}

static void
test_default_key_not_symmetric(void **state)
{
	(void)state;
	/* a chance match is 2^-32 per hash; a few percent would mean the test cannot fail */
	assert_true(count_symmetric(ms_key, 0x13198a2e03707344ull) < N_TUPLES / 100);
}

/* Parse a TCP frame src:sport -> dst:dport (IPv6 when v6; addresses in network order). */
static void
parse_tcp(bool v6, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
	  struct kw_pkt_info *pi)
{
	uint8_t f[74];
	struct kw_counters ctr;
	unsigned int alen = v6 ? 16 : 4, aoff = v6 ? 22 : 26, l4 = v6 ? 54 : 34;
	unsigned int len = l4 + 20;

	memset(&ctr, 0, sizeof(ctr));
	memset(f, 0, sizeof(f));
	if (v6) {
		f[12] = 0x86;
		f[13] = 0xdd;
		f[14] = 0x60;
		f[19] = 20; /* payload length */
		f[20] = IPPROTO_TCP;
	} else {
		f[12] = 0x08;
		f[14] = 0x45;
		f[17] = 40; /* total length */
		f[23] = IPPROTO_TCP;
	}
	memcpy(f + aoff, src, alen);
	memcpy(f + aoff + alen, dst, alen);
	f[l4] = (uint8_t)(sport >> 8);
	f[l4 + 1] = (uint8_t)sport;
	f[l4 + 2] = (uint8_t)(dport >> 8);
	f[l4 + 3] = (uint8_t)dport;
	f[l4 + 12] = 0x50;
	assert_true(kw_pkt_parse(f, len, len, pi, &ctr));
	assert_int_equal(pi->key.family, v6 ? 6 : 4);
}

/* A random flow: its addresses and ports (host order). */
struct tuple {
	bool v6;
	uint8_t addr[2][16];
	uint16_t port[2];
};

static void
random_tuple(uint64_t *x, struct tuple *t)
{
	unsigned int k;

	memset(t, 0, sizeof(*t));
	t->v6 = xorshift64(x) & 1;
	for (k = 0; k < 16; k++) {
		t->addr[0][k] = (uint8_t)xorshift64(x);
		t->addr[1][k] = (uint8_t)xorshift64(x);
	}
	t->port[0] = (uint16_t)xorshift64(x);
	t->port[1] = (uint16_t)xorshift64(x);
}

/* Parse one TCP frame of a random flow and of its reverse; both keys are returned. */
static void
frames_of_flow(uint64_t *x, struct kw_flow_key *fwd, struct kw_flow_key *rev)
{
	struct kw_pkt_info pi[2];
	struct tuple t;
	unsigned int d;

	random_tuple(x, &t);
	for (d = 0; d < 2; d++)
		parse_tcp(t.v6, t.addr[d], t.addr[!d], t.port[d], t.port[!d], &pi[d]);
	*fwd = pi[0].key;
	*rev = pi[1].key;
}

static void
test_worker_of_key(void **state)
{
	static struct kw_flow_key keys[N_FLOWS];
	unsigned int count[KW_MAX_WORKERS];
	uint64_t x = 0xa4093822299f31d0ull;
	struct kw_flow_key rev;
	uint16_t n, w;
	unsigned int i;

	(void)state;
	for (i = 0; i < N_FLOWS; i++) {
		frames_of_flow(&x, &keys[i], &rev);
		for (n = 2; n <= KW_MAX_WORKERS; n++)
			assert_int_equal(kw_worker_of_key(&keys[i], n), kw_worker_of_key(&rev, n));
	}
	for (n = 2; n <= KW_MAX_WORKERS; n++) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < N_FLOWS; i++) {
			w = kw_worker_of_key(&keys[i], n);
			assert_true(w < n);
			count[w]++;
		}
		for (w = 0; w < n; w++)
			assert_true(count[w] >= N_FLOWS / (2u * n));
	}
}

/* The NIC's view of frame src -> dst of tuple t: Toeplitz hash, then the redirection table. */
static uint16_t
nic_queue(const struct kw_rss_map *map, const struct tuple *t, unsigned int d, bool l4)
{
	uint32_t h, a[2];

	if (t->v6) {
		h = rss_v6(t->addr[d], t->addr[!d], t->port[d], t->port[!d], l4, map->key);
	} else {
		memcpy(&a[0], t->addr[d], 4);
		memcpy(&a[1], t->addr[!d], 4);
		h = rss_v4(rte_be_to_cpu_32(a[0]), rte_be_to_cpu_32(a[1]), t->port[d], t->port[!d],
			   l4, map->key);
	}
	return map->reta[h % map->reta_size];
}

static void
test_owner_known_answer(void **state)
{
	static const uint8_t src[4] = {66, 9, 149, 187}, dst[4] = {161, 142, 100, 80};
	static struct kw_rss_map map;
	struct kw_pkt_info pi;

	(void)state;
	memset(&map, 0, sizeof(map));
	memcpy(map.key, ms_key, sizeof(ms_key));
	map.reta_size = 128;
	/* Microsoft's vector: 0x51ccc178 with the ports, 0x323e8fc2 without; 128-entry RETA */
	map.reta[0x51ccc178 % 128] = 3;
	map.reta[0x323e8fc2 % 128] = 5;
	parse_tcp(false, src, dst, 2794, 1766, &pi);
	map.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	assert_int_equal(kw_worker_owner(&map, &pi.key, pi.dir, 8), 3);
	map.rss_hf = RTE_ETH_RSS_IPV4; /* addresses only */
	assert_int_equal(kw_worker_owner(&map, &pi.key, pi.dir, 8), 5);
	/* no RSS: the software dispatcher's choice */
	assert_int_equal(kw_worker_owner(NULL, &pi.key, pi.dir, 8), kw_worker_of_key(&pi.key, 8));
	assert_int_equal(kw_worker_owner(&map, &pi.key, pi.dir, 1), 0);
}

/*
 * kw_worker_owner picks the queue the NIC would (rte_softrss over the frame's own tuple, then the
 * RETA), in both directions, with the Microsoft key (the direction matters) and the symmetric key
 * (both directions of a flow land on one worker).
 */
static void
test_owner_matches_softrss(void **state)
{
	static struct kw_rss_map map;
	uint64_t x = 0x452821e638d01377ull;
	unsigned int count[KW_MAX_WORKERS];
	const uint16_t n = 4;
	struct kw_pkt_info pi[2];
	unsigned int i, d, k, n_sym;
	struct tuple t;

	(void)state;
	for (k = 0; k < 2; k++) {
		memset(&map, 0, sizeof(map));
		memset(count, 0, sizeof(count));
		n_sym = 0;
		if (k == 0)
			memcpy(map.key, ms_key, sizeof(ms_key));
		else
			kw_port_rss_key_fill(map.key, 40);
		map.reta_size = 128;
		for (i = 0; i < map.reta_size; i++)
			map.reta[i] = (uint16_t)(i % n);
		for (i = 0; i < N_FLOWS; i++) {
			bool l4 = i % 3 != 0;
			uint16_t q[2];

			random_tuple(&x, &t);
			map.rss_hf = l4 ? RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP : RTE_ETH_RSS_IP;
			for (d = 0; d < 2; d++) {
				parse_tcp(t.v6, t.addr[d], t.addr[!d], t.port[d], t.port[!d], &pi[d]);
				q[d] = kw_worker_owner(&map, &pi[d].key, pi[d].dir, n);
				assert_int_equal(q[d], nic_queue(&map, &t, d, l4));
			}
			n_sym += q[0] == q[1];
			count[q[0]]++;
		}
		if (k == 1)
			assert_int_equal(n_sym, N_FLOWS);
		else
			assert_true(n_sym < N_FLOWS / 2); /* 1/4 by chance with 4 queues */
		for (i = 0; i < n; i++)
			assert_true(count[i] >= N_FLOWS / (2u * n));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_symmetric_key),
		cmocka_unit_test(test_default_key_not_symmetric),
		cmocka_unit_test(test_worker_of_key),
		cmocka_unit_test(test_owner_known_answer),
		cmocka_unit_test(test_owner_matches_softrss),
	};

	return cmocka_run_group_tests_name("rss", tests, NULL, NULL);
}
