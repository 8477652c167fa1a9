#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwgen checked against tshark as an independent oracle.
# usage: test_kwgen_tshark.sh /path/to/kwgen
#
# tshark 4.0 dissects Produce only up to v8, Fetch up to v11 and Metadata up to v9, so the
# default (flexible) conversation is checked for TCP, framing, api keys, versions and
# correlation ids, while a conversation generated with those older versions is checked
# field by field with no expert error or warning at all (except the ApiVersions answer, which
# lists api keys and versions newer than tshark knows).
set -eu

KWGEN=${1:?usage: $0 KWGEN}
if ! command -v tshark >/dev/null 2>&1; then
	echo "tshark not found: skipped"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
PASS=0
FAIL=0

ok() {
	PASS=$((PASS + 1))
}

bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL: $*"
}

# expect NAME GOT WANT
expect() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}

ts() {
	tshark -n -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-d tcp.port==9092,kafka "$@" 2>/dev/null
}

# count FILE FILTER: frames matching a display filter
count() {
	ts -r "$1" -Y "$2" | wc -l | tr -d ' '
}

# values FILE FIELD [FILTER]: how many values of FIELD, all occurrences
values() {
	ts -r "$1" ${3:+-Y "$3"} -T fields -E occurrence=a -E separator=, -e "$2" |
		tr ',' '\n' | grep -c . || true
}

# check_tcp NAME FILE IPV6: clean TCP and valid checksums on every frame
check_tcp() {
	frames=$(count "$2" 'frame')
	[ "$frames" -gt 0 ] || bad "$1: empty capture"
	expect "$1 tcp checksums" "$(count "$2" 'tcp.checksum.status == "Good"')" "$frames"
	if [ "$3" = 0 ]; then
		expect "$1 ip checksums" "$(count "$2" 'ip.checksum.status == "Good"')" "$frames"
	fi
	expect "$1 tcp analysis" "$(count "$2" 'tcp.analysis.retransmission ||
		tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment ||
		tcp.analysis.out_of_order || tcp.analysis.duplicate_ack ||
		tcp.analysis.zero_window || tcp.checksum.status == "Bad" ||
		ip.checksum.status == "Bad"')" 0
	expect "$1 handshakes" "$(count "$2" 'tcp.flags.syn == 1 && tcp.flags.ack == 0')" "$CONN"
	expect "$1 fins" "$(count "$2" 'tcp.flags.fin == 1')" $((CONN * 2))
}

# check_kafka NAME FILE PV FV MV: request and response counts per api key and version
check_kafka() {
	n=$2
	expect "$1 ApiVersions requests" "$(count "$n" 'kafka.request_key == 18 &&
		kafka.api_version == 3 && tcp.dstport == 9092')" "$CONN"
	expect "$1 Metadata requests" "$(count "$n" "kafka.request_key == 3 &&
		kafka.api_version == $5")" "$CONN"
	expect "$1 Produce requests" "$(count "$n" "kafka.request_key == 0 &&
		kafka.api_version == $3")" $((CONN * PROD))
	expect "$1 Fetch requests" "$(count "$n" "kafka.request_key == 1 &&
		kafka.api_version == $4")" $((CONN * FETCH))
	expect "$1 responses" "$(count "$n" 'kafka && tcp.srcport == 9092')" \
		$((CONN * (2 + PROD + FETCH)))
	expect "$1 ApiVersions responses" "$(count "$n" 'kafka.response_key == 18')" "$CONN"
	expect "$1 client sw" "$(values "$n" kafka.client_software_name)" "$CONN"
	# correlation ids 1..N on every connection, in order
	want=$(i=1; while [ $i -le $((2 + PROD + FETCH)) ]; do echo $i; i=$((i + 1)); done |
		tr '\n' ' ')
	for port in $(ts -r "$n" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' \
			-T fields -e tcp.srcport); do
		got=$(ts -r "$n" -Y "kafka && tcp.srcport == $port" -T fields \
			-e kafka.correlation_id | tr '\n' ' ')
		expect "$1 correlation ids port $port" "$got" "$want"
	done
}

# check_strict NAME FILE: full field decode of the tshark-supported versions
check_strict() {
	n=$2
	expect "$1 malformed or expert" "$(count "$n" '(_ws.malformed ||
		_ws.expert.severity == "Error" || _ws.expert.severity == "Warning") &&
		!(kafka.response_key == 18)')" 0
	expect "$1 ApiVersions malformed" "$(count "$n" '_ws.malformed ||
		_ws.expert.severity == "Error"')" 0
	expect "$1 produce topic" "$(ts -r "$n" -Y 'kafka.request_key == 0' -T fields \
		-e kafka.topic_name | sort -u)" "kwgen-topic"
	expect "$1 batches" "$(values "$n" kafka.batch_crc)" $((CONN * (PROD + FETCH)))
	expect "$1 record keys" "$(values "$n" kafka.message_key)" \
		$((CONN * (PROD + FETCH) * RECS))
	# "key-0" in hex: connection 0 starts at offset 0
	expect "$1 first key" "$(ts -r "$n" -Y 'kafka.request_key == 0' -T fields \
		-E occurrence=f -e kafka.message_key | head -n 1)" "6b65792d30"
	expect "$1 metadata brokers" "$(values "$n" kafka.port 'kafka.response_key == 3')" \
		"$CONN"
}

