/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture `kwire pcap` replays, as the dataplane reads it: Ethernet frames. net_pcap hands
 * over a capture's bytes whatever its link type, and the classifier parses Ethernet, so a
 * capture of another link type is rewritten first into a temporary Ethernet capture: Linux
 * cooked v1 and v2 (`tcpdump -i any`), raw IPv4/IPv6, BSD null and OpenBSD loopback. Each frame
 * keeps its timestamp and its bytes from the network header on; the Ethernet header is made up
 * (the protocol from the link header, the addresses zero or the cooked header's sender). Other
 * link types are refused: parsed as Ethernet they would decode nothing. A capture whose first
 * frames were cut by a snap length gets a warning (nothing past the cut can be decoded).
 *
 * Control thread, before the EAL starts (main only). Owns the temporary file it may write; the
 * caller removes it with kw_capture_done().
 */
#ifndef KW_CAPTURE_H
#define KW_CAPTURE_H

#include <stddef.h>

/*
 * The file to replay for the capture at path: path itself (Ethernet), or a temporary Ethernet
 * copy in $TMPDIR (else /tmp), written here, whose name goes to out (len bytes). 0, or -EINVAL
 * (not a capture libpcap reads, or an unsupported link type; err says which) or another
 * negative errno (writing the copy failed, err says why).
 */
int kw_capture_prepare(const char *path, char *out, size_t len, char *err, size_t err_len);

/* Remove the temporary copy kw_capture_prepare wrote, if any (any number of times). */
void kw_capture_done(void);

#endif /* KW_CAPTURE_H */
