#pragma once
// For the TLS tests: TestPki, a throwaway certificate authority made with the `openssl`
// command in a temporary directory (the hub's server certificate, client certificates signed
// by it, and one signed by a second CA nobody trusts); and TlsTestPeer, a member library's end
// of a TLS connection (OpenSSL, a blocking socket with SO_RCVTIMEO/SO_SNDTIMEO and poll()
// deadlines), connecting from a chosen loopback address to 127.0.0.1.

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "illhub/codec/framer.hpp"

namespace illhub::test {

class TestPki {
 public:
  /// Makes the directory, a CA (ca.pem) and the hub's certificate (hub.pem, hub.key; the
  /// test clients check its chain, not its name). False with error() when `openssl` fails.
  bool create();
  /// A client certificate NAME.pem / NAME.key signed by the CA (or, `untrusted`, by a CA
  /// of its own that illd does not know).
  bool client(const std::string& name, bool untrusted = false);
  /// A second server certificate signed by the CA (hub2.pem, hub2.key) with another subject:
  /// to see that a reload serves it.
  bool second_server();
  /// SHA-256 of NAME.pem's DER form as `openssl x509 -fingerprint -sha256` computes it, in
  /// peers.tls_cert_sha256's form (64 lower-case hex digits); empty on failure.
  std::string sha256(const std::string& name) const;
  std::string path(const std::string& file) const { return dir_ + "/" + file; }
  const std::string& error() const { return error_; }
  ~TestPki();

 private:
  bool run(const std::string& command);
  std::string dir_;
  std::string error_;
};

class TlsTestPeer {
 public:
  TlsTestPeer() = default;
  TlsTestPeer(const TlsTestPeer&) = delete;
  TlsTestPeer& operator=(const TlsTestPeer&) = delete;
  ~TlsTestPeer() { close(); }

  /// TCP from `source` to 127.0.0.1:port, then the TLS handshake: the server must present a
  /// certificate that verifies against `ca`; `cert`/`key` (PEM paths; empty: none) are the
  /// client certificate. False with error() when either step fails.
  bool connect(std::uint16_t port, const std::string& source, const std::string& ca, const std::string& cert,
               const std::string& key);
  bool send(const std::vector<std::uint8_t>& bytes);
  /// The next whole APDU frame, or nothing when none arrived in time or the connection ended
  /// (error() then says how).
  std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// True when the connection ends (close, reset or TLS alert) within `timeout` with no APDU.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// The subject of the server's certificate (one-line form), after connect().
  std::string server_subject() const;
  void close();
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool ended_ = false;
  codec::StreamFramer framer_;
  std::string error_;
};

}  // namespace illhub::test
