// illctl tail against a real PostgreSQL: commit order with writers that commit out of id
// order, resuming from a cursor file after a kill, filters and formats.
#include <nlohmann/json.hpp>

#include <sstream>
#include <thread>

#include "operator_fixture.hpp"

namespace illhub::test {
namespace {

using codec::ApduKind;
using hub::Outcome;

/// The "id" of every JSON line in `jsonl`, in order.
std::vector<std::int64_t> ids_of(const std::string& jsonl) {
  std::vector<std::int64_t> ids;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ids.push_back(j.is_discarded() ? -1 : j.value("id", std::int64_t{-1}));
  }
  return ids;
}

/// Writes one refused event (no transaction) on `conn`, in whatever transaction is open
/// there; its id.
std::int64_t insert_event(store::PgConnection& conn, const std::string& reason) {
  auto r = conn.exec(
      "INSERT INTO events (direction, peer_symbol, apdu_kind, accepted, raw_ber, reason) "
      "VALUES ('in', 'IRL:AAA', 17, false, '\\x00'::bytea, $1) RETURNING id",
      {reason});
  EXPECT_TRUE(r) << (r ? "" : r.error().describe());
  return r ? r->get_int64(0, 0).value_or(-1) : -1;
}

class TailTest : public OperatorTest {};

TEST_F(TailTest, PrintsEveryEventOnceInCommitOrderWhenWritersCommitOutOfIdOrder) {
  ASSERT_EQ(apply(ApduKind::kIllRequest, "ORDER", kBorrower), Outcome::kAccepted);
  ASSERT_EQ(apply(ApduKind::kIllAnswer, "ORDER", kLender), Outcome::kAccepted);
  const std::string cursor = make_temp_dir("tail-cursor") / "cursor";

  IllctlProcess follower(with_db({"tail", "--follow", "--since", "1", "--format", "jsonl", "--cursor-file",
                                  cursor, "--max-events", "4", "--poll-ms", "50"}));
  ASSERT_TRUE(follower.wait_for_lines(2)) << follower.err();

  // Writer A takes the lower id and commits last; writer B takes the higher id and commits first.
  store::PgConnection a = connect_or_abort(conninfo_), b = connect_or_abort(conninfo_);
  ASSERT_TRUE(a.exec("BEGIN"));
  const std::int64_t id_a = insert_event(a, "writer A");
  ASSERT_TRUE(b.exec("BEGIN"));
  const std::int64_t id_b = insert_event(b, "writer B");
  ASSERT_LT(id_a, id_b);
  ASSERT_TRUE(b.exec("COMMIT"));
  // B is committed and has the highest id: a reader going by "id > last" prints it now and
  // never prints A. The tail must hold B back while A, which started writing first, is open.
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE id = " + std::to_string(id_b)), "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // many polls (every 50 ms)
  EXPECT_EQ(count_lines(follower.out()), 2) << follower.out();
  ASSERT_TRUE(a.exec("COMMIT"));

  ASSERT_EQ(follower.wait_exit(), 0) << follower.err();
  const std::vector<std::int64_t> first = ids_of(follower.out());
  ASSERT_EQ(first.size(), 4u) << follower.out();
  EXPECT_EQ(first[2], id_a);
  EXPECT_EQ(first[3], id_b);
  EXPECT_LT(first[0], first[1]);

  // A follower resumes from the cursor, is killed while waiting, and the next one resumes
  // from where it was killed.
  const std::int64_t e5 = insert_event(*conn_, "five");
  IllctlProcess second(with_db({"tail", "--follow", "--format", "jsonl", "--cursor-file", cursor, "--poll-ms", "50"}));
  ASSERT_TRUE(second.wait_for_lines(1)) << second.err();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // idle, waiting for more
  second.kill_hard();
  EXPECT_EQ(ids_of(second.out()), std::vector<std::int64_t>{e5});

  const std::int64_t e6 = insert_event(*conn_, "six");
  const std::int64_t e7 = insert_event(*conn_, "seven");
  IllctlProcess third(
      with_db({"tail", "--follow", "--format", "jsonl", "--cursor-file", cursor, "--until-idle", "1", "--poll-ms", "50"}));
  ASSERT_EQ(third.wait_exit(), 0) << third.err();
  EXPECT_EQ(ids_of(third.out()), (std::vector<std::int64_t>{e6, e7}));

  // Every event of the log was printed exactly once across the three followers.
  EXPECT_EQ(text("SELECT count(*) FROM events"), "7");
  // Without --follow, from the cursor: nothing new, exit 0.
  const IllctlRun again = ctl({"tail", "--cursor-file", cursor});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "");
}

