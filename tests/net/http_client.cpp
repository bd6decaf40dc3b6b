// A blocking HTTP client for tests. See http_client.hpp.
#include "net/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace illhub::test {

using Clock = std::chrono::steady_clock;

std::optional<std::string> HttpReply::header(const std::string& name) const {
  std::istringstream in(head);
  std::string line;
  std::getline(in, line);  // status line
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string n = line.substr(0, colon);
    if (n.size() != name.size() ||
        !std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    return v;
  }
  return std::nullopt;
}

HttpReply http_exchange(std::uint16_t port, const std::string& request, std::chrono::milliseconds timeout) {
  HttpReply reply;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    reply.error = "socket failed";
    return reply;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    reply.error = "connect failed";
    ::close(fd);
    return reply;
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (e.g. oversized request): read what it said
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  bool closed = false;
  const auto deadline = Clock::now() + timeout;
  while (!closed) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      reply.error = "connection reset";
      break;
    }
    if (n == 0) closed = true;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!closed) {
    if (reply.error.empty()) reply.error = "server did not close within the timeout";
    return reply;
  }
  const auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos || raw.size() < 12) {
    reply.error = "not an HTTP/1.1 reply: '" + raw + "'";
    return reply;
  }
  reply.status = std::atoi(raw.substr(9, 3).c_str());
  reply.head = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  reply.ok = true;
  return reply;
}

HttpReply http_get(std::uint16_t port, const std::string& path, std::chrono::milliseconds timeout) {
  return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout);
}

std::optional<double> sample(const std::string& exposition, const std::string& series) {
  const std::string needle = series + " ";
  std::size_t at = 0;
  while ((at = exposition.find(needle, at)) != std::string::npos) {
    if (at == 0 || exposition[at - 1] == '\n') {
      const auto end = exposition.find('\n', at);
      return std::strtod(exposition.substr(at + needle.size(), end - at - needle.size()).c_str(), nullptr);
    }
    at += needle.size();
  }
  return std::nullopt;
}

}  // namespace illhub::test
