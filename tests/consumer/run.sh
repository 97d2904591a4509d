#!/bin/sh
# Installs noinherit into a temporary prefix, then builds a tiny consumer
# against it twice: with pkg-config and with find_package(noinherit).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$src" -B "$tmp/build" -G Ninja -DBUILD_TESTING=OFF \
	-DNI_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
cmake --install "$tmp/build" >/dev/null
prefix=$tmp/prefix
libdir=$(ls -d "$prefix"/lib*/ | head -n 1)
for f in include/noinherit.h bin/noinherit; do
	[ -e "$prefix/$f" ] || { echo "consumer: $f not installed"; exit 1; }
done
ls "$libdir"libnoinherit.so.0 "$libdir"libnoinherit.a "$libdir"pkgconfig/noinherit.pc \
	"$libdir"cmake/noinherit/noinheritConfig.cmake >/dev/null

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
cc -o "$tmp/pc" "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs noinherit)
LD_LIBRARY_PATH="$libdir" "$tmp/pc"
# the static library, through the same .pc file
# shellcheck disable=SC2046
cc -o "$tmp/pc-static" "$src/tests/consumer/consumer.c" $(pkg-config --cflags noinherit) \
	"$libdir"libnoinherit.a $(pkg-config --libs-only-other --static noinherit)
"$tmp/pc-static"
if ldd "$tmp/pc-static" | grep -q libnoinherit; then
	echo "consumer: the static build still needs libnoinherit.so"; exit 1
fi

# find_package
cmake -S "$src/tests/consumer" -B "$tmp/cb" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cb" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/cb/consumer_shared"
"$tmp/cb/consumer_static"
"$prefix/bin/noinherit" --version
echo "consumer: pkg-config and find_package both work"
