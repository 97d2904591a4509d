#!/bin/sh
# e2e.sh CASE ni=PATH shim=PATH leaky=PATH reporter=PATH static=PATH nopie=PATH
#
# `noinherit trace` and `noinherit enforce` end to end: the real command,
# the real shim, real programs.  One CASE per ctest entry (trace.* and
# enforce.* in CMakeLists.txt).  Exit 0 pass, 1 fail (with the output
# shown), 77 skipped: the shim is not built, or a program a case needs
# (bash, make, python3, ssh-agent, a static binary) is missing.
set -u
case_=$1
shift
ni= shim= leaky= reporter= static= nopie= sreporter= sandbox= frames= spawnopen=
for kv in "$@"; do
	case $kv in
	sreporter=*) sreporter=${kv#sreporter=} ;;
	sandbox=*) sandbox=${kv#sandbox=} ;;
	frames=*) frames=${kv#frames=} ;;
	spawnraw=*) spawnraw=${kv#spawnraw=} ;;
	spawnopen=*) spawnopen=${kv#spawnopen=} ;;
	ni=*) ni=${kv#ni=} ;;
	shim=*) shim=${kv#shim=} ;;
	leaky=*) leaky=${kv#leaky=} ;;
	reporter=*) reporter=${kv#reporter=} ;;
	static=*) static=${kv#static=} ;;
	nopie=*) nopie=${kv#nopie=} ;;
	*) echo "e2e.sh: unknown argument $kv"; exit 2 ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ -n "$shim" ] && [ -f "$shim" ] || skip "libnoinherit-preload.so is not built"
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not found"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ni-e2e.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
data=$tmp/data.txt
echo "the data file" >"$data"
# Tests must not depend on what the harness left open.
unset NOINHERIT_PRELOAD NOINHERIT_EXEMPT

# run CMD...: status in $st, stdout in $tmp/out, stderr in $tmp/err.  CMD
# starts with the standard streams only (`noinherit exec`), whatever the
# harness left open: enforce leaves descriptors present at start alone.
run() {
	echo "+ $*"
	"$ni" exec -- "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
}
show() {
	echo "--- status $st"
	echo "--- stdout"; cat "$tmp/out"
	echo "--- stderr"; cat "$tmp/err"
}
fail() { echo "FAIL: $*"; show; exit 1; }
status() { [ "$st" -eq "$1" ] || fail "exit status $st, expected $1"; }
out() { grep -Eq -- "$1" "$tmp/out" || fail "stdout does not match: $1"; }
err() { grep -Eq -- "$1" "$tmp/err" || fail "stderr does not match: $1"; }
no_err() { ! grep -Eq -- "$1" "$tmp/err" || fail "stderr matches: $1"; }
# count FILE REGEX N: exactly N lines of FILE match
count() {
	n=$(grep -Ec -- "$2" "$1")
	[ "$n" -eq "$3" ] || fail "$n lines of $(basename "$1") match '$2', expected $3"
}

# jcheck FILE EXPR: EXPR (Python) holds over the JSON report FILE; F is
# the list of findings, into(base) the receipts into that program,
# leaked_all() every receipt leaked, made_by() the set of makers.
jcheck() {
	python3 - "$1" "$2" <<'EOF' || fail "the JSON report does not satisfy: $2"
import json, sys
F = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
R = [r for f in F for r in f["receivers"]]
def into(b):
    return sum(1 for r in R if r["exe"].rsplit("/", 1)[-1] == b)
def leaked_all():
    return all(r["class"] == "leaked" for r in R)
def made_by():
    return {f["made_by"] for f in F}
ok = eval(sys.argv[2])
if not ok:
    print(json.dumps(F, indent=1)[:6000])
sys.exit(0 if ok else 1)
EOF
}
# A directory every user can read holding leaky, reporter, the shim and
# the data file (the build tree may be private).
public_copies() {
	d=$tmp/pub
	mkdir -p "$d" && cp "$leaky" "$reporter" "$shim" "$d/" &&
	cp "$data" "$d/data" &&
	chmod 755 "$tmp" "$d" && chmod 644 "$d/data" && echo "$d"
}
# Skips unless nobody can reach the public copies ($TMPDIR may be private).
nobody_reaches() {
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$1/reporter" ||
		skip "$1 is not reachable by nobody (a private TMPDIR?)"
}
here=$(cd "$(dirname "$0")" && pwd)
# For the cases where nobody acts against a trace: python3 in $py, the
# public copies in $pub (sticky, so that nobody can leave files there).
nobody_setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as nobody"
	need setpriv
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	pub=$(public_copies) || fail "cannot make public copies"
	nobody_reaches "$pub"
	chmod 1777 "$pub"
}

# The report of `trace -- leaky`: three findings, each made in make_leaks.
leaky_report() {
	per=$1	# receipts per leaked descriptor: 6 children a round
	err "^noinherit: trace: 3 leaks: $((per * 4)) descriptors crossed an exec"
	err "^leak [0-9]: file $data\$"
	err "^leak [0-9]: socket TCP 127\.0\.0\.1:[0-9]+ LISTEN \[LISTENING\]\$"
	err "^leak [0-9]: pipe pipe:\[[0-9]+\]\$"
	err "^  made by open\(\) in leaky \(pid [0-9]+\), at:\$"
	err "^  made by socket\(\) in leaky"
	err "^  made by pipe\(\) in leaky"
	count "$tmp/err" "^    #0 make_leaks at .*leaky\.c:[0-9]+ \(leaky\+0x[0-9a-f]+\)\$" 3
	count "$tmp/err" "^    #1 main at .*leaky\.c:[0-9]+ " 3
	count "$tmp/err" "^  crossed an exec $per times:\$" 2
	count "$tmp/err" "^  crossed an exec $((per * 2)) times:\$" 1
	# Each way of starting a child is named as the passer.
	for call in system popen posix_spawn execv; do
		err "^    fd [0-9]+ into [a-z]+ \(pid [0-9]+\) from leaky \(pid [0-9]+\) by $call: .* \[leaked\]\$"
	done
	# The shell system() and popen() run passes them on to the reporter.
	err "^    fd [0-9]+ into reporter \(pid [0-9]+\) from [a-z]+ \(pid [0-9]+\) by execve: .*reporter system \[leaked\]\$"
	# Every crossing is a leak: born inheritable, never named.
	err "^noinherit: trace: crossings: $((per * 4)) leaked, 0 passed on purpose, 0 allowed\$"
	err "^  \[LISTENING\]: a listening socket in a child"
}

case $case_ in
# ---------------------------------------------------------------- trace
trace.leaky)
	run "$ni" trace -- "$leaky" "$reporter" "$data"
	status 0
	# The command's own output is untouched, on stdout; the leaks happen.
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$" 4
	leaky_report 6
	;;
trace.grouped)
	# Five rounds: twenty children, still three findings.
	run "$ni" trace -- "$leaky" "$reporter" "$data" 5
	status 0
	count "$tmp/out" "^reporter " 20
	leaky_report 30
	count "$tmp/err" "^    \.\.\. and [0-9]+ more \(--json lists them\)\$" 3
	;;
trace.release-vfork)
	# CMD exits while a survivor keeps starting programs with vfork (dash
	# does): the tool must let every task go without waiting for one in
	# particular -- a vfork parent does not stop before its child, which
	# may sit in a stop not yet seen, has exec'd.  The old release hung
	# here about once in 15 runs; 30 runs, each bounded by timeout.
	need dash
	need timeout
	i=0
	while [ $i -lt 30 ]; do
		timeout -k 5 30 "$ni" trace -o "$tmp/report" -- dash -c '(i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done) >/dev/null 2>&1 </dev/null & sleep 0.1; exit 0' >"$tmp/out" 2>"$tmp/err" </dev/null
		st=$?
		[ $st -ne 124 ] && [ $st -ne 137 ] || fail "trace did not finish after dash exited (run $i)"
		status 0
		grep -q "^noinherit: trace: no descriptor crossed an exec (" "$tmp/report" || fail "run $i: report: $(cat "$tmp/report")"
		i=$((i + 1))
	done
	;;
trace.json)
	need python3
	run "$ni" trace --json -o "$tmp/report" -- "$leaky" "$reporter" "$data"
	status 0
	no_err "^leak|crossed"
	python3 - "$tmp/report" "$data" <<'EOF' || fail "the JSON report is not as expected"
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
found = [json.loads(l) for l in lines]
assert len(found) == 3, found
by = {f["made_by"]: f for f in found}
assert set(by) == {"open", "socket", "pipe"}, by.keys()
assert by["open"]["kind"] == "file" and by["open"]["what"] == sys.argv[2]
assert re.fullmatch(r"TCP 127\.0\.0\.1:\d+ LISTEN", by["socket"]["sock"]), by["socket"]
assert by["socket"]["listening"] is True
assert by["pipe"]["kind"] == "pipe"
for f in found:
    assert f["made_exe"].endswith("/leaky"), f["made_exe"]
    top = f["bt"][0]
    assert top["func"] == "make_leaks", top
    assert top["file"].endswith("leaky.c") and top["line"] > 0, top
    assert re.fullmatch(r"0x[0-9a-f]+", top["off"]), top
    assert f["count"] == len(f["receivers"]) + f["receivers_omitted"]
    assert f["count"] == (12 if f["made_by"] == "pipe" else 6), f["count"]
    calls = {r["call"] for r in f["receivers"]}
    assert {"system", "popen", "posix_spawn", "execv", "execve"} <= calls, calls
    for r in f["receivers"]:
        assert r["fd"] > 2 and r["pid"] > 0 and r["parent_pid"] > 0
        assert isinstance(r["argv"], list) and r["argv"], r
