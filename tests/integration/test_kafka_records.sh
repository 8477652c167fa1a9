#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# log.records checked against tshark, an independent oracle (tests/tools/record_oracle.py): on
# the committed kcat captures (tests/captures/) and a kwgen conversation with headers, every
# record line's key and value bytes, read from the TCP stream at key_off and value_off, must
# be what tshark's Kafka dissector decodes for the same record, in the same order, and the
# records must be as many. Compressed batches give no record line, but the request lines still
# count their records. Turning records on must not change a byte of the request lines. Every
# records field a request line places ("records_fields") must hold whole v2 batches in the TCP
# stream, and every record line must lie inside one of them.
. "$(dirname "$0")/lib.sh"

command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }
ORACLE="python3 $TOOLS/record_oracle.py"
printf 'log:\n  records: true\n' >"$WORK/records.yaml"

run() { # capture name [kwire options]
    cap=$1
    name=$2
    shift 2
    kwire pcap "$cap" "$@" >"$WORK/$name.log" 2>"$WORK/$name.err" ||
        fail "$name: kwire pcap exited $? ($(tail -3 "$WORK/$name.err"))"
}

records() { # log
    grep -c '"type":"record"' "$1" || true
}

# Uncompressed: Produce requests (produce-none) and Fetch responses (consume-simple).
for c in produce-none consume-simple; do
    run "$CAPTURES/$c.pcap" "$c" -c "$WORK/records.yaml"
    n=$(records "$WORK/$c.log")
    [ "$n" -eq 200 ] || fail "$c: $n record lines, not 200"
    $ORACLE compare "$CAPTURES/$c.pcap" "$WORK/$c.log" -v || fail "$c: record lines differ"
    # the request lines are the same bytes with records off
    run "$CAPTURES/$c.pcap" "$c-off"
    [ "$(records "$WORK/$c-off.log")" -eq 0 ] || fail "$c: record lines with log.records off"
    grep -v '"type":"record"' "$WORK/$c.log" >"$WORK/$c.req"
    cmp -s "$WORK/$c.req" "$WORK/$c-off.log" || fail "$c: request lines changed by log.records"
done

# Headers, several connections, IPv6, small segments: kwgen at versions tshark decodes in full.
"$KWGEN" kafka -o "$WORK/kwgen.pcap" --produce-version 8 --fetch-version 11 \
    --metadata-version 9 --ipv6 --connections 3 --records 5 --headers 2 --mss 536 >/dev/null
run "$WORK/kwgen.pcap" kwgen -c "$WORK/records.yaml"
n=$(records "$WORK/kwgen.log")
# 3 connections x (4 Produce + 4 Fetch) x 5 records
[ "$n" -eq 120 ] || fail "kwgen: $n record lines, not 120"
$ORACLE compare "$WORK/kwgen.pcap" "$WORK/kwgen.log" -v || fail "kwgen: record lines differ"

# Compressed batches: counted in the request lines, never walked into record lines.
for c in produce-gzip produce-snappy produce-lz4 produce-zstd consume-group; do
    run "$CAPTURES/$c.pcap" "$c" -c "$WORK/records.yaml"
    $ORACLE compare "$CAPTURES/$c.pcap" "$WORK/$c.log" --compressed -v ||
        fail "$c: compressed capture"
done

# The oracle itself must catch a key one byte off and a record missing.
awk '/"type":"record"/ { sub(/"key_off":/, "\"key_off\":1"); } { print }' \
    "$WORK/produce-none.log" >"$WORK/bad-key.log"
if $ORACLE compare "$CAPTURES/produce-none.pcap" "$WORK/bad-key.log" 2>/dev/null; then
    fail "oracle: a wrong key_off went unnoticed"
fi
awk '/"type":"record"/ && ++n == 7 { next } { print }' "$WORK/consume-simple.log" \
    >"$WORK/missing.log"
if $ORACLE compare "$CAPTURES/consume-simple.pcap" "$WORK/missing.log" 2>/dev/null; then
    fail "oracle: a missing record went unnoticed"
fi
# ... and a records field placed one byte off, on a compressed capture too.
for c in produce-none produce-zstd; do
    mode=""
    [ "$c" = produce-zstd ] && mode=--compressed
    awk '/"records_fields":\[\{/ && !done { sub(/"off":/, "\"off\":1"); done = 1 } { print }' \
        "$WORK/$c.log" >"$WORK/bad-field-$c.log"
    cmp -s "$WORK/$c.log" "$WORK/bad-field-$c.log" && fail "oracle: no records field to spoil in $c"
    $ORACLE compare "$CAPTURES/$c.pcap" "$WORK/$c.log" $mode >/dev/null ||
        fail "oracle: $c $mode fails unspoiled"
    if $ORACLE compare "$CAPTURES/$c.pcap" "$WORK/bad-field-$c.log" $mode 2>/dev/null; then
        fail "oracle: a records field one byte off went unnoticed in $c"
    fi
done
echo "kafka-records: ok"
