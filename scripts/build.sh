#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Configure and build kwire into build/ (or $KW_BUILD). Arguments are meson options: given to
# `meson setup` the first time, to `meson configure` after that.
#
# --pgo (first argument): a profile-guided release build into build-pgo/ (or $KW_BUILD). kwire
# is built instrumented, replays a training set through `kwire pcap` (kwgen conversations of
# other shapes than the benchmark's, IPv4 and IPv6, flexible and classic versions, and the
# real-client captures of tests/captures; flow and pass-through modes over kwgen frames), and is
# built again with that profile. Every run trains afresh, so the profile always matches the
# sources. docs/performance.md has its gain.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

configure() {
    if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" "$top" "$@" >&2
    elif [ $# -gt 0 ]; then
        meson configure "$build" "$@" >&2
    fi
}

if [ "${1:-}" != --pgo ]; then
    build=${KW_BUILD:-$top/build}
    configure "$@"
    ninja -C "$build" >&2
    exit 0
fi
shift
build=${KW_BUILD:-$top/build-pgo}
train=$(mktemp -d "${TMPDIR:-/tmp}/kwire-pgo.XXXXXX")
trap 'rm -rf "$train"' EXIT
configure --buildtype=release -Dtests=false -Db_pgo=generate "$@"
find "$build" -name '*.gcda' -delete
ninja -C "$build" control/kwire perf/kwgen >&2

kwgen="$build/perf/kwgen"
"$kwgen" kafka --connections 2000 --produce 3 --fetch 2 --seed 7 -o "$train/flexible.pcap"
"$kwgen" kafka --connections 300 --produce 2 --fetch 2 --seed 8 --ipv6 --vlan 10 --mss 536 \
    --produce-version 8 --fetch-version 11 --metadata-version 9 -o "$train/classic.pcap"
"$kwgen" kafka --connections 300 --produce 1 --fetch 3 --seed 9 --headers 2 \
    --fetch-version 13 -o "$train/topic-ids.pcap"
# run_train WHAT KWIRE-ARGUMENTS...: one training run of kwire; stops the build if it fails
run_train() {
    what=$1
    shift
    "$build/control/kwire" "$@" >/dev/null 2>"$train/report.txt" || {
        cat "$train/report.txt" >&2
        echo "build.sh: training run ($what) failed" >&2
        exit 1
    }
}
for f in "$train"/*.pcap "$top"/tests/captures/*.pcap; do
    run_train "kwire pcap $f" pcap "$f"
done
# flow and pass-through modes (kwire pcap always decodes Kafka): kwire itself over a net_pcap
# pair, many flows without runs of one flow in a burst, small and large frames
{   # a capture of no frames: pcap header, version 2.4, snaplen 65535, Ethernet
    printf '\324\303\262\241\002\000\004\000\000\000\000\000'
    printf '\000\000\000\000\377\377\000\000\001\000\000\000'
} >"$train/empty.pcap"
# run_live WHAT MODE PCAP MB: kwire live in inspect mode MODE with MB of memory, receiving PCAP
# on one port of a net_pcap pair, until it has been idle for 300 ms
run_live() {
    printf 'dataplane:\n  inspect: %s\n' "$2" >"$train/$2.yaml"
    run_train "$1" -l 0,1 --no-huge -m "$4" --no-pci --no-shconf --file-prefix "kwpgo$$" \
        --log-level='*:warning' --vdev "net_pcap0,rx_pcap=$3" \
        --vdev "net_pcap1,rx_pcap=$train/empty.pcap" -- -c "$train/$2.yaml" --idle-exit 300
}
for size in 64 1518; do
    "$kwgen" frames --frame-size $size --count 50000 --flows 1024 --seed 3 \
        -o "$train/frames-$size.pcap"
    for mode in flow passthrough; do
        run_live "$mode mode, $size-byte frames" $mode "$train/frames-$size.pcap" 512
    done
done
# live Kafka mode as deployed (the statistics, without the request log, which is what
# `kwire pcap` writes): its paths were cold in the profile, and the benchmark's Kafka replay ran
# ~2.5% slower for it
for f in "$train"/flexible.pcap "$train"/classic.pcap "$train"/topic-ids.pcap; do
    run_live "kafka mode, $f" kafka "$f" 1024
done
# the training runs' EAL runtime directory (the telemetry socket is gone once kwire has exited)
rm -rf "/var/run/dpdk/kwpgo$$" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/kwpgo$$"
[ -n "$(find "$build" -name '*.gcda' -print -quit)" ] || {
    echo "build.sh: the training runs wrote no profile" >&2
    exit 1
}

meson configure "$build" -Db_pgo=use >&2
ninja -C "$build" >&2
