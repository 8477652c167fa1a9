#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite: install what is missing, build, run every unit and integration test,
# then build again with AddressSanitizer and UndefinedBehaviorSanitizer and run it all again, then
# run the libFuzzer targets for a bounded time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" --test
jobs=$(nproc)

KW_BUILD=$top/build "$top/scripts/build.sh" -Dtests=true
meson test -C "$top/build" --print-errorlogs --num-processes "$jobs"

# sanitizers: DPDK's own libraries are not instrumented, so link without -z defs; DPDK's inline
# CRC32C (rte_hash_crc.h) reads unaligned 64-bit words on purpose (x86), so alignment is not checked.
# kwgen against tshark (suite gen-oracle, ~65 s) runs in the plain pass only: its time is tshark's,
# which is not instrumented, and kwgen runs under the sanitizers in a dozen other tests.
KW_BUILD=$top/build-asan "$top/scripts/build.sh" --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize=alignment
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$top/build-asan" --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier 3 --no-suite gen-oracle

# fuzzers: a bounded run of each libFuzzer target over its seed corpus (clang)
if [ ! -f "$top/build-fuzz/build.ninja" ]; then
    CC=clang meson setup "$top/build-fuzz" "$top" -Dfuzz=true -Dtests=true >&2
fi
ninja -C "$top/build-fuzz" tests/fuzz/fuzz_kafka tests/fuzz/fuzz_tcp tests/fuzz/fuzz_pkt >&2
meson test -C "$top/build-fuzz" --suite fuzz --no-rebuild --print-errorlogs

python3 "$top/scripts/test-summary.py" "$top/build" "$top/build-asan" "$top/build-fuzz"
