// TLS server context and certificate fingerprints. See include/illhub/net/tls_context.hpp.
#include "illhub/net/tls_context.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace illhub::net {

namespace ssl = boost::asio::ssl;

namespace {

/// "KEY (PATH): REASON", the reason as OpenSSL gives it.
std::string file_error(const char* key, const std::string& path, const boost::system::error_code& ec) {
  return std::string(key) + " (" + path + "): " + ec.message();
}

}  // namespace

Result<std::shared_ptr<ssl::context>, std::string> make_tls_context(const TlsOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  // TLS 1.2 and 1.3 only; no compression; a fresh key per handshake for (EC)DHE.
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                           ssl::context::single_dh_use,
                       ec);
  if (ec) return unexpected("cannot set TLS options: " + ec.message());
  context->use_certificate_chain_file(options.certificate, ec);
  if (ec) return unexpected(file_error("tls.certificate", options.certificate, ec));
  context->use_private_key_file(options.private_key, ssl::context::pem, ec);
  if (ec) return unexpected(file_error("tls.private_key", options.private_key, ec));
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    return unexpected("tls.private_key (" + options.private_key + ") does not belong to tls.certificate (" +
                      options.certificate + ")");
  context->load_verify_file(options.client_ca, ec);
  if (ec) return unexpected(file_error("tls.client_ca", options.client_ca, ec));
  context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  if (ec) return unexpected("cannot require client certificates: " + ec.message());
  // TLS 1.3 session tickets would let a client resume without presenting its certificate
  // again; each connection is identified afresh by its certificate instead.
  SSL_CTX_set_num_tickets(context->native_handle(), 0);
  SSL_CTX_set_session_cache_mode(context->native_handle(), SSL_SESS_CACHE_OFF);
  return context;
}

std::string certificate_sha256(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

Result<std::string, std::string> certificate_file_sha256(const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> file(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!file) {
    ERR_clear_error();
    return unexpected("cannot read " + path);
  }
  std::unique_ptr<X509, decltype(&X509_free)> certificate(PEM_read_bio_X509(file.get(), nullptr, nullptr, nullptr),
                                                          &X509_free);
  if (!certificate) {
    ERR_clear_error();
    return unexpected(path + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  std::string digest = certificate_sha256(certificate.get());
  if (digest.empty()) return unexpected("cannot compute the SHA-256 of the certificate in " + path);
  return digest;
}

}  // namespace illhub::net