EOF
	;;
trace.fail-on-leak)
	run "$ni" trace --fail-on-leak -- "$leaky" "$reporter" "$data"
	status 1
	err "^noinherit: trace: 3 leaks"
	run "$ni" trace --fail-on-leak -- "$reporter" clean
	status 0
	err "^noinherit: trace: no descriptor crossed an exec \(1 program traced\)\$"
	# A failing command's own status wins over 1.
	run "$ni" trace --fail-on-leak -- sh -c "'$leaky' '$reporter' '$data' && exit 3"
	status 3
	# --allow: by receiving program (path or base name) or by target.
	run "$ni" trace --fail-on-leak --allow reporter -- "$leaky" "$reporter" "$data"
	status 1
	err "^noinherit: trace: crossings: 8 leaked, 0 passed on purpose, 16 allowed\$"
	err " \[allowed: --allow reporter\]\$"
	run "$ni" trace --fail-on-leak --allow "$data" --allow 'TCP 127.0.0.1:* LISTEN' --allow 'pipe:*' -- "$leaky" "$reporter" "$data"
	status 0
	err "^noinherit: trace: no leak: 24 descriptors crossed an exec, each passed on purpose or allowed "
	err "^noinherit: trace: crossings: 0 leaked, 0 passed on purpose, 24 allowed\$"
	# A process that outlives CMD is let go unobserved: whatever it
	# execs later is not seen, so the run is incomplete, never clean.
	run "$ni" trace --fail-on-leak -- sh -c '(sleep 1; exec 5<"$1"; exec "$2" late) >/dev/null & exit 0' sh "$data" "$reporter"
	status 3
	err "^noinherit: trace: [0-9]+ process(es)? still ran when sh exited: what (it execs|they exec) later is not observed\$"
	err "^noinherit: trace: the report is incomplete: part of the tree was not observed\$"
	;;
trace.exit-status)
	run "$ni" trace -- sh -c 'exit 7'
	status 7
	run "$ni" trace -- sh -c 'kill -TERM $$'
	status 143
	run "$ni" trace -- no-such-command-here
	status 127
	err "^noinherit: trace: no-such-command-here: command not found\$"
	run "$ni" trace -- /
	status 126
	;;
trace.signal)
	# SIGTERM sent to the tool alone is passed on to CMD; the tool reaps
	# it and still reports.
	"$ni" exec -- "$ni" trace -- sh -c 'echo ready; exec sleep 30' >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	i=0
	until grep -q ready "$tmp/out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { st=-1; fail "the command never started"; }
		sleep 0.05
	done
	kill -TERM $pid
	wait $pid
	st=$?
	status 143
	err "^noinherit: trace: no descriptor crossed an exec"
	# A signal ignored by the caller (nohup) stays ignored in CMD.
	run sh -c 'trap "" HUP; exec "$1" trace -- sh -c "kill -HUP \$\$; echo survived"' sh "$ni"
	status 0
	out "^survived\$"
	;;
trace.stop-cont)
	# A traced process stopped with SIGSTOP stays stopped until SIGCONT,
	# then goes on (ptrace's group-stop, PTRACE_LISTEN).
	run "$ni" trace -- sh -c 'sleep 0.5 & p=$!; kill -STOP $p; sleep 1; ps -o stat= -p $p; kill -CONT $p; wait $p; echo "waited $?"'
	status 0
	out "^[Tt]"	# t: in ptrace's listening stop, as stopped
	out "^waited 0\$"
	;;
trace.static)
	# Static programs, as the one passing a descriptor on and as the one
	# receiving it: no shim in them, every crossing still observed.
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary (-static does not link here)"
	run "$ni" trace -- "$static"
	status 0
	out "^static hello\$"
	err "^noinherit: trace: .*static_hello is statically linked: the shim cannot reach it; what crosses its execs is still observed \(ptrace\), but not where it made it"
	err "^noinherit: trace: no descriptor crossed an exec \(1 program traced\)\$"
	# A static leaker: what it made is unknown, and the report says why.
	run "$ni" trace --fail-on-leak -- "$static" --leak "$data" "$reporter" got
	status 1
	out "^reporter got: fds 0 1 2 3\$"
	err "^leak 1: file $data\$"
	err "^  made by \? \(origin unknown: the program that passed it on had no shim: it is statically linked"
	err "^  passed on by .*/static_hello \(pid [0-9]+\)\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from static_hello \(pid [0-9]+\) by exec, unlogged: .*reporter got \[leaked\]\$"
	# A static receiver: leaky's four ways of starting it, each seen.
	[ -n "$sreporter" ] && [ -x "$sreporter" ] || skip "no static reporter"
	run "$ni" trace --json -o "$tmp/report" -- "$leaky" "$sreporter" "$data"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$" 4
	jcheck "$tmp/report" 'into("reporter_static") == 16 and leaked_all() and made_by() == {"open", "socket", "pipe"}'
	;;
trace.thread-exec)
	# A thread other than the leader execs: the pid becomes the leader's,
	# the crossing is still seen.
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	run "$ni" trace -- "$py" -c '
import os, sys, threading
fd = os.open(sys.argv[2], os.O_RDONLY)
os.set_inheritable(fd, True)
def run():
    os.execv(sys.argv[1], [sys.argv[1], "from-thread"])
t = threading.Thread(target=run)
t.start()
t.join()
' "$reporter" "$data"
	status 0
	out "^reporter from-thread: fds 0 1 2 3\$"
	err "^    fd 3 into reporter \(pid ([0-9]+)\) from python3[.0-9]* \(pid [0-9]+\) by execv: .*reporter from-thread \[passed: made inheritable with FIONCLEX\]\$"
	;;
trace.scrubbed)
	# The reporter is started with an empty environment: through env -i,
	# and through Python's subprocess with env={}.  No shim in it, every
	# crossing into it still seen, and made where leaky made it.
	printf '#!/bin/sh\nexec env -i "%s" "$@"\n' "$reporter" >"$tmp/scrub"
	chmod +x "$tmp/scrub"
	run "$ni" trace --json -o "$tmp/report" -- "$leaky" "$tmp/scrub" "$data"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$" 4
	jcheck "$tmp/report" 'into("reporter") == 16 and leaked_all() and made_by() == {"open", "socket", "pipe"}'
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	printf '#!/bin/sh\nexec %s -c "import subprocess, sys; subprocess.run(sys.argv[1:], env={}, close_fds=False)" "%s" "$@"\n' "$py" "$reporter" >"$tmp/pyscrub"
	chmod +x "$tmp/pyscrub"
	run "$ni" trace --json -o "$tmp/report" -- "$leaky" "$tmp/pyscrub" "$data"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$" 4
	jcheck "$tmp/report" 'into("reporter") == 16 and leaked_all() and made_by() == {"open", "socket", "pipe"}'
	;;
trace.privdrop)
	# leaky runs as nobody (setpriv): its records still reach the tool,
	# and what crosses into its children is reported with its origin.
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	need setpriv
	pub=$(public_copies) || fail "cannot make public copies"
	nobody_reaches "$pub"
	NOINHERIT_PRELOAD=$pub/libnoinherit-preload.so
	export NOINHERIT_PRELOAD
	run "$ni" trace --json -o "$tmp/report" -- setpriv --reuid=65534 --regid=65534 --clear-groups "$pub/leaky" "$pub/reporter" "$pub/data"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$" 4
	jcheck "$tmp/report" 'into("reporter") == 16 and leaked_all() and made_by() == {"open", "socket", "pipe"} and all(f["made_exe"].endswith("/leaky") for f in F)'
	# The issue's case: a shell that dropped privileges passes fd 5 on.
	run "$ni" trace -- setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'exec 5<"$1"; exec "$2" dropped' sh "$pub/data" "$pub/reporter"
	status 0
	out "^reporter dropped: fds 0 1 2 5\$"
	err "^    fd 5 into reporter \(pid [0-9]+\) from [a-z]+ \(pid [0-9]+\) by execve: .*reporter dropped \[passed: dup2\(\) onto fd 5\]$"
	;;
trace.setuid)
	# As root, trace follows a set-user-ID-root program that nobody runs:
	# the kernel grants it root (the tracer may), the loader ignores
	# LD_PRELOAD (AT_SECURE), and what crosses is still reported, with
	# that reason for the unknown origin.
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	need setpriv
	pub=$(public_copies) || fail "cannot make public copies"
	nobody_reaches "$pub"
	cp "$pub/leaky" "$pub/suid_leaky" && chmod 4755 "$pub/suid_leaky" || fail "cannot make a setuid copy"
	if command -v findmnt >/dev/null 2>&1 &&
	    findmnt -no OPTIONS --target "$pub" | grep -q nosuid; then
		skip "$pub is mounted nosuid"
	fi
	run "$ni" trace --json -o "$tmp/report" -- setpriv --reuid=65534 --regid=65534 --clear-groups "$pub/suid_leaky" "$pub/reporter" "$pub/data"
	out "^reporter (popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$"
	jcheck "$tmp/report" 'into("reporter") >= 12 and leaked_all() and all("AT_SECURE" in r["origin_unknown"] for r in R)'
	;;
