#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwire pcap end to end: the request log of kwgen conversations (IPv4, IPv6, VLAN; Linux cooked,
# raw IP and loopback link types give the Ethernet capture's log; 802.11 is refused), a reused
# 5-tuple decoded twice, Kafka found by detection on another port, TLS passed undecoded, and a
# SASL/PLAIN login whose user is reported and whose password appears nowhere.
. "$(dirname "$0")/lib.sh"

# run NAME CAPTURE [kwire options]: log in $WORK/NAME.log, report in $WORK/NAME.err
run() {
    name=$1 cap=$2
    shift 2
    kwire pcap "$cap" "$@" >"$WORK/$name.log" 2>"$WORK/$name.err" ||
        fail "$name: kwire pcap exited $? ($(tail -3 "$WORK/$name.err"))"
}

# check NAME CONNECTIONS PRODUCE FETCH: every exchange kwgen wrote is in the log, answered
check() {
    python3 - "$WORK/$1.log" "$2" "$3" "$4" <<'PY' || fail "$1: request log"
import collections, json, sys
path, conns, produce, fetch = sys.argv[1], *map(int, sys.argv[2:])
recs = [json.loads(l) for l in open(path)]
names = collections.Counter(r["api_name"] for r in recs)
want = {"ApiVersions": conns, "Metadata": conns, "Produce": conns * produce, "Fetch": conns * fetch}
assert names == want, f"{names} != {want}"
for r in recs:
    assert r["latency_us"] is not None, r
    assert not set(r["flags"]) - {"topic_ids_aligned", "conn_first", "software_first"}, r
    # a connection's first pair, and only that, is marked: its ApiVersions (correlation id 1),
    # which is also the first with the client software it names
    assert ("conn_first" in r["flags"]) == (r["correlation_id"] == 1), r
    assert ("software_first" in r["flags"]) == (r["correlation_id"] == 1), r
    assert r["client_id"] == "kwgen" and r["flow"]["dport"] == 9092, r
    if r["api_name"] in ("Produce", "Fetch", "Metadata"):
        assert r["topics"] == ["kwgen-topic"] and r["topic_count"] == 1, r
    if r["api_name"] in ("Produce", "Fetch"):
        assert r["records"] == 8 and r["partitions"] == 1, r
    assert r["client_software"] == {"name": "kwgen", "version": "0.1.0"}, r
by_flow = collections.defaultdict(list)
for r in recs:
    by_flow[(r["flow"]["src"], r["flow"]["sport"])].append(r["correlation_id"])
assert all(c == list(range(1, len(c) + 1)) for c in by_flow.values()), "correlation ids"
print(f"ok: {len(recs)} request/response pairs")
PY
}

"$KWGEN" kafka --connections 6 --produce 3 --fetch 2 -o "$WORK/v4.pcap" >/dev/null
run v4 "$WORK/v4.pcap"
check v4 6 3 2
grep -q "limit reached" "$WORK/v4.err" && fail "v4: a limit reported: $(grep limit "$WORK/v4.err")"

# The same six concurrent connections with room for five flows and four Kafka connections: one
# flow is forwarded untracked, one is tracked but not decoded, and the report says which bound
# did it, with the key to raise; the log holds the four decoded connections only.
printf 'flows:\n  capacity: 5\nkafka:\n  max_connections: 4\n' >"$WORK/small.yaml"
run small "$WORK/v4.pcap" -c "$WORK/small.yaml"
conns="kafka.max_connections (4 per worker): 1 Kafka flows forwarded undecoded"
flows="flows.capacity \(5 per worker\): [1-9][0-9]* packets of new flows found the table full"
grep -q "^kwire: limit reached: $conns\$" "$WORK/small.err" ||
    fail "small: no kafka.max_connections line: $(grep limit "$WORK/small.err")"
grep -Eq "^kwire: limit reached: $flows \(forwarded untracked\)\$" "$WORK/small.err" ||
    fail "small: no flows.capacity line: $(grep limit "$WORK/small.err")"