# check_flexible NAME FILE: the default versions; only frames tshark can dissect must be clean
check_flexible() {
	expect "$1 malformed" "$(count "$2" '(_ws.malformed || _ws.expert.severity == "Error")
		&& !kafka.unsupported_api_version && !kafka.request_missing')" 0
	expect "$1 ApiVersions clean" "$(count "$2" '(kafka.request_key == 18 ||
		kafka.response_key == 18) && (_ws.malformed || _ws.expert.severity == "Error")')" 0
}

# --- kafka mode, default flexible versions ---
CONN=4 PROD=4 FETCH=4 RECS=8
"$KWGEN" kafka -o "$T/a.pcap" --split "$T/c2s.pcap" "$T/s2c.pcap"
check_tcp default "$T/a.pcap" 0
check_kafka default "$T/a.pcap" 9 12 12
check_flexible default "$T/a.pcap"

# determinism and seed sensitivity
"$KWGEN" kafka -o "$T/a2.pcap"
if cmp -s "$T/a.pcap" "$T/a2.pcap"; then ok; else bad "same seed gives different pcaps"; fi
"$KWGEN" kafka -o "$T/a3.pcap" --seed 2
if cmp -s "$T/a.pcap" "$T/a3.pcap"; then bad "seed 2 gives the same pcap"; else ok; fi

# --split: each side holds one direction and together they are -o (mergecap orders by time;
# only the snaplen in the file header may differ, so compare from the first record on)
expect "c2s direction" "$(count "$T/c2s.pcap" 'tcp.dstport != 9092')" 0
expect "s2c direction" "$(count "$T/s2c.pcap" 'tcp.srcport != 9092')" 0
if command -v mergecap >/dev/null 2>&1; then
	mergecap -F pcap -w "$T/m.pcap" "$T/c2s.pcap" "$T/s2c.pcap"
	tail -c +25 "$T/m.pcap" >"$T/m.rec"
	tail -c +25 "$T/a.pcap" >"$T/a.rec"
	if cmp -s "$T/m.rec" "$T/a.rec"; then ok; else bad "split files differ from -o"; fi
else
	expect "split frame count" $(($(count "$T/c2s.pcap" frame) + \
		$(count "$T/s2c.pcap" frame))) "$(count "$T/a.pcap" frame)"
fi

# --- default versions over IPv6 with a VLAN tag ---
"$KWGEN" kafka -o "$T/e.pcap" --ipv6 --vlan 100 --seed 7
check_tcp flex6 "$T/e.pcap" 1
check_kafka flex6 "$T/e.pcap" 9 12 12
check_flexible flex6 "$T/e.pcap"
expect "flex6 vlan" "$(count "$T/e.pcap" 'vlan.id == 100 && ipv6')" "$(count "$T/e.pcap" frame)"

