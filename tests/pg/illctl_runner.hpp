#pragma once
// Runs the real illctl binary for the operator-command tests: to completion (exit code,
// stdout, stderr), or in the background (a follower), its output in files, stopped by PID.
// run_program does the same for any program (the sessions test runs peers.sh and its driver).

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace illhub::test {

struct IllctlRun {
  int exit_code = -1;  // -1: killed or did not finish in time
  std::string out, err;
  std::chrono::milliseconds took{0};
};

/// Runs `argv` (argv[0] an absolute path; stdin /dev/null) and waits for it, at most `limit`
/// (then SIGKILL).
IllctlRun run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit);

/// Runs `illctl ARGS...` and waits for it, at most `limit` (then SIGKILL).
IllctlRun run_illctl(const std::vector<std::string>& args,
                     std::chrono::milliseconds limit = std::chrono::seconds(60));

/// An illctl running in the background, its stdout and stderr in temporary files.
class IllctlProcess {
 public:
  explicit IllctlProcess(const std::vector<std::string>& args);
  ~IllctlProcess();
  IllctlProcess(const IllctlProcess&) = delete;
  IllctlProcess& operator=(const IllctlProcess&) = delete;

  std::string out() const;
  std::string err() const;
  /// Waits (bounded) until stdout has `lines` lines; false when it did not get there.
  bool wait_for_lines(int lines, std::chrono::milliseconds limit = std::chrono::seconds(30)) const;
  /// Waits (bounded) for the process to exit; its exit code, or -1 (then it is killed).
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(30));
  /// SIGKILL, as a crash, and reap it.
  void kill_hard();

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
};

/// Number of '\n' in `text`.
int count_lines(const std::string& text);

}  // namespace illhub::test
