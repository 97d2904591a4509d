#!/bin/sh
# valgrind memcheck over the creation and spawn test programs (issue 14):
# any error valgrind reports (exit 99) fails the run, and so does a program
# that outlives its timeout.  The programs' own verdicts are printed but do
# not count: under valgrind some of their assertions cannot hold -- valgrind
# keeps descriptors of its own, so the EMFILE tests miscount, and see below
# for the spawn child.
#
#   sh tests/valgrind/run.sh BUILD-DIR
#
# Under valgrind the vfork child of ni_spawn runs as a fork: valgrind
# cannot run a CLONE_VM child beside its parent and turns clone(CLONE_VM |
# CLONE_VFORK) into a fork (the same plan, in a copy), so this checks the
# parent's side and the plan, not the shared-memory handover: a child that
# fails before execve writes its errno into its own copy, and ni_spawn then
# reports success (a program run under valgrind sees that too) -- in the
# first spawn only: ni_spawn notices and takes the fork path after it.  valgrind
# also answers pidfd_open (and clone3) with ENOSYS: ni_spawn_pidfd says
# ENOSYS there and its tests skip.  Each program is bounded by `timeout`.
set -eu
build=${1:?usage: run.sh BUILD-DIR}
vg="valgrind -q --error-exitcode=99 --suppressions=$(dirname "$0")/efault.supp --track-fds=no --child-silent-after-fork=yes"
fail=0
for prog in tests/test_create_file tests/test_create_dup \
	tests/test_create_pipe_socket tests/test_create_accept_recvmsg \
	tests/test_create_tty_linux tests/test_create_all tests/test_inheritable \
	tests/spawn/test_spawn_fds tests/spawn/test_spawn_map \
	tests/spawn/test_spawn_attrs \
	'tests/spawn/test_spawn_signals:*_kept' 'tests/spawn/test_spawn_signals:mask_*' \
	'tests/spawn/test_spawn_signals:sigchld_*' \
	'tests/spawn/test_spawn_errors:*_errors' 'tests/spawn/test_spawn_errors:*_sources' \
	'tests/spawn/test_spawn_errors:*_arguments' 'tests/spawn/test_spawn_errors:*_closed' \
	'tests/spawn/test_spawn_errors:target_*' 'tests/spawn/test_spawn_errors:*_descriptor' \
	'tests/spawn/test_spawn_errors:*_cwd' 'tests/spawn/test_spawn_errors:*_group' \
	'tests/spawn/test_spawn_errors:*_child' \
	tests/spawn/test_spawn_pidfd tests/spawn/test_spawn_exec; do
	# PROG:PATTERN runs the tests of PROG whose names match: every test of
	# test_spawn_errors but thousand_failures, 1000 spawns that take
	# minutes under valgrind; every test of test_spawn_signals but
	# no_parent_handler_in_child, whose thread sends SIGUSR1 to a process
	# group in a busy loop until the spawns are done: under valgrind, which
	# runs one thread at a time, it never let them finish (seen spinning for
	# ten minutes).
	pattern=${prog#*:}
	[ "$pattern" = "$prog" ] && pattern=
	prog=${prog%%:*}
	printf '%s %s: ' "$prog" "$pattern"
	log="$build/valgrind-$(basename "$prog")$(printf %s "$pattern" | tr -c a-z_ -).log"
	rc=0
	NI_TEST_MODE=native timeout -k 10 300 $vg "$build/$prog" ${pattern:+"$pattern"} >"$log" 2>&1 || rc=$?
	case $rc in
	0) echo "clean, tests passed" ;;
	99|124|137) echo "FAILED ($rc: 99 memcheck error, 124 timeout), see $log"
		grep '^==' "$log" | head -40
		fail=1 ;;
	*) echo "clean (test verdict $rc under valgrind: $(grep '^\[  FAILED  \] [a-z]' "$log" | sort -u | wc -l) failed)" ;;
	esac
done
# The case issue 14 names: ni_features() alone, through the tool.
printf 'noinherit features: '
if $vg "$build/tools/noinherit" features >/dev/null 2>"$build/valgrind-features.log"; then
	echo ok
else
	echo FAILED; cat "$build/valgrind-features.log"; fail=1
fi
exit $fail
