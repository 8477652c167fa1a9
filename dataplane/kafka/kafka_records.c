/* SPDX-License-Identifier: BSD-3-Clause */
/* Record batch v2 layout and CRC32C coverage: Kafka implementation guide, "Record Batch". */
#include <stdbool.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>

#include "dataplane/kafka/kafka_prim.h"
#include "dataplane/kafka/kafka_records.h"

enum {
	RS_HDR = 0, /* gathering a batch header: 17 bytes tell the magic, 61 the whole v2 header */
	RS_BODY,    /* inside a v2 batch after its header: CRC, and record walk if uncompressed */
	RS_LEGACY,  /* inside a magic 0/1 message: skipped */
	RS_SKIP,    /* malformed: the rest of the field is skipped */
};

enum {
	WALK_OFF = 0, /* compressed, malformed or not a v2 batch */
	WALK_LENGTHS, /* no hook: record lengths only (the benchmarked path) */
	WALK_FIELDS,  /* hook: every field of every record */
};

/* Fields walk: what comes next in a record (record batch v2, "Record"). */
enum {
	F_LEN = 0, /* length varint */
	F_TS,      /* timestampDelta varlong (the attributes byte before it is skipped) */
	F_ODELTA,  /* offsetDelta */
	F_KEY,     /* keyLength, then the key is skipped */
	F_VALUE,   /* valueLength, then the value */
	F_HCOUNT,  /* headers count */
	F_HKEY,    /* headerKeyLength (never null), then the header key */
	F_HVALUE,  /* headerValueLength, then the header value */
	F_END,     /* every field read: the record must end here */
};

#define BATCH_PROBE_LEN 17 /* base offset, length, leader epoch, magic */
#define CRC_START 21       /* the CRC covers attributes .. end of batch */
#define BASE_OFFSET_AT 0
#define LAST_DELTA_AT 23
#define FIRST_TS_AT 27
#define COUNT_AT 57
/*
 * Both walks gather a straddling varint (10 bytes at most) in hdr at maxTimestamp and
 * producerId, which only batch_header reads; base offset, last offset delta, first timestamp
 * and record count stay.
 */
#define VARINT_AT 35
_Static_assert(VARINT_AT + KW_KAFKA_UVARINT64_MAX <= COUNT_AT && VARINT_AT >= FIRST_TS_AT + 8 &&
		       FIRST_TS_AT >= LAST_DELTA_AT + 4,
	       "varint scratch overlaps a header field still read");

/*
 * CRC32C in three lanes. The crc32 instruction under rte_hash_crc_8byte takes ~3 cycles but a
 * new one can start every cycle, so one chain over a piece runs at a third of the rate three
 * independent chains reach (Zen 5 here: 1.49 against 0.47 TSC cycles per 8 bytes; over a
 * 3 KiB buffer). A round feeds three consecutive blocks of m 8-byte words each from its own
 * state (the first from the running CRC, the others from zero) and joins them by linearity:
 * the state after A then B is shift(state after A) ^ (B fed from zero), where shift, "feed |B|
 * zero bytes", multiplies the state by x^(8|B|) modulo the CRC polynomial P. With the register
 * R read as a polynomial (bit j is the coefficient of x^(31-j)), one crc32q from zero turns
 * 64-bit data D into D * x^32 mod P, so shift(R) = crc32q(0, R * K) with K = x^(8|B|-32) mod P:
 * one carry-less multiply (PCLMULQDQ; the reflected product lands one bit low, so K is kept
 * shifted up by one) and one crc32q, for any m, with K for m = 1..LANE_WORDS computed at
 * startup. Rounds of LANE_WORDS words first, then one round of what is left in whole words
 * (m = rest / 24 bytes) if m >= 8, then the rest in one chain. TSC cycles per call, in cache,
 * against the earlier fixed rounds of 768 and 192 bytes joined by table lookups: 100 bytes 15
 * (17), 500 50 (57), 1300 100 (129), 1800 130 (157), 4000 301 (374); 200-300 bytes 1-5 more.
 * Without PCLMULQDQ (x86 before 2010, other architectures) everything is one chain.
 */
#define LANE_WORDS 32 /* 8-byte words per lane of a full round: rounds of 768 bytes */
/* Shorter runs go in one chain: below 8 words a lane, the joins cost more than the lanes save */
#define LANES_MIN 192
#define CRC32C_POLY_REFLECTED 0x82f63b78u
/* What crc_update uses for long runs: crc_select() picks it at start-up (x86). */
static enum kw_kafka_crc_impl crc_impl = KW_KAFKA_CRC_CHAIN;

#ifdef RTE_ARCH_X86
#include <immintrin.h>
#include <rte_cpuflags.h>
#include <rte_cycles.h>

