#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Segmentation must not change what kwire sees: for each committed capture of real clients and
# for kwire's generator, the request log of the original equals the logs of the same streams cut
# into 1-byte segments, into random sizes (two seeds and bounds), and into random sizes sent out
# of order with exact and overlapping duplicates (tests/tools/resegment.py).
#
# Every field is compared, "ts" and "latency_us" included: kwire takes them from the capture's
# timestamps and each rewritten segment keeps the timestamp of the segment it was cut from, so
# the first and last byte of every message arrive at the same recorded times. Lines are sorted
# before comparing because the order in which pairs are logged is not part of the contract.
# Set KW_RESEG_IGNORE="ts latency_us" to drop fields if kwire ever times messages by its clock.
. "$(dirname "$0")/lib.sh"

RESEG="python3 $TOOLS/resegment.py"
IGNORE=${KW_RESEG_IGNORE:-}
FAILED=0
RUNS=0

# log CAPTURE OUT: kwire's request log, normalised.
log() {
    kwire pcap "$1" 2>"$2.err" >"$2.raw" ||
        fail "$(basename "$1"): kwire pcap exited $? ($(tail -3 "$2.err"))"
    python3 -c '
import json, sys
drop = sys.argv[1].split()
for line in sys.stdin:
    if line.startswith("{"):
        r = json.loads(line)
        for k in drop:
            r.pop(k, None)
        print(json.dumps(r, sort_keys=True))
' "$IGNORE" <"$2.raw" | sort >"$2"
}

"$KWGEN" kafka -o "$WORK/kwgen-v4.pcap" --connections 2 >/dev/null
"$KWGEN" kafka -o "$WORK/kwgen-v6-vlan.pcap" --ipv6 --vlan 9 --connections 2 --seed 5 >/dev/null

for f in "$CAPTURES"/*.pcap "$WORK"/kwgen-*.pcap; do
    name=$(basename "$f" .pcap)
    log "$f" "$WORK/$name.ref"
    n=$(wc -l <"$WORK/$name.ref")
    [ "$n" -gt 0 ] || fail "$name: kwire logged no request"
    for mode in "one 1 1" "random 2 64" "random 3 700" "ooo 4 48"; do
        # shellcheck disable=SC2086
        set -- $mode
        out="$WORK/$name.$1-$2"
        $RESEG "$f" "$out.pcap" --mode "$1" --seed "$2" --max "$3"
        log "$out.pcap" "$out.log"
        RUNS=$((RUNS + 1))
        if ! cmp -s "$WORK/$name.ref" "$out.log"; then
            FAILED=$((FAILED + 1))
            echo "FAIL: $name $1 seed $2 max $3: request log differs from the original"
            diff "$WORK/$name.ref" "$out.log" | head -n 10
        fi
        rm -f "$out.pcap"
    done
    echo "$name: $n requests, identical under $RUNS resegmentations so far ($FAILED failed)"
done

echo "kafka-reseg: $RUNS resegmented captures, $FAILED differ"
[ "$FAILED" -eq 0 ]
