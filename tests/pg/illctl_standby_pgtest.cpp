// illctl tail against a hot standby, where LISTEN is refused: it says so and polls, and
// prints what the primary writes once the standby has replayed it. The standby is a real
// one: pg_basebackup of the test cluster, streaming from it.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <thread>

#include "operator_fixture.hpp"

namespace illhub::test {
namespace {

using codec::ApduKind;
using hub::Outcome;

const std::string kBin = "/usr/lib/postgresql/15/bin/";

/// Runs a shell command as the cluster's user when we are root (initdb and the server refuse
/// root), its output appended to `log`.
int run_as_cluster_user(const std::string& command, const std::filesystem::path& log) {
  const std::string prefix = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
  return std::system((prefix + command + " >>" + log.string() + " 2>&1").c_str());
}

class Standby {
 public:
  explicit Standby(const std::filesystem::path& primary_socket, const std::string& port)
      : dir_(make_temp_dir("illctl-standby")), data_(dir_ / "data") {
    const std::filesystem::path tools_log = dir_ / "tools.log";
    if (::geteuid() == 0 && std::system(("chown postgres " + dir_.string()).c_str()) != 0) return;
    // -c fast: checkpoint now rather than spread over checkpoint_timeout.
    ok_ = run_as_cluster_user(kBin + "pg_basebackup -c fast -h " + primary_socket.string() + " -p " + port +
                                  " -U illhub -D " + data_.string() + " -R -X stream",
                              tools_log) == 0 &&
          // The primary keeps its socket in its data directory: the copy carries the socket's
          // lock file, naming the primary's live postmaster, which would stop the standby.
          run_as_cluster_user("rm -f " + (data_ / ".s.PGSQL.").string() + "*.lock", tools_log) == 0 &&
          run_as_cluster_user(kBin + "pg_ctl -D " + data_.string() + " -l " + (dir_ / "log").string() + " -t 60" +
                                  " -w -o \"-c unix_socket_directories='" + data_.string() +
                                  "' -c listen_addresses='' -c hot_standby=on\" start",
                              tools_log) == 0;
    for (const auto& file : {tools_log, dir_ / "log"}) {
      std::ifstream in(file);
      log_.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    started_ = ok_;
  }
  ~Standby() {
    if (started_) run_as_cluster_user(kBin + "pg_ctl -D " + data_.string() + " -m immediate -w stop", "/dev/null");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool ok() const { return ok_; }
  const std::string& log() const { return log_; }
  const std::filesystem::path& socket_dir() const { return data_; }

 private:
  std::filesystem::path dir_, data_;
  bool ok_ = false, started_ = false;
  std::string log_;
};

class StandbyTest : public OperatorTest {};

TEST_F(StandbyTest, TailOnAHotStandbyPollsAndPrintsWhatThePrimaryWrote) {
  ASSERT_EQ(apply(ApduKind::kIllRequest, "REPLICA", kBorrower), Outcome::kAccepted);
  ASSERT_EQ(apply(ApduKind::kIllAnswer, "REPLICA", kLender), Outcome::kAccepted);
  const std::string port = text("SHOW port"), db = text("SELECT current_database()");
  const std::string primary_socket = text("SHOW unix_socket_directories");
  Standby standby(primary_socket, port);
  ASSERT_TRUE(standby.ok()) << "pg_basebackup or the standby's start failed:\n" << standby.log();
  const std::string standby_db = "host=" + standby.socket_dir().string() + " port=" + port + " dbname=" + db + " user=illhub";
  store::PgConnection replica = connect_or_abort(standby_db);
  EXPECT_EQ(replica.exec("SELECT pg_is_in_recovery()")->get(0, 0), "t");

  const IllctlRun once = run_illctl({"--db", standby_db, "tail", "--since", "1"});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  EXPECT_EQ(count_lines(once.out), 2) << once.out;
  EXPECT_NE(once.out.find("ILL-Answer"), std::string::npos) << once.out;

  IllctlProcess follower({"--db", standby_db, "tail", "--follow", "--format", "jsonl", "--last", "0",
                          "--max-events", "1", "--poll-ms", "100"});
  // Bounded wait for the follower to have read its starting point before the primary writes.
  for (int i = 0; i < 100 && follower.err().find("cannot LISTEN") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(follower.err().find("cannot LISTEN"), std::string::npos) << follower.err();
  EXPECT_NE(follower.err().find("polling every 100 ms"), std::string::npos) << follower.err();
  ASSERT_EQ(apply(ApduKind::kShipped, "REPLICA", kLender), Outcome::kAccepted);
  ASSERT_EQ(follower.wait_exit(), 0) << follower.err();
  const auto j = nlohmann::json::parse(follower.out());
  EXPECT_EQ(j["apdu"], "Shipped");
  EXPECT_EQ(j["id"].get<std::int64_t>(), std::stoll(text("SELECT max(id) FROM events")));
}

}  // namespace
}  // namespace illhub::test
