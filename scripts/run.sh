#!/bin/sh
# The main job: build, then audit the shell that ran this script (what
# would it leak into its next child?), show what the script itself was
# handed, and a child that receives only what it should.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
	-DNI_BUILD_TOOLS=ON -DNI_BUILD_EXAMPLES=ON >/dev/null
cmake --build build
ni=build/tools/noinherit

# audit exits 1 when it finds leak-prone descriptors: a finding, not a failure.
audit() {
	st=0
	"$ni" audit "$@" || st=$?
	[ "$st" -le 1 ] || exit "$st"
}
echo "== noinherit audit -p $PPID  (the shell that started this script)"
audit -p "$PPID"
echo
echo "== noinherit audit  (descriptors this command inherited: its caller's leaks)"
audit
echo
echo "== noinherit features"
"$ni" features
echo
echo "== examples/leakdemo"
build/examples/leakdemo