# --- tshark-decodable versions: full decode ---
OLD="--produce-version 8 --fetch-version 11 --metadata-version 9"
# shellcheck disable=SC2086
"$KWGEN" kafka -o "$T/b.pcap" $OLD
check_tcp v4 "$T/b.pcap" 0
check_kafka v4 "$T/b.pcap" 8 11 9
check_strict v4 "$T/b.pcap"

CONN=3 PROD=2 FETCH=3 RECS=20
# shellcheck disable=SC2086
"$KWGEN" kafka -o "$T/d.pcap" $OLD --ipv6 --connections 3 --produce 2 --fetch 3 \
	--records 20 --headers 2 --mss 536
check_tcp v6 "$T/d.pcap" 1
check_kafka v6 "$T/d.pcap" 8 11 9
check_strict v6 "$T/d.pcap"
expect "v6 headers" "$(values "$T/d.pcap" kafka.header_key)" $((CONN * (PROD + FETCH) * RECS * 2))

CONN=2 PROD=1 FETCH=1 RECS=8
# shellcheck disable=SC2086
"$KWGEN" kafka -o "$T/v.pcap" $OLD --vlan 42 --connections 2 --produce 1 --fetch 1
check_tcp vlan "$T/v.pcap" 0
check_kafka vlan "$T/v.pcap" 8 11 9
check_strict vlan "$T/v.pcap"
expect "vlan id" "$(count "$T/v.pcap" 'vlan.id == 42')" "$(count "$T/v.pcap" frame)"

# older classic versions, one short session each
CONN=1 PROD=1 FETCH=1 RECS=8
for pv_fv in 3:4 5:7 7:10; do
	pv=${pv_fv%:*} fv=${pv_fv#*:}
	"$KWGEN" kafka -o "$T/o.pcap" --connections 1 --produce 1 --fetch 1 \
		--produce-version "$pv" --fetch-version "$fv" --metadata-version 9
	check_kafka "p$pv/f$fv" "$T/o.pcap" "$pv" "$fv" 9
	check_strict "p$pv/f$fv" "$T/o.pcap"
done

# Fetch v13 (topic ids) and Metadata v10: framing only, tshark 4.0 cannot decode them
CONN=2 PROD=1 FETCH=2 RECS=8
"$KWGEN" kafka -o "$T/i.pcap" --connections 2 --produce 1 --fetch 2 --fetch-version 13 \
	--metadata-version 10
check_tcp ids "$T/i.pcap" 0
check_kafka ids "$T/i.pcap" 9 13 10
check_flexible ids "$T/i.pcap"

# --- frames mode ---
for size in 64 1518; do
	"$KWGEN" frames -o "$T/f.pcap" --split "$T/fa.pcap" "$T/fb.pcap" \
		--frame-size $size --count 400 --flows 100
	expect "frames $size count" "$(count "$T/f.pcap" "frame.len == $size &&
		tcp.checksum.status == \"Good\" && ip.checksum.status == \"Good\" &&
		tcp.flags == 0x018")" 400
	expect "frames $size A" "$(count "$T/fa.pcap" 'tcp.dstport == 9092')" 200
	expect "frames $size B" "$(count "$T/fb.pcap" 'tcp.srcport == 9092')" 200
	expect "frames $size flows" "$(ts -r "$T/fa.pcap" -T fields -e ip.src -e tcp.srcport |
		sort -u | wc -l | tr -d ' ')" 100
done
"$KWGEN" frames -o "$T/g.pcap" --frame-size 9000 --count 10 --flows 3 --ipv6
expect "frames ipv6 jumbo" "$(count "$T/g.pcap" 'frame.len == 9000 &&
	tcp.checksum.status == "Good"')" 10
if "$KWGEN" frames -o "$T/x.pcap" --frame-size 64 --count 1 --ipv6 2>/dev/null; then
	bad "64-byte IPv6 frames accepted"
else
	ok
fi
if "$KWGEN" kafka -o "$T/x.pcap" --fetch-version 14 2>/dev/null; then
	bad "Fetch v14 accepted"
else
	ok
fi

echo "kwgen-tshark: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