trace.spawn-actions)
	# posix_spawn with a dup2 file action: the child's fd 5 was put there
	# on purpose; the same fd left inheritable is a leak.
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	run "$ni" trace -- "$py" -c '
import os, sys
fd = os.open(sys.argv[2], os.O_RDONLY)
pid = os.posix_spawn(sys.argv[1], [sys.argv[1], "spawned"], os.environ,
    file_actions=[(os.POSIX_SPAWN_DUP2, fd, 5)])
os.waitpid(pid, 0)
' "$reporter" "$data"
	status 0
	out "^reporter spawned: fds 0 1 2 5\$"
	err "^    fd 5 into reporter \(pid [0-9]+\) from python3[.0-9]* \(pid [0-9]+\) .* \[passed: placed by a file action of posix_spawn\]\$"
	err "^noinherit: trace: crossings: 0 leaked, 1 passed on purpose, 0 allowed\$"
	;;
trace.fork-rawexec)
	# A process posix_spawns, then forks a child that execs through a
	# raw execve(2) no hook sees, with a raw open(2)'s fd inheritable.
	# The spawn's record does not list that fd, but the child was not
	# made by that spawn (the observer saw it made): no file action put
	# the fd there.  It leaked.
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	run "$ni" trace --fail-on-leak -- "$py" -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
os.waitpid(os.posix_spawn("/bin/true", ["true"], os.environ), 0)
fd = libc.syscall(2, sys.argv[2].encode(), 0)
assert fd == 3
pid = os.fork()
if pid == 0:
    argv = (ctypes.c_char_p * 3)(sys.argv[1].encode(), b"raw", None)
    envp = (ctypes.c_char_p * 1)(None)
    libc.syscall(59, sys.argv[1].encode(), argv, envp)
    os._exit(127)
os.waitpid(pid, 0)
' "$reporter" "$data"
	status 1
	out "^reporter raw: fds 0 1 2 3\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from python3[.0-9]* \(pid [0-9]+\) by exec, unlogged: .*reporter raw \[leaked\]\$"
	err "^noinherit: trace: crossings: 1 leaked, 0 passed on purpose, 0 allowed\$"
	no_err "placed by a file action"
	# The same from a vfork child, which shares its maker's memory as a
	# spawn's does: it logged no spawn since its last child.
	[ -n "$spawnraw" ] && [ -x "$spawnraw" ] || skip "spawnraw is not built"
	run "$ni" trace --fail-on-leak -- "$spawnraw" "$reporter" "$data"
	status 1
	out "^reporter vforked: fds 0 1 2 3\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from spawnraw \(pid [0-9]+\) by exec, unlogged: .*reporter vforked \[leaked\]\$"
	err "^noinherit: trace: crossings: 1 leaked, 0 passed on purpose, 0 allowed\$"
	no_err "placed by a file action"
	# A posix_spawn that failed before its clone (no process made)
	# comes in between: its record, sent before the call, must not make
	# the vfork child its spawn.
	run "$ni" trace --fail-on-leak -- "$spawnraw" "$reporter" "$data" fail
	status 1
	out "^reporter vforked: fds 0 1 2 3\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from spawnraw \(pid [0-9]+\) by exec, unlogged: .*reporter vforked \[leaked\]\$"
	err "^noinherit: trace: crossings: 1 leaked, 0 passed on purpose, 0 allowed\$"
	no_err "placed by a file action"
	;;
trace.renumbered)
	# A descriptor dup2()'d onto 5 on purpose, then copied to 3 by a raw
	# dup(2) no hook sees, before a raw execve: 5 crossed on purpose,
	# 3 is another number nothing made inheritable.  It leaked.
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	cat >"$tmp/renum.py" <<'EOF'
import ctypes, os, sys
if sys.argv[1] == "dup2":
    os.dup2(os.open(sys.argv[3], os.O_RDONLY), 5)
    os.execv(sys.executable, [sys.executable] + sys.argv[:1] +
        ["raw", sys.argv[2], sys.argv[3]])
libc = ctypes.CDLL(None, use_errno=True)
assert libc.syscall(32, int(sys.argv[4]) if len(sys.argv) > 4 else 5) == 3
argv = (ctypes.c_char_p * 3)(sys.argv[2].encode(), b"got", None)
libc.syscall(59, sys.argv[2].encode(), argv, (ctypes.c_char_p * 1)(None))
EOF
	run "$ni" trace --fail-on-leak -- "$py" "$tmp/renum.py" dup2 "$reporter" "$data"
	status 1
	out "^reporter got: fds 0 1 2 3 5\$"
	err "^    fd 5 into reporter \(pid [0-9]+\) from python3[.0-9]* \(pid [0-9]+\) by exec, unlogged: .* \[passed: dup2\(\) onto its number, then passed on\]\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from python3[.0-9]* \(pid [0-9]+\) by exec, unlogged: .* \[leaked\]\$"
	err "^noinherit: trace: crossings: 1 leaked, 2 passed on purpose, 0 allowed\$"
	# --pass-fd 7 hands CMD fd 7, not every number its file reaches: 7
	# crosses on into the reporter as given (trace.pass-fd), the raw dup
	# at 3 leaked.
	run sh -c 'exec 7<"$2"; exec "$1" trace --fail-on-leak --pass-fd 7 -- "$3" "$4" raw "$5" "$2" 7' \
	    sh "$ni" "$data" "$py" "$tmp/renum.py" "$reporter"
	status 1
	out "^reporter got: fds 0 1 2 3 7\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from python3[.0-9]* \(pid [0-9]+\) by exec, unlogged: .* \[leaked\]\$"
	err "^    fd 7 into reporter .* \[passed: given to CMD by trace's caller \(--pass-fd, --map-fd\), then passed on\]\$"
	err "^noinherit: trace: crossings: 1 leaked, 1 passed on purpose, 0 allowed\$"
	# A static program opens the same file again, onto 3, and execs the
	# reporter: 3 is neither the dup2()'d 5 nor known to be made by it.
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary (-static does not link here)"
	run "$ni" trace --fail-on-leak -- "$py" -c '
import os, sys
os.dup2(os.open(sys.argv[2], os.O_RDONLY), 5)
os.execv(sys.argv[1], sys.argv[1:2] + ["--leak"] + sys.argv[2:] + ["static"])
' "$static" "$data" "$reporter"
	status 1
	out "^reporter static: fds 0 1 2 3 5\$"
	err "^  made by \? \(origin unknown: the program that passed it on had no shim: it is statically linked"
	err "^    fd 3 into reporter \(pid [0-9]+\) from static_hello \(pid [0-9]+\) by exec, unlogged: .* \[leaked\]\$"
	err "^    fd 5 into reporter \(pid [0-9]+\) from static_hello \(pid [0-9]+\) by exec, unlogged: .* \[passed: dup2\(\) onto its number, then passed on\]\$"
	err "^noinherit: trace: crossings: 1 leaked, 2 passed on purpose, 0 allowed\$"
	;;
trace.refused)
	# The atomic flags refused by seccomp (F_DUPFD_CLOEXEC, SOCK_CLOEXEC
	# ...): tracing goes on, the shim's records with it (the origin).
	[ -n "$sandbox" ] && [ -x "$sandbox" ] || skip "ni_sandbox is not built"
	need bash
	run "$sandbox" --seccomp=eperm -- "$ni" trace -- bash -c 'exec 5<"$1"; "$2" refused' bash "$data" "$reporter"
	[ "$st" -ne 77 ] || skip "no seccomp here"
	status 0
	out "^reporter refused: fds 0 1 2 5\$"
	err "^  made by dup2\(\) in bash \(pid [0-9]+\), at:\$"
	err "^    fd 5 into reporter \(pid [0-9]+\) from bash \(pid [0-9]+\) by execve: .*reporter refused \[passed: dup2\(\) onto fd 5\]\$"
	# ptrace refused: the shim's own records stand, the report says it
	# is incomplete, and --fail-on-leak never exits 0.  (LeakSanitizer
	# needs ptrace too: off in a sanitized build's tool.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	export ASAN_OPTIONS
	run "$sandbox" --no-ptrace -- "$ni" trace --fail-on-leak -- "$reporter" clean
	status 3
	err "^noinherit: trace: cannot trace with ptrace \(Operation not permitted\): only programs the shim reaches are observed"
	err "^noinherit: trace: incomplete: the whole tree \(pid [0-9]+\) was not observed: ptrace refused"
	run "$sandbox" --no-ptrace -- "$ni" trace -- "$leaky" "$reporter" "$data"
	status 0
	leaky_report 6
	# ... and a static program's leak is then not seen: 3, not 0.
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary"
	run "$sandbox" --no-ptrace -- "$ni" trace --fail-on-leak -- "$static" --leak "$data" "$static"
	status 3
	;;
