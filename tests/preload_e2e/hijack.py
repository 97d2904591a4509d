#!/usr/bin/env python3
# hijack.py: what another user (run as nobody) can do to a trace's
# channel, the abstract socket named in NOINHERIT_LOG ("@NAME").
#
#   hijack.py during @NAME
#       while the trace runs: bind the same name (must fail), then
#       connect and send a fake record (the tool must close the
#       connection without reading it).
#   hijack.py hold - DIR DATA REPORTER   (in the tree: @NAME from the
#       environment) / hijack.py grab - DIR DATA   (outside it): see below.
#   hijack.py reuse @NAME PID
#       the same, from a process that has PID (the pid of a process of
#       the tree that has exited); prints "pid: N" first, and does
#       nothing more unless N is PID.
#   hijack.py after @NAME GOFILE OUTFILE
#       once the tool has exited: bind and listen on the name, create
#       GOFILE (a surviving process of the trace then execs a program
#       whose shim would send records), accept for a few seconds after
#       OUTFILE appears, and print how many connections and bytes came.
import errno
import os
import socket
import sys
import time

mode, spec = sys.argv[1], sys.argv[2]
if spec == "-":
    spec = os.environ.get("NOINHERIT_LOG", "@")
assert spec.startswith("@"), spec
addr = "\0" + spec[1:]

if mode == "hold":
    # In the tree, as nobody: fd 3 is DATA, opened by a raw open(2) (no
    # hook); a connection to the channel is held until the thief has
    # written on it, then REPORTER replaces this process by a raw
    # execve(2): no record of this process lists fd 3 but the forged one.
    import ctypes
    d, data, reporter = sys.argv[3], sys.argv[4], sys.argv[5]
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(2, data.encode(), 0)
    assert fd == 3, fd
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(addr)
    with open(d + "/held.w", "w") as f:
        f.write("%d %d\n" % (os.getpid(), c.fileno()))
    os.rename(d + "/held.w", d + "/held")
    end = time.monotonic() + 20
    while not os.path.exists(d + "/grabbed") and time.monotonic() < end:
        time.sleep(0.02)
    time.sleep(0.2)
    argv = (ctypes.c_char_p * 3)(reporter.encode(), b"held", None)
    envp = (ctypes.c_char_p * 1)(None)
    libc.syscall(59, reporter.encode(), argv, envp)
    sys.exit(127)

if mode == "grab":
    # Outside the tree, as nobody: takes the held connection and writes a
    # record in the holder's name saying fd 3 (DATA) was a dup2.
    import ctypes
    d, data = sys.argv[3], sys.argv[4]
    end = time.monotonic() + 20
    while not os.path.exists(d + "/held") and time.monotonic() < end:
        time.sleep(0.02)
    pid, fd = map(int, open(d + "/held").read().split())
    libc = ctypes.CDLL(None, use_errno=True)
    pfd = os.pidfd_open(pid)
    s = libc.syscall(438, pfd, fd, 0)
    if s < 0:
        print("grab: pidfd_getfd: errno %d" % ctypes.get_errno())
        sys.exit(1)
    st = os.stat(data)
    rec = ('{"ev":"exec","pid":1,"ppid":0,"exe":"INJECTED","t":1,'
           '"call":"execve","target":"/x","argv":[],"fds":[{"fd":3,'
           '"dev":%d,"ino":%d,"what":"%s","made_by":"dup2","made_pid":1,'
           '"bt":[]}]}\n' % (st.st_dev, st.st_ino, data))
    os.write(s, rec.encode())
    print("grab: forged record sent")
    open(d + "/grabbed", "w").close()
    sys.exit(0)

if mode == "reuse":
    # Run with the pid a process of the traced tree had before it exited
    # (the caller sets ns_last_pid): that pid is no longer the tree's.
    print("pid: %d" % os.getpid())
    if os.getpid() != int(sys.argv[3]):
        sys.exit(0)
    mode = "during"

if mode == "during":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.bind(addr)
        print("bind: succeeded")
    except OSError as e:
        print("bind: refused (%s)" % errno.errorcode.get(e.errno, e.errno))
    s.close()
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(addr)
    c.settimeout(10)
    try:
        c.send(b'{"ev":"exec","pid":1,"exe":"/HIJACK","call":"execve",'
               b'"target":"/HIJACK","argv":["--password=HIJACK"],'
               b'"fds":[]}\n')
        got = c.recv(4096)
    except (BrokenPipeError, ConnectionResetError):
        got = b""
    except socket.timeout:
        got = None
    if got is None:
        print("fake record: the tool kept the connection open")
    else:
        print("fake record: sent, connection closed unread" if got == b""
              else "fake record: got %r" % got)
    sys.exit(0)

gofile, outfile = sys.argv[3], sys.argv[4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(addr)
s.listen(64)
s.settimeout(0.2)
open(gofile, "w").close()
conns = nbytes = 0
end = time.monotonic() + 20
seen_out = None
while time.monotonic() < end:
    if seen_out is None and os.path.exists(outfile) and os.path.getsize(outfile) > 0:
        seen_out = time.monotonic()
    if seen_out is not None and time.monotonic() > seen_out + 2:
        break
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    conns += 1
    c.settimeout(2)
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            nbytes += len(d)
    except socket.timeout:
        pass
    c.close()
print("after: %d connection%s, %d bytes" % (conns, "" if conns == 1 else "s",
                                           nbytes))
