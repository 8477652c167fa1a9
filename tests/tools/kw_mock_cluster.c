/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kw_mock_cluster: a one-broker Kafka cluster speaking the real protocol, for captures of real
 * clients (scripts/make-captures.sh, tests/integration/test_kafka_*.sh).
 *
 * It uses librdkafka's mock cluster: the broker is librdkafka's own protocol implementation,
 * listening on 127.0.0.1 on a random port, so kcat and any other client talk to it exactly as
 * to a broker. One broker keeps every connection on a single port, which is what a capture
 * filter and kwire's port list need.
 *
 *   kw_mock_cluster [TOPIC [PARTITIONS]]
 *
 * Prints the bootstrap address ("127.0.0.1:PORT") on the first line of stdout once the topic
 * exists, then runs until SIGTERM or SIGINT, or until stdin reaches end of file when stdin is
 * a pipe (so `cmd | kw_mock_cluster` dies with cmd). Exits 0 on a clean stop, 1 on failure.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "kw_rdkafka.h"

/* Set by the signal handler only; the main loop polls it. */
static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Installs on_signal for SIGTERM and SIGINT. Returns 0 or -errno. */
static int
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return -errno;
	return 0;
}

/* True when stdin is a pipe or FIFO whose end of file means "stop". */
static int
stdin_is_pipe(void)
{
	struct stat st;

	return fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* Waits for a signal or, when watch_stdin, for end of file (or an error) on stdin. */
static void
wait_for_stop(int watch_stdin)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	char buf[256];

	while (!stop_requested) {
		if (!watch_stdin) {
			/* A signal interrupts the sleep; the flag is checked right after. */
			pause();
			continue;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			return;
	}
}

int
main(int argc, char **argv)
{
	const char *topic = argc > 1 ? argv[1] : "kwire-test";
	int partitions = argc > 2 ? atoi(argv[2]) : 1;
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;
	int rc = 1;

	if (argc > 3 || partitions < 1 || partitions > 1000) {
		fprintf(stderr, "usage: kw_mock_cluster [TOPIC [PARTITIONS 1..1000]]\n");
		return 1;
	}
	if (signals_install() != 0) {
		perror("kw_mock_cluster: sigaction");
		return 1;
	}
	/* The mock cluster runs on the background threads of a handle of its own; that handle
	 * never connects anywhere (no bootstrap servers). */
	rk = kw_rdkafka_new("kw_mock_cluster", RD_KAFKA_PRODUCER,
			    (const char *const[]){"log_level", "3", NULL});
	if (rk == NULL)
		return 1;
	mc = rd_kafka_mock_cluster_new(rk, 1);
	if (mc == NULL) {
		fprintf(stderr, "kw_mock_cluster: cannot create the mock cluster\n");
		goto out_rk;
	}
	err = rd_kafka_mock_topic_create(mc, topic, partitions, 1);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "kw_mock_cluster: topic %s: %s\n", topic, rd_kafka_err2str(err));
		goto out_mc;
	}
	/* The caller reads this line to learn the port; flush it before waiting. */
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	wait_for_stop(stdin_is_pipe());
	rc = 0;
out_mc:
	rd_kafka_mock_cluster_destroy(mc);
out_rk:
	rd_kafka_destroy(rk);
	return rc;
}
