// A short illd session under valgrind's memcheck: a whole loan relayed, a malformed APDU, a
// stream that cannot be framed, a peer gone in the middle of a frame, then SIGTERM. Memcheck
// must report no error and no definitely-lost byte. Label `valgrind`: tools/test runs it in the
// normal build only (memcheck and AddressSanitizer do not mix).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>

#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

/// The number in `log` after the first match of `pattern` (a regex with one group), or -1.
long number_after(const std::string& log, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(log, m, std::regex(pattern))) return -1;
  std::string digits = m[1];
  digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
  return std::stol(digits);
}

class UnderValgrind : public IlldFixture {
 protected:
  void TearDown() override {
    IlldFixture::TearDown();
    if (!HasFailure()) ::unlink(valgrind_log_.c_str());
  }
  std::string valgrind_log_ = "/tmp/illd-valgrind-" + std::to_string(::getpid()) + ".log";
};

TEST_F(UnderValgrind, ALoanAMalformedApduAndADisconnectLeakNothingAndTouchNoBadMemory) {
  ASSERT_EQ(::access(ILLHUB_VALGRIND_PATH, X_OK), 0)
      << ILLHUB_VALGRIND_PATH << " is not installed: tools/install-deps.sh installs valgrind";
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  IlldLaunch launch;
  launch.log_level = "info";
  // Only definite leaks count as errors: what is still reachable at exit (static tables of
  // libraries) and what is possibly lost (pointers into the middle of blocks, as coroutine
  // frames keep) is listed in the log but does not fail the run.
  launch.wrapper = {ILLHUB_VALGRIND_PATH, "--leak-check=full", "--errors-for-leak-kinds=definite",
                    "--show-leak-kinds=definite", "--error-exitcode=97", "--num-callers=30",
                    "--log-file=" + valgrind_log_};
  ASSERT_TRUE(illd_.start(conninfo_, launch)) << illd_.error();

  {
    TestPeer borrower, lender, broken, halfway;
    ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
    ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
    int n = 0;
    for (const auto& [kind, from_borrower] : kLoanSteps) {
      const Bytes sent = apdu(kind, "VG", "1100" + std::to_string(10 + n++));
      ASSERT_TRUE((from_borrower ? borrower : lender).send(sent));
      const auto got = (from_borrower ? lender : borrower).receive(std::chrono::seconds(30));
      ASSERT_TRUE(got) << "APDU kind " << kind << " was not relayed\n" << illd_.log();
      EXPECT_EQ(*got, sent);
    }
    // A whole frame that is not an ILL-Request: answered with a report, the connection stays.
    ASSERT_TRUE(borrower.send({0x61, 0x03, 0x02, 0x01, 0x05}));
    report_dump(borrower.receive(std::chrono::seconds(30)));
    // A stream that cannot be framed: a report, then closed by the hub.
    ASSERT_TRUE(broken.connect(illd_.port(), kBorrowerAddress)) << broken.error();
    ASSERT_TRUE(broken.send({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00}));
    report_dump(broken.receive(std::chrono::seconds(30)));
    EXPECT_TRUE(broken.wait_closed(std::chrono::seconds(30)));
    // A peer that goes away in the middle of an APDU.
    ASSERT_TRUE(halfway.connect(illd_.port(), kLenderAddress)) << halfway.error();
    const Bytes request = apdu(kIllRequest, "HALF", "120000");
    ASSERT_TRUE(halfway.send(Bytes(request.begin(), request.begin() + 40)));
    halfway.close();
  }
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", "6", std::chrono::seconds(30)));
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "15/15"));

  // SIGTERM: a clean stop, then memcheck's summary (exit 97 if it found errors or leaks).
  const int status = illd_.stop(std::chrono::seconds(60));
  std::ifstream in(valgrind_log_);
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(log.find("ERROR SUMMARY:"), std::string::npos) << "no memcheck summary:\n" << log;
  EXPECT_EQ(number_after(log, R"(ERROR SUMMARY: ([0-9,]+) errors)"), 0) << log;
  // "definitely lost" appears only when something leaked at all; absent means zero.
  const long definitely = number_after(log, R"(definitely lost: ([0-9,]+) bytes)");
  EXPECT_LE(definitely, 0) << log;
  EXPECT_EQ(status, 0) << "illd under valgrind exited " << status << "\n" << log;
  if (const auto heap = log.find("HEAP SUMMARY:"); heap != std::string::npos)
    std::cout << "valgrind: " << log.substr(heap) << std::endl;
}

}  // namespace
}  // namespace illhub::test
