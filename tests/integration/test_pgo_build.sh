#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The profile-guided build (scripts/build.sh --pgo) builds, trains and uses its profile, and the
# kwire it makes decodes exactly as the kwire under test: the same request log, byte for byte, on
# every committed real-client capture and on kwgen conversations the training did not see.
. "$(dirname "$0")/lib.sh"

PGO=$WORK/build-pgo
KW_BUILD=$PGO sh "$SCRIPTS/build.sh" --pgo >"$WORK/build.log" 2>&1 ||
    fail "build.sh --pgo failed: $(tail -5 "$WORK/build.log")"
grep -q -- '-fprofile-use' "$PGO/build.ninja" || fail "the final build does not use a profile"
[ -n "$(find "$PGO" -name '*.gcda' -print -quit)" ] || fail "no profile was written"

"$KWGEN" kafka -o "$WORK/kwgen-v4.pcap" --connections 20 --produce 2 --fetch 1 --seed 11 \
    >/dev/null
"$KWGEN" kafka -o "$WORK/kwgen-v6.pcap" --ipv6 --connections 10 --seed 12 --mss 300 \
    --produce-version 5 --fetch-version 7 --metadata-version 10 >/dev/null

n=0
for f in "$CAPTURES"/*.pcap "$WORK"/kwgen-*.pcap; do
    name=$(basename "$f" .pcap)
    kwire pcap "$f" >"$WORK/$name.ref" 2>"$WORK/$name.ref.err" ||
        fail "$name: kwire pcap exited $?"
    timeout -k 5 120 "$PGO/control/kwire" pcap "$f" >"$WORK/$name.pgo" 2>"$WORK/$name.pgo.err" ||
        fail "$name: the profile-guided kwire pcap exited $?"
    lines=$(grep -c '^{' "$WORK/$name.ref" || true)
    [ "$lines" -gt 0 ] || fail "$name: no request logged"
    if ! cmp -s "$WORK/$name.ref" "$WORK/$name.pgo"; then
        diff "$WORK/$name.ref" "$WORK/$name.pgo" | head -n 10
        fail "$name: the profile-guided build logs differently"
    fi
    echo "$name: $lines pairs, identical"
    n=$((n + 1))
done
echo "pgo build: $n captures decoded identically"