check small 4 3 2

# Eight connections one after the other, four at a time, with room for four Kafka connections:
# each closed connection gives its state back, so all eight are decoded. (Before, a connection's
# state stayed until its flow aged out, which a replay never lasts long enough for: the last four
# went undecoded.)
"$KWGEN" kafka --connections 8 --produce 3 --fetch 2 -o "$WORK/eight.pcap" >/dev/null
python3 - "$TOOLS" "$WORK/eight.pcap" "$WORK/seq.pcap" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
from pcapio import read_pcap, write_pcap
linktype, frames = read_pcap(sys.argv[2])
def conn(fr):  # kwgen: client port 40000 + i, IPv4, no options in the IP header
    sport, dport = struct.unpack("!HH", fr[34:38])
    return (sport if dport == 9092 else dport) - 40000
first = [f for f in frames if conn(f[2]) < 4]
second = [(sec + 3600, usec, fr) for sec, usec, fr in frames if conn(fr) >= 4]
write_pcap(sys.argv[3], linktype, first + second)
PY
printf 'kafka:\n  max_connections: 4\n' >"$WORK/four.yaml"
run seq "$WORK/seq.pcap" -c "$WORK/four.yaml"
check seq 8 3 2
grep -q "limit reached" "$WORK/seq.err" && fail "seq: $(grep limit "$WORK/seq.err")"
"$KWGEN" kafka --connections 3 --produce 2 --fetch 2 --ipv6 -o "$WORK/v6.pcap" >/dev/null
run v6 "$WORK/v6.pcap"
check v6 3 2 2
"$KWGEN" kafka --connections 3 --produce 2 --fetch 2 --vlan 7 -o "$WORK/vlan.pcap" >/dev/null
run vlan "$WORK/vlan.pcap"
check vlan 3 2 2

# Captures of other link types (tcpdump -i any writes Linux cooked ones) are replayed from an
# Ethernet copy: the request log is the Ethernet capture's, line for line (timestamps too), and
# the copy is gone afterwards. pcaptool rewrites the frames; tshark reads them independently.
mkdir "$WORK/tmp"
for case in v4:sll v4:sll2 v4:raw v4:null v4:loop v6:sll2 v6:raw v6:null; do
    base=${case%:*} lt=${case#*:}
    python3 "$TOOLS/pcaptool.py" encap "$WORK/$base.pcap" "$WORK/$base-$lt.pcap" "$lt"
    [ "$(tshark -r "$WORK/$base-$lt.pcap" -Y kafka 2>/dev/null | wc -l)" -gt 0 ] ||
        fail "$base-$lt: tshark reads no Kafka in the rewritten capture"
    TMPDIR=$WORK/tmp run "$base-$lt" "$WORK/$base-$lt.pcap"
    cmp -s "$WORK/$base.log" "$WORK/$base-$lt.log" ||
        fail "$base-$lt: request log differs: $(diff "$WORK/$base.log" "$WORK/$base-$lt.log" |
            head -3)"
    grep -q "replayed as Ethernet" "$WORK/$base-$lt.err" || fail "$base-$lt: no notice"
done
[ -z "$(ls "$WORK/tmp")" ] || fail "Ethernet copies left behind: $(ls "$WORK/tmp")"
# a link type kwire cannot read is refused, not replayed as Ethernet to decode nothing
python3 - "$WORK/v4.pcap" "$WORK/wifi.pcap" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[20:24] = (105).to_bytes(4, "little")  # LINKTYPE_IEEE802_11
open(sys.argv[2], "wb").write(data)
PY
if kwire pcap "$WORK/wifi.pcap" >"$WORK/wifi.log" 2>"$WORK/wifi.err"; then
    fail "wifi: an 802.11 capture was accepted"
fi
grep -q "link type IEEE802_11 (105) is not supported" "$WORK/wifi.err" ||
    fail "wifi: $(cat "$WORK/wifi.err")"

