#!/bin/sh
# report.sh CASE ni=PATH shim=PATH leaker=PATH src=DIR [nbdir=DIR]
#
# What `noinherit trace` reports about real leaks, and whether a reader can
# trust it: one CASE per ctest entry (report.* in CMakeLists.txt).  Exit 0
# pass, 1 fail (with the report shown), 77 skipped: the shim or the
# neighbour libraries are not built, or a program a case needs is missing.
set -u
case_=$1
shift
ni= shim= leaker= src= nbdir=
for kv in "$@"; do
	case $kv in
	ni=*) ni=${kv#ni=} ;;
	shim=*) shim=${kv#shim=} ;;
	leaker=*) leaker=${kv#leaker=} ;;
	src=*) src=${kv#src=} ;;
	nbdir=*) nbdir=${kv#nbdir=} ;;
	*) echo "report.sh: unknown argument $kv"; exit 2 ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ -n "$shim" ] && [ -f "$shim" ] || skip "libnoinherit-preload.so is not built"
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not found"; }
need_nb() {
	[ -n "$nbdir" ] && [ -f "$nbdir/libnb_stripped.so" ] ||
		skip "the neighbour libraries are not built (strip/objcopy missing)"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ni-report.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
unset NOINHERIT_PRELOAD NOINHERIT_EXEMPT
data=$tmp/data.txt
echo "the data file" >"$data"

# trace ARGS...: `noinherit trace -o $tmp/report ARGS`, CMD with the
# standard streams only; status in $st.
trace() {
	echo "+ noinherit trace $*"
	"$ni" exec -- "$ni" trace -o "$tmp/report" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
}
show() {
	echo "--- status $st"
	echo "--- stdout"; cat "$tmp/out"
	echo "--- stderr"; cat "$tmp/err"
	echo "--- report"; cat "$tmp/report" 2>/dev/null
}
fail() { echo "FAIL: $*"; show; exit 1; }
status() { [ "$st" -eq "$1" ] || fail "exit status $st, expected $1"; }
has() { grep -Eq -- "$1" "$tmp/report" || fail "the report does not match: $1"; }
lacks() { ! grep -Eq -- "$1" "$tmp/report" || fail "the report matches: $1"; }
# count REGEX N: exactly N lines of the report match
count() {
	n=$(grep -Ec -- "$1" "$tmp/report")
	[ "$n" -eq "$2" ] || fail "$n lines of the report match '$1', expected $2"
}
# The frames of the one finding of `leaker lib`: #0 in make_leak's place
# (each case checks it: never an exported neighbour), #1 leak_entry
# (exported: its .dynsym entry has the right size).
lib_frames() {
	count "^leak [0-9]+: file " 1
	count "^    #1 leak_entry( at [^ ]*neighbour\.c:[0-9]+)? \($1\+0x[0-9a-f]+\)\$" 1
	lacks "neighbour_before"
	lacks "^    #0 leak_entry"
}

case $case_ in
report.symbols-stripped)
	# No .symtab, no DWARF: the nearest dynamic symbol below the call,
	# neighbour_before, does not hold it.  addr2line said neighbour_before.
	need_nb
	trace -- "$leaker" lib "$nbdir/libnb_stripped.so" "$data"
	status 0
	lib_frames libnb_stripped\\.so
	count "^    #0 \?\? \(unknown function\) \(libnb_stripped\.so\+0x[0-9a-f]+\)\$" 1
	;;
report.symbols-symtab)
	need_nb
	trace -- "$leaker" lib "$nbdir/libnb_symtab.so" "$data"
	status 0
	lib_frames libnb_symtab\\.so
	count "^    #0 make_leak \(libnb_symtab\.so\+0x[0-9a-f]+\)\$" 1
	;;
report.symbols-debuglink)
	# Stripped, but its .gnu_debuglink names the DWARF beside it.
	need_nb
	line=$(grep -n "the leak under test" "$src/tests/trace_report/neighbour.c" | cut -d: -f1)
	line=$((line + 1))
	trace -- "$leaker" lib "$nbdir/libnb_debuglink.so" "$data"
	status 0
	lib_frames libnb_debuglink\\.so
	count "^    #0 make_leak at [^ ]*/neighbour\.c:$line \(libnb_debuglink\.so\+0x[0-9a-f]+\)\$" 1
	;;
report.symbols-gone)
	# The library is deleted before trace reads it: the frames keep the
	# object, the offset and dladdr's names (exported ones only).
	need_nb
	cp "$nbdir/libnb_symtab.so" "$tmp/libnb_gone.so"
	trace -- sh -c '"$1" lib "$2" "$3"; st=$?; rm -f "$2"; exit $st' sh \
		"$leaker" "$tmp/libnb_gone.so" "$data"
	status 0
	[ ! -e "$tmp/libnb_gone.so" ] || fail "the library is still there"
	lib_frames libnb_gone\\.so
	count "^    #0 \?\? \(unknown function\) \(libnb_gone\.so\+0x[0-9a-f]+\)\$" 1
	;;
