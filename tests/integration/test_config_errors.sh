#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A bad configuration stops kwire with FILE:LINE:COL and the reason, exit status non-zero, before
# any port is touched (the net_pcap TX file is never created). Bad options likewise.
. "$(dirname "$0")/lib.sh"

$PCAPTOOL empty "$WORK/none.pcap"

bad() { # name expected-message yaml
    printf '%s\n' "$3" >"$WORK/$1.yaml"
    rm -f "$WORK/tx.pcap"
    # shellcheck disable=SC2046
    if kwire $(eal 0,1) $(pcap_bridge "$WORK/none.pcap" "$WORK/none.pcap" "$WORK/tx.pcap" "$WORK/tx.pcap") \
        -- -c "$WORK/$1.yaml" 2>"$WORK/$1.err"; then
        fail "$1: kwire accepted a bad configuration"
    fi
    grep -qF "$2" "$WORK/$1.err" || fail "$1: expected '$2' in: $(cat "$WORK/$1.err")"
    [ ! -e "$WORK/tx.pcap" ] || fail "$1: a port was opened before the configuration was checked"
    echo "ok: $1"
}

bad unknown-key "unknown-key.yaml:2:3: unknown key 'capcity' in 'flows'" "flows:
  capcity: 10"
bad bad-int "bad-int.yaml:2:12: 'rx_desc' must be an integer" "ports:
  rx_desc: lots"
bad bad-enum "bad-enum.yaml:2:13:" "dataplane:
  dispatch: sideways"
bad syntax "syntax.yaml:" "ports: [unclosed"
bad dup-port "dup-port.yaml:" "bridges:
  - [net_pcap0, net_pcap1]
  - [net_pcap1, net_pcap2]"

if kwire -l 0,1 --no-huge -- -c "$WORK/does-not-exist.yaml" 2>"$WORK/missing.err"; then
    fail "missing config accepted"
fi
grep -q "does-not-exist.yaml" "$WORK/missing.err" || fail "missing config: $(cat "$WORK/missing.err")"
if kwire -l 0,1 -- --bogus-option 2>/dev/null; then fail "unknown option accepted"; fi
kwire --version | grep -q '^kwire ' || fail "--version"
kwire --help | grep -q 'usage: kwire' || fail "--help"

# a bridge naming a port the EAL does not have: clear message, non-zero exit
printf 'bridges:\n  - [net_pcap0, net_nope9]\n' >"$WORK/noport.yaml"
# shellcheck disable=SC2046
if kwire $(eal 0,1) $(pcap_bridge "$WORK/none.pcap" "$WORK/none.pcap" "$WORK/tx.pcap" "$WORK/tx2.pcap") \
    -- -c "$WORK/noport.yaml" 2>"$WORK/noport.err"; then
    fail "unknown port accepted"
fi
grep -q "no port named 'net_nope9'" "$WORK/noport.err" || fail "noport: $(cat "$WORK/noport.err")"
echo "ok: options and ports"
