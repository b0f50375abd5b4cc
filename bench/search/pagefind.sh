#!/usr/bin/env bash
# bench/search/pagefind.sh: livedocs search against Pagefind on the same
# built site.
#
# It generates the synthetic help center (`livedocs corpus`, seed 1),
# builds it with `livedocs build` (which writes public/search/), installs
# the npm package pagefind into a temporary folder (never into the repo),
# runs it over the built site (public/pagefind/, indexing each page's
# <article>, as livedocs indexes articles only), then runs
# BenchmarkCompare (compare_bench_test.go): index sizes, and per query the
# files each browser client fetches (gzip KB) and its time to results.
#
# Reported: build times (GNU time: wall, user+sys CPU) of the whole
# `livedocs build` and of `pagefind`. The livedocs index alone is timed by
# BenchmarkIndexBuild in internal/search, as it runs inside the build.
#
# Usage: bench/search/pagefind.sh                 10,000 articles
#        ARTICLES=1000 bench/search/pagefind.sh
#        WORK=/tmp/pf bench/search/pagefind.sh    keep the site there
set -euo pipefail

cd "$(dirname "$0")/../.."
ARTICLES=${ARTICLES:-10000}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/livedocs-pagefind.XXXXXX")}
PAGEFIND_VERSION=${PAGEFIND_VERSION:-1}
mkdir -p "$WORK"

if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time…" >&2
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >&2
fi
for tool in go npm; do
	command -v "$tool" >/dev/null || { echo "bench/search/pagefind.sh: $tool is not on PATH" >&2; exit 1; }
done

# timed CMD…: runs CMD under GNU time and prints "wall s, cpu s".
timed() {
	/usr/bin/time -f '%e %U %S' -o "$WORK/time.txt" "$@" >"$WORK/cmd.log" 2>&1 || { cat "$WORK/cmd.log" >&2; exit 1; }
	awk '{ printf "%.1f s wall, %.1f s CPU", $1, $2 + $3 }' "$WORK/time.txt"
}

echo "building livedocs…" >&2
go build -o "$WORK/livedocs" ./cmd/livedocs
rm -rf "$WORK/site"
"$WORK/livedocs" corpus --articles "$ARTICLES" --out "$WORK/site" >&2

echo "installing pagefind@$PAGEFIND_VERSION into $WORK/npm…" >&2
mkdir -p "$WORK/npm"
npm install --prefix "$WORK/npm" --no-audit --no-fund --silent "pagefind@$PAGEFIND_VERSION" >&2
PAGEFIND="$WORK/npm/node_modules/.bin/pagefind"

echo "livedocs build ($ARTICLES articles): $(cd "$WORK/site" && timed "$WORK/livedocs" build --no-ledger)"
echo "pagefind --site public:            $(timed "$PAGEFIND" --site "$WORK/site/public" --root-selector article --silent)"
echo "pagefind version: $("$PAGEFIND" --version)"

LIVEDOCS_BENCH_SITE="$WORK/site/public" go test -run '^$' -bench BenchmarkCompare -benchtime 1x -timeout 30m ./bench/search |
	grep -v -E '^(goos|goarch|pkg|cpu|PASS|ok )'
echo "site kept in $WORK/site" >&2