static uint64_t shift_k[3 * LANE_WORDS + 1]; /* [m]: K for m words, shifted up by one */
static bool use_clmul;

/*
 * Folding, on CPUs with 256-bit carry-less multiplies (VPCLMULQDQ; Intel since 2019, AMD since
 * Zen 3). Read as a polynomial, a 16-byte lane L followed by D - 16 bytes and a lane W leaves
 * the CRC unchanged when L becomes zero and W becomes W ^ fold(L), where, with lo and hi the
 * 8-byte halves of L in memory order and R(e) = x^e mod P (reflected as in shift_k, not
 * shifted), fold(L) = clmul(lo, R(8D + 31)) ^ clmul(hi, R(8D - 33)), at most 96 bits. Four 32-byte
 * accumulators fold 128 bytes ahead per round, two multiplies each and no chain between them;
 * at the end they fold into one lane, 32 then 16 bytes at a time, whose CRC from zero two
 * crc32q give; the initial state rides in the first four bytes. The constants (D = 16, 32,
 * 128) are computed at start-up. TSC cycles per call over data in cache, against the three
 * lanes (perf/kwsum; Intel Xeon, model 207): 160-224 bytes 21-32 (34-64), 256 17-27 (36-40),
 * 500 26-39 (64-70), 1460 63-71 (158-173), 4000 166-188 (423-429).
 */
#define FOLD_MIN 128 /* four accumulators' first load */
enum { FOLD_16, FOLD_32, FOLD_64, FOLD_128, FOLD_256, FOLD_N };
static const unsigned int fold_bytes[FOLD_N] = {16, 32, 64, 128, 256};
static uint64_t fold_k[FOLD_N][2]; /* [D]: R(8D + 31) for the low half, R(8D - 33) the high */
static bool use_fold;
/*
 * The same folding in 512-bit registers (AVX-512 with VPCLMULQDQ): four 64-byte accumulators,
 * 256 bytes ahead, joined into one 64-byte lane and handed to the 256-bit code's end. Where
 * 512-bit operations run at full width it halves the multiplies' issue slots: TSC cycles per
 * call in cache, 256-bit -> 512-bit in the same runs (perf/kwsum; AMD EPYC family 26, Zen 5):
 * 500 bytes 60-61 -> 43-44, 1460 145-146 -> 84-86, 4000 366-370 -> 195-197. Where they run as two
 * halves or lower the clock, it need not win: crc_select() times it against the 256-bit folding and
 * keeps the faster.
 */
#define FOLD512_MIN 256 /* four accumulators' first load */
static bool use_fold512;
/*
 * The same folding with 128-bit PCLMULQDQ (x86 since 2010): four 16-byte accumulators, 64
 * bytes ahead. Where crc32 is not pipelined (AMD Zen 1: one every 3 cycles, so the three lanes
 * run no faster than one chain) it beats the lanes: TSC cycles per call in cache (perf/kwsum;
 * AMD EPYC, family 23): 128 bytes 61 -> 43, 256 124 -> 68, 500 214 -> 119, 1460 593 -> 308,
 * 4000 1513 -> 821. Where crc32 is pipelined (Intel), the lanes may be as fast: crc_select()
 * times both at start-up and keeps the faster.
 */
#define FOLD128_MIN 64

/* x^e mod P, reflected: times x is a right shift, x^32 folds back as the polynomial. */
static uint32_t
xpow_mod(unsigned int e)
{
	uint32_t r = 0x80000000u; /* x^0 */

	while (e--)
		r = (r >> 1) ^ ((r & 1) ? CRC32C_POLY_REFLECTED : 0);
	return r;
}

static void crc_select(void);

RTE_INIT(crc_shift_constants)
{
	for (unsigned int m = 1; m <= 3 * LANE_WORDS; m++)
		shift_k[m] = (uint64_t)xpow_mod(64 * m - 32) << 1;
	use_clmul = rte_cpu_get_flag_enabled(RTE_CPUFLAG_PCLMULQDQ) > 0;
	for (unsigned int i = 0; i < FOLD_N; i++) {
		fold_k[i][0] = xpow_mod(8 * fold_bytes[i] + 31);
		fold_k[i][1] = xpow_mod(8 * fold_bytes[i] - 33);
	}
	use_fold = use_clmul && rte_cpu_get_flag_enabled(RTE_CPUFLAG_VPCLMULQDQ) > 0 &&
		   rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
	/* the OS saves the 512-bit state too: GCC's check reads XCR0, DPDK's only CPUID */
	use_fold512 = use_fold && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0 &&
		      __builtin_cpu_supports("avx512f");
	crc_select();
}