trace.stack-fallback)
	# The observer reads each new program's argv, environment and
	# AT_SECURE from its initial stack (process_vm_readv), and from /proc
	# where that is refused.  Either way a static program's leak into
	# another static program, which no shim sees, is classed by what the
	# receiver was told: a number in its argv or its environment is passed
	# on purpose (--fail-on-leak: 0), none is a leak (1).  (Not MAKEFLAGS:
	# a jobserver must be a pipe, and this is a file -- trace.make.)
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary"
	[ -n "$sreporter" ] && [ -x "$sreporter" ] || skip "no static reporter"
	[ -n "$sandbox" ] && [ -x "$sandbox" ] || skip "ni_sandbox is not built"
	for how in stack proc; do
		set --
		[ "$how" = proc ] && set -- "$sandbox" --no-vm-read --
		run "$@" "$ni" trace --fail-on-leak -- "$static" --leak "$data" "$sreporter" named -- --status-fd=3
		[ "$st" -ne 77 ] || skip "no seccomp here"
		status 0
		out "^reporter named: fds 0 1 2 3\$"
		err "^    fd 3 into reporter_static \(pid [0-9]+\) from static_hello .*named -- --status-fd=3 \[passed: named to the program: --status-fd=3\]\$"
		run "$@" "$ni" trace --fail-on-leak -- env APT_HOOK_INFO_FD=3 "$static" --leak "$data" "$sreporter" envnamed
		status 0
		err "\[passed: named to the program: APT_HOOK_INFO_FD=3\]\$"
		run "$@" "$ni" trace --fail-on-leak -- "$static" --leak "$data" "$sreporter" unnamed
		status 1
		err "^    fd 3 into reporter_static \(pid [0-9]+\) from static_hello .*unnamed \[leaked\]\$"
	done
	;;
trace.shared-frames)
	# 112 files opened from call chains that share frames (two sites in
	# one function, callers in common, alloca, recursion deeper than the
	# 12 frames kept): the shim unwinds only what differs from a stack it
	# has seen.  Each file is named after its real chain; each finding's
	# backtrace must name the same functions, outwards from op.
	[ -n "$frames" ] && [ -x "$frames" ] || skip "frames is not built"
	mkdir -p "$tmp/chains"
	run "$ni" trace --json -o "$tmp/report" -- "$frames" "$tmp/chains" "$reporter" chains
	status 0
	jcheck "$tmp/report" 'len(F) == 112 and all([x["func"] for x in f["bt"]][:len(f["what"].rsplit("/", 1)[1].split(".")[:-1])] == f["what"].rsplit("/", 1)[1].split(".")[:-1][:12] and len(f["bt"]) >= min(12, len(f["what"].rsplit("/", 1)[1].split(".")[:-1])) for f in F)'
	;;
trace.seccomp-kill)
	# A program whose own seccomp filter kills on socket(2) (inherited
	# across exec): the shim must make none for its records, at exec
	# (ni_sandbox's execvp, the shell's execve) or at load.  ptrace still
	# sees the leak, of unknown origin.
	[ -n "$sandbox" ] && [ -x "$sandbox" ] || skip "ni_sandbox is not built"
	run "$ni" trace --fail-on-leak -- "$sandbox" --kill-socket -- sh -c 'exec 3<"$1"; exec "$2" filtered' sh "$data" "$reporter"
	[ "$st" -ne 77 ] || skip "no seccomp here"
	status 1
	out "^reporter filtered: fds 0 1 2 3\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from (dash|sh|bash) \(pid [0-9]+\) by exec, unlogged: .*reporter filtered \[leaked\]\$"
	err "^noinherit: trace: crossings: 1 leaked, 0 passed on purpose, 0 allowed\$"
	# The same filter, no leak: the program runs to its end, 0.
	run "$ni" trace --fail-on-leak -- "$sandbox" --kill-socket -- sh -c 'exec "$1" clean' sh "$reporter"
	status 0
	out "^reporter clean: fds 0 1 2\$"
	;;
trace.chroot)
	# A static leaker and receiver in a chroot, then leaky in a private
	# /tmp (unshare -m) and in a private pid namespace (unshare -p): seen
	# as anywhere else.
	[ "$(id -u)" -eq 0 ] || skip "needs root for chroot"
	need chroot
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary"
	mkdir "$tmp/root"
	cp "$static" "$tmp/root/static_hello"
	echo jailed >"$tmp/root/data"
	run "$ni" trace --fail-on-leak -- chroot "$tmp/root" /static_hello --leak /data /static_hello
	status 1
	out "^static hello\$"
	err "^leak 1: file .*data\$"
	err "^    fd 3 into static_hello \(pid [0-9]+\) from static_hello \(pid [0-9]+\) by exec, unlogged: /static_hello \[leaked\]\$"
	need unshare
	# Where the build tree itself lives under /tmp (a CI clone there), its
	# top directory is bound back over the private /tmp, from a bind of the
	# old /tmp kept in /dev/shm.
	keep=$(mktemp -d /dev/shm/ni-e2e-tmp.XXXXXX) || skip "no /dev/shm"
	run "$ni" trace --json -o "$tmp/report" -- unshare -m sh -c '
		d=$(cat "$1")
		mount --make-rprivate / && mount --bind /tmp "$4" &&
		    mount -t tmpfs none /tmp || exit 77
		case $2 in
		/tmp/*)
			top=${2#/tmp/}
			top=/tmp/${top%%/*}
			mkdir -p "$top" && mount --bind "$4${top#/tmp}" "$top" ||
			    exit 77
			;;
		esac
		echo "$d" >/tmp/data
		exec "$2" "$3" /tmp/data' sh "$data" "$leaky" "$reporter" "$keep"
	rmdir "$keep" 2>/dev/null || :
	[ "$st" -ne 77 ] || skip "cannot mount a private /tmp"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$" 4
	jcheck "$tmp/report" 'into("reporter") == 16 and leaked_all() and made_by() == {"open", "socket", "pipe"}'
	# A private pid namespace: the shim sends no record there (the tool
	# is pid 0 to it, as whoever binds the name once the tool has exited
	# would be); ptrace still sees every receipt, of unknown origin.
	run "$ni" trace --json -o "$tmp/report" -- unshare -pf "$leaky" "$reporter" "$data"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2 3 4 5 6\$" 4
	jcheck "$tmp/report" 'into("reporter") == 16 and leaked_all() and made_by() == {None}'
	;;
trace.pass-fd)
	# --pass-fd and --map-fd, as `noinherit exec` has them.
	run sh -c 'exec 3<"$2"; "$1" trace --pass-fd 3 -- cat /dev/fd/3' sh "$ni" "$data"
	status 0
	out "^the data file\$"
	run sh -c 'exec 3<"$2"; "$1" trace --map-fd 3:7 -- cat /dev/fd/7' sh "$ni" "$data"
	status 0
	out "^the data file\$"
	# Without it CMD gets the standard streams only.
	run sh -c 'exec 3<"$2"; "$1" trace -- cat /dev/fd/3' sh "$ni" "$data"
	status 1
	run "$ni" trace --pass-fd 9 -- true
	status 2
	err "^noinherit: trace: fd 9 is not open\$"
	run "$ni" trace --map-fd 3 -- true
	status 2
	err "^noinherit: trace: --map-fd: '3' is not FROM:TO"
	# The crossing into CMD was asked for and is not reported; CMD's own
	# crossings are, as passed on from what was given (as a shell's
	# redirection is), and cat is told of it (/dev/fd/3).
	run sh -c 'exec 3<"$2"; exec "$1" trace --fail-on-leak --pass-fd 3 -- sh -c "\"\$0\" got; :" "$3"' sh "$ni" "$data" "$reporter"
	status 0
	out "^reporter got: fds 0 1 2 3\$"
	err "^  made by \? \(origin unknown: the caller of noinherit trace gave it to CMD \(--pass-fd, --map-fd\)\)\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from [a-z]+ \(pid [0-9]+\) by [a-z]+: .*reporter got \[passed: given to CMD by trace's caller \(--pass-fd, --map-fd\), then passed on\]\$"
	err "^noinherit: trace: crossings: 0 leaked, 1 passed on purpose, 0 allowed\$"
	run sh -c 'exec 3<"$2"; exec "$1" trace --fail-on-leak --map-fd 3:5 -- sh -c "cat /dev/fd/5; :"' sh "$ni" "$data"
	status 0
	out "^the data file\$"
	err "^    fd 5 into cat \(pid [0-9]+\) from [a-z]+ \(pid [0-9]+\) by [a-z]+: cat /dev/fd/5 \[passed: named to the program: /dev/fd/5\]\$"
	# A traced sub-make keeps its parent's jobserver.
	need make
	mkdir -p "$tmp/tree/sub"
	printf 'all:\n\t+fds=$$(echo " $$MAKEFLAGS" | sed -n "s/.*--jobserver-auth=\\([0-9]*\\),\\([0-9]*\\).*/--pass-fd \\1 --pass-fd \\2/p"); "$(NI)" trace $$fds -- $(MAKE) -C sub\n' >"$tmp/tree/Makefile"
	printf 'all: a b c d\na b c d:\n\t@sleep 0.1; echo $@ > $@.out\n' >"$tmp/tree/sub/Makefile"
	run make -j2 -C "$tmp/tree" NI="$ni"
	status 0
	no_err "jobserver"
	no_err "warning"
	for t in a b c d; do
		[ -f "$tmp/tree/sub/$t.out" ] || fail "sub/$t.out not built"
	done
	;;
