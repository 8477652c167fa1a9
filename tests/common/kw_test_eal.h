/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL bring-up for unit tests: no hugepages, no PCI, no shared config, no telemetry socket and a
 * file prefix of its own, so that test binaries can run in parallel. Call once from main().
 */
#ifndef KW_TEST_EAL_H
#define KW_TEST_EAL_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>

/* The EAL's runtime directory, empty with these options: removed at exit, not left behind. */
static char kw_test_eal_dir[PATH_MAX];

static inline void
kw_test_eal_rmdir(void)
{
	rmdir(kw_test_eal_dir);
}

static inline int
kw_test_eal_init(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=kwt%d", (int)getpid());
	char *argv[] = {"kwtest", "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			"--no-telemetry", prefix, "--log-level=*:error", NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	snprintf(kw_test_eal_dir, sizeof(kw_test_eal_dir), "%s", rte_eal_get_runtime_dir());
	atexit(kw_test_eal_rmdir);
	return 0;
}

#endif /* KW_TEST_EAL_H */
