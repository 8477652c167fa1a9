# SPDX-License-Identifier: BSD-3-Clause
# Shared by kwire's integration tests: sourced with KWIRE, KWGEN, TOOLS set by meson.
set -eu

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kwire-it.XXXXXX")
# the work directory, and the EAL runtime directories of eal()'s prefixes
trap 'rm -rf "$WORK" /var/run/dpdk/kwit$$_*' EXIT
PCAPTOOL="python3 $TOOLS/pcaptool.py"

# kwire under a time limit: a hung run fails its test instead of spinning on after it
kwire() {
    timeout -k 5 120 "$KWIRE" "$@"
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# EAL options for a run without hugepages, NICs or shared files; a prefix of its own so that
# tests can run in parallel. $1: lcore list ("0,1"), or a --lcores map for more workers than cores.
eal() {
    lc=$1
    case "$lc" in
        *@*) set -- --lcores "$lc" ;;
        *) set -- -l "$lc" ;;
    esac
    echo "$@ --no-huge -m 1024 --no-pci --no-shconf --file-prefix kwit$$_$(date +%N) --log-level=*:warning"
}

# A bridge of two net_pcap ports: port 0 reads $1 and port 1 reads $2; what leaves port 1
# (frames from port 0) goes to $3, what leaves port 0 goes to $4.
pcap_bridge() {
    echo "--vdev net_pcap0,rx_pcap=$1,tx_pcap=$4 --vdev net_pcap1,rx_pcap=$2,tx_pcap=$3"
}

# Counter value from a kwire final report ("  name value").
counter() {
    awk -v n="$1" '$1 == n && NF == 2 { print $2 }' "$2"
}

expect_counter() {
    got=$(counter "$1" "$3")
    [ "$got" = "$2" ] || fail "counter $1: expected $2, got '${got}' (report $3)"
}
