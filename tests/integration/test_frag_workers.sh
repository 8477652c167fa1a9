#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# IP fragments decode the same with one worker and with two: a kwgen Kafka capture (IPv4 and
# IPv6 connections) whose every TCP packet is cut into IP fragments (tests/tools/fragment.py)
# enters one port of a net_pcap bridge (both directions). Its single RX queue is dispatched in
# software, so every fragment stays with the dispatcher, which reassembles the packets and hands
# those of flows the other worker owns to that worker (frag_handoff_in). The request log must be
# the one a single worker writes.
#
# Every packet is fragmented because a worker inspects a handed-over packet in the order it was
# handed over, not interleaved with the unfragmented frames of the same flow dispatched to it
# (docs/architecture.md): with whole ACKs alongside fragmented data the two could differ.
# "ts" and "latency_us" are left out (outside `kwire pcap` they are the run's clock, not the
# capture's) and so is "worker", the one field that must differ; lines are sorted because the order pairs are logged in is not part of the contract.
. "$(dirname "$0")/lib.sh"

FRAG="python3 $TOOLS/fragment.py"

# run NAME LCORES: the normalised request log in $WORK/NAME.log, the report in $WORK/NAME.err
run() {
    name=$1
    printf 'dataplane:\n  inspect: kafka\n' >"$WORK/$name.yaml"
    printf '  dispatch_ring_size: 16384\nlog:\n  requests: true\n  path: %s\n' \
        "$WORK/$name.raw" >>"$WORK/$name.yaml"
    printf '  ring_size: 65536\nstats:\n  interval_ms: 0\n' >>"$WORK/$name.yaml"
    # shellcheck disable=SC2046
    kwire $(eal "$2") \
        $(pcap_bridge "$WORK/frag.pcap" "$WORK/empty.pcap" "$WORK/$name.out.pcap" "$WORK/$name.back.pcap") \
        -- -c "$WORK/$name.yaml" --idle-exit 400 2>"$WORK/$name.err" >/dev/null ||
        fail "$name: kwire exited $? ($(tail -3 "$WORK/$name.err"))"
    python3 -c '
import json, sys
for line in sys.stdin:
    if line.startswith("{"):
        r = json.loads(line)
        r.pop("ts", None)
        r.pop("latency_us", None)
        r.pop("worker", None)
        print(json.dumps(r, sort_keys=True))
' <"$WORK/$name.raw" | sort >"$WORK/$name.log"
}

"$KWGEN" kafka --connections 8 --produce 2 --fetch 2 -o "$WORK/v4.pcap" >/dev/null
"$KWGEN" kafka --connections 8 --produce 2 --fetch 2 --ipv6 --seed 3 -o "$WORK/v6.pcap" >/dev/null
mergecap -a -F pcap -w "$WORK/whole.pcap" "$WORK/v4.pcap" "$WORK/v6.pcap"
$FRAG "$WORK/whole.pcap" "$WORK/frag.pcap"
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import pcapio; pcapio.write_pcap(sys.argv[2], 1, [])' \
    "$TOOLS" "$WORK/empty.pcap"

run one 0,1
n=$(wc -l <"$WORK/one.log")
# 16 connections: ApiVersions, Metadata, 2 Produce, 2 Fetch each
[ "$n" -eq 96 ] || fail "one worker: $n requests logged, expected 96"
[ "$(counter frag_reassembled "$WORK/one.err")" -gt 0 ] || fail "one worker: nothing reassembled"

run two '0@0,1@1,2@1'
in=$(counter frag_handoff_in "$WORK/two.err")
[ "${in:-0}" -gt 0 ] || fail "two workers: no reassembled packet was handed over"
[ "$in" = "$(counter frag_handoff_out "$WORK/two.err")" ] || fail "two workers: handoffs lost"
expect_counter frag_handoff_full 0 "$WORK/two.err"
expect_counter frag_foreign 0 "$WORK/two.err"
if ! cmp -s "$WORK/one.log" "$WORK/two.log"; then
    diff "$WORK/one.log" "$WORK/two.log" | head -n 10
    fail "two workers: the request log differs from one worker's"
fi
# the fragments themselves are forwarded as they came, by either run
[ "$($PCAPTOOL count "$WORK/two.out.pcap")" = "$($PCAPTOOL count "$WORK/frag.pcap")" ] ||
    fail "two workers: fragments not all forwarded"
echo "ok: $n requests decoded the same by one and two workers ($in packets handed over)"
