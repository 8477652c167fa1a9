#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwire's request log checked against tshark's Kafka dissector, an independent oracle
# (tests/tools/tshark_oracle.py), on: the committed captures of real clients
# (tests/captures/, kcat and librdkafka against librdkafka's mock broker), kwgen's
# conversations (IPv4, IPv6, VLAN, and the older versions tshark 4.0 decodes in full), and
# fresh captures of the installed kcat made now by scripts/make-captures.sh when kcat, dumpcap
# and the mock broker are there, also kept as taken on the host (Linux cooked frames,
# offloaded checksums, 64 KiB segments). Every request/response pair must agree; at least 95%
# of kwire's requests must be matched by tshark.
. "$(dirname "$0")/lib.sh"

command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }
ORACLE="python3 $TOOLS/tshark_oracle.py"
FAILED=0
CHECKED=0

check() { # capture
    name=$(basename "$1" .pcap)
    kwire pcap "$1" >"$WORK/$name.log" 2>"$WORK/$name.err" ||
        fail "$name: kwire pcap exited $? ($(tail -3 "$WORK/$name.err"))"
    CHECKED=$((CHECKED + 1))
    $ORACLE compare "$1" "$WORK/$name.log" || FAILED=$((FAILED + 1))
}

for f in "$CAPTURES"/*.pcap; do
    check "$f"
done

OLD="--produce-version 8 --fetch-version 11 --metadata-version 9"
"$KWGEN" kafka -o "$WORK/kwgen-v4.pcap" >/dev/null
"$KWGEN" kafka -o "$WORK/kwgen-v6.pcap" --ipv6 --seed 3 >/dev/null
"$KWGEN" kafka -o "$WORK/kwgen-vlan.pcap" --vlan 100 --seed 4 >/dev/null
# shellcheck disable=SC2086
"$KWGEN" kafka -o "$WORK/kwgen-old-v4.pcap" $OLD >/dev/null
# shellcheck disable=SC2086
"$KWGEN" kafka -o "$WORK/kwgen-old-v6-vlan.pcap" $OLD --ipv6 --vlan 7 --connections 3 \
    --records 20 --headers 2 --mss 536 >/dev/null
for f in "$WORK"/kwgen-*.pcap; do
    check "$f"
done

# Live clients: the installed kcat against a fresh mock broker (needs root for dumpcap).
if [ -n "${MOCK:-}" ] && command -v kcat >/dev/null 2>&1 && command -v dumpcap >/dev/null 2>&1
then
    sh "$SCRIPTS/make-captures.sh" -o "$WORK/live" -m "$MOCK" -n 100 >"$WORK/live.log" 2>&1 ||
        fail "make-captures.sh failed: $(tail -5 "$WORK/live.log")"
    n=0
    for f in "$WORK"/live/*.pcap; do
        mv "$f" "$WORK/live/live-$(basename "$f")"
        check "$WORK/live/live-$(basename "$f")"
        n=$((n + 1))
    done
    [ "$n" -eq 10 ] || fail "make-captures.sh made $n captures, not 10"
    # The same clients captured as on the host (-a): on `any`, so Linux cooked v2 frames,
    # loopback's 64 KiB segments and the blank checksums of TX offload, the broker on its
    # random port; kwire pcap is told the port, tshark decodes it there.
    sh "$SCRIPTS/make-captures.sh" -a -o "$WORK/any" -m "$MOCK" -n 100 >"$WORK/any.log" 2>&1 ||
        fail "make-captures.sh -a failed: $(tail -5 "$WORK/any.log")"
    n=0
    for f in "$WORK"/any/*.pcap; do
        name=any-$(basename "$f" .pcap)
        port=$(cat "${f%.pcap}.port")
        printf 'kafka:\n  ports: [%s]\n' "$port" >"$WORK/$name.yaml"
        kwire pcap "$f" -c "$WORK/$name.yaml" >"$WORK/$name.log" 2>"$WORK/$name.err" ||
            fail "$name: kwire pcap exited $? ($(tail -3 "$WORK/$name.err"))"
        grep -q "link type LINUX_SLL2, replayed as Ethernet" "$WORK/$name.err" ||
            fail "$name: not replayed from a Linux cooked capture"
        CHECKED=$((CHECKED + 1))
        $ORACLE compare "$f" "$WORK/$name.log" --port "$port" || FAILED=$((FAILED + 1))
        n=$((n + 1))
    done
    [ "$n" -eq 10 ] || fail "make-captures.sh -a made $n captures, not 10"
else
    echo "live captures skipped: kw_mock_cluster, kcat or dumpcap missing"
fi

echo "kafka-tshark: $CHECKED captures, $FAILED with differences"
[ "$FAILED" -eq 0 ]
