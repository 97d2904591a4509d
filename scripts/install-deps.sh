#!/bin/sh
# Installs what noinherit needs on Debian 12, skipping what is there.
#   scripts/install-deps.sh build   - to build the library, the tool and the examples
#   scripts/install-deps.sh test    - also the test suite, CI's extra builds and lint
#   scripts/install-deps.sh bench   - the build set plus what the benchmarks need
#   scripts/install-deps.sh windows - the mingw-w64 cross-compilers, clang and Wine
#   scripts/install-deps.sh cross   - the macOS and FreeBSD cross-builds
set -eu

# libdw-dev: elfutils' libdwfl, with which `noinherit trace` names
# backtrace frames (tools/trace_symbols.c; pkg-config finds it).
need="cmake ninja-build gcc libc6-dev pkg-config libdw-dev"
# Wine runs with fewer packages than it recommends, but the set checked on a
# fresh Debian 12 is the one with its recommendations.
recommends=--no-install-recommends
# libglib2.0-dev, libuv1-dev: bench_spawn's peers (built only when found).
bench_peers="libglib2.0-dev libuv1-dev"
case "${1:-build}" in
test)
	# cmocka: the test library; libseccomp-dev: the forced-fallback sandbox;
	# strace: counting refused syscalls; musl-tools, clang: CI's extra builds;
	# libclang-rt-14-dev: clang's sanitizer runtimes; mandoc: man page lint;
	# util-linux: unshare; procps: ps; the bench peers: bench.spawn.smoke;
	# bash, make, python3, openssh-client (ssh-agent): the programs
	# tests/preload_e2e runs under trace and enforce; git and man-db with
	# groff-base: the real leaks trace.git and trace.man find (and, under
	# enforce, protocols.sh); binutils (strip, objcopy): tests/trace_report's
	# stripped and debuglink libraries; python3-jsonschema: validates
	# trace's SARIF against the 2.1.0 schema; valgrind: CI's memcheck step
	# (tests/valgrind/run.sh); for protocols.sh (issue 12): nginx, systemd
	# (systemd-socket-activate), gnupg, dbus (dbus-run-session), parallel,
	# bsdutils (script), dash, perl; g++: trace.cxx's C++ program (its
	# frames' names demangled); busybox: trace.busybox (an applet is not a
	# shell).
	need="$need libcmocka-dev libseccomp-dev strace musl-tools clang \
libclang-rt-14-dev clang-tidy mandoc util-linux procps lsof $bench_peers \
bash make python3 openssh-client binutils git man-db groff-base \
python3-jsonschema valgrind nginx systemd gnupg dbus parallel bsdutils \
dash perl g++ busybox"
	;;
bench)
	# lsof: bench_audit's rival; gnuplot-nox: bench_spawn --plot;
	# make, gcc, git: bench_preload's make and git rows.
	need="$need $bench_peers lsof gnuplot-nox make git"
	;;
windows)
	# mingw-w64: the cross-compilers (x86_64 and i686); clang, lld: the
	# clang --target=x86_64-w64-mingw32 build; npm: installs Zig for the
	# UCRT build (scripts/get-zig.sh); wine64 (with wine's wineboot): runs
	# the Windows tests; pkg-config: the consumer check.
	need="cmake ninja-build pkg-config mingw-w64 clang lld npm wine64 wine"
	recommends=
	;;
cross)
	# clang-14, lld-14: the FreeBSD build; llvm-14: llvm-nm, llvm-ar,
	# llvm-objdump, llvm-readelf; npm: installs Zig 0.11, the macOS
	# compiler (scripts/get-zig.sh); xz-utils: the FreeBSD sysroot.
	need="cmake ninja-build clang-14 lld-14 llvm-14 npm xz-utils"
	;;
esac

# npm may come from elsewhere than Debian (NodeSource's nodejs ships its own,
# and conflicts with Debian's npm package): any npm on PATH will do.
if command -v npm >/dev/null; then
	need=$(printf '%s\n' $need | grep -vx npm | tr '\n' ' ')
fi
missing=""
for p in $need; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# (Other jobs may hold the dpkg lock: wait for it rather than fail.)
apt-get -o DPkg::Lock::Timeout=600 update -qq
# Packages installed for the tests start no service (nginx would listen on
# port 80 of every interface): Debian's policy-rc.d, for this install only.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy=/usr/sbin/policy-rc.d
fi
# shellcheck disable=SC2086
st=0
apt-get -o DPkg::Lock::Timeout=600 install -y -qq $recommends $missing >/dev/null || st=$?
[ -z "$policy" ] || rm -f "$policy"
exit $st
