// yaz-ztest started and stopped by PID, and a listener that never answers.
#include "ztest_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#ifndef ILLHUB_YAZ_ZTEST
#define ILLHUB_YAZ_ZTEST "yaz-ztest"
#endif

namespace illhub::test {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A listening socket on 127.0.0.1:0 and its port; -1 on failure.
int listen_any(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  auto address = loopback(0);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return -1;
  }
  port = ntohs(address.sin_port);
  return fd;
}

bool accepts(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  auto address = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::uint16_t unused_port() {
  std::uint16_t port = 0;
  int fd = listen_any(port);
  if (fd >= 0) ::close(fd);
  return port;
}

bool ZtestServer::start() {
  using namespace std::chrono;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = unused_port();  // another process may take it meanwhile: then try again
    if (port_ == 0) break;
    if (!log_path_.empty()) ::unlink(log_path_.c_str());
    char log_template[] = "/tmp/illhub-ztest-XXXXXX";
    int log_fd = ::mkstemp(log_template);
    if (log_fd < 0) break;
    ::close(log_fd);
    log_path_ = log_template;
    std::string listener = "tcp:127.0.0.1:" + std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd >= 0) {
        ::dup2(null_fd, 0);
        ::dup2(null_fd, 1);
        ::dup2(null_fd, 2);
      }
      ::execlp(ILLHUB_YAZ_ZTEST, "yaz-ztest", "-T", "-l", log_path_.c_str(), listener.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid_ < 0) break;
    const auto deadline = steady_clock::now() + seconds(5);
    while (steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: port taken, or no binary
        pid_ = -1;
        error_ = "yaz-ztest exited at start (status " + std::to_string(status) + ")";
        break;
      }
      if (accepts(port_)) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    stop();
  }
  if (error_.empty()) error_ = "yaz-ztest did not start on 127.0.0.1";
  return false;
}

ZtestServer::~ZtestServer() {
  stop();
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
}

void ZtestServer::stop() {
  using namespace std::chrono;
  if (pid_ <= 0) return;
  // yaz-ztest's SIGTERM handler only sets a flag its poll loop reads: a signal that lands
  // while it is busy (say, with the readiness probe's connection) waits for the next event.
  // So SIGTERM is repeated every 200 ms; it holds no state worth a clean exit, so SIGKILL
  // after 5 s is fine too.
  const auto deadline = steady_clock::now() + seconds(5);
  auto next_term = steady_clock::now();
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    if (steady_clock::now() >= next_term) {
      ::kill(pid_, SIGTERM);
      next_term += milliseconds(200);
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  pid_ = -1;
}

std::string ZtestServer::log() const {
  std::ifstream in(log_path_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

SilentServer::SilentServer() {
  listen_fd_ = listen_any(port_);
  if (listen_fd_ < 0) {
    port_ = 0;
    return;
  }
  thread_ = std::thread([this] {
    // Polls with a short timeout so that the destructor's flag is seen within 100 ms.
    while (!stopping_.load()) {
      pollfd waiting{listen_fd_, POLLIN, 0};
      if (::poll(&waiting, 1, 100) == 1) {
        int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          clients_.push_back(client);
          ++accepted_;
        }
      }
    }
  });
}

SilentServer::~SilentServer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  for (int client : clients_) ::close(client);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

}  // namespace illhub::test
