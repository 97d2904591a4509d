#!/bin/sh
# Builds every documented option combination (README "Build, install,
# use", tests/musl, the portable spawn child) with warnings as errors, each
# in build-opt/NAME: a combination that no longer builds fails here, not in
# a user's hands.  `-DNI_ASAN=ON` with default options once failed to link
# the bench's static child (issue 14).  Usage: scripts/build-options.sh
# [--configure-only]
set -eu
cd "$(dirname "$0")/.."
only=
[ "${1:-}" = "--configure-only" ] && only=1
run() {
	name=$1
	shift
	printf '%s: ' "$name"
	dir=build-opt/$name
	if ! cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DNI_WERROR=ON "$@" >"$dir.log" 2>&1; then
		echo "configure FAILED"; tail -20 "$dir.log"; exit 1
	fi
	if [ -z "$only" ] && ! cmake --build "$dir" >>"$dir.log" 2>&1; then
		echo "build FAILED"; grep -m5 -B2 -A8 'error' "$dir.log"; exit 1
	fi
	echo ok
}
mkdir -p build-opt
run asan -DNI_ASAN=ON
run ubsan -DNI_UBSAN=ON
run tsan -DNI_TSAN=ON
run asan-ubsan -DNI_ASAN=ON -DNI_UBSAN=ON
run portable -DNI_SPAWN_PORTABLE=ON
run lib-only -DNI_BUILD_TOOLS=OFF -DNI_BUILD_EXAMPLES=OFF -DNI_BUILD_BENCH=OFF
run mini-cmocka -DNI_TEST_FALLBACK=OFF -DNI_TEST_MINI_CMOCKA=ON
run no-tests -DBUILD_TESTING=OFF
# The shim with libgcc_s loaded at start-up instead of linked in: built,
# and its trace tests run (the backtraces come from the other unwinder).
run unwind-dlopen -DNI_SHIM_STATIC_UNWIND=OFF -DNI_BUILD_BENCH=OFF
if [ -z "$only" ] && [ -f build-opt/unwind-dlopen/preload/libnoinherit-preload.so ]; then
	if nm build-opt/unwind-dlopen/preload/libnoinherit-preload.so |
	    grep -q '_Unwind_Backtrace$'; then
		echo "unwind-dlopen: the unwinder is linked in"; exit 1
	fi
	printf 'unwind-dlopen tests: '
	if ! (cd build-opt/unwind-dlopen && ctest -R '^preload\.trace|^trace\.leaky$' \
		--output-on-failure >../unwind-dlopen.test.log 2>&1); then
		echo FAILED; tail -30 build-opt/unwind-dlopen.test.log; exit 1
	fi
	echo ok
fi
