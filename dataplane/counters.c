/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/counters.h"
#include "dataplane/phase.h"

#define KW_CTR_DESC(id, n, u, h) [KW_CTR_##id] = {.name = n, .unit = u, .help = h},
const struct kw_ctr_desc kw_ctr_desc[KW_CTR_MAX] = {KW_WORKER_COUNTERS(KW_CTR_DESC)};
#undef KW_CTR_DESC

#define KW_PHASE_NAME(id, n, what) [KW_PHASE_##id] = n,
const char *const kw_phase_names[KW_PHASE_COUNT] = {KW_PHASES(KW_PHASE_NAME)};
#undef KW_PHASE_NAME
