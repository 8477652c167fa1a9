#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench-forward.sh: packets/s of kwire (pass-through and flow mode) against dpdk-testpmd io
# forwarding, on the same virtual devices and the same EAL options, in one run.
#
# For each vdev setup and frame size the tools run alternately (testpmd, kwire per mode,
# testpmd, kwire per mode, ... --rounds times) so machine noise hits both; each run is warmed up
# for WARMUP one-second samples, which are discarded, then --duration one-second samples are
# kept. The result is the median of every kept sample of a tool (>= 5 samples).
#
# stdout: one JSON line per (vdev, frame_size, mode); stderr: progress. See docs/performance.md.
set -u -o pipefail

usage() {
	cat <<'EOF'
usage: perf/bench-forward.sh [options]

Measures forwarded packets/s of dpdk-testpmd --forward-mode=io and of kwire (pass-through and
flow mode) with one control lcore and one forwarding lcore (-l 0,1), on the same vdevs.

options:
  --duration S      one-second samples kept per run (default 3; S x rounds must be >= 5)
  --rounds R        alternations testpmd/kwire per measurement (default 2)
  --sizes "N ..."   frame sizes in bytes (default "64 1518")
  --vdevs "V ..."   null: net_null pair (forwarding overhead only, frames are not packets)
                    pcap: net_pcap pair replaying kwgen frames captures with infinite_rx=1
                    kafka: net_pcap replaying kwgen's Kafka mix over --connections
                    connections (handshakes, ApiVersions, Metadata, Produce, Fetch, FIN)
                    with infinite_rx=1 into port 0; frame_size in the output is "mix"
                    (default "null pcap kafka")
  --modes "M ..."   kwire inspect modes: passthrough, flow, kafka
                    (default "passthrough flow kafka"; kafka only runs on --vdevs kafka)
  --connections N   concurrent Kafka connections of the kafka replay (default 10000)
  --produce N       Produce exchanges per connection of the kafka replay (default 1)
  --fetch N         Fetch exchanges per connection of the kafka replay (default 1); kwgen's
                    own default mix is --produce 4 --fetch 4: fewer frames of connection
                    set-up and teardown per request, more record bytes
  --huge            use hugepages (--in-memory) instead of --no-huge; needs nr_hugepages > 0
  --tcp-checksum C  kwire's tcp.checksum in kafka mode: auto (default, validated in software
                    on these vdevs), on, or off (the cost with a NIC that validates TCP
                    checksums on receive and sets the mbuf flags kwire reads)
  -h, --help        this help

environment:
  KW_BUILD          kwire build directory (default: build-pgo/ at the top of the repository,
                    made by scripts/build.sh --pgo; KW_BUILD=build for the plain build);
                    uses KW_BUILD/control/kwire and KW_BUILD/perf/kwgen
  TESTPMD           dpdk-testpmd binary (default: dpdk-testpmd on PATH, package dpdk-dev)

output: {"vdev":"net_null","frame_size":64,"mode":"passthrough","testpmd_pps":...,
         "kwire_pps":...,"ratio":...,"round_ratios":[...],"testpmd_gbps":...,
         "kwire_gbps":...,"kwire_cycles_per_pkt":...,"samples":...,
         "kwire_build":"pgo"|"plain"}
        (kafka mode also "tcp_checksum":..., the kafka vdev "produce":N,"fetch":N,"frames":N;
         flow and kafka mode "vs_passthrough":... when passthrough ran too)
ratio is kwire's median over testpmd's, of every kept sample; round_ratios the same of each
round alone: their spread shows how much the machine moved during the measurement (a
warning on stderr when the largest exceeds the smallest by more than a fifth).
vs_passthrough is the mode's median over kwire pass-through's on the same frames: what the
mode costs kwire, which testpmd's own swings do not move (ratio / pass-through's ratio).
Gbit/s is packets/s x frame_size x 8 (frame bytes without FCS, preamble or gap; the mean
frame for the kafka mix). kwire_cycles_per_pkt: the worker's TSC cycles in iterations that
received frames, per frame (busy_cycles / rx_pkts of its final report, last run).
EOF
}

