/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for large private tables (dataplane/mem.c) under an EAL without hugepages, as the
 * tests and `kwire pcap` run: the table is zeroed, writable end to end, starts on a 2 MiB
 * boundary (so that transparent huge pages can back all of it), and is released; whether the
 * kernel backs it with huge pages is the host's setting, reported, not asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "dataplane/mem.h"
#include "kw_test_eal.h"

/* kB of AnonHugePages of this process, or -1 when /proc does not say. */
static long
anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
test_table_no_huge(void **state)
{
	/* not a multiple of 2 MiB, so the tail of the last huge page is slack */
	const size_t len = (5u << 20) + 4160;
	long before = anon_huge_kb(), after;
	uint8_t *p;
	size_t i;

	(void)state;
	assert_false(rte_eal_has_hugepages());
	p = kw_mem_table_alloc("test", len, 0);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p & ((2u << 20) - 1), 0);
	for (i = 0; i < len; i += 4096)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[len - 1], 0);
	memset(p, 0xa5, len);
	assert_int_equal(p[len - 1], 0xa5);
	after = anon_huge_kb();
	print_message("AnonHugePages %ld -> %ld kB (transparent huge pages: host setting)\n",
		      before, after);
	kw_mem_table_free(p, len);
	kw_mem_table_free(NULL, len);
	assert_null(kw_mem_table_alloc("empty", 0, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_no_huge),
	};

	if (kw_test_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
