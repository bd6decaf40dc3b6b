#include "illctl_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <thread>

namespace illhub::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string temp_file(const char* what) {
  std::string path = std::string("/tmp/illctl-") + what + "-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd >= 0) ::close(fd);
  return path;
}

/// Starts `argv` (argv[0] an absolute path) with stdin /dev/null and stdout, stderr in files.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  // Built before fork: the child of a threaded process should not allocate.
  std::vector<std::string> copy = argv;
  std::vector<char*> pointers;
  for (auto& a : copy) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
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

std::vector<std::string> illctl_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ILLHUB_ILLCTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

/// Waits for `pid` at most `limit`; its exit code, or -1 after killing it.
int reap(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

}  // namespace

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

IllctlRun run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  const std::string out = temp_file("out"), err = temp_file("err");
  IllctlRun run;
  const auto start = std::chrono::steady_clock::now();
  run.exit_code = argv.empty() ? -1 : reap(spawn(argv, out, err), limit);
  run.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  run.out = slurp(out);
  run.err = slurp(err);
  ::unlink(out.c_str());
  ::unlink(err.c_str());
  return run;
}

IllctlRun run_illctl(const std::vector<std::string>& args, std::chrono::milliseconds limit) {
  return run_program(illctl_argv(args), limit);
}

IllctlProcess::IllctlProcess(const std::vector<std::string>& args)
    : out_path_(temp_file("out")), err_path_(temp_file("err")) {
  pid_ = spawn(illctl_argv(args), out_path_, err_path_);
}

IllctlProcess::~IllctlProcess() {
  if (pid_ > 0) kill_hard();
  ::unlink(out_path_.c_str());
  ::unlink(err_path_.c_str());
}

std::string IllctlProcess::out() const { return slurp(out_path_); }
std::string IllctlProcess::err() const { return slurp(err_path_); }

bool IllctlProcess::wait_for_lines(int lines, std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_lines(out()) >= lines) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int IllctlProcess::wait_exit(std::chrono::milliseconds limit) {
  const int code = reap(pid_, limit);
  pid_ = -1;
  return code;
}

void IllctlProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace illhub::test
