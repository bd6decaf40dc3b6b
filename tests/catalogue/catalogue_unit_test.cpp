// The catalogue look-up's pure parts: target strings, normalisation, the searches sent, the
// cache, and the service's bounds (with a stand-in look-up; no sockets).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <condition_variable>
#include <string>
#include <thread>
#include <vector>

#include "illhub/routing/catalogue_service.hpp"
#include "illhub/routing/lookup_cache.hpp"

namespace illhub::routing {
namespace {

using namespace std::chrono_literals;

TEST(CatalogueTarget, ParsesZ3950) {
  auto target = parse_catalogue_target("z3950:opac.example.org:210/Books");
  ASSERT_TRUE(target.has_value()) << target.error();
  EXPECT_EQ(target->protocol, CatalogueProtocol::kZ3950);
  EXPECT_EQ(target->host, "opac.example.org");
  EXPECT_EQ(target->port, 210);
  EXPECT_EQ(target->database, "Books");
  EXPECT_EQ(target->zoom_address(), "opac.example.org:210/Books");
}

TEST(CatalogueTarget, ParsesSruWithAndWithoutPort) {
  auto with = parse_catalogue_target("sru:http://opac:8080/sru/books");
  ASSERT_TRUE(with.has_value()) << with.error();
  EXPECT_EQ(with->protocol, CatalogueProtocol::kSru);
  EXPECT_EQ(with->zoom_address(), "http://opac:8080/sru/books");
  auto without = parse_catalogue_target("sru:http://opac/sru");
  ASSERT_TRUE(without.has_value()) << without.error();
  EXPECT_EQ(without->port, 80);
}

TEST(CatalogueTarget, KeepsDatabaseOptions) {
  auto target = parse_catalogue_target("z3950:127.0.0.1:9999/Default?search-delay=3");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->database, "Default?search-delay=3");
}

TEST(CatalogueTarget, RefusesWhatItCannotUse) {
  struct Case { const char* spec; const char* says; };
  for (auto [spec, says] : {Case{"", "expected z3950:"}, Case{"ftp://x/y", "expected z3950:"},
                            Case{"z3950:host/Books", "missing :PORT"},
                            Case{"z3950:host:210", "missing /DATABASE"},
                            Case{"z3950:host:210/", "missing /DATABASE"},
                            Case{"z3950:host:0/Books", "port must be"},
                            Case{"z3950:host:70000/Books", "port must be"},
                            Case{"z3950:host:21x/Books", "port must be"},
                            Case{"z3950::210/Books", "empty host"},
                            Case{"z3950:[::1]:210/Books", "IPv6"},
                            Case{"z3950:host:210/My Books", "spaces"},
                            Case{"sru:https://opac/sru", "https is not supported"},
                            Case{"sru:http://opac", "missing /PATH"}}) {
    auto target = parse_catalogue_target(spec);
    ASSERT_FALSE(target.has_value()) << spec;
    EXPECT_NE(target.error().find(says), std::string::npos) << spec << " -> " << target.error();
    EXPECT_NE(target.error().find(std::string("\"") + spec + "\""), std::string::npos) << target.error();
  }
}

TEST(HoldingsQuery, NormalisesIdentifiers) {
  EXPECT_EQ(isbn_search_term("978-0-13-110362-7"), "9780131103627");
  EXPECT_EQ(isbn_search_term("0 13 110362 x"), "013110362X");
  EXPECT_EQ(isbn_search_term("978013110362X"), "");   // ISBN-13 ends in a digit
  EXPECT_EQ(isbn_search_term("01311X0362"), "");      // X only last
  EXPECT_EQ(isbn_search_term("12345"), "");
  EXPECT_EQ(isbn_search_term("ISBN 0131103628"), "");  // a prefix is not stripped: say so upstream
  EXPECT_EQ(issn_search_term("0028 0836"), "0028-0836");
  EXPECT_EQ(issn_search_term("1234-567x"), "1234-567X");
  EXPECT_EQ(issn_search_term("1234-56"), "");
}

TEST(HoldingsQuery, NormalisesTitleAndAuthor) {
  EXPECT_EQ(normalise_title("The C Programming Language: ANSI C / Kernighan"), "c programming language");
  EXPECT_EQ(normalise_title("A"), "a");  // an article alone stays
  EXPECT_EQ(normalise_title("  Crime   and punishment!! "), "crime and punishment");
  EXPECT_EQ(normalise_title("one two three four five six seven eight nine ten"),
            "one two three four five six seven eight");
  EXPECT_EQ(normalise_title("Les Misérables"), "les misérables");  // UTF-8 bytes kept
  EXPECT_EQ(normalise_title("\"Quoted\" \\ title"), "quoted title");
  EXPECT_EQ(normalise_author("Kernighan, Brian W."), "kernighan");
  EXPECT_EQ(normalise_author("Brian W. Kernighan"), "kernighan");
  EXPECT_EQ(normalise_author("van Rossum, Guido"), "van rossum");
  EXPECT_EQ(normalise_author(" ,. "), "");
}

TEST(HoldingsQuery, IdentifiersFirstThenTitleAndAuthor) {
  auto searches = plan_searches({.isbn = "978-0-13-110362-7", .issn = "0028-0836",
                                 .title = "The C programming language", .author = "Kernighan, Brian"});
  ASSERT_EQ(searches.size(), 3u);
  EXPECT_EQ(searches[0].matched_by, "isbn");
  EXPECT_EQ(searches[0].pqf, "@attr 1=7 \"9780131103627\"");
  EXPECT_EQ(searches[0].cql, "bath.isbn=\"9780131103627\"");
  EXPECT_EQ(searches[1].pqf, "@attr 1=8 \"0028-0836\"");
  EXPECT_EQ(searches[1].cql, "bath.issn=\"0028-0836\"");
  EXPECT_EQ(searches[2].matched_by, "title/author");
  EXPECT_EQ(searches[2].pqf,
            "@and @attr 1=4 @attr 4=6 \"c programming language\" @attr 1=1003 @attr 4=6 \"kernighan\"");
  EXPECT_EQ(searches[2].cql, "dc.title all \"c programming language\" and dc.creator all \"kernighan\"");
}

TEST(HoldingsQuery, TitleAloneWithoutAuthorOrFallback) {
  auto title_only = plan_searches({.title = "Dune"});
  ASSERT_EQ(title_only.size(), 1u);
  EXPECT_EQ(title_only[0].pqf, "@attr 1=4 @attr 4=6 \"dune\"");
  EXPECT_EQ(plan_searches({.isbn = "0441172717", .title = "Dune"}, false).size(), 1u);
  EXPECT_EQ(plan_searches({.title = "Dune"}, false).size(), 1u);  // nothing else to search
  EXPECT_TRUE(plan_searches({.isbn = "bad", .title = "!!"}).empty());
}

TEST(HoldingsQuery, BuiltFromTheRotaRequest) {
  RotaRequest request;
  request.isbn = "9780131103627";
  request.title = "T";
  request.author = "A";
  auto query = holdings_query_from(request);
  EXPECT_EQ(query.isbn, "9780131103627");
  EXPECT_EQ(query.title, "T");
  EXPECT_EQ(query.author, "A");
}

LookupOutcome outcome_of(LookupStatus status) {
  LookupOutcome outcome;
  outcome.status = status;
  outcome.reason = to_string(status);
  return outcome;
}

struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  LookupCache::Clock clock() { return [this] { return now; }; }
};

