#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Both directions of every flow reach the same worker: two and three workers behind single-queue
# net_pcap ports (software dispatch); every flow is in exactly one worker's table, with the
# packets of both directions, and the workers share the flows.
. "$(dirname "$0")/lib.sh"

check() { # name lcores workers
    name=$1 lcores=$2 workers=$3
    # shellcheck disable=SC2046
    kwire $(eal "$lcores") \
        $(pcap_bridge "$WORK/c2s.pcap" "$WORK/s2c.pcap" "$WORK/$name.b.pcap" "$WORK/$name.a.pcap") \
        -- --idle-exit 400 --dump-flows "$WORK/$name.flows" 2>"$WORK/$name.log" ||
        fail "$name: kwire exited $?"
    python3 - "$WORK/$name.flows" "$workers" "$n_flows" "$n_frames" <<'PY' || fail "$name"
import json, sys
path, workers, n_flows, n_frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
flows = [json.loads(l) for l in open(path)]
keys = [(f["proto"], f["lo"], f["lo_port"], f["hi"], f["hi_port"]) for f in flows]
assert len(keys) == len(set(keys)), "a flow is in two workers' tables"
assert len(keys) == n_flows, f"{len(keys)} flows, expected {n_flows}"
assert all(f["pkts"][0] > 0 and f["pkts"][1] > 0 for f in flows), "a flow saw one direction only"
assert sum(sum(f["pkts"]) for f in flows) == n_frames, "packets lost between workers"
per = {w: sum(1 for f in flows if f["worker"] == w) for w in range(workers)}
assert all(v > 0 for v in per.values()), f"a worker got no flows: {per}"
print(f"flows per worker: {per}")
PY
    [ "$(counter dispatch_out "$WORK/$name.log")" -gt 0 ] || fail "$name: nothing dispatched"
    [ "$(counter dispatch_out "$WORK/$name.log")" = "$(counter dispatch_in "$WORK/$name.log")" ] ||
        fail "$name: dispatched frames went missing"
    echo "ok: $name"
}

"$KWGEN" kafka --connections 48 --produce 2 --fetch 2 --split "$WORK/c2s.pcap" "$WORK/s2c.pcap" >/dev/null
n_flows=48
n_frames=$(($($PCAPTOOL count "$WORK/c2s.pcap") + $($PCAPTOOL count "$WORK/s2c.pcap")))
check two '0@0,1@1,2@1' 2
check three '0@0,1@1,2@1,3@1' 3