die() {
	echo "bench-forward: $*" >&2
	exit 1
}

log() {
	echo "bench-forward: $*" >&2
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=perf/kafka-replay.sh
. "$top/perf/kafka-replay.sh"
build=${KW_BUILD:-$top/build-pgo}
duration=3
rounds=2
sizes="64 1518"
vdevs="null pcap kafka"
modes="passthrough flow kafka"
connections=10000
produce=1
fetch=1
huge=0
tcp_checksum=auto
# Samples discarded at the start of each run: ~2 s of warm-up (testpmd's first sample is
# always 0, kwire's first covers port start).
warmup=2
# mbufs: a net_pcap port with infinite_rx keeps every frame of its capture (2048 here) in
# mbufs of the pool for the whole run, so both tools get room for that plus bursts in flight.
kwire_mbufs_per_port=16383
testpmd_mbufs=32768
frames_count=4096
frames_flows=1024

while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=${2:?}; shift 2 ;;
	--rounds) rounds=${2:?}; shift 2 ;;
	--sizes) sizes=${2:?}; shift 2 ;;
	--vdevs) vdevs=${2:?}; shift 2 ;;
	--modes) modes=${2:?}; shift 2 ;;
	--connections) connections=${2:?}; shift 2 ;;
	--produce) produce=${2:?}; shift 2 ;;
	--fetch) fetch=${2:?}; shift 2 ;;
	--huge) huge=1; shift ;;
	--tcp-checksum) tcp_checksum=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done

case $duration$rounds in *[!0-9]* | '') die "--duration and --rounds take whole numbers" ;; esac
case $produce$fetch in *[!0-9]* | '') die "--produce and --fetch take whole numbers" ;; esac
[ "$duration" -ge 1 ] && [ "$rounds" -ge 1 ] || die "--duration and --rounds must be >= 1"
[ $((duration * rounds)) -ge 5 ] || die "--duration x --rounds must give >= 5 samples"
for s in $sizes; do
	case $s in *[!0-9]* | '') die "bad frame size '$s'" ;; esac
	[ "$s" -ge 64 ] && [ "$s" -le 2048 ] || die "frame size $s outside 64..2048 (one mbuf)"
done
for v in $vdevs; do
	case $v in null | pcap | kafka) ;; *) die "unknown vdev setup '$v' (null, pcap or kafka)" ;; esac
done
for m in $modes; do
	case $m in passthrough | flow | kafka) ;; *) die "unknown mode '$m' (passthrough, flow or kafka)" ;; esac
done
case $tcp_checksum in auto | on | off) ;; *) die "--tcp-checksum takes auto, on or off" ;; esac

testpmd=${TESTPMD:-$(command -v dpdk-testpmd || true)}
[ -n "$testpmd" ] && [ -x "$testpmd" ] ||
	die "dpdk-testpmd not found: install the dpdk-dev package (apt-get install dpdk-dev)" \
		"or set TESTPMD=/path/to/dpdk-testpmd"
kwire=$build/control/kwire
kwgen=$build/perf/kwgen
[ -x "$kwire" ] || die "$kwire not found: build first (scripts/build.sh --pgo)" \
	"or set KW_BUILD (KW_BUILD=build for the plain build of scripts/build.sh)"
kwire_build=plain
grep -q -- '-fprofile-use' "$build/build.ninja" 2>/dev/null && kwire_build=pgo
case " $vdevs " in
*" pcap "* | *" kafka "*) [ -x "$kwgen" ] || die "$kwgen not found (needed for --vdevs pcap/kafka)" ;;
esac

if [ "$huge" -eq 1 ]; then
	[ "$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)" -gt 0 ] ||
		die "--huge: /proc/sys/vm/nr_hugepages is 0; reserve hugepages first"
	mem_opts="--in-memory"
