#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwire's main job on an embedded default, no NIC and no hugepages: install what is missing,
# build, generate a Kafka conversation with kwgen, and run it through a kwire bridge of two
# net_pcap ports. Prints what kwire saw and forwarded, then decodes the same conversation with
# `kwire pcap` into the JSON-lines request log. The files stay in out/demo/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
build=${KW_BUILD:-$top/build}
# A first build leaves the tests out (the demo installs none of their packages); a build that
# exists keeps its options, so that the tests scripts/test.sh configured stay there.
if [ -f "$build/build.ninja" ]; then
    "$top/scripts/build.sh"
else
    "$top/scripts/build.sh" -Dtests=false
fi
out=$top/out/demo
mkdir -p "$out"

echo "== kwgen: 8 Kafka client connections (ApiVersions, Metadata, Produce, Fetch) =="
"$build/perf/kwgen" kafka --connections 8 -o "$out/conversation.pcap"
# an empty capture (the pcap file header only) for the side that sends nothing
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' \
    >"$out/nothing.pcap"

# one control lcore and one worker; on a single-core machine both share core 0
if [ "$(nproc)" -ge 2 ]; then lcores="-l 0,1"; else lcores="--lcores 0@0,1@0"; fi
# The conversation as a tap saw it enters port 0 in wire order and leaves port 1; kwire tells
# requests from responses by the broker port, not by the port they arrived on.
echo "== kwire: net_pcap0 <-> net_pcap1, embedded configuration (full Kafka decoding) =="
# shellcheck disable=SC2086
"$build/control/kwire" $lcores --no-huge -m 512 --no-pci --no-shconf --log-level='*:warning' \
    --vdev "net_pcap0,rx_pcap=$out/conversation.pcap,tx_pcap=$out/out-port0.pcap" \
    --vdev "net_pcap1,rx_pcap=$out/nothing.pcap,tx_pcap=$out/out-port1.pcap" \
    -- --idle-exit 500 --dump-flows "$out/flows.jsonl" 2>&1 |
    grep -v -e '^TELEMETRY' -e '^  [a-z0-9_]* 0$'

echo "== flows kwire tracked ($out/flows.jsonl) =="
cat "$out/flows.jsonl"
echo "== the frames kwire forwarded: $out/out-port1.pcap =="

echo "== kwire pcap: the request log of the same conversation ($out/requests.jsonl) =="
"$build/control/kwire" pcap "$out/conversation.pcap" >"$out/requests.jsonl" 2>"$out/pcap-report.txt"
head -n 6 "$out/requests.jsonl"
echo "... $(wc -l <"$out/requests.jsonl") request/response pairs in all; statistics:"
sed -n '/^kafka:/,$p' "$out/pcap-report.txt"
