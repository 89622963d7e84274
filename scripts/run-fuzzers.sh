#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a bounded time:
#   scripts/run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]
# e.g. cmake --preset fuzz && cmake --build --preset fuzz && scripts/run-fuzzers.sh build/fuzz 60
#
# For each target (default: all of fuzz/fuzz_*.cpp): first the kept crash inputs of
# fuzz/regressions/<target>/ are run once each, then the fuzzer runs SECONDS on a copy of
# fuzz/corpus/<target>/ (libFuzzer adds what it finds to its corpus folder, and the repository
# must not change). Exits non-zero if any target crashed, leaked, hung or ran out of memory,
# after printing the reproducer's path; the work folder is kept in that case.
# POCKET_SHARED may point at the shared test data (default: ../shared).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
seconds="$2"
shift 2
root="$(cd "$(dirname "$0")/.." && pwd)"
export POCKET_SHARED="${POCKET_SHARED:-$(cd "$root/.." && pwd)/shared}"
# UBSan only reports and carries on by default; libFuzzer must see the report as a crash.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for src in "$root"/fuzz/fuzz_*.cpp; do
    name="$(basename "$src" .cpp)"
    targets+=("${name#fuzz_}")
  done
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/pocket-fuzz.XXXXXX")"
failed=()

# Prints the artifacts libFuzzer left (crash-*, leak-*, timeout-*, oom-*, slow-unit-*).
report_artifacts() {
  local target="$1" dir="$2" found=0
  for f in "$dir"/*; do
    [ -e "$f" ] || continue
    found=1
    echo "  reproducer: $f"
    echo "  replay:     $build_dir/fuzz/fuzz_$target $f"
    echo "  keep it:    cp $f $root/fuzz/regressions/$target/<short-name>"
  done
  return $((1 - found))
}

for target in "${targets[@]}"; do
  bin="$build_dir/fuzz/fuzz_$target"
  if [ ! -x "$bin" ]; then
    echo "=== fuzz_$target: $bin is missing (build the fuzz preset first)" >&2
    failed+=("$target")
    continue
  fi
  dir="$work/$target"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  log="$dir/log.txt"

  regressions=()
  if [ -d "$root/fuzz/regressions/$target" ]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done \
      < <(find "$root/fuzz/regressions/$target" -type f -print0 | sort -z)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    echo "=== fuzz_$target: ${#regressions[@]} regression inputs"
    if ! "$bin" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$dir/artifacts/" \
        "${regressions[@]}" >"$dir/regressions.txt" 2>&1; then
      tail -n 40 "$dir/regressions.txt"
      echo "fuzz_$target: a regression input fails again (see above; log $dir/regressions.txt)"
      report_artifacts "$target" "$dir/artifacts" || true
      failed+=("$target")
      continue
    fi
  fi

  if [ -d "$root/fuzz/corpus/$target" ]; then
    cp -R "$root/fuzz/corpus/$target/." "$dir/corpus/"
  fi
  echo "=== fuzz_$target: ${seconds}s"
  status=0
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: //p' "$log" | tail -n 1)"
  echo "  ${runs:-?} executions, corpus now $(find "$dir/corpus" -type f | wc -l) inputs"
  if [ "$status" -ne 0 ] || ls "$dir/artifacts/"* >/dev/null 2>&1; then
    grep -E -m 20 'ERROR|runtime error|terminate|what\(\)|SUMMARY|==[0-9]+==' "$log" || true
    echo "fuzz_$target FAILED (exit $status); full log: $log"
    report_artifacts "$target" "$dir/artifacts" || true
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzers with findings: ${failed[*]} (work folder kept: $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "all fuzzers clean"
