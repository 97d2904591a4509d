#!/bin/sh
# completion.sh FILE - the bash completion parses, and completes the
# subcommands and the options of audit and exec.  Skipped without bash.
# The harness (check, none): tests/completion.bash.
command -v bash >/dev/null 2>&1 || { echo "SKIP: no bash"; exit 77; }
exec bash -c '
. "$2" "$1"
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
' completion.sh "$1" "$(dirname "$0")/../completion.bash"
