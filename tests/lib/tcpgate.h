/* A TCP gate on a loopback port for the tests of downloads that fail, hang
 * or arrive later: each connection it accepts is closed at once (REFUSE),
 * held open with nothing answered (HOLD: the client is left mid-request),
 * or spliced to a target port (FORWARD: to a real server such as httpsd,
 * whose certificate for localhost then serves through the gate's port).
 * One thread; the mode applies to connections accepted after it is set. */
#ifndef KYC_TEST_TCPGATE_H
#define KYC_TEST_TCPGATE_H

enum tcpgate_mode { TCPGATE_REFUSE, TCPGATE_HOLD, TCPGATE_FORWARD };

struct tcpgate;

/* Listens on 127.0.0.1 (a free port), forwarding to target_port when told. NULL on failure. */
struct tcpgate *tcpgate_start(int target_port);
int tcpgate_port(const struct tcpgate *g);
void tcpgate_set_mode(struct tcpgate *g, enum tcpgate_mode m);
/* Connections accepted so far. */
int tcpgate_accepted(struct tcpgate *g);
/* Waits until at least n connections were accepted and each held one
 * has sent something (a request begun), or timeout_ms passed; the count. */
int tcpgate_wait(struct tcpgate *g, int n, int timeout_ms);
/* Closes every connection and the listener. */
void tcpgate_stop(struct tcpgate *g);

#endif
