// The status port's HTTP parsing: what a scraper sends is understood, everything else refused
// with a reason, and a response is well-formed.
#include "illhub/net/http_request.hpp"

#include <gtest/gtest.h>

#include "illhub/net/status_endpoint.hpp"

namespace illhub::net {
namespace {

TEST(FindHeadEnd, WaitsForTheBlankLine) {
  EXPECT_FALSE(find_head_end(""));
  EXPECT_FALSE(find_head_end("GET / HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_FALSE(find_head_end("GET / HTTP/1.1\n\n"));  // bare LF is not a line end here
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(find_head_end(head + "extra"), head.size());
}

TEST(ParseHttpRequest, ReadsWhatCurlAndPrometheusSend) {
  auto r = parse_http_request(
      "GET /metrics?name[]=x HTTP/1.1\r\nHost: 127.0.0.1:4991\r\nUser-Agent: Prometheus/2.42\r\n"
      "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/metrics");
  EXPECT_EQ(r->query, "name[]=x");
  EXPECT_EQ(r->version, "HTTP/1.1");

  auto old = parse_http_request("GET /healthz HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->path, "/healthz");
  EXPECT_EQ(old->query, "");
}

TEST(ParseHttpRequest, KeepsOtherMethodsForTheCallerToRefuse) {
  auto r = parse_http_request("DELETE /metrics HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "DELETE");
}

struct BadHead {
  const char* head;
  HttpRequestProblem problem;
};

class ParseHttpRequestRefuses : public ::testing::TestWithParam<BadHead> {};

TEST_P(ParseHttpRequestRefuses, GarbageWithAReason) {
  auto r = parse_http_request(GetParam().head);
  ASSERT_FALSE(r) << GetParam().head;
  EXPECT_EQ(r.error().problem, GetParam().problem) << r.error().detail;
  EXPECT_FALSE(r.error().detail.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Heads, ParseHttpRequestRefuses,
    ::testing::Values(
        BadHead{"\r\n\r\n", HttpRequestProblem::kBadRequestLine},
        BadHead{"GET\r\n\r\n", HttpRequestProblem::kBadRequestLine},
        BadHead{"GET /\r\n\r\n", HttpRequestProblem::kBadRequestLine},
        BadHead{"GET  / HTTP/1.1\r\n\r\n", HttpRequestProblem::kBadRequestLine},
        BadHead{"GET / HTTP/1.1 extra\r\n\r\n", HttpRequestProblem::kBadRequestLine},
        BadHead{"G(T / HTTP/1.1\r\n\r\n", HttpRequestProblem::kBadRequestLine},
        BadHead{"\x16\x03\x01\x02\x00\x01\r\n\r\n", HttpRequestProblem::kBadRequestLine},  // TLS hello
        BadHead{"GET metrics HTTP/1.1\r\n\r\n", HttpRequestProblem::kBadTarget},
        BadHead{"GET http://x/metrics HTTP/1.1\r\n\r\n", HttpRequestProblem::kBadTarget},
        BadHead{"GET /a\x01z HTTP/1.1\r\n\r\n", HttpRequestProblem::kBadTarget},
        BadHead{"GET / HTTP/2.0\r\n\r\n", HttpRequestProblem::kUnsupportedVersion},
        BadHead{"GET / http/1.1\r\n\r\n", HttpRequestProblem::kUnsupportedVersion},
        BadHead{"GET / HTTP/1.1\r\nNoColon\r\n\r\n", HttpRequestProblem::kBadHeader},
        BadHead{"GET / HTTP/1.1\r\n: empty name\r\n\r\n", HttpRequestProblem::kBadHeader},
        BadHead{"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", HttpRequestProblem::kBadHeader},
        BadHead{"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", HttpRequestProblem::kBadHeader},
        BadHead{"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", HttpRequestProblem::kBadHeader},
        BadHead{"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", HttpRequestProblem::kBodyNotAllowed},
        BadHead{"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", HttpRequestProblem::kBodyNotAllowed}));

TEST(ParseHttpRequest, AcceptsAnExplicitlyEmptyBody) {
  EXPECT_TRUE(parse_http_request("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
}

TEST(FormatHttpResponse, SaysLengthTypeAndClose) {
  HttpResponse r;
  r.status = 405;
  r.body = "only GET\n";
  r.allow = "GET";
  EXPECT_EQ(format_http_response(r),
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 9\r\n"
            "Allow: GET\r\n"
            "Cache-Control: no-store\r\n"
            "Connection: close\r\n\r\n"
            "only GET\n");
}

TEST(ParseListenEndpoint, TakesNumericHostAndPort) {
  auto v4 = parse_listen_endpoint("127.0.0.1:4991");
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(v4->port(), 4991);
  EXPECT_EQ(v4->address().to_string(), "127.0.0.1");
  auto v6 = parse_listen_endpoint("[::1]:0");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_TRUE(v6->address().is_v6());
  for (const char* bad : {"", "127.0.0.1", ":4991", "127.0.0.1:", "localhost:4991", "127.0.0.1:65536",
                          "127.0.0.1:-1", "127.0.0.1:12a"})
    EXPECT_FALSE(parse_listen_endpoint(bad)) << bad;
}

}  // namespace
}  // namespace illhub::net
