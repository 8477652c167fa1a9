#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The /kwire/ telemetry commands answer through DPDK's own dpdk-telemetry.py while kwire runs;
# SIGHUP is acknowledged without stopping; SIGINT drains, prints the final report, exits 0.
. "$(dirname "$0")/lib.sh"

prefix="kwtel$$"
# the conversation in wire order on one port, so that every response follows its request
"$KWGEN" kafka --connections 4 -o "$WORK/conv.pcap" >/dev/null
$PCAPTOOL empty "$WORK/none.pcap"
"$KWIRE" -l 0,1 --no-huge -m 256 --no-pci --file-prefix "$prefix" --log-level='*:warning' \
    $(pcap_bridge "$WORK/conv.pcap" "$WORK/none.pcap" "$WORK/b.pcap" "$WORK/a.pcap") \
    -- 2>"$WORK/log" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$WORK" "/var/run/dpdk/$prefix"' EXIT
sock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
[ "$(id -u)" -eq 0 ] || sock=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix/dpdk_telemetry.v2
i=0
until [ -S "$sock" ] && grep -q "bridge" "$WORK/log"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { kill $pid; fail "no telemetry socket at $sock"; }
    sleep 0.1
done
sleep 0.5
printf '/kwire/stats\n/kwire/ports\n/kwire/workers\n/kwire/flows\n/kwire/kafka/apis\n/kwire/kafka/clients\n/kwire/kafka/topics\n/kwire/kafka/groups\n/kwire/kafka/latency\n/kwire/kafka/software\n' |
    dpdk-telemetry.py -f "$prefix" >"$WORK/tel.out" 2>&1 || true
# past two rate windows (1 s) with no traffic: the control thread has ended them on its own
sleep 2.2
printf '/kwire/kafka/clients\n/kwire/kafka/obs\n' |
    dpdk-telemetry.py -f "$prefix" >"$WORK/tel2.out" 2>&1 || true
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
assert ports["0"]["ipackets"] == stats["rx_pkts"] and ports["1"]["opackets"] == stats["rx_pkts"]
assert answers["/kwire/workers"]["0"]["rx_pkts"] == stats["rx_pkts"]
assert answers["/kwire/flows"]["active"] == 4, answers["/kwire/flows"]
apis = answers["/kwire/kafka/apis"]
assert apis["Produce"]["requests"] == 16 and apis["Produce"]["responses"] == 16, apis
assert apis["ApiVersions"]["versions"]["3"]["requests"] == 4, apis
assert stats["tcp_segs"] > 0 and stats["kafka_events"] == 40, stats
assert "kwgen" in json.dumps(answers["/kwire/kafka/clients"]), answers["/kwire/kafka/clients"]
assert "kwgen" in json.dumps(answers["/kwire/kafka/topics"]), answers["/kwire/kafka/topics"]
assert "/kwire/kafka/groups" in answers and "/kwire/kafka/latency" in answers
# kwgen names itself in ApiVersions v3: all 40 pairs of its 4 connections, by library and
# version, and the connections
software = answers["/kwire/kafka/software"]
assert set(software) == {"kwgen/0_1_0"}, software
kw = software["kwgen/0_1_0"]
assert kw["requests"] == 40 and kw["connections"] == 4, software
assert kw["bytes_in"] == answers["/kwire/kafka/clients"]["kwgen"]["bytes_in"], software
assert answers["/kwire/kafka/clients"]["kwgen"]["connections"] == 4, answers["/kwire/kafka/clients"]
assert "connections" not in answers["/kwire/kafka/topics"]["kwgen_topic"], answers["/kwire/kafka/topics"]
print("ok: telemetry", sorted(answers))
PY
python3 - "$WORK/tel2.out" <<'PY' || fail "rate windows: $(cat "$WORK/tel2.out")"
import json, re, sys
answers = {}
for m in re.finditer(r'^\{.*\}$', open(sys.argv[1]).read(), re.M):
    answers.update(json.loads(m.group(0)))
kwgen = answers["/kwire/kafka/clients"]["kwgen"]
assert kwgen["requests"] == 40, kwgen
# the traffic was over before the last window began: no rate, however long ago it was
assert kwgen["requests_per_s"] == 0 and kwgen["bytes_in_per_s"] == 0, kwgen
assert kwgen["rate_partial"] == 0, kwgen
assert answers["/kwire/kafka/obs"]["rate_windows"] >= 2, answers["/kwire/kafka/obs"]
print("ok: rate windows end without traffic")
PY
grep -q "SIGHUP is reserved" "$WORK/log" || fail "SIGHUP not acknowledged"
grep -q "final report" "$WORK/log" || fail "no final report after SIGINT"
echo "ok: signals"
