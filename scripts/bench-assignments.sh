#!/usr/bin/env bash
# AccountAssignments benchmark (issue: the live AWS source): idcsh against
# aws-sso-util on moto, and idcsh under a 20 requests/s per service quota.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh --bench
cargo build --release --quiet
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
IDCSH_BENCH=1 IDCSH_BIN=target/release/idcsh cargo bench --quiet --bench assignments
