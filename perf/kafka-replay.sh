# SPDX-License-Identifier: BSD-3-Clause
# kafka-replay.sh: sourced by perf/bench-forward.sh and perf/census-lines.sh, which run kwire on
# the same Kafka replay (kwgen's mix, net_pcap with infinite_rx=1 into port 0): the capture
# port 1 replays, and how big kwire's pools, memory and tables must be for it.

# replay_empty_pcap FILE: the pcap file header alone (version 2.4, snaplen 65535, Ethernet):
# a port that receives nothing.
replay_empty_pcap() {
	{
		printf '\324\303\262\241\002\000\004\000\000\000\000\000'
		printf '\000\000\000\000\377\377\000\000\001\000\000\000'
	} >"$1"
}

# replay_mean_frame FILE: the mean frame size and the number of frames of a capture, from its
# record headers: "MEAN COUNT".
replay_mean_frame() {
	python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, n, total = 24, 0, 0
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    n, total, off = n + 1, total + incl, off + 16 + incl
print(round(total / n) if n else 0, n)
PY
}

# replay_mem_mb FRAMES: EAL memory (-m) for kwire on a replay of FRAMES frames. Every frame sits
# in an mbuf for the whole run: 240 k frames of the default mix in 3 GiB, ~6 MiB more per 1,000
# frames past them (kwire's two ports have a pool each).
replay_mem_mb() {
	echo $((3072 + ($1 > 240000 ? ($1 - 240000) * 6 / 1000 : 0)))
}

# replay_mbufs FRAMES: kwire's ports.mbufs_per_port for the replay (its frames and bursts in
# flight).
replay_mbufs() {
	echo $(($1 + 22000 > 262143 ? $1 + 22000 : 262143))
}

# replay_tables_yaml CONNECTIONS: kwire's kafka and flows sections for that many concurrent
# connections (half as many again for connections restarting, two flows' room each).
replay_tables_yaml() {
	printf 'kafka:\n  max_connections: %s\nflows:\n  capacity: %s\n' \
		"$(($1 + $1 / 2))" "$(($1 * 2 > 65536 ? $1 * 2 : 65536))"
}
