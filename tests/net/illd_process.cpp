// IlldProcess: fork/exec illd, read its port, stop it by PID.
#include "net/illd_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

namespace illhub::test {

using Clock = std::chrono::steady_clock;

bool IlldProcess::start(const std::string& conninfo, const IlldLaunch& launch) {
  static int counter = 0;
  log_path_ = "/tmp/illd-nettest-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".log";
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return false;
  }
  // Built before fork: the child of a threaded process should not allocate.
  std::vector<std::string> args = launch.wrapper;
  const std::string program = args.empty() ? std::string(ILLHUB_ILLD_PATH) : args.front();
  if (!args.empty()) args.push_back(ILLHUB_ILLD_PATH);
  const std::vector<std::string> illd_args = {"illd",           "--db",        conninfo, "--listen", "127.0.0.1:0",
                                   "--metrics-listen", "127.0.0.1:0", "--log-level", launch.log_level};
  args.insert(args.end(), illd_args.begin() + (launch.wrapper.empty() ? 0 : 1), illd_args.end());
  args.insert(args.end(), launch.args.begin(), launch.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_entries;
  for (char** e = environ; *e != nullptr; ++e) env_entries.emplace_back(*e);
  for (const auto& [name, value] : launch.env) env_entries.push_back(name + "=" + value);  // later wins
  std::vector<char*> envp;
  for (auto& e : env_entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) ::dup2(log, 2);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out[1]);
  // "illd listening on 127.0.0.1:PORT\n" then "illd metrics on 127.0.0.1:PORT\n", within 30 s.
  std::string line;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  const auto both_lines = [&line] {
    const auto m = line.find("illd metrics on ");
    return m != std::string::npos && line.find('\n', m) != std::string::npos;
  };
  while (!both_lines()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{out[0], POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char c[256];
    const ssize_t n = ::read(out[0], c, sizeof c);
    if (n <= 0) break;
    line.append(c, static_cast<std::size_t>(n));
  }
  stdout_fd_ = out[0];
  // The port after the last ':' of the line starting with `prefix`, or 0.
  const auto port_after = [&line](const std::string& prefix) -> std::uint16_t {
    const auto at = line.find(prefix);
    if (at == std::string::npos) return 0;
    const auto end = line.find('\n', at);
    const auto colon = line.rfind(':', end);
    if (end == std::string::npos || colon == std::string::npos || colon < at) return 0;
    return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1, end - colon - 1)));
  };
  port_ = line.rfind("illd listening on ", 0) == 0 ? port_after("illd listening on ") : 0;
  metrics_port_ = port_after("illd metrics on ");
  tls_port_ = port_after("illd tls on ");
  if (port_ == 0 || metrics_port_ == 0) {
    error_ = "illd did not say where it listens; got '" + line + "'; log:\n" + log();
    stop();
    return false;
  }
  return true;
}

int IlldProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + grace;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      if (stdout_fd_ >= 0) ::close(stdout_fd_);
      stdout_fd_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void IlldProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
}

std::string IlldProcess::log() const {
  std::ifstream in(log_path_);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void IlldProcess::remove_log() const {
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
}

}  // namespace illhub::test
