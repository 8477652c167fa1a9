#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Captures of real Kafka clients (kcat, librdkafka) against a real-protocol broker (librdkafka's
# mock cluster, tests/tools/kw_mock_cluster.c), for kwire's acceptance tests.
#
# usage: scripts/make-captures.sh [-o OUTDIR] [-m KW_MOCK_CLUSTER] [-x KW_TXN_CLIENT]
#                                 [-c KW_COMMIT_CLIENT] [-n MESSAGES] [-a]
#
# Writes OUTDIR/produce-{none,gzip,snappy,lz4,zstd}.pcap (kcat producing MESSAGES keyed
# messages, batches of at most 64, client.id kcat-CODEC), OUTDIR/consume-simple.pcap (kcat
# reading the topic from the beginning with the simple consumer, client.id kcat-simple),
# OUTDIR/consume-group.pcap (kcat in consumer group kwire-group, client.id kcat-group: join,
# sync, heartbeat, offset fetch and commit, fetch, leave), OUTDIR/list-offsets.pcap (kcat asking
# for the latest offset, client.id kcat-query with read_committed, kcat-end with
# read_uncommitted) and OUTDIR/transactions.pcap
# (tests/tools/kw_txn_client, a librdkafka transactional producer: offsets of group
# kwire-txn-group committed in one transaction and sent in an aborted one; default: next to
# KW_MOCK_CLUSTER, left out when absent) and OUTDIR/commit-refused.pcap
# (tests/tools/kw_commit_client, a librdkafka consumer committing for group kwire-commit-group
# one partition of the topic and two of a topic the broker does not have, which it refuses,
# then reading two of them back; found and left out as the former). Each capture gets a broker
# of its own. Loopback is captured with dumpcap (root or CAP_NET_RAW), then normalised by
# tests/tools/resegment.py: the broker's random port becomes 9092 (kwire's and tshark's
# default), loopback's 64 KiB segments are cut to 1448 bytes as on Ethernet, and checksums (left
# blank by loopback offload) are computed. With -a the captures are kept as a capture on the
# host would be: taken on `any` (Linux cooked v2 link type), loopback's 64 KiB segments and
# blank checksums left as they are, the broker's random port in OUTDIR/NAME.port.
#
# Environment: KCAT (default kcat), DUMPCAP (default dumpcap), PYTHON (default python3).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=.
MOCK=
TXN=
COMMIT=
N=200
AS_TAKEN=
while [ $# -gt 0 ]; do
	case "$1" in
	-o) OUT=$2; shift 2 ;;
	-m) MOCK=$2; shift 2 ;;
	-x) TXN=$2; shift 2 ;;
	-c) COMMIT=$2; shift 2 ;;
	-n) N=$2; shift 2 ;;
	-a) AS_TAKEN=1; shift ;;
	*) echo "usage: $0 [-o OUTDIR] [-m KW_MOCK_CLUSTER] [-x KW_TXN_CLIENT]" \
		"[-c KW_COMMIT_CLIENT] [-n MESSAGES] [-a]" >&2
	   exit 2 ;;
	esac
done
KCAT=${KCAT:-kcat}
DUMPCAP=${DUMPCAP:-dumpcap}
PYTHON=${PYTHON:-python3}
RESEGMENT="$HERE/../tests/tools/resegment.py"
TOPIC=kwire-test
if [ -z "$MOCK" ]; then
	for m in "$HERE/../build/tests/tools/kw_mock_cluster" "$(command -v kw_mock_cluster || true)"; do
		[ -x "$m" ] && MOCK=$m && break
	done
fi
if [ -z "$MOCK" ] || [ ! -x "$MOCK" ]; then
	echo "make-captures: kw_mock_cluster not found (-m)" >&2
	exit 1
fi
[ -n "$TXN" ] || TXN=$(dirname "$MOCK")/kw_txn_client
[ -n "$COMMIT" ] || COMMIT=$(dirname "$MOCK")/kw_commit_client
command -v "$KCAT" >/dev/null || { echo "make-captures: $KCAT not found" >&2; exit 1; }
command -v "$DUMPCAP" >/dev/null || { echo "make-captures: $DUMPCAP not found" >&2; exit 1; }
mkdir -p "$OUT"

T=$(mktemp -d "${TMPDIR:-/tmp}/kw-captures.XXXXXX")
MOCK_PID=
CAP_PID=
cleanup() {
	[ -n "$CAP_PID" ] && kill "$CAP_PID" 2>/dev/null
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for FILE PATTERN: up to 10 s for PATTERN to show up in FILE.
wait_for() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.1
	done
}

