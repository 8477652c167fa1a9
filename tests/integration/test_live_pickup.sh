#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwire replaced under open connections, as in an upgrade of the appliance: a consumer group
# member (kcat) keeps its connections to the broker while kwire A stops and kwire B starts on the
# same links. The link is down in between, so TCP retransmits; B sees connections it never saw
# open and picks them up mid-stream (tcp.midstream, on by default), resynchronizing the Kafka
# framing at the next trusted request start.
#
# It checks that the consumer gets every message, those produced before the swap and those
# produced after it; that B picked up and resynchronized the connections without a failed
# resynchronization, a bad checksum or a window it could not place; and that B's request log
# shows the consumer's Fetch pairs on a connection A saw open, with its client id, the topic and
# every record produced after the swap.
#
# Needs root (namespaces); the set-up is tests/integration/live_lib.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live_lib.sh"

N=100
TOPIC=pick-topic
kwire_start A
mock_start "$TOPIC" 1

messages 1 $N | client -P -t "$TOPIC" -K : -X client.id=kcat-before -q ||
    fail "kcat produce before the swap"
client -C -G pick-group -c $((2 * N)) -q -u -f '%k:%s\n' -X client.id=kcat-pick \
    -X auto.offset.reset=earliest -X fetch.wait.max.ms=100 "$TOPIC" >"$WORK/consumed" &
CONSUMER=$!
BG_PIDS=$CONSUMER
i=0
until [ "$(wc -l <"$WORK/consumed")" -ge $N ]; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "the consumer got $(wc -l <"$WORK/consumed") of $N messages"
    sleep 0.1
done

kwire_stop A
kwire_start B
# The consumer's requests get through again (retransmitted) and B resynchronizes: wait for its
# first Fetch pair in B's log, which kwire flushes every 100 ms while it runs, then one more
# fetch cycle for good measure.
fetch='"api_name":"Fetch","api_version":[0-9]*,"correlation_id":[0-9]*,"client_id":"kcat-pick"'
wait_for "$WORK/B.log" "$fetch" ||
    fail "no Fetch pair of the consumer in B's log after 10 s ($(wc -l <"$WORK/B.log") lines)"
sleep 0.2
messages $((N + 1)) $N | client -P -t "$TOPIC" -K : -X client.id=kcat-after -q ||
    fail "kcat produce after the swap"
wait "$CONSUMER" || fail "the consumer exited $? with $(wc -l <"$WORK/consumed") messages"
sort "$WORK/consumed" >"$WORK/got"
{ messages 1 $N; messages $((N + 1)) $N; } | sort >"$WORK/want"
cmp -s "$WORK/got" "$WORK/want" ||
    fail "consumed $(wc -l <"$WORK/got") messages, not the $((2 * N)) produced"
sleep 0.5
kwire_stop B

# shellcheck disable=SC2086
counters_zero "$WORK/B.out" $CLEAN kafka_resync_failed
for c in tcp_midstream_pickups kafka_resync_ok; do
    v=$(counter $c "$WORK/B.out")
    [ "${v:-0}" -ge 1 ] || fail "counter $c: '$v', B picked up nothing (report $WORK/B.out)"
done

python3 - "$WORK/A.log" "$WORK/B.log" "$N" <<'PY' || fail "request logs"
import json, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
n = int(sys.argv[3])
flow = lambda r: (r["flow"]["src"], r["flow"]["sport"])
# the consumer's connections that A saw open and B picked up
picked = {flow(r) for r in a if r["client_id"] == "kcat-pick"} & {flow(r) for r in b}
assert picked, "no connection of the consumer in both logs"
fetches = [r for r in b if flow(r) in picked and r["api_name"] == "Fetch"]
assert fetches, "no Fetch pair on a picked-up connection"
for r in b:
    if flow(r) in picked:
        assert r["client_id"] == "kcat-pick" and "resp_bad" not in r["flags"], r
assert all(r["topics"] == ["pick-topic"] for r in fetches), fetches
got = sum(r["records"] for r in fetches)
assert got == n, f"B's Fetch pairs on picked-up connections carry {got} records, not {n}"
print(f"ok: {len(picked)} connection(s) picked up, {len(fetches)} Fetch pairs, {got} records")
PY
