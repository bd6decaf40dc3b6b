// The hub as intermediary end to end (docs/ROUTING.md): a real illd with its own symbol
// (--symbol IRL:HUB), a throwaway PostgreSQL, and YAZ-encoded libraries on loopback addresses:
// a borrower and three lenders. The borrower's send-to-list is written with our codec into a
// YAZ-built ILL-Request (YAZ has no helper for it); everything the peers receive is decoded by
// YAZ and by our codec.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "illhub/codec/builders.hpp"
#include "net/illd_fixture.hpp"
#include "pg/illctl_runner.hpp"

namespace illhub::test {
namespace {

constexpr const char* kHub = "IRL:HUB";
constexpr int kForwardNotification = 2, kExpired = 20, kStatusOrErrorReport = 19;
constexpr int kUnfilled = 3, kWillSupply = 5;

struct Lender {
  const char* symbol;
  const char* address;
};
constexpr Lender kL1{"IRL:L1", "127.0.0.3"}, kL2{"IRL:L2", "127.0.0.4"}, kL3{"IRL:L3", "127.0.0.5"};

class RoutingTest : public IlldFixture {
 protected:
  void SetUp() override {
    IlldFixture::SetUp();
    add_peer("IRL:BOR", "127.0.0.2/32");
    for (const Lender& l : {kL1, kL2, kL3}) add_peer(l.symbol, std::string(l.address) + "/32");
    // A lender has 2 s to answer; the deadline is swept every 200 ms.
    ASSERT_TRUE(illd_.start(conninfo_, IlldLaunch{{"--symbol", kHub, "--set", "timers.interval=200ms", "--set",
                                                   "routing.answer_deadline=2s"}}))
        << illd_.error();
    ASSERT_TRUE(borrower_.connect(illd_.port(), kBorrowerAddress)) << borrower_.error();
    ASSERT_TRUE(l1_.connect(illd_.port(), kL1.address)) << l1_.error();
    ASSERT_TRUE(l2_.connect(illd_.port(), kL2.address)) << l2_.error();
    ASSERT_TRUE(l3_.connect(illd_.port(), kL3.address)) << l3_.error();
  }

  /// The borrower's ILL-Request to the hub, built by YAZ, with `send_to` as its send-to-list.
  static Bytes request_to_hub(const std::string& qualifier, const std::string& time,
                              const std::vector<std::string>& send_to) {
    testing::SampleOptions o;
    o.qualifier = qualifier;
    o.time = time;
    o.responder_symbol = kHub;
    const Bytes yaz = testing::yaz_encode_sample(kIllRequest, o);
    if (send_to.empty()) return yaz;
    auto decoded = codec::decode(yaz);
    EXPECT_TRUE(decoded);
    codec::RequestRewrite rewrite;
    rewrite.service_date_time = {o.date, o.time, {}, {}};
    rewrite.responder_id.symbol = kHub;
    rewrite.already_tried = codec::read_envelope(*decoded).already_tried;
    for (const auto& s : send_to) rewrite.send_to.push_back(codec::SystemId{s, {}, false, false});
    rewrite.forward_flag = false;
    auto built = codec::build_rewritten_request(*decoded, rewrite);
    EXPECT_TRUE(built) << (built ? "" : built.error().detail);
    Bytes out(built->bytes().begin(), built->bytes().end());
    EXPECT_TRUE(testing::yaz_decode(out).ok) << "YAZ must read the borrower's request too";
    return out;
  }

  /// An APDU from lender `l` to the borrower, built by YAZ.
  static Bytes from_lender(const Lender& l, int kind, const std::string& qualifier, const std::string& time,
                           int results = kWillSupply) {
    testing::SampleOptions o;
    o.qualifier = qualifier;
    o.time = time;
    o.responder_symbol = l.symbol;
    o.answer_results = results;
    return testing::yaz_encode_sample(kind, o);
  }

  static Bytes from_borrower(const Lender& l, int kind, const std::string& qualifier, const std::string& time) {
    return from_lender(l, kind, qualifier, time);
  }

  /// `frame` decoded by YAZ and by our codec: must be `kind` on transaction `qualifier`.
  static codec::Envelope decoded(const std::optional<Bytes>& frame, int kind, const std::string& qualifier) {
    EXPECT_TRUE(frame) << "nothing arrived (wanted kind " << kind << ")";
    if (!frame) return {};
    const auto yaz = testing::yaz_decode(*frame);
    EXPECT_TRUE(yaz.ok) << yaz.error;
    EXPECT_EQ(yaz.kind, kind) << yaz.dump;
    auto ours = codec::decode(*frame);
    EXPECT_TRUE(ours);
    if (!ours) return {};
    codec::Envelope e = codec::read_envelope(*ours);
    EXPECT_EQ(static_cast<int>(e.kind), kind);
    EXPECT_EQ(e.transaction_id.qualifier, qualifier);
    EXPECT_EQ(e.transaction_id.initial_requester.symbol, "IRL:BOR") << "the borrower's transaction id, end to end";
    return e;
  }

