#pragma once
// Runs a program to completion for the sessions tests (peers.sh, session_driver, illctl
// replay): its exit code and what it printed, killed by its PID when it overruns its limit.

#include <chrono>
#include <string>
#include <vector>

namespace illhub::sessions {

struct ProgramRun {
  int exit_code = -1;  // -1: killed by a signal or stopped at the limit
  std::string out, err;
  std::chrono::milliseconds took{0};
};

/// Runs `argv` (argv[0] an absolute path; stdin /dev/null) and waits at most `limit`, then
/// SIGKILL.
ProgramRun run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit);

}  // namespace illhub::sessions
