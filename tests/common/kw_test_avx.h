/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether the AVX registers' upper halves are clean, for tests of the vector paths. A function
 * that leaves them dirty makes every later SSE instruction of the thread wait on a merge
 * (kwdecode on the 10k replay ran ~590 -> ~700 cycles per frame when the CRC32C folding left
 * them so), and GCC does not always clean them before a call or jump to code without AVX.
 */
#ifndef KW_TEST_AVX_H
#define KW_TEST_AVX_H

#include <stdbool.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

/* 1: clean, 0: dirty, -1: cannot tell (no XGETBV with ECX = 1, which reads XINUSE). */
__attribute__((target("xsave"))) static inline int
kw_test_avx_upper_clean(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(0xd, 1, &a, &b, &c, &d) || !(a & (1u << 2)))
		return -1;
	/* XINUSE bit 2: the YMM upper halves are not in their initial (zero) state */
	return (_xgetbv(1) & (1u << 2)) == 0;
}
#else
static inline int
kw_test_avx_upper_clean(void)
{
	return -1;
}
#endif

#endif /* KW_TEST_AVX_H */
