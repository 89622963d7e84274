#!/usr/bin/env bash
# Builds and runs every test: release (with -Werror), debug with ASan+UBSan, the libFuzzer
# targets for a bounded time, and the ARM64 cross build under qemu-aarch64.
# POCKET_SHARED may point at the shared test data (default: ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export POCKET_SHARED="${POCKET_SHARED:-$(cd .. && pwd)/shared}"
jobs="${JOBS:-$(nproc)}"
fuzz_seconds="${FUZZ_SECONDS:-20}"

step() { printf '\n=== %s ===\n' "$*"; }

step "release build and tests"
cmake --preset release -DPOCKET_WERROR=ON >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

# The micro-benchmarks are built (and compile-checked) once, in the release stage.
step "debug build (ASan + UBSan) and tests"
cmake --preset debug -DPOCKET_WERROR=ON -DPOCKET_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset debug -j "$jobs"
ctest --preset debug -j "$jobs"

if [ -d fuzz ] && ls fuzz/*.cpp >/dev/null 2>&1; then
  step "libFuzzer targets, ${fuzz_seconds}s each"
  cmake --preset fuzz >/dev/null
  # Only the fuzzers: the rest of the tree is built and tested by the two stages above (the kept
  # crash inputs are replayed by the ordinary tests too).
  fuzz_targets=()
  for src in fuzz/fuzz_*.cpp; do fuzz_targets+=("$(basename "$src" .cpp)"); done
  cmake --build --preset fuzz -j "$jobs" --target "${fuzz_targets[@]}"
  scripts/run-fuzzers.sh build/fuzz "$fuzz_seconds"
fi

step "aarch64 cross build, tests under qemu-aarch64 -cpu max"
scripts/setup-arm64-deps.sh build/arm64-deps
cmake --preset aarch64 -DPOCKET_WERROR=ON -DPOCKET_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset aarch64 -j "$jobs"
ctest --preset aarch64 -j "$jobs"
