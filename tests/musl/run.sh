#!/bin/sh
# The library and its tests built with musl-gcc (tests/minicmocka stands in
# for cmocka, which Debian builds for glibc), run natively, then the same
# musl binaries under the glibc-built seccomp sandbox if one is built
# (scripts/test.sh builds it in build-test).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=$src/build-musl
sandbox=$src/build-test/tests/fallback/ni_sandbox
command -v musl-gcc >/dev/null || { echo "musl: musl-gcc not found (musl-tools)"; exit 1; }
CC=musl-gcc cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	-DNI_WERROR=ON -DNI_TEST_MINI_CMOCKA=ON -DNI_TEST_FALLBACK=OFF \
	-DNI_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir"
# Every binary must really be musl's.
for b in src/libnoinherit.so.0 tests/test_create tests/fdcheck; do
	file -L "$dir/$b" 2>/dev/null | grep -q 'ld-musl\|shared object' ||
		{ echo "musl: $b is not a musl binary"; exit 1; }
done
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
		for t in test_create test_inheritable fallback/test_closefds; do
			run $t --seccomp=$mode
		done
	done
	run fallback/test_closefds --hide-proc --seccomp=enosys
else
	echo "musl: $sandbox not built: run scripts/test.sh first for the seccomp runs"
fi
