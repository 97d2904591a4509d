/* leaker.h - the fd numbers and names of the leaker process (leaker.c). */
#ifndef NI_LEAKER_H
#define NI_LEAKER_H

/* Without close-on-exec: the audit must report each of these. */
#define LK_TCP_LISTEN	10	/* TCP 127.0.0.1:PORT LISTEN */
#define LK_UNIX_LISTEN	11	/* UNIX DIR/sock LISTEN */
#define LK_PAIR		12	/* and 13: an unnamed UNIX socketpair */
#define LK_UDP		14	/* UDP 127.0.0.1:... */
#define LK_PIPE		15	/* and 16 */
#define LK_DELETED	17	/* DIR/gone (deleted) */
#define LK_FIFO		18	/* DIR/fifo */
#define LK_DIR		19	/* DIR */
#define LK_ODD		20	/* DIR/LK_ODD_NAME */
#define LK_EVENTFD	21
#define LK_MEMFD	22	/* memfd:leaky */
#define LK_EPOLL	23
#define LK_TIMERFD	24
#define LK_SIGNALFD	25
#define LK_INOTIFY	26
#define LK_PIDFD	27	/* its own pid */
#define LK_PASSED	40	/* opened by the test, inherited */
#define LK_PASSED_DUP	41	/* the leaker's dup of 40: inherited too */

/* With close-on-exec: the audit must not report these. */
#define LK_CX_TCP	50
#define LK_CX_FILE	51	/* DIR/LK_CX_NAME */
#define LK_CX_PIPE	52	/* and 53 */
#define LK_CX_EVENTFD	54

#define LK_SOCK_NAME	"sock"
#define LK_GONE_NAME	"gone"
#define LK_FIFO_NAME	"fifo"
#define LK_CX_NAME	"cloexec-file"
/* A quote, a backslash, a newline and a byte that is not UTF-8. */
#define LK_ODD_NAME	"we\"ird\\na\nme\xff"
#define LK_COMM		"leak) (er"

#endif /* NI_LEAKER_H */
