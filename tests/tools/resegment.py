#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Rewrite the TCP segments of a capture, keeping every byte stream identical (stdlib only).

  resegment.py IN OUT [--mode MODE] [--seed N] [--max N] [--port FROM:TO ...]

Modes (payload-carrying TCP segments only; SYN, RST, pure ACKs and non-TCP frames pass
unchanged apart from --port):
  copy     one segment per original segment (only --port and checksums apply)
  mss      split payloads larger than --max bytes (default 1448), as on a real Ethernet link:
           a loopback capture carries segments of up to 64 KiB
  one      every payload byte in a segment of its own
  random   random sizes from 1 to --max bytes (default 64; seeded)
  ooo      random sizes; within each original segment the pieces are sent out of order, some
           twice, and some again as a larger retransmission overlapping a neighbour (with
           the same bytes, so any correct reassembly gives the original stream)

Each new segment keeps the original's ACK number, window, options and timestamp; its sequence
number is the original's plus the offset of its first byte. PSH is on the piece that ends the
original payload; FIN stays on the piece that ends it and that piece is always sent last of
its group (duplicates aside), so FIN never precedes data of the same segment. IPv4 total
length, identification and header checksum, IPv6 payload length and TCP checksums are
recomputed. Ethernet with any number of 802.1Q/802.1ad tags, IPv4 (no fragments) and IPv6
(no extension headers) are understood; any other frame is copied unchanged. Input: pcap
(either byte order, micro- or nanosecond); output: little-endian microsecond pcap.
"""
import argparse
import random
import struct
import sys

from pcapio import ETH_P_IP, ETH_P_IPV6, csum, l3_offset, read_pcap, write_pcap

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH = 0x01, 0x02, 0x04, 0x08


def parse(frame):
    """(l2, ip_version, ip_header, tcp_header, payload), or None when not Ethernet/IP/TCP."""
    where = l3_offset(frame)
    if where is None:
        return None
    off, etype = where
    l2 = frame[:off]
    if etype == ETH_P_IP:
        if len(frame) < off + 20:
            return None
        ihl = (frame[off] & 0x0F) * 4
        total = struct.unpack("!H", frame[off + 2:off + 4])[0]
        frag = struct.unpack("!H", frame[off + 6:off + 8])[0]
        if frame[off + 9] != 6 or frag & 0x3FFF or ihl < 20 or total > len(frame) - off:
            return None
        ver, ip, l4, end = 4, frame[off:off + ihl], off + ihl, off + total
    elif etype == ETH_P_IPV6:
        if len(frame) < off + 40 or frame[off + 6] != 6:
            return None
        plen = struct.unpack("!H", frame[off + 4:off + 6])[0]
        ver, ip, l4, end = 6, frame[off:off + 40], off + 40, off + 40 + plen
        if end > len(frame):
            return None
    else:
        return None
    if end - l4 < 20:
        return None
    doff = (frame[l4 + 12] >> 4) * 4
    if doff < 20 or l4 + doff > end:
        return None
    return l2, ver, ip, frame[l4:l4 + doff], frame[l4 + doff:end]


def build(l2, ver, ip, tcp, payload, ip_id):
    """A frame from its parts, with lengths and checksums recomputed."""
    tcp = bytearray(tcp)
    tcp[16:18] = b"\0\0"
    seg = bytes(tcp) + payload
    ip = bytearray(ip)
    if ver == 4:
        ip[2:4] = struct.pack("!H", len(ip) + len(seg))
        ip[4:6] = struct.pack("!H", ip_id & 0xFFFF)
        ip[10:12] = b"\0\0"
        ip[10:12] = struct.pack("!H", csum(bytes(ip)))
        pseudo = bytes(ip[12:20]) + struct.pack("!BBH", 0, 6, len(seg))
    else:
        ip[4:6] = struct.pack("!H", len(seg))
        pseudo = bytes(ip[8:40]) + struct.pack("!IxxxB", len(seg), 6)
    tcp[16:18] = struct.pack("!H", csum(pseudo + seg))
    return l2 + bytes(ip) + bytes(tcp) + payload


def pieces(n, mode, rng, maxlen):
    """Offsets [(start, end)] covering [0, n) in order."""
    out, pos = [], 0
    while pos < n:
        if mode == "one":
            size = 1
        elif mode in ("random", "ooo"):
            size = rng.randint(1, maxlen)
        elif mode == "mss":
            size = maxlen
        else:
            size = n
        out.append((pos, min(n, pos + size)))
        pos += size
    return out


def order(cuts, rng):
    """Emission order for ooo: shuffled, some repeated, some resent overlapping a neighbour."""
    body, last = cuts[:-1], cuts[-1]
    rng.shuffle(body)
    out = []
    for i, c in enumerate(body):
        out.append(c)
        r = rng.random()
        if r < 0.2:
            out.append(c)
        elif r < 0.3 and i > 0:
            p = body[i - 1]
            if p[1] == c[0] or c[1] == p[0]:
                out.append((min(p[0], c[0]), max(p[1], c[1])))
    out.append(last)
    if len(cuts) > 1 and rng.random() < 0.3:
        out.append(cuts[0])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--mode", default="copy", choices=["copy", "mss", "one", "random", "ooo"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max", type=int, default=None)
    ap.add_argument("--port", action="append", default=[], metavar="FROM:TO")
    a = ap.parse_args()
    maxlen = a.max or (1448 if a.mode == "mss" else 64)
    if maxlen < 1:
        raise SystemExit("--max must be at least 1")
    ports = {}
    for p in a.port:
        f, _, t = p.partition(":")
        ports[int(f)] = int(t)
    rng = random.Random(a.seed)
    linktype, frames = read_pcap(a.input)
    if linktype != 1:
        raise SystemExit(f"{a.input}: link type {linktype}; only Ethernet (1) is supported")
    out, ip_id = [], 1
    for sec, usec, frame in frames:
        p = parse(frame)
        if p is None:
            out.append((sec, usec, frame))
            continue
        l2, ver, ip, tcp, payload = p
        tcp = bytearray(tcp)
        sport, dport = struct.unpack("!HH", tcp[0:4])
        tcp[0:4] = struct.pack("!HH", ports.get(sport, sport), ports.get(dport, dport))
        flags = tcp[13]
        if not payload or a.mode == "copy" or flags & (TCP_SYN | TCP_RST):
            out.append((sec, usec, build(l2, ver, ip, tcp, payload, ip_id)))
            ip_id += 1
            continue
        seq = struct.unpack("!I", tcp[4:8])[0]
        cuts = pieces(len(payload), a.mode, rng, maxlen)
        for s, e in order(cuts, rng) if a.mode == "ooo" else cuts:
            t = bytearray(tcp)
            t[4:8] = struct.pack("!I", (seq + s) & 0xFFFFFFFF)
            t[13] = flags & ~(TCP_FIN | TCP_PSH)
            if e == len(payload):
                t[13] |= flags & (TCP_FIN | TCP_PSH)
            out.append((sec, usec, build(l2, ver, ip, t, payload[s:e], ip_id)))
            ip_id += 1
    write_pcap(a.output, linktype, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
