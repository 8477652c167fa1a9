#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Malformed L2-L4 frames (truncations, bad IHL, IP options, IPv6 extension chains, fragments,
# non-IP, VLAN stacks) are forwarded untouched, and each moves exactly its counters.
. "$(dirname "$0")/lib.sh"

expected=$($PCAPTOOL malformed "$WORK/in.pcap")
$PCAPTOOL empty "$WORK/none.pcap"
# shellcheck disable=SC2046
kwire $(eal 0,1) $(pcap_bridge "$WORK/in.pcap" "$WORK/none.pcap" "$WORK/out.pcap" "$WORK/back.pcap") \
    -- --idle-exit 400 2>"$WORK/log" || fail "kwire exited $?"
$PCAPTOOL cmp "$WORK/in.pcap" "$WORK/out.pcap" || fail "malformed frames were changed or lost"
python3 - "$WORK/log" "$expected" <<'PY' || fail "counters"
import json, sys
report = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if line.startswith("  ") and len(parts) == 2:
        report[parts[0]] = int(parts[1])
expected = json.loads(sys.argv[2])
flows = expected.pop("flow")
bad = [(k, v, report.get(k)) for k, v in expected.items() if report.get(k) != v]
# every classifier counter the corpus should not move stays at zero
bad += [(k, 0, v) for k, v in report.items() if k.startswith("pkt_") and k not in expected and v]
assert not bad, f"counter mismatches (name, expected, got): {bad}"
assert report["flow_created"] == 2, report["flow_created"]  # the IPv4 cases share one 5-tuple
print(f"ok: {len(expected)} counters as expected, {flows} trackable frames")
PY
