#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kwdecode (the decoder alone over a capture) reads kwgen's conversations whole: every frame
# and pair kwgen documents, every payload tshark sees, and it counts what it cannot feed.
# usage: test_kwdecode.sh /path/to/kwgen /path/to/kwdecode
set -eu

KWGEN=${1:?usage: $0 KWGEN KWDECODE}
KWDECODE=${2:?usage: $0 KWGEN KWDECODE}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
FAIL=0

# expect NAME GOT WANT
expect() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $3"
	else
		echo "FAIL: $1: got '$2', want '$3'"
		FAIL=$((FAIL + 1))
	fi
}

# field NAME: a number of kwdecode's JSON line in $T/out
field() {
	tail -n 1 "$T/out" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"
}

CONN=5
"$KWGEN" kafka --connections $CONN --produce 2 --fetch 1 -o "$T/k.pcap" >/dev/null
"$KWDECODE" --passes 2 "$T/k.pcap" >"$T/out"
cat "$T/out"
# per connection: ApiVersions, Metadata, 2 Produce and 1 Fetch exchanges, two frames each
expect connections "$(field connections)" $CONN
expect frames "$(field frames)" $((CONN * 10))
expect events "$(field events)" $((CONN * 5))
expect passes "$(field passes)" 2
# prefetching ahead changes nothing but the timing
"$KWDECODE" --passes 1 --ahead 4 "$T/k.pcap" >"$T/out"
expect "frames with --ahead 4" "$(field frames)" $((CONN * 10))
expect "events with --ahead 4" "$(field events)" $((CONN * 5))
expect ahead "$(field ahead)" 4
if command -v tshark >/dev/null 2>&1; then
	expect payloads "$(field payloads)" \
		"$(tshark -n -r "$T/k.pcap" -Y 'tcp.len > 0' 2>/dev/null | wc -l | tr -d ' ')"
fi

# --by-api: each api and direction with its frames
"$KWDECODE" --passes 1 --by-api "$T/k.pcap" >"$T/out"
byapi() {
	awk -v a="$1" -v d="$2" '$2 == a && $3 == d { print $4 }' "$T/out"
}
expect "ApiVersions requests" "$(byapi ApiVersions request)" $CONN
expect "Metadata responses" "$(byapi Metadata response)" $CONN
expect "Produce requests" "$(byapi Produce request)" $((CONN * 2))
expect "Produce responses" "$(byapi Produce response)" $((CONN * 2))
expect "Fetch responses" "$(byapi Fetch response)" $CONN
expect "by-api rows" "$(grep -c ' cycles/frame$' "$T/out")" 8

# a payload sent again after the conversation: not fed, counted, nothing else changes
if command -v tshark >/dev/null 2>&1 && command -v editcap >/dev/null 2>&1 &&
	command -v mergecap >/dev/null 2>&1; then
	n=$(tshark -n -r "$T/k.pcap" -Y 'tcp.len > 0' -T fields -e frame.number 2>/dev/null |
		head -n 1)
	editcap -r "$T/k.pcap" "$T/one.pcap" "$n" >/dev/null
	mergecap -a -F pcap -w "$T/dup.pcap" "$T/k.pcap" "$T/one.pcap"
	"$KWDECODE" --passes 1 "$T/dup.pcap" >"$T/out"
	expect "frames with a repeated payload" "$(field frames)" $((CONN * 10))
	expect "repeated payload counted" \
		"$(sed -n 's/.*, \([0-9]*\) out of order$/\1/p' "$T/out")" 1
fi

# bad arguments: usage, exit 2
rc=0
"$KWDECODE" --passes 0 "$T/k.pcap" >/dev/null 2>&1 || rc=$?
expect "exit status on --passes 0" $rc 2
rc=0
"$KWDECODE" --ahead 65 "$T/k.pcap" >/dev/null 2>&1 || rc=$?
expect "exit status on --ahead 65" $rc 2
rc=0
"$KWDECODE" >/dev/null 2>&1 || rc=$?
expect "exit status without a file" $rc 2

[ $FAIL -eq 0 ]