  /// `lender` must get the onward request and the borrower a Forward-Notification naming it.
  void expect_forwarded(TestPeer& lender, const char* symbol, const std::string& qualifier,
                        const std::vector<std::string>& tried) {
    const codec::Envelope request = decoded(lender.receive(), kIllRequest, qualifier);
    EXPECT_EQ(request.responder_id.symbol, symbol);
    EXPECT_EQ(request.requester_id.symbol, "IRL:BOR");
    EXPECT_TRUE(request.forward_flag);
    EXPECT_TRUE(request.send_to.empty()) << "the hub keeps the rota to itself";
    std::vector<std::string> got;
    for (const auto& id : request.already_tried) got.push_back(id.symbol);
    EXPECT_EQ(got, tried);
    const codec::Envelope notice = decoded(borrower_.receive(), kForwardNotification, qualifier);
    EXPECT_EQ(notice.responder_id.symbol, symbol);
    EXPECT_EQ(notice.intermediary_id.symbol, kHub);
  }

  /// `sender` sends `bytes`; `recipient` must get them unchanged.
  static void relay(TestPeer& sender, TestPeer& recipient, const Bytes& bytes) {
    ASSERT_TRUE(sender.send(bytes));
    const auto got = recipient.receive();
    ASSERT_TRUE(got) << "the APDU was not relayed";
    EXPECT_EQ(*got, bytes);
  }

  /// `illctl --db ... ARGS`: the operator's view of the same database.
  IllctlRun illctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", conninfo_});
    return run_illctl(args);
  }

  /// The `illctl attention --format jsonl` items of category rota-used-up.
  std::vector<nlohmann::json> rota_used_up() {
    const IllctlRun run = illctl({"attention", "--format", "jsonl"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<nlohmann::json> out;
    std::size_t at = 0;
    for (std::size_t nl; (nl = run.out.find('\n', at)) != std::string::npos; at = nl + 1) {
      auto item = nlohmann::json::parse(run.out.substr(at, nl - at), nullptr, false);
      EXPECT_FALSE(item.is_discarded()) << run.out;
      if (!item.is_discarded() && item.value("category", "") == "rota-used-up") out.push_back(std::move(item));
    }
    return out;
  }

  std::string outcomes() {
    return text("SELECT string_agg(position || ' ' || lender_symbol || ' ' || coalesce(outcome, '-'), ', ' "
                "ORDER BY position) FROM routing_attempts");
  }

  TestPeer borrower_, l1_, l2_, l3_;
};

TEST_F(RoutingTest, FirstLenderUnfilledSecondSilentThirdShipsAndTheBorrowerSeesOneLoan) {
  ASSERT_TRUE(borrower_.send(request_to_hub("ROTA", "120001", {kL1.symbol, kL2.symbol, kL3.symbol})));
  expect_forwarded(l1_, kL1.symbol, "ROTA", {"IRL:AAA", kHub});

  // Lender 1 cannot supply: the borrower is not told, lender 2 is asked.
  ASSERT_TRUE(l1_.send(from_lender(kL1, kIllAnswer, "ROTA", "120002", kUnfilled)));
  expect_forwarded(l2_, kL2.symbol, "ROTA", {"IRL:AAA", kHub, kL1.symbol});

  // Lender 2 says nothing: after its 2 s the sweep asks lender 3.
  expect_forwarded(l3_, kL3.symbol, "ROTA", {"IRL:AAA", kHub, kL1.symbol, kL2.symbol});
  EXPECT_EQ(outcomes(), "1 IRL:L1 unfilled, 2 IRL:L2 no-answer, 3 IRL:L3 -");

  // Lender 3 supplies: from here on a loan like any other, relayed unchanged both ways.
  relay(l3_, borrower_, from_lender(kL3, kIllAnswer, "ROTA", "120003", kWillSupply));
  relay(l3_, borrower_, from_lender(kL3, kShipped, "ROTA", "120004"));
  relay(borrower_, l3_, from_borrower(kL3, kReceived, "ROTA", "120005"));
  relay(borrower_, l3_, from_borrower(kL3, kReturned, "ROTA", "120006"));
  relay(l3_, borrower_, from_lender(kL3, kCheckedIn, "ROTA", "120007"));
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "15/15"));

