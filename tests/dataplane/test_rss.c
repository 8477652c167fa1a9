/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for flow placement: the symmetric Toeplitz key of drivers/port.c gives both
 * directions of a flow the same RSS hash (DPDK's software Toeplitz as the oracle, the
 * Microsoft default key as a control that is not symmetric), and the software dispatcher's
 * kw_worker_of_key sends both directions to one worker and spreads flows over all workers.
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

/* Parse one TCP frame of a random flow and of its reverse; both keys are returned. */
static void
frames_of_flow(uint64_t *x, struct kw_flow_key *fwd, struct kw_flow_key *rev)
{
	uint8_t f[2][74];
	struct kw_pkt_info pi[2];
	struct kw_counters ctr;
	bool v6 = xorshift64(x) & 1;
	unsigned int alen = v6 ? 16 : 4, aoff = v6 ? 22 : 26, l4 = v6 ? 54 : 34;
	unsigned int len = l4 + 20, d, k;
	uint8_t addr[2][16], port[2][2];

	for (k = 0; k < alen; k++) {
		addr[0][k] = (uint8_t)xorshift64(x);
		addr[1][k] = (uint8_t)xorshift64(x);
	}
	for (k = 0; k < 2; k++) {
		port[0][k] = (uint8_t)xorshift64(x);
		port[1][k] = (uint8_t)xorshift64(x);
	}
	memset(&ctr, 0, sizeof(ctr));
	for (d = 0; d < 2; d++) {
		memset(f[d], 0, sizeof(f[d]));
		if (v6) {
			f[d][12] = 0x86;
			f[d][13] = 0xdd;
			f[d][14] = 0x60;
			f[d][19] = 20; /* payload length */
			f[d][20] = IPPROTO_TCP;
		} else {
			f[d][12] = 0x08;
			f[d][14] = 0x45;
			f[d][17] = 40; /* total length */
			f[d][23] = IPPROTO_TCP;
		}
		memcpy(f[d] + aoff, addr[d], alen);
		memcpy(f[d] + aoff + alen, addr[!d], alen);
		memcpy(f[d] + l4, port[d], 2);
		memcpy(f[d] + l4 + 2, port[!d], 2);
		f[d][l4 + 12] = 0x50;
		assert_true(kw_pkt_parse(f[d], len, len, &pi[d], &ctr));
	}
	assert_int_equal(pi[0].key.family, v6 ? 6 : 4);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_symmetric_key),
		cmocka_unit_test(test_default_key_not_symmetric),
		cmocka_unit_test(test_worker_of_key),
	};

	return cmocka_run_group_tests_name("rss", tests, NULL, NULL);
}
