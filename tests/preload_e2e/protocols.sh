#!/bin/sh
# protocols.sh CASE ni=PATH shim=PATH reporter=PATH leaky=PATH static=PATH
#
# `noinherit enforce` on the real programs of issue #12, both directions:
# the inheritance protocols they use keep working with no configuration
# (descriptors named in the child's argv/environment, or carrying a lock,
# cross), and the leaks stay stopped, as seen by the receiving program
# itself (a PATH or exec-path wrapper runs the reporter, which lists what
# it received, then execs the real program).  One CASE per ctest entry
# (CMakeLists.txt).  Exit 0 pass, 1 fail (output shown), 77 skipped: the
# shim is not built, or the program is not installed (scripts/install-deps.sh
# installs every one of them in CI).  Servers listen on 127.0.0.1 only,
# everything runs under `timeout`, and what a case starts is stopped by pid.
set -u
case_=$1
shift
ni= shim= reporter= leaky= static=
for kv in "$@"; do
	case $kv in
	static=*) static=${kv#static=} ;;
	ni=*) ni=${kv#ni=} ;;
	shim=*) shim=${kv#shim=} ;;
	reporter=*) reporter=${kv#reporter=} ;;
	leaky=*) leaky=${kv#leaky=} ;;
	*) echo "protocols.sh: unknown argument $kv"; exit 2 ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ -n "$shim" ] && [ -f "$shim" ] || skip "libnoinherit-preload.so is not built"
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not found (scripts/install-deps.sh test installs it)"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ni-proto.XXXXXX") || exit 2
chmod 755 "$tmp"
pids=
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	# gpg starts an agent for its home directory: stopped with it.
	[ -d "$tmp/gh" ] && gpgconf --homedir "$tmp/gh" --kill all 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
unset NOINHERIT_PRELOAD NOINHERIT_EXEMPT NOINHERIT_ADDR2LINE
data=$tmp/data.txt
echo "the data file" >"$data"

# run CMD...: status in $st, stdout in $tmp/out, stderr in $tmp/err; CMD
# starts with the standard streams only, whatever the harness left open.
run() {
	echo "+ $*"
	timeout 120 "$ni" exec -- "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
}
# notes_gone DIR WHAT: DIR (a private TMPDIR) empties within 5 seconds:
# enforce's marker directory is removed by a watcher once the run's first
# process has exited, so a moment after the tool's status.
notes_gone() {
	i=0
	while [ -n "$(ls -A "$1")" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "left in TMPDIR after $2: $(ls -A "$1")"
		sleep 0.05
	done
}
show() {
	echo "--- status $st"
	echo "--- stdout"; cat "$tmp/out"
	echo "--- stderr"; cat "$tmp/err"
	for f in "$tmp"/*.txt "$tmp"/*.log "$tmp"/*/*.log; do
		[ -f "$f" ] && { echo "--- $f"; cat "$f"; }
	done
}
fail() { echo "FAIL: $*"; show; exit 1; }
status() { [ "$st" -eq "$1" ] || fail "exit status $st, expected $1"; }
out() { grep -Eq -- "$1" "$tmp/out" || fail "stdout does not match: $1"; }
in_file() { grep -Eq -- "$2" "$1" || fail "$(basename "$1") does not match: $2"; }
not_in_file() { ! grep -Eq -- "$2" "$1" || fail "$(basename "$1") matches: $2"; }
# count FILE REGEX N: exactly N lines of FILE match
count() {
	n=$(grep -Ec -- "$2" "$1")
	[ "$n" -eq "$3" ] || fail "$n lines of $(basename "$1") match '$2', expected $3"
}
# A free TCP port on 127.0.0.1 (and the next one, for two listeners).
free_port() {
	python3 -c 'import socket
for _ in range(50):
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1)); print(p); break
    except OSError:
        pass
    finally:
        a.close(); b.close()'
}
# wait_for FILE: up to 10 s for FILE to exist and be non-empty.
wait_for() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.05
	done
}
# wrapper DIR NAME REAL: DIR/NAME reports what it received into
# $tmp/fds.txt, then execs REAL.
# A descriptor beyond 2 that the reporter received (an "fd" line of its
# report with close-on-exec clear), then its TEXT field; append the target.
passed='^fd ([3-9]|[1-9][0-9]+) [0-9]+ [0-9]+ 0 [^ ]+ '
wrapper() {
	mkdir -p "$1"
	printf '#!/bin/sh\n"%s" "%s" >>"%s/fds.txt"\nexec "%s" "$@"\n' \
	    "$reporter" "$2" "$tmp" "$3" >"$1/$2"
	chmod 755 "$1/$2"
}

