#!/bin/sh
# completion.sh FILE - the bash completion completes trace and enforce:
# the subcommands, their options, -o's file, and the command after them.
# Skipped without bash.
# The harness (check, none): tests/completion.bash.
command -v bash >/dev/null 2>&1 || { echo "SKIP: no bash"; exit 77; }
exec bash -c '
. "$2" "$1"
dir=$(mktemp -d) && cd "$dir" || exit 1
trap '\''rm -rf "$dir"'\'' EXIT
touch report.txt
check trace noinherit tr
check enforce noinherit en
check --json noinherit trace --j
check --fail-on-leak noinherit trace --json --fa
check report.txt noinherit trace -o rep
check report.txt noinherit trace --output rep
check --json noinherit trace -o report.txt --j
check bash noinherit trace -- bas
check bash noinherit trace --json bas
check bash noinherit trace -o report.txt bas
check report.txt noinherit trace -- make rep
check --allow noinherit trace --al
check --pass-fd noinherit trace --json --pa
check bash noinherit trace --allow x --pass-fd 1 --map-fd 1:5 bas
check --sarif noinherit trace --sa
check report.txt noinherit trace --sarif rep
check bash noinherit trace --sarif report.txt bas
none --json noinherit trace -- make --j
check --help noinherit enforce --he
check bash noinherit enforce bas
check bash noinherit enforce -- bas
check report.txt noinherit enforce make rep
exit $fail
' completion.sh "$1" "$(dirname "$0")/../completion.bash"
