#pragma once
// The little HTTP/1.1 that illd's status port needs: find the end of a request head, parse its
// request line and header lines, and format a response. No socket here (HttpEndpoint does
// the I/O), so every bad input can be tested on its own.
//
// Only what a scraper or a health check sends is understood: a request line in origin form,
// header lines (read for syntax, values ignored), no body. Anything else is refused.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "illhub/util/result.hpp"

namespace illhub::net {

struct HttpRequest {
  std::string method;  // e.g. "GET" (case-sensitive, as HTTP says)
  std::string path;    // the target without its query, e.g. "/metrics"
  std::string query;   // after '?', without it; empty when none
  std::string version; // "HTTP/1.0" or "HTTP/1.1"
};

enum class HttpRequestProblem {
  /// The request line is not METHOD SP TARGET SP VERSION, or the method is not a token.
  kBadRequestLine,
  /// The target is not in origin form ("/..."), or holds a control character or space.
  kBadTarget,
  /// Not HTTP/1.0 or HTTP/1.1.
  kUnsupportedVersion,
  /// A header line without a colon, with an empty or non-token name, or folded.
  kBadHeader,
  /// A request with a body (Content-Length other than 0, or Transfer-Encoding).
  kBodyNotAllowed,
};

struct HttpRequestError {
  HttpRequestProblem problem = HttpRequestProblem::kBadRequestLine;
  std::string detail;  // one line, for the 400 body and the log
};

/// Where the head ends in `buffered` (the offset just past the blank line "\r\n\r\n"), or
/// nothing while it is incomplete.
std::optional<std::size_t> find_head_end(std::string_view buffered);

/// Parses a complete head (request line, header lines, the blank line; CRLF line ends).
Result<HttpRequest, HttpRequestError> parse_http_request(std::string_view head);

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;  // for 405: the Allow header's value
};

/// The response as bytes: status line, Content-Type, Content-Length, Connection: close,
/// Cache-Control: no-store, then the body.
std::string format_http_response(const HttpResponse& response);

/// The reason phrase for the status codes used here ("OK", "Not Found", ...).
std::string_view http_reason_phrase(int status);

}  // namespace illhub::net
