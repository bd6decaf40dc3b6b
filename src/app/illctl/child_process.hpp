#pragma once
// Running a helper program (gnuplot) as a child process with a time limit: started by
// fork/exec (no shell), its output captured in a file, waited for by PID, killed by PID when
// the limit passes.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "illhub/util/result.hpp"

namespace illhub::app {

/// The program's path when `name` is found on PATH (or is a path to an executable file).
std::optional<std::filesystem::path> find_program(const std::string& name);

struct ChildResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout
  std::string errors;  // stderr
};

/// Runs argv (argv[0] a path) and waits at most `limit`. Its stdout goes to `output_file`,
/// its stderr to the same path with ".err" appended; both are read back into the result.
/// Errors: it could not be started, or it ran past the limit (then it was killed).
Result<ChildResult, std::string> run_child(const std::vector<std::string>& argv,
                                           const std::filesystem::path& output_file,
                                           std::chrono::milliseconds limit);

}  // namespace illhub::app
