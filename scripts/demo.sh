#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwire's main job on an embedded default, no NIC and no hugepages: install what is missing,
# build, generate a Kafka conversation with kwgen, and run it through a kwire bridge of two
# net_pcap ports. Prints what kwire saw and forwarded; the files stay in out/demo/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
build=${KW_BUILD:-$top/build}
out=$top/out/demo
mkdir -p "$out"

echo "== kwgen: 8 Kafka client connections (ApiVersions, Metadata, Produce, Fetch) =="
"$build/perf/kwgen" kafka --connections 8 -o "$out/conversation.pcap" \
    --split "$out/client-side.pcap" "$out/broker-side.pcap"

# one control lcore and one worker; on a single-core machine both share core 0
if [ "$(nproc)" -ge 2 ]; then lcores="-l 0,1"; else lcores="--lcores 0@0,1@0"; fi
echo "== kwire: net_pcap0 (client side) <-> net_pcap1 (broker side), embedded configuration =="
# shellcheck disable=SC2086
"$build/control/kwire" $lcores --no-huge -m 512 --no-pci --no-shconf --log-level='*:warning' \
    --vdev "net_pcap0,rx_pcap=$out/client-side.pcap,tx_pcap=$out/to-client.pcap" \
    --vdev "net_pcap1,rx_pcap=$out/broker-side.pcap,tx_pcap=$out/to-broker.pcap" \
    -- --idle-exit 500 --dump-flows "$out/flows.jsonl" 2>&1 |
    grep -v -e '^TELEMETRY' -e '^  [a-z0-9_]* 0$'

echo "== flows kwire tracked ($out/flows.jsonl) =="
cat "$out/flows.jsonl"
echo "== forwarded captures: $out/to-broker.pcap, $out/to-client.pcap =="