case $case_ in
# ------------------------------------------------- protocols keep working
enforce.flock-no-fork)
	# flock's lock must outlive its exec of CMD: a second flock -n fails
	# while CMD runs.  (Without the lock crossing, it succeeded: issue 12.)
	need flock
	run "$ni" enforce -- flock --no-fork "$tmp/lock" sh -c 'flock -n "$1" true; echo "second: $?"' sh "$tmp/lock"
	status 0
	out "^second: 1\$"
	# The lock goes with flock's descriptor only: unlocked, nothing held.
	run "$ni" enforce -- sh -c 'flock -n "$1" true; echo "alone: $?"' sh "$tmp/lock"
	out "^alone: 0\$"
	;;
enforce.socket-activate)
	# LISTEN_FDS=1 with LISTEN_PID: the service gets its socket as fd 3.
	need systemd-socket-activate
	need python3
	port=$(free_port)
	for mode in exec accept; do
		a=
		[ $mode = accept ] && a=-a
		: >"$tmp/sa.txt"
		timeout 20 "$ni" exec -- "$ni" enforce -- systemd-socket-activate $a \
		    -l "127.0.0.1:$port" "$reporter" "activated-$mode" \
		    >"$tmp/sa.txt" 2>"$tmp/sa.log" </dev/null &
		pid=$!
		pids="$pids $pid"
		python3 -c 'import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close(); break
    except OSError:
        time.sleep(0.05)' "$port"
		wait_for "$tmp/sa.txt" || { st=-1; fail "the service never ran ($mode)"; }
		sleep 0.2
		in_file "$tmp/sa.txt" "^reporter activated-$mode: fds 0 1 2 3\$"
		in_file "$tmp/sa.txt" "^fd 3 [0-9]+ [0-9]+ 0 [^ ]+ socket:"
		kill -TERM $pid 2>/dev/null
		wait $pid 2>/dev/null
	done
	;;
enforce.nginx-upgrade)
	# The binary upgrade: USR2 makes the master exec the new binary with
	# NGINX="4;5;"; the new master must take over the listening sockets.
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	[ -x "$nginx" ] || skip "nginx not found (scripts/install-deps.sh test installs nginx-light)"
	need python3
	port=$(free_port)
	mkdir -p "$tmp/ngx"
	cat >"$tmp/ngx/nginx.conf" <<EOF