report.inline)
	# A function inlined into another: named, then what it was inlined
	# into, at the line of the inlined call.
	inner=$(grep -n "the inlined call" "$src/tests/trace_report/leaker.c" | cut -d: -f1)
	outer=$(grep -n "the inlining call" "$src/tests/trace_report/leaker.c" | cut -d: -f1)
	trace -- "$leaker" inline "$data"
	status 0
	count "^    #0 inline_open at [^ ]*/leaker\.c:$inner \(leaker\+0x[0-9a-f]+\)\$" 1
	count "^       inlined into inline_caller at [^ ]*/leaker\.c:$outer\$" 1
	count "^    #1 main at [^ ]*/leaker\.c:[0-9]+ " 1
	;;
report.targets)
	# One call site, two files: two findings, each named; a third file
	# opened twice there is one finding with two receipts.
	echo one >"$tmp/one"
	echo two >"$tmp/two"
	trace -- "$leaker" site "$tmp/one" "$tmp/two" "$tmp/one"
	status 0
	has "^noinherit: trace: 2 leaks: 3 descriptors crossed an exec"
	count "^leak [0-9]: file $tmp/one\$" 1
	count "^leak [0-9]: file $tmp/two\$" 1
	count "^  crossed an exec 2 times:\$" 1
	count "^  crossed an exec 1 time:\$" 1
	count "^    #0 open_one at [^ ]*/leaker\.c:[0-9]+ \(leaker\+0x[0-9a-f]+\)\$" 2
	;;
report.escape)
	# A name with the byte 0xff (not UTF-8) and one with U+00FF (ÿ,
	# c3 bf): the text shows \xff for the first, as `noinherit audit`
	# does, and ÿ for the second; JSON has U+FFFD and ÿ.
	ff=$(printf 'bad\377name')
	yy=$(printf 'good\303\277name')
	echo x >"$tmp/$ff"
	echo y >"$tmp/$yy"
	trace -- "$leaker" site "$tmp/$ff" "$tmp/$yy"
	status 0
	count "^leak [0-9]: file $tmp/bad\\\\xffname\$" 1
	count "^leak [0-9]: file $tmp/$yy\$" 1
	count "bad$(printf '\303\277')name" 0
	# audit on a process holding the same file prints it the same way.
	sh -c 'exec 7<"$1"; exec "$2" audit -p $$ >"$3" 2>&1' sh "$tmp/$ff" "$ni" "$tmp/audit"
	grep -Fq "$tmp/bad\\xffname" "$tmp/audit" || { cat "$tmp/audit"; fail "audit prints it otherwise"; }
	need python3
	trace --json -- "$leaker" site "$tmp/$ff" "$tmp/$yy"
	status 0
	python3 - "$tmp/report" "$tmp" <<'EOF' || fail "the JSON report is not as expected"
import json, sys
found = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
whats = sorted(f["what"] for f in found)
assert whats == sorted([sys.argv[2] + "/bad\ufffdname",
                        sys.argv[2] + "/good\u00ffname"]), whats
EOF
	;;
report.forked)
	# The child that opened the file forked /bin/true and never exec'd:
	# it logged nothing, yet its program is leaker.
	trace -- "$leaker" forked "$data"
	status 0
	count "^leak [0-9]: file $data\$" 1
	has "^  made by open\(\) in leaker \(pid [0-9]+\), at:\$"
	;;
report.sarif)
	need python3
	python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed"
	echo one >"$tmp/one"
	echo two >"$tmp/two"
	# From the source tree's top, as CI runs it: leaker.c is relative.
	cd "$src" || exit 2
	trace --sarif "$tmp/report.sarif" -- "$leaker" site "$tmp/one" "$tmp/two"
	status 0
	count "^leak [0-9]: file " 2
	line=$(grep -n "the one call site" "$src/tests/trace_report/leaker.c" | cut -d: -f1)
	python3 "$src/tests/trace_report/sarif_check.py" "$tmp/report.sarif" \
		"$src/tests/trace_report/sarif-schema-2.1.0.json" \
		2 "tests/trace_report/leaker.c" "$line" "$tmp/one" "$tmp/two" ||
		fail "the SARIF log is not as expected"
	# And with no leak at all: a valid log with no result.
	trace --sarif "$tmp/clean.sarif" -- /bin/true
	status 0
	python3 "$src/tests/trace_report/sarif_check.py" "$tmp/clean.sarif" \
		"$src/tests/trace_report/sarif-schema-2.1.0.json" 0 ||
		fail "the clean SARIF log is not as expected"
	;;
report.sarif-args)
	trace --sarif
	status 2
	grep -q "^noinherit: trace: option '--sarif' needs a file name" "$tmp/err" ||
		fail "no message for a missing name"
	trace --sarif /nonexistent/dir/x.sarif -- /bin/true
	status 2
	grep -q "^noinherit: trace: /nonexistent/dir/x.sarif: No such file or directory\$" "$tmp/err" ||
		fail "no message for an unwritable file"
	;;
*)
	echo "report.sh: unknown case $case_"
	exit 2
	;;
esac
echo "PASS: $case_"
