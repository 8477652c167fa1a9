#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Small pcap helpers for kwire's integration tests (stdlib only).

  pcaptool.py count FILE                 print the number of frames
  pcaptool.py cmp A B [--sorted]         exit 0 when A and B hold the same frame bytes, in the
                                         same order (or as the same multiset with --sorted);
                                         timestamps are ignored
  pcaptool.py empty FILE                 write a pcap file with no frames
  pcaptool.py tls FILE                   write a TCP session to port 9092 that speaks TLS
  pcaptool.py sasl FILE USER PASSWORD    write a SASL/PLAIN authentication to port 9092
  pcaptool.py groups FILE                write an admin tool's DescribeGroups v5, OffsetFetch v8
                                         and DeleteGroups v2 of two groups, one answered with
                                         errors
  pcaptool.py fetch-errors FILE          write a consumer's Fetch v11 of two partitions, one
                                         answered NOT_LEADER_OR_FOLLOWER
  pcaptool.py malformed FILE             write the malformed-frame corpus and print, as JSON,
                                         the classifier counters it must move
  pcaptool.py encap IN OUT LINKTYPE      rewrite IN's Ethernet frames (IPv4/IPv6, untagged) as
                                         another link type: sll, sll2, raw, null (little-endian
                                         host, macOS AF_INET6), loop; timestamps kept
