#!/bin/sh
# The libraries export the public API and nothing else: the shared one only
# the ni_ functions of noinherit.map (under version NOINHERIT_0); the static
# one only ni_ and ni__ names, so a static link cannot collide with a
# program's own symbols.  Usage: check.sh LIBNOINHERIT.so LIBNOINHERIT.a MAP
set -eu
so=$1 a=$2 map=$3
command -v nm >/dev/null || { echo "skip: nm not found"; exit 77; }
fail=0
want=$(sed -n 's/^[[:space:]]*\(ni_[a-z0-9_]*\);$/\1/p' "$map" | sort)
got=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRV]$/ { sub(/@.*/, "", $3); print $3 }' | sort)
if [ "$want" != "$got" ]; then
	echo "shared library exports differ from $map:"
	printf '%s\n' "$want" >want.txt
	printf '%s\n' "$got" >got.txt
	diff want.txt got.txt || true
	fail=1
fi
if nm -D --defined-only "$so" | grep -q ' [TDB] ni_[a-z0-9_]*$'; then
	echo "shared library: a ni_ symbol without the NOINHERIT_0 version"
	fail=1
fi
# (Sanitizer builds add their own __odr_asan.* and similar.)
bad=$(nm -g --defined-only "$a" |
	awk 'NF == 3 && $3 !~ /^ni_/ && $3 !~ /^__(odr_asan|asan|ubsan|tsan|sanitizer)/ { print $3 }' |
	sort -u)
if [ -n "$bad" ]; then
	echo "static library: global symbols without the ni_ prefix:" $bad
	fail=1
fi
n=$(printf '%s\n' "$got" | wc -l)
[ $fail -eq 0 ] && echo "symbols: $n exported, all versioned; static library clean"
exit $fail
