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
# The Community edition's package names its module `jmespath` too: its
# own venv, so that it does not replace the AWS CLI's.
if [ ! -x .venv-community/bin/python ]; then
  "$python" -m venv .venv-community
fi
community_stamp=.venv-community/.installed-$(sha256sum scripts/requirements-community.txt | cut -c1-16)
if [ ! -f "$community_stamp" ]; then
  .venv-community/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-community.txt
  touch "$community_stamp"
fi
if [ "$want_bench" = --bench ] && [ ! -f "$stamp.bench" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-bench.txt
  touch "$stamp.bench"
fi