"""
import json
import struct
import sys

from pcapio import csum, read_pcap, write_pcap


def read_frames(path):
    return [frame for _, _, frame in read_pcap(path)[1]]


def write_frames(path, frames):
    write_pcap(path, 1, [(1700000000, i, fr) for i, fr in enumerate(frames)])


ETH = bytes.fromhex("020000000002" "020000000001")


def eth(ethertype, payload, tags=()):
    hdr = ETH
    for tpid, vid in tags:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype) + payload


def tcp(sport=40000, dport=9092, payload=b"", doff=5, opts=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, doff << 4, 0x18, 65535, 0,
                       0) + opts + payload


def ipv4(l4, proto=6, ihl=5, opts=b"", frag=0x4000, total=None, version=4):
    total = 20 + len(opts) + len(l4) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total, 1, frag, 64, proto, 0,
                    bytes([198, 18, 0, 1]), bytes([198, 19, 0, 1])) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def ipv6(l4, nh=6, ext=b"", plen=None):
    plen = len(ext) + len(l4) if plen is None else plen
    src = bytes.fromhex("20010002000000000000000000000001")
    dst = bytes.fromhex("20010002000000000000000000000002")
    return struct.pack("!IHBB", 6 << 28, plen, nh, 64) + src + dst + ext + l4


def ext(nh, length8=0):
    """A hop-by-hop/destination/routing header: next header, length in 8-byte units - 1."""
    return bytes([nh, length8]) + b"\x01\x04\0\0\0\0" + b"\0" * (8 * length8)


def tcp_session(payloads, sport=40000, dport=9092, handshake=True):
    """Frames of one IPv4 TCP connection: [(from_client, bytes)], with a handshake if asked."""
    c, b = bytes([198, 18, 0, 9]), bytes([198, 19, 0, 1])
    seq = {True: 1000, False: 5000}
    frames = []

    def seg(from_client, flags, data=b""):
        src, dst = (c, b) if from_client else (b, c)
        sp, dp = (sport, dport) if from_client else (dport, sport)
        hdr = struct.pack("!HHIIBBHHH", sp, dp, seq[from_client], seq[not from_client],
                          5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(hdr) + len(data))
        ck = csum(pseudo + hdr + data)
        hdr = hdr[:16] + struct.pack("!H", ck) + hdr[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(hdr) + len(data), 1, 0x4000, 64, 6,
                         0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frames.append(eth(0x0800, ip + hdr + data))
        seq[from_client] = (seq[from_client] + len(data) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

    if handshake:
        seq[True] -= 1
        seq[False] -= 1
        seg(True, 0x02)
        seg(False, 0x12)
        seg(True, 0x10)
    for from_client, data in payloads:
        seg(from_client, 0x18, data)
    return frames


def kstr(v):
    return struct.pack("!h", len(v)) + v


def kafka_frame(body):
    return struct.pack("!i", len(body)) + body


def sasl_plain(user, password):
    """SaslHandshake v1 + SaslAuthenticate v1 with PLAIN, as a client and broker exchange them."""
    def req(key, ver, corr, body):
        return kafka_frame(struct.pack("!hhi", key, ver, corr) + kstr(b"sasl-client") + body)

    def resp(corr, body):
        return kafka_frame(struct.pack("!i", corr) + body)

    token = b"\0" + user + b"\0" + password
    return tcp_session([
        (True, req(17, 1, 1, kstr(b"PLAIN"))),
        (False, resp(1, struct.pack("!hi", 0, 1) + kstr(b"PLAIN"))),
        (True, req(36, 1, 2, struct.pack("!i", len(token)) + token)),
        (False, resp(2, struct.pack("!hhiq", 0, -1, 0, 0))),
    ])


def uvarint(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def compact_str(v):
    return uvarint(len(v) + 1) + v


def admin_groups():
    """An admin tool describes two groups in one DescribeGroups v5 (billing answered
    NOT_COORDINATOR, 16), asks for their commits in one OffsetFetch v8 (orders/0 and 1:
    orders-app 100, 101; billing 200, 201), then deletes both in one DeleteGroups v2: billing is
    answered GROUP_ID_NOT_FOUND (69). Flexible versions: compact strings and arrays (a count +
    1), a tagged section (here empty, 0) after each struct and after the headers."""
    tags = b"\0"
    groups = [b"orders-app", b"billing"]

    def req(key, ver, corr, body):
        return kafka_frame(struct.pack("!hhi", key, ver, corr) + kstr(b"admin-1") + tags + body)

    def resp(corr, body):
        return kafka_frame(struct.pack("!i", corr) + tags + body)

    body = uvarint(len(groups) + 1)
    for g in groups:
        body += compact_str(g) + uvarint(2) + compact_str(b"orders")
        body += uvarint(3) + struct.pack("!ii", 0, 1) + tags + tags
    fetch_req = req(9, 8, 11, body + b"\0" + tags)  # require_stable false
    body = struct.pack("!i", 0) + uvarint(len(groups) + 1)
    for i, g in enumerate(groups):
        body += compact_str(g) + uvarint(2) + compact_str(b"orders") + uvarint(3)
        for part in (0, 1):
            # index, committed offset, leader epoch, metadata "", error code
            body += struct.pack("!iqi", part, 100 * (i + 1) + part, 3) + compact_str(b"")
            body += struct.pack("!h", 0) + tags
        body += tags + struct.pack("!h", 0) + tags
    fetch_resp = resp(11, body + tags)
    body = uvarint(len(groups) + 1) + b"".join(compact_str(g) for g in groups)
    delete_req = req(42, 2, 12, body + tags)
    body = struct.pack("!i", 0) + uvarint(len(groups) + 1)
    for g, err in zip(groups, (0, 69)):
        body += compact_str(g) + struct.pack("!h", err) + tags
    delete_resp = resp(12, body + tags)
    # DescribeGroups v5 before the deletion: a group's error code comes before its id; billing
    # is answered NOT_COORDINATOR (16)
    body = uvarint(len(groups) + 1) + b"".join(compact_str(g) for g in groups)
    describe_req = req(15, 5, 10, body + b"\0" + tags)  # include authorized operations false
    body = struct.pack("!i", 0) + uvarint(len(groups) + 1)
    for g, err in zip(groups, (0, 16)):
        state, proto = (b"Empty", b"consumer") if err == 0 else (b"", b"")
        body += struct.pack("!h", err) + compact_str(g) + compact_str(state)
        body += compact_str(proto) + compact_str(b"") + uvarint(1)  # protocol data, no members
        body += struct.pack("!i", -2 ** 31) + tags  # authorized operations: not asked
    describe_resp = resp(10, body + tags)
    return tcp_session([(True, describe_req), (False, describe_resp), (True, fetch_req),
                        (False, fetch_resp), (True, delete_req), (False, delete_resp)])


def fetch_errors():
    """A consumer fetches orders/0 from 40 and orders/1 from 70 (Fetch v11, no session); the
    broker answers partition 0 with high watermark 50 and no records, and partition 1 with
    NOT_LEADER_OR_FOLLOWER (6), high watermark -1, as a broker no longer its leader does."""
    req = struct.pack("!hhi", 1, 11, 21) + kstr(b"consumer-1")
    # replica, max wait, min bytes, max bytes, isolation, session id and epoch
    req += struct.pack("!iiiibii", -1, 500, 1, 52428800, 0, 0, -1)
    req += struct.pack("!i", 1) + kstr(b"orders") + struct.pack("!i", 2)
    for part, pos in ((0, 40), (1, 70)):
        # partition, current leader epoch, fetch offset, log start offset, max bytes
        req += struct.pack("!iiqqi", part, 3, pos, -1, 1048576)
    req += struct.pack("!i", 0) + kstr(b"")  # no forgotten topics, rack ""
    resp = struct.pack("!i", 21) + struct.pack("!ihi", 0, 0, 0)  # throttle, error, session
    resp += struct.pack("!i", 1) + kstr(b"orders") + struct.pack("!i", 2)
    for part, err, hwm in ((0, 0, 50), (1, 6, -1)):
        # index, error, high watermark, last stable, log start, no aborted transactions,
        # preferred read replica, records (none: 0 bytes, as a broker sends them)
        resp += struct.pack("!ihqqqiii", part, err, hwm, hwm, -1, -1, -1, 0)
    return tcp_session([(True, kafka_frame(req)), (False, kafka_frame(resp))])


def malformed():
    """(frame, counters it moves) pairs; every frame must be forwarded untouched."""
    good = eth(0x0800, ipv4(tcp(payload=b"kafka")))
    cases = [
        (good[:10], {"pkt_l2_truncated": 1}),
        (eth(0x8100, b"\x00"), {"pkt_l2_truncated": 1}),
        (good[:14 + 12], {"pkt_ipv4": 1, "pkt_ip_truncated": 1}),
        (eth(0x0800, ipv4(tcp(), ihl=4)), {"pkt_ipv4": 1, "pkt_ip_bad_ihl": 1}),
        (eth(0x0800, ipv4(tcp(), ihl=15)), {"pkt_ipv4": 1, "pkt_ip_bad_ihl": 1}),
        (eth(0x0800, ipv4(tcp(), version=6)), {"pkt_ipv4": 1, "pkt_ip_bad_version": 1}),
        (eth(0x0800, ipv4(tcp(), total=400)), {"pkt_ipv4": 1, "pkt_ip_bad_len": 1}),
        (eth(0x0800, ipv4(tcp(payload=b"x"), ihl=7, opts=b"\x01" * 8)),
         {"pkt_ipv4": 1, "pkt_ip_options": 1, "pkt_tcp": 1, "flow": 1}),
        (eth(0x0800, ipv4(tcp(payload=b"frag"), frag=0x2000)),
         {"pkt_ipv4": 1, "pkt_fragment": 1}),
        (eth(0x0800, ipv4(b"tail-of-a-fragment", frag=0x0010)),
         {"pkt_ipv4": 1, "pkt_fragment": 1}),
        (eth(0x0800, ipv4(tcp()[:12])), {"pkt_ipv4": 1, "pkt_tcp": 1, "pkt_l4_truncated": 1}),
        (eth(0x0800, ipv4(tcp(doff=3))), {"pkt_ipv4": 1, "pkt_tcp": 1, "pkt_tcp_bad_doff": 1}),
        (eth(0x0800, ipv4(tcp(doff=15))), {"pkt_ipv4": 1, "pkt_tcp": 1, "pkt_tcp_bad_doff": 1}),
        (eth(0x0800, ipv4(b"\x08\x00\x00\x00\x00\x00\x00\x00", proto=1)),
         {"pkt_ipv4": 1, "pkt_other_l4": 1}),
        (eth(0x0806, b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\0" * 20), {"pkt_non_ip": 1}),
        (eth(0x88cc, b"lldp" * 10), {"pkt_non_ip": 1}),
        (eth(0x0800, ipv4(tcp(payload=b"v")), tags=[(0x8100, 100)]),
         {"pkt_vlan": 1, "pkt_ipv4": 1, "pkt_tcp": 1, "flow": 1}),
        (eth(0x0800, ipv4(tcp(payload=b"q")), tags=[(0x88A8, 10), (0x8100, 20)]),
         {"pkt_qinq": 1, "pkt_ipv4": 1, "pkt_tcp": 1, "flow": 1}),
        (eth(0x0800, ipv4(tcp()), tags=[(0x88A8, 1), (0x8100, 2), (0x8100, 3)]),
         {"pkt_vlan_too_deep": 1}),
        (eth(0x86DD, ipv6(tcp(payload=b"six"), nh=0, ext=ext(60) + ext(43, 1) + ext(6))),
         {"pkt_ipv6": 1, "pkt_ipv6_ext": 1, "pkt_tcp": 1, "flow": 1}),
        (eth(0x86DD, ipv6(tcp(payload=b"f"), nh=44, ext=b"\x06\x00\x00\x01\0\0\0\x07")),
         {"pkt_ipv6": 1, "pkt_ipv6_ext": 1, "pkt_fragment": 1}),
        (eth(0x86DD, ipv6(tcp(), nh=0, ext=ext(0) * 8 + ext(6))),
         {"pkt_ipv6": 1, "pkt_ipv6_ext": 1, "pkt_ipv6_ext_bad": 1}),
        (eth(0x86DD, ipv6(b"", nh=0, ext=b"\x06\x20" + b"\0" * 6)),
         {"pkt_ipv6": 1, "pkt_ipv6_ext": 1, "pkt_ipv6_ext_bad": 1}),
        (eth(0x86DD, ipv6(tcp(), plen=0)), {"pkt_ipv6": 1, "pkt_ip_bad_len": 1}),
        (eth(0x86DD, ipv6(tcp())[:30]), {"pkt_ipv6": 1, "pkt_ip_truncated": 1}),
    ]
    return cases


# link type name -> (LINKTYPE_ value, header for a frame from (ethertype, source MAC))
ENCAPS = {
    "sll": (113, lambda et, src: struct.pack("!HHH8sH", 0, 1, 6, src + b"\0\0", et)),
    "sll2": (276, lambda et, src: struct.pack("!HHIHBB8s", et, 0, 2, 1, 0, 6, src + b"\0\0")),
    "raw": (101, lambda et, src: b""),
    "null": (0, lambda et, src: struct.pack("<I", 2 if et == 0x0800 else 30)),
    "loop": (108, lambda et, src: struct.pack("!I", 2 if et == 0x0800 else 24)),
}


def encap(src, dst, kind):
    linktype, make = ENCAPS[kind]
    _, frames = read_pcap(src)
    out = []
    for sec, usec, fr in frames:
        et = struct.unpack("!H", fr[12:14])[0]
        if et not in (0x0800, 0x86DD):
            raise SystemExit(f"{src}: EtherType {et:#06x}: only untagged IP is rewritten")
        out.append((sec, usec, make(et, fr[6:12]) + fr[14:]))
    write_pcap(dst, linktype, out)


def main(argv):
    if len(argv) >= 2 and argv[0] == "count":
        print(len(read_frames(argv[1])))
        return 0
    if len(argv) >= 3 and argv[0] == "cmp":
        a, b = read_frames(argv[1]), read_frames(argv[2])
        if "--sorted" in argv:
            a, b = sorted(a), sorted(b)
        if a == b:
            return 0
        print(f"differ: {argv[1]} has {len(a)} frames, {argv[2]} has {len(b)}", file=sys.stderr)
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print(f"first difference at frame {i}", file=sys.stderr)
                break
        return 1
    if len(argv) >= 2 and argv[0] == "empty":
        write_frames(argv[1], [])
        return 0
    if len(argv) >= 2 and argv[0] == "tls":
        hello = bytes.fromhex("160301002f0100002b0303") + b"\x11" * 32 + b"\x00\x00\x02\x13\x01"
        write_frames(argv[1], tcp_session([(True, hello), (False, bytes.fromhex("160303002a"))]))
        return 0
    if len(argv) >= 4 and argv[0] == "sasl":
        write_frames(argv[1], sasl_plain(argv[2].encode(), argv[3].encode()))
        return 0
    if len(argv) >= 2 and argv[0] == "groups":
        write_frames(argv[1], admin_groups())
        return 0
    if len(argv) >= 2 and argv[0] == "fetch-errors":
        write_frames(argv[1], fetch_errors())
        return 0
    if len(argv) >= 2 and argv[0] == "malformed":
        cases = malformed()
        write_frames(argv[1], [c[0] for c in cases])
        total = {}
        for _, ctrs in cases:
            for k, v in ctrs.items():
                total[k] = total.get(k, 0) + v
        print(json.dumps(total, sort_keys=True))
        return 0
    if len(argv) >= 4 and argv[0] == "encap" and argv[3] in ENCAPS:
        encap(argv[1], argv[2], argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
