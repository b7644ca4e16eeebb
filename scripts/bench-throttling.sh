#!/usr/bin/env bash
# Throttling benchmark (issue 13): idcsh's pacer and the AWS SDK's adaptive
# retry mode behind a 20 requests/s quota (token bucket and sliding window)
# under random throttles and 500s, and under both at once, on 2,000 users,
# 100 groups and 40 accounts × 10 permission sets in moto. IDCSH_BENCH_RUNS
# (3) sets the runs per cell, IDCSH_BENCH_ONLY one scenario (bucket,
# window, random, mixed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
cargo build --release --quiet
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
IDCSH_BENCH=1 IDCSH_BIN=target/release/idcsh cargo bench --quiet --bench throttling