trace.sigint-pty)
	# Ctrl-C in a terminal: CMD dies of SIGINT, the report is written,
	# nothing is left in TMPDIR.
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	mkdir "$tmp/t"
	TMPDIR=$tmp/t run "$py" "$here/ptydrive.py" "$ni" trace -o "$tmp/report" -- sh -c 'echo ready; exec sleep 30'
	status 0
	out "^exit 130\$"
	grep -q "^noinherit: trace: no descriptor crossed an exec" "$tmp/report" || fail "no report: $(cat "$tmp/report")"
	[ -z "$(ls -A "$tmp/t")" ] || fail "left in TMPDIR: $(ls -A "$tmp/t")"
	;;
trace.sigterm-group)
	# SIGTERM to the whole process group: the report is still written.
	need setsid
	mkdir "$tmp/t"
	TMPDIR=$tmp/t setsid "$ni" exec -- "$ni" trace -o "$tmp/report" -- sh -c 'echo ready; exec sleep 30' >"$tmp/out" 2>"$tmp/err" </dev/null &
	pid=$!
	i=0
	until grep -q ready "$tmp/out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { st=-1; fail "the command never started"; }
		sleep 0.05
	done
	kill -TERM -"$pid" || fail "no process group $pid"
	wait $pid
	st=$?
	status 143
	grep -q "^noinherit: trace: no descriptor crossed an exec" "$tmp/report" || fail "no report: $(cat "$tmp/report")"
	[ -z "$(ls -A "$tmp/t")" ] || fail "left in TMPDIR: $(ls -A "$tmp/t")"
	;;
trace.hijack)
	# Another user (nobody) tries to take the records: during the trace
	# by binding the channel's name or sending fake records, after it by
	# listening on the name for what a surviving process sends.
	nobody_setup
	mkdir "$tmp/t"
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$py" "$here/hijack.py" "$@"; }
	# Until CMD has written the channel's name to $pub/chan.
	wait_chan() {
		i=0
		until [ -s "$pub/chan" ]; do
			i=$((i + 1))
			[ $i -lt 200 ] || { st=-1; fail "the command never started"; }
			sleep 0.05
		done
	}
	TMPDIR=$tmp/t "$ni" exec -- "$ni" trace -o "$tmp/report" -- sh -c 'echo "$NOINHERIT_LOG" >"$1/chan"; i=0; while [ ! -e "$1/done" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; exec "$2" during' sh "$pub" "$pub/reporter" >"$tmp/out" 2>"$tmp/err" </dev/null &
	pid=$!
	wait_chan
	[ -z "$(ls -A "$tmp/t")" ] || fail "the trace made files in TMPDIR: $(ls -A "$tmp/t")"
	nobody during "$(cat "$pub/chan")" >"$tmp/nobody" 2>&1 || { cat "$tmp/nobody"; fail "nobody's attempt during the trace"; }
	touch "$pub/done"
	wait $pid
	st=$?
	status 0
	grep -q "^bind: refused (EADDRINUSE)\$" "$tmp/nobody" || fail "nobody: $(cat "$tmp/nobody")"
	grep -q "^fake record: sent, connection closed unread\$" "$tmp/nobody" || fail "nobody: $(cat "$tmp/nobody")"
	err "^noinherit: trace: refused 1 connection to the channel from processes outside the traced tree\$"
	! grep -q HIJACK "$tmp/report" || fail "the fake record made it into the report"
	grep -q "^noinherit: trace: no descriptor crossed an exec (" "$tmp/report" || fail "report: $(cat "$tmp/report")"
	# After: a survivor execs once the tool is gone, passing fd 5 on (so
	# that its shim has a record to send); nobody listens on the name and
	# must get nothing.
	rm -f "$pub/chan" "$pub/go" "$pub/late.out"
	run "$ni" trace -o "$tmp/report" -- sh -c 'echo "$NOINHERIT_LOG" >"$1/chan"; (i=0; while [ ! -e "$1/go" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; exec "$2" late 5</dev/null >"$1/late.out") >/dev/null 2>&1 </dev/null & exit 0' sh "$pub" "$pub/reporter"
	status 0
	err "^noinherit: trace: [0-9]+ process(es)? still ran when sh exited: what (it execs|they exec) later is not observed\$"
	nobody after "$(cat "$pub/chan")" "$pub/go" "$pub/late.out" >"$tmp/nobody" 2>&1 || { cat "$tmp/nobody"; fail "nobody's attempt after the trace"; }
	grep -q "^reporter late: fds 0 1 2 5\$" "$pub/late.out" || fail "the survivor did not run: $(cat "$pub/late.out" 2>&1)"
	grep -Eq "^after: [1-9][0-9]* connections?, 0 bytes\$" "$tmp/nobody" || fail "nobody got records: $(cat "$tmp/nobody")"
	[ -z "$(ls -A "$tmp/t")" ] || fail "left in TMPDIR: $(ls -A "$tmp/t")"
	# From another pid namespace every listener outside it is pid 0, the
	# tool as well as whoever binds the name once the tool is gone (and
	# where a user namespace maps uids, the uid proves little).  A tree
	# under `unshare -p` is still observed, its records are not taken...
	if unshare -p -f true 2>/dev/null; then
		run "$ni" trace -- unshare -p -f sh -c 'exec 3<"$1"; exec "$2" pidns' sh "$data" "$reporter"
		status 0
		out "^reporter pidns: fds 0 1 2 3\$"
		err "^    fd 3 into reporter \(pid [0-9]+\) from (dash|sh|bash) \(pid [0-9]+\) by exec, unlogged: .*reporter pidns \[leaked\]\$"
		# ... and a survivor there sends nothing to a listener of the tool's
		# own uid that binds the name after the tool has exited.
		rm -f "$pub/chan" "$pub/go" "$pub/late.out"
		run "$ni" trace -o "$tmp/report" -- sh -c 'echo "$NOINHERIT_LOG" >"$1/chan"; (unshare -p -f sh -c '\''i=0; while [ ! -e "$1/go" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; exec "$2" late 5</dev/null >"$1/late.out"'\'' sh "$1" "$2") >/dev/null 2>&1 </dev/null & exit 0' sh "$pub" "$pub/reporter"
		status 0
		"$py" "$here/hijack.py" after "$(cat "$pub/chan")" "$pub/go" "$pub/late.out" >"$tmp/owner" 2>&1 || { cat "$tmp/owner"; fail "the listener after the trace"; }
		grep -q "^reporter late: fds 0 1 2 5\$" "$pub/late.out" || fail "the survivor did not run: $(cat "$pub/late.out" 2>&1)"
		grep -Eq "^after: [1-9][0-9]* connections?, 0 bytes\$" "$tmp/owner" || fail "a listener outside the pid namespace got records: $(cat "$tmp/owner")"
	else
		echo "(no pid namespace here: that part not tried)"
	fi
	# A process of the tree exits and nobody gets its pid (ns_last_pid):
	# the observer must not take a dead task's pid for the tree's.
	[ -w /proc/sys/kernel/ns_last_pid ] || { echo "ok: $case_ (pid reuse not tried: ns_last_pid not writable)"; exit 0; }
	rm -f "$pub/chan" "$pub/done" "$pub/dead"
	TMPDIR=$tmp/t "$ni" exec -- "$ni" trace -o "$tmp/report" -- sh -c 'sh -c "echo \$\$ >\"\$1/dead.w\"; mv \"\$1/dead.w\" \"\$1/dead\"" sh "$1"; echo "$NOINHERIT_LOG" >"$1/chan"; i=0; while [ ! -e "$1/done" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; exec "$2" during' sh "$pub" "$pub/reporter" >"$tmp/out" 2>"$tmp/err" </dev/null &
	pid=$!
	wait_chan
	dead=$(cat "$pub/dead")
	chan=$(cat "$pub/chan")
	got=
	for attempt in 1 2 3 4 5 6 7 8; do
		echo $((dead - 1)) >/proc/sys/kernel/ns_last_pid
		nobody reuse "$chan" "$dead" >"$tmp/nobody" 2>&1
		grep -q "^pid: $dead\$" "$tmp/nobody" && { got=1; break; }
	done
	touch "$pub/done"
	wait $pid
	st=$?
	status 0
	[ -n "$got" ] || fail "nobody never got pid $dead: $(cat "$tmp/nobody")"
	grep -q "^fake record: sent, connection closed unread\$" "$tmp/nobody" || fail "nobody with a dead task's pid: $(cat "$tmp/nobody")"
	err "^noinherit: trace: refused 1 connection to the channel from processes outside the traced tree\$"
	! grep -q HIJACK "$tmp/report" || fail "the fake record made it into the report"
	;;
trace.caller-names)
	# A variable that names an fd in trace's own environment (the user's
	# BASH_XTRACEFD=3, APT_HOOK_INFO_FD=3) reaches every program of the
	# tree unchanged: it names nothing a program of the tree did, and a
	# leak that lands on 3 is still a leak.  The same variable set by the
	# program for its child does name it.
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	prog='
import ctypes, os, sys
fd = ctypes.CDLL(None).open(sys.argv[2].encode(), 0)
assert fd == 3
env = dict(os.environ)
if sys.argv[3] == "sets":
    env["APT_HOOK_INFO_FD"] = "3"
