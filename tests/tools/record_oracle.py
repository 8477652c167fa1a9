#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tshark as an independent oracle for kwire's record lines (log.records; stdlib + tshark).

  record_oracle.py compare PCAP LOG [--port P] [--compressed] [-v]

LOG holds the JSON lines of `kwire pcap PCAP` with log.records: true. The TCP streams come from
tshark (-z follow,tcp,raw: the payload of each direction in order, offset 0 being the first
byte after the SYN), the records from tshark's Kafka dissector (every "Record" of Produce
requests and Fetch responses, in capture order). For each connection and direction, kwire's
record lines and tshark's records must be as many and, in order: the stream bytes at
key_off/key_len and value_off/value_len must equal tshark's kafka.message_key and
kafka.message_value (key_len -1: tshark shows no key), the offsets must agree, header_count
must equal the number of kafka.header_key, and each header key must lie, in order, inside
headers_off..headers_off+headers_len.

With --compressed the capture's batches are compressed: kwire must write no record line, and
the "records" of its Produce request lines must add up to the records tshark decompresses.
Exit 1 on any difference.
"""
import argparse
import ipaddress
import json
import sys

from tshark_oracle import first, pairs_hook, tshark, walk


def endpoint(s):
    """ "127.0.0.1:9092" or "[2001:2::1]:9092" -> (address, port)"""
    host, port = s.rsplit(":", 1)
    return str(ipaddress.ip_address(host.strip("[]"))), int(port)


def streams(pcap, port):
    """{(client, cport, broker, bport): [client->broker bytes, broker->client bytes]}"""
    ids = tshark(pcap, port, "-T", "fields", "-e", "tcp.stream").decode().split()
    ids = sorted({int(i) for i in ids if i})
    if not ids:
        return {}
    args = ["-q"]
    for i in ids:
        args += ["-z", f"follow,tcp,raw,{i}"]
    out, cur, nodes = {}, None, {}
    for line in tshark(pcap, port, *args).decode().splitlines():
        if line.startswith("=") or line.startswith("Follow:") or line.startswith("Filter:"):
            cur, nodes = None, {}
        elif line.startswith("Node 0:") or line.startswith("Node 1:"):
            nodes[int(line[5])] = endpoint(line.split(": ", 1)[1])
            if len(nodes) == 2:
                # the broker is the node on the Kafka port; the other one is the client
                b = 1 if nodes[1][1] == port else 0
                key = nodes[1 - b] + nodes[b]
                cur = out.setdefault(key, [bytearray(), bytearray()])
                client_node = 1 - b
        elif cur is not None and line.strip():
            # raw follow: node 0's data flush left, node 1's indented by a tab
            node = 1 if line.startswith("\t") else 0
            cur[0 if node == client_node else 1] += bytes.fromhex(line.strip())
    return out


def hexbytes(v):
    return bytes.fromhex(v.replace(":", "")) if v else b""


def tshark_records(pcap, port):
    """{(client, cport, broker, bport, dir): [record]} in capture order, and the Produce
    request records tshark counts per connection."""
    raw = tshark(pcap, port, "-Y", "kafka", "-T", "json", "-J", "ip ipv6 tcp kafka")
    packets = json.loads(raw or b"[]", object_pairs_hook=pairs_hook)
    if isinstance(packets, dict):
        packets = [packets]
    out = {}
    for pkt in packets:
        layers = first(first(pkt, "_source"), "layers")
        ip = first(layers, "ip") or first(layers, "ipv6")
        tcp = first(layers, "tcp")
        src = first(ip, "ip.src") or first(ip, "ipv6.src")
        dst = first(ip, "ip.dst") or first(ip, "ipv6.dst")
        sport, dport = int(first(tcp, "tcp.srcport")), int(first(tcp, "tcp.dstport"))
        src, dst = str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst))
        if sport == port:
            key = (dst, dport, src, sport, 1)
        else:
            key = (src, sport, dst, dport, 0)
        for kafka in layers.get("kafka", []):
            for rec in walk(kafka, "Record", []):
                out.setdefault(key, []).append({
                    "key": rec.get("kafka.message_key"),
                    "value": first(rec, "kafka.message_value"),
                    "offset": int(first(rec, "kafka.offset")),
                    # tshark 4.0 shows header keys as strings
                    "headers": [h.encode() for h in walk(rec, "kafka.header_key", [])],
                })
    return out


def kwire_lines(path):
    recs, produce_records, fields = {}, 0, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            fl = o["flow"]
            flow = (fl["src"], fl["sport"], fl["dst"], fl["dport"])
            if o.get("type") == "record":
                d = 0 if o["dir"] == "request" else 1
                recs.setdefault(flow + (d,), []).append(o)
                continue
            if o.get("api_key") == 0:
                produce_records += o["records"]
            fields[flow + (o["correlation_id"],)] = o.get("records_fields", [])
    return recs, produce_records, fields


def check_fields(fields, data):
    """Every records field a request line places holds whole v2 batches (magic 2 at byte 16,
    batch lengths adding up to the field) in the stream of its direction: the field starts
    and ends where kwire says."""
    errs, n = [], 0
    for key, fl in fields.items():
        for f in fl:
            d = 0 if f["dir"] == "request" else 1
            stream = data.get(key[:4], [b"", b""])[d]
            at, end = f["off"], f["off"] + f["len"]
            if end > len(stream):
                errs.append(f"{key}: field {f} past the end of the stream ({len(stream)})")
                continue
            while at < end:
                if end - at < 17 or stream[at + 16] != 2:
                    errs.append(f"{key}: field {f}: no v2 batch at {at}")
                    break
                at += 12 + int.from_bytes(stream[at + 8:at + 12], "big")
            if at != end:
                errs.append(f"{key}: field {f}: batches end at {at}, not {end}")
            n += 1
    return errs, n


def record_in_field(k, fields, where):
    """A record line sits inside a records field of its request line: same direction, topic
    and partition."""
    key = (k["flow"]["src"], k["flow"]["sport"], k["flow"]["dst"], k["flow"]["dport"],
           k["correlation_id"])
    for f in fields.get(key, []):
        if (f["dir"] == k["dir"] and f["topic"] == k["topic"] and
                f["partition"] == k["partition"] and
                f["off"] <= k["record_off"] < k["record_off"] + k["record_len"] <=
                f["off"] + f["len"]):
            return []
    return [f"{where}: record at {k['record_off']} is in no records field of its request line"]


def check_record(k, t, stream, where):
    errs = []
    if k["key_len"] < 0:
        if t["key"] is not None:
            errs.append(f"{where}: kwire key null, tshark {t['key'][0]!r}")
    else:
        got = bytes(stream[k["key_off"]:k["key_off"] + k["key_len"]])
        want = hexbytes(t["key"][0]) if t["key"] is not None else None
        if got != want:
            errs.append(f"{where}: key at {k['key_off']} is {got!r}, tshark {want!r}")
    if k["value_len"] < 0:
        if t["value"]:
            errs.append(f"{where}: kwire value null, tshark {t['value']!r}")
    else:
        got = bytes(stream[k["value_off"]:k["value_off"] + k["value_len"]])
        if got != hexbytes(t["value"]):
            errs.append(f"{where}: value at {k['value_off']} is {got[:40]!r}, tshark "
                        f"{hexbytes(t['value'])[:40]!r}")
    if k["offset"] != t["offset"]:
        errs.append(f"{where}: offset {k['offset']}, tshark {t['offset']}")
    if k["header_count"] != len(t["headers"]):
        errs.append(f"{where}: header_count {k['header_count']}, tshark {len(t['headers'])}")
    region = bytes(stream[k["headers_off"]:k["headers_off"] + k["headers_len"]])
    at = 0
    for h in t["headers"]:
        i = region.find(h, at)
        if i < 0:
            errs.append(f"{where}: header key {h!r} not in headers bytes at {k['headers_off']}")
            break
        at = i + len(h)
    return errs


def compare(a):
    krecs, produce_records, fields = kwire_lines(a.log)
    trecs = tshark_records(a.pcap, a.port)
    data = streams(a.pcap, a.port)
    errs, nfields = check_fields(fields, data)
    if produce_records and nfields == 0:
        errs.append("records counted but no records field placed")
    if a.compressed:
        n = sum(len(v) for v in krecs.values())
        t_produce = sum(len(v) for k, v in trecs.items() if k[4] == 0)
        if n:
            errs.append(f"{n} record lines for a compressed capture")
        if produce_records != t_produce:
            errs.append(f"Produce request lines count {produce_records} records, tshark "
                        f"{t_produce}")
        checked = t_produce
    else:
        checked = 0
        for key in sorted(set(krecs) | set(trecs), key=str):
            kl, tl = krecs.get(key, []), trecs.get(key, [])
            if len(kl) != len(tl):
                errs.append(f"{key}: kwire {len(kl)} records, tshark {len(tl)}")
                continue
            stream = data.get(key[:4], [b"", b""])[key[4]]
            for i, (k, t) in enumerate(zip(kl, tl)):
                errs += check_record(k, t, stream, f"{key} record {i}")
                errs += record_in_field(k, fields, f"{key} record {i}")
                checked += 1
        if checked == 0:
            errs.append("no record to compare")
    for e in errs[:20]:
        print(f"{a.pcap}: {e}", file=sys.stderr)
    if a.verbose or errs:
        print(f"{a.pcap}: {checked} records compared, {nfields} records fields checked, "
              f"{len(errs)} differences")
    return 1 if errs else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("pcap")
    c.add_argument("log")
    c.add_argument("--port", type=int, default=9092)
    c.add_argument("--compressed", action="store_true")
    c.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    sys.exit(compare(a))


if __name__ == "__main__":
    main()
