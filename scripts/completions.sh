#!/usr/bin/env bash
# Regenerates completions/ from the binary's own command-line definition.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/idcsh
"$bin" completions bash > completions/idcsh.bash
"$bin" completions zsh > completions/_idcsh
"$bin" completions fish > completions/idcsh.fish
"$bin" completions powershell > completions/_idcsh.ps1
"$bin" completions elvish > completions/idcsh.elv
echo "completions/ regenerated"
