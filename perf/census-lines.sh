#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# census-lines.sh: which functions bring which cache lines into the L2, per frame, on the Kafka
# replay that perf/bench-forward.sh runs (kwgen's mix over 10 k connections, net_pcap with
# infinite_rx=1). kwire runs under Callgrind's cache simulation with a last level the size of the
# L2 for a fixed time, then stops on SIGINT; the misses of each function are divided by the
# frames kwire received.
#
# Valgrind ignores prefetch instructions: a miss is a line the frame needs that the L2 did not
# hold when the program first touched it, whether or not kwire prefetched it. A write miss is a
# line written before it was read (a read for ownership in hardware). Under Valgrind kwire runs
# ~50 times slower while its timers keep real time, so what runs on a timer (the flow aging
# sweep) shows ~50 times its share. Only the worker's poll is counted. See docs/performance.md,
# "Twenty-second session".
#
# stdout: a table, one function a line; stderr: progress.
set -u -o pipefail

usage() {
	cat <<'EOF'
usage: perf/census-lines.sh [options]

options:
  --seconds S       wall-clock seconds under Valgrind (default 200: ~2.5 M frames here)
  --connections N   concurrent Kafka connections of the replay (default 10000)
  --l2 BYTES        simulated L2 size, a power of two (default 2097152), 16-way, 64-byte lines
  --top K           functions shown (default 25)
  -h, --help        this help

environment:
  KW_BUILD          kwire build directory (default: build/ at the top of the repository, made by
                    scripts/build.sh); uses KW_BUILD/control/kwire and KW_BUILD/perf/kwgen

output: reads and writes missed per frame, then the function and its object; the first line
gives the frames and the totals of the shown functions.
EOF
}

die() {
	echo "census-lines: $*" >&2
	exit 1
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=perf/kafka-replay.sh
. "$top/perf/kafka-replay.sh"
build=${KW_BUILD:-$top/build}
seconds=200
connections=10000
l2=2097152
show=25
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:?}; shift 2 ;;
	--connections) connections=${2:?}; shift 2 ;;
	--l2) l2=${2:?}; shift 2 ;;
	--top) show=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
sets=$((l2 / 64 / 16))
[ "$sets" -ge 1 ] && [ $((sets & (sets - 1))) -eq 0 ] ||
	die "--l2 $l2: 64-byte lines in 16 ways must make a power-of-two number of sets"
for t in valgrind callgrind_annotate python3; do
	command -v "$t" >/dev/null || die "$t not found (apt-get install valgrind python3)"
done
kwire=$build/control/kwire
kwgen=$build/perf/kwgen
[ -x "$kwire" ] && [ -x "$kwgen" ] || die "$kwire or $kwgen missing: run scripts/build.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kwire-census.XXXXXX")
prefix=kwcensus$$
trap 'rm -rf "$tmp" "/var/run/dpdk/$prefix" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix"' EXIT

"$kwgen" kafka --connections "$connections" --produce 1 --fetch 1 -o "$tmp/k.pcap" \
	>"$tmp/kwgen.log" 2>&1 || { cat "$tmp/kwgen.log" >&2; die "kwgen kafka failed"; }
replay_empty_pcap "$tmp/empty.pcap" # port 1 receives nothing
read -r _ frames <<<"$(replay_mean_frame "$tmp/k.pcap")"
printf 'ports:\n  mbufs_per_port: %s\ndataplane:\n  inspect: kafka\n' "$(replay_mbufs "$frames")" \
	>"$tmp/conf.yaml"
replay_tables_yaml "$connections" >>"$tmp/conf.yaml"

echo "census-lines: $connections connections ($frames frames), L2 $l2 bytes, $seconds s" >&2
# counted inside the worker's poll only (the PMD's receive and transmit included): not start-up,
# not the control thread, whose accesses still go through the simulated caches
timeout -s INT "$seconds" valgrind --tool=callgrind --fair-sched=yes --cache-sim=yes \
	--D1=49152,12,64 --LL="$l2",16,64 --collect-atstart=no --toggle-collect=kw_worker_poll \
	--callgrind-out-file="$tmp/cg.out" \
	"$kwire" -l 0,1 --no-huge -m "$(replay_mem_mb "$frames")" --no-pci --file-prefix "$prefix" \
	--vdev "net_pcap0,rx_pcap=$tmp/k.pcap,infinite_rx=1" \
	--vdev "net_pcap1,rx_pcap=$tmp/empty.pcap" -- -c "$tmp/conf.yaml" >"$tmp/kwire.log" 2>&1
rx=$(awk '$1 == "rx_pkts" && NF == 2 { p = $2 } END { print p + 0 }' "$tmp/kwire.log")
[ "$rx" -gt 0 ] && [ -s "$tmp/cg.out" ] || {
	tail -n 15 "$tmp/kwire.log" >&2
	die "kwire received no frames under Valgrind (log above)"
}
callgrind_annotate --show=DLmr,DLmw --sort=DLmr --threshold=100 --show-percs=no \
	"$tmp/cg.out" >"$tmp/ann.txt" || die "callgrind_annotate failed"
python3 - "$tmp/ann.txt" "$rx" "$show" <<'PY'
import re, sys
text, rx, show = open(sys.argv[1]).read(), int(sys.argv[2]), int(sys.argv[3])
body = text.split("file:function", 1)[-1]
row = re.compile(r"^\s*([\d,]+|\.)\s+([\d,]+|\.)\s+(\S.*)$")
rows = []
for line in body.splitlines():
    if line.startswith("-- Auto-annotated"):
        break
    m = row.match(line)
    if m:
        num = lambda s: 0 if s == "." else int(s.replace(",", ""))
        name = re.sub(r"^.*/\.\./", "", m.group(3))
        rows.append((num(m.group(1)), num(m.group(2)), name))
rows.sort(key=lambda r: r[0] + r[1], reverse=True)
rows = rows[:show]
print("frames %d; shown: %.3f read, %.3f written per frame" %
      (rx, sum(r[0] for r in rows) / rx, sum(r[1] for r in rows) / rx))
print("%8s %8s  %s" % ("read", "write", "function"))
for r, w, name in rows:
    print("%8.3f %8.3f  %s" % (r / rx, w / rx, name))
PY
