#!/usr/bin/env bash
# Before/after on held data: the median `.timing` of one expression for
# each build, the builds alternated round by round (ratios hold on a noisy
# machine; absolute times do not).
#   scripts/bench-alternated.sh FORMAT DATA EXPRESSION BUILD...
# e.g. scripts/bench-alternated.sh json bench-data/users-100000.json \
#        "Users[?Title == 'Data Scientist'].UserName" /tmp/idcsh-old target/release/idcsh
# ROUNDS (default 3) rounds of LINES (default 10) runs of the expression.
set -euo pipefail
[ $# -ge 4 ] || { sed -n 2,8p "$0"; exit 2; }
format=$1 data=$2 expression=$3
shift 3
rounds=${ROUNDS:-3} lines=${LINES_PER_ROUND:-10}
declare -A times
for _ in $(seq "$rounds"); do
  for build in "$@"; do
    args=(-c ".timing on")
    for _ in $(seq "$lines"); do args+=(-c "$expression"); done
    # The first `.timing` line is `.timing on` itself.
    took=$("$build" --data "$data" -o "$format" "${args[@]}" 2>&1 >/dev/null |
      grep 'time: ' | tail -n "$lines" | sed 's/.*time: \([0-9.]*\) ms.*/\1/' | tr '\n' ' ')
    times[$build]="${times[$build]:-} $took"
  done
done
for build in "$@"; do
  echo "${times[$build]}" | tr ' ' '\n' | grep -v '^$' | sort -n |
    awk -v b="$build" '{a[NR]=$1} END {printf "%s: median %s ms of %d\n", b, a[int((NR+1)/2)], NR}'
done