/* The state crc after m words of zeros. */
__attribute__((target("pclmul"))) static inline uint32_t
shift_words(uint32_t crc, unsigned int m)
{
	__m128i v = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)crc),
					 _mm_cvtsi64_si128((long long)shift_k[m]), 0);

	return rte_hash_crc_8byte((uint64_t)_mm_cvtsi128_si64(v), 0);
}

static inline uint64_t
word_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * One round over p[0 .. 24 * m), 8-byte aligned, all three lanes from zero: the running state
 * joins at the end, shifted over the round. So a round's chains never wait for the previous
 * round's joins, and the CPU overlaps consecutive rounds.
 */
__attribute__((target("pclmul"))) static inline uint32_t
round3(const uint8_t *p, unsigned int m, uint32_t crc)
{
	const unsigned int lane = 8 * m;
	uint32_t a = 0, b = 0, c = 0;

	for (unsigned int i = 0; i < lane; i += 8) {
		a = rte_hash_crc_8byte(word_at(p + i), a);
		b = rte_hash_crc_8byte(word_at(p + lane + i), b);
		c = rte_hash_crc_8byte(word_at(p + 2 * lane + i), c);
	}
	return shift_words(crc, 3 * m) ^ shift_words(shift_words(a, m) ^ b, m) ^ c;
}

/* crc_update for an 8-byte aligned p of at least LANES_MIN bytes, on a CPU with PCLMULQDQ. */
__attribute__((target("pclmul"))) static uint32_t
crc_lanes(const uint8_t *p, uint32_t len, uint32_t crc)
{
	for (; len >= 24 * LANE_WORDS; len -= 24 * LANE_WORDS, p += 24 * LANE_WORDS)
		crc = round3(p, LANE_WORDS, crc);
	if (len >= LANES_MIN) {
		unsigned int m = len / 24;

		crc = round3(p, m, crc);
		p += 24 * m;
		len -= 24 * m;
	}
	return rte_hash_crc(p, len, crc);
}

#define FOLD_TARGET __attribute__((target("avx2,vpclmulqdq,pclmul,sse4.2,tune=haswell")))

/* One 32-byte accumulator's two lanes folded by the constants k, plus the next 32 bytes. */
FOLD_TARGET static inline __m256i
fold256(__m256i x, __m256i k, __m256i next)
{
	return _mm256_xor_si256(_mm256_xor_si256(_mm256_clmulepi64_epi128(x, k, 0x00),
						 _mm256_clmulepi64_epi128(x, k, 0x11)),
				next);
}

FOLD_TARGET static inline __m128i
fold128(__m128i x, __m128i k, __m128i next)
{
	return _mm_xor_si128(
		_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)),
		next);
}

FOLD_TARGET static inline __m256i
fold_key(unsigned int i)
{
	return _mm256_broadcastsi128_si256(
		_mm_set_epi64x((long long)fold_k[i][1], (long long)fold_k[i][0]));
}

/*
 * The end of a fold: x3, a 32-byte lane ahead of the len bytes left at p, folded over them 32
 * then 16 bytes at a time, and the CRC of what remains.
 */
FOLD_TARGET static inline __attribute__((always_inline)) uint32_t
fold_end(__m256i x3, const uint8_t *p, uint32_t len)
{
	const __m256i k32 = fold_key(FOLD_32);
	const __m128i k16 = _mm256_castsi256_si128(fold_key(FOLD_16));
	__m128i y;
	uint32_t crc;

	for (; len >= 32; p += 32, len -= 32)
		x3 = fold256(x3, k32, _mm256_loadu_si256((const __m256i *)p));
	y = fold128(_mm256_castsi256_si128(x3), k16, _mm256_extracti128_si256(x3, 1));
	/*
	 * Clean upper halves before the SSE code after: GCC leaves them dirty here (the calls
	 * below are to code without AVX), which made every later SSE instruction wait on a merge
	 * (kwdecode on the 10k replay ~590 -> ~700 cycles per frame).
	 */
	_mm256_zeroupper();
	for (; len >= 16; p += 16, len -= 16)
		y = fold128(y, k16, _mm_loadu_si128((const __m128i *)p));
	crc = rte_hash_crc_8byte((uint64_t)_mm_cvtsi128_si64(y), 0);
	crc = rte_hash_crc_8byte((uint64_t)_mm_extract_epi64(y, 1), crc);
	return rte_hash_crc(p, len, crc);
}

