# completion.bash - sourced by the completion tests (tests/audit,
# tests/preload_e2e) in bash, with the completion script's path in $1:
# checks that it parses, loads it, and gives check and none.  Sets fail=1
# on the first mismatch; the test ends with `exit $fail`.
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
none() {	# none UNWANTED WORD...: completing the last word does not offer it
    unwanted=$1; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
    _noinherit
    case " ${COMPREPLY[*]} " in
    *" $unwanted "*) echo "FAIL: $* -> offers $unwanted"; fail=1 ;;
    esac
}
