/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kw_netshim: an LD_PRELOAD library that moves a program's IPv4 loopback sockets to another
 * address, so that librdkafka's mock broker (which binds 127.0.0.1 and advertises it) and its
 * clients can sit in two network namespaces with kwire bridging the link between them
 * (tests/integration/test_live_bridge.sh).
 *
 *   KW_SHIM_BIND=A[:P]     bind() to 127.0.0.1 binds A instead (the broker's namespace), and
 *                          to port P when given (the mock asks for any port: 9092 is Kafka's)
 *   KW_SHIM_CONNECT=A      connect() to 127.0.0.1 connects to A instead (the client's namespace)
 *
 * Any other address, family or call goes to the C library unchanged.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*sock_fn)(int, const struct sockaddr *, socklen_t);

/*
 * addr with 127.0.0.1 replaced by the address (and port, if it has one) in environment variable
 * var, into *out; false (addr used as it is) when it is not IPv4 loopback or var is unset or not
 * an address.
 */
static int
moved(const struct sockaddr *addr, socklen_t len, const char *var, struct sockaddr_in *out)
{
	const char *to = getenv(var);
	char host[INET_ADDRSTRLEN];
	const char *colon;
	size_t n;

	if (to == NULL || addr == NULL || len < sizeof(*out) || addr->sa_family != AF_INET)
		return 0;
	memcpy(out, addr, sizeof(*out));
	if (out->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
		return 0;
	colon = strchr(to, ':');
	n = colon != NULL ? (size_t)(colon - to) : strlen(to);
	if (n >= sizeof(host))
		return 0;
	memcpy(host, to, n);
	host[n] = '\0';
	if (colon != NULL)
		out->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &out->sin_addr) == 1;
}

static int
call(const char *name, int fd, const struct sockaddr *addr, socklen_t len)
{
	sock_fn next = (sock_fn)dlsym(RTLD_NEXT, name);

	if (next == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return next(fd, addr, len);
}

int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in sin;

	if (moved(addr, len, "KW_SHIM_BIND", &sin))
		return call("bind", fd, (const struct sockaddr *)&sin, sizeof(sin));
	return call("bind", fd, addr, len);
}

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in sin;

	if (moved(addr, len, "KW_SHIM_CONNECT", &sin))
		return call("connect", fd, (const struct sockaddr *)&sin, sizeof(sin));
	return call("connect", fd, addr, len);
}