/* crc_update for at least FOLD_MIN bytes at p, on a CPU with VPCLMULQDQ and AVX2. */
FOLD_TARGET static uint32_t
crc_fold(const uint8_t *p, uint32_t len, uint32_t crc)
{
	const __m256i k128 = fold_key(FOLD_128), k32 = fold_key(FOLD_32);
	__m256i x0 = _mm256_loadu_si256((const __m256i *)p);
	__m256i x1 = _mm256_loadu_si256((const __m256i *)(p + 32));
	__m256i x2 = _mm256_loadu_si256((const __m256i *)(p + 64));
	__m256i x3 = _mm256_loadu_si256((const __m256i *)(p + 96));

	x0 = _mm256_xor_si256(x0, _mm256_set_epi32(0, 0, 0, 0, 0, 0, 0, (int)crc));
	for (p += 128, len -= 128; len >= 128; p += 128, len -= 128) {
		x0 = fold256(x0, k128, _mm256_loadu_si256((const __m256i *)p));
		x1 = fold256(x1, k128, _mm256_loadu_si256((const __m256i *)(p + 32)));
		x2 = fold256(x2, k128, _mm256_loadu_si256((const __m256i *)(p + 64)));
		x3 = fold256(x3, k128, _mm256_loadu_si256((const __m256i *)(p + 96)));
	}
	x1 = fold256(x0, k32, x1);
	x2 = fold256(x1, k32, x2);
	x3 = fold256(x2, k32, x3);
	return fold_end(x3, p, len);
}

#define FOLD512_TARGET __attribute__((target("avx512f,avx2,vpclmulqdq,pclmul,sse4.2,tune=haswell")))

/* fold256 in 512-bit registers: four 16-byte lanes at once. */
FOLD512_TARGET static inline __m512i
fold512(__m512i x, __m512i k, __m512i next)
{
	return _mm512_xor_si512(_mm512_xor_si512(_mm512_clmulepi64_epi128(x, k, 0x00),
						 _mm512_clmulepi64_epi128(x, k, 0x11)),
				next);
}

FOLD512_TARGET static inline __m512i
fold_key512(unsigned int i)
{
	return _mm512_broadcast_i32x4(
		_mm_set_epi64x((long long)fold_k[i][1], (long long)fold_k[i][0]));
}

/* crc_update for at least FOLD512_MIN bytes at p, on a CPU with AVX-512 and VPCLMULQDQ. */
FOLD512_TARGET static uint32_t
crc_fold512(const uint8_t *p, uint32_t len, uint32_t crc)
{
	const __m512i k256 = fold_key512(FOLD_256), k64 = fold_key512(FOLD_64);
	__m512i x0 = _mm512_loadu_si512((const void *)p);
	__m512i x1 = _mm512_loadu_si512((const void *)(p + 64));
	__m512i x2 = _mm512_loadu_si512((const void *)(p + 128));
	__m512i x3 = _mm512_loadu_si512((const void *)(p + 192));

	x0 = _mm512_xor_si512(x0, _mm512_castsi128_si512(_mm_cvtsi32_si128((int)crc)));
	for (p += 256, len -= 256; len >= 256; p += 256, len -= 256) {
		x0 = fold512(x0, k256, _mm512_loadu_si512((const void *)p));
		x1 = fold512(x1, k256, _mm512_loadu_si512((const void *)(p + 64)));
		x2 = fold512(x2, k256, _mm512_loadu_si512((const void *)(p + 128)));
		x3 = fold512(x3, k256, _mm512_loadu_si512((const void *)(p + 192)));
	}
	x1 = fold512(x0, k64, x1);
	x2 = fold512(x1, k64, x2);
	x3 = fold512(x2, k64, x3);
	for (; len >= 64; p += 64, len -= 64)
		x3 = fold512(x3, k64, _mm512_loadu_si512((const void *)p));
	/* the lane's first 32 bytes onto its last 32: a 256-bit lane for fold_end */
	return fold_end(fold256(_mm512_castsi512_si256(x3), fold_key(FOLD_32),
				_mm512_extracti64x4_epi64(x3, 1)),
			p, len);
}

#define FOLD128_TARGET __attribute__((target("pclmul,sse4.2")))

/* crc_fold's fold128, for code without AVX. */
FOLD128_TARGET static inline __m128i
fold128_sse(__m128i x, __m128i k, __m128i next)
{
	return _mm_xor_si128(
		_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)),
		next);
}

FOLD128_TARGET static inline __m128i
fold_key128(unsigned int i)
{
	return _mm_set_epi64x((long long)fold_k[i][1], (long long)fold_k[i][0]);
}

