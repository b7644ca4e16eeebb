#!/usr/bin/env bash
# Creates .venv inside the repo and installs the Python packages the tests
# (and, with --bench, the benchmarks) need. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(cat scripts/requirements-*.txt | sha256sum | cut -c1-16)
want_bench=${1:-}
if [ ! -f "$stamp" ] || { [ "$want_bench" = --bench ] && [ ! -f "$stamp.bench" ]; }; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
  touch "$stamp"
fi
if [ "$want_bench" = --bench ] && [ ! -f "$stamp.bench" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-bench.txt
  touch "$stamp.bench"
fi
