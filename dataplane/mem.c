/* SPDX-License-Identifier: BSD-3-Clause */
/* Large private tables: DPDK hugepage memory, or transparent huge pages under --no-huge. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "dataplane/mem.h"

#define THP_SIZE (2u << 20)

/* Bytes the kernel can give without swapping (MemAvailable), or SIZE_MAX when it does not say. */
static size_t
mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb;
	size_t avail = SIZE_MAX;

	if (f == NULL)
		return avail;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			avail = (size_t)kb * 1024;
			break;
		}
	fclose(f);
	return avail;
}

/* Whether tables come from DPDK's heap: the EAL has hugepages (fixed once it is up). */
static int
from_dpdk(void)
{
	return rte_eal_has_hugepages();
}

void *
kw_mem_table_alloc(const char *name, size_t len, int socket)
{
	size_t map_len = RTE_ALIGN_CEIL(len, THP_SIZE);
	uint8_t *base, *p;

	if (len == 0)
		return NULL;
	if (from_dpdk())
		return rte_zmalloc_socket(name, len, RTE_CACHE_LINE_SIZE, socket);
	/*
	 * Outside DPDK's heap, -m does not bound the table: refuse one the host cannot hold now,
	 * as the heap would, rather than touch it all and meet the OOM killer.
	 */
	if (map_len > mem_available())
		return NULL;
	/* one huge page more than needed, to start on a 2 MiB boundary; the slack is unmapped */
	base = mmap(NULL, map_len + THP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	p = RTE_PTR_ALIGN_CEIL(base, THP_SIZE);
	if (p > base)
		munmap(base, (size_t)(p - base));
	if (base + map_len + THP_SIZE > p + map_len)
		munmap(p + map_len, (size_t)(base + map_len + THP_SIZE - (p + map_len)));
	/* advice only: without THP the table still works, in 4 KiB pages */
	(void)madvise(p, map_len, MADV_HUGEPAGE);
	memset(p, 0, map_len);
	return p;
}

void
kw_mem_table_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	if (from_dpdk())
		rte_free(p);
	else
		munmap(p, RTE_ALIGN_CEIL(len, THP_SIZE));
}
