#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwire inline, as a bump in the wire between real Kafka clients and a real-protocol broker:
# kcat in one network namespace, librdkafka's mock broker in another, each behind a veth pair
# whose root-side ends kwire bridges with net_af_packet, on its embedded default configuration
# (broker ports 9092-9094) with the request log on. No capture or replay: live TCP, with its
# timers, delayed ACKs and window updates.
#
# It checks that the clients work through kwire (every message produced, with gzip and zstd, is
# consumed back by a consumer group), that the inline request log agrees with tshark's Kafka
# dissector on a capture of the client's link (tests/tools/tshark_oracle.py), that `kwire pcap` of
# that capture gives the same pairs as the inline run, and that kwire counted no bad checksum,
# gap, unmatched response, malformed frame, bad CRC or dropped record.
# Needs root (namespaces, dumpcap on the link); the set-up is tests/integration/live_lib.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live_lib.sh"

N=400
TOPIC=live-topic
kwire_start inline

# On the client's own interface, which sees both directions (kwire's af_packet TX bypasses the
# taps of its root-side ends); with TX checksum offload off, what it captures is what crossed.
ip netns exec "$NSC" dumpcap -q -P -i "${VC}n" -s 262144 -f "tcp port 9092" \
    -w "$WORK/live.pcap" 2>"$WORK/cap.err" &
CAP_PID=$!
wait_for "$WORK/cap.err" "Capturing on" || fail "dumpcap: $(cat "$WORK/cap.err")"
mock_start "$TOPIC" 2

messages 1 $N | client -P -t "$TOPIC" -K : -z gzip -X client.id=kcat-gzip \
    -X batch.num.messages=50 -X linger.ms=20 -q || fail "kcat produce (gzip) through kwire"
messages $((N + 1)) $N | client -P -t "$TOPIC" -K : -z zstd -X client.id=kcat-zstd \
    -X batch.num.messages=50 -X linger.ms=20 -q || fail "kcat produce (zstd) through kwire"
client -C -G live-group -c $((2 * N)) -e -q -f '%k:%s\n' -X client.id=kcat-group \
    -X auto.offset.reset=earliest -X auto.commit.interval.ms=200 "$TOPIC" \
    >"$WORK/consumed" || fail "kcat consume through kwire"
sort "$WORK/consumed" >"$WORK/got"
{ messages 1 $N; messages $((N + 1)) $N; } | sort >"$WORK/want"
cmp -s "$WORK/got" "$WORK/want" ||
    fail "consumed $(wc -l <"$WORK/got") messages, not the $((2 * N)) produced"

sleep 0.5 # the last FIN/ACKs
kill "$CAP_PID"
wait "$CAP_PID" || true
CAP_PID=
# every pair is in the log file while kwire still runs: its buffer is flushed every 100 ms
running=$(wc -l <"$WORK/inline.log")
kwire_stop inline
[ "$running" -eq "$(wc -l <"$WORK/inline.log")" ] ||
    fail "$running log lines while kwire ran, $(wc -l <"$WORK/inline.log") after it stopped"
# shellcheck disable=SC2086
counters_zero "$WORK/inline.out" $CLEAN kafka_resp_unmatched
flows=$(counter l7_kafka_flows "$WORK/inline.out")

# the inline log against tshark on the capture of the client's link
python3 "$TOOLS/tshark_oracle.py" compare "$WORK/live.pcap" "$WORK/inline.log" ||
    fail "inline request log and tshark disagree"

# the same capture through kwire pcap: the same pairs (times aside)
kwire pcap "$WORK/live.pcap" >"$WORK/pcap.log" 2>"$WORK/pcap.err" ||
    fail "kwire pcap exited $? ($(tail -3 "$WORK/pcap.err"))"
python3 - "$WORK/inline.log" "$WORK/pcap.log" "$N" "$flows" <<'PY' || fail "request logs"
import collections, json, sys
inline, pcap = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
n, flows = int(sys.argv[3]), int(sys.argv[4])
# A request's partitions and records fields are kept until its response in one of the
# connection's 8 detail slots. The capture, on the client's interface, sees requests earlier and
# responses later than kwire did, so more requests in flight: a pair may lose them there
# (flagged *_trunc) but not inline. Everything else must be the same.
SLOT = ("records_fields", "topic_partitions")
def key(r):
    k = {f: v for f, v in r.items() if f not in ("ts", "latency_us") + SLOT}
    k["flags"] = [f for f in r["flags"] if f[:-len("_trunc")] not in SLOT]
    return json.dumps(k, sort_keys=True)
a, b = collections.Counter(map(key, inline)), collections.Counter(map(key, pcap))
assert a == b, f"inline only: {list((a - b).elements())[:2]}; pcap only: {list((b - a).elements())[:2]}"
apis = collections.Counter(r["api_name"] for r in inline)
for api in ("ApiVersions", "Metadata", "Produce", "FindCoordinator", "JoinGroup", "SyncGroup",
            "OffsetCommit", "Fetch"):
    assert apis[api] > 0, f"no {api} pair: {apis}"
produced = collections.Counter()
for r in inline:
    if r["api_name"] == "Produce":
        assert r["topics"] == ["live-topic"] and not r["error_codes"], r
        produced[r["client_id"]] += r["records"]
assert produced == {"kcat-gzip": n, "kcat-zstd": n}, produced
fetched = sum(r["records"] for r in inline if r["api_name"] == "Fetch")
assert fetched == 2 * n, f"{fetched} records fetched"
assert all(r["client_software"] == {"name": "librdkafka", "version": r["client_software"]["version"]}
           for r in inline), "client software"
first = [r for r in inline if "conn_first" in r["flags"]]
assert len(first) == flows and len({json.dumps(r["flow"]) for r in inline}) == flows, \
    f"{len(first)} first pairs, {flows} Kafka flows"
assert any(r["api_name"] == "OffsetCommit" and r["group_id"] == "live-group" for r in inline)
print(f"ok: {len(inline)} pairs on {flows} connections, inline = pcap = tshark; {apis}")
PY