/* crc_update for at least FOLD128_MIN bytes at p, on a CPU with PCLMULQDQ: as crc_fold. */
FOLD128_TARGET static uint32_t
crc_fold128(const uint8_t *p, uint32_t len, uint32_t crc)
{
	const __m128i k64 = fold_key128(FOLD_64), k16 = fold_key128(FOLD_16);
	__m128i x0 = _mm_loadu_si128((const __m128i *)p);
	__m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
	__m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
	__m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));

	x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)crc));
	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
		x0 = fold128_sse(x0, k64, _mm_loadu_si128((const __m128i *)p));
		x1 = fold128_sse(x1, k64, _mm_loadu_si128((const __m128i *)(p + 16)));
		x2 = fold128_sse(x2, k64, _mm_loadu_si128((const __m128i *)(p + 32)));
		x3 = fold128_sse(x3, k64, _mm_loadu_si128((const __m128i *)(p + 48)));
	}
	x1 = fold128_sse(x0, k16, x1);
	x2 = fold128_sse(x1, k16, x2);
	x3 = fold128_sse(x2, k16, x3);
	for (; len >= 16; p += 16, len -= 16)
		x3 = fold128_sse(x3, k16, _mm_loadu_si128((const __m128i *)p));
	crc = rte_hash_crc_8byte((uint64_t)_mm_cvtsi128_si64(x3), 0);
	crc = rte_hash_crc_8byte((uint64_t)_mm_extract_epi64(x3, 1), crc);
	return rte_hash_crc(p, len, crc);
}
#endif

/*
 * The raw CRC state after feeding p[0 .. len) to crc with impl where the run is long enough for
 * it (the plain chain otherwise). The unaligned head goes bytewise (UBSan-clean, and no split
 * word loads on the hot part).
 */
static inline uint32_t
crc_update_by(const uint8_t *p, uint32_t len, uint32_t crc, enum kw_kafka_crc_impl impl)
{
	while (len && ((uintptr_t)p & 7)) {
		crc = rte_hash_crc_1byte(*p++, crc);
		len--;
	}
#ifdef RTE_ARCH_X86
	if (impl == KW_KAFKA_CRC_FOLD512 && len >= FOLD512_MIN)
		return crc_fold512(p, len, crc);
	if ((impl == KW_KAFKA_CRC_FOLD || impl == KW_KAFKA_CRC_FOLD512) && len >= FOLD_MIN)
		return crc_fold(p, len, crc);
	if (impl == KW_KAFKA_CRC_FOLD128 && len >= FOLD128_MIN)
		return crc_fold128(p, len, crc);
	if (impl == KW_KAFKA_CRC_LANES && len >= LANES_MIN)
		return crc_lanes(p, len, crc);
#else
	RTE_SET_USED(impl);
#endif
	return rte_hash_crc(p, len, crc);
}

/* crc_update_by with what the CPU has. */
static inline uint32_t
crc_update(const uint8_t *p, uint32_t len, uint32_t crc)
{
	return crc_update_by(p, len, crc, crc_impl);
}

#ifdef RTE_ARCH_X86
/* The fewest TSC cycles of a few runs of impl over len bytes at p. */
static uint64_t
crc_time(enum kw_kafka_crc_impl impl, const uint8_t *p, uint32_t len)
{
	uint64_t best = UINT64_MAX;
	uint32_t crc = 0;

	for (unsigned int i = 0; i < 16; i++) {
		uint64_t t = rte_rdtsc_precise();

		crc = crc_update_by(p, len, crc, impl);
		/* the run's result is used: the compiler does not leave the run out */
		__asm__ volatile("" : : "r"(crc));
		t = rte_rdtsc_precise() - t;
		best = RTE_MIN(best, t);
	}
	return best;
}

/*
 * crc_impl, once the constants are set: folding with VPCLMULQDQ where the CPU has it, in 512
 * or 256 bits, whichever is faster; else the faster of 128-bit folding and the three lanes
 * (both with PCLMULQDQ); else the chain. Each pair is timed here once over a record batch of
 * 1 KiB in cache (a few microseconds).
 */
static void
crc_select(void)
{
	static uint8_t buf[1024] __rte_aligned(64);

	if (!use_clmul)
		return;
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	if (use_fold) {
		crc_impl = use_fold512 && crc_time(KW_KAFKA_CRC_FOLD512, buf, sizeof(buf)) <
						   crc_time(KW_KAFKA_CRC_FOLD, buf, sizeof(buf))
				   ? KW_KAFKA_CRC_FOLD512
				   : KW_KAFKA_CRC_FOLD;
		return;
	}
	crc_impl = crc_time(KW_KAFKA_CRC_FOLD128, buf, sizeof(buf)) <=
				   crc_time(KW_KAFKA_CRC_LANES, buf, sizeof(buf))
			   ? KW_KAFKA_CRC_FOLD128
			   : KW_KAFKA_CRC_LANES;
}
#endif

enum kw_kafka_crc_impl
kw_kafka_crc32c_impl(void)
{
	return crc_impl;
}

uint32_t
kw_kafka_crc32c(const uint8_t *p, uint32_t len)
{
	return ~crc_update(p, len, 0xffffffffu);
}

