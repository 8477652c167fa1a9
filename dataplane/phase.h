/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a worker's cycles go: TSC cycles per phase of the fast path, for performance work only.
 * Built with `meson configure -Dphase_tsc=true`; otherwise every mark compiles to nothing and the
 * struct stays zero. Each mark is one rdtsc (~25 cycles): figures carry that overhead, ratios
 * between phases and between runs of the same build are what they are good for.
 *
 * Written only by the owning worker, read by the control thread's final report.
 */
#ifndef KW_PHASE_H
#define KW_PHASE_H

#include <stdint.h>

#include <rte_cycles.h>

/* X(id, name, what) -- phases nest as listed: kafka, restart and emit lie inside inspect. */
#define KW_PHASES(X)                                                                               \
	X(RX, "rx", "rte_eth_rx_burst (the PMD's own work)")                                       \
	X(CLASSIFY, "classify", "L2-L4 parsing of a burst, fragments offered for reassembly")      \
	X(LOOKUP, "lookup", "bulk flow table lookup and inserts")                                  \
	X(INSPECT, "inspect", "prefetch, TCP tracking and everything below, per burst")            \
	X(KAFKA, "kafka", "Kafka decoding of delivered bytes (inside inspect)")                    \
	X(RESTART, "restart", "reused 5-tuples and new flows: release, classify, attach")          \
	X(EMIT, "emit", "events copied into log records for the control thread (inside kafka)")    \
	X(TX, "tx", "forwarding: buffering and rte_eth_tx_burst")

#define KW_PHASE_ENUM(id, name, what) KW_PHASE_##id,
enum kw_phase_id { KW_PHASES(KW_PHASE_ENUM) KW_PHASE_COUNT };
#undef KW_PHASE_ENUM

struct kw_phases {
	uint64_t cyc[KW_PHASE_COUNT];
};

extern const char *const kw_phase_names[KW_PHASE_COUNT];

#ifdef KW_PHASE_TSC
#define KW_PHASE_ON 1
/* Declare t and start timing. */
#define KW_PHASE_START(t) uint64_t t = rte_rdtsc()
/* Add the cycles since t to phase id of worker w. */
#define KW_PHASE_END(w, id, t) ((w)->phases.cyc[KW_PHASE_##id] += rte_rdtsc() - (t))
/* End phase id and start the next one from the same instant. */
#define KW_PHASE_NEXT(w, id, t)                                                                    \
	do {                                                                                       \
		uint64_t kw_phase_now_ = rte_rdtsc();                                              \
		(w)->phases.cyc[KW_PHASE_##id] += kw_phase_now_ - (t);                             \
		(t) = kw_phase_now_;                                                               \
	} while (0)
#else
#define KW_PHASE_ON 0
#define KW_PHASE_START(t) ((void)0)
#define KW_PHASE_END(w, id, t) ((void)0)
#define KW_PHASE_NEXT(w, id, t) ((void)0)
#endif

#endif /* KW_PHASE_H */
