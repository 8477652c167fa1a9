/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory for a worker's large private tables (the flow table's entries, the Kafka connection
 * pool): hugepage backed whichever way the EAL runs. With hugepages, DPDK memory on the
 * worker's socket (rte_zmalloc_socket). Without them (--no-huge), DPDK's heap is in 4 KiB pages
 * and a table of 10k connections spans ~50k of them, a TLB miss on nearly every connection a
 * packet touches; the table is then an anonymous mapping aligned to 2 MiB and advised for
 * transparent huge pages (MADV_HUGEPAGE: used when /sys/kernel/mm/transparent_hugepage/enabled
 * is `always` or `madvise`, plain pages otherwise), touched whole at allocation so that the fast
 * path never faults. Its NUMA placement is then the first toucher's, as for DPDK's --no-huge
 * heap, and the EAL's -m does not bound it: a table larger than the host's MemAvailable is
 * refused instead.
 *
 * Init and teardown only (any thread); the memory comes zeroed.
 */
#ifndef KW_MEM_H
#define KW_MEM_H

#include <stddef.h>

/* len zeroed bytes, cache-line aligned, for a table of name on socket; NULL when out of memory
 * (under --no-huge: more than MemAvailable, or the mapping failed). */
void *kw_mem_table_alloc(const char *name, size_t len, int socket);
/* Free what kw_mem_table_alloc returned for the same len (NULL: nothing). */
void kw_mem_table_free(void *p, size_t len);

#endif /* KW_MEM_H */
