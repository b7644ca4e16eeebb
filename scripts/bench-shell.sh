#!/usr/bin/env bash
# Shell benchmarks (issue: the interactive shell): keystroke latency of
# completion and the live hint on a 100,000-user document, and the time
# from start to the first prompt with --demo. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${USERS:-100000}
mkdir -p bench-data
data=bench-data/users-$users.json
[ -f "$data" ] || python3 scripts/gen_users.py "$users" "$data"
cargo build --release --quiet
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
IDCSH_BENCH_DATA=$data cargo bench --quiet --bench keystroke
echo
HOME=$(mktemp -d) python3 scripts/bench_prompt.py target/release/idcsh 30