bool
kw_kafka_crc32c_by(enum kw_kafka_crc_impl impl, const uint8_t *p, uint32_t len, uint32_t *crc)
{
	bool fold512 = false, fold = false, clmul = false;

#ifdef RTE_ARCH_X86
	fold512 = use_fold512;
	fold = use_fold;
	clmul = use_clmul;
#endif
	if ((impl == KW_KAFKA_CRC_FOLD512 && !fold512) || (impl == KW_KAFKA_CRC_FOLD && !fold) ||
	    (impl != KW_KAFKA_CRC_CHAIN && !clmul))
		return false;
	*crc = ~crc_update_by(p, len, 0xffffffffu, impl);
	return true;
}

void
kw_kafka_records_sum_init(struct kw_kafka_records_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->producer_id = -1;
	sum->producer_epoch = -1;
	sum->base_sequence = -1;
}

void
kw_kafka_records_begin(struct kw_kafka_records *rs, struct kw_kafka_records_sum *sum,
		       uint64_t off, uint64_t len)
{
	rs->sum = sum;
	rs->left = len;
	rs->state = RS_HDR;
	rs->have = 0;
	rs->walk = WALK_OFF;
	rs->end = off + len;
	rs->next = -1;
	rs->span = 0;
	rs->nbatch = 0;
	if (sum->fields == 0)
		sum->off = off;
	sum->fields++;
	sum->bytes += len;
}

static void
batch_header(struct kw_kafka_records *rs)
{
	struct kw_kafka_records_sum *sum = rs->sum;
	const uint8_t *h = rs->hdr;
	uint16_t attr = kw_kafka_prim_be16(h + 21);
	int32_t count = (int32_t)kw_kafka_prim_be32(h + COUNT_AT);

	sum->batches++;
	if (sum->batches == 1) {
		sum->producer_id = (int64_t)kw_kafka_prim_be64(h + 43);
		sum->producer_epoch = (int16_t)kw_kafka_prim_be16(h + 51);
		sum->base_sequence = (int32_t)kw_kafka_prim_be32(h + 53);
	}
	sum->codec = attr & 0x7;
	sum->transactional |= (attr >> 4) & 1;
	sum->control |= (attr >> 5) & 1;
	if (count > 0)
		sum->records_hdr += (uint32_t)count;
	rs->crc_want = kw_kafka_prim_be32(h + 17);
	rs->crc = crc_update(h + CRC_START, KW_KAFKA_BATCH_HDR_LEN - CRC_START, 0xffffffffu);
	rs->batch_left = kw_kafka_prim_be32(h + 8) - KW_KAFKA_BATCH_MIN_LEN;
	/* Only uncompressed record bodies can be walked in place. */
	rs->walk = (attr & 0x7) == 0 && count >= 0 ? WALK_LENGTHS : WALK_OFF;
	if (rs->fn) {
		rs->rec.batch = rs->nbatch++;
		if (rs->walk) {
			rs->walk = WALK_FIELDS;
			rs->fstate = F_LEN;
			rs->skip = 0;
		}
	}
	rs->nrec = 0;
	rs->rec_left = 0;
	rs->have = 0;
	rs->state = RS_BODY;
}

/* Two's complement sum: base and delta are peer-controlled, and signed overflow is UB. */
static inline int64_t
add_wrap(uint64_t base, int64_t delta)
{
	return (int64_t)(base + (uint64_t)delta);
}

static void
batch_end(struct kw_kafka_records *rs)
{
	struct kw_kafka_records_sum *sum = rs->sum;
	int64_t span = (int64_t)(int32_t)kw_kafka_prim_be32(rs->hdr + LAST_DELTA_AT) + 1;

	if (~rs->crc != rs->crc_want) {
		sum->crc_bad++;
	} else {
		rs->next = add_wrap(kw_kafka_prim_be64(rs->hdr + BASE_OFFSET_AT), span);
		rs->span += span > 0 ? span : 0; /* a negative delta is the peer's nonsense */
	}
	if (rs->walk && (rs->have != 0 || rs->rec_left != 0 ||
			 rs->nrec != kw_kafka_prim_be32(rs->hdr + COUNT_AT)))
		sum->malformed++;
	rs->state = RS_HDR;
	rs->have = 0;
}

/*
 * A zigzag varint from *pp, reading no further than lim; a varint that straddles pieces is
 * gathered at hdr + VARINT_AT. Returns 1 with *v, 0 when lim came first (the bytes are kept),
 * -EBADMSG when it is longer than its width allows.
 */
