#!/usr/bin/env bash
# Configures (once) and builds illhub into build/ (or $ILLHUB_BUILD_DIR). Incremental.
# Extra arguments go to cmake at configure time, e.g. tools/build.sh -DILLHUB_SANITIZE=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ILLHUB_BUILD_DIR:-$root/build}
jobs=${ILLHUB_JOBS:-$(nproc)}
if [ ! -f "$build/CMakeCache.txt" ] || [ $# -gt 0 ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
cmake --build "$build" -j "$jobs"
