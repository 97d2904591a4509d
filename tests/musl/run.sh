#!/bin/sh
# The library and its tests built with musl-gcc (tests/minicmocka stands in
# for cmocka, which Debian builds for glibc; and without libdw, for the same
# reason: trace then names frames by dladdr alone), run natively, then the same
# musl binaries under the glibc-built seccomp sandbox if one is built
# (scripts/test.sh builds it in build-test).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=$src/build-musl
sandbox=$src/build-test/tests/fallback/ni_sandbox
command -v musl-gcc >/dev/null || { echo "musl: musl-gcc not found (musl-tools)"; exit 1; }
CC=musl-gcc cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	-DNI_WERROR=ON -DNI_TEST_MINI_CMOCKA=ON -DNI_TEST_FALLBACK=OFF \
	-DNI_BUILD_BENCH=OFF -DNI_WITH_LIBDW=OFF >/dev/null
cmake --build "$dir"
# The API test programs, as tests/CMakeLists.txt registers them (NI_API_TESTS:
# the ctest create.file runs tests/test_create_file).
progs=$(cd "$dir" && ctest -N |
	sed -nE 's/^ *Test +#[0-9]+: (create\.[a-z_]+|inheritable)$/test_\1/p' | tr . _)
[ -n "$progs" ] || { echo "musl: no test programs in ctest -N"; exit 1; }
# Every binary must really be musl's: programs ask for musl's loader, the
# library for musl's libc.so (glibc's is libc.so.6).
for b in tests/reporter $(printf 'tests/%s ' $progs); do
	readelf -l "$dir/$b" | grep -q 'interpreter: /lib/ld-musl' ||
		{ echo "musl: $b is not a musl program"; exit 1; }
done
readelf -d "$dir/src/libnoinherit.so.0" | grep -q 'NEEDED.*\[libc\.so\]' ||
	{ echo "musl: libnoinherit.so.0 is not linked against musl"; exit 1; }
(cd "$dir" && ctest --output-on-failure)
# run WHAT SANDBOX-OPTION...: the musl test WHAT under the sandbox; the last
# line (the counts) is shown, everything on failure.
run() {
	t=$1
	shift
	echo "musl: $t under $*"
	if ! "$sandbox" "$@" -- "$dir/tests/$t" >"$dir/last.log" 2>&1; then
		cat "$dir/last.log"
		echo "musl: $t failed under $*"
		exit 1
	fi
	tail -n 1 "$dir/last.log"
}
if [ -x "$sandbox" ]; then
	for mode in enosys eperm; do
		for t in $progs fallback/test_closefds; do
			run $t --seccomp=$mode
		done
	done
	run fallback/test_closefds --hide-proc --seccomp=enosys
else
	echo "musl: $sandbox not built: run scripts/test.sh first for the seccomp runs"
fi
