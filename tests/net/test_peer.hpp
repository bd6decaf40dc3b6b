#pragma once
// TestPeer: a member library's end of a TCP connection, with plain blocking sockets and a
// deadline on every wait. Connects only to 127.0.0.1, from a chosen loopback source address
// (127.0.0.2, 127.0.0.3, ...) so that the hub can tell peers apart by address.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "illhub/codec/framer.hpp"

namespace illhub::test {

/// A TCP connection from loopback address `source` to 127.0.0.1:port: its descriptor, or -1
/// with `error` set.
int connect_from(const std::string& source, std::uint16_t port, std::string& error);

class TestPeer {
 public:
  TestPeer() = default;
  TestPeer(const TestPeer&) = delete;
  TestPeer& operator=(const TestPeer&) = delete;
  ~TestPeer() { close(); }

  /// Connects from `source` to 127.0.0.1:port. False (and error()) on failure.
  bool connect(std::uint16_t port, const std::string& source);
  bool send(const std::vector<std::uint8_t>& bytes);
  /// The next whole APDU frame, or nothing when none arrived in time or the hub closed.
  std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// True when the hub closes the connection within `timeout` (bytes before that are dropped).
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Half-closes: the hub reads end-of-stream, while answers can still be received.
  bool shutdown_send();
  void close();
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  bool eof_ = false;
  codec::StreamFramer framer_;
  std::string error_;
};

}  // namespace illhub::test