# A capture cut at 96 bytes a frame: kwire says so up front (nothing past the cut decodes)
editcap -s 96 "$WORK/v4.pcap" "$WORK/s96.pcap"
run s96 "$WORK/s96.pcap"
grep -q "frames cut at 96 bytes when captured" "$WORK/s96.err" ||
    fail "s96: no snap length warning: $(head -3 "$WORK/s96.err")"
grep -q "frames cut" "$WORK/v4.err" && fail "v4: a snap length warning"

# Timestamps going back (every frame earlier than the one before, as in a badly merged capture):
# every pair is decoded, none gets a latency (null, flag clock_back, counted) instead of a
# wrapped one of centuries, and the latency statistics take none of them.
python3 - "$TOOLS" "$WORK/v4.pcap" "$WORK/back.pcap" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from pcapio import read_pcap, write_pcap
linktype, frames = read_pcap(sys.argv[2])
write_pcap(sys.argv[3], linktype,
           [(1700000000 + len(frames) - i, 0, fr) for i, (_, _, fr) in enumerate(frames)])
PY
run back "$WORK/back.pcap"
python3 - "$WORK/back.log" "$WORK/v4.log" <<'PY' || fail "back: request log"
import json, sys
back = [json.loads(l) for l in open(sys.argv[1])]
fwd = [json.loads(l) for l in open(sys.argv[2])]
assert len(back) == len(fwd) == 42, (len(back), len(fwd))
for r in back:
    assert r["latency_us"] is None and "clock_back" in r["flags"], r
PY
expect_counter kafka_latency_clock_back 42 "$WORK/back.err"
grep -q "^latency " "$WORK/back.err" &&
    fail "back: latencies counted: $(grep '^latency' "$WORK/back.err")"

# the same connections again after they closed: new SYNs restart them, nothing is lost
mergecap -a -F pcap -w "$WORK/twice.pcap" "$WORK/v4.pcap" "$WORK/v4.pcap"
run twice "$WORK/twice.pcap"
[ "$(wc -l <"$WORK/twice.log")" -eq $((2 * $(wc -l <"$WORK/v4.log"))) ] || fail "twice: lines"
expect_counter l7_restarts 6 "$WORK/twice.err"

# ... also when a direction closed without a FIN of its own on record: the client's second
# request is missing and the broker acks it (a gap: that direction is opaque), so its FIN only
# closes it. The reused 5-tuple after it is a new connection, decoded whole (a crash once: the
# tracker reset the connection while the flow, not restarted, had no decoder state).
"$KWGEN" kafka --connections 1 --produce 2 --fetch 2 -o "$WORK/one.pcap" >/dev/null
python3 - "$TOOLS" "$WORK/one.pcap" "$WORK/gapfin.pcap" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
from pcapio import read_pcap, write_pcap
linktype, frames = read_pcap(sys.argv[2])
kept, n = [], 0
for fr in frames:
    b = fr[2]
    ihl = (b[14] & 15) * 4
    tcp = 14 + ihl
    payload = struct.unpack("!H", b[16:18])[0] - ihl - (b[tcp + 12] >> 4) * 4
    if struct.unpack("!H", b[tcp + 2:tcp + 4])[0] == 9092 and payload > 0:
        n += 1
        if n == 2:
            continue
    kept.append(fr)
