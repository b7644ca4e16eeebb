#!/usr/bin/env bash
# Query benchmark (issue: the shell's core): idcsh against Python's jmespath
# on a 100,000-user ListUsers document, in the same run. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${USERS:-100000}
scripts/venv.sh --bench
mkdir -p bench-data
cargo build --release --quiet
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
# Users in the order a listing gives them, then shuffled (ORDERS=ordered
# or ORDERS=shuffled runs one).
for order in ${ORDERS:-ordered shuffled}; do
  case $order in
    ordered) data=bench-data/users-$users.json; flag= ;;
    shuffled) data=bench-data/users-$users-shuffled.json; flag=--shuffle ;;
  esac
  [ -f "$data" ] || .venv/bin/python scripts/gen_users.py "$users" "$data" $flag
  echo; echo "# Users $order"; echo
  IDCSH_BENCH_DATA=$data cargo bench --quiet --bench query > bench-data/query-rust.jsonl
  .venv/bin/python scripts/bench_query.py "$data" target/release/idcsh bench-data/query-rust.jsonl
done
