/* TCP on 127.0.0.1, for the local ends of tunnels (virtctl's listener) and
 * the programs and simulator that test them. */
#ifndef MTV_LOOPBACK_H
#define MTV_LOOPBACK_H

/* A connected socket (close-on-exec) to 127.0.0.1:port, or -1 with errno
 * set (EINVAL for a port outside 1..65535). */
int loopback_connect(int port);

/* A port that was free on 127.0.0.1 a moment ago (bound to 0, read back,
 * released), or -1.  Someone else may take it before the caller does:
 * callers retry on "address in use". */
int loopback_free_port(void);

#endif
