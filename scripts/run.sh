#!/usr/bin/env bash
# The main job: install dependencies, build the release preset, generate text with the default
# model (../shared/models/stories260K.gguf). Extra arguments go to `pocket run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target pocket_cli
exec build/release/pocket run "$@"