# A fresh one-broker cluster; sets BOOT (127.0.0.1:PORT) and PORT.
mock_start() {
	rm -f "$T/boot"
	"$MOCK" "$TOPIC" 1 >"$T/boot" 2>"$T/mock.err" </dev/null &
	MOCK_PID=$!
	if ! wait_for "$T/boot" '^127\.0\.0\.1:[0-9][0-9]*$'; then
		cat "$T/mock.err" >&2
		echo "make-captures: the mock broker did not start" >&2
		exit 1
	fi
	BOOT=$(head -n 1 "$T/boot")
	PORT=${BOOT##*:}
}

mock_stop() {
	kill "$MOCK_PID"
	wait "$MOCK_PID" || true
	MOCK_PID=
}

cap_start() {
	rm -f "$T/raw.pcap" "$T/cap.err"
	if [ -n "$AS_TAKEN" ]; then
		set -- -i any -y LINUX_SLL2
	else
		set -- -i lo
	fi
	"$DUMPCAP" -q -P "$@" -s 262144 -f "tcp port $PORT" -w "$T/raw.pcap" 2>"$T/cap.err" &
	CAP_PID=$!
	wait_for "$T/cap.err" "Capturing on" || { cat "$T/cap.err" >&2; exit 1; }
	sleep 0.2
}

# cap_stop NAME: the last FIN/ACKs settle, then the capture is normalised into OUT/NAME.pcap.
cap_stop() {
	sleep 0.3
	kill "$CAP_PID"
	wait "$CAP_PID" || true
	CAP_PID=
	if [ -n "$AS_TAKEN" ]; then
		cp "$T/raw.pcap" "$OUT/$1.pcap"
		echo "$PORT" >"$OUT/$1.port"
	else
		"$PYTHON" "$RESEGMENT" "$T/raw.pcap" "$OUT/$1.pcap" --mode mss --max 1448 \
			--port "$PORT:9092"
	fi
	echo "make-captures: $OUT/$1.pcap ($(wc -c <"$OUT/$1.pcap") bytes)"
}

messages() {
	seq 1 "$N" | awk '{ printf "key-%d:value-%d-%s\n", $1, $1, "kwire capture payload" }'
}

produce() { # codec
	messages | timeout 30 "$KCAT" -P -b "$BOOT" -t "$TOPIC" -K : -z "$1" \
		-X client.id="kcat-$1" -X batch.num.messages=64 -X linger.ms=20 -q
}

"$KCAT" -V 2>/dev/null | grep -i version >&2 || true

for codec in none gzip snappy lz4 zstd; do
	mock_start
	cap_start
	produce "$codec"
	cap_stop "produce-$codec"
	mock_stop
done

mock_start
produce none
cap_start
timeout 30 "$KCAT" -C -b "$BOOT" -t "$TOPIC" -o beginning -c "$N" -e -q \
	-X client.id=kcat-simple >/dev/null
cap_stop consume-simple
mock_stop

mock_start
produce lz4
cap_start
# The mock's group coordinator waits 3 s before the first rebalance.
timeout 60 "$KCAT" -C -b "$BOOT" -G kwire-group -c "$N" -e -q -X client.id=kcat-group \
	-X auto.offset.reset=earliest -X auto.commit.interval.ms=500 "$TOPIC" >/dev/null
cap_stop consume-group
mock_stop

# The latest offset asked for with read_committed (kcat -Q: offsets for times, -1 is the latest)
# and read_uncommitted (kcat -o end), each a ListOffsets for timestamp -1.
mock_start
produce none
cap_start
timeout 30 "$KCAT" -Q -b "$BOOT" -t "$TOPIC:0:-1" -X client.id=kcat-query >/dev/null
timeout 30 "$KCAT" -C -b "$BOOT" -t "$TOPIC" -o end -e -q -X client.id=kcat-end \
	-X isolation.level=read_uncommitted >/dev/null
cap_stop list-offsets
mock_stop

if [ -x "$TXN" ]; then
	mock_start
	cap_start
	timeout 30 "$TXN" "$BOOT" "$TOPIC" kwire-txn-group
	cap_stop transactions
	mock_stop
else
	echo "make-captures: $TXN not found: no transactions.pcap" >&2
fi

if [ -x "$COMMIT" ]; then
	mock_start
	cap_start
	timeout 30 "$COMMIT" "$BOOT" "$TOPIC" kwire-commit-group
	cap_stop commit-refused
	mock_stop
else
	echo "make-captures: $COMMIT not found: no commit-refused.pcap" >&2
fi
