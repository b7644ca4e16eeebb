#!/usr/bin/env bash
# A/B of two idcsh binaries on the query benchmark's six expressions: per
# query, the median `.timing` of 15 runs in one process, the binaries
# alternated over three rounds so machine drift hits both alike.
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY
# Needs bench-data/users-100000.json (scripts/bench-query.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-bench-data/users-100000.json}
exprs=(
  "Users[?UserName == 'user-54321'].UserId"
  "length(Users[?Name.FamilyName == 'Nguyen' && UserStatus == 'ENABLED'])"
  "Users[?Title == 'Data Scientist'].{user: UserName, email: Emails[0].Value, tz: Timezone}"
  "sort_by(Users, &Name.FamilyName)[:10].[UserName, DisplayName]"
  "length(Users[].Emails[].Value)"
  "max_by(Users, &CreatedAt).UserName"
)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| round | binary | UserName filter | FamilyName filter | Title filter | sort_by | double flatten | max_by |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for round in 1 2 3; do
  for bin in "$@"; do
    row="| $round | $bin"
    for e in "${exprs[@]}"; do
      args=()
      for _ in $(seq 15); do args+=(-c "$e"); done
      ms=$("$bin" --data "$data" -o json -c '.timing on' "${args[@]}" 2>&1 >/dev/null |
        grep -o 'time: [0-9.]*' | awk '{print $2}' | tail -15 | median)
      row="$row | $ms ms"
    done
    echo "$row |"
  done
done
