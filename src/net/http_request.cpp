// HTTP request heads and responses for the status port. See include/illhub/net/http_request.hpp.
#include "illhub/net/http_request.hpp"

#include <algorithm>
#include <cctype>

namespace illhub::net {

namespace {

// RFC 9110 tchar.
bool is_tchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Unexpected<HttpRequestError> fail(HttpRequestProblem p, std::string detail) {
  return unexpected(HttpRequestError{p, std::move(detail)});
}

}  // namespace

std::optional<std::size_t> find_head_end(std::string_view buffered) {
  const auto at = buffered.find("\r\n\r\n");
  if (at == std::string_view::npos) return std::nullopt;
  return at + 4;
}

Result<HttpRequest, HttpRequestError> parse_http_request(std::string_view head) {
  const auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return fail(HttpRequestProblem::kBadRequestLine, "no request line");
  const std::string_view line = head.substr(0, line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(HttpRequestProblem::kBadRequestLine, "request line is not METHOD TARGET VERSION");
  HttpRequest req;
  req.method = std::string(line.substr(0, sp1));
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  req.version = std::string(line.substr(sp2 + 1));
  if (!is_token(req.method)) return fail(HttpRequestProblem::kBadRequestLine, "method is not a token");
  if (target.empty() || target.front() != '/')
    return fail(HttpRequestProblem::kBadTarget, "target must be a path starting with '/'");
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return fail(HttpRequestProblem::kBadTarget, "control character in target");
  }
  if (req.version != "HTTP/1.1" && req.version != "HTTP/1.0")
    return fail(HttpRequestProblem::kUnsupportedVersion, "only HTTP/1.0 and HTTP/1.1 are spoken here");
  const auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));

  // Header lines up to the blank line.
  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    const auto end = head.find("\r\n", pos);
    if (end == std::string_view::npos) return fail(HttpRequestProblem::kBadHeader, "header line without CRLF");
    const std::string_view h = head.substr(pos, end - pos);
    pos = end + 2;
    if (h.empty()) break;  // the blank line: end of head
    if (h.front() == ' ' || h.front() == '\t')
      return fail(HttpRequestProblem::kBadHeader, "folded header lines are not allowed");
    const auto colon = h.find(':');
    if (colon == std::string_view::npos || !is_token(h.substr(0, colon)))
      return fail(HttpRequestProblem::kBadHeader, "header line is not NAME: VALUE");
    const std::string name = lower(h.substr(0, colon));
    const std::string_view value = trim(h.substr(colon + 1));
    // A body would be left unread in the socket; nobody scraping metrics sends one.
    if (name == "transfer-encoding" || (name == "content-length" && value != "0"))
      return fail(HttpRequestProblem::kBodyNotAllowed, "requests with a body are not accepted");
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f)
        return fail(HttpRequestProblem::kBadHeader, "control character in header value");
    }
  }
  return req;
}

std::string_view http_reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string format_http_response(const HttpResponse& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(http_reason_phrase(r.status)) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!r.allow.empty()) out += "Allow: " + r.allow + "\r\n";
  out += "Cache-Control: no-store\r\n";
  out += "Connection: close\r\n\r\n";
  out += r.body;
  return out;
}

}  // namespace illhub::net
