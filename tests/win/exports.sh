#!/bin/sh
# noinherit.dll exports exactly the functions noinherit.h declares for
# Windows (as the cross-compiler's preprocessor sees the header), and the
# static libnoinherit.a defines no global name outside ni_/ni__.
# Usage: exports.sh CC OBJDUMP NM noinherit.dll libnoinherit.a noinherit.h
# CC is one word list, the compiler and its target options.
set -eu
cc=$1 objdump=$2 nm=$3 dll=$4 a=$5 header=$6
fail=0
# shellcheck disable=SC2086
want=$($cc -E -P -DNI_STATIC -x c "$header" |
	grep -o '\bni_[a-z0-9_]*[[:space:]]*(' | tr -d ' (' | sort -u)
# A compiler that read the header as another system (a clang without
# --target: Linux) would make the comparison meaningless.
if ! printf '%s\n' "$want" | grep -qx ni_get_handle_inheritable; then
	echo "exports: '$cc' does not read noinherit.h as Windows (no ni_get_handle_inheritable)"
	exit 1
fi
# The export table: the "[ordinal] name" lines after the line
# "[Ordinal/Name Pointer] Table", up to the next blank line.
exports=$("$objdump" -p "$dll" | awk '
	/\[Ordinal\/Name Pointer\] Table/ { on = 1; next }
	on && /^[[:space:]]*$/ { on = 0 }
	on && /^[[:space:]]*\[/ { print $NF }')
got=$(printf '%s\n' "$exports" | grep '^ni_' | sort -u)
others=$(printf '%s\n' "$exports" | grep -v '^ni_' || true)
if [ "$want" != "$got" ]; then
	echo "noinherit.dll exports differ from noinherit.h (< header, > dll):"
	printf '%s\n' "$want" >want.txt
	printf '%s\n' "$got" >got.txt
	diff want.txt got.txt || true
	fail=1
fi
if [ -n "$others" ]; then
	echo "noinherit.dll exports names without the ni_ prefix:" $others
	fail=1
fi
# (.refptr.NAME: the compiler's indirection for extern data, e.g. the
# spawn defaults; it is named after our own ni_ symbol, or after the CRT's
# stack guard where the compiler protects the stack (zig cc).  32-bit x86 names
# carry a leading underscore, taken off first.)
case $("$objdump" -f "$dll") in
*pei-i386*) us=_ ;;
*) us= ;;
esac
bad=$("$nm" -g --defined-only "$a" |
	awk -v us="$us" 'NF == 3 { n = $3; if (us != "" && substr(n, 1, 1) == us) n = substr(n, 2)
		if (n !~ /^ni_/ && n !~ /^\.refptr\.ni_/ && n != ".refptr.__stack_chk_guard") print n }' |
	sort -u)
if [ -n "$bad" ]; then
	echo "libnoinherit.a: global symbols without the ni_ prefix:" $bad
	fail=1
fi
[ $fail -eq 0 ] && echo "exports: $(printf '%s\n' "$got" | wc -l) functions, as the header declares"
exit $fail
