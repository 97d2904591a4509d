#!/bin/sh
# Cross-builds the library and its Windows tests with warnings as errors and
# checks each build; installs what it needs first (install-deps windows,
# Zig through scripts/get-zig.sh).  Usage: test-windows.sh [BUILD...]
#   mingw  x86_64, Debian's mingw-w64 gcc, msvcrt.dll: the 16 tests under
#          Wine (in a Wine prefix inside the build tree), then the installed
#          build used by a consumer (tests/consumer)        (the default)
#   ucrt   x86_64, zig cc (Zig 0.14.0-dev), the UCRT: the 16 tests under Wine
#   clang  x86_64, clang --target=x86_64-w64-mingw32 with lld, msvcrt.dll:
#          built, exports checked (win.exports)
#   i686   32-bit, Debian's mingw-w64 gcc, msvcrt.dll: built, exports
#          checked; the tests run too when NI_WINE32 names a 32-bit Wine
#   all    every one of them
# Build trees: build-windows (mingw), build-windows-BUILD (the others);
# NI_BUILD_DIR overrides the mingw one.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh windows
builds=${*:-mingw}
[ "$builds" = all ] && builds="mingw ucrt clang i686"

configure() {	# configure DIR TOOLCHAIN [CMAKE ARGS]
	dir=$1 tc=$2
	shift 2
	echo "== Windows $b: $dir (cmake/$tc)"
	cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNI_WERROR=ON \
		-DCMAKE_TOOLCHAIN_FILE="cmake/$tc" "$@" >/dev/null
	cmake --build "$dir"
}

# run DIR [CTEST ARGS]: the tests; Wine's server lingers a few seconds after
# its last program, so it is stopped at once.
run() {
	dir=$1
	shift
	status=0
	(cd "$dir" && ctest --output-on-failure -j2 "$@") || status=$?
	WINEPREFIX=$PWD/$dir/wineprefix wineserver -k 2>/dev/null || true
	WINEPREFIX=$PWD/$dir/wineprefix wineserver -w 2>/dev/null || true
	return $status
}

for b in $builds; do
	case $b in
	mingw)
		dir=${NI_BUILD_DIR:-build-windows}
		configure "$dir" mingw-w64-x86_64.cmake
		run "$dir"
		# Installed, then used by a consumer: find_package and pkg-config.
		sh tests/consumer/run-windows.sh
		;;
	ucrt)
		zig=$(sh scripts/get-zig.sh 0.14.0-dev.2456)
		configure build-windows-ucrt zig-windows-x86_64.cmake -DNI_ZIG="$zig"
		# It must really be a UCRT build: ucrtbase.dll's api sets, no msvcrt.
		imports=$(x86_64-w64-mingw32-objdump -p build-windows-ucrt/src/noinherit.dll |
			sed -n 's/^[[:space:]]*DLL Name: //p')
		if ! printf '%s\n' "$imports" | grep -qi '^api-ms-win-crt-' ||
		    printf '%s\n' "$imports" | grep -qix msvcrt.dll; then
			echo "FAIL: noinherit.dll imports" $imports "(not the UCRT)"
			exit 1
		fi
		run build-windows-ucrt
		;;
	clang)
		configure build-windows-clang clang-mingw-w64-x86_64.cmake
		run build-windows-clang -R '^win[.]exports$'
		;;
	i686)
		if [ -n "${NI_WINE32:-}" ]; then
			configure build-windows-i686 mingw-w64-i686.cmake -DNI_WINE32="$NI_WINE32"
			run build-windows-i686
		else
			echo "(no 32-bit Wine named by NI_WINE32: the i686 tests are built, not run)"
			configure build-windows-i686 mingw-w64-i686.cmake
			run build-windows-i686 -R '^win[.]exports$'
		fi
		case $(i686-w64-mingw32-objdump -f build-windows-i686/src/noinherit.dll) in
		*pei-i386*) ;;
		*) echo "FAIL: build-windows-i686/src/noinherit.dll is not a 32-bit DLL"; exit 1 ;;
		esac
		;;
	*)
		echo "test-windows: unknown build $b (mingw, ucrt, clang, i686, all)" >&2
		exit 2
		;;
	esac
done