TEST_F(TailTest, AFollowerReconnectsAfterLosingItsConnectionAndMissesNothing) {
  const std::int64_t first = insert_event(*conn_, "before");
  IllctlProcess follower(with_db({"tail", "--follow", "--since", "1", "--format", "jsonl", "--max-events", "3",
                                  "--poll-ms", "50"}));
  ASSERT_TRUE(follower.wait_for_lines(1)) << follower.err();
  // The server ends every other session of this database, the follower's among them.
  ASSERT_TRUE(conn_->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  const std::int64_t second = insert_event(*conn_, "while away");
  const std::int64_t third = insert_event(*conn_, "after");
  ASSERT_EQ(follower.wait_exit(), 0) << follower.err();
  EXPECT_EQ(ids_of(follower.out()), (std::vector<std::int64_t>{first, second, third}));
  EXPECT_NE(follower.err().find("reconnect"), std::string::npos) << follower.err();
}

TEST_F(TailTest, ResumingFromACursorSkipsNothingTheFilterLetThrough) {
  ASSERT_EQ(apply(ApduKind::kIllRequest, "FILT1", kBorrower), Outcome::kAccepted);
  const std::string cursor = make_temp_dir("tail-cursor") / "cursor";
  // Only refusals: the accepted request is passed over, and the cursor moves past it.
  IllctlRun first = ctl({"tail", "--refused", "--since", "1", "--cursor-file", cursor});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "");
  ASSERT_EQ(apply(ApduKind::kReturned, "FILT1", kBorrower), Outcome::kRefused);
  IllctlRun second = ctl({"tail", "--refused", "--cursor-file", cursor});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(count_lines(second.out), 1) << second.out;
  EXPECT_NE(second.out.find("Returned"), std::string::npos);
  EXPECT_NE(second.out.find("REFUSED: "), std::string::npos);
}

TEST_F(TailTest, FiltersAndFormatsSayWhatHappened) {
  for (auto [kind, sender] : std::vector<std::pair<ApduKind, const char*>>{
           {ApduKind::kIllRequest, kBorrower}, {ApduKind::kIllAnswer, kLender}, {ApduKind::kShipped, kLender}})
    ASSERT_EQ(apply(kind, "LOANA", sender), Outcome::kAccepted);
  ASSERT_EQ(apply(ApduKind::kIllRequest, "LOANB", kBorrower), Outcome::kAccepted);
  ASSERT_EQ(apply(ApduKind::kReturned, "LOANB", kBorrower), Outcome::kRefused);

  IllctlRun all = ctl({"tail", "--since", "1"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(count_lines(all.out), 5) << all.out;
  // A line for people: transaction, parties, APDU, state changes.
  EXPECT_NE(all.out.find("IRL:BOR/"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("/LOANA  IRL:BOR -> IRL:LEN  ILL-Request  requester IDLE->PENDING, responder IDLE->IN-PROCESS"),
            std::string::npos) << all.out;
  EXPECT_NE(all.out.find("IRL:LEN -> IRL:BOR  Shipped"), std::string::npos) << all.out;

  IllctlRun txn = ctl({"tail", "--since", "1", "--txn", "LOANA"});
  EXPECT_EQ(count_lines(txn.out), 3) << txn.out;
  EXPECT_EQ(txn.out.find("LOANB"), std::string::npos);
  IllctlRun kind = ctl({"tail", "--since", "1", "--kind", "shipped"});
  EXPECT_EQ(count_lines(kind.out), 1) << kind.out;
  IllctlRun state = ctl({"tail", "--since", "1", "--state", "shipped"});
  EXPECT_EQ(count_lines(state.out), 1) << state.out;
  IllctlRun refused = ctl({"tail", "--since", "1", "--refused", "--format", "jsonl"});
  ASSERT_EQ(count_lines(refused.out), 1) << refused.out;
  const auto j = nlohmann::json::parse(refused.out);
  EXPECT_EQ(j["apdu"], "Returned");
  EXPECT_EQ(j["accepted"], false);
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
  EXPECT_EQ(j["requester_state"]["old"], "PENDING");
  EXPECT_EQ(j["transaction"]["responder"], kLender);
  IllctlRun peer = ctl({"tail", "--since", "1", "--peer", "IRL:AAA"});
  EXPECT_EQ(peer.out, "");
  IllctlRun last = ctl({"tail", "--last", "2"});
  EXPECT_EQ(count_lines(last.out), 2) << last.out;
  EXPECT_NE(last.out.find("REFUSED"), std::string::npos);
  IllctlRun since_time = ctl({"tail", "--since", "2000-01-01 00:00"});
  EXPECT_EQ(count_lines(since_time.out), 5) << since_time.err;
  IllctlRun future = ctl({"tail", "--since", "2999-01-01"});
  EXPECT_EQ(future.out, "");

  // Failures and usage errors: stderr, exit 1 or 2.
  IllctlRun no_txn = ctl({"tail", "--txn", "NOSUCH"});
  EXPECT_EQ(no_txn.exit_code, 1);
  EXPECT_NE(no_txn.err.find("no transaction NOSUCH"), std::string::npos);
  IllctlRun no_event = ctl({"tail", "--since", "999999"});
  EXPECT_EQ(no_event.exit_code, 1);
  EXPECT_NE(no_event.err.find("no event 999999"), std::string::npos);
  EXPECT_EQ(ctl({"tail", "--kind", "Bogus"}).exit_code, 2);
  EXPECT_EQ(ctl({"tail", "--state", "NOWHERE"}).exit_code, 2);
  EXPECT_EQ(ctl({"tail", "--since", "yesterday-ish"}).exit_code, 2);
  EXPECT_EQ(ctl({"tail", "--format", "xml"}).exit_code, 2);
  const std::string bad_cursor = make_temp_dir("tail-cursor") / "cursor";
  { std::ofstream(bad_cursor) << "not a cursor\n"; }
  IllctlRun bad = ctl({"tail", "--cursor-file", bad_cursor});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("does not hold a position"), std::string::npos);
}

}  // namespace
}  // namespace illhub::test
