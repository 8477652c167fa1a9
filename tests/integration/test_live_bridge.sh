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
#
# The broker binds 127.0.0.1 on a random port and advertises it: tests/tools/kw_netshim.c,
# preloaded, moves its listener to 198.18.0.2:9092 and the clients' connections to 198.18.0.2.
# Needs root (namespaces, dumpcap on the link).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
[ -n "${MOCK:-}" ] && [ -x "$MOCK" ] || fail "kw_mock_cluster not built (librdkafka-dev)"
for t in ip ethtool kcat dumpcap tshark cc; do
    command -v $t >/dev/null 2>&1 || fail "$t not found (scripts/install-deps.sh --test)"
done

N=400
TOPIC=live-topic
ID=$$
NSC=kwc$ID NSB=kwb$ID       # client and broker namespaces
VC=kwc${ID}a VB=kwb${ID}a   # root-side veth ends, kwire's ports
KW_PID=
MOCK_PID=
CAP_PID=

cleanup() {
    for p in $CAP_PID $MOCK_PID $KW_PID; do
        kill "$p" 2>/dev/null || true
    done
    ip netns del "$NSC" 2>/dev/null || true
    ip netns del "$NSB" 2>/dev/null || true
    [ -z "${KEEP:-}" ] || cp -r "$WORK" "$KEEP" # KEEP=DIR: keep logs and capture there
    rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for FILE PATTERN: up to 10 s for PATTERN to show up in FILE.
wait_for() {
    i=0
    until grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || return 1
        sleep 0.1
    done
}

# The preloaded shim, built here without the sanitizers of the build under test: it goes into
# kcat and the broker, not into kwire.
cc -O2 -shared -fPIC -o "$WORK/kw_netshim.so" "$TOOLS/kw_netshim.c" ||
    fail "cannot build kw_netshim.so"

# net NS VETH ADDR: a namespace whose veth VETH (peer VETH in the root namespace, up, for kwire)
# has ADDR/24. TX checksum offload off on the namespace end: frames cross kwire as on a wire,
# with their checksums (af_packet hands kwire no offload flags).
net() {
    ip netns add "$1"
    ip link add "$2" type veth peer name "${2}n"
    ip link set "${2}n" netns "$1"
    ip -n "$1" addr add "$3/24" dev "${2}n"
    ip -n "$1" link set lo up
    ip -n "$1" link set "${2}n" up
    ip netns exec "$1" ethtool -K "${2}n" tx off >/dev/null
    ip link set "$2" up
}
net "$NSC" "$VC" 198.18.0.1 || fail "cannot set up namespace $NSC"
net "$NSB" "$VB" 198.18.0.2 || fail "cannot set up namespace $NSB"

printf 'log:\n  requests: true\n  path: %s\n' "$WORK/inline.log" >"$WORK/kwire.yaml"
# shellcheck disable=SC2046
timeout -k 5 120 "$KWIRE" $(eal 0,1) --vdev "net_af_packet0,iface=$VC" \
    --vdev "net_af_packet1,iface=$VB" -- -c "$WORK/kwire.yaml" >"$WORK/kwire.out" 2>&1 &
KW_PID=$!
wait_for "$WORK/kwire.out" "rx .* Mpps" || fail "kwire did not start: $(tail -5 "$WORK/kwire.out")"

# On the client's own interface, which sees both directions (kwire's af_packet TX bypasses the
# taps of its root-side ends); with TX checksum offload off, what it captures is what crossed.
ip netns exec "$NSC" dumpcap -q -P -i "${VC}n" -s 262144 -f "tcp port 9092" \
    -w "$WORK/live.pcap" 2>"$WORK/cap.err" &
CAP_PID=$!
wait_for "$WORK/cap.err" "Capturing on" || fail "dumpcap: $(cat "$WORK/cap.err")"

ip netns exec "$NSB" env LD_PRELOAD="$WORK/kw_netshim.so" KW_SHIM_BIND=198.18.0.2:9092 \
    ASAN_OPTIONS=verify_asan_link_order=0 "$MOCK" "$TOPIC" 2 >"$WORK/boot" \
    2>"$WORK/mock.err" </dev/null &
MOCK_PID=$!
wait_for "$WORK/boot" '^198\.18\.0\.2:9092$' || fail "mock broker: $(cat "$WORK/boot" "$WORK/mock.err")"

client() {
    ip netns exec "$NSC" env LD_PRELOAD="$WORK/kw_netshim.so" KW_SHIM_CONNECT=198.18.0.2 \
        timeout 60 kcat -b 198.18.0.2:9092 "$@"
}

# messages FIRST: N keyed messages numbered from FIRST
messages() {
    seq "$1" $(($1 + N - 1)) | awk '{ printf "key-%d:value-%d\n", $1, $1 }'
}
messages 1 | client -P -t "$TOPIC" -K : -z gzip -X client.id=kcat-gzip \
    -X batch.num.messages=50 -X linger.ms=20 -q || fail "kcat produce (gzip) through kwire"
messages $((N + 1)) | client -P -t "$TOPIC" -K : -z zstd -X client.id=kcat-zstd \
    -X batch.num.messages=50 -X linger.ms=20 -q || fail "kcat produce (zstd) through kwire"
client -C -G live-group -c $((2 * N)) -e -q -f '%k:%s\n' -X client.id=kcat-group \
    -X auto.offset.reset=earliest -X auto.commit.interval.ms=200 "$TOPIC" \
    >"$WORK/consumed" || fail "kcat consume through kwire"
sort "$WORK/consumed" >"$WORK/got"
{ messages 1; messages $((N + 1)); } | sort >"$WORK/want"
cmp -s "$WORK/got" "$WORK/want" ||
    fail "consumed $(wc -l <"$WORK/got") messages, not the $((2 * N)) produced"

sleep 0.5 # the last FIN/ACKs
kill "$CAP_PID"
wait "$CAP_PID" || true
CAP_PID=
kill -INT "$KW_PID"
wait "$KW_PID" || fail "kwire exited $? ($(tail -5 "$WORK/kwire.out"))"
KW_PID=

for c in tcp_bad_csum tcp_csum_auto_off tcp_gaps tcp_invalid tcp_retx_conflict \
    tcp_out_of_window kafka_resp_unmatched kafka_frame_malformed kafka_header_bad \
    kafka_records_crc_bad kafka_rec_dropped drop_tx_full; do
    # the final report leaves most counters out while they are 0
    v=$(counter $c "$WORK/kwire.out")
    [ "${v:-0}" = 0 ] || fail "counter $c: $v (report $WORK/kwire.out)"
done
flows=$(counter l7_kafka_flows "$WORK/kwire.out")

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
