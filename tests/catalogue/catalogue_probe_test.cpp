// `illctl catalogue probe` against a real yaz-ztest: what an operator sees, and the exit codes.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "ztest_server.hpp"

namespace {

struct Run {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Run illctl(const std::string& args) {
  Run run;
  std::string command = std::string(ILLHUB_ILLCTL) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class CatalogueProbe : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ztest_.start()) << ztest_.error(); }
  std::string z3950(const std::string& database = "Default") const {
    return "z3950:127.0.0.1:" + std::to_string(ztest_.port()) + "/" + database;
  }
  illhub::test::ZtestServer ztest_;
};

TEST_F(CatalogueProbe, ShowsTheSearchAndAHit) {
  auto run = illctl("catalogue probe " + z3950() + " --isbn 978-0-13-110362-7 --timeout 2");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("search:  isbn: @attr 1=7 \"9780131103627\""), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("result:  found: holds isbn 9780131103627"), std::string::npos) << run.output;
}

TEST_F(CatalogueProbe, NotFoundIsStillASuccessfulProbe) {
  auto run = illctl("catalogue probe " + z3950() + " --isbn 0000000000 --timeout 2");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("result:  not-found: not found by isbn 0000000000"), std::string::npos) << run.output;
}

TEST_F(CatalogueProbe, FailedLookupExitsOneWithTheReason) {
  auto run = illctl("catalogue probe " + z3950("Nope") + " --isbn 9780131103627 --timeout 2");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("result:  error (diagnostic): diagnostic Bib-1 109"), std::string::npos) << run.output;
  auto down = illctl("catalogue probe z3950:127.0.0.1:" + std::to_string(illhub::test::unused_port()) +
                     "/Default --isbn 9780131103627 --timeout 2");
  EXPECT_EQ(down.exit_code, 1) << down.output;
  EXPECT_NE(down.output.find("error (connect-failed)"), std::string::npos) << down.output;
}

TEST(CatalogueProbeUsage, BadTargetOrNothingToSearchIsUsage) {
  auto bad = illctl("catalogue probe ftp://x/y --isbn 9780131103627");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("expected z3950:HOST:PORT/DATABASE"), std::string::npos) << bad.output;
  auto nothing = illctl("catalogue probe z3950:127.0.0.1:1/Default --isbn 12");
  EXPECT_EQ(nothing.exit_code, 2) << nothing.output;
  EXPECT_NE(nothing.output.find("nothing to search"), std::string::npos) << nothing.output;
}

}  // namespace
