#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tshark's Kafka dissector as an independent oracle for kwire's request log (stdlib + tshark).

  tshark_oracle.py extract PCAP [--port P]
      print, one JSON object a line, the Kafka requests tshark finds in PCAP
  tshark_oracle.py compare PCAP LOG [--port P] [--min-coverage F] [-v]
      compare LOG (the JSON lines of `kwire pcap PCAP`) with what tshark finds; exit 1 on any
      difference or when fewer than F (default 0.95) of kwire's requests could be compared

A request is matched by (source address, source port, destination address, destination port,
correlation id); repeated keys on one connection match in order. For each match these must be
equal: api_key, api_version, client_id (null and absent the same), and, where tshark decodes
them, the sorted set of topic names, group_id (kafka.consumer_group), transactional_id and,
for Produce, the number of records (sum of kafka.batch_size). tshark 4.0 stops at versions
newer than its dissector ("Unsupported version") and mis-parses some others (JoinGroup v5,
SyncGroup v3: malformed); for those only the header (api key, version, correlation id, client
id) is compared, and the report lists them. A request kwire logs that tshark has no PDU for
is listed as "not decoded by tshark"; a request tshark has that kwire did not log is a
mismatch. Where tshark decodes the response cleanly, its non-zero error codes and its
throttle time must equal kwire's error_codes and throttle_time_ms. For Metadata and
FindCoordinator, whose every brokerId field tshark 4.0 dissects (node, controller, leader,
replica, in-sync and offline ids), the set of non-negative ids of request and response must
equal kwire's broker_ids (a subset when kwire says it kept only some: broker_ids_trunc). For
every pair whose request and response tshark decodes, the partition indexes of both
(kafka.partition_id) must equal those of kwire's topic_partitions (a subset under
topic_partitions_trunc), and each of kwire's partition_offsets must equal the offset tshark
shows for its topic and partition: Fetch positions (fetch: the request's offset; fetched: the
offset after the response's last record batch, base offset + last offset delta + 1) and high
watermarks, OffsetCommit and TxnOffsetCommit offsets, OffsetFetch answers, the offsets a
Produce request's batches take (produced: the sum of last offset delta + 1) and, answered, the
log end (the response's base offset + those), a ListOffsets request's timestamp -1 (list_latest,
list_stable) and its answer (high_watermark, or last_stable with read_committed), and an
OffsetDelete's partitions (commit_delete, -1). An OffsetCommit or TxnOffsetCommit offset is
commit_failed, an OffsetFetch one read_failed, an OffsetDelete one delete_failed and a Fetch
position fetch_failed exactly where tshark's response answers its partition with an error
(whose high watermark, -1, kwire does not keep). Without offsets_trunc, every partition of
those carries its offset in kwire's log.
"""
import argparse
import ipaddress
import json
import subprocess
import sys


def pairs_hook(pairs):
    """Keep repeated keys: tshark's JSON repeats a key for every occurrence of a field."""
    out = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def first(node, key):
    v = node.get(key)
    return v[0] if v else None


def walk(node, key, acc):
    """Every value of key anywhere under node, in document order."""
    if isinstance(node, dict):
        for k, vals in node.items():
            for v in vals:
                if k == key:
                    acc.append(v)
                else:
                    walk(v, key, acc)
    elif isinstance(node, list):
        for v in node:
            walk(v, key, acc)
    return acc


def nullable(s):
    return None if s is None or s == "[ Null ]" else s


# tshark's fields for what the specs mark entityType brokerId (the controller id is a node_id)
BROKER_FIELDS = ("kafka.node_id", "kafka.leader_id", "kafka.replica_id", "kafka.isr_id",
                 "kafka.offline_id")
# apis whose brokerId fields tshark dissects, all of them: Metadata, FindCoordinator
BROKER_APIS = (3, 10)


def brokers(pdu):
    """The set of broker ids (non-negative) anywhere in one Kafka PDU."""
    ids = set()
    for f in BROKER_FIELDS:
        for v in walk(pdu, f, []):
            if v.lstrip("-").isdigit() and int(v) >= 0:
                ids.add(int(v))
    return ids


def partitions(pdu):
    """The set of partition indexes (kafka.partition_id) anywhere in one Kafka PDU."""
    return {int(v) for v in walk(pdu, "kafka.partition_id", []) if v.lstrip("-").isdigit()}


def int_or_none(v):
    return int(v) if v is not None and v.lstrip("-").isdigit() else None


def part_offsets(pdu):
    """{(topic, partition): (offset, next, span, time, error)} of every "Partition" subtree of one
    Kafka PDU: its first kafka.offset (a fetch, committed, high-watermark, Produce base or
    ListOffsets offset, by api and direction), the offset after its last record batch (None
    without one), the offsets its batches take (the sum of last offset delta + 1), its
    ListOffsets timestamp and its error code (None without one)."""
    out = {}

    def batches(node, acc):
        if isinstance(node, dict):
            for k, vals in node.items():
                for v in vals:
                    if k == "Record Batch" and isinstance(v, dict):
                        acc.append(v)
                    else:
                        batches(v, acc)
        return acc

    def rec(node, topic):
        if not isinstance(node, dict):
            return
        topic = first(node, "kafka.topic_name") or topic
        for k, vals in node.items():
            for v in vals:
                if not isinstance(v, dict):
                    continue
                if k.startswith("Partition ("):
                    nxt, span = None, 0
                    for b in batches(v, []):
                        base = int_or_none(first(b, "kafka.offset"))
                        delta = int_or_none(first(b, "kafka.batch_last_offset_delta"))
                        if base is not None and delta is not None:
                            nxt = base + delta + 1
                            span += delta + 1
                    pid = int_or_none(first(v, "kafka.partition_id"))
                    if pid is not None:
                        out[(topic, pid)] = (int_or_none(first(v, "kafka.offset")), nxt, span,
                                             int_or_none(first(v, "kafka.offset_time")),
                                             int_or_none(first(v, "kafka.error")))
                else:
                    rec(v, topic)

    rec(pdu, None)
    return out


# (api key, kind): the offsets of kwire's partition_offsets, from tshark's request (0) or
# response (1) and their first offset (0), the offset after their batches (1), the offsets
# their batches take (2) or their ListOffsets timestamp (3); a Produce's log end is the
# response's base offset + the request's span
OFFSET_FROM = {(1, "fetch"): (0, 0), (1, "fetched"): (1, 1), (1, "high_watermark"): (1, 0),
               (8, "committed"): (0, 0), (28, "txn_committed"): (0, 0),
               (9, "committed_read"): (1, 0), (0, "produced"): (0, 2), (0, "log_end"): (1, 0),
               (2, "list_latest"): (0, 3), (2, "list_stable"): (0, 3),
               (2, "high_watermark"): (1, 0), (2, "last_stable"): (1, 0),
               (47, "commit_delete"): (0, 0)}
# by api key: the kind of an offset, and the kind it has instead where the response answered its
# partition with an error (from the same place in tshark's output)
FAILED_KIND = {8: ("committed", "commit_failed"), 28: ("txn_committed", "commit_failed"),
               9: ("committed_read", "read_failed"), 47: ("commit_delete", "delete_failed"),
               1: ("fetch", "fetch_failed")}
OFFSET_FROM.update({(api, failed): OFFSET_FROM[(api, kind)]
                    for api, (kind, failed) in FAILED_KIND.items()})
POSITIONS = ("fetch", "fetched", "fetch_failed")
NONE5 = (None, None, None, None, None)


def addr(s):
    return str(ipaddress.ip_address(s))


def tshark(pcap, port, *args):
    """tshark's output on pcap with Kafka on port, TCP streams reassembled (out of order too)"""
    cmd = ["tshark", "-n", "-r", pcap, "-d", f"tcp.port=={port},kafka",
           "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tcp.reassemble_out_of_order:TRUE"]
    res = subprocess.run(cmd + list(args), capture_output=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"tshark failed on {pcap}: {res.stderr.decode(errors='replace')}")
    return res.stdout


def tshark_requests(pcap, port):
    out = tshark(pcap, port, "-Y", "kafka", "-T", "json", "-J", "ip ipv6 tcp kafka")
    packets = json.loads(out or b"[]", object_pairs_hook=pairs_hook)
    if isinstance(packets, dict):
        packets = [packets]
    out, resp = [], {}
    for pkt in packets:
        layers = first(first(pkt, "_source"), "layers")
        ip = first(layers, "ip") or first(layers, "ipv6")
        tcp = first(layers, "tcp")
        if ip is None or tcp is None:
            continue
        v6 = "ipv6" in layers
        src = first(ip, "ipv6.src" if v6 else "ip.src")
        dst = first(ip, "ipv6.dst" if v6 else "ip.dst")
        flow = (addr(src), int(first(tcp, "tcp.srcport")), addr(dst),
                int(first(tcp, "tcp.dstport")))
        # One kafka layer per PDU in the frame (several when requests are pipelined).
        for pdu in layers.get("kafka", []):
            experts = walk(pdu, "_ws.expert", [])
            unsupported = any("kafka.unsupported_api_version" in e for e in experts)
            malformed = "_ws.malformed" in pdu or bool(walk(pdu, "_ws.malformed", [])) or \
                any("kafka.pdu_length_mismatch" in e for e in experts)
            if "kafka.response_key" in pdu:
                # keyed by the request's direction
                k = ((flow[2], flow[3], flow[0], flow[1]), int(first(pdu, "kafka.correlation_id")))
                thr = first(pdu, "kafka.throttle_time")
                resp.setdefault(k, []).append({
                    "errors": sorted({int(e) for e in walk(pdu, "kafka.error", [])} - {0}),
                    "throttle_time_ms": int(thr) if thr is not None else None,
                    "brokers": brokers(pdu),
                    "partitions": partitions(pdu),
                    "offsets": part_offsets(pdu),
                    "decoded": not unsupported and not malformed,
                })
                continue
            if "kafka.request_key" not in pdu:
                continue
            key = int(first(pdu, "kafka.request_key"))
            recs = [int(x) for x in walk(pdu, "kafka.batch_size", []) if x.isdigit()]
            groups = walk(pdu, "kafka.consumer_group", [])
            txn = walk(pdu, "kafka.transactional_id", [])
            out.append({
                "flow": flow,
                "api_key": key,
                "api_version": int(first(pdu, "kafka.api_version")),
                "correlation_id": int(first(pdu, "kafka.correlation_id")),
                "client_id": nullable(first(pdu, "kafka.client_id")),
                "topics": sorted(set(walk(pdu, "kafka.topic_name", []))),
                "group_id": nullable(groups[0]) if groups else "-",
                "transactional_id": nullable(txn[0]) if txn else "-",
                "records": sum(recs) if key == 0 and recs else None,
                "brokers": brokers(pdu),
                "partitions": partitions(pdu),
                "offsets": part_offsets(pdu),
                "isolation_level": int_or_none(first(pdu, "kafka.isolation_level")) or 0,
                "decoded": not unsupported and not malformed,
                "why": "unsupported version" if unsupported else
                       "malformed" if malformed else "",
            })
    for t in out:
        lst = resp.get((t["flow"], t["correlation_id"]))
        t["response"] = lst.pop(0) if lst else None
    return out


def kwire_requests(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                r = json.loads(line)
            except ValueError as e:
                raise SystemExit(f"{path}:{n}: not JSON: {e}")
            if "api_key" not in r or "flow" not in r:
                continue
            fl = r["flow"]
            r["flow"] = (addr(fl["src"]), int(fl["sport"]), addr(fl["dst"]), int(fl["dport"]))
            out.append(r)
    return out


def fmt(flow, cid):
    return f"{flow[0]}:{flow[1]}->{flow[2]}:{flow[3]} corr={cid}"


def offsets_diff(r, t, rsp):
    """kwire's partition_offsets of one pair against tshark's request t and response rsp:
    (offsets compared, differences)."""
    n, diffs, seen = 0, [], set()
    for e in r.get("partition_offsets") or []:
        src = OFFSET_FROM.get((r["api_key"], e["kind"]))
        if src is None:
            diffs.append(f"offset kind {e['kind']!r} in a pair of api {r['api_key']}")
            continue
        key = (e["topic"], e["partition"])
        seen.add((e["kind"] in POSITIONS, src[0], key))
        seen.add((e["kind"], key))
        want = (t, rsp)[src[0]]["offsets"].get(key, NONE5)[src[1]]
        if r["api_key"] == 47:  # OffsetDelete names the partition: -1
            want = -1 if key in t["offsets"] else None
        if e["kind"] == "log_end" and want is not None:
            want += t["offsets"].get(key, NONE5)[2] or 0
        # a partition the response answered with an error has the failed kind, and only such a one
        err = rsp["offsets"].get(key, NONE5)[4] if rsp else None
        kinds = FAILED_KIND.get(r["api_key"], ())
        if e["kind"] in kinds and err is not None and (err != 0) != (e["kind"] == kinds[1]):
            diffs.append(f"{e['kind']} offset of {key}: tshark's response error {err}")
        n += 1
        if e["offset"] != want:
            diffs.append(f"{e['kind']} offset of {key}: kwire {e['offset']}, tshark {want}")
    if "offsets_trunc" in (r.get("flags") or []):
        return n, diffs
    # every partition whose offset the pair carries is in kwire's log
    if r["api_key"] == 2:
        # the latest offset asked (timestamp -1, v1+) and answered: the high watermark, or the
        # last stable offset with read_committed
        kind = "last_stable" if t["isolation_level"] == 1 else "high_watermark"
        for key, v in t["offsets"].items():
            got = (rsp["offsets"].get(key, NONE5)[0] if rsp else None)
            if v[3] != -1 or t["api_version"] < 1 or got is None or got < 0:
                continue
            if (kind, key) not in seen:
                diffs.append(f"{kind} offset of {key}: in tshark, missing from kwire's log")
        return n, diffs
    for (api, kind), (side, what) in OFFSET_FROM.items():
        if api != r["api_key"] or what != 0 or kind in POSITIONS:
            continue
        for key, v in (t, rsp)[side]["offsets"].items():
            if kind in ("log_end", "high_watermark") and (v[0] is None or v[0] < 0):
                continue  # the append or the fetch failed: no log end, no high watermark
            if (False, side, key) not in seen:
                diffs.append(f"{kind} offset of {key}: in tshark, missing from kwire's log")
    if r["api_key"] == 1:
        for key in t["offsets"]:
            if (True, 0, key) not in seen and (True, 1, key) not in seen:
                diffs.append(f"fetch position of {key}: in tshark, missing from kwire's log")
    return n, diffs


def compare(a):
    ts = tshark_requests(a.pcap, a.port)
    kw = kwire_requests(a.log)
    index = {}
    for t in ts:
        index.setdefault((t["flow"], t["correlation_id"]), []).append(t)
    problems, undecoded, partial = [], [], []
    compared = topics_compared = responses_compared = brokers_compared = parts_compared = 0
    offsets_compared = 0
    for r in kw:
        k = (r["flow"], r["correlation_id"])
        lst = index.get(k)
        where = fmt(*k) + f" api={r['api_key']}v{r['api_version']}"
        if not lst:
            undecoded.append(where)
            continue
        t = lst.pop(0)
        compared += 1
        diffs = []
        for f in ("api_key", "api_version"):
            if r[f] != t[f]:
                diffs.append(f"{f}: kwire {r[f]!r}, tshark {t[f]!r}")
        if (r.get("client_id") or None) != (t["client_id"] or None):
            diffs.append(f"client_id: kwire {r.get('client_id')!r}, tshark {t['client_id']!r}")
        if not t["decoded"]:
            partial.append(f"{where} ({t['why']})")
        else:
            ktop = sorted(set(r.get("topics") or []))
            if t["topics"]:
                topics_compared += 1
                # kwire may cap the names it lists; topic_count says how many there were
                capped = len(ktop) < (r.get("topic_count") or 0)
                if (capped and not set(ktop) <= set(t["topics"])) or \
                        (not capped and ktop != t["topics"]):
                    diffs.append(f"topics: kwire {ktop}, tshark {t['topics']}")
            elif ktop:
                diffs.append(f"topics: kwire {ktop}, tshark decoded none")
            if t["group_id"] != "-" and r.get("group_id") != t["group_id"]:
                diffs.append(f"group_id: kwire {r.get('group_id')!r}, tshark {t['group_id']!r}")
            if t["transactional_id"] != "-" and \
                    r.get("transactional_id") != t["transactional_id"]:
                diffs.append(f"transactional_id: kwire {r.get('transactional_id')!r}, "
                             f"tshark {t['transactional_id']!r}")
            if t["records"] is not None and r.get("records") != t["records"]:
                diffs.append(f"records: kwire {r.get('records')!r}, tshark {t['records']!r}")
        rsp = t["response"]
        if rsp is not None and rsp["decoded"]:
            responses_compared += 1
            kerr = sorted(set(r.get("error_codes") or []) - {0})
            if kerr != rsp["errors"]:
                diffs.append(f"response error codes: kwire {kerr}, tshark {rsp['errors']}")
            if rsp["throttle_time_ms"] is not None and \
                    r.get("throttle_time_ms") != rsp["throttle_time_ms"]:
                diffs.append(f"throttle_time_ms: kwire {r.get('throttle_time_ms')!r}, "
                             f"tshark {rsp['throttle_time_ms']!r}")
            if t["decoded"] and r["api_key"] in BROKER_APIS:
                brokers_compared += 1
                kb = set(r.get("broker_ids") or [])
                tb = t["brokers"] | rsp["brokers"]
                trunc = "broker_ids_trunc" in (r.get("flags") or [])
                if (trunc and not kb <= tb) or (not trunc and kb != tb):
                    diffs.append(f"broker ids: kwire {sorted(kb)}, tshark {sorted(tb)}")
            if t["decoded"]:
                parts_compared += 1
                kp = {p["partition"] for p in r.get("topic_partitions") or []}
                tp = t["partitions"] | rsp["partitions"]
                trunc = "topic_partitions_trunc" in (r.get("flags") or [])
                if (trunc and not kp <= tp) or (not trunc and kp != tp):
                    diffs.append(f"partitions: kwire {sorted(kp)}, tshark {sorted(tp)}")
                n, d = offsets_diff(r, t, rsp)
                offsets_compared += n
                diffs += d
        # KIP-511: a broker answers an ApiVersions version it does not support with
        # UNSUPPORTED_VERSION in a version 0 body, which has no throttle time; tshark 4.0
        # mis-reads that body with the request's version, so this is checked on kwire alone.
        if r["api_key"] == 18 and 35 in (r.get("error_codes") or []) and \
                r.get("throttle_time_ms") not in (None, 0):
            diffs.append(f"ApiVersions UNSUPPORTED_VERSION answer is a v0 body without "
                         f"throttle time, kwire read throttle_time_ms "
                         f"{r.get('throttle_time_ms')!r} flags {r.get('flags')}")
        for d in diffs:
            problems.append(f"{where}: {d}")
    for k, lst in sorted(index.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        for t in lst:
            problems.append(f"{fmt(*k)} api={t['api_key']}v{t['api_version']}: "
                            "in tshark, missing from kwire's log")
    total = len(kw)
    cov = compared / total if total else 0.0
    name = a.pcap.rsplit("/", 1)[-1]
    print(f"{name}: kwire {total} requests, tshark {len(ts)}; compared {compared} "
          f"({100 * cov:.1f}%), topics compared {topics_compared}, "
          f"responses compared {responses_compared}, broker ids compared {brokers_compared}, "
          f"partitions compared {parts_compared}, offsets compared {offsets_compared}, "
          f"header only {len(partial)}, "
          f"not decoded by tshark {len(undecoded)}, mismatches {len(problems)}")
    if a.verbose or problems:
        for p in partial:
            print(f"  header only: {p}")
    for u in undecoded:
        print(f"  not decoded by tshark: {u}")
    for p in problems:
        print(f"  MISMATCH: {p}")
    if total == 0:
        print("  FAIL: kwire logged no request")
        return 1
    if cov < a.min_coverage:
        print(f"  FAIL: coverage {100 * cov:.1f}% < {100 * a.min_coverage:.0f}%")
        return 1
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("pcap")
    e.add_argument("--port", type=int, default=9092)
    c = sub.add_parser("compare")
    c.add_argument("pcap")
    c.add_argument("log")
    c.add_argument("--port", type=int, default=9092)
    c.add_argument("--min-coverage", type=float, default=0.95)
    c.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.cmd == "extract":
        for t in tshark_requests(a.pcap, a.port):
            print(json.dumps(t, sort_keys=True))
        return 0
    return compare(a)


if __name__ == "__main__":
    sys.exit(main())