write_pcap(sys.argv[3], linktype, kept + frames)
PY
run gapfin "$WORK/gapfin.pcap"
run one "$WORK/one.pcap"
[ "$(wc -l <"$WORK/one.log")" -eq 6 ] || fail "one: $(wc -l <"$WORK/one.log") lines"
# the log's lines without their timestamps and latencies, which differ between the copies
strip() { python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    for k in ("ts", "latency_us"):
        r.pop(k, None)
    print(json.dumps(r, sort_keys=True))
'; }
tail -n 6 "$WORK/gapfin.log" | strip >"$WORK/gapfin.pairs"
strip <"$WORK/one.log" >"$WORK/one.pairs"
cmp -s "$WORK/gapfin.pairs" "$WORK/one.pairs" ||
    fail "gapfin: the reused connection decodes differently: $(diff "$WORK/one.pairs" "$WORK/gapfin.pairs" | head -5)"
expect_counter l7_restarts 1 "$WORK/gapfin.err"
expect_counter tcp_gap_acked 1 "$WORK/gapfin.err"
expect_counter l7_data_after_close 0 "$WORK/gapfin.err"

# Kafka on port 19092: found by detection, ignored without it
"$KWGEN" kafka --connections 2 --produce 1 --fetch 1 --port 19092 -o "$WORK/p19.pcap" >/dev/null
printf 'kafka:\n  ports: []\n  detect: true\n' >"$WORK/detect.yaml"
run detect "$WORK/p19.pcap" -c "$WORK/detect.yaml"
[ "$(wc -l <"$WORK/detect.log")" -eq 8 ] || fail "detect: $(wc -l <"$WORK/detect.log") lines"
expect_counter l7_detect_hits 2 "$WORK/detect.err"
run nodetect "$WORK/p19.pcap"
[ ! -s "$WORK/nodetect.log" ] || fail "nodetect: Kafka decoded on a port not configured"
# ... also when the first request arrives a byte per segment: the flow keeps the head it needs
python3 "$TOOLS/resegment.py" --mode one "$WORK/p19.pcap" "$WORK/p19-one.pcap"
run detect-one "$WORK/p19-one.pcap" -c "$WORK/detect.yaml"
expect_counter l7_detect_hits 2 "$WORK/detect-one.err"
pairs() { # log: api key, correlation id, client id, topics of every line, sorted
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["api_key"], r["correlation_id"], r["client_id"], r["topics"], r["records"])
' "$1" | sort
}
[ "$(pairs "$WORK/detect-one.log")" = "$(pairs "$WORK/detect.log")" ] ||
    fail "detect: 1-byte segments decode differently"
# ... and one connection reused back to back: its teardown, new handshake and first requests
# share a burst (kwire pcap reads 64 frames at a time), so the flow is restarted and has no
# decoder state until detection finds it again, in the middle of the burst whose Kafka state
# the worker prefetches (a crash once)
"$KWGEN" kafka --connections 1 --produce 2 --fetch 2 --port 19092 -o "$WORK/p19-1.pcap" >/dev/null
mergecap -a -F pcap -w "$WORK/p19-6.pcap" "$WORK/p19-1.pcap" "$WORK/p19-1.pcap" \
    "$WORK/p19-1.pcap" "$WORK/p19-1.pcap" "$WORK/p19-1.pcap" "$WORK/p19-1.pcap"
run detect-reuse "$WORK/p19-6.pcap" -c "$WORK/detect.yaml"
[ "$(wc -l <"$WORK/detect-reuse.log")" -eq 36 ] ||
    fail "detect-reuse: $(wc -l <"$WORK/detect-reuse.log") lines, want 6 x 6"
expect_counter l7_restarts 5 "$WORK/detect-reuse.err"
expect_counter l7_detect_hits 6 "$WORK/detect-reuse.err"

$PCAPTOOL tls "$WORK/tls.pcap"
run tls "$WORK/tls.pcap"
[ ! -s "$WORK/tls.log" ] || fail "tls: records from a TLS session"
expect_counter l7_tls_flows 1 "$WORK/tls.err"

