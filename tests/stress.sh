#!/usr/bin/env bash
# The test suite under CPU contention: runs the release build's CTest suite ROUNDS times (default
# 5) while two busy loops keep both cores loaded, so a test that depends on a wall-clock threshold
# or on a real peer keeping pace with virtual time shows up here. The busy loops are always
# killed (trap), whatever happens. Usage: tests/stress.sh [build-dir] (make stress).
# Environment: ROUNDS (5), BUSY (2 busy loops), JOBS (ctest -j, default nproc).
set -u

BUILD=${1:-build}
ROUNDS=${ROUNDS:-5}
BUSY=${BUSY:-2}
JOBS=${JOBS:-$(nproc)}
[[ -f $BUILD/CTestTestfile.cmake ]] || { echo "stress: no CTest tree in $BUILD (make build first)"; exit 2; }

busy_pids=()
stop_busy() {
  for pid in "${busy_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${busy_pids[@]}"; do wait "$pid" 2>/dev/null; done
  busy_pids=()
}
trap stop_busy EXIT
trap 'stop_busy; exit 130' INT TERM

for _ in $(seq 1 "$BUSY"); do
  sh -c 'while :; do :; done' &
  busy_pids+=($!)
done
echo "stress: $BUSY busy loops (pids ${busy_pids[*]}), $ROUNDS rounds of ctest -j $JOBS in $BUILD"

failed_rounds=0
for round in $(seq 1 "$ROUNDS"); do
  start=$(date +%s)
  if (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" --timeout 240) >"$BUILD/stress-round-$round.log" 2>&1; then
    result=passed
  else
    result=FAILED
    failed_rounds=$((failed_rounds + 1))
  fi
  summary=$(grep -E 'tests passed|tests failed' "$BUILD/stress-round-$round.log" | tail -1)
  echo "stress: round $round/$ROUNDS $result in $(($(date +%s) - start)) s: $summary"
  if [[ $result == FAILED ]]; then
    sed -n '/The following tests FAILED/,$p' "$BUILD/stress-round-$round.log"
  fi
done

stop_busy
if ((failed_rounds)); then
  echo "stress: $failed_rounds of $ROUNDS rounds failed (logs: $BUILD/stress-round-*.log)"
  exit 1
fi
echo "stress: all $ROUNDS rounds passed under load"