else
	mem_opts="--no-huge --no-shconf"
fi
# The kafka replay keeps ~240 k frames of 10 k connections in mbufs: more memory and mbufs.
mem_mb=1024

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kwbench.XXXXXX") || die "mktemp failed"
child=""
run_id=0

# Stop the running tool with SIGINT (both tools drain and print a final report), give it time
# to exit, and only then fall back to SIGKILL so no poller is left spinning on a core.
stop_child() {
	local i

	[ -n "$child" ] || return 0
	kill -INT "$child" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$child" 2>/dev/null; then
		log "pid $child ignored SIGINT for 10 s, killing it"
		kill -KILL "$child" 2>/dev/null
	fi
	wait "$child" 2>/dev/null
	child=""
}

cleanup() {
	stop_child
	# and the EAL runtime directories of run_tool's prefixes (testpmd's and kwire's)
	rm -rf "$tmp" /var/run/dpdk/kwbench$$_* "${XDG_RUNTIME_DIR:-/tmp}"/dpdk/kwbench$$_*
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# Per-sample packets/s of a log. testpmd: the sum of Rx-pps over both ports of each complete
# "Port statistics" block. kwire: the rx Mpps of each periodic line.
samples_testpmd() {
	awk '/Port statistics ====/ { n = 0; sum = 0 }
	     /Rx-pps:/ { sum += $2; if (++n == 2) print sum }' "$1"
}

samples_kwire() {
	awk '/^kwire: [0-9.]+s rx [0-9.]+ Mpps/ { printf "%.0f\n", $4 * 1e6 }' "$1"
}

median() {
	sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) { print "null"; exit }
		      if (NR % 2) printf "%.0f\n", v[(NR + 1) / 2]
		      else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

mpps() {
	awk -v x="$1" 'BEGIN { printf "%.2f", x / 1e6 }'
}

# cold_binary FILE...: write back and drop the files' page cache, so that both tools start from
# code read from disk the same way. A binary just written by the linker runs from the page cache
# its writes filled, and measured slower for it here (perf/kwdecode, alternating runs of two
# identical copies: ~5% more cycles per frame for the fresh copy, none once both were dropped;
# kwire on the Kafka replay: ~2%), while testpmd, installed long ago, is read from disk.
cold_binary() {
	python3 - "$@" <<'PY' || log "could not drop the binaries' page cache (may favour testpmd)"
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
}

# run_tool TOOL LOG VDEV_A VDEV_B [MODE]: run until warmup + duration samples are logged, stop
# it, and append the kept samples to LOG.samples and their median to LOG.rounds.
run_tool() {
	local tool=$1 out=$2 va=$3 vb=$4 mode=${5:-} want=$((warmup + duration)) got=0 t=0
	local eal prefix conf

	run_id=$((run_id + 1))
	prefix=kwbench$$_$run_id
	cold_binary "$testpmd" "$kwire"
	# shellcheck disable=SC2086
	eal="-l 0,1 $mem_opts -m $mem_mb --no-pci --file-prefix $prefix"
	if [ "$tool" = testpmd ]; then
		# shellcheck disable=SC2086
		"$testpmd" $eal --vdev "$va" --vdev "$vb" -- --forward-mode=io --stats-period 1 \
			--total-num-mbufs "$testpmd_mbufs" --nb-cores 1 </dev/null >"$out" 2>&1 &
	else
		conf=$tmp/kwire-$mode.yaml
		printf 'ports:\n  mbufs_per_port: %s\ndataplane:\n  inspect: %s\nstats:\n  interval_ms: 1000\n' \
			"$kwire_mbufs_per_port" "$mode" >"$conf"
		replay_tables_yaml "$connections" >>"$conf"
		printf 'tcp:\n  checksum: %s\n' "$tcp_checksum" >>"$conf"
		# shellcheck disable=SC2086
		"$kwire" $eal --vdev "$va" --vdev "$vb" -- -c "$conf" </dev/null >"$out" 2>&1 &
	fi
	child=$!
	# Poll the log; give up if the tool dies or produces no samples for long.
	while [ "$got" -lt "$want" ]; do
		sleep 0.25
		t=$((t + 1))
		got=$("samples_$tool" "$out" | wc -l)
		if ! kill -0 "$child" 2>/dev/null; then
			wait "$child" 2>/dev/null
			child=""
			tail -n 15 "$out" >&2
			die "$tool exited early (log above)"
		fi
		if [ "$t" -gt $(((want + 20) * 4)) ]; then
			tail -n 15 "$out" >&2
			die "$tool gave $got of $want samples in time"
		fi
	done
	stop_child
	"samples_$tool" "$out" | sed -n "$((warmup + 1)),${want}p" >"$out.run"
	cat "$out.run" >>"$out.samples"
	median <"$out.run" >>"$out.rounds"
}

# round_ratios TESTPMD_LOG KWIRE_LOG: kwire's median over testpmd's of each round, as a JSON
# array. Their spread is how far the machine moved between runs: the ratio of the medians
# (the figure reported) is only as good as these agree.
round_ratios() {
	paste "$1.rounds" "$2.rounds" |
		awk '{ printf "%s%.3f", (NR > 1 ? "," : "["), ($1 + 0 > 0 ? $2 / $1 : 0) }
		     END { print (NR ? "]" : "[]") }'
}

# spread_warn WHAT ROUND_RATIOS: a warning when the largest round ratio exceeds the smallest by
# more than a fifth: the machine moved during the measurement, and the reported ratio may say
# more about it than about the tools (a shared host's neighbours slow one tool's runs and not
# the other's).
spread_warn() {
	echo "$2" | tr -d '[]' | tr ',' '\n' | awk -v what="$1" '
		$1 + 0 > 0 { if (!n || $1 < lo) lo = $1; if (!n || $1 > hi) hi = $1; n++ }
		END {
			if (n > 1 && hi > lo * 1.2)
				printf "bench-forward: warning: %s: round ratios %.3f-%.3f differ by " \
				       "%.0f%%: the machine moved; repeat the measurement\n",
				       what, lo, hi, (hi / lo - 1) * 100 > "/dev/stderr"
		}'
}

# busy_cycles / rx_pkts of a kwire final report, or null.
cycles_per_pkt() {
	awk '$1 == "busy_cycles" { c = $2 } $1 == "rx_pkts" && NF == 2 { p = $2 }
	     END { if (p > 0) printf "%.0f", c / p; else printf "null" }' "$1"
}

gen_pcaps() {
	local size=$1

	"$kwgen" frames --frame-size "$size" --count "$frames_count" --flows "$frames_flows" \
		--split "$tmp/a-$size.pcap" "$tmp/b-$size.pcap" >"$tmp/kwgen-$size.log" 2>&1 ||
		{ cat "$tmp/kwgen-$size.log" >&2; die "kwgen frames --frame-size $size failed"; }
}

log "testpmd $testpmd; kwire $kwire; EAL -l 0,1 $mem_opts --no-pci"
log "$(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
log "per measurement: $rounds rounds x ($warmup warm-up + $duration kept) one-second samples"

for v in $vdevs; do
	vsizes=$sizes
	[ "$v" = kafka ] && vsizes=mix
	for size in $vsizes; do
		mem_mb=1024
		testpmd_mbufs=32768
		kwire_mbufs_per_port=16383
		vmodes=""
		for m in $modes; do
			[ "$m" = kafka ] && [ "$v" != kafka ] && continue
			vmodes="$vmodes $m"
		done
		if [ "$v" = null ]; then
			name=net_null
			va="net_null0,size=$size"
			vb="net_null1,size=$size"
		elif [ "$v" = pcap ]; then
			name=net_pcap
			gen_pcaps "$size"
			# No tx_pcap: net_pcap then sends with its tx_drop queue, which counts and
			# frees, so TX costs the same for both tools and writes no file.
			va="net_pcap0,rx_pcap=$tmp/a-$size.pcap,infinite_rx=1"
			vb="net_pcap1,rx_pcap=$tmp/b-$size.pcap,infinite_rx=1"
		else
			name=net_pcap
			"$kwgen" kafka --connections "$connections" --produce "$produce" --fetch "$fetch" \
				-o "$tmp/kafka.pcap" >"$tmp/kwgen-kafka.log" 2>&1 ||
				{ cat "$tmp/kwgen-kafka.log" >&2; die "kwgen kafka failed"; }
			replay_empty_pcap "$tmp/empty.pcap" # port 1 receives nothing
			read -r size frames <<<"$(replay_mean_frame "$tmp/kafka.pcap")"
			mem_mb=$(replay_mem_mb "$frames")
			testpmd_mbufs=$((frames + 60000))
			kwire_mbufs_per_port=$(replay_mbufs "$frames")
			va="net_pcap0,rx_pcap=$tmp/kafka.pcap,infinite_rx=1"
			vb="net_pcap1,rx_pcap=$tmp/empty.pcap"
		fi
		base=$tmp/$v-$size
		for r in $(seq 1 "$rounds"); do
			log "$name $v ${size}B round $r/$rounds: testpmd io"
			run_tool testpmd "$base-testpmd.log" "$va" "$vb"
			for m in $vmodes; do
				log "$name $v ${size}B round $r/$rounds: kwire $m"
				run_tool kwire "$base-kwire-$m.log" "$va" "$vb" "$m"
			done
		done
		tp=$(median <"$base-testpmd.log.samples")
		n=$(wc -l <"$base-testpmd.log.samples")
		# kwire's own pass-through on the same frames, when measured: the modes over it
		pt=0
		[ -s "$base-kwire-passthrough.log.samples" ] &&
			pt=$(median <"$base-kwire-passthrough.log.samples")
		for m in $vmodes; do
			kw=$(median <"$base-kwire-$m.log.samples")
			cyc=$(cycles_per_pkt "$base-kwire-$m.log")
			rr=$(round_ratios "$base-testpmd.log" "$base-kwire-$m.log")
			fs=$size
			mix=""
			[ "$v" = kafka ] && fs="\"mix\"" &&
				mix=",\"produce\":$produce,\"fetch\":$fetch,\"frames\":$frames"
			awk -v vdev="$name" -v fs="$fs" -v size="$size" -v mode="$m" -v tp="$tp" \
				-v kw="$kw" -v cyc="$cyc" -v n="$n" -v csum="$tcp_checksum" \
				-v kb="$kwire_build" -v rr="$rr" -v mix="$mix" -v pt="$pt" 'BEGIN {
				f = "{\"vdev\":\"%s\",\"frame_size\":%s,\"mode\":\"%s\","
				f = f "\"testpmd_pps\":%d,\"kwire_pps\":%d,\"ratio\":%.3f,"
				f = f "\"round_ratios\":" rr ",\"testpmd_gbps\":%.3f,\"kwire_gbps\":%.3f,"
				f = f "\"kwire_cycles_per_pkt\":%s,\"samples\":%d,\"kwire_build\":\"" kb "\""
				f = f (mode == "kafka" ? ",\"tcp_checksum\":\"" csum "\"" : "") mix
				if (mode != "passthrough" && pt > 0)
					f = f sprintf(",\"vs_passthrough\":%.3f", kw / pt)
				f = f "}\n"
				r = 0
				if (tp > 0)
					r = kw / tp
				printf f, vdev, fs, mode, tp, kw, r,
				       tp * size * 8 / 1e9, kw * size * 8 / 1e9, cyc, n
			}'
			log "$name $v ${size}B $m: testpmd $(mpps "$tp") Mpps, kwire $(mpps "$kw") Mpps"
			spread_warn "$name $v ${size}B $m" "$rr"
		done
	done
done
