// Live catalogue look-ups against a real yaz-ztest on 127.0.0.1 (Z39.50 and SRU), a port
// nobody listens on, and a server that accepts and never answers. Timeouts are checked for
// their outcome and against a generous upper bound only (no speed assertions).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "illhub/routing/catalogue_lookup.hpp"
#include "illhub/routing/catalogue_service.hpp"
#include "ztest_server.hpp"

namespace illhub::routing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Far above the 1 s timeouts used below (which ZOOM may apply per step): a hang fails.
constexpr auto kHangBound = 10s;

CatalogueTarget target(const std::string& spec) {
  auto parsed = parse_catalogue_target(spec);
  EXPECT_TRUE(parsed.has_value()) << spec;
  return parsed ? *parsed : CatalogueTarget{};
}

LookupOptions one_second() {
  LookupOptions options;
  options.timeout = 1s;
  return options;
}

class CatalogueLive : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ztest_.start()) << ztest_.error(); }
  std::string z3950(const std::string& database = "Default") const {
    return "z3950:127.0.0.1:" + std::to_string(ztest_.port()) + "/" + database;
  }
  std::string sru(const std::string& path = "Default") const {
    return "sru:http://127.0.0.1:" + std::to_string(ztest_.port()) + "/" + path;
  }
  test::ZtestServer ztest_;
};

TEST_F(CatalogueLive, FindsAnIsbnTheCatalogueHolds) {
  auto outcome = holds(target(z3950()), {.isbn = "978-0-13-110362-7"}, one_second());
  EXPECT_EQ(outcome.status, LookupStatus::kFound) << outcome.reason;
  EXPECT_EQ(outcome.matched_by, "isbn");
  EXPECT_EQ(outcome.hits, 9780131103627);  // yaz-ztest: a leading number is the hit count
  EXPECT_NE(ztest_.log().find("@attr 1=7 9780131103627"), std::string::npos) << ztest_.log();
}

TEST_F(CatalogueLive, SearchesTheIssnWithUseAttributeEight) {
  auto outcome = holds(target(z3950()), {.issn = "0028-0836"}, one_second());
  EXPECT_EQ(outcome.status, LookupStatus::kFound) << outcome.reason;
  EXPECT_EQ(outcome.matched_by, "issn");
  EXPECT_NE(ztest_.log().find("@attr 1=8 0028-0836"), std::string::npos) << ztest_.log();
}

TEST_F(CatalogueLive, NotFoundWhenEverySearchGivesNoRecord) {
  auto outcome = holds(target(z3950()), {.isbn = "0000000000", .title = "0 results wanted"}, one_second());
  EXPECT_EQ(outcome.status, LookupStatus::kNotFound) << outcome.reason;
  EXPECT_EQ(outcome.reason, "not found by isbn 0000000000, nor by title/author 0 results wanted");
}

TEST_F(CatalogueLive, FallsBackToTitleAndAuthorAfterAnIsbnMiss) {
  auto outcome = holds(target(z3950()),
                       {.isbn = "0000000000", .title = "The 7 Habits of Highly Effective People: powerful lessons",
                        .author = "Covey, Stephen R."},
                       one_second());
  EXPECT_EQ(outcome.status, LookupStatus::kFound) << outcome.reason;
  EXPECT_EQ(outcome.matched_by, "title/author");
  EXPECT_EQ(outcome.hits, 7);
  EXPECT_NE(ztest_.log().find("@attr 4=6 @attr 1=4 \"7 habits of highly effective people\""), std::string::npos)
      << ztest_.log();
  EXPECT_NE(ztest_.log().find("@attr 4=6 @attr 1=1003 covey"), std::string::npos) << ztest_.log();
}

TEST_F(CatalogueLive, NoTitleSearchWhenFallbackIsOff) {
  auto options = one_second();
  options.title_fallback = false;
  auto outcome = holds(target(z3950()), {.isbn = "0000000000", .title = "7 habits"}, options);
  EXPECT_EQ(outcome.status, LookupStatus::kNotFound) << outcome.reason;
  EXPECT_EQ(ztest_.log().find("@attr 1=4"), std::string::npos) << ztest_.log();
}

TEST_F(CatalogueLive, UnknownDatabaseIsADiagnostic) {
  auto outcome = holds(target(z3950("Nope")), {.isbn = "9780131103627"}, one_second());
  EXPECT_EQ(outcome.status, LookupStatus::kError);
  EXPECT_EQ(outcome.error, LookupError::kDiagnostic);
  EXPECT_NE(outcome.reason.find("109"), std::string::npos) << outcome.reason;
}

TEST_F(CatalogueLive, ServerDownIsConnectFailed) {
  auto spec = z3950();
  ztest_.stop();
  const auto started = Clock::now();
  auto outcome = holds(target(spec), {.isbn = "9780131103627"}, one_second());
  EXPECT_LT(Clock::now() - started, kHangBound);
  EXPECT_EQ(outcome.status, LookupStatus::kError);
  EXPECT_EQ(outcome.error, LookupError::kConnectFailed) << outcome.reason;
}

TEST_F(CatalogueLive, SlowSearchTimesOut) {
  // The real server, sleeping 3 s in each search; the look-up waits 1 s.
  const auto started = Clock::now();
  auto outcome = holds(target(z3950("Default?search-delay=3")), {.isbn = "9780131103627"}, one_second());
  EXPECT_LT(Clock::now() - started, kHangBound);
  EXPECT_EQ(outcome.error, LookupError::kTimeout) << outcome.reason;
  EXPECT_NE(outcome.reason.find("search by isbn"), std::string::npos) << outcome.reason;
}

