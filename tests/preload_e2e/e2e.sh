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
ni= shim= leaky= reporter= static= nopie=
for kv in "$@"; do
	case $kv in
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
unset NOINHERIT_PRELOAD NOINHERIT_EXEMPT NOINHERIT_ADDR2LINE

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
		err "^    fd [0-9]+ into [a-z]+ \(pid [0-9]+\) from leaky \(pid [0-9]+\) by $call: "
	done
	# The shell system() and popen() run passes them on to the reporter.
	err "^    fd [0-9]+ into reporter \(pid [0-9]+\) from [a-z]+ \(pid [0-9]+\) by execve: .*reporter system\$"
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
trace.static)
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary (-static does not link here)"
	run "$ni" trace -- "$static"
	status 0
	out "^static hello\$"
	err "^noinherit: trace: .*static_hello is statically linked: the shim cannot reach it; nothing it does itself will be reported"
	err "never reported to the shim"
	;;
trace.no-addr2line)
	# Without addr2line the report still stands: objects and offsets,
	# dladdr's names where there are some.
	NOINHERIT_ADDR2LINE=$tmp/no-such-addr2line
	export NOINHERIT_ADDR2LINE
	run "$ni" trace -- "$leaky" "$reporter" "$data"
	status 0
	count "$tmp/err" "^    #0 \?\? \(leaky\+0x[0-9a-f]+\)\$" 3
	err "^    #[0-9]+ __libc_start_main \(libc\.so\.6\+0x[0-9a-f]+\)\$"
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
	run "$ni" trace -- make -s -j2 -C "$tmp/tree"
	status 0
	# make's jobserver pipe crosses into the sub-make, on purpose: trace
	# reports what crossed, wanted or not.
	err "^leak [0-9]: pipe pipe:\[[0-9]+\]\$"
	err "^  made by pipe\(\) in make"
	err "^    fd [0-9]+ into make \(pid [0-9]+\) from make \(pid [0-9]+\) by "
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
	err "^noinherit: trace: 1 leak: 281 descriptors crossed an exec"
	err "^  made by dup2\(\) in bash"
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
	# The reason for the exemption: with no program exempt, bash's fd 3
	# is close-on-exec and the child cannot read it.
	need bash
	NOINHERIT_EXEMPT= run "$ni" enforce -- bash -c 'exec 3<"$1"; "$2" --read-fd 3' bash "$data" "$reporter"
	status 1
	err "reporter: read fd 3: Bad file descriptor"
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
	sed -n 's/^leak [0-9]*: //p' "$tmp/report" >"$tmp/leaks"
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
	;;
*)
	echo "e2e.sh: unknown case $case_"
	exit 2
	;;
esac
echo "ok: $case_"
exit 0