daemon on;
master_process on;
worker_processes 1;
pid $tmp/ngx/nginx.pid;
error_log $tmp/ngx/error.log info;
events { worker_connections 16; }
http {
  access_log off;
  client_body_temp_path $tmp/ngx/body;
  proxy_temp_path $tmp/ngx/proxy;
  fastcgi_temp_path $tmp/ngx/fastcgi;
  uwsgi_temp_path $tmp/ngx/uwsgi;
  scgi_temp_path $tmp/ngx/scgi;
  server { listen 127.0.0.1:$port; location / { return 200 "one\n"; } }
  server { listen 127.0.0.1:$((port + 1)); location / { return 200 "two\n"; } }
}
EOF
	run "$ni" enforce -- "$nginx" -p "$tmp/ngx" -c "$tmp/ngx/nginx.conf"
	status 0
	wait_for "$tmp/ngx/nginx.pid" || fail "nginx did not start"
	old=$(cat "$tmp/ngx/nginx.pid")
	pids="$pids $old"
	# A USR2 before the master's loop is noted but acted on only at the
	# next signal: wait until it has started its worker.
	i=0
	until grep -q "start worker process" "$tmp/ngx/error.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 200 ] || fail "no worker"; sleep 0.05
	done
	kill -USR2 "$old"
	wait_for "$tmp/ngx/nginx.pid.oldbin" || fail "the new binary did not start"
	i=0
	until [ -s "$tmp/ngx/nginx.pid" ] && [ "$(cat "$tmp/ngx/nginx.pid")" != "$old" ]; do
		i=$((i + 1)); [ $i -lt 200 ] || fail "no new master"; sleep 0.05
	done
	new=$(cat "$tmp/ngx/nginx.pid")
	pids="$pids $new"
	# The old master goes; the new one serves both ports alone.
	kill -QUIT "$old"
	i=0
	while kill -0 "$old" 2>/dev/null && [ "$(ps -o stat= -p "$old" 2>/dev/null | cut -c1)" != Z ]; do
		i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.05
	done
	python3 - "$port" >"$tmp/out" 2>&1 <<'EOF' || fail "the new master does not serve"
import sys, urllib.request
p = int(sys.argv[1])
for port, want in ((p, b"one\n"), (p + 1, b"two\n")):
    got = urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=5).read()
    assert got == want, (port, got)
print("served")
EOF
	kill -QUIT "$new"
	in_file "$tmp/ngx/error.log" 'using inherited sockets from "[0-9]+;[0-9]+;"'
	not_in_file "$tmp/ngx/error.log" "inherited socket .* failed|Address already in use|\\[emerg\\]|\\[alert\\]"
	;;
enforce.apt-local-deb)
	# apt-get installs a local package: dpkg gets its --status-fd pipe,
	# and none of apt's /dev/null descriptors (seen by a dpkg wrapper).
	need apt-get
	need dpkg-deb
	[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
	mkdir -p "$tmp/pkg/DEBIAN" "$tmp/pkg/usr/share/ni-enforce-test" "$tmp/bin"
	echo hi >"$tmp/pkg/usr/share/ni-enforce-test/x"
	printf 'Package: ni-enforce-test\nVersion: 1.0\nArchitecture: all\nMaintainer: noinherit tests <root@localhost>\nDescription: noinherit enforce test package\n test only\n' >"$tmp/pkg/DEBIAN/control"
	dpkg-deb -b "$tmp/pkg" "$tmp/ni-enforce-test_1.0_all.deb" >/dev/null || fail "dpkg-deb"
	wrapper "$tmp/bin" dpkg "$(command -v dpkg)"
	trap 'dpkg -P ni-enforce-test >/dev/null 2>&1; cleanup' EXIT
	run "$ni" enforce -- apt-get -o DPkg::Lock::Timeout=600 \
	    -o Dir::Bin::dpkg="$tmp/bin/dpkg" install -y "$tmp/ni-enforce-test_1.0_all.deb"
	status 0
	grep -q "unable to read filedescriptor" "$tmp/out" "$tmp/err" && fail "dpkg lost its status fd"
	dpkg -s ni-enforce-test >/dev/null 2>&1 || fail "the package is not installed"
	# Each dpkg run got 0-2, the install also its status pipe; no /dev/null.
	in_file "$tmp/fds.txt" "^reporter dpkg: fds 0 1 2 [0-9]+\$"
	in_file "$tmp/fds.txt" "${passed}pipe:"
	not_in_file "$tmp/fds.txt" "${passed}/dev/null"
	count "$tmp/fds.txt" "$passed" "$(grep -c '^reporter dpkg: fds 0 1 2 [0-9]' "$tmp/fds.txt")"
	;;
enforce.gpg-fds)
	# gpg --status-fd/--passphrase-fd/--command-fd from an enforced bash
	# ("-": no shell exempt), whose `exec 3>...` lands on the numbers
	# without a dup2; then from an exempt one.
	need gpg
	need bash
	mkdir -m 700 "$tmp/gh"
	echo "a passphrase" >"$tmp/pass"
	echo plaintext >"$tmp/in"
	: >"$tmp/cmds"
	for ex in - ""; do
		rm -f "$tmp/status.txt" "$tmp/in.gpg"
		NOINHERIT_EXEMPT=$ex run "$ni" enforce -- bash -c 'cd "$1" && exec 3>status.txt 4<pass 5<cmds && gpg --batch --homedir gh --pinentry-mode loopback --status-fd 3 --passphrase-fd 4 --command-fd 5 --symmetric -o in.gpg in' bash "$tmp"
		status 0
		in_file "$tmp/status.txt" "^\\[GNUPG:\\] BEGIN_ENCRYPTION"
		in_file "$tmp/status.txt" "^\\[GNUPG:\\] END_ENCRYPTION"
		# The passphrase came through fd 4: it decrypts with it.
		echo "a passphrase" | timeout 60 gpg --batch --homedir "$tmp/gh" --pinentry-mode loopback --passphrase-fd 0 -d "$tmp/in.gpg" >"$tmp/out" 2>/dev/null
		out "^plaintext\$"
	done
	;;
