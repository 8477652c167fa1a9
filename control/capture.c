/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "control/capture.h"

/* Link types (LINKTYPE_* values of pcap files) that are not in every libpcap's DLT list. */
#define LT_LINUX_SLL2 276
#define LT_IPV4	      228
#define LT_IPV6	      229

#define ETH_HDR_LEN  14
#define ETH_P_IPV4   0x0800
#define ETH_P_IPV6   0x86DD
#define SNAPLEN_MAX  262144
#define CUT_PROBE    1000 /* frames looked at for a snap length cut */

/* The temporary copy, removed by kw_capture_done (empty: none). */
static char tmp_path[512];

/* Bytes of link header before the network header, or -1 for a link type that is not read. */
static int
link_hdr_len(int dlt)
{
	switch (dlt) {
	case DLT_LINUX_SLL:
		return 16;
	case LT_LINUX_SLL2:
		return 20;
	case DLT_RAW:
	case LT_IPV4:
	case LT_IPV6:
		return 0;
	case DLT_NULL:
	case DLT_LOOP:
		return 4;
	default:
		return -1;
	}
}

/* The EtherType of the packet after a link header h of type dlt; 0 when it says nothing known. */
static uint16_t
ethertype_of(int dlt, const uint8_t *h, const uint8_t *net, uint32_t net_len)
{
	uint32_t family;

	switch (dlt) {
	case DLT_LINUX_SLL: /* packet type, ARPHRD, address length, address[8], protocol */
		return (uint16_t)(h[14] << 8 | h[15]);
	case LT_LINUX_SLL2: /* protocol, reserved, interface, ARPHRD, type, address length, ... */
		return (uint16_t)(h[0] << 8 | h[1]);
	case LT_IPV4:
		return ETH_P_IPV4;
	case LT_IPV6:
		return ETH_P_IPV6;
	case DLT_RAW:
		if (net_len == 0)
			return 0;
		return (net[0] >> 4) == 4 ? ETH_P_IPV4 : (net[0] >> 4) == 6 ? ETH_P_IPV6 : 0;
	default: /* DLT_NULL: the family in the capturing host's order; DLT_LOOP: network order */
		family = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
		if (dlt == DLT_NULL && (family & 0xffff) == 0)
			family = __builtin_bswap32(family);
		/* AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (OpenBSD, NetBSD),
		 * 28 (FreeBSD), 30 (macOS) */
		if (family == 2)
			return ETH_P_IPV4;
		if (family == 10 || family == 24 || family == 28 || family == 30)
			return ETH_P_IPV6;
		return 0;
	}
}

static const char *
link_name(int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);

	return name != NULL ? name : "unknown";
}

/*
 * Write in's frames to the dumper as Ethernet frames. A capture that cannot be read to its end
 * (cut short while written) is replayed up to there, as net_pcap replays an Ethernet one; a
 * warning says where it stopped.
 */
static void
rewrite(pcap_t *in, pcap_dumper_t *out, int dlt, const char *path)
{
	static uint8_t frame[ETH_HDR_LEN + SNAPLEN_MAX];
	unsigned int hdr_len = (unsigned int)link_hdr_len(dlt);
	uint64_t n = 0, short_n = 0;
	struct pcap_pkthdr *ph;
	const u_char *data;
	int rc;

	while ((rc = pcap_next_ex(in, &ph, &data)) == 1) {
		struct pcap_pkthdr h = *ph;
		uint32_t net_len;
		uint16_t type;

		if (ph->caplen < hdr_len) {
			short_n++;
			continue;
		}
		net_len = ph->caplen - hdr_len;
		if (net_len > SNAPLEN_MAX)
			net_len = SNAPLEN_MAX;
		type = ethertype_of(dlt, data, data + hdr_len, net_len);
		memset(frame, 0, 12); /* addresses: none in the capture that means anything here */
		frame[12] = (uint8_t)(type >> 8);
		frame[13] = (uint8_t)type;
		memcpy(frame + ETH_HDR_LEN, data + hdr_len, net_len);
		h.caplen = ETH_HDR_LEN + net_len;
		h.len = ph->len >= hdr_len ? ph->len - hdr_len + ETH_HDR_LEN : h.caplen;
		pcap_dump((u_char *)out, &h, frame);
		n++;
	}
	if (short_n != 0)
		fprintf(stderr, "kwire: pcap: %s: %" PRIu64 " frames shorter than their %s header "
			"left out\n", path, short_n, link_name(dlt));
	if (rc == PCAP_ERROR)
		fprintf(stderr, "kwire: pcap: %s: read stopped after %" PRIu64 " frames: %s\n",
			path, n, pcap_geterr(in));
}

