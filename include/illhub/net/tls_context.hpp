#pragma once
// The TLS server context (mutual TLS) and certificate fingerprints: what identifies a member
// library over TLS is the SHA-256 of its client certificate's DER encoding, lower-case hex,
// stored in peers.tls_cert_sha256 (`illctl peer set SYMBOL --tls-cert FILE.pem`).

#include <openssl/types.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "illhub/net/options.hpp"
#include "illhub/util/result.hpp"

namespace illhub::net {

/// A server context from `options`' files: TLS 1.2 or later, the hub's certificate chain and
/// private key, and the client CA; every client must present a certificate that verifies
/// against it (verify_peer | verify_fail_if_no_peer_cert). Reads the files now; an error
/// names the file and OpenSSL's reason. Used at start and again on each SIGHUP.
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_tls_context(const TlsOptions& options);

/// SHA-256 of `certificate`'s DER encoding, 64 lower-case hex digits.
std::string certificate_sha256(X509* certificate);

/// certificate_sha256 of the first certificate in the PEM file at `path`; an error says why
/// the file could not be read or parsed.
Result<std::string, std::string> certificate_file_sha256(const std::string& path);

}  // namespace illhub::net
