#!/bin/sh
# zig-cc.sh ZIG ARG...: runs `ZIG cc ARG...` for the Zig toolchain files
# (zig-*.cmake), which name this script as the compiler with ZIG as its
# first argument.  CMake's compiler detection links with -Wl,-v, which
# Zig's linker refuses; that one option is dropped.
z=$1
shift
for a in "$@"; do
	shift
	[ "$a" = -Wl,-v ] && continue
	set -- "$@" "$a"
done
exec "$z" cc "$@"
