#!/usr/bin/env bash
# bench/build.sh: how fast and how big is a full `livedocs build`, against
# its floor (goldmark + chroma alone rendering the same markdown in memory
# on every core, BenchmarkFloor in internal/build/bench_test.go).
#
# For each corpus size it generates a synthetic help center with
# `livedocs corpus` (seed 1), then reports, as medians of RUNS runs:
#   full       wall time of `livedocs build` (GNU time), output folder kept
#              between runs as a writer's repeated builds keep it
#   art/s      articles per second of that
#   rss        peak resident memory of `livedocs build`
#   cpu        user+system CPU seconds of `livedocs build`
#   floor      BenchmarkFloor's median wall time (and its CPU time)
#   ratio      full / floor, by wall time and by CPU time (the CPU ratio is
#              the steadier one on a machine that others are loading)
# plus one cold build (no previous output folder) before the timed runs.
#
# Usage: bench/build.sh            sizes 1000 and 10000, 3 runs each
#        SIZES="1000" RUNS=5 bench/build.sh
# It installs GNU time (Debian package `time`) when /usr/bin/time is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/livedocs-bench.XXXXXX")}
mkdir -p "$WORK"

if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time…" >&2
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >&2
fi
command -v go >/dev/null || { echo "bench/build.sh: go is not on PATH" >&2; exit 1; }

echo "building livedocs…" >&2
go build -o "$WORK/livedocs" ./cmd/livedocs

# median prints the middle of its numeric arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

rows=()
for n in $SIZES; do
	dir=$WORK/corpus-$n
	rm -rf "$dir" "$WORK/.public-$n.prev" "$WORK/public-$n"
	"$WORK/livedocs" corpus --articles "$n" --out "$dir" >&2

	build() { # prints: wall user sys maxrss_kb
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" \
			"$WORK/livedocs" build --root "$dir" --out "$WORK/public-$n" --no-ledger 2>"$WORK/build.log" ||
			{ cat "$WORK/build.log" >&2; exit 1; }
		grep -q '^built ' "$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 1; }
		if grep -v '^built ' "$WORK/build.log" | grep -q .; then
			echo "bench/build.sh: the build printed problems:" >&2
			head "$WORK/build.log" >&2
			exit 1
		fi
		tail -n 1 "$WORK/time.txt"
	}
	echo "n=$n: cold build…" >&2
	read -r cold _ _ _ < <(build)
	walls=() cpus=() rsss=()
	for r in $(seq "$RUNS"); do
		echo "n=$n: build $r/$RUNS…" >&2
		read -r wall user sys rss < <(build)
		walls+=("$wall") cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')") rsss+=("$rss")
	done
	echo "n=$n: floor benchmark…" >&2
	out=$(LIVEDOCS_BENCH_ARTICLES=$n go test -run '^$' -bench '^BenchmarkFloor$' -benchtime "${RUNS}x" ./internal/build)
	line=$(grep '^BenchmarkFloor' <<<"$out") || { echo "$out" >&2; exit 1; }
	floor=$(awk '{for (i = 2; i <= NF; i++) if ($i == "ms-median") print $(i-1) / 1000}' <<<"$line")
	floorcpu=$(awk '{for (i = 2; i <= NF; i++) if ($i == "cpu-ms-median") print $(i-1) / 1000}' <<<"$line")

	full=$(median "${walls[@]}")
	cpu=$(median "${cpus[@]}")
	rss=$(median "${rsss[@]}")
	rows+=("$(awk -v n="$n" -v full="$full" -v cold="$cold" -v rss="$rss" -v cpu="$cpu" -v floor="$floor" -v fcpu="$floorcpu" 'BEGIN {
		printf "%7d  %7.2f s  %7.0f  %6.0f MB  %7.2f s  %7.2f s  %7.2f s  %7.2f s  %5.2f×  %5.2f×",
			n, full, n / full, rss / 1024, cpu, cold, floor, fcpu, full / floor, cpu / fcpu }')")
done

echo
echo "livedocs build vs floor ($(nproc) cores, medians of $RUNS runs; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%7s  %9s  %7s  %9s  %9s  %9s  %9s  %9s  %6s  %6s\n' \
	articles full art/s "peak rss" "full cpu" cold floor "floor cpu" ratio "cpu ratio"
for r in "${rows[@]}"; do echo "$r"; done
echo "targets: ratio ≤ 1.5× at 1,000 and 10,000 articles; peak rss < 500 MB"
echo "work folder: $WORK"
