#pragma once
// A blocking HTTP client for the status port, small enough to trust: sends raw bytes to
// 127.0.0.1:port, reads until the server closes (Connection: close) or the deadline passes,
// and splits status, headers and body. No parsing leniency: a reply that is not HTTP/1.1
// with a status line fails the test reading it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace illhub::test {

struct HttpReply {
  bool ok = false;     // a complete reply arrived and the server closed
  std::string error;   // why not
  int status = 0;
  std::string head;    // status line and header lines
  std::string body;
  /// A header's value (name case-insensitive), or nothing.
  std::optional<std::string> header(const std::string& name) const;
};

/// Sends `request` as is (it may be garbage) and reads the reply.
HttpReply http_exchange(std::uint16_t port, const std::string& request,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
/// GET `path` HTTP/1.1.
HttpReply http_get(std::uint16_t port, const std::string& path,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The value of the sample `series` (exactly as printed before the value, e.g.
/// `illhub_apdus_total{kind="Shipped",result="accepted"}`) in an exposition text, or nothing.
std::optional<double> sample(const std::string& exposition, const std::string& series);

}  // namespace illhub::test
