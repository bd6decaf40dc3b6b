#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "illhub/routing/policy.hpp"

namespace illhub::routing {
namespace {

std::vector<std::string> problems(const std::string& toml) {
  auto r = parse_policy(toml, "p.toml");
  return r ? std::vector<std::string>{} : r.error();
}

bool any_has(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

TEST(PolicyFile, ReadsRulesDefaultsAndLibrariesWithDefaultsApplied) {
  const std::string toml = R"(
[consortium]
name = "Test"
currency = "EUR"
load_window_days = 90
load_band = 0.5

[libraries."IRL:NAT"]
role = "national-centre"
charge = "4.50"

[defaults]
services = ["loan"]
loan_period_days = 21
max_in_hand = 10

[libraries."IRL:A"]
region = "north"
item_types = ["monograph", "serial", "monograph"]
charge = 2
enabled = false
)";
  auto r = parse_policy(toml, "p.toml");
  ASSERT_TRUE(r) << r.error().front();
  EXPECT_EQ(r->rules.name, "Test");
  EXPECT_EQ(r->rules.load_window_days, 90);
  EXPECT_DOUBLE_EQ(r->rules.load_band, 0.5);
  EXPECT_EQ(r->defaults.services, std::vector<int>{1});
  ASSERT_EQ(r->libraries.size(), 2u);
  const LibraryPolicy& nat = r->libraries[0];  // file order
  EXPECT_EQ(nat.symbol, "IRL:NAT");
  EXPECT_EQ(nat.role, Role::kNationalCentre);
  EXPECT_EQ(nat.charge, 45000);
  EXPECT_EQ(nat.loan_period_days, 21);          // from [defaults], though written after it
  EXPECT_EQ(nat.services, std::vector<int>{1});
  const LibraryPolicy& a = r->libraries[1];
  EXPECT_EQ(a.region, "north");
  EXPECT_EQ(a.item_types, (std::vector<int>{1, 2}));
  EXPECT_EQ(a.charge, 20000);
  EXPECT_FALSE(a.enabled);
  const LibraryPolicy other = r->for_library("IRL:ZZZ");
  EXPECT_EQ(other.symbol, "IRL:ZZZ");
  EXPECT_EQ(other.max_in_hand, 10);
  EXPECT_EQ(other.region, "");
}

TEST(PolicyFile, NamesTheLineAndKeyOfEveryProblem) {
  const std::string toml = R"([consortium]
currency = "euro"
colour = "blue"

[defaults]
charge = 4.5
services = ["loan", "teleport"]
loan_period_days = 0

[libraries."IRL:A"]
role = "centre"
region = 7
max_in_hand = "many"

[shelves]
)";
  const auto p = problems(toml);
  ASSERT_EQ(p.size(), 9u) << (p.empty() ? "" : p[0]);
  EXPECT_EQ(p[0].rfind("p.toml:2: consortium.currency: expected an ISO 4217 code", 0), 0u) << p[0];
  EXPECT_EQ(p[1].rfind("p.toml:3: consortium.colour: unknown key", 0), 0u) << p[1];
  EXPECT_EQ(p[2].rfind("p.toml:6: defaults.charge: expected an amount as a string", 0), 0u) << p[2];
  EXPECT_NE(p[3].find("defaults.services: unknown name \"teleport\""), std::string::npos) << p[3];
  EXPECT_EQ(p[4].rfind("p.toml:8: defaults.loan_period_days: expected a whole number", 0), 0u) << p[4];
  EXPECT_EQ(p[5].rfind("p.toml:11: libraries.\"IRL:A\".role: expected one of member, regional-centre, national-centre", 0), 0u) << p[5];
  EXPECT_EQ(p[6].rfind("p.toml:12: libraries.\"IRL:A\".region: expected a string", 0), 0u) << p[6];
  EXPECT_EQ(p[7].rfind("p.toml:13: libraries.\"IRL:A\".max_in_hand", 0), 0u) << p[7];
  EXPECT_EQ(p[8].rfind("p.toml:15: shelves: unknown section", 0), 0u) << p[8];
}

TEST(PolicyFile, RefusesBadTomlAMissingCurrencyAndEmptyLists) {
  const auto syntax = problems("[consortium\ncurrency = \"EUR\"\n");
  ASSERT_EQ(syntax.size(), 1u);
  EXPECT_EQ(syntax[0].rfind("p.toml:1:", 0), 0u) << syntax[0];
  EXPECT_NE(syntax[0].find("not valid TOML"), std::string::npos);
  EXPECT_TRUE(any_has(problems("[defaults]\nenabled = true\n"), "consortium.currency: missing"));
  EXPECT_TRUE(any_has(problems("[consortium]\ncurrency = \"EUR\"\n[defaults]\nitem_types = []\n"),
                      "defaults.item_types: the list is empty"));
  EXPECT_TRUE(any_has(problems("[consortium]\ncurrency = \"EUR\"\n[defaults]\ncharge = \"-1\"\n"),
                      "a charge cannot be negative"));
  EXPECT_TRUE(any_has(problems("[consortium]\ncurrency = \"EUR\"\n[defaults]\nregion = \"x\"\n"),
                      "defaults.region: unknown key"));
  EXPECT_TRUE(any_has(problems("[consortium]\ncurrency = \"EUR\"\nload_band = 0\n"), "consortium.load_band"));
}

TEST(PolicyFile, TheDocumentedExampleIsValid) {
  std::ifstream in(std::string(ILLHUB_SOURCE_DIR) + "/docs/lending-policy.example.toml");
  ASSERT_TRUE(in) << "docs/lending-policy.example.toml";
  std::stringstream text;
  text << in.rdbuf();
  auto r = parse_policy(text.str(), "docs/lending-policy.example.toml");
  ASSERT_TRUE(r) << r.error().front();
  EXPECT_GE(r->libraries.size(), 3u);
  EXPECT_EQ(r->for_library("XC:NORTH-A").catalogue, "z3950:catalogue.north-a.example:210/books");
}

TEST(PolicyFile, ACatalogueTargetIsALibrarysOwnAndIsCheckedWhenTheFileIs) {
  const std::string head = "[consortium]\ncurrency = \"EUR\"\n";
  auto ok = parse_policy(head + "[libraries.\"A\"]\ncatalogue = \"sru:http://127.0.0.1:8080/sru\"\n", "p.toml");
  ASSERT_TRUE(ok) << ok.error().front();
  EXPECT_EQ(ok->for_library("A").catalogue, "sru:http://127.0.0.1:8080/sru");
  EXPECT_EQ(ok->for_library("B").catalogue, "") << "no section, no catalogue";
  EXPECT_TRUE(any_has(problems(head + "[libraries.\"A\"]\ncatalogue = \"ftp://x\"\n"), "libraries.\"A\".catalogue"));
  EXPECT_TRUE(any_has(problems(head + "[libraries.\"A\"]\ncatalogue = 7\n"), "expected a string"));
  EXPECT_TRUE(any_has(problems(head + "[defaults]\ncatalogue = \"z3950:h:210/db\"\n"), "defaults.catalogue: unknown key"));
}

}  // namespace
}  // namespace illhub::routing