os.waitpid(os.posix_spawn(sys.argv[1], [sys.argv[1], "named"], env), 0)
'
	for v in BASH_XTRACEFD=3 APT_HOOK_INFO_FD=3 'NGINX=3;'; do
		run env "$v" "$ni" trace --fail-on-leak -- "$py" -c "$prog" "$reporter" "$data" inherits
		status 1
		out "^reporter named: fds 0 1 2 3\$"
		err "^    fd 3 into reporter .* \[leaked\]\$"
	done
	run "$ni" trace --fail-on-leak -- "$py" -c "$prog" "$reporter" "$data" sets
	status 0
	err "^    fd 3 into reporter .* \[passed: named to the program: APT_HOOK_INFO_FD=3\]\$"
	;;
trace.steal)
	# A process of the tree runs as nobody and holds a connection to the
	# channel; nobody's own process, outside the tree, takes it with
	# pidfd_getfd(2) and writes a forged record on it ("fd 3 was a
	# dup2"); the tree process then leaks fd 3 through a raw execve that
	# no hook records.  The tool checks who sent each message, not only
	# who connected: the forged record is refused and fd 3 is leaked.
	nobody_setup
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$py" "$here/hijack.py" "$@"; }
	as_nobody grab - "$pub" "$pub/data" >"$tmp/thief" 2>&1 &
	thief=$!
	run "$ni" trace --fail-on-leak -- setpriv --reuid=65534 --regid=65534 --clear-groups "$py" "$here/hijack.py" hold - "$pub" "$pub/data" "$pub/reporter"
	kill "$thief" 2>/dev/null
	wait "$thief"
	grep -q "^grab: forged record sent\$" "$tmp/thief" || fail "the thief: $(cat "$tmp/thief")"
	status 1
	out "^reporter held: fds 0 1 2 3\$"
	no_err "INJECTED"
	err "^    fd 3 into reporter .* \[leaked\]\$"
	err "^noinherit: trace: refused 1 connection to the channel from processes outside the traced tree\$"
	;;
trace.busybox)
	# busybox is every applet: what it opens as tar is no redirection
	# (the archive leaks into --to-command's shell and program), what it
	# opens as sh (exec 3<file) is one.
	need busybox
	bb=$(command -v busybox)
	mkdir "$tmp/tt" && echo hi >"$tmp/tt/a" && tar -C "$tmp" -cf "$tmp/t.tar" tt || fail "cannot make the archive"
	run "$ni" trace -- "$bb" tar -C "$tmp" -xf "$tmp/t.tar" --to-command="$reporter tar"
	out "^fd 3 .*/t\.tar\$"
	err "^    fd 3 into reporter .* \[leaked\]\$"
	no_err "a redirection of the shell"
	run "$ni" trace -- "$bb" sh -c 'exec 3<"$1"; exec "$2" sh' sh "$data" "$reporter"
	out "^reporter sh: fds 0 1 2 3\$"
	err "^    fd 3 into reporter .* \[passed: a redirection of the shell .*busybox\]\$"
	;;
trace.spawn-race)
	# A descriptor made while posix_spawn runs (another thread's open,
	# after the shim's record of the spawn, before its clone: here, a
	# library preloaded after the shim opens it) is inherited by the
	# child like any other: leaked, not "placed by a file action" for not
	# being in the record.  A real file action still is one.
	[ -n "$spawnopen" ] && [ -f "$spawnopen" ] || skip "spawnopen is not built"
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	# (LD_PRELOAD for CMD only, through env under trace: the shim puts
	# itself first again; the tool may be built with a sanitizer.)
	run "$ni" trace --fail-on-leak -- env LD_PRELOAD="$spawnopen" SPAWNOPEN_FILE="$data" "$py" -c '
import os, sys
os.waitpid(os.posix_spawn(sys.argv[1], [sys.argv[1], "race"], os.environ), 0)
' "$reporter"
	status 1
	out "^reporter race: fds 0 1 2 3\$"
	err "^    fd 3 into reporter .*reporter race \[leaked\]\$"
	no_err "placed by a file action"
	run "$ni" trace --fail-on-leak -- "$py" -c '
import os, sys
fd = os.open(sys.argv[2], os.O_RDONLY)
os.waitpid(os.posix_spawn(sys.argv[1], [sys.argv[1], "action"], os.environ,
    file_actions=[(os.POSIX_SPAWN_DUP2, fd, 5)]), 0)
' "$reporter" "$data"
	status 0
	err "^    fd 5 into reporter .* \[passed: placed by a file action of posix_spawn\]\$"
	;;
trace.outfile)
	# -o and --sarif name a file in a directory others can write to
	# (sticky, as /tmp): what nobody put there first is not written
	# through -- a symbolic link, a FIFO, a file of theirs -- and the
	# report, which holds command lines, is made 0600.
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as nobody"
	need setpriv
	need timeout
	pub=$(public_copies) || fail "cannot make public copies"
	nobody_reaches "$pub"
	sh_=$pub/shared
	mkdir "$sh_" && chmod 1777 "$sh_" || fail "cannot make the shared directory"
	echo secret >"$tmp/victim"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	as_nobody ln -s "$tmp/victim" "$sh_/link" &&
	as_nobody mkfifo "$sh_/fifo" &&
	as_nobody sh -c 'umask 0; : >"$1"' sh "$sh_/theirs" || fail "nobody cannot make the traps"
	for opt in -o --sarif; do
		run timeout 30 "$ni" trace $opt "$sh_/link" -- true
		status 2
		err "^noinherit: trace: $sh_/link: a symbolic link in a directory others can write to: not followed\$"
		[ "$(cat "$tmp/victim")" = secret ] || fail "the victim was written through the link"
		run timeout 30 "$ni" trace $opt "$sh_/fifo" -- true
		status 2
		err "^noinherit: trace: $sh_/fifo: (not a regular file of this user, in a directory others can write to: not written|No such device or address)\$"
		run timeout 30 "$ni" trace $opt "$sh_/theirs" -- true
		status 2
		err "^noinherit: trace: $sh_/theirs: not a regular file of this user, in a directory others can write to: not written\$"
		[ ! -s "$sh_/theirs" ] || fail "nobody's file was written"
	done
	run "$ni" trace -o "$sh_/mine" --sarif "$sh_/mine.sarif" -- sh -c 'exec 5<"$1"; exec "$2" x' sh "$data" "$reporter"
	status 0
	[ "$(stat -c %a:%u "$sh_/mine" "$sh_/mine.sarif" | sort -u)" = "600:0" ] || fail "modes: $(stat -c '%n %a %u' "$sh_/mine" "$sh_/mine.sarif")"
	grep -q "^passed 1: file $data\$" "$sh_/mine" || fail "report: $(cat "$sh_/mine")"
	# Our own file there is rewritten whole; elsewhere a link is followed.
	run "$ni" trace -o "$sh_/mine" -- true
	status 0
	count "$sh_/mine" . 1
	ln -s "$tmp/real" "$tmp/mylink"
	run "$ni" trace -o "$tmp/mylink" -- true
	status 0
	grep -q "^noinherit: trace: no descriptor crossed" "$tmp/real" || fail "the link in a private directory was not followed"
	;;
trace.untraced)
	# A child made by clone(CLONE_UNTRACED) escapes ptrace's automatic
	# attach: its exec is not observed.  The report must not be clean:
	# the escapee is named when its shim writes to the channel, or when
	# it is reparented to the tool (an orphan) and exits.
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "python3 not found"
	cat >"$tmp/untraced.py" <<-'EOF'
	import ctypes, os, sys, time
	libc = ctypes.CDLL(None, use_errno=True)
	fd = os.open(sys.argv[2], os.O_RDONLY)
	os.set_inheritable(fd, True)
	pid = libc.syscall(56, 0x00800000 | 17, 0, 0, 0, 0)
	if pid == 0:
	    if sys.argv[3] == "linger":
	        time.sleep(3)
	        os._exit(0)
	    if sys.argv[3] == "orphan":
	        # A raw execve: no hook, no record; only its exit, as an
	        # orphan reparented to the tool, can show it.
	        time.sleep(0.3)
	        argv = (ctypes.c_char_p * 3)(sys.argv[1].encode(), b"escaped", None)
	        libc.syscall(59, sys.argv[1].encode(), argv, (ctypes.c_char_p * 1)(None))
	        os._exit(127)
	    os.execv(sys.argv[1], [sys.argv[1], "escaped"])
	assert pid > 0, ctypes.get_errno()
	if sys.argv[3] == "wait":
	    os.waitpid(pid, 0)
	EOF
	run "$ni" trace --fail-on-leak -- "$py" "$tmp/untraced.py" "$reporter" "$data" wait
	status 3
	out "^reporter escaped: fds 0 1 2 3\$"
	err "^noinherit: trace: incomplete: .* \(pid [0-9]+\) was not observed: it escaped ptrace \(a clone with CLONE_UNTRACED\)"
	[ -n "$sreporter" ] && [ -x "$sreporter" ] || skip "no static reporter"
	run "$ni" trace --fail-on-leak -- sh -c '"$1" "$2" "$3" "$4" orphan; sleep 2' sh "$py" "$tmp/untraced.py" "$sreporter" "$data"
	status 3
	out "^reporter escaped: fds 0 1 2 3\$"
	err "^noinherit: trace: incomplete: \? \(pid [0-9]+\) was not observed: it escaped ptrace \(a clone with CLONE_UNTRACED\)"
	no_err "refused"
	# Orphaned and still running when CMD ends: found among the tool's
	# children.
	run "$ni" trace --fail-on-leak -- sh -c '"$1" "$2" "$3" "$4" linger; sleep 0.5' sh "$py" "$tmp/untraced.py" "$sreporter" "$data"
	status 3
	err "^noinherit: trace: incomplete: .*python3[.0-9]* \(pid [0-9]+\) was not observed: it escaped ptrace \(a clone with CLONE_UNTRACED\)"
	;;