static __rte_always_inline int
get_varint(struct kw_kafka_records *rs, const uint8_t **pp, const uint8_t *lim, bool wide,
	   int64_t *v)
{
	uint8_t *buf = rs->hdr + VARINT_AT;
	const uint8_t *p = *pp;
	int c = -EAGAIN;

	if (rs->have == 0 && (c = kw_kafka_prim_varint(p, (size_t)(lim - p), wide, v)) > 0) {
		*pp = p + c;
		return 1;
	}
	/* Bytewise: stops at the same byte with the same value; at most 10 bytes (-EBADMSG). */
	for (c = -EAGAIN; c == -EAGAIN && p < lim;) {
		buf[rs->have++] = *p++;
		c = kw_kafka_prim_varint(buf, rs->have, wide, v);
	}
	*pp = p;
	if (c == -EAGAIN)
		return 0;
	rs->have = 0;
	return c > 0 ? 1 : c;
}

/* The record being walked is malformed: count it, do not report it, stop walking the batch. */
static void
walk_bad(struct kw_kafka_records *rs)
{
	rs->sum->malformed++;
	rs->walk = WALK_OFF;
	rs->have = 0;
}

/*
 * A record length just read (r from get_varint, v its value) with tail bytes of the piece
 * after it: a record starts, or the batch is malformed (false). The record must fit in what is
 * left of the batch: the tail and batch_left beyond it.
 */
static inline bool
record_start(struct kw_kafka_records *rs, int r, int64_t v, uint32_t tail)
{
	if (r < 0 || v <= 0 || (uint64_t)v > (uint64_t)rs->batch_left + tail) {
		walk_bad(rs);
		return false;
	}
	rs->rec_left = (uint32_t)v;
	rs->nrec++;
	rs->sum->records++;
	return true;
}

/* Walk the records of an uncompressed batch by their lengths only (no hook: the fast path). */
static void
walk_records(struct kw_kafka_records *rs, const uint8_t *p, uint32_t len)
{
	const uint8_t *e = p + len;

	while (p < e && rs->walk) {
		int64_t v = 0; /* read only when r > 0; GCC's -fprofile-generate cannot tell */
		int r;

		if (rs->rec_left) {
			uint32_t n = RTE_MIN((uint32_t)(e - p), rs->rec_left);

			rs->rec_left -= n;
			p += n;
			continue;
		}
		r = get_varint(rs, &p, e, false, &v);
		if (r == 0 || !record_start(rs, r, v, (uint32_t)(e - p)))
			return;
	}
}

/*
 * Walk the records of an uncompressed batch field by field for the hook; pos is the stream
 * offset of p. Every inner length is checked against the bytes left in the record before it is
 * skipped; the record is reported only once its last byte went by and nothing was left over.
 * Counting (records, malformed lengths) matches walk_records on well-formed input.
 */
static void
walk_fields(struct kw_kafka_records *rs, const uint8_t *p, uint32_t len, uint64_t pos)
{
	struct kw_kafka_record *rec = &rs->rec;
	const uint8_t *p0 = p, *e = p + len;

	while (rs->walk) {
		const uint8_t *q, *lim;
		int64_t v = 0; /* as in walk_records */
		int r;

		if (rs->skip) {
			uint32_t n = (uint32_t)(e - p) < rs->skip ? (uint32_t)(e - p) : rs->skip;
			p += n;
			rs->skip -= n;
			rs->rec_left -= n;
			if (rs->skip)
				return;
		}
		if (rs->fstate == F_END) {
			if (rs->rec_left) { /* bytes after the last header */
				walk_bad(rs);
				return;
			}
			rec->headers_len = (uint32_t)(pos + (uint64_t)(p - p0) - rec->headers_off);
			rs->fn(rs->arg, rec);
			rs->fstate = F_LEN;
			continue;
		}
		if (rs->fstate != F_LEN && rs->rec_left == 0) { /* a field past the record end */
			walk_bad(rs);
			return;
		}
		if (p == e)
			return;
		if (rs->fstate == F_LEN) {
			if (rs->have == 0)
				rec->off = pos + (uint64_t)(p - p0);
			r = get_varint(rs, &p, e, false, &v);
			if (r == 0 || !record_start(rs, r, v, (uint32_t)(e - p)))
				return;
			rec->len = (uint32_t)v;
			rs->skip = 1; /* attributes: unused by the protocol today */
			rs->fstate = F_TS;
			continue;
		}
		q = p;
		lim = (uint32_t)(e - p) < rs->rec_left ? e : p + rs->rec_left;
		r = get_varint(rs, &p, lim, rs->fstate == F_TS, &v);
		rs->rec_left -= (uint32_t)(p - q);
		if (r == 0 && rs->rec_left)
			return; /* the piece ended inside the varint */
		if (r <= 0) { /* too long, or running past the record end */
			walk_bad(rs);
			return;
		}
		uint64_t at = pos + (uint64_t)(p - p0);
		switch (rs->fstate) {
		case F_TS:
			rec->timestamp = add_wrap(kw_kafka_prim_be64(rs->hdr + FIRST_TS_AT), v);
			rs->fstate = F_ODELTA;
			break;
		case F_ODELTA:
			rec->offset = add_wrap(kw_kafka_prim_be64(rs->hdr + BASE_OFFSET_AT), v);
			rs->fstate = F_KEY;
			break;
		case F_KEY:
		case F_VALUE:
		case F_HVALUE:
			if (v < -1 || v > (int64_t)rs->rec_left) {
				walk_bad(rs);
				return;
			}
			rs->skip = v > 0 ? (uint32_t)v : 0;
			if (rs->fstate == F_KEY) {
				rec->key_off = at;
				rec->key_len = (int32_t)v;
				rs->fstate = F_VALUE;
			} else if (rs->fstate == F_VALUE) {
				rec->value_off = at;
				rec->value_len = (int32_t)v;
				rs->fstate = F_HCOUNT;
			} else {
				rs->fstate = --rs->hdrs_left ? F_HKEY : F_END;
			}
			break;
		case F_HCOUNT:
			/* A header takes 2 bytes at least: a huge count fails at the record end. */
			if (v < 0) {
				walk_bad(rs);
				return;
			}
			rec->header_count = (int32_t)v;
			rec->headers_off = at;
			rs->hdrs_left = (int32_t)v;
			rs->fstate = v ? F_HKEY : F_END;
			break;
		default: /* F_HKEY */
			if (v < 0 || v > (int64_t)rs->rec_left) {
				walk_bad(rs);
				return;
			}
			rs->skip = (uint32_t)v;
			rs->fstate = F_HVALUE;
			break;
		}
	}
}

