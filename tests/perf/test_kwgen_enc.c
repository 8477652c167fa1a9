/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for kwgen's encoders: CRC-32C check values, unsigned and zigzag varints against the
 * protocol's examples, compact strings, message framing and the record batch layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kwgen_enc.h"
#include "kwgen_kafka.h"

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
test_crc32c_vectors(void **state)
{
	(void)state;
	uint8_t buf[32];

	assert_int_equal(kw_gen_crc32c("123456789", 9), 0xe3069283u);
	assert_int_equal(kw_gen_crc32c("", 0), 0);
	/* RFC 3720 appendix B.4 */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(kw_gen_crc32c(buf, sizeof(buf)), 0x8a9136aau);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(kw_gen_crc32c(buf, sizeof(buf)), 0x62a8ab43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(kw_gen_crc32c(buf, sizeof(buf)), 0x46dd794eu);
}

static void
check_uvarint(uint64_t v, const uint8_t *want, size_t n)
{
	uint8_t out[KW_GEN_VARINT_MAX];
	assert_int_equal(kw_gen_uvarint_encode(out, v), n);
	assert_memory_equal(out, want, n);
}

static void
test_uvarint(void **state)
{
	(void)state;
	check_uvarint(0, (const uint8_t[]){0x00}, 1);
	check_uvarint(1, (const uint8_t[]){0x01}, 1);
	check_uvarint(127, (const uint8_t[]){0x7f}, 1);
	check_uvarint(128, (const uint8_t[]){0x80, 0x01}, 2);
	check_uvarint(300, (const uint8_t[]){0xac, 0x02}, 2);
	check_uvarint(16384, (const uint8_t[]){0x80, 0x80, 0x01}, 3);
	check_uvarint(UINT64_MAX,
		      (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		      10);
}

static void
test_zigzag(void **state)
{
	(void)state;
	assert_int_equal(kw_gen_zigzag(0), 0);
	assert_int_equal(kw_gen_zigzag(-1), 1);
	assert_int_equal(kw_gen_zigzag(1), 2);
	assert_int_equal(kw_gen_zigzag(-2), 3);
	assert_int_equal(kw_gen_zigzag(2147483647), 4294967294u);
	assert_int_equal(kw_gen_zigzag(-2147483648ll), 4294967295u);
	assert_true(kw_gen_zigzag(INT64_MIN) == UINT64_MAX);
	assert_true(kw_gen_zigzag(INT64_MAX) == UINT64_MAX - 1);

	struct kw_gen_buf b;
	kw_gen_buf_init(&b);
	kw_gen_buf_put_varint(&b, -1);
	kw_gen_buf_put_varint(&b, 150); /* zigzag 300 */
	kw_gen_buf_put_varint(&b, -65);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, ((const uint8_t[]){0x01, 0xac, 0x02, 0x81, 0x01}), 5);
	kw_gen_buf_fini(&b);
}

static void
test_strings(void **state)
{
	(void)state;
	struct kw_gen_buf b;
	kw_gen_buf_init(&b);
	kw_gen_buf_put_cstr(&b, "ab");
	kw_gen_buf_put_cstr(&b, NULL);
	kw_gen_buf_put_cstr(&b, "");
	kw_gen_buf_put_str(&b, "xy");
	kw_gen_buf_put_str(&b, NULL);
	kw_gen_buf_put_carray(&b, 0);
	kw_gen_buf_put_tags(&b);
	const uint8_t want[] = {0x03, 'a', 'b',	 0x00, 0x01, 0x00, 0x02,
				'x',  'y', 0xff, 0xff, 0x01, 0x00};
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	kw_gen_buf_fini(&b);
}

static void
test_request_framing(void **state)
{
	(void)state;
	struct kw_gen_buf b;
	kw_gen_buf_init(&b);
	kw_gen_kafka_api_versions_req(&b, 7);
	assert_int_equal(b.err, 0);
	assert_true(b.len > 4);
	assert_int_equal(rd32(b.data), b.len - 4);
	assert_int_equal(rd16(b.data + 4), KW_GEN_KAFKA_API_VERSIONS);
	assert_int_equal(rd16(b.data + 6), 3);
	assert_int_equal(rd32(b.data + 8), 7);
	/* request header v2: classic int16 client id, then an empty tag section */
	assert_int_equal(rd16(b.data + 12), 5);
	assert_memory_equal(b.data + 14, "kwgen", 5);
	assert_int_equal(b.data[19], 0);
	/* body: compact "kwgen" */
	assert_int_equal(b.data[20], 6);
	assert_memory_equal(b.data + 21, "kwgen", 5);

	/* ApiVersions response: header v0, so error_code follows the correlation id directly */
	kw_gen_buf_reset(&b);
	kw_gen_kafka_api_versions_resp(&b, 7);
	assert_int_equal(rd32(b.data), b.len - 4);
	assert_int_equal(rd32(b.data + 4), 7);
	assert_int_equal(rd16(b.data + 8), 0);
	assert_true(b.data[10] > 1);		/* compact array of api keys */
	assert_int_equal(rd16(b.data + 11), 0); /* first key: Produce */

	struct kw_gen_kafka_params p = {.seed = 1,
					.records = 2,
					.record_size = 4,
					.host = "h",
					.produce_v = 9,
					.fetch_v = 12,
					.metadata_v = 12};
	kw_gen_buf_reset(&b);
	kw_gen_kafka_produce_resp(&b, &p, 9, 3, 64);
	assert_int_equal(rd32(b.data + 4), 9);
	assert_int_equal(b.data[8], 0); /* response header v1 tags */
	assert_int_equal(b.data[9], 2); /* compact array of one topic */

	/* classic Produce v8: header v1 (no tags), int16 strings, int32 arrays */
	p.produce_v = 8;
	kw_gen_buf_reset(&b);
	kw_gen_kafka_produce_req(&b, &p, 4, 0, 3, 0);
	assert_int_equal(rd32(b.data), b.len - 4);
	assert_int_equal(rd16(b.data + 6), 8);
	assert_int_equal(rd16(b.data + 19), 0xffff); /* null transactional id right after id */
	assert_int_equal(rd16(b.data + 21), 0xffff); /* acks -1 */
	assert_int_equal(rd32(b.data + 27), 1);	     /* topic count */
	assert_int_equal(rd16(b.data + 31), 11);     /* "kwgen-topic" */
	kw_gen_buf_reset(&b);
	kw_gen_kafka_produce_resp(&b, &p, 4, 3, 0);
	assert_int_equal(rd32(b.data + 8), 1); /* response header v0: topic count follows */
	kw_gen_buf_fini(&b);

	assert_true(kw_gen_kafka_version_ok(KW_GEN_KAFKA_FETCH, 13));
	assert_false(kw_gen_kafka_version_ok(KW_GEN_KAFKA_FETCH, 14));
	assert_false(kw_gen_kafka_version_ok(KW_GEN_KAFKA_PRODUCE, 2));
	assert_false(kw_gen_kafka_version_ok(KW_GEN_KAFKA_METADATA, 8));
}

static void
test_batch_layout(void **state)
{
	(void)state;
	struct kw_gen_kafka_params p = {.seed = 42,
					.records = 3,
					.record_size = 10,
					.headers = 1,
					.port = 9092,
					.host = "h"};
	struct kw_gen_buf a, c;
	kw_gen_buf_init(&a);
	kw_gen_buf_init(&c);
	kw_gen_kafka_batch_build(&a, &p, 2, 16, 1);
	kw_gen_kafka_batch_build(&c, &p, 2, 16, 0);
	assert_int_equal(a.err, 0);
	assert_int_equal(a.len, c.len);
	assert_true(a.len > KW_GEN_KAFKA_BATCH_HDR);

	assert_int_equal(rd32(a.data + 4), 16); /* baseOffset low word */
	assert_int_equal(rd32(c.data + 4), 0);	/* producers send 0 */
	assert_int_equal(rd32(a.data + 8), a.len - 12);
	assert_int_equal(a.data[16], 2);
	uint32_t crc = rd32(a.data + 17);
	assert_int_equal(crc, kw_gen_crc32c(a.data + 21, a.len - 21));
	assert_int_equal(crc, rd32(c.data + 17));
	assert_memory_equal(a.data + 12, "\0\0\0\0", 4);
	assert_memory_equal(c.data + 12, "\xff\xff\xff\xff", 4);
	assert_int_equal(rd32(a.data + 23), 2); /* lastOffsetDelta */
	assert_int_equal(rd32(a.data + 57), 3); /* recordsCount */

	/* first record: length, attributes 0, deltas 0, key "key-16" */
	const uint8_t *r = a.data + KW_GEN_KAFKA_BATCH_HDR;
	assert_int_equal(r[1], 0);
	assert_int_equal(r[2], 0);
	assert_int_equal(r[3], 0);
	assert_int_equal(r[4], 12); /* zigzag(6) */
	assert_memory_equal(r + 5, "key-16", 6);
	assert_int_equal(r[11], 20); /* zigzag(10) */
	for (int i = 0; i < 10; i++)
		assert_true(r[12 + i] >= 'a' && r[12 + i] <= 'z');
	assert_int_equal(r[22], 2); /* one header */
	/* 36 body bytes: 1 attr, 2 deltas, 1+6 key, 1+10 value, 1 count, 1+8+1+4 header */
	assert_int_equal(r[0], 72);
	assert_int_equal(r[37], 72);	/* second record: same shape */
	assert_int_equal(r[37 + 1], 0); /* its attributes */
	assert_int_equal(r[37 + 2], 2); /* timestampDelta 1 */

	/* the same inputs give the same bytes; another seed changes the values and the CRC */
	kw_gen_buf_reset(&c);
	kw_gen_kafka_batch_build(&c, &p, 2, 16, 1);
	assert_memory_equal(a.data, c.data, a.len);
	p.seed = 43;
	kw_gen_buf_reset(&c);
	kw_gen_kafka_batch_build(&c, &p, 2, 16, 1);
	assert_int_not_equal(rd32(c.data + 17), crc);
	kw_gen_buf_fini(&a);
	kw_gen_buf_fini(&c);
}

static void
test_rand_deterministic(void **state)
{
	(void)state;
	uint64_t s1 = 5, s2 = 5, s3 = 6;
	uint64_t a = kw_gen_rand_next(&s1);
	assert_true(a == kw_gen_rand_next(&s2));
	assert_true(a != kw_gen_rand_next(&s3));
	assert_true(kw_gen_rand_next(&s1) != a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vectors),
		cmocka_unit_test(test_uvarint),
		cmocka_unit_test(test_zigzag),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_request_framing),
		cmocka_unit_test(test_batch_layout),
		cmocka_unit_test(test_rand_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