enforce.make-output-sync)
	# make -O -j2 with a recursive sub-make: the jobserver (MAKEFLAGS
	# --jobserver-auth=R,W) and the output sync keep working.
	need make
	mkdir -p "$tmp/tree/sub"
	printf 'all:\n\t+$(MAKE) -C sub\n' >"$tmp/tree/Makefile"
	printf 'all: a b c d\na b c d:\n\t@echo start $@; sleep 0.1; echo end $@\n\t@"%s" $@\n' "$reporter" >"$tmp/tree/sub/Makefile"
	run "$ni" enforce -- make -O -j2 --no-print-directory -C "$tmp/tree"
	status 0
	! grep -Eq "jobserver|warning" "$tmp/err" || fail "make warned"
	for t in a b c d; do
		# -O: each target's lines together, start then end.
		grep -A1 "^start $t\$" "$tmp/out" | grep -q "^end $t\$" || fail "output of $t not grouped"
		# The recipes themselves get no jobserver descriptors.
		out "^reporter $t: fds 0 1 2\$"
	done
	;;
enforce.dbus-session)
	# dbus-run-session starts dbus-daemon --print-address=N.
	need dbus-run-session
	need dbus-daemon
	run "$ni" enforce -- timeout 30 dbus-run-session -- sh -c 'echo "address: $DBUS_SESSION_BUS_ADDRESS"'
	status 0
	out "^address: unix:"
	;;
enforce.dash-exec-fd)
	# dash opens `exec 3<f` straight onto fd 3, like bash: exempt, it works.
	need dash
	run "$ni" enforce -- dash -c 'exec 3<"$1"; "$2" --read-fd 3' dash "$data" "$reporter"
	status 0
	out "^the data file\$"
	run "$ni" enforce -- dash -c 'exec 3<"$1"; "$2" plain' dash "$data" "$reporter"
	out "^reporter plain: fds 0 1 2 3\$"
	;;
enforce.perl-maxsysfd)
	# perl clears close-on-exec itself for fds up to $^F: unchanged.
	need perl
	run "$ni" enforce -- perl -e '$^F = 10; open(my $f, "<", $ARGV[0]) or die; open(my $g, "<", $ARGV[0]) or die; system($ARGV[1], "plain") == 0 or die; $^F = 2; open(my $h, "<", $ARGV[0]) or die; exec($ARGV[1], "after")' "$data" "$reporter"
	status 0
	out "^reporter plain: fds 0 1 2 3 4\$"
	out "^reporter after: fds 0 1 2 3 4\$"
	;;
