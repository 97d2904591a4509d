#!/usr/bin/env python3
# ptydrive.py CMD...: runs CMD on a new pseudo-terminal as its foreground
# job, waits until it prints "ready", types Ctrl-C (the terminal sends
# SIGINT to the foreground process group), and prints "exit N" (N: the
# exit status, or 128+signal).  CMD's own output is copied to stderr.
# Every wait is bounded: 20 s for "ready", 30 s for the end.
import os
import pty
import select
import sys
import time

pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)

def read_until(pred, timeout):
    buf = b""
    end = time.monotonic() + timeout
    while not pred(buf):
        left = end - time.monotonic()
        if left <= 0:
            return buf, False
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:     # EIO: every slave end closed
            return buf, True
        if not chunk:
            return buf, True
        buf += chunk
        sys.stderr.buffer.write(chunk)
    return buf, True

_, ok = read_until(lambda b: b"ready" in b, 20)
if not ok:
    os.kill(pid, 9)
    print("never ready")
    sys.exit(1)
os.write(fd, b"\x03")
_, ended = read_until(lambda b: False, 30)
for _ in range(300):
    w, status = os.waitpid(pid, os.WNOHANG)
    if w == pid:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    print("did not exit")
    sys.exit(1)
code = os.waitstatus_to_exitcode(status)
print("exit %d" % (code if code >= 0 else 128 - code))
