#!/bin/sh
# check_refused_once.sh STRACE SANDBOX PROGRAM TRACEFILE [enosys|eperm]
#
# Runs PROGRAM (refusal_count) under `ni_sandbox --seccomp=MODE` (default
# enosys) and strace,
# then proves from the trace that the library asked for each refused atomic
# form once and never again: after the first ENOSYS/EINVAL/ENOTTY it must go
# straight to its fallback.  strace shows a call refused by seccomp as an
# entry with the filter's errno, e.g.
#   1234  pipe2(0x7ffd..., O_CLOEXEC) = -1 ENOSYS (Function not implemented)
# so such lines are counted, and the ones seen must carry the refusal's errno
# (else the sandbox was not in force and the count means nothing).  Sanity
# counts of the fallback calls make sure the trace saw the program's work.
#
# Exit 0 on success, 1 on failure, 77 (skip) when strace is missing or cannot
# trace here.  POSIX sh, grep and wc only.

STRACE=$1 SANDBOX=$2 PROG=$3 OUT=$4 MODE=${5:-enosys}
ROUNDS=50

if [ -z "$STRACE" ] || [ ! -x "$STRACE" ]; then
	STRACE=$(command -v strace 2>/dev/null)
fi
if [ -z "$STRACE" ]; then
	echo "skip: strace not found (Debian package: strace)"
	exit 77
fi
if ! "$STRACE" -qq -o /dev/null true >/dev/null 2>&1; then
	echo "skip: $STRACE cannot trace here (ptrace not permitted?)"
	exit 77
fi

rm -f "$OUT"
"$STRACE" -f -qq -o "$OUT" \
	-e trace=pipe,pipe2,socket,fcntl,dup,dup2,dup3,epoll_create,epoll_create1,close_range,ioctl \
	"$SANDBOX" --seccomp="$MODE" -- "$PROG"
rc=$?
if [ $rc -eq 77 ]; then
	echo "skip: the sandbox cannot run here"
	exit 77
fi
if [ $rc -ne 0 ]; then
	echo "FAIL: $PROG under strace and ni_sandbox exited with status $rc"
	exit 1
fi
if [ ! -s "$OUT" ]; then
	echo "FAIL: empty trace $OUT"
	exit 1
fi

case $MODE in
enosys) NOSYS=ENOSYS INVAL=EINVAL NOTTY=ENOTTY ;;
eperm) NOSYS=EPERM INVAL=EPERM NOTTY=EPERM ;;
*) echo "FAIL: unknown mode $MODE"; exit 1 ;;
esac

fail=0
# Lines of the trace: "PID  call(args) = result".
count() {
	grep -E -c -- "^[0-9]+ +$1" "$OUT"
}

# refused NAME REGEX ERRNO MIN: the refused form appears at least MIN times
# and at most once, each time refused with ERRNO.
refused() {
	n=$(count "$2")
	ok=$(grep -E -- "^[0-9]+ +$2" "$OUT" | grep -c -- "= -1 $3 ")
	echo "$1: $n call(s), $ok refused with $3"
	if [ "$n" -gt 1 ]; then
		echo "FAIL: $1 was tried $n times; after the first refusal the" \
		     "library must not try it again"
		grep -E -- "^[0-9]+ +$2" "$OUT" | head -n 3 | sed 's/^/    /'
		fail=1
	fi
	if [ "$n" -lt "$4" ]; then
		echo "FAIL: $1 was never tried: the atomic form must come first"
		fail=1
	fi
	if [ "$ok" -ne "$n" ]; then
		echo "FAIL: $1 was not refused: is the seccomp sandbox in force?"
		fail=1
	fi
}

# atleast NAME COUNT MIN: sanity, the fallback ran for every round.
atleast() {
	echo "$1: $2 call(s)"
	if [ "$2" -lt "$3" ]; then
		echo "FAIL: expected at least $3 $1 calls: did the trace see" \
		     "the program?"
		fail=1
	fi
}

refused "pipe2(O_CLOEXEC)"           'pipe2\(.*O_CLOEXEC'            $NOSYS 1
refused "socket(SOCK_CLOEXEC)"       'socket\(.*SOCK_CLOEXEC'        $INVAL 1
refused "fcntl(F_DUPFD_CLOEXEC)"     'fcntl\([0-9]+, F_DUPFD_CLOEXEC' $INVAL 1
refused "dup3(O_CLOEXEC)"            'dup3\(.*O_CLOEXEC'             $NOSYS 1
refused "epoll_create1(EPOLL_CLOEXEC)" 'epoll_create1\(EPOLL_CLOEXEC' $NOSYS 1
refused "close_range(0)"             'close_range\([^)]*, 0\)'       $NOSYS 0
refused "close_range(CLOSE_RANGE_CLOEXEC)" 'close_range\(.*CLOSE_RANGE_CLOEXEC' $NOSYS 0
refused "ioctl(FIOCLEX)"             'ioctl\([0-9]+, FIOCLEX'        $NOTTY 0
refused "ioctl(FIONCLEX)"            'ioctl\([0-9]+, FIONCLEX'       $NOTTY 0

cr=$(count 'close_range\(')
echo "close_range (any form): $cr call(s)"
if [ "$cr" -lt 1 ] || [ "$cr" -gt 2 ]; then
	echo "FAIL: close_range must be tried once per form (got $cr)"
	fail=1
fi

np=$(count 'pipe\(')
np2=$(grep -E -- '^[0-9]+ +pipe2\(' "$OUT" | grep -v -c O_CLOEXEC)
atleast "plain pipe/pipe2" $((np + np2)) $ROUNDS
ns=$(grep -E -- '^[0-9]+ +socket\(' "$OUT" | grep -v -c SOCK_CLOEXEC)
atleast "plain socket" "$ns" $ROUNDS
nd=$(count 'dup\(')
nfd=$(count 'fcntl\([0-9]+, F_DUPFD,')
nd2=$(count 'dup2\(')
nd3=$(grep -E -- '^[0-9]+ +dup3\(' "$OUT" | grep -v -c O_CLOEXEC)
atleast "plain dup/F_DUPFD/dup2/dup3" $((nd + nfd + nd2 + nd3)) $((2 * ROUNDS))
ne=$(count 'epoll_create\(')
ne1=$(count 'epoll_create1\(0\)')
atleast "plain epoll_create/epoll_create1" $((ne + ne1)) $ROUNDS

if [ $fail -ne 0 ]; then
	echo "trace kept in $OUT"
	exit 1
fi
echo "OK: each refused form was tried at most once"
exit 0
