#!/bin/sh
# Installs the mingw-w64 cross-compiler and Wine if missing, cross-builds the
# library and its Windows tests with warnings as errors, runs the tests
# under Wine (in a Wine prefix inside the build tree), then installs the
# build and cross-builds a consumer against it (tests/consumer).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh windows
dir=${NI_BUILD_DIR:-build-windows}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNI_WERROR=ON \
	-DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake "$@" >/dev/null
cmake --build "$dir"
cd "$dir"
status=0
ctest --output-on-failure -j2 || status=$?
# Wine's server lingers a few seconds after its last program: stop it now so
# that nothing of this run outlives it.
WINEPREFIX=$PWD/wineprefix wineserver -k 2>/dev/null || true
[ $status -eq 0 ] || exit $status
cd - >/dev/null
# Installed, then used by a consumer: find_package and pkg-config.
sh tests/consumer/run-windows.sh
