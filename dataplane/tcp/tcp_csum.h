/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum sums (RFC 1071) for TCP segment validation. A sum is a 64-bit ones'
 * complement accumulator: 2^16 is 1 modulo 0xffff, so 64-bit words with end-around carry fold to
 * the same 16-bit sum as 16-bit words (rte_raw_cksum()), and a sum folds to 0 only when every
 * word was 0.
 *
 * Any thread; no state but the implementation of long sums, chosen once at start-up (AVX2 when
 * the CPU has it, else 64-bit words).
 */
#ifndef KW_TCP_CSUM_H
#define KW_TCP_CSUM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* sum + the bytes at p, in 64-bit words: for headers and other short runs (inlined). */
static inline uint64_t
kw_tcp_csum_add_words(uint64_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t carry = 0, w0, w1, w2, w3;
	uint32_t w32;
	uint16_t w16;

	for (; len >= 32; len -= 32, p += 32) {
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		sum += w0;
		carry += sum < w0;
		sum += w1;
		carry += sum < w1;
		sum += w2;
		carry += sum < w2;
		sum += w3;
		carry += sum < w3;
	}
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w0, p, 8);
		sum += w0;
		carry += sum < w0;
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		sum += w32;
		carry += sum < w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		sum += w16;
		carry += sum < w16;
		p += 2;
		len -= 2;
	}
	if (len > 0) {
		w16 = 0;
		memcpy(&w16, p, 1);
		sum += w16;
		carry += sum < w16;
	}
	sum += carry;
	return sum + (sum < carry);
}

/* The 16-bit ones' complement value of a sum (0 only for a sum of zero words). */
static inline uint32_t
kw_tcp_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum;
}

/*
 * Whether a sum is a good checksum: one that folds to 0xffff. Folding keeps the value modulo
 * 0xffff and gives 0 only for a zero sum, so that is a non-zero multiple of 0xffff: one multiply
 * by a constant instead of four folding steps.
 */
static inline bool
kw_tcp_csum_good(uint64_t sum)
{
	return sum != 0 && sum % 0xffff == 0;
}

/*
 * kw_tcp_csum_good for a sum that cannot be 0: one that took a non-zero word or started from a
 * non-zero sum (end-around carries never give 0). One test less.
 */
static inline bool
kw_tcp_csum_good_nonzero(uint64_t sum)
{
	return sum % 0xffff == 0;
}

/* sum + the bytes at p (an odd last byte padded with zero), any length: a segment's payload. */
uint64_t kw_tcp_csum_add(uint64_t sum, const uint8_t *p, uint32_t len);

/* The AVX2 implementation behind kw_tcp_csum_add, for tests: call only when the CPU has AVX2;
 * NULL when the build has none (not x86). */
extern uint64_t (*const kw_tcp_csum_add_avx2)(uint64_t sum, const uint8_t *p, uint32_t len);

#endif /* KW_TCP_CSUM_H */
