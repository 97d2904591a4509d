#!/bin/sh
# completion.sh FILE - the bash completion parses, and completes the
# subcommands and the options of audit and exec.  Skipped without bash.
command -v bash >/dev/null 2>&1 || { echo "SKIP: no bash"; exit 77; }
exec bash -c '
set -u
bash -n "$1" || exit 1
. "$1"
fail=0
check() {	# check WANT WORD...: completing the last word offers WANT
    want=$1; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
    _noinherit
    case " ${COMPREPLY[*]} " in
    *" $want "*) ;;
    *) echo "FAIL: $* -> ${COMPREPLY[*]:-nothing}, expected $want"; fail=1 ;;
    esac
}
check audit noinherit a
check exec noinherit e
check features noinherit f
check --version noinherit --v
check --all noinherit audit --a
check --inherited noinherit audit --inh
check --json noinherit audit --std --j
check "$$" noinherit audit -p "$$"
check --pass-fd noinherit exec --pa
check --map-fd noinherit exec --m
check 0 noinherit exec --pass-fd 0
exit $fail
' completion.sh "$1"
