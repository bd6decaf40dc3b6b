// run_program: fork/exec with stdout and stderr in temporary files, reaped by PID.
#include "sessions/program_run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace illhub::sessions {
namespace {

std::string temp_file(const char* what) {
  std::string path = std::string("/tmp/illhub-sessions-") + what + "-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd >= 0) ::close(fd);
  return path;
}

std::string slurp_and_remove(const std::string& path) {
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ::unlink(path.c_str());
  return text;
}

}  // namespace

ProgramRun run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  ProgramRun run;
  const std::string out = temp_file("out"), err = temp_file("err");
  // Built before fork: the child of a threaded process should not allocate.
  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (auto& a : args) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = args.empty() ? -1 : ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_TRUNC);
    const int e = ::open(err.c_str(), O_WRONLY | O_TRUNC);
    const int in = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || in < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  if (pid > 0) {
    const auto deadline = start + limit;
    int status = 0;
    for (;;) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  run.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  run.out = slurp_and_remove(out);
  run.err = slurp_and_remove(err);
  return run;
}

}  // namespace illhub::sessions