enforce.runners)
	# script (a pty), xargs -P, GNU parallel: they run their commands,
	# which receive the standard streams only.
	need script
	need xargs
	run "$ni" enforce -- script -qec "'$reporter' in-script" /dev/null
	status 0
	out "^reporter in-script: fds 0 1 2"
	run "$ni" enforce -- sh -c 'printf "x1\nx2\nx3\nx4\n" | xargs -P2 -n1 "$1"' sh "$reporter"
	status 0
	count "$tmp/out" "^reporter x[1-4]: fds 0 1 2\$" 4
	need parallel
	run "$ni" enforce -- parallel --will-cite -j2 "$reporter" ::: p1 p2 p3
	status 0
	count "$tmp/out" "^reporter p[1-3]: fds 0 1 2\$" 3
	;;
# ------------------------------------------------------ leaks stay stopped
enforce.git-clone)
	# git clone over file://: without enforce index-pack receives the
	# transport pipe; under enforce, the standard streams only.
	need git
	core=$(git --exec-path)
	mkdir -p "$tmp/exec"
	for f in "$core"/*; do ln -s "$f" "$tmp/exec/"; done
	rm "$tmp/exec/git"
	printf '#!/bin/sh\ncase "$1" in index-pack|unpack-objects) "%s" "$1" >>"%s/fds.txt" ;; esac\nexec "%s/git" "$@"\n' \
	    "$reporter" "$tmp" "$core" >"$tmp/exec/git"
	chmod 755 "$tmp/exec/git"
	git init -q "$tmp/src"
	for i in 1 2 3; do
		echo $i >"$tmp/src/f$i"
		git -C "$tmp/src" add "f$i"
		git -C "$tmp/src" -c user.name=t -c user.email=t@t commit -qm "c$i"
	done
	GIT_EXEC_PATH=$tmp/exec run git clone -q --no-local "file://$tmp/src" "$tmp/plain"
	status 0
	in_file "$tmp/fds.txt" "^reporter index-pack: fds 0 1 2 [0-9]"
	rm "$tmp/fds.txt"
	GIT_EXEC_PATH=$tmp/exec run "$ni" enforce -- git clone -q --no-local "file://$tmp/src" "$tmp/enforced"
	status 0
	[ -f "$tmp/enforced/f3" ] || fail "the clone is incomplete"
	in_file "$tmp/fds.txt" "^reporter index-pack: fds 0 1 2\$"
	;;
enforce.man)
	# man formatting a page while saving its cat page: without enforce the
	# formatters receive the cat file; under enforce, nothing.
	need man
	need script
	mkdir -p "$tmp/mp/man1" "$tmp/mp/cat1" "$tmp/bin"
	chmod 777 "$tmp/mp/cat1" "$tmp"
	printf '.TH NITEST 1\n.SH NAME\nnitest \\- a page\n.SH DESCRIPTION\nHello from the page.\n' >"$tmp/mp/man1/nitest.1"
	for p in preconv tbl nroff groff; do
		real=$(command -v $p) && wrapper "$tmp/bin" $p "$real"
	done
	export MANPATH="$tmp/mp" MANPAGER=cat MAN_DISABLE_SECCOMP=1
	PATH=$tmp/bin:$PATH run script -qec "man nitest" /dev/null
	status 0
	out "Hello from the page"
	in_file "$tmp/fds.txt" "${passed}.*/cat1/"
	rm -f "$tmp/fds.txt" "$tmp/mp/cat1/"*
	PATH=$tmp/bin:$PATH run "$ni" enforce -- script -qec "man nitest" /dev/null
	status 0
	out "Hello from the page"
	in_file "$tmp/fds.txt" "^reporter (nroff|groff): fds 0 1 2\$"
	not_in_file "$tmp/fds.txt" "$passed"
	[ -n "$(ls "$tmp/mp/cat1")" ] || fail "the cat page was not saved"
	;;
enforce.scrubbed-env)
	# env -i drops LD_PRELOAD and NOINHERIT_*: the shim puts them back,
	# so leaky (and what it starts) is still enforced.
	need env
	run "$ni" enforce -- env -i "$leaky" "$reporter" "$data"
	status 0
	count "$tmp/out" "^reporter (system|popen|posix_spawn|fork-execv): fds 0 1 2\$" 4
	# trace too: the scrubbed child's leaks are still reported.
	run "$ni" trace -- env -i "$leaky" "$reporter" "$data"
	status 0
	grep -q "^noinherit: trace: 3 leaks" "$tmp/err" || fail "trace lost the scrubbed child"
	;;
