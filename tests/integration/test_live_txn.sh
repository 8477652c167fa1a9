#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Consumer offsets committed inside transactions, as an exactly-once consume-transform-produce
# application (Kafka Streams) commits them: a librdkafka transactional producer
# (tests/tools/kw_txn_client.c) sends a group's offsets in a transaction that commits, then in
# one that aborts, through kwire with the request log off. The group's committed offsets in
# /kwire/kafka/lag,GROUP must be the committed transaction's, never the aborted one's, and
# /kwire/kafka/obs must count what went each way.
#
# Needs root (namespaces); the set-up is tests/integration/live_lib.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live_lib.sh"

[ -n "${TXN_CLIENT:-}" ] && [ -x "$TXN_CLIENT" ] ||
    fail "kw_txn_client not built (librdkafka-dev)"
TOPIC=kwire-txn
GROUP=kwire-txn-group
kwire_start txn nolog # the default: pairs carry what the statistics read, no more
mock_start "$TOPIC" 2
ip netns exec "$NSC" env LD_PRELOAD="$WORK/kw_netshim.so" KW_SHIM_CONNECT=198.18.0.2 \
    ASAN_OPTIONS=verify_asan_link_order=0 timeout 60 "$TXN_CLIENT" 198.18.0.2:9092 "$TOPIC" \
    "$GROUP" 2>"$WORK/txn.err" || fail "kw_txn_client: $(tail -5 "$WORK/txn.err")"
sleep 0.3 # the last pairs reach the control thread
printf '/kwire/kafka/lag,%s\n/kwire/kafka/obs\n' "$GROUP" | dpdk-telemetry.py -f "$KW_PREFIX" \
    >"$WORK/tel.out" 2>&1 || fail "dpdk-telemetry.py: $(tail -3 "$WORK/tel.out")"
kwire_stop txn

python3 - "$WORK/tel.out" <<'PY' || fail "telemetry: $(head -c 1500 "$WORK/tel.out")"
import json, re, sys
answers = {}
for m in re.findall(r'^\{.*\}$', open(sys.argv[1]).read(), re.M):
    answers.update(json.loads(m))
# the committed transaction's offsets (partition 0 5, partition 1 7), not the aborted one's (50)
lag = answers["/kwire/kafka/lag"]
assert lag["partitions"] == 2, lag
assert lag["kwire_txn/0"]["committed"] == 5 and lag["kwire_txn/1"]["committed"] == 7, lag
obs = answers["/kwire/kafka/obs"]
assert obs["txn_offsets"] == 3 and obs["commits_txn"] == 2 and obs["commits"] == 2, obs
assert obs["txn_offsets_aborted"] == 1, obs
assert obs["txn_offsets_failed"] == 0 and obs["txn_offsets_dropped"] == 0, obs
assert obs["txn_ends_failed"] == 0 and obs["txns_evicted"] == 0, obs
print(f"ok: committed {lag['kwire_txn/0']['committed']} and {lag['kwire_txn/1']['committed']}")
PY