TEST_F(CatalogueLive, SruAnswersFoundOrNotFound) {
  // yaz-ztest gives CQL queries a random hit count: the answer is either, never an error.
  auto outcome = holds(target(sru()), {.isbn = "9780131103627"}, one_second());
  EXPECT_NE(outcome.status, LookupStatus::kError) << outcome.reason;
  EXPECT_NE(ztest_.log().find("bath.isbn=\"9780131103627\""), std::string::npos) << ztest_.log();
}

TEST_F(CatalogueLive, SruUnknownPathIsAnHttpDiagnostic) {
  auto outcome = holds(target(sru("nowhere")), {.isbn = "9780131103627"}, one_second());
  EXPECT_EQ(outcome.error, LookupError::kDiagnostic) << outcome.reason;
  EXPECT_NE(outcome.reason.find("HTTP 404"), std::string::npos) << outcome.reason;
}

TEST_F(CatalogueLive, CachedAnswerNeedsNoServer) {
  CatalogueService service({.threads = 1, .lookup = one_second()});
  auto first = service.lookup(target(z3950()), {.isbn = "9780131103627"}).get();
  ASSERT_EQ(first.status, LookupStatus::kFound) << first.reason;
  EXPECT_FALSE(first.from_cache);
  ztest_.stop();
  // Same item, written differently: the cache key is the normalised search.
  auto second = service.lookup(target(z3950()), {.isbn = "978 0 13 110362 7"}).get();
  EXPECT_EQ(second.status, LookupStatus::kFound);
  EXPECT_TRUE(second.from_cache);
  // Another item has to go to the (stopped) server: proves the second answer was the cache's.
  auto third = service.lookup(target(z3950()), {.isbn = "9780201633610"}).get();
  EXPECT_EQ(third.error, LookupError::kConnectFailed) << third.reason;
  EXPECT_EQ(service.stats().lookups, 2u);
  EXPECT_EQ(service.stats().cache_hits, 1u);
}

TEST_F(CatalogueLive, ExpiredAnswerGoesBackToTheServer) {
  auto now = std::make_shared<std::atomic<Clock::rep>>(0);
  auto clock = [now] { return Clock::time_point(Clock::duration(now->load())); };
  CatalogueService service({.threads = 1, .lookup = one_second(), .cache = {.not_found_ttl = 60s}},
                           holds, clock);
  auto miss = service.lookup(target(z3950()), {.isbn = "0000000000"}).get();
  ASSERT_EQ(miss.status, LookupStatus::kNotFound) << miss.reason;
  ztest_.stop();
  *now = Clock::duration(59s).count();
  EXPECT_TRUE(service.lookup(target(z3950()), {.isbn = "0000000000"}).get().from_cache);
  *now = Clock::duration(60s).count();
  auto expired = service.lookup(target(z3950()), {.isbn = "0000000000"}).get();
  EXPECT_FALSE(expired.from_cache);
  EXPECT_EQ(expired.error, LookupError::kConnectFailed) << expired.reason;
}

TEST(CatalogueHang, ServerThatNeverAnswersTimesOut) {
  test::SilentServer silent;
  ASSERT_NE(silent.port(), 0);
  for (const auto& spec : {"z3950:127.0.0.1:" + std::to_string(silent.port()) + "/Default",
                           "sru:http://127.0.0.1:" + std::to_string(silent.port()) + "/Default"}) {
    const auto started = Clock::now();
    auto outcome = holds(target(spec), {.isbn = "9780131103627", .title = "anything"}, one_second());
    EXPECT_LT(Clock::now() - started, kHangBound) << spec;
    EXPECT_EQ(outcome.status, LookupStatus::kError) << spec;
    // Not "not found": ZOOM lets a search after a timed-out connect report 0 hits.
    EXPECT_EQ(outcome.error, LookupError::kTimeout) << spec << ": " << outcome.reason;
  }
  EXPECT_EQ(silent.accepted(), 2);
}

TEST(CatalogueHang, AsyncLookupLeavesTheIoThreadFree) {
  test::SilentServer silent;
  ASSERT_NE(silent.port(), 0);
  CatalogueService service({.threads = 1, .lookup = one_second()});
  boost::asio::io_context io;
  std::optional<LookupOutcome> outcome;
  std::thread::id completed_on;
  int ticks = 0;  // a timer on the same io_context keeps firing while the look-up hangs
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        // Named, not braced temporaries: see async_holds() on GCC 12.
        const auto where = target("z3950:127.0.0.1:" + std::to_string(silent.port()) + "/Default");
        const HoldingsQuery query{.isbn = "9780131103627"};
        outcome = co_await service.async_holds(where, query, boost::asio::use_awaitable);
        completed_on = std::this_thread::get_id();
      },
      boost::asio::detached);
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        while (!outcome && ticks < 1000) {
          timer.expires_after(10ms);
          co_await timer.async_wait(boost::asio::use_awaitable);
          ++ticks;
        }
      },
      boost::asio::detached);
  io.run_for(kHangBound);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->error, LookupError::kTimeout) << outcome->reason;
  EXPECT_EQ(completed_on, std::this_thread::get_id());  // run on the io_context's thread
  EXPECT_GT(ticks, 5);  // the io thread was not blocked during the ~1 s look-up
}

}  // namespace
}  // namespace illhub::routing