# ------------------------------------------------------ what it cannot reach
enforce.unreachable)
	# A static program run three times, from three processes, is named
	# once; so is a set-user-ID one (to someone else).  The run's marker
	# directory is swept by the next run once its first process is gone.
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary (-static does not link here)"
	mkdir "$tmp/t"
	cp "$static" "$tmp/static"
	suid=
	if [ "$(id -u)" -eq 0 ]; then
		cp "$reporter" "$tmp/suid"
		chown 65534 "$tmp/suid" && chmod 4755 "$tmp/suid" && suid=$tmp/suid
	fi
	TMPDIR=$tmp/t run "$ni" enforce -- sh -c '"$1"; "$1"; sh -c "\"\$1\"" sh "$1"; [ -z "$2" ] || { "$2" a; "$2" b; }' sh "$tmp/static" "$suid"
	status 0
	count "$tmp/out" "^static hello\$" 3
	count "$tmp/err" "^noinherit: enforce: $tmp/static is statically linked: the shim cannot reach it; not enforced\$" 1
	if [ -n "$suid" ]; then
		count "$tmp/err" "^noinherit: enforce: $tmp/suid is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it; not enforced\$" 1
		count "$tmp/out" "^reporter [ab]: fds 0 1 2\$" 2
	fi
	count "$tmp/err" "^noinherit: enforce:" "$([ -n "$suid" ] && echo 2 || echo 1)"
	# Dynamically linked programs are not named.
	TMPDIR=$tmp/t run "$ni" enforce -- sh -c '"$1" x' sh "$reporter"
	status 0
	[ ! -s "$tmp/err" ] || fail "a note for a reachable program"
	notes_gone "$tmp/t" "the runs"
	;;
enforce.notes-cleanup)
	# The run's marker directory is there while the run is, and goes once
	# its first process is gone, however that ends: dash's exit (no
	# destructor of the shim ran there), SIGTERM, SIGKILL.
	[ -n "$static" ] && [ -x "$static" ] || skip "no static binary (-static does not link here)"
	need dash
	mkdir "$tmp/t"
	TMPDIR=$tmp/t run "$ni" enforce -- dash -c '"$1"; [ -n "$(ls -A "$TMPDIR")" ] && echo made' sh "$static"
	status 0
	count "$tmp/out" "^made\$" 1
	count "$tmp/err" "^noinherit: enforce: .* is statically linked" 1
	notes_gone "$tmp/t" "dash's exit"
	TMPDIR=$tmp/t run "$ni" enforce -- dash -c '"$1"; kill -TERM $$' sh "$static"
	status 143
	notes_gone "$tmp/t" "SIGTERM"
	TMPDIR=$tmp/t run "$ni" enforce -- dash -c '"$1"; kill -KILL $$' sh "$static"
	status 137
	notes_gone "$tmp/t" "SIGKILL"
	# NOINHERIT_NOTES set to a path of its choosing inside the tree: the
	# shim makes nothing there (the note is still said).
	TMPDIR=$tmp/t run "$ni" enforce -- dash -c 'NOINHERIT_NOTES=$1/noinherit-notes-chosen dash -c "\"\$1\"" sh "$2"' sh "$tmp" "$static"
	status 0
	count "$tmp/err" "^noinherit: enforce: .* is statically linked" 1
	[ ! -e "$tmp/noinherit-notes-chosen" ] || fail "the shim made $tmp/noinherit-notes-chosen"
	notes_gone "$tmp/t" "a chosen NOINHERIT_NOTES"
	;;
*)
	echo "protocols.sh: unknown case $case_"
	exit 2
	;;
esac
echo "ok: $case_"
exit 0
