/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kwsum: TSC cycles per call of the per-byte sums kwire runs over every segment and batch: the
 * TCP checksum's (kw_tcp_csum_add: 64-bit words, and the AVX2 sum where the CPU has it) and
 * CRC32C's (kw_kafka_crc32c_by: VPCLMULQDQ folding in 512 and 256 bits, PCLMULQDQ folding,
 * three crc32 lanes, one chain). Data in cache, calls independent (back to back, results summed so
 * none is dropped), the fastest of --rounds rounds of --calls calls, over 8 start offsets. One JSON
 * line per length, with the CRC32C kwire uses on this CPU. Standalone tool for performance work; no
 * EAL. Run `kwsum --help`.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_cycles.h>

#include "dataplane/kafka/kafka_records.h"
#include "dataplane/tcp/tcp_csum.h"

#define SUM_BUF	     (64u * 1024)
#define SUM_CALLS    200
#define SUM_ROUNDS   200
#define SUM_LENS_MAX 32
#define SUM_KINDS    7

/* the sums timed: the checksum's two, then each CRC32C implementation */
static const struct {
	const char *name;
	enum kw_kafka_crc_impl crc;
} kinds[SUM_KINDS] = {{"csum_words", 0},
		      {"csum_avx2", 0},
		      {"crc_fold512", KW_KAFKA_CRC_FOLD512},
		      {"crc_fold", KW_KAFKA_CRC_FOLD},
		      {"crc_fold128", KW_KAFKA_CRC_FOLD128},
		      {"crc_lanes", KW_KAFKA_CRC_LANES},
		      {"crc_chain", KW_KAFKA_CRC_CHAIN}};

static uint8_t buf[SUM_BUF + 64];
static volatile uint64_t sink;
static bool has_avx2; /* read once: CPUID may trap to the hypervisor, ~30k cycles */

/* One call of kind k over len bytes at p; false when this CPU has not got it. */
static bool
sum_once(unsigned int k, const uint8_t *p, uint32_t len, uint64_t *acc)
{
	uint32_t crc;

	switch (k) {
	case 0:
		*acc += kw_tcp_csum_add_words(0, p, len);
		return true;
	case 1:
		if (!has_avx2)
			return false;
		*acc += kw_tcp_csum_add_avx2(0, p, len);
		return true;
	default:
		if (!kw_kafka_crc32c_by(kinds[k].crc, p, len, &crc))
			return false;
		*acc += crc;
		return true;
	}
}

/* The fastest round's cycles per call, or a negative value when the kind is not here. */
static double
sum_time(unsigned int k, uint32_t len, unsigned int calls, unsigned int rounds)
{
	uint64_t best = UINT64_MAX, acc = 0;

	if (!sum_once(k, buf, len, &acc))
		return -1;
	for (unsigned int r = 0; r < rounds; r++) {
		uint64_t t0 = rte_rdtsc();

		for (unsigned int i = 0; i < calls; i++)
			sum_once(k, buf + (i & 7) * 8, len, &acc);
		t0 = rte_rdtsc() - t0;
		if (t0 < best)
			best = t0;
	}
	sink += acc;
	return (double)best / calls;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: kwsum [--lengths \"L ...\"] [--calls N] [--rounds R]\n"
		   "TSC cycles per call of the TCP checksum sums and the CRC32C implementations\n"
		   "over L bytes in cache (default lengths 64 128 256 500 1460 4000 16384).\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"lengths", required_argument, NULL, 'l'},
					     {"calls", required_argument, NULL, 'c'},
					     {"rounds", required_argument, NULL, 'r'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	uint32_t lens[SUM_LENS_MAX] = {64, 128, 256, 500, 1460, 4000, 16384};
	unsigned int n_lens = 7, calls = SUM_CALLS, rounds = SUM_ROUNDS, i, k;
	uint32_t x = 2463534242u;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *s, *end;

		switch (c) {
		case 'l':
			n_lens = 0;
			for (s = optarg; *s != '\0' && n_lens < SUM_LENS_MAX; s = end) {
				unsigned long v = strtoul(s, &end, 10);

				if (end == s || v == 0 || v > SUM_BUF) {
					fprintf(stderr, "kwsum: bad length in '%s'\n", optarg);
					return 2;
				}
				lens[n_lens++] = (uint32_t)v;
				end += strspn(end, " ,");
			}
			break;
		case 'c':
		case 'r':
			i = (unsigned int)strtoul(optarg, NULL, 10);
			if (i == 0 || i > 1000000) {
				fprintf(stderr, "kwsum: --%s 1..1000000\n",
					c == 'c' ? "calls" : "rounds");
				return 2;
			}
			*(c == 'c' ? &calls : &rounds) = i;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || n_lens == 0) {
		usage(stderr);
		return 2;
	}
	has_avx2 = kw_tcp_csum_add_avx2 != NULL && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
	for (i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	for (i = 0; i < n_lens; i++) {
		printf("{\"bytes\":%u", lens[i]);
		for (k = 0; k < SUM_KINDS; k++) {
			double t = sum_time(k, lens[i], calls, rounds);

			if (t < 0)
				printf(",\"%s\":null", kinds[k].name);
			else
				printf(",\"%s\":%.1f", kinds[k].name, t);
		}
		/* the CRC32C kwire uses for long runs on this CPU */
		for (k = 0; k < SUM_KINDS; k++)
			if (kinds[k].crc == kw_kafka_crc32c_impl() &&
			    strncmp(kinds[k].name, "crc", 3) == 0)
				printf(",\"crc_used\":\"%s\"", kinds[k].name);
		printf("}\n");
	}
	return sink == 42 ? 1 : 0;
}
