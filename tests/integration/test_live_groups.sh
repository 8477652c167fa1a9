#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# /kwire/kafka/groups at its size limit, through DPDK's own telemetry client: 32 consumer groups
# (kcat), each reading the 8 partitions of a topic with a long name through kwire and committing
# its offsets, so that the groups with their per-partition lag need more than the 16 KiB DPDK
# 22.11 writes a reply into. kwire must stop before the limit and say how many groups it left
# out ("kwire/omitted"): DPDK would otherwise drop entries without a word. Every group is either
# in the reply or counted as omitted, the reply as DPDK writes it fits in 16 KiB and uses most
# of it, and each group listed has every partition's lag (0: each consumer read everything).
# /kwire/kafka/lag,GROUP gives one group's partitions with commits, fetch positions (attributed
# to the group by each consumer's client id and address) and high watermarks; a second consumer
# of one group reads its commits back (OffsetFetch), which kwire counts as commits read, and
# kcat -Q asks for every partition's latest offset (ListOffsets), which kwire takes for a high
# watermark.
#
# Needs root (namespaces); the set-up is tests/integration/live_lib.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/live_lib.sh"

GROUPS_N=32
PARTS=8
TOPIC=kwire-telemetry-budget-topic-with-a-long-name
kwire_start groups nolog # the default: pairs carry what the statistics read, no more
mock_start "$TOPIC" $PARTS
messages 1 160 | client -P -t "$TOPIC" -K : -q || fail "kcat produce"
# -c 160: each consumer stops once it has every message, without fetching at the end of each
# partition: a position is where the records a Fetch returned end, not what the Fetch asked for
for g in $(seq 1 $GROUPS_N); do
    client -C -G "kwire-budget-consumer-group-$g" -c 160 -q -X client.id="budget-$g" \
        -X auto.offset.reset=earliest -X auto.commit.interval.ms=100 -X session.timeout.ms=6000 \
        "$TOPIC" >/dev/null &
    BG_PIDS="$BG_PIDS $!"
done
for p in $BG_PIDS; do
    wait "$p" || fail "a consumer exited $?"
done
# group 7 again: its new consumer reads the group's commits (OffsetFetch) and starts there, at
# each partition's end. The mock lets it join once the first member's session has expired:
# session.timeout.ms 6000 keeps that wait to ~5 s (with 1.5 s sessions, consumers never ended).
client -C -G kwire-budget-consumer-group-7 -e -q -X client.id=budget-7 "$TOPIC" \
    >"$WORK/again.out" || fail "kcat consume again"
[ ! -s "$WORK/again.out" ] || fail "group 7 read again: $(head -3 "$WORK/again.out")"
# a lag tool's question: each partition's latest offset (ListOffsets, read_committed)
# shellcheck disable=SC2046
client -Q $(for p in $(seq 0 $((PARTS - 1))); do printf -- '-t %s:%s:-1 ' "$TOPIC" "$p"; done) \
    >"$WORK/query.out" || fail "kcat -Q: $(tail -3 "$WORK/query.out")"
[ "$(awk '$3 == "offset" { n++; s += $4 } END { print n "/" s }' "$WORK/query.out")" = \
    "$PARTS/160" ] || fail "kcat -Q: $(head -9 "$WORK/query.out")"
sleep 0.3 # the last pairs reach the control thread
printf '/kwire/kafka/groups\n/kwire/kafka/clients\n/kwire/kafka/lag,%s\n/kwire/kafka/obs\n' \
    kwire-budget-consumer-group-7 | dpdk-telemetry.py -f "$KW_PREFIX" \
    >"$WORK/tel.out" 2>&1 || fail "dpdk-telemetry.py: $(tail -3 "$WORK/tel.out")"
kwire_stop groups

python3 - "$WORK/tel.out" "$GROUPS_N" "$PARTS" <<'PY' || fail "telemetry: $(head -c 600 "$WORK/tel.out")"
import json, re, sys
text = open(sys.argv[1]).read()
n, parts = int(sys.argv[2]), int(sys.argv[3])
answers = {}
for m in re.findall(r'^\{.*\}$', text, re.M):
    answers.update(json.loads(m))
groups = answers["/kwire/kafka/groups"]
# DPDK writes the reply without spaces
size = len(json.dumps({"/kwire/kafka/groups": groups}, separators=(",", ":")))
omitted = groups.pop("kwire/omitted", 0)
assert omitted > 0, f"the limit did not bind: {len(groups)} groups in {size} bytes"
assert len(groups) + omitted == n, f"{len(groups)} listed + {omitted} omitted != {n}"
assert 12 * 1024 < size <= 16 * 1024, f"{size} bytes"
for name, g in groups.items():
    assert name.startswith("kwire_budget_consumer_group_"), name
    lags = {k: v for k, v in g.items() if k.startswith("lag/")}
    assert len(lags) == parts and not any(lags.values()) and g["lag_total"] == 0, g
    assert g["position_lag_total"] == 0, g
    assert g["requests"] > 0, g
# each consumer's client id, with the connections it opened (the producer may be the one of the
# 33 clients left out of the top 32)
budget = [c for k, c in answers["/kwire/kafka/clients"].items() if k.startswith("budget_")]
assert len(budget) >= n - 1 and all(c["connections"] >= 1 for c in budget), budget
# one group's partitions in full: its commits and its consumer's positions (at each partition's
# end: past the records the last Fetch returned) against the high watermarks
lag = answers["/kwire/kafka/lag"]
assert lag.pop("partitions") == parts and lag.pop("lag_total") == 0, lag
assert lag.pop("position_lag_total") == 0, lag
assert len(lag) == parts, lag
for name, p in lag.items():
    assert name.startswith("kwire_telemetry_budget_topic_with_a_long_name/"), name
    assert p["committed"] == p["position"] == p["hwm"] > 0, (name, p)
    assert p["lag"] == 0 and p["position_lag"] == 0, (name, p)
assert sum(p["hwm"] for p in lag.values()) == 160, lag
# every consumer is its group's only member on its client id: each position is attributed
obs = answers["/kwire/kafka/obs"]
assert obs["members"] == n and obs["members_ambiguous"] == 0, obs
assert obs["positions"] > 0 and obs["positions"] == obs["fetch_offsets"], obs
assert obs["fetched_offsets"] > 0, obs
# the producer's appends end the partitions' logs too (Produce responses)
assert obs["hwms_produced"] > 0, obs
# and kcat -Q's ListOffsets: the last stable offset of every partition
assert obs["hwms_listed"] == parts, obs
# each first consumer found no commit (-1) for its 8 partitions; group 7's second found 8
assert obs["commits_none"] == n * parts and obs["commits_read"] == parts, obs
assert obs["commits_failed"] == 0 and obs["commits_groups_many"] == 0, obs
# the first consumers' OffsetFetch found no commit before they made one: none dropped
assert obs["commits_cleared"] == 0 and obs["groups_deleted"] == 0, obs
# one worker hands the pairs over as their responses came: none is stale
assert obs["commits_stale"] == 0 and obs["positions_stale"] == 0 and obs["hwms_stale"] == 0, obs
print(f"ok: {len(groups)} groups listed, {omitted} omitted, {size} bytes; "
      f"{obs['positions']} positions, {obs['fetched_offsets']} past returned records")
PY
