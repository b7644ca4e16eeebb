#!/usr/bin/env bash
# Installs what the tests need (moto in .venv) and runs every check CI runs:
# formatting, clippy, and all tests (unit, integration, pty, moto).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
# The moto-backed tests start moto from .venv themselves, each on a free
# 127.0.0.1 port, and stop it when they finish.
cargo test --all-targets
