#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A stop asked for while kwire is still starting (EAL, pools, ports) is kept: kwire catches
# SIGINT from the first line of main, finishes starting, then drains, writes its final report and
# exits 0. Before, the handler came with the control loop: a background job of a script starts
# with SIGINT ignored, so a stop sent during the start-up was lost and kwire ran on.
. "$(dirname "$0")/lib.sh"

"$KWGEN" kafka --connections 4 -o "$WORK/conv.pcap" >/dev/null
$PCAPTOOL empty "$WORK/none.pcap"
# large pools lengthen the start-up (the pools are set up before kwire prints its bridges), so
# that a loaded machine still sees SIGINT caught well inside it
printf 'ports:\n  mbufs_per_port: 65535\n' >"$WORK/kwire.yaml"
# shellcheck disable=SC2046
"$KWIRE" $(eal 0,1) $(pcap_bridge "$WORK/conv.pcap" "$WORK/none.pcap" "$WORK/b.pcap" \
    "$WORK/a.pcap") -- -c "$WORK/kwire.yaml" 2>"$WORK/log" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$WORK" /var/run/dpdk/kwit$$_*' EXIT

# kwire itself (not the shell's child before its exec, which may catch SIGINT too) catches
# SIGINT (signal 2): bit 1 of SigCgt in /proc/PID/status
caught() {
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = kwire ] || return 1
    mask=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$pid/status" 2>/dev/null) || return 1
    [ -n "$mask" ] && [ $((0x$mask & 2)) -ne 0 ]
}
i=0
until caught; do
    i=$((i + 1))
    [ $i -lt 500 ] || fail "kwire never caught SIGINT"
    kill -0 $pid 2>/dev/null || fail "kwire exited before catching SIGINT: $(cat "$WORK/log")"
    sleep 0.01
done
# kwire prints its bridges once started: SIGINT must be caught well before
grep -q "kwire: bridge" "$WORK/log" && fail "SIGINT caught only once kwire had started"
kill -INT $pid
i=0
while kill -0 $pid 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 600 ] || fail "kwire still runs 60 s after a SIGINT sent during its start-up"
    sleep 0.1
done
wait $pid || fail "kwire exited $? after a SIGINT during its start-up: $(cat "$WORK/log")"
grep -q "kwire: bridge" "$WORK/log" ||
    fail "kwire stopped before it had started: $(cat "$WORK/log")"
grep -q "signal received, draining workers" "$WORK/log" || fail "no drain after SIGINT"
grep -q "final report" "$WORK/log" || fail "no final report after SIGINT"
echo "ok: SIGINT during start-up caught, kwire started, drained and exited 0"