$PCAPTOOL sasl "$WORK/sasl.pcap" alice 'pw-Secret-7f3a'
run sasl "$WORK/sasl.pcap"
grep -q '"api_name":"SaslAuthenticate".*"principal":"alice"' "$WORK/sasl.log" || fail "sasl: user"
if grep -q 'pw-Secret-7f3a' "$WORK/sasl.log" "$WORK/sasl.err"; then fail "sasl: password leaked"; fi
# kcat consuming in a group (tests/captures): the group, its commit and the lag from the wire
run group "$TOOLS/../captures/consume-group.pcap"
grep -q '^  kwire-group ' "$WORK/group.err" || fail "group: no consumer group in the report"
grep -q '^    lag kwire-test\[0\] 0$' "$WORK/group.err" || fail "group: no lag for kwire-test[0]"
# the records its Fetches returned end at offset 200, the partition's end: position lag 0
grep -q '^    position lag kwire-test\[0\] 0$' "$WORK/group.err" ||
    fail "group: no position lag for kwire-test[0]"
grep -q '"api_name":"OffsetCommit".*"group_id":"kwire-group"' "$WORK/group.log" || fail "group: commit"
# a transactional producer (tests/captures) sends its group's offsets in a transaction that
# commits (5 and 7), then in one that aborts (50): the group's commits are the first's. Its
# Produce puts kwire-test[0]'s log end at 1 (no Fetch): lag 1 - 5 (the client's offsets are
# made up); nothing produced to [1], whose commit is listed without a lag.
run txn "$TOOLS/../captures/transactions.pcap"
grep -q '^    lag kwire-test\[0\] -4$' "$WORK/txn.err" || fail "txn: kwire-test[0] not 5"
grep -q '^    committed kwire-test\[1\] 7$' "$WORK/txn.err" || fail "txn: kwire-test[1] not 7"
[ "$(grep -c '"api_name":"EndTxn".*"flags":\["txn_commit"\]' "$WORK/txn.log")" = 1 ] ||
    fail "txn: not one committing EndTxn"
# A consumer's commit the broker answers in part with errors (tests/captures): the partitions it
# refused are commit_failed and not committed, the other is. Read back (OffsetFetch v5), the
# topic the broker does not have is answered with an error: read_failed, while kwire-test[0]
# reads 3.
run refused "$TOOLS/../captures/commit-refused.pcap"
grep -q '^  kwire-commit-group .* errors 3$' "$WORK/refused.err" || fail "refused: no group"
grep -q '^    committed kwire-test\[0\] 3$' "$WORK/refused.err" || fail "refused: commit lost"
if grep -q 'committed no-such-topic' "$WORK/refused.err"; then
    fail "refused: a refused commit kept"
fi
[ "$(grep -o '"kind":"commit_failed","topic":"no-such-topic"' "$WORK/refused.log" | wc -l)" = 2 ] ||
    fail "refused: not two commit_failed offsets in the log"
python3 - "$WORK/refused.log" <<'PY' || fail "refused: the OffsetFetch's offsets"
import json, sys
fetch = [r for r in map(json.loads, open(sys.argv[1])) if r["api_name"] == "OffsetFetch"]
assert len(fetch) == 1, fetch
got = [(o["kind"], o["topic"], o["partition"], o["offset"]) for o in fetch[0]["partition_offsets"]]
assert got == [("committed_read", "kwire-test", 0, 3), ("read_failed", "no-such-topic", 0, -1)], got
assert fetch[0]["error_codes"] == [3], fetch[0]
PY
# kwire-test[0] committed and read (2, 1 of them read); 3 partitions answered with an error
grep -q '^consumer lag: commits 2 commits_read 1 commits_failed 3 ' "$WORK/refused.err" ||
    fail "refused: lag counters"
# An admin tool describes two groups (DescribeGroups v5: billing answered NOT_COORDINATOR, its
# error code before its id), asks for their commits in one OffsetFetch v8, then deletes both in
# one DeleteGroups (orders-app deleted, billing GROUP_ID_NOT_FOUND): each commit under its own
# group, each group's error its own (tshark, which reads DescribeGroups v5 and DeleteGroups v2
# but not OffsetFetch v8, gives the groups and their codes); orders-app's commits go with it,
# billing's stay.
$PCAPTOOL groups "$WORK/groups.pcap"
run groups "$WORK/groups.pcap"
for api in 15 42; do
    tshark -r "$WORK/groups.pcap" -Y "kafka.api_key == $api && kafka.request_frame" -T fields \
        -e kafka.api_key -e kafka.consumer_group -e kafka.error >>"$WORK/groups.tshark" \
        2>/dev/null || fail "groups: tshark failed"