  // A late Shipped from lender 1: not a party any more, refused as a stranger's would be
  // (transaction-id-problem unknown-transaction-id (3), which tells a non-party nothing).
  ASSERT_TRUE(l1_.send(from_lender(kL1, kShipped, "ROTA", "120008")));
  const std::string dump = report_dump(l1_.receive());
  EXPECT_NE(dump.find("transaction_id_problem 3"), std::string::npos) << dump;
  EXPECT_FALSE(borrower_.receive(300ms)) << "nothing of lender 1's may reach the borrower";

  EXPECT_EQ(text("SELECT count(*) FROM transactions"), "1");
  EXPECT_EQ(text("SELECT responder_symbol || ' ' || routed_by_hub || ' ' || rota_exhausted FROM transactions"),
            "IRL:L3 true false");
  EXPECT_EQ(outcomes(), "1 IRL:L1 unfilled, 2 IRL:L2 no-answer, 3 IRL:L3 supplying");
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE NOT accepted AND peer_symbol = 'IRL:L1'"), "1");
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'out' AND apdu_kind = 2"), "3");
  // The ledger knows only the lender that lent.
  EXPECT_NE(text("SELECT count(*) FROM ledger_postings WHERE account LIKE '%IRL:L3%'"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings WHERE account ~ 'IRL:L[12]' OR counter_account ~ 'IRL:L[12]'"),
            "0");
  // ... and so does the operator's ledger report, and nothing of this loan needs attention.
  const IllctlRun ledger = illctl({"ledger", "--format", "json"});
  ASSERT_EQ(ledger.exit_code, 0) << ledger.err;
  const auto report = nlohmann::json::parse(ledger.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << ledger.out;
  std::set<std::string> libraries, counterparties;
  for (const auto& line : report["libraries"]) libraries.insert(line.value("library", ""));
  for (const auto& line : report["pairs"]) counterparties.insert(line.value("counterparty", ""));
  EXPECT_TRUE(libraries.count(kL3.symbol)) << ledger.out;
  for (const char* asked_before : {kL1.symbol, kL2.symbol}) {
    EXPECT_FALSE(libraries.count(asked_before)) << ledger.out;
    EXPECT_FALSE(counterparties.count(asked_before)) << ledger.out;
  }
  EXPECT_TRUE(rota_used_up().empty());
}

TEST_F(RoutingTest, PastTheEndOfTheRotaTheBorrowerGetsTheHubsUnfilledAnswer) {
  ASSERT_TRUE(borrower_.send(request_to_hub("END", "130001", {kL1.symbol, "IRL:NOBODY", kL2.symbol})));
  expect_forwarded(l1_, kL1.symbol, "END", {"IRL:AAA", kHub});
  ASSERT_TRUE(l1_.send(from_lender(kL1, kIllAnswer, "END", "130002", kUnfilled)));
  // IRL:NOBODY is no member: skipped, lender 2 is next.
  expect_forwarded(l2_, kL2.symbol, "END", {"IRL:AAA", kHub, kL1.symbol});
  ASSERT_TRUE(l2_.send(from_lender(kL2, kExpired, "END", "130003")));

  const codec::Envelope answer = decoded(borrower_.receive(), kIllAnswer, "END");
  ASSERT_TRUE(answer.transaction_results);
  EXPECT_EQ(*answer.transaction_results, codec::TransactionResults::kUnfilled);
  EXPECT_EQ(answer.responder_id.symbol, kHub);
  EXPECT_FALSE(l3_.receive(300ms)) << "lender 3 is not on this rota";
  EXPECT_EQ(outcomes(), "1 IRL:L1 unfilled, 2 IRL:NOBODY skipped, 3 IRL:L2 expired");
  EXPECT_EQ(text("SELECT requester_state || '/' || responder_state || ' ' || responder_symbol || ' ' || "
                 "rota_exhausted FROM transactions"),
            "1/1 IRL:HUB true");

  // The borrower's side is over: a Cancel now is refused, not passed to anyone.
  ASSERT_TRUE(borrower_.send(from_borrower(kL2, 6, "END", "130004")));
  report_dump(borrower_.receive());

  // The operator is told: two lenders asked, none could supply.
  const auto items = rota_used_up();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["detail"].value("borrower", ""), "IRL:BOR") << items[0].dump();
  EXPECT_EQ(items[0]["detail"].value("lenders_asked", -1), 2) << items[0].dump();
  EXPECT_NE(items[0].value("command", "").find("illctl show"), std::string::npos) << items[0].dump();
  const IllctlRun show = illctl({"show", items[0]["detail"].value("transaction", "")});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("used up"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("2. IRL:NOBODY  skipped"), std::string::npos) << show.out;
}

TEST_F(RoutingTest, ARequestToTheHubThatNobodyHoldsIsUnfilledAtOnce) {
  ASSERT_TRUE(borrower_.send(request_to_hub("NONE", "140001", {})));
  const codec::Envelope answer = decoded(borrower_.receive(), kIllAnswer, "NONE");
  ASSERT_TRUE(answer.transaction_results);
  EXPECT_EQ(*answer.transaction_results, codec::TransactionResults::kUnfilled);
  EXPECT_EQ(answer.responder_id.symbol, kHub);
  for (TestPeer* l : {&l1_, &l2_, &l3_}) EXPECT_FALSE(l->receive(200ms));
  EXPECT_EQ(text("SELECT count(*) FROM routing_attempts"), "0");
  EXPECT_EQ(text("SELECT rota_exhausted FROM transactions"), "t");
  // The hub is a peer row of its own, disabled: nobody can speak as it.
  EXPECT_EQ(text("SELECT enabled FROM peers WHERE symbol = 'IRL:HUB'"), "f");
  const auto items = rota_used_up();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["detail"].value("lenders_asked", -1), 0) << items[0].dump();
}

TEST_F(RoutingTest, ARequestToTheHubWithNoSendToListGoesToTheLibrariesThatHoldTheItem) {
  // Holdings, imported as an operator would: lender 3 holds the request's ISBN (as ISBN-13),
  // lender 2 holds something else, lender 1 nothing.
  const std::filesystem::path csv =
      std::filesystem::temp_directory_path() / ("illhub-routing-holdings-" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(csv);
    out << "symbol,isbn,issn,oclc,local_id,title,author\n"
        << kL3.symbol << ",978-0-12-345678-6,,,,Interlibrary loan in practice,\"Doe, Jane\"\n"
        << kL2.symbol << ",0-306-40615-2,,,,Another book,\n";
  }
  const IllctlRun imported = illctl({"holdings", "import", "--format", "csv", csv.string()});
  std::filesystem::remove(csv);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  ASSERT_TRUE(borrower_.send(request_to_hub("PLAN", "160001", {})));  // ISBN 0123456789
  expect_forwarded(l3_, kL3.symbol, "PLAN", {"IRL:AAA", kHub});
  for (TestPeer* l : {&l1_, &l2_}) EXPECT_FALSE(l->receive(200ms)) << "only the holder is asked";
  EXPECT_EQ(text("SELECT string_agg(lender_symbol || ' ' || source, ',' ORDER BY position) FROM routing_attempts"),
            "IRL:L3 planner");
  EXPECT_NE(text("SELECT reason FROM routing_attempts").find("9780123456786"), std::string::npos)
      << "the reason names the matching identifier: " << text("SELECT reason FROM routing_attempts");

  // The only holder cannot supply: the end of the rota, the borrower gets the final unfilled.
  ASSERT_TRUE(l3_.send(from_lender(kL3, kIllAnswer, "PLAN", "160002", kUnfilled)));
  const codec::Envelope answer = decoded(borrower_.receive(), kIllAnswer, "PLAN");
  ASSERT_TRUE(answer.transaction_results);
  EXPECT_EQ(*answer.transaction_results, codec::TransactionResults::kUnfilled);
  EXPECT_EQ(rota_used_up().size(), 1u);
}

TEST_F(RoutingTest, ARequestToAMemberWithoutASendToListIsRelayedAsBefore) {
  testing::SampleOptions o;
  o.qualifier = "DIRECT";
  o.responder_symbol = kL1.symbol;
  relay(borrower_, l1_, testing::yaz_encode_sample(kIllRequest, o));
  EXPECT_FALSE(borrower_.receive(300ms)) << "no Forward-Notification for a direct request";
  EXPECT_EQ(text("SELECT routed_by_hub FROM transactions"), "f");
  // The lender's unfilled answer reaches the borrower unchanged; nobody else is asked.
  relay(l1_, borrower_, from_lender(kL1, kIllAnswer, "DIRECT", "150002", kUnfilled));
  EXPECT_FALSE(l2_.receive(300ms));
  EXPECT_EQ(text("SELECT count(*) FROM routing_attempts"), "0");
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "1/1"));
}

}  // namespace
}  // namespace illhub::test