trace.git)
	# git fetch-pack's transport pipe reaches git index-pack (a real leak).
	need git
	git init -q "$tmp/repo" && echo a >"$tmp/repo/a" &&
	git -C "$tmp/repo" add a &&
	git -C "$tmp/repo" -c user.name=t -c user.email=t@example.org commit -qm a || fail "cannot make a repository"
	run "$ni" trace --json -o "$tmp/report" -- git clone -q --no-local "file://$tmp/repo" "$tmp/clone"
	status 0
	jcheck "$tmp/report" 'any(f["kind"] == "pipe" and f["made_by"] == "pipe" and any("index-pack" in r["argv"] and r["class"] == "leaked" for r in f["receivers"]) for f in F)'
	;;
trace.cxx)
	# A C++ leaker: its frames are named as addr2line -C names them, from
	# DWARF (built -g) and from .dynsym alone (stripped, -rdynamic).
	need c++
	cat >"$tmp/l.cc" <<-'EOF'
	#include <fcntl.h>
	#include <unistd.h>
	namespace ns {
	struct Leaker {
		__attribute__((noinline)) static int open_it(int n)
		{ return open("/dev/null", O_RDONLY) + n * 0; }
	};
	}
	int main(int argc, char **argv)
	{
		(void)argc;
		ns::Leaker::open_it(1);
		execl(argv[1], argv[1], "cxx", (char *)0);
		return 1;
	}
	EOF
	c++ -g -O1 -o "$tmp/l" "$tmp/l.cc" || fail "c++ -g failed"
	c++ -O1 -rdynamic -s -o "$tmp/ls" "$tmp/l.cc" || fail "c++ -s failed"
	run "$ni" trace -- "$tmp/l" "$reporter"
	status 0
	err "^    #0 ns::Leaker::open_it\(int\) at $tmp/l\.cc:6 \(l\+0x[0-9a-f]+\)\$"
	run "$ni" trace -- "$tmp/ls" "$reporter"
	status 0
	err "^    #0 ns::Leaker::open_it\(int\) \(ls\+0x[0-9a-f]+\)\$"
	;;
trace.man)
	# man-db's temporary cat page reaches the formatters (a real leak);
	# man-db's own seccomp filter refuses the shim's socket in its
	# children, so only ptrace sees it: origin unknown, and why.
	need man
	need groff
	mkdir -p "$tmp/m/man1" "$tmp/m/cat1"
	printf '.TH FOO 1\n.SH NAME\nfoo \\- a page\n.SH DESCRIPTION\nHello.\n' >"$tmp/m/man1/foo.1"
	run "$ni" trace --json -o "$tmp/report" -- man -M "$tmp/m" -P cat foo
	status 0
	out "Hello"
	jcheck "$tmp/report" 'any(f["kind"] == "file" and "/cat1/cat" in f["what"] and {"tbl", "troff", "grotty"} <= {r["exe"].rsplit("/", 1)[-1] for r in f["receivers"]} and all(r["class"] == "leaked" for r in f["receivers"]) for f in F)'
	;;
trace.nopie)
	# A position-dependent program: dli_fbase is its first page, not 0.
	[ -n "$nopie" ] && [ -x "$nopie" ] || skip "no -no-pie program (the toolchain cannot link one)"
	run "$ni" trace -- "$nopie" "$reporter" "$data"
	status 0
	count "$tmp/err" "^    #0 make_leaks at .*leaky\.c:[0-9]+ \(leaky_nopie\+0x[0-9a-f]+\)\$" 3
	count "$tmp/err" "^    #1 main at .*leaky\.c:[0-9]+ " 3
	;;
trace.make)
	need make
	mkdir -p "$tmp/tree/sub"
	printf 'all:\n\t+$(MAKE) -C sub\n' >"$tmp/tree/Makefile"
	printf 'all: a b\na b:\n\t@echo $@ > $@.out\n' >"$tmp/tree/sub/Makefile"
	run "$ni" trace --fail-on-leak -- make -s -j2 -C "$tmp/tree"
	status 0
	# make's jobserver pipe crosses into the sub-make, on purpose (make
	# clears close-on-exec with F_SETFD and names the fds in MAKEFLAGS):
	# reported, as passed, and --fail-on-leak passes.
	err "^noinherit: trace: no leak: 2 descriptors crossed an exec"
	err "^passed [0-9]: pipe pipe:\[[0-9]+\]\$"
	err "^  made by pipe\(\) in make"
	err "^    fd [0-9]+ into make \(pid [0-9]+\) from make \(pid [0-9]+\) by .* \[passed: "
	# make tells every recipe of its jobserver (MAKEFLAGS), not only the
	# sub-makes it hands the pipe to: a file a recipe's program leaks
	# onto 3 is not the jobserver, though MAKEFLAGS names 3.  It leaked.
	need python3
	cat >"$tmp/leak3.py" <<'EOF'
import ctypes, os, sys
print("MAKEFLAGS=" + os.environ.get("MAKEFLAGS", ""))
ctypes.CDLL(None).open(sys.argv[2].encode(), os.O_RDONLY)
os.execv(sys.argv[1], [sys.argv[1], "recipe"])
EOF
	printf 'all:\n\t@python3 "$(P)" "$(R)" "$(D)"\n' >"$tmp/tree/leak.mk"
	run "$ni" trace --fail-on-leak -- make -s -j2 -f "$tmp/tree/leak.mk" \
	    P="$tmp/leak3.py" R="$reporter" D="$data"
	status 1
	out "^reporter recipe: fds 0 1 2 3\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from python3[.0-9]* \(pid [0-9]+\) by execv: .* \[leaked\]\$"
	no_err "passed: named"
	# The jobserver itself still passes, in a recipe told of it and
	# given it (+), into the reporter as into a sub-make.
	printf 'all:\n\t+@"$(R)" recipe\n' >"$tmp/tree/given.mk"
	run "$ni" trace --fail-on-leak -- make -s -j2 -f "$tmp/tree/given.mk" R="$reporter"
	status 0
	out "^reporter recipe: fds 0 1 2 3 4\$"
	err "^    fd 3 into reporter \(pid [0-9]+\) from [a-z]+ \(pid [0-9]+\) by .* \[passed: named to the program: M"
	;;
trace.many-fds)
	# 281 descriptors: the shim's records of them do not fit in one line
	# and go on in parts, which the reader joins back.
	need bash
	run "$ni" trace -- bash -c 'for i in $(seq 20 300); do eval "exec $i</dev/null"; done; exec "$1" many' bash "$reporter"
	status 0
	out "^reporter many: fds 0 1 2 20 21 .* 299 300\$"
	n=$(sed -n 's/^reporter many: fds 0 1 2 //p' "$tmp/out" | wc -w)
	[ "$n" -eq 281 ] || fail "the reporter got $n descriptors, expected 281"
	err "^noinherit: trace: no leak: 281 descriptors crossed an exec"
	err "^  made by dup2\(\) in bash"
	count "$tmp/err" "\[passed: dup2\(\) onto fd [0-9]+\]\$" 10
	no_err "malformed"
	;;
trace.preload-override)
	NOINHERIT_PRELOAD=relative/libnoinherit-preload.so run "$ni" trace -- true
	status 2
	err "^noinherit: trace: NOINHERIT_PRELOAD=relative/libnoinherit-preload.so: not an absolute path to a file\$"
	NOINHERIT_PRELOAD=$shim run "$ni" trace -- "$reporter" ok
	status 0
	out "^reporter ok: fds 0 1 2\$"
	;;
trace.log-cleanup)
	# The private log is gone afterwards, and CMD never saw it open.
	mkdir "$tmp/t"
	TMPDIR=$tmp/t run "$ni" trace -- "$reporter" check
	status 0
	out "^reporter check: fds 0 1 2\$"
	[ -z "$(ls -A "$tmp/t")" ] || fail "left in TMPDIR: $(ls -A "$tmp/t")"
	;;
# -------------------------------------------------------------- enforce
enforce.leaky)
	run "$ni" enforce -- "$leaky" "$reporter" "$data"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2\$" 4
	count "$tmp/out" "^reporter " 4
	[ ! -s "$tmp/err" ] || fail "enforce wrote to stderr"
	;;
enforce.exit-status)
	run "$ni" enforce -- sh -c 'exit 7'
	status 7
	run "$ni" enforce -- no-such-command-here
	status 127
	err "^noinherit: enforce: no-such-command-here: command not found\$"
	;;
enforce.bash-exec-fd)
	# bash opens the file straight onto fd 3: no dup2 tells the shim it
	# is meant for children.  Shells are exempt, so it works.
	need bash
	run "$ni" enforce -- bash -c 'exec 3<"$1"; "$2" --read-fd 3' bash "$data" "$reporter"
	status 0
	out "^the data file\$"
	;;