done
python3 - "$WORK/groups.log" "$WORK/groups.tshark" <<'PY' || fail "groups: request log"
import json, sys
recs = {r["api_key"]: r for r in map(json.loads, open(sys.argv[1]))}
lines = [line.split() for line in open(sys.argv[2])]
assert [int(api) for api, _, _ in lines] == [15, 42], lines
for api, names, codes in lines:
    want = [{"group_id": g, "error": c != "0"} for g, c in zip(names.split(","), codes.split(","))]
    got = recs[int(api)]["groups"]
    assert len(want) == 2 and got == want, (api, got, want)
fetch = recs[9]
assert [g["group_id"] for g in fetch["groups"]] == ["orders-app", "billing"], fetch
got = [(o["group"], o["partition"], o["offset"]) for o in fetch["partition_offsets"]]
assert got == [("orders-app", 0, 100), ("orders-app", 1, 101), ("billing", 0, 200),
               ("billing", 1, 201)], got
PY
grep -q '^    committed orders\[1\] 201$' "$WORK/groups.err" || fail "groups: billing's commit gone"
if grep -q 'committed orders\[0\] 100$' "$WORK/groups.err"; then
    fail "groups: orders-app's commits kept"
fi
# both groups share the three pairs; the errors are billing's
grep -q '^  billing  *requests 3 .* errors 2$' "$WORK/groups.err" || fail "groups: billing's stats"
grep -q '^  orders-app  *requests 3 .* errors 0$' "$WORK/groups.err" ||
    fail "groups: orders-app's stats"
# A Fetch the broker answers in part with NOT_LEADER_OR_FOLLOWER (its high watermark -1): that
# partition's position is fetch_failed, its -1 no high watermark; the other partition keeps both
# (tshark's error codes and offsets agree).
$PCAPTOOL fetch-errors "$WORK/fetch-errors.pcap"
run fetch-errors "$WORK/fetch-errors.pcap"
python3 "$TOOLS/tshark_oracle.py" compare "$WORK/fetch-errors.pcap" "$WORK/fetch-errors.log" \
    >"$WORK/fetch-errors.oracle" 2>&1 || fail "fetch-errors: $(tail -2 "$WORK/fetch-errors.oracle")"
grep -q 'offsets compared 3, .* mismatches 0$' "$WORK/fetch-errors.oracle" ||
    fail "fetch-errors: $(cat "$WORK/fetch-errors.oracle")"
grep -q '"kind":"fetch_failed","topic":"orders","group":null,"partition":1,"offset":70}' \
    "$WORK/fetch-errors.log" || fail "fetch-errors: no fetch_failed"
grep -q '^consumer lag: hwms 1 fetch_offsets 2 positions_unattributed 1 positions_failed 1$' \
    "$WORK/fetch-errors.err" || fail "fetch-errors: lag counters"
# kwire pcap names its EAL prefix after its pid and removes the runtime directory at exit
"$KWIRE" pcap "$TOOLS/../captures/produce-none.pcap" >/dev/null 2>"$WORK/rundir.err" &
pid=$!
wait $pid || fail "kwire pcap exited $? ($(tail -3 "$WORK/rundir.err"))"
for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/tmp}/dpdk"; do
    [ ! -e "$d/kwpcap$pid" ] || fail "kwire pcap left $d/kwpcap$pid behind"
done
echo "ok: reuse, detection (also of a reused connection), TLS, SASL, group lag, refused" \
    "commits, groups of an admin tool, refused fetches, run directory"