void
kw_kafka_records_set_hook(struct kw_kafka_records *rs, kw_kafka_record_fn fn, void *arg)
{
	rs->fn = fn;
	rs->arg = arg;
}

void
kw_kafka_records_feed(struct kw_kafka_records *rs, const uint8_t *p, uint32_t len)
{
	struct kw_kafka_records_sum *sum = rs->sum;

	if (len > rs->left)
		len = (uint32_t)rs->left;
	rs->left -= len;
	while (len) {
		uint32_t n;

		switch (rs->state) {
		case RS_HDR: {
			uint8_t need = rs->have < BATCH_PROBE_LEN ? BATCH_PROBE_LEN :
				       KW_KAFKA_BATCH_HDR_LEN;
			n = need - rs->have;
			if (n > len)
				n = len;
			memcpy(rs->hdr + rs->have, p, n);
			rs->have += (uint8_t)n;
			p += n;
			len -= n;
			if (rs->have < need)
				break;
			int32_t blen = (int32_t)kw_kafka_prim_be32(rs->hdr + 8);
			uint8_t magic = rs->hdr[16];
			if (need == KW_KAFKA_BATCH_HDR_LEN) {
				batch_header(rs);
				if (rs->batch_left == 0)
					batch_end(rs);
			} else if (magic == 2 && blen >= KW_KAFKA_BATCH_MIN_LEN) {
				/* gather the rest of the v2 header */
			} else if ((magic == 0 || magic == 1) && blen >= 14) {
				/* crc, magic, attributes, [timestamp,] key, value: skipped */
				sum->legacy++;
				rs->batch_left = (uint32_t)blen - 5;
				rs->state = RS_LEGACY;
			} else {
				sum->malformed++;
				rs->state = RS_SKIP;
			}
			break;
		}
		case RS_BODY:
			n = len < rs->batch_left ? len : rs->batch_left;
			rs->crc = crc_update(p, n, rs->crc);
			rs->batch_left -= n;
			if (rs->walk == WALK_LENGTHS)
				walk_records(rs, p, n);
			else if (rs->walk == WALK_FIELDS) /* p is at end - left - len */
				walk_fields(rs, p, n, rs->end - rs->left - len);
			p += n;
			len -= n;
			if (rs->batch_left == 0)
				batch_end(rs);
			break;
		case RS_LEGACY:
			n = len < rs->batch_left ? len : rs->batch_left;
			rs->batch_left -= n;
			p += n;
			len -= n;
			if (rs->batch_left == 0) {
				rs->next =
					add_wrap(kw_kafka_prim_be64(rs->hdr + BASE_OFFSET_AT), 1);
				rs->state = RS_HDR;
				rs->have = 0;
			}
			break;
		default:
			return;
		}
	}
}

void
kw_kafka_records_end(struct kw_kafka_records *rs)
{
	/* Brokers cut the last batch of a Fetch response at the size limit: not an error. */
	if ((rs->state == RS_HDR && rs->have) || rs->state == RS_BODY || rs->state == RS_LEGACY)
		rs->sum->partial++;
	rs->state = RS_SKIP;
}
