# SPDX-License-Identifier: BSD-3-Clause
# Shared by the live tests (test_live_*.sh): kwire bridging two network namespaces, kcat in one
# and librdkafka's mock broker in the other, each behind a veth pair whose root-side end is one
# of kwire's net_af_packet ports. Sourced after lib.sh; needs root, MOCK and TOOLS.
#
# The broker binds 127.0.0.1 on a random port and advertises it: tests/tools/kw_netshim.c,
# preloaded, moves its listener to 198.18.0.2:9092 and the clients' loopback connections there.

[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
[ -n "${MOCK:-}" ] && [ -x "$MOCK" ] || fail "kw_mock_cluster not built (librdkafka-dev)"
for t in ip ethtool kcat dumpcap tshark cc; do
    command -v $t >/dev/null 2>&1 || fail "$t not found (scripts/install-deps.sh --test)"
done

ID=$$
NSC=kwc$ID NSB=kwb$ID       # client and broker namespaces
VC=kwc${ID}a VB=kwb${ID}a   # root-side veth ends, kwire's ports
KW_PID=
MOCK_PID=
CAP_PID=
BG_PIDS= # clients a test runs in the background: killed if it fails before they end

live_cleanup() {
    for p in $BG_PIDS $CAP_PID $MOCK_PID $KW_PID; do
        kill "$p" 2>/dev/null || true
    done
    ip netns del "$NSC" 2>/dev/null || true
    ip netns del "$NSB" 2>/dev/null || true
    rm -rf /var/run/dpdk/kwlive"${ID}"_* # the EAL's runtime directories of kwire_start
    [ -z "${KEEP:-}" ] || cp -r "$WORK" "$KEEP" # KEEP=DIR: keep logs and captures there
    rm -rf "$WORK"
}
trap live_cleanup EXIT

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

# kwire_start NAME [nolog]: kwire bridging the two links, request log on into $WORK/NAME.log
# (nolog: off, as by default, so that pairs carry only what the statistics read), its output in
# $WORK/NAME.out; sets KW_PID once it forwards, and KW_PREFIX, its EAL file prefix (for
# dpdk-telemetry.py -f).
kwire_start() {
    if [ "${2:-}" = nolog ]; then
        printf 'log:\n  requests: false\n' >"$WORK/$1.yaml"
    else
        printf 'log:\n  requests: true\n  path: %s\n' "$WORK/$1.log" >"$WORK/$1.yaml"
    fi
    KW_PREFIX=kwlive${ID}_$1
    timeout -k 5 120 "$KWIRE" -l 0,1 --no-huge -m 1024 --no-pci --file-prefix "$KW_PREFIX" \
        --log-level='*:warning' --vdev "net_af_packet0,iface=$VC" \
        --vdev "net_af_packet1,iface=$VB" -- -c "$WORK/$1.yaml" >"$WORK/$1.out" 2>&1 &
    KW_PID=$!
    wait_for "$WORK/$1.out" "rx .* Mpps" || fail "kwire did not start: $(tail -5 "$WORK/$1.out")"
}

# kwire_stop NAME: SIGINT, and kwire must exit 0 with its final report in $WORK/NAME.out.
kwire_stop() {
    kill -INT "$KW_PID"
    wait "$KW_PID" || fail "kwire $1 exited $? ($(tail -5 "$WORK/$1.out"))"
    KW_PID=
}

# counters_zero REPORT NAME...: each counter is 0 (the final report leaves most out while 0).
counters_zero() {
    r=$1
    shift
    for c in "$@"; do
        v=$(counter "$c" "$r")
        [ "${v:-0}" = 0 ] || fail "counter $c: $v (report $r)"
    done
}

# What no clean run on these links counts.
CLEAN="tcp_bad_csum tcp_csum_auto_off tcp_gaps tcp_invalid tcp_retx_conflict tcp_out_of_window
kafka_frame_malformed kafka_header_bad kafka_records_crc_bad kafka_rec_dropped drop_tx_full"

# mock_start TOPIC PARTITIONS: the broker, at 198.18.0.2:9092 in its namespace.
mock_start() {
    ip netns exec "$NSB" env LD_PRELOAD="$WORK/kw_netshim.so" KW_SHIM_BIND=198.18.0.2:9092 \
        ASAN_OPTIONS=verify_asan_link_order=0 "$MOCK" "$1" "$2" >"$WORK/boot" \
        2>"$WORK/mock.err" </dev/null &
    MOCK_PID=$!
    wait_for "$WORK/boot" '^198\.18\.0\.2:9092$' ||
        fail "mock broker: $(cat "$WORK/boot" "$WORK/mock.err")"
}

# client KCAT_ARGS...: kcat in the client's namespace, bootstrapped at the broker.
client() {
    ip netns exec "$NSC" env LD_PRELOAD="$WORK/kw_netshim.so" KW_SHIM_CONNECT=198.18.0.2 \
        timeout 60 kcat -b 198.18.0.2:9092 "$@"
}

# messages FIRST N: N keyed messages numbered from FIRST
messages() {
    seq "$1" $(($1 + $2 - 1)) | awk '{ printf "key-%d:value-%d\n", $1, $1 }'
}
