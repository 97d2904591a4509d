#!/bin/sh
# Cross-builds for the other systems PEP 446 names, with warnings as errors,
# and checks what each shared library exports.  Compile and link only:
# nothing built here runs (no macOS or FreeBSD machine in CI).
#   macOS x86_64 and arm64   Zig 0.14.0-dev's clang (scripts/get-zig.sh); not
#                            Zig 0.11, whose Mach-O linker exports hidden
#                            symbols and its whole compiler-rt
#   FreeBSD 13.5 amd64       Debian's clang-14 and lld-14 against the sysroot
#                            ../shared/sysroots/freebsd13.5-amd64.tar.xz
#                            (skipped, and said so, where it is absent)
# Each: the library (shared and static), the command (exec, features), the
# examples, and the tests that apply there; see cmake/*.cmake.
# Usage: scripts/test-cross.sh [macos|freebsd]...   (default: all)
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh cross
root=$PWD
map=$root/src/noinherit.map
out=${NI_CROSS_DIR:-build-cross}
mkdir -p "$out"
want=$(sed -n 's/^[[:space:]]*\(ni_[a-z0-9_]*\);$/\1/p' "$map" | sort)
fail=0
skipped=""

# compare WHAT GOT: the exported names must be the version script's list.
compare() {
	if [ "$want" != "$2" ]; then
		echo "FAIL $1: exports differ from src/noinherit.map (< map, > library):"
		printf '%s\n' "$want" >"$out/want.txt"
		printf '%s\n' "$2" >"$out/got.txt"
		diff "$out/want.txt" "$out/got.txt" || true
		fail=1
	else
		echo "ok   $1: exports the $(printf '%s\n' "$2" | wc -l) names of src/noinherit.map"
	fi
}

# static ARCHIVE PREFIX: no global name without the ni_ prefix.
static_clean() {
	bad=$(llvm-nm-14 -g --defined-only "$1" 2>/dev/null |
		awk -v p="$2" 'NF == 3 { n = $3; if (p != "" && index(n, p) == 1) n = substr(n, 2); if (n !~ /^ni_/) print n }' |
		sort -u)
	if [ -n "$bad" ]; then
		echo "FAIL $1: global symbols without the ni_ prefix:" $bad
		fail=1
	else
		echo "ok   $1: only ni_ names"
	fi
}

build() {	# build DIR TOOLCHAIN [CMAKE ARGS]
	dir=$1 tc=$2
	shift 2
	echo "== $dir ($tc)"
	cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DNI_WERROR=ON -DCMAKE_TOOLCHAIN_FILE="$root/cmake/$tc" "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; exit 1; }
	cmake --build "$dir" -j2
	for t in noinherit noinherit_static noinherit_cli leakdemo spawnserver \
	    reporter test_create_dup test_closefds header_c99; do
		grep -q "^build [^:]*$t[^:]*:" "$dir/build.ninja" 2>/dev/null ||
			{ echo "FAIL $dir: no target $t"; fail=1; }
	done
}

macos() {
	zig=$(sh scripts/get-zig.sh 0.14.0-dev.2456)
	for arch in x86_64 arm64; do
		dir=$out/macos-$arch
		build "$dir" "zig-macos-$arch.cmake" -DNI_ZIG="$zig"
		lib=$dir/src/libnoinherit.dylib
		case $(llvm-objdump-14 --macho --private-header "$lib" | awk '/MH_MAGIC/ { print $2; exit }') in
		X86_64) a=x86_64 ;;
		ARM64) a=arm64 ;;
		*) a=unknown ;;
		esac
		[ "$a" = "$arch" ] || { echo "FAIL $lib: a Mach-O for $a, not $arch"; fail=1; }
		# What dyld can bind: the exports trie, Mach-O's leading
		# underscore stripped, less the two names Zig's linker adds
		# itself (__mh_dylib_header, ___dso_handle).
		got=$(llvm-objdump-14 --macho --exports-trie "$lib" |
			awk '$1 ~ /^0x/ { print $2 }' | sed 's/^_//' |
			grep -vx -e _mh_dylib_header -e __dso_handle | sort)
		compare "$lib" "$got"
		static_clean "$dir/src/libnoinherit.a" _
	done
}

freebsd() {
	tarball=$root/../shared/sysroots/freebsd13.5-amd64.tar.xz
	if [ ! -f "$tarball" ]; then
		echo "skip FreeBSD: $tarball is absent (the sysroot comes with ../shared)"
		skipped="$skipped freebsd"
		return 0
	fi
	sysroot=$(cd "$out" && pwd)/sysroot-freebsd13.5-amd64
	if [ ! -f "$sysroot/usr/include/sys/param.h" ]; then
		mkdir -p "$sysroot"
		tar -xJf "$tarball" -C "$sysroot" --strip-components=1
	fi
	dir=$out/freebsd13-amd64
	build "$dir" freebsd13-amd64.cmake -DNI_FREEBSD_SYSROOT="$sysroot"
	lib=$dir/src/libnoinherit.so
	llvm-readelf-14 -h "$lib" | grep -q 'OS/ABI:.*FreeBSD' ||
		{ echo "FAIL $lib: not a FreeBSD ELF object"; fail=1; }
	got=$(llvm-nm-14 -D --defined-only "$lib" |
		awk '$2 ~ /^[TDBRV]$/ { n = $3; if (n !~ /@@NOINHERIT_0$/) n = n " (unversioned)"; sub(/@.*/, "", n); print n }' | sort)
	compare "$lib" "$got"
	# --no-undefined cannot be used there (environ is the program's):
	# every other reference must be to a versioned libc/libthr symbol.
	undef=$(llvm-nm-14 -D --undefined-only "$lib" |
		awk '$1 == "U" && $2 !~ /@/ { print $2 }' | grep -vx environ || true)
	if [ -n "$undef" ]; then
		echo "FAIL $lib: unresolved references besides environ:" $undef
		fail=1
	else
		echo "ok   $lib: every undefined name is libc's, but environ"
	fi
	static_clean "$dir/src/libnoinherit.a" ""
}

targets=${*:-macos freebsd}
for t in $targets; do
	case $t in
	macos) macos ;;
	freebsd) freebsd ;;
	*) echo "test-cross: unknown target $t (macos, freebsd)" >&2; exit 2 ;;
	esac
done
[ $fail -eq 0 ] && echo "test-cross: all passed ($targets${skipped:+; skipped:$skipped})"
exit $fail
