#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A capture in, through a bridge pair, is byte-identical out, in both directions: IPv4, IPv6,
# VLAN-tagged, pass-through and flow modes, one worker and two (software dispatch).
. "$(dirname "$0")/lib.sh"

run() { # name lcores inspect kwgen-args...
    name=$1 lcores=$2 inspect=$3
    shift 3
    "$KWGEN" kafka --split "$WORK/$name.c2s.pcap" "$WORK/$name.s2c.pcap" "$@" >/dev/null
    printf 'dataplane:\n  inspect: %s\n' "$inspect" >"$WORK/$name.yaml"
    # shellcheck disable=SC2046
    kwire $(eal "$lcores") \
        $(pcap_bridge "$WORK/$name.c2s.pcap" "$WORK/$name.s2c.pcap" \
            "$WORK/$name.to_broker.pcap" "$WORK/$name.to_client.pcap") \
        -- -c "$WORK/$name.yaml" --idle-exit 400 2>"$WORK/$name.log" ||
        fail "$name: kwire exited $? ($(tail -3 "$WORK/$name.log"))"
    order=""
    case "$lcores" in *@*) order=--sorted ;; esac
    $PCAPTOOL cmp "$WORK/$name.c2s.pcap" "$WORK/$name.to_broker.pcap" $order ||
        fail "$name: client->broker frames changed"
    $PCAPTOOL cmp "$WORK/$name.s2c.pcap" "$WORK/$name.to_client.pcap" $order ||
        fail "$name: broker->client frames changed"
    n=$(($($PCAPTOOL count "$WORK/$name.c2s.pcap") + $($PCAPTOOL count "$WORK/$name.s2c.pcap")))
    expect_counter rx_pkts "$n" "$WORK/$name.log"
    expect_counter tx_pkts "$n" "$WORK/$name.log"
    echo "ok: $name ($n frames)"
}

run ipv4-flow 0,1 flow --connections 6
run ipv4-pass 0,1 passthrough --connections 6
run ipv6-flow 0,1 flow --connections 3 --ipv6
run vlan-flow 0,1 flow --connections 3 --vlan 42
run two-workers '0@0,1@1,2@1' flow --connections 16
