# SPDX-License-Identifier: BSD-3-Clause
"""pcap file input/output and the Internet checksum, shared by kwire's test tools (stdlib only)."""
import struct


def read_pcap(path):
    """The link type and [(ts_sec, ts_usec, frame)] of a pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    table = {
        b"\xd4\xc3\xb2\xa1": ("<", 1), b"\xa1\xb2\xc3\xd4": (">", 1),
        b"\x4d\x3c\xb2\xa1": ("<", 1000), b"\xa1\xb2\x3c\x4d": (">", 1000),
    }
    if len(data) < 24 or data[:4] not in table:
        raise SystemExit(f"{path}: not a pcap file (convert pcapng with editcap -F pcap)")
    endian, div = table[data[:4]]
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if incl != orig:
            raise SystemExit(f"{path}: truncated frame (snap length too small)")
        out.append((sec, frac // div, data[off:off + incl]))
        off += incl
    return linktype, out


def write_pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for sec, usec, fr in frames:
            f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)))
            f.write(fr)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


ETH_P_IP, ETH_P_IPV6 = 0x0800, 0x86DD
VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)


def l3_offset(frame):
    """(offset of the IP header, ethertype) past any VLAN/QinQ tags, or None for anything but
    Ethernet carrying IPv4 or IPv6."""
    if len(frame) < 14:
        return None
    off = 12
    etype = struct.unpack("!H", frame[off:off + 2])[0]
    while etype in VLAN_TPIDS and len(frame) >= off + 6:
        off += 4
        etype = struct.unpack("!H", frame[off:off + 2])[0]
    return (off + 2, etype) if etype in (ETH_P_IP, ETH_P_IPV6) else None