enforce.bash-not-exempt)
	# The reason for the exemption: with no program exempt ("-" drops
	# the default list), bash's fd 3 is close-on-exec and a child that
	# does not name it does not get it...
	need bash
	NOINHERIT_EXEMPT=- run "$ni" enforce -- bash -c 'exec 3<"$1"; "$2" plain' bash "$data" "$reporter"
	status 0
	out "^reporter plain: fds 0 1 2\$"
	# ... while one that names it (--read-fd 3) does.
	NOINHERIT_EXEMPT=- run "$ni" enforce -- bash -c 'exec 3<"$1"; "$2" --read-fd 3' bash "$data" "$reporter"
	status 0
	out "^the data file\$"
	# Exempt (the default), every child gets it.
	NOINHERIT_EXEMPT=nothing run "$ni" enforce -- bash -c 'exec 3<"$1"; "$2" plain' bash "$data" "$reporter"
	status 0
	out "^reporter plain: fds 0 1 2 3\$"
	;;
enforce.make-jobserver)
	need make
	mkdir -p "$tmp/tree/sub"
	printf 'all:\n\t+$(MAKE) -C sub\n' >"$tmp/tree/Makefile"
	printf 'all: a b c d\na b c d:\n\t@sleep 0.1; echo $@ > $@.out\n' >"$tmp/tree/sub/Makefile"
	run "$ni" enforce -- make -j2 -C "$tmp/tree"
	status 0
	no_err "jobserver"
	no_err "warning"
	for t in a b c d; do
		[ -f "$tmp/tree/sub/$t.out" ] || fail "sub/$t.out not built"
	done
	;;
enforce.python-pass-fds)
	need python3
	run "$ni" enforce -- python3 -c '
import os, subprocess, sys
reporter, data = sys.argv[1], sys.argv[2]
r, w = os.pipe()
f = os.open(data, os.O_RDONLY)
os.set_inheritable(f, True)
# pass_fds: the child gets exactly the passed descriptor.
p = subprocess.run([reporter, "pass_fds"], pass_fds=[w], capture_output=True, text=True)
print(p.stdout, end="")
assert p.stdout.startswith("reporter pass_fds: fds 0 1 2 %d\n" % w), p.stdout
# close_fds=False: what Python made inheritable on purpose crosses, the
# rest (non-inheritable by PEP 446) does not.
p = subprocess.run([reporter, "close_fds"], close_fds=False, capture_output=True, text=True)
print(p.stdout, end="")
assert p.stdout.startswith("reporter close_fds: fds 0 1 2 %d\n" % f), p.stdout
' "$reporter" "$data"
	status 0
	out "^reporter pass_fds: fds 0 1 2 [0-9]+\$"
	out "^reporter close_fds: fds 0 1 2 [0-9]+\$"
	;;
enforce.ssh-agent)
	# ssh-agent's socket is found by path ($SSH_AUTH_SOCK): ssh-add must
	# reach the agent (1: no identities) rather than fail to (2).
	need ssh-agent
	need ssh-add
	run "$ni" enforce -- ssh-agent sh -c 'ssh-add -l; echo "ssh-add: $?"'
	status 0
	out "^ssh-add: 1\$"
	;;
trace.unix-names)
	# Socket facts from sock_diag: a path holding a newline, and an
	# abstract name holding a forged /proc/net/unix line, come out whole
	# (one socket a run: trace shows one description a call site).  The
	# child sleeps: trace describes a socket when it reads the exec's
	# record, and the socket must still exist then.
	need python3
	need sleep
	for kind in path abstract; do
		run "$ni" trace -- python3 -c '
import socket, subprocess, sys
tmp, reporter, kind = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX)
if kind == "path":
    s.bind(tmp + "/a\nb.sock")
    s.listen(1)
else:
    s.bind(b"\0ni\n0000000000000000: 00000002 00000000 00010000 0001 01 1 /run/evil.sock")
s.set_inheritable(True)
subprocess.run(["sleep", "1"], close_fds=False, check=True)
' "$tmp" "$reporter" "$kind"
		status 0
		if [ "$kind" = path ]; then
			grep -Fq "socket UNIX $tmp/a\\x0ab.sock STREAM LISTEN [LISTENING]" "$tmp/err" ||
				fail "the listener with a newline in its path is not whole"
		else
			grep -Fq 'socket UNIX @ni\x0a0000000000000000: 00000002 00000000 00010000 0001 01 1 /run/evil.sock STREAM' "$tmp/err" ||
				fail "the abstract name is not whole"
			no_err "LISTENING"
		fi
	done
	;;
enforce.static)
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary (-static does not link here)"
	run "$ni" enforce -- "$static"
	status 0
	out "^static hello\$"
	err "^noinherit: enforce: .*static_hello is statically linked: the shim cannot reach it; it runs without enforcement"
	;;
cli.escape)
	# A file name with every kind of byte that needs escaping, leaked
	# across an exec under trace and held by a process that audit -p
	# reads: both print it the same, exactly as noinherit(1) says.
	name=$(printf 'n\nr\rt\tff\377e\303\251eu\342\202\254em\360\237\230\200c\200tr\342\202x ov\300\257su\355\240\200bs\\q"es\033del\177end')
	f=$tmp/$name
	echo data >"$f" || fail "cannot create the file"
	# Text: control bytes and each byte outside valid UTF-8 as \xNN, a
	# backslash as two, valid UTF-8 as it is.
	text='n\x0ar\x0dt\x09ff\xffeéeu€em😀c\x80tr\xe2\x82x ov\xc0\xafsu\xed\xa0\x80bs\\q"es\x1bdel\x7fend'
	# JSON: \n \r \t, other control characters as \u00NN, U+FFFD for
	# each byte outside valid UTF-8.
	json='n\nr\rt\tff\ufffdeéeu€em😀c\ufffdtr\ufffd\ufffdx ov\ufffd\ufffdsu\ufffd\ufffd\ufffdbs\\q\"es\u001bdel\u007fend'
	has_line() {	# FILE LINE: LINE is a whole line of FILE
		grep -F -x -q -- "$2" "$1" && return
		printf 'expected the line: %s\n' "$2"
		fail "no such line in $(basename "$1")"
	}
	has_text() {	# FILE TEXT
		grep -F -q -- "$2" "$1" && return
		printf 'expected: %s\n' "$2"
		fail "not in $(basename "$1")"
	}
	run "$ni" trace -o "$tmp/report" -- sh -c 'exec 7<"$1"; exec true' sh "$f"
	status 0
	# (a shell's redirection: reported as passed on purpose)
	sed -n 's/^\(leak\|passed\) [0-9]*: //p' "$tmp/report" >"$tmp/leaks"
	has_line "$tmp/leaks" "file $tmp/$text"
	run "$ni" trace --json -o "$tmp/report.json" -- sh -c 'exec 7<"$1"; exec true' sh "$f"
	status 0
	has_text "$tmp/report.json" "\"what\":\"$tmp/$json\""
	sleep 60 7<"$f" &
	holder=$!
	n=0
	while [ ! -e "/proc/$holder/fd/7" ] && [ $n -lt 500 ]; do
		n=$((n + 1))
		sleep 0.01
	done
	"$ni" audit -p "$holder" >"$tmp/audit" 2>"$tmp/err"
	st=$?
	"$ni" audit --json -p "$holder" >"$tmp/audit.json" 2>>"$tmp/err"
	st2=$?
	kill "$holder"
	wait "$holder" 2>/dev/null
	cp "$tmp/audit" "$tmp/out"
	[ "$st" -eq 1 ] && [ "$st2" -eq 1 ] || fail "audit exited $st and $st2, expected 1"
	has_line "$tmp/audit" "      7  file      $tmp/$text"
	has_text "$tmp/audit.json" "\"fd\":7,\"kind\":\"file\",\"target\":\"$tmp/$json\""
	# The JSON is valid UTF-8 throughout.
	if command -v iconv >/dev/null 2>&1; then
		iconv -f UTF-8 -t UTF-8 "$tmp/report.json" "$tmp/audit.json" \
		    >/dev/null || fail "the JSON is not valid UTF-8"
	fi
	# trace's notes on stderr name programs too: the same escape, one
	# line each (a static program, a process that outlives CMD).
	if [ -n "$static" ] && [ -x "$static" ]; then
		cp "$static" "$f" && chmod +x "$f" || fail "cannot copy the static program"
		run "$ni" trace -o "$tmp/report" -- "$f"
		has_line "$tmp/err" "noinherit: trace: $tmp/$text is statically linked: the shim cannot reach it; what crosses its execs is still observed (ptrace), but not where it made it (dynamically linked programs it starts are reached)"
		count "$tmp/err" . 1
	fi
	cp "$(command -v sh)" "$f" || fail "cannot copy sh"
	run "$ni" trace -o "$tmp/report" -- "$f" -c '(sleep 2) & exit 0'
	has_line "$tmp/err" "noinherit: trace: 1 process still ran when $tmp/$text exited: what it execs later is not observed"
	count "$tmp/err" . 1
	;;
*)
	echo "e2e.sh: unknown case $case_"
	exit 2
	;;
esac
echo "ok: $case_"
exit 0
