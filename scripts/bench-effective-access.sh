#!/usr/bin/env bash
# EffectiveAccess built from held collections on issue 23's largest
# directory (benches/effective_access.rs): time, rows and peak memory,
# against one pass over every membership in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
IDCSH_BENCH=1 cargo bench --quiet --bench effective_access
