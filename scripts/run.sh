#!/bin/sh
# The main job: build, then show what noinherit finds here and a child that
# receives only what it should.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build
echo "== noinherit features"
build/tools/noinherit features
echo "== examples/leakdemo"
build/examples/leakdemo
