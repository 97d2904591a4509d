#!/bin/sh
# Installs missing test dependencies, builds everything with warnings as
# errors and runs the whole test suite (native, forced fallbacks, lint).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh test
dir=${NI_BUILD_DIR:-build-test}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNI_WERROR=ON \
	-DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" >/dev/null
cmake --build "$dir"
cd "$dir"
if [ -n "${NI_CTEST_EXCLUDE:-}" ]; then
	ctest --output-on-failure -j2 -E "$NI_CTEST_EXCLUDE"
else
	ctest --output-on-failure -j2
fi
