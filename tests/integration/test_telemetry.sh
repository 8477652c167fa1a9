#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The /kwire/ telemetry commands answer through DPDK's own dpdk-telemetry.py while kwire runs;
# SIGHUP is acknowledged without stopping; SIGINT drains, prints the final report, exits 0.
. "$(dirname "$0")/lib.sh"

prefix="kwtel$$"
"$KWGEN" kafka --connections 4 --split "$WORK/c2s.pcap" "$WORK/s2c.pcap" >/dev/null
"$KWIRE" -l 0,1 --no-huge -m 256 --no-pci --file-prefix "$prefix" --log-level='*:warning' \
    $(pcap_bridge "$WORK/c2s.pcap" "$WORK/s2c.pcap" "$WORK/b.pcap" "$WORK/a.pcap") \
    -- 2>"$WORK/log" &
pid=$!
sock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
[ "$(id -u)" -eq 0 ] || sock=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix/dpdk_telemetry.v2
i=0
until [ -S "$sock" ] && grep -q "bridge" "$WORK/log"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { kill $pid; fail "no telemetry socket at $sock"; }
    sleep 0.1
done
sleep 0.5
printf '/kwire/stats\n/kwire/ports\n/kwire/workers\n/kwire/flows\n' |
    dpdk-telemetry.py -f "$prefix" >"$WORK/tel.out" 2>&1 || true
kill -HUP $pid
sleep 0.3
kill -0 $pid || fail "SIGHUP stopped kwire"
kill -INT $pid
wait $pid || fail "kwire exited $? after SIGINT"
python3 - "$WORK/tel.out" <<'PY' || fail "telemetry answers: $(cat "$WORK/tel.out")"
import json, re, sys
text = open(sys.argv[1]).read()
answers = {}
for m in re.finditer(r'^\{.*\}$', text, re.M):
    answers.update(json.loads(m.group(0)))
stats, ports = answers["/kwire/stats"], answers["/kwire/ports"]
assert stats["rx_pkts"] == stats["tx_pkts"] > 0, stats
assert set(ports) == {"0", "1"} and ports["0"]["name"] == "net_pcap0", ports
assert ports["0"]["ipackets"] + ports["1"]["ipackets"] == stats["rx_pkts"]
assert answers["/kwire/workers"]["0"]["rx_pkts"] == stats["rx_pkts"]
assert answers["/kwire/flows"]["active"] == 4, answers["/kwire/flows"]
print("ok: telemetry", sorted(answers))
PY
grep -q "SIGHUP is reserved" "$WORK/log" || fail "SIGHUP not acknowledged"
grep -q "final report" "$WORK/log" || fail "no final report after SIGINT"
echo "ok: signals"
