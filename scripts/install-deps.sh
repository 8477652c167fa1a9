#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install exactly the Debian 12 packages kwire needs, idempotently.
#   scripts/install-deps.sh          build and run kwire (and its capture generator)
#   scripts/install-deps.sh --test   also what the test suite uses
# As root it runs apt-get; otherwise it prints the apt-get command and exits 1.
set -eu

# build: compiler, meson/ninja, DPDK 22.11, libyaml (config), libpcap (kwgen, net_pcap)
BUILD="gcc libc6-dev pkg-config meson ninja-build libdpdk-dev libyaml-dev libpcap-dev"
# test: cmocka units; tshark (and its dumpcap) as the independent decoder and capture tool;
# kcat and librdkafka's mock cluster as real Kafka clients and broker; dpdk-testpmd and
# dpdk-telemetry.py (package dpdk-dev) for the benchmark reference and telemetry checks; python3
# for test tools; clang and its libFuzzer/sanitizer runtime (only recommended by clang, so named
# here: installs run without recommends) for the libFuzzer targets; iproute2 and ethtool for the
# network namespaces of the live bridge test
TEST="libcmocka-dev tshark kcat librdkafka-dev dpdk-dev python3 clang libclang-rt-14-dev iproute2 ethtool"

want="$BUILD"
[ "${1:-}" = "--test" ] && want="$BUILD $TEST"

missing=""
for p in $want; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "kwire needs these Debian packages:$missing" >&2
    echo "run as root: apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
