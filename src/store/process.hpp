#pragma once
// Running a program and collecting what it printed: for initdb, pg_ctl and runuser. No shell
// is involved, so paths with spaces or quotes are passed through as they are.

#include <string>
#include <vector>

namespace illhub::store::detail {

struct ProcessResult {
  int exit_code = -1;  // -1 when it could not be started or was killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

/// Runs argv[0] (found on PATH if not absolute) with the rest as arguments, in directory "/",
/// and waits for it. Blocks.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace illhub::store::detail
