#!/bin/sh
# The Windows build installed into a temporary prefix, then a tiny consumer
# cross-built against it with find_package(noinherit) (the DLL and the
# static library) and with pkg-config --static, each run under Wine.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
tc=$src/cmake/mingw-w64-x86_64.cmake
tmp=$(mktemp -d)
trap 'WINEPREFIX=$tmp/wine wineserver -k 2>/dev/null || true
WINEPREFIX=$tmp/wine wineserver -w 2>/dev/null || true; rm -rf "$tmp"' EXIT
cmake -S "$src" -B "$tmp/build" -G Ninja -DBUILD_TESTING=OFF \
	-DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_INSTALL_PREFIX="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
cmake --install "$tmp/build" >/dev/null
p=$tmp/prefix
for f in include/noinherit.h bin/noinherit.dll bin/noinherit.exe \
	lib/libnoinherit.a lib/libnoinherit.dll.a lib/pkgconfig/noinherit.pc \
	lib/cmake/noinherit/noinheritConfig.cmake; do
	[ -e "$p/$f" ] || { echo "consumer (windows): $f not installed"; exit 1; }
done

export WINEPREFIX=$tmp/wine WINEDEBUG=-all WINEDLLOVERRIDES=mscoree,mshtml=
run() { wine "$@" </dev/null; }

# find_package (noinherit_DIR: the toolchain looks for packages under the
# mingw root only): noinherit::noinherit (the DLL, found beside the program
# through WINEPATH) and noinherit::noinherit_static.
cmake -S "$src/tests/consumer" -B "$tmp/cb" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$tc" \
	-Dnoinherit_DIR="$p/lib/cmake/noinherit" >/dev/null
cmake --build "$tmp/cb" >/dev/null
WINEPATH=$(winepath -w "$p/bin" 2>/dev/null) run "$tmp/cb/consumer_shared.exe"
run "$tmp/cb/consumer_static.exe"
if x86_64-w64-mingw32-objdump -p "$tmp/cb/consumer_static.exe" | grep -qi 'noinherit.dll'; then
	echo "consumer (windows): the static build still needs noinherit.dll"; exit 1
fi

# pkg-config --static: libnoinherit.a, Winsock and NI_STATIC from the .pc.
export PKG_CONFIG_LIBDIR="$p/lib/pkgconfig"
# shellcheck disable=SC2046
x86_64-w64-mingw32-gcc -o "$tmp/pc-static.exe" "$src/tests/consumer/consumer.c" \
	$(pkg-config --cflags --static noinherit) "$p/lib/libnoinherit.a" \
	$(pkg-config --libs-only-other --libs-only-l --static noinherit | sed 's/-lnoinherit//')
run "$tmp/pc-static.exe"
run "$p/bin/noinherit.exe" --version
echo "consumer (windows): find_package and pkg-config both work"
