#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cut the TCP packets of a capture into IP fragments (stdlib only).

  fragment.py IN OUT [--size N] [--min N]

Every IPv4 or IPv6 TCP packet whose IP payload (TCP header and data) is at least --min bytes
(default 16: every TCP packet, pure ACKs included) is sent as IP fragments of --size bytes of
payload at most (a multiple of 8, default 64), in order, each with the original's timestamp.
A packet that would need more than 8 fragments (DPDK's RTE_LIBRTE_IP_FRAG_MAX_FRAG) gets larger
ones. IPv4 fragments share the packet's identification (numbered per packet); IPv6 fragments carry
a fragment header right after the fixed header. Ethernet with any number of 802.1Q/802.1ad tags
is understood; IPv4 with DF set is fragmented all the same (it is a test capture); any other
frame is copied unchanged. Output: little-endian microsecond pcap.
"""
import argparse
import struct

from pcapio import ETH_P_IP, ETH_P_IPV6, csum, l3_offset, read_pcap, write_pcap

MAX_FRAGS = 8
IPPROTO_TCP, IPPROTO_FRAGMENT = 6, 44


def pieces(payload, size):
    """The payload cut at multiples of 8 into 2 to MAX_FRAGS pieces of about size bytes."""
    half = -(-len(payload) // 2)
    size = min(size, max(8, -(-half // 8) * 8))
    need = -(-len(payload) // MAX_FRAGS)
    size = max(size, -(-need // 8) * 8)
    return [(o, payload[o:o + size]) for o in range(0, len(payload), size)]


def frag_v4(l2, ip, ident, size):
    ihl = (ip[0] & 0x0F) * 4
    hdr, payload = bytearray(ip[:ihl]), ip[ihl:]
    out = []
    parts = pieces(payload, size)
    for i, (off, data) in enumerate(parts):
        h = bytearray(hdr)
        mf = 0x2000 if i + 1 < len(parts) else 0
        struct.pack_into("!HHH", h, 2, ihl + len(data), ident & 0xFFFF, mf | off // 8)
        struct.pack_into("!H", h, 10, 0)
        struct.pack_into("!H", h, 10, csum(bytes(h)))
        out.append(l2 + bytes(h) + data)
    return out


def frag_v6(l2, ip, ident, size):
    hdr, payload = bytearray(ip[:40]), ip[40:]
    nxt = hdr[6]
    hdr[6] = IPPROTO_FRAGMENT
    out = []
    parts = pieces(payload, size)
    for i, (off, data) in enumerate(parts):
        h = bytearray(hdr)
        struct.pack_into("!H", h, 4, 8 + len(data))
        more = 1 if i + 1 < len(parts) else 0
        fh = struct.pack("!BBHI", nxt, 0, off | more, ident)
        out.append(l2 + bytes(h) + fh + data)
    return out


def fragment(frame, ident, size, min_len):
    """The frame's fragments, or None to copy it as it is."""
    where = l3_offset(frame)
    if where is None:
        return None
    off, etype = where
    l2, ip = frame[:off], frame[off:]
    if etype == ETH_P_IP:
        if len(ip) < 20 or ip[9] != IPPROTO_TCP:
            return None
        ihl, total = (ip[0] & 0x0F) * 4, struct.unpack("!H", ip[2:4])[0]
        flags = struct.unpack("!H", ip[6:8])[0]
        if flags & 0x3FFF or total > len(ip) or total - ihl < min_len:
            return None
        return frag_v4(l2, ip[:total], ident, size)
    if len(ip) < 40 or ip[6] != IPPROTO_TCP:
        return None
    plen = struct.unpack("!H", ip[4:6])[0]
    if 40 + plen > len(ip) or plen < min_len:
        return None
    return frag_v6(l2, ip[:40 + plen], ident, size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=64, help="payload bytes per fragment (x8)")
    ap.add_argument("--min", type=int, default=16, help="smallest IP payload fragmented")
    a = ap.parse_args()
    if a.size < 8 or a.size % 8:
        raise SystemExit("--size must be a positive multiple of 8")
    linktype, frames = read_pcap(a.inp)
    out, ident = [], 0x1000
    for sec, usec, fr in frames:
        parts = fragment(fr, ident, a.size, max(a.min, 9))
        if parts is None:
            out.append((sec, usec, fr))
            continue
        ident += 1
        out.extend((sec, usec, p) for p in parts)
    write_pcap(a.out, linktype, out)


if __name__ == "__main__":
    main()
