#!/bin/sh
# Builds the libFuzzer targets with clang and runs each from its seed corpus
# (real /proc files and sock_diag replies, tests/fuzz/corpus/NAME) for a fixed time.
#   sh tests/fuzz/run.sh [SECONDS]      default 15 per target (CI)
# Longer runs: sh tests/fuzz/run.sh 3600, or run one target by hand:
#   build-fuzz/tests/fuzz/fuzz_unix -max_total_time=3600 NEWDIR tests/fuzz/corpus/unix
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-15}
dir=$src/build-fuzz
CC=clang cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	-DNI_FUZZ=ON -DBUILD_TESTING=OFF -DNI_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" --target fuzz_fdinfo fuzz_inet fuzz_unix fuzz_netlink \
	fuzz_packet fuzz_link fuzz_sockdiag
for t in fdinfo inet unix netlink packet link sockdiag; do
	work=$dir/corpus-$t
	mkdir -p "$work"
	echo "fuzz: $t for ${secs}s"
	# New inputs go to a scratch corpus; the seeds in the tree stay as they are.
	"$dir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-print_final_stats=1 "$work" "$src/tests/fuzz/corpus/$t" \
		>"$dir/fuzz-$t.log" 2>&1 || {
		tail -n 40 "$dir/fuzz-$t.log"
		echo "fuzz: $t FAILED (log: $dir/fuzz-$t.log)"
		exit 1
	}
	grep -E '^stat::number_of_executed_units|^stat::peak_rss' "$dir/fuzz-$t.log" |
		tr '\n' ' '
	echo
done
echo "fuzz: all targets ran clean"
