// plan_rota with the libraries' own catalogues: a real yaz-ztest (Debian's yaz package) as one
// library's Z39.50 catalogue, a refused port as another's, named in the loaded policy file.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "catalogue/ztest_server.hpp"
#include "illhub/routing/catalogue_service.hpp"
#include "illhub/routing/planner.hpp"
#include "routing_fixture.hpp"

namespace illhub::test {
namespace {

/// A 127.0.0.1 port nothing listens on: bound, then closed.
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  std::uint16_t port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

class LivePlannerTest : public RoutingTest {
 protected:
  void SetUp() override {
    RoutingTest::SetUp();
    ASSERT_TRUE(ztest_.start()) << ztest_.error();
    add_peers({"BOR", "LIVE", "DOWN", "SHELF"});
    const std::string policy = "[consortium]\ncurrency = \"EUR\"\n"
                               "[libraries.\"LIVE\"]\ncatalogue = \"z3950:127.0.0.1:" +
                               std::to_string(ztest_.port()) + "/Default\"\n" +
                               "[libraries.\"DOWN\"]\ncatalogue = \"z3950:127.0.0.1:" +
                               std::to_string(closed_port()) + "/Default\"\n";
    const IllctlRun loaded = ctl({"policy", "load", file("policy.toml", policy)});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
    // SHELF has the item in its imported holdings; LIVE and DOWN only in their catalogues.
    const IllctlRun imported =
        ctl({"holdings", "import", "--format", "csv", file("h.csv", "symbol,isbn,title\nSHELF,0123456789,Loans\n")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  routing::RotaRequest request(const std::string& isbn) {
    routing::RotaRequest q;
    q.borrower = "BOR";
    q.isbn = isbn;
    return q;
  }

  static std::string lenders(const routing::Rota& rota) {
    std::string out;
    for (const auto& e : rota.lenders) out += (out.empty() ? "" : ",") + e.lender;
    return out;
  }

  ZtestServer ztest_;
  routing::CatalogueService catalogues_{
      routing::CatalogueService::Options{.lookup = {.timeout = std::chrono::seconds(2)}}};
};

TEST_F(LivePlannerTest, ALibraryWhoseCatalogueHoldsTheItemJoinsTheRotaWithItsReason) {
  // yaz-ztest reads a number at the start of a term as the hit count: 0123456789 is found.
  auto rota = routing::plan_rota(*conn_, request("0123456789"), &catalogues_);
  ASSERT_TRUE(rota) << rota.error().describe();
  EXPECT_EQ(lenders(*rota), "LIVE,SHELF") << "LIVE by its catalogue, SHELF by imported holdings; DOWN unreachable";
  const std::string& reason = rota->lenders[0].lender == "LIVE" ? rota->lenders[0].reason : rota->lenders[1].reason;
  EXPECT_NE(reason.find("in its catalogue z3950:127.0.0.1:" + std::to_string(ztest_.port()) + "/Default"),
            std::string::npos)
      << reason;
  EXPECT_NE(ztest_.log().find("0123456789"), std::string::npos) << "the ISBN was searched:\n" << ztest_.log();
}

TEST_F(LivePlannerTest, WithoutTheServiceOnlyImportedHoldingsCount) {
  auto rota = routing::plan_rota(*conn_, request("0123456789"));
  ASSERT_TRUE(rota) << rota.error().describe();
  EXPECT_EQ(lenders(*rota), "SHELF");
}

TEST_F(LivePlannerTest, ACatalogueWithNoHitAddsNobodyAndAStoppedOneIsServedFromTheCache) {
  // 0000000000 is a zero-hit search at yaz-ztest: nobody's catalogue holds it.
  auto none = routing::plan_rota(*conn_, request("0000000000"), &catalogues_);
  ASSERT_TRUE(none) << none.error().describe();
  EXPECT_EQ(lenders(*none), "");
  // A found answer is cached: with the server gone the same request still finds LIVE.
  ASSERT_TRUE(routing::plan_rota(*conn_, request("0123456789"), &catalogues_));
  ztest_.stop();
  auto cached = routing::plan_rota(*conn_, request("0123456789"), &catalogues_);
  ASSERT_TRUE(cached) << cached.error().describe();
  EXPECT_EQ(lenders(*cached), "LIVE,SHELF");
  // A title nobody searched yet, with the server gone: LIVE cannot be asked, so it is left off.
  auto unreachable = routing::plan_rota(*conn_, request("9780306406157"), &catalogues_);
  ASSERT_TRUE(unreachable) << unreachable.error().describe();
  EXPECT_EQ(lenders(*unreachable), "");
}

TEST_F(LivePlannerTest, APolicyWithABadCatalogueTargetIsRefusedWithTheKey) {
  const IllctlRun check = ctl({"policy", "check", file("bad.toml", "[consortium]\ncurrency = \"EUR\"\n"
                                                                  "[libraries.\"X\"]\ncatalogue = \"gopher://x\"\n")});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.err.find("libraries.\"X\".catalogue"), std::string::npos) << check.err;
}

}  // namespace
}  // namespace illhub::test