TEST(LookupCache, KeepsFoundAndNotFoundForTheirOwnTtl) {
  FakeTime time;
  LookupCache cache({.max_entries = 10, .found_ttl = 100s, .not_found_ttl = 10s}, time.clock());
  cache.put("found", outcome_of(LookupStatus::kFound));
  cache.put("missing", outcome_of(LookupStatus::kNotFound));
  time.now += 9s;
  EXPECT_TRUE(cache.get("missing").has_value());
  time.now += 1s;
  EXPECT_FALSE(cache.get("missing").has_value());
  EXPECT_EQ(cache.size(), 1u);  // the expired entry was dropped
  time.now += 89s;
  ASSERT_TRUE(cache.get("found").has_value());
  EXPECT_EQ(cache.get("found")->status, LookupStatus::kFound);
  time.now += 1s;
  EXPECT_FALSE(cache.get("found").has_value());
}

TEST(LookupCache, NeverKeepsErrors) {
  LookupCache cache({});
  cache.put("e", outcome_of(LookupStatus::kError));
  EXPECT_FALSE(cache.get("e").has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(LookupCache, EvictsTheLeastRecentlyUsedWhenFull) {
  LookupCache cache({.max_entries = 2});
  cache.put("a", outcome_of(LookupStatus::kFound));
  cache.put("b", outcome_of(LookupStatus::kFound));
  EXPECT_TRUE(cache.get("a").has_value());  // a is now more recent than b
  cache.put("c", outcome_of(LookupStatus::kFound));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.get("a").has_value());
  EXPECT_FALSE(cache.get("b").has_value());
  EXPECT_TRUE(cache.get("c").has_value());
}

TEST(LookupCache, PutAgainRefreshesTheAnswerAndItsTtl) {
  FakeTime time;
  LookupCache cache({.found_ttl = 10s, .not_found_ttl = 10s}, time.clock());
  cache.put("k", outcome_of(LookupStatus::kNotFound));
  time.now += 8s;
  cache.put("k", outcome_of(LookupStatus::kFound));
  time.now += 8s;
  ASSERT_TRUE(cache.get("k").has_value());
  EXPECT_EQ(cache.get("k")->status, LookupStatus::kFound);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(LookupCache, SizeZeroKeepsNothing) {
  LookupCache cache({.max_entries = 0});
  cache.put("k", outcome_of(LookupStatus::kFound));
  EXPECT_FALSE(cache.get("k").has_value());
}

TEST(LookupCache, ConcurrentUseKeepsItsBound) {
  LookupCache cache({.max_entries = 50});
  std::vector<std::thread> threads;
  std::atomic<int> hits{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &hits, t] {
      for (int i = 0; i < 2000; ++i) {
        // 80 cold keys churn through the 50 places; 5 hot ones, used every time, stay.
        auto hot = "hot" + std::to_string(i % 5);
        if (cache.get(hot)) ++hits;
        cache.put(hot, outcome_of(LookupStatus::kFound));
        cache.put(std::to_string((i * 7 + t) % 80), outcome_of(i % 2 ? LookupStatus::kFound : LookupStatus::kNotFound));
        EXPECT_LE(cache.size(), 50u);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(cache.size(), 50u);
  EXPECT_GT(hits.load(), 0);
}

TEST(LookupCache, KeyIsTheTargetAndTheNormalisedSearches) {
  auto a = parse_catalogue_target("z3950:a:210/X");
  auto b = parse_catalogue_target("z3950:b:210/X");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(LookupCache::key(*a, {.isbn = "978-0-13-110362-7"}, {}),
            LookupCache::key(*a, {.isbn = "9780131103627"}, {}));
  EXPECT_NE(LookupCache::key(*a, {.isbn = "9780131103627"}, {}),
            LookupCache::key(*b, {.isbn = "9780131103627"}, {}));
  EXPECT_NE(LookupCache::key(*a, {.isbn = "9780131103627", .title = "x"}, {}),
            LookupCache::key(*a, {.isbn = "9780131103627", .title = "x"}, {.title_fallback = false}));
}

// A stand-in look-up that counts its calls and, when told to, waits until released.
struct StandIn {
  std::atomic<int> calls{0};
  std::mutex mutex;
  std::condition_variable cv;
  bool released = true;
  LookupStatus answer = LookupStatus::kFound;

  CatalogueService::LookupFn fn() {
    return [this](const CatalogueTarget&, const HoldingsQuery&, const LookupOptions&) {
      ++calls;
      std::unique_lock lock(mutex);
      cv.wait_for(lock, 10s, [this] { return released; });
      return outcome_of(answer);
    };
  }
  void hold() { std::lock_guard lock(mutex); released = false; }
  void release() {
    { std::lock_guard lock(mutex); released = true; }
    cv.notify_all();
  }
};

CatalogueTarget some_target() { return *parse_catalogue_target("z3950:h:1/D"); }

TEST(CatalogueService, SecondLookupOfTheSameItemIsTheCachesAnswer) {
  StandIn stand_in;
  CatalogueService service({.threads = 1}, stand_in.fn());
  auto first = service.lookup(some_target(), {.isbn = "9780131103627"}).get();
  auto second = service.lookup(some_target(), {.isbn = "978-0-13-110362-7"}).get();
  EXPECT_EQ(stand_in.calls.load(), 1);
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.status, LookupStatus::kFound);
  EXPECT_EQ(service.stats().cache_hits, 1u);
}

TEST(CatalogueService, ErrorsAreAskedAgain) {
  StandIn stand_in;
  stand_in.answer = LookupStatus::kError;
  CatalogueService service({.threads = 1}, stand_in.fn());
  service.lookup(some_target(), {.isbn = "9780131103627"}).get();
  service.lookup(some_target(), {.isbn = "9780131103627"}).get();
  EXPECT_EQ(stand_in.calls.load(), 2);
}

TEST(CatalogueService, RefusesBeyondMaxPendingWithoutWaiting) {
  StandIn stand_in;
  stand_in.hold();
  CatalogueService service({.threads = 1, .max_pending = 2}, stand_in.fn());
  auto a = service.lookup(some_target(), {.isbn = "0000000001"});  // running, held
  auto b = service.lookup(some_target(), {.isbn = "0000000002"});  // queued
  auto c = service.lookup(some_target(), {.isbn = "0000000003"});  // over the bound
  ASSERT_EQ(c.wait_for(0s), std::future_status::ready);  // answered in submit itself
  auto refused = c.get();
  EXPECT_EQ(refused.error, LookupError::kOverloaded);
  EXPECT_EQ(service.stats().overloaded, 1u);
  stand_in.release();
  EXPECT_EQ(a.get().status, LookupStatus::kFound);
  EXPECT_EQ(b.get().status, LookupStatus::kFound);
  // Slots are given back: a fourth is accepted.
  EXPECT_EQ(service.lookup(some_target(), {.isbn = "0000000004"}).get().status, LookupStatus::kFound);
}

TEST(CatalogueService, DestructorCompletesQueuedLookups) {
  StandIn stand_in;
  std::future<LookupOutcome> queued;
  {
    CatalogueService service({.threads = 1}, stand_in.fn());
    service.lookup(some_target(), {.isbn = "0000000001"});
    queued = service.lookup(some_target(), {.isbn = "0000000002"});
  }
  ASSERT_EQ(queued.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(queued.get().status, LookupStatus::kFound);
}

}  // namespace
}  // namespace illhub::routing
