/* SPDX-License-Identifier: BSD-3-Clause */
/* Long checksum sums: 64-bit words, or AVX2 when the CPU has it (chosen once at start-up). */
#include <stdbool.h>

#include <rte_common.h>
#include <rte_cpuflags.h>

#include "dataplane/tcp/tcp_csum.h"

/*
 * Below this many bytes the 64-bit words are as fast or faster: the vector sum's reduction, its
 * tail in words and the VZEROUPPER cost more than they save (perf/kwsum, TSC cycles per call:
 * 128-224 bytes 10-16 in words, 12-18 vector; 256 bytes 16 and 15).
 */
#define AVX2_MIN_LEN 256

#ifdef RTE_ARCH_X86
#include <immintrin.h>

/*
 * Each 16-bit word is biased by -0x8000 (its top bit flipped) into a signed word, and VPMADDWD
 * against ones adds neighbouring pairs into signed 32-bit lanes: three operations per 32 bytes
 * (xor, multiply-add, add) against four for splitting words into lanes by mask and shift, and
 * no carry chain. The bias comes back once per block: 0x8000 per word summed. A lane moves by
 * at most 0x10000 per round, so a block of 2^14 rounds of 64 bytes (1 MiB) stays inside 31
 * bits; longer runs are summed block by block. TSC cycles per call, back to back over data in
 * cache (Intel Xeon, model 207): 261 bytes 16-18 against 17-19 for the mask-and-shift lanes,
 * 500 bytes 23-26 against 26-30, 1460 bytes 42-43 against 61-63. Tuned as for Haswell: the
 * corei7 target's tuning splits every unaligned 256-bit load into two 128-bit halves.
 */
__attribute__((target("avx2,tune=haswell"))) static uint64_t
csum_add_avx2(uint64_t sum, const uint8_t *p, uint32_t len)
{
	const __m256i bias = _mm256_set1_epi16((short)0x8000);
	const __m256i ones = _mm256_set1_epi16(1);

	while (len >= 64) {
		uint32_t rounds = RTE_MIN(len / 64, 1u << 14);
		uint64_t words = (uint64_t)rounds * 32, block;
		__m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
		__m256i w;
		__m128i half;

		len -= rounds * 64;
		for (; rounds > 0; rounds--, p += 64) {
			__m256i v0 = _mm256_loadu_si256((const __m256i *)p);
			__m256i v1 = _mm256_loadu_si256((const __m256i *)(p + 32));

			a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_xor_si256(v0, bias), ones));
			a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_xor_si256(v1, bias), ones));
		}
		/* the sixteen signed lanes widened to 64 bits and added in registers */
		w = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(a0)),
				     _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a0, 1)));
		w = _mm256_add_epi64(w, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(a1)));
		w = _mm256_add_epi64(w, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a1, 1)));
		half = _mm_add_epi64(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
		block = (uint64_t)(_mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1)) +
			words * 0x8000;
		sum += block;
		sum += sum < block;
	}
	/*
	 * Clean upper halves before the tail, a call to code without AVX: GCC leaves them dirty
	 * across it, and every SSE instruction after would wait on a merge.
	 */
	_mm256_zeroupper();
	return kw_tcp_csum_add_words(sum, p, len);
}

uint64_t (*const kw_tcp_csum_add_avx2)(uint64_t, const uint8_t *, uint32_t) = csum_add_avx2;
#else
uint64_t (*const kw_tcp_csum_add_avx2)(uint64_t, const uint8_t *, uint32_t) = NULL;
#endif

static bool use_avx2;

RTE_INIT(csum_choose)
{
#ifdef RTE_ARCH_X86
	use_avx2 = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
#endif
}

uint64_t
kw_tcp_csum_add(uint64_t sum, const uint8_t *p, uint32_t len)
{
#ifdef RTE_ARCH_X86
	if (len >= AVX2_MIN_LEN && use_avx2)
		return csum_add_avx2(sum, p, len);
#endif
	return kw_tcp_csum_add_words(sum, p, len);
}
