// TestPki (the openssl command) and TlsTestPeer (OpenSSL over a blocking socket).
#include "net/tls_test_peer.hpp"

#include "net/test_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>

namespace illhub::test {

using Clock = std::chrono::steady_clock;

namespace {

std::string openssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    out += std::string(out.empty() ? "" : "; ") + text;
  }
  return out;
}

}  // namespace

bool TestPki::run(const std::string& command) {
  const std::string full = "cd '" + dir_ + "' && " + command + " >>openssl.log 2>&1";
  if (std::system(full.c_str()) != 0) {
    error_ = "failed: " + command + " (see " + dir_ + "/openssl.log)";
    return false;
  }
  return true;
}

bool TestPki::create() {
  char name[] = "/tmp/illhub-tls-XXXXXX";
  if (::mkdtemp(name) == nullptr) {
    error_ = std::strerror(errno);
    return false;
  }
  dir_ = name;
  // EC keys: quick to make. Valid for a day; each test run makes its own.
  return run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
             "-subj '/CN=illhub test CA' -keyout ca.key -out ca.pem") &&
         run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
             "-subj '/CN=untrusted test CA' -keyout other-ca.key -out other-ca.pem") &&
         run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=hub' "
             "-keyout hub.key -out hub.csr") &&
         run("openssl x509 -req -in hub.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out hub.pem");
}

bool TestPki::second_server() {
  return run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=hub renewed' "
             "-keyout hub2.key -out hub2.csr") &&
         run("openssl x509 -req -in hub2.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out hub2.pem");
}

bool TestPki::client(const std::string& name, bool untrusted) {
  const std::string ca = untrusted ? "other-ca" : "ca";
  return run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=" + name + "' -keyout " +
             name + ".key -out " + name + ".csr") &&
         run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
             ".key -CAcreateserial -days 1 -out " + name + ".pem");
}

std::string TestPki::sha256(const std::string& name) const {
  const std::string command = "openssl x509 -in '" + path(name + ".pem") + "' -noout -fingerprint -sha256";
  FILE* out = ::popen(command.c_str(), "r");
  if (out == nullptr) return {};
  char line[256] = {};
  const bool read = std::fgets(line, sizeof line, out) != nullptr;
  ::pclose(out);
  if (!read) return {};
  // "sha256 Fingerprint=AB:CD:...": hex digits after '=', colons dropped, lower case.
  std::string hex;
  const char* at = std::strchr(line, '=');
  for (const char* c = at ? at + 1 : line; *c != '\0' && *c != '\n'; ++c)
    if (*c != ':') hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*c))));
  return hex.size() == 64 ? hex : std::string();
}

TestPki::~TestPki() {
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

bool TlsTestPeer::connect(std::uint16_t port, const std::string& source, const std::string& ca,
                          const std::string& cert, const std::string& key) {
  close();
  fd_ = connect_from(source, port, error_);
  if (fd_ < 0) return false;
  // Every blocking call (the handshake above all) gives up after 10 s.
  timeval limit{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr) != 1 ||
      (!cert.empty() && (SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str()) != 1 ||
                         SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1))) {
    error_ = "client set-up: " + openssl_errors();
    close();
    return false;
  }
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  if (SSL_connect(ssl_) != 1) {
    error_ = "handshake: " + openssl_errors();
    close();
    return false;
  }
  framer_ = codec::StreamFramer{};
  ended_ = false;
  return true;
}

bool TlsTestPeer::send(const std::vector<std::uint8_t>& bytes) {
  if (ssl_ == nullptr) return false;
  ::signal(SIGPIPE, SIG_IGN);  // a write to a connection the hub closed: an error, not death
  const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
  if (n != static_cast<int>(bytes.size())) {
    error_ = "write: " + openssl_errors();
    return false;
  }
  return true;
}

std::optional<std::vector<std::uint8_t>> TlsTestPeer::receive(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto frame = framer_.next()) return frame;
    if (ended_ || ssl_ == nullptr) return std::nullopt;
    if (SSL_pending(ssl_) == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        error_ = "timed out";
        return std::nullopt;
      }
    }
    std::uint8_t buffer[16 * 1024];
    const int n = SSL_read(ssl_, buffer, sizeof buffer);
    if (n <= 0) {
      // A clean close, a reset, or an alert (e.g. "certificate required"): the end either way.
      const int why = SSL_get_error(ssl_, n);
      error_ = "connection ended (SSL_get_error " + std::to_string(why) + ") " + openssl_errors();
      ended_ = true;
      continue;
    }
    framer_.feed(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)));
  }
}

bool TlsTestPeer::wait_closed(std::chrono::milliseconds timeout) {
  const auto got = receive(timeout);
  return !got && ended_;
}

std::string TlsTestPeer::server_subject() const {
  if (ssl_ == nullptr) return {};
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) return {};
  char line[256];
  X509_NAME_oneline(X509_get_subject_name(peer), line, sizeof line);
  return line;
}

void TlsTestPeer::close() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  ssl_ = nullptr;
  ctx_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace illhub::test