/*
 * A capture cut at a small snap length (tcpdump -s 96) decodes nothing past the cut: say so up
 * front rather than leave it to the counters (pkt_ip_bad_len, TCP gaps). Looks at the first
 * CUT_PROBE frames (pcapng files often leave the snap length unset in their header).
 */
static void
warn_cut(const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	unsigned int i, cut = 0;
	pcap_t *p = pcap_open_offline(path, ebuf);

	if (p == NULL)
		return;
	for (i = 0; i < CUT_PROBE && pcap_next_ex(p, &ph, &data) == 1; i++)
		if (ph->caplen < ph->len && (cut == 0 || ph->caplen > cut))
			cut = ph->caplen;
	pcap_close(p);
	if (cut != 0)
		fprintf(stderr, "kwire: pcap: %s: frames cut at %u bytes when captured (snap "
			"length): the Kafka bytes past the cut are lost\n", path, cut);
}

int
kw_capture_prepare(const char *path, char *out, size_t len, char *err, size_t err_len)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	const char *dir = getenv("TMPDIR");
	pcap_dumper_t *dumper = NULL;
	pcap_t *in, *dead = NULL;
	FILE *f = NULL;
	int dlt, fd, rc;

	in = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (in == NULL) {
		snprintf(err, err_len, "%s: %s", path, ebuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(in);
	warn_cut(path);
	if (dlt == DLT_EN10MB) {
		pcap_close(in);
		if ((size_t)snprintf(out, len, "%s", path) >= len) {
			snprintf(err, err_len, "%s: path too long", path);
			return -ENAMETOOLONG;
		}
		return 0;
	}
	if (link_hdr_len(dlt) < 0) {
		snprintf(err, err_len,
			 "%s: link type %s (%d) is not supported (Ethernet, Linux cooked v1/v2, "
			 "raw IP, null/loopback are)", path, link_name(dlt), dlt);
		pcap_close(in);
		return -EINVAL;
	}
	/* net_pcap takes the name in a device argument: no ',' (TMPDIR may hold one) */
	if (dir == NULL || *dir == '\0' || strchr(dir, ',') != NULL)
		dir = "/tmp";
	if ((size_t)snprintf(tmp_path, sizeof(tmp_path), "%s/kwire-pcap-XXXXXX", dir) >=
	    sizeof(tmp_path)) {
		snprintf(err, err_len, "%s: temporary directory name too long: %s", path, dir);
		tmp_path[0] = '\0';
		pcap_close(in);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, err_len, "%s: cannot create its Ethernet copy in %s: %s", path, dir,
			 strerror(-rc));
		tmp_path[0] = '\0';
		pcap_close(in);
		return rc;
	}
	dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, ETH_HDR_LEN + SNAPLEN_MAX,
						    PCAP_TSTAMP_PRECISION_NANO);
	f = fdopen(fd, "wb");
	if (dead != NULL && f != NULL)
		dumper = pcap_dump_fopen(dead, f);
	if (dumper == NULL) {
		snprintf(err, err_len, "%s: cannot write its Ethernet copy %s", path, tmp_path);
		if (f != NULL)
			fclose(f);
		else
			close(fd);
		rc = -EIO;
	} else {
		rewrite(in, dumper, dlt, path);
		rc = 0;
		if (pcap_dump_flush(dumper) != 0) {
			snprintf(err, err_len, "%s: writing its Ethernet copy %s failed", path,
				 tmp_path);
			rc = -EIO;
		}
		pcap_dump_close(dumper);
	}
	if (dead != NULL)
		pcap_close(dead);
	pcap_close(in);
	if (rc != 0) {
		kw_capture_done();
		return rc;
	}
	if ((size_t)snprintf(out, len, "%s", tmp_path) >= len) {
		kw_capture_done();
		snprintf(err, err_len, "%s: path too long", tmp_path);
		return -ENAMETOOLONG;
	}
	fprintf(stderr, "kwire: pcap: %s: link type %s, replayed as Ethernet\n", path,
		link_name(dlt));
	return 0;
}

void
kw_capture_done(void)
{
	if (tmp_path[0] != '\0')
		unlink(tmp_path);
	tmp_path[0] = '\0';
}
