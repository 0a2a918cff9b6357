#!/usr/bin/env bash
# The whole suite (`npm test`) on a deliberately slow machine: every process of the run —
# vitest's workers, the CLI and `npm start` they spawn, the local clouds — pinned to ONE
# core, beside a CPU hog on that same core. A test that passes only on a fast machine fails
# here; every wait in the suite is bounded by the simulated clock or by progress, so none
# should. SLOW_CORE picks the core (default 0). With GNU time installed, the run's own wall
# time, CPU seconds and peak RSS (the hog's excluded) are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
core="${SLOW_CORE:-0}"
taskset -c "$core" yes > /dev/null &
hog=$!
trap 'kill "$hog"' EXIT
if [ -x /usr/bin/time ]; then
  taskset -c "$core" /usr/bin/time -v npm test
else
  taskset -c "$core" npm test
fi
