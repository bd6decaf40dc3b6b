// illctl ledger and illctl stats against a real PostgreSQL holding a history made by
// TransactionStore::apply (tests/support/report_history). The illctl binary is run as a child
// process; its figures are checked against a recomputation written here from the raw
// postings and events, by a different route than illctl's SQL (counter accounts and states
// instead of transaction roles; events walked one by one instead of aggregated).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "app/illctl/child_process.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/store/migrator.hpp"
#include "support/pg_cluster.hpp"
#include "support/report_history.hpp"

namespace illhub::app {
namespace {

using Json = nlohmann::json;

struct IllctlRun {
  int exit_code = -1;
  std::string out, err;
};

// The suite's database and scratch directory, made once (the history takes a few seconds).
std::string* conninfo_ = nullptr;
std::filesystem::path* dir_ = nullptr;

store::PgResult query(const std::string& sql) {
  auto conn = store::PgConnection::connect(*conninfo_);
  EXPECT_TRUE(conn);
  auto r = conn->exec(sql);
  EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
  return r ? std::move(*r) : store::PgResult{};
}

class IllctlReportsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    conninfo_ = new std::string(test::fresh_database());
    auto conn = store::PgConnection::connect(*conninfo_);
    ASSERT_TRUE(conn) << conn.error().describe();
    ASSERT_TRUE(store::Migrator(store::embedded_migrations()).migrate(*conn));
    store::ConnectionPool pool(store::PoolOptions{*conninfo_, 2});
    store::TransactionStore store(pool, hub::LedgerPolicy{"EUR", 20});  // the consortium pays 20 %
    auto built = test::build_report_history(store, *conn, {48, 4, ILLHUB_TEST_DATA_DIR});
    ASSERT_TRUE(built) << built.error();
    dir_ = new std::filesystem::path(test::make_temp_dir("illctl-reports"));
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    if (dir_) std::filesystem::remove_all(*dir_, ignored);
    delete dir_;
    delete conninfo_;
  }

  static IllctlRun illctl(std::vector<std::string> args, const std::string& env_path = "") {
    std::vector<std::string> argv;
    if (!env_path.empty()) argv = {"/usr/bin/env", "PATH=" + env_path};
    argv.push_back(ILLCTL_PATH);
    argv.push_back("--db");
    argv.push_back(*conninfo_);
    for (auto& a : args) argv.push_back(std::move(a));
    auto r = run_child(argv, *dir_ / "illctl.out", std::chrono::seconds(60));
    EXPECT_TRUE(r) << (r ? "" : r.error());
    if (!r) return {};
    return {r->exit_code, r->output, r->errors};
  }
};

/// "7.5000" or "-12.0000" to ten-thousandths, written here rather than reusing hub::parse_decimal.
std::int64_t units(const std::string& text) {
  const auto dot = text.find('.');
  EXPECT_NE(dot, std::string::npos) << text;
  EXPECT_EQ(text.size() - dot - 1, 4u) << text;
  std::string digits = text.substr(0, dot) + text.substr(dot + 1);
  return std::stoll(digits);
}

/// RFC 4180 records: quoted fields with "" for a quote, CRLF between records.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      ++i;
    } else if (c == '\r' || c == '\n') {
      ADD_FAILURE() << "a bare line break outside quotes at " << i;  // records end in CRLF only
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record has no CRLF";
  return records;
}

// ---------------------------------------------------------------------------------------------
// Ledger, recomputed from the postings by account and counter account.

struct Posting {
  std::string account, counter, currency, kind;
  std::int64_t amount;
  std::int64_t at;  // event time, Unix seconds
};

std::vector<Posting> all_postings() {
  auto r = query("SELECT p.account, p.counter_account, p.currency, p.kind, p.amount::text, "
                                   "extract(epoch FROM e.received_at)::bigint FROM ledger_postings p "
                                   "JOIN events e ON e.id = p.event_id");
  std::vector<Posting> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({std::string(r.get(i, 0)), std::string(r.get(i, 1)), std::string(r.get(i, 2)),
                   std::string(r.get(i, 3)), units(std::string(r.get(i, 4))), r.get_int64(i, 5).value_or(0)});
  return out;
}

/// Expected figures of a library (counter empty) or pair line, keyed by measure (and currency).
using Expected = std::map<std::string, std::int64_t>;

Expected expected_line(const std::vector<Posting>& postings, const std::string& library, const std::string& counter,
                       std::int64_t from, std::int64_t to) {
  Expected e;
  for (const char* m : {"lent", "borrowed", "returned", "lost_out", "lost_in"}) e[m] = 0;
  const std::string account = "library:" + library;
  for (const Posting& p : postings) {
    if (p.account != account || p.at < from || p.at >= to) continue;
    const bool pair_leg = p.counter == "library:" + counter;
    if (!counter.empty() && !pair_leg) continue;
    if (p.currency == "ITM") {
      const std::int64_t n = p.amount / 10000;
      if (p.kind == "loan-out") e[n < 0 ? "lent" : "borrowed"] += n < 0 ? -n : n;
      if (p.kind == "loan-back" && n > 0) e["returned"] += n;
      if (p.kind == "loan-lost") e[n > 0 ? "lost_out" : "lost_in"] += n > 0 ? n : -n;
      continue;
    }
    const std::string c = ":" + p.currency;
    if (p.kind == "charge") e[(p.amount > 0 ? "charges_due" : "charges_owed") + c] += p.amount > 0 ? p.amount : -p.amount;
    if (p.kind == "replacement")
      e[(p.amount > 0 ? "replacements_due" : "replacements_owed") + c] += p.amount > 0 ? p.amount : -p.amount;
    if (p.kind == "subsidy") e["subsidies" + c] += p.amount;
    e["net" + c] += p.amount;
  }
  return e;
}

/// A JSON line as measure -> value, zeros left out (as in the expected maps).
Expected json_line(const Json& line) {
  Expected got;
  for (const auto& [m, v] : line["items"].items())
    if (m != "on_loan_out" && m != "on_loan_in" && v.get<std::int64_t>() != 0) got[m] = v.get<std::int64_t>();
  for (const auto& [currency, figures] : line["money"].items())
    for (const auto& [m, v] : figures.items())
      if (units(v.get<std::string>()) != 0) got[m + ":" + currency] = units(v.get<std::string>());
  return got;
}

Expected without_zeros(Expected e) {
  std::erase_if(e, [](const auto& kv) { return kv.second == 0; });
  return e;
}

std::int64_t utc(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return static_cast<std::int64_t>(timegm(&tm));
}

void check_ledger(const Json& report, std::int64_t from, std::int64_t to) {
  const std::vector<Posting> postings = all_postings();
  std::set<std::string> libraries;
  for (const auto& line : report["libraries"]) {
    const std::string library = line["library"];
    libraries.insert(library);
    EXPECT_EQ(json_line(line), without_zeros(expected_line(postings, library, "", from, to))) << library;
  }
  EXPECT_EQ(libraries, std::set<std::string>(test::kReportLibraries.begin(), test::kReportLibraries.end()));
  int pairs = 0;
  for (const auto& line : report["pairs"]) {
    const std::string library = line["library"], counter = line["counterparty"];
    EXPECT_EQ(json_line(line), without_zeros(expected_line(postings, library, counter, from, to)))
        << library << " against " << counter;
    ++pairs;
  }
  EXPECT_EQ(pairs, 6);  // three libraries, every ordered pair has traded
}

TEST_F(IllctlReportsTest, LedgerMatchesTheRecomputationFromThePostings) {
  const IllctlRun run = illctl({"ledger", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json report = Json::parse(run.out);
  check_ledger(report, INT64_MIN, INT64_MAX);

  // The history is not trivial: charges, subsidies, replacements and losses all occurred.
  std::int64_t charges = 0, subsidies = 0, replacements = 0, lost = 0;
  for (const auto& line : report["libraries"]) {
    charges += units(line["money"]["EUR"]["charges_due"]);
    subsidies += units(line["money"]["EUR"]["subsidies"]);
    replacements += units(line["money"]["EUR"]["replacements_due"]);
    lost += line["items"]["lost_out"].get<std::int64_t>();
  }
  EXPECT_GT(charges, 0);
  EXPECT_EQ(subsidies * 5, charges);  // 20 % of every charge
  EXPECT_GT(replacements, 0);
  EXPECT_GT(lost, 0);

  // Now on loan, from the transactions' states: a loan whose borrower holds the item
  // (SHIPPED .. OVERDUE, RECALL).
  auto states = query("SELECT responder_symbol, requester_symbol, count(*) FROM transactions "
                      "WHERE is_loan AND requester_state IN (8, 9, 10, 11, 12, 13, 16) GROUP BY 1, 2");
  std::map<std::string, std::int64_t> out, in;
  for (int i = 0; i < states.rows(); ++i) {
    out[std::string(states.get(i, 0))] += states.get_int64(i, 2).value_or(0);
    in[std::string(states.get(i, 1))] += states.get_int64(i, 2).value_or(0);
  }
  std::int64_t on_loan = 0;
  for (const auto& line : report["libraries"]) {
    const std::string library = line["library"];
    EXPECT_EQ(line["items"]["on_loan_out"].get<std::int64_t>(), out[library]) << library;
    EXPECT_EQ(line["items"]["on_loan_in"].get<std::int64_t>(), in[library]) << library;
    on_loan += out[library];
  }
  EXPECT_GT(on_loan, 0);
}

TEST_F(IllctlReportsTest, LedgerForAPeriodCountsOnlyItsEvents) {
  const IllctlRun run = illctl({"ledger", "--from", "2025-02-01", "--to", "2025-03-31", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json report = Json::parse(run.out);
  EXPECT_EQ(report["from"], "2025-02-01");
  check_ledger(report, utc(2025, 2, 1), utc(2025, 4, 1));
  // A period before the history: no line at all.
  const IllctlRun empty = illctl({"ledger", "--to", "2024-12-31", "--format", "json"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_TRUE(Json::parse(empty.out)["libraries"].empty());
}

TEST_F(IllctlReportsTest, LedgerCsvParsesBackToTheJsonFigures) {
  const IllctlRun csv = illctl({"ledger", "--format", "csv", "--library", "IRL:LEN"});
  const IllctlRun json = illctl({"ledger", "--format", "json", "--library", "IRL:LEN"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto records = parse_csv(csv.out);
  ASSERT_GT(records.size(), 10u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"scope", "library", "counterparty", "measure", "currency", "value"}));
  const Json report = Json::parse(json.out);
  ASSERT_EQ(report["libraries"].size(), 1u);
  ASSERT_EQ(report["pairs"].size(), 2u);  // IRL:LEN against each of the two others
  std::size_t checked = 0;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i];
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(r[1], "IRL:LEN");
    const Json* line = nullptr;
    if (r[0] == "library") line = &report["libraries"][0];
    for (const auto& p : report["pairs"])
      if (r[0] == "pair" && p["counterparty"] == r[2]) line = &p;
    ASSERT_NE(line, nullptr) << r[0] << " " << r[2];
    if (r[4].empty()) EXPECT_EQ(std::to_string((*line)["items"][r[3]].get<std::int64_t>()), r[5]) << r[3];
    else EXPECT_EQ((*line)["money"][r[4]][r[3]].get<std::string>(), r[5]) << r[3];
    ++checked;
  }
  EXPECT_EQ(checked, records.size() - 1);
}

TEST_F(IllctlReportsTest, LedgerRefusesBadDatesAndAnUnmigratedDatabase) {
  IllctlRun bad = illctl({"ledger", "--from", "2025-02-30"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not a date"), std::string::npos) << bad.err;
  bad = illctl({"ledger", "--from", "2025-03-01", "--to", "2025-02-01"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("after"), std::string::npos) << bad.err;
  bad = illctl({"ledger", "--format", "xml"});
  EXPECT_EQ(bad.exit_code, 2);

  const std::string empty_db = test::fresh_database();
  auto r = run_child({ILLCTL_PATH, "--db", empty_db, "ledger"}, *dir_ / "empty.out", std::chrono::seconds(60));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_NE(r->errors.find("illctl migrate"), std::string::npos) << r->errors;
  r = run_child({ILLCTL_PATH, "--db", empty_db, "stats"}, *dir_ / "empty.out", std::chrono::seconds(60));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_NE(r->errors.find("illctl migrate"), std::string::npos) << r->errors;
}

// ---------------------------------------------------------------------------------------------
// Stats, recomputed by walking the accepted events of every transaction.

struct Walked {
  std::string borrower, lender, title, month;
  bool loan = false, overdue = false, lost = false;
  std::map<int, std::int64_t> first;  // APDU kind -> first time
  std::optional<long> unfilled_reason;
};

struct Figures {
  std::int64_t requests = 0, filled = 0, unfilled = 0, loans = 0, overdue = 0, lost = 0;
  std::map<std::string, std::int64_t> reasons;
  std::array<std::vector<std::int64_t>, 3> stages;
};

std::string month_of(std::int64_t t) {
  const std::time_t time = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return text;
}

std::map<std::int64_t, Walked> walk_events() {
  std::map<std::int64_t, Walked> txns;
  auto t = query("SELECT id, requester_symbol, responder_symbol, item_title, coalesce(is_loan, false) FROM transactions");
  for (int i = 0; i < t.rows(); ++i)
  {
    Walked& w = txns[t.get_int64(i, 0).value_or(0)];
    w.borrower = t.get(i, 1);
    w.lender = t.get(i, 2);
    w.title = t.get(i, 3);
    w.loan = t.get(i, 4) == "t";
  }
  auto e = query("SELECT transaction_id, apdu_kind, extract(epoch FROM received_at)::bigint, "
                 "coalesce(new_requester_state, 0), coalesce(new_responder_state, 0), raw_ber "
                 "FROM events WHERE accepted ORDER BY transaction_id, seq");
  for (int i = 0; i < e.rows(); ++i) {
    Walked& w = txns[e.get_int64(i, 0).value_or(0)];
    const int kind = static_cast<int>(e.get_int64(i, 1).value_or(0));
    const std::int64_t at = e.get_int64(i, 2).value_or(0);
    if (!w.first.count(kind)) w.first[kind] = at;
    const auto rq = e.get_int64(i, 3).value_or(0), rs = e.get_int64(i, 4).value_or(0);
    if (kind == 12 || (rq >= 11 && rq <= 13) || (rs >= 11 && rs <= 13)) w.overdue = true;
    if (kind == 15) w.lost = true;
    if (kind == 4) {  // the last answer decides
      auto apdu = codec::decode(e.get_bytea(i, 5));
      EXPECT_TRUE(apdu);
      const auto env = codec::read_envelope(*apdu);
      w.unfilled_reason.reset();
      if (env.transaction_results == codec::TransactionResults::kUnfilled) w.unfilled_reason = env.reason;
    }
  }
  for (auto& [id, w] : txns) w.month = month_of(w.first.at(1));
  return txns;
}

void count(Figures& f, const Walked& w) {
  static const std::map<long, std::string> names = {
      {1, "in-use-on-loan"}, {5, "not-owned"}, {13, "cost-exceeds-limit"}, {17, "not-found-as-cited"}};
  ++f.requests;
  const bool shipped = w.first.count(3) > 0;
  if (shipped) {
    ++f.filled;
    if (w.loan) {
      ++f.loans;
      f.overdue += w.overdue;
      f.lost += w.lost;
    }
  } else if (w.unfilled_reason) {
    ++f.unfilled;
    ++f.reasons[names.at(*w.unfilled_reason)];
  }
  const int ends[3][2] = {{1, 3}, {3, 8}, {8, 10}};
  for (int s = 0; s < 3; ++s)
    if (w.first.count(ends[s][0]) && w.first.count(ends[s][1]))
      f.stages[static_cast<std::size_t>(s)].push_back(w.first.at(ends[s][1]) - w.first.at(ends[s][0]));
}

/// The k-th smallest with k = ceil(p * n / 100), by counting rather than sorting the list.
std::int64_t percentile(const std::vector<std::int64_t>& values, int p) {
  const std::size_t k = (static_cast<std::size_t>(p) * values.size() + 99) / 100;
  for (std::int64_t v : values) {
    std::size_t below = 0, equal = 0;
    for (std::int64_t o : values) below += o < v, equal += o == v;
    if (below < k && k <= below + equal) return v;
  }
  return -1;
}

void expect_figures(const Json& got, const Figures& f, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(got["requests"], f.requests);
  EXPECT_EQ(got["filled"], f.filled);
  EXPECT_EQ(got["unfilled"], f.unfilled);
  EXPECT_NEAR(got["fill_rate"].get<double>(), double(f.filled) / double(f.requests), 0.00005);
  std::map<std::string, std::int64_t> reasons;
  for (const auto& [k, v] : got["unfilled_by_reason"].items()) reasons[k] = v.get<std::int64_t>();
  EXPECT_EQ(reasons, f.reasons);
  EXPECT_EQ(got["loans"], f.loans);
  EXPECT_EQ(got["overdue"], f.overdue);
  EXPECT_EQ(got["lost"], f.lost);
  if (f.loans) {
    EXPECT_NEAR(got["loss_rate"].get<double>(), double(f.lost) / double(f.loans), 0.00005);
    EXPECT_NEAR(got["overdue_rate"].get<double>(), double(f.overdue) / double(f.loans), 0.00005);
  }
  const char* stages[] = {"request_to_shipped", "shipped_to_received", "received_to_returned"};
  for (std::size_t s = 0; s < 3; ++s) {
    const Json& g = got["turnaround_seconds"][stages[s]];
    EXPECT_EQ(g["count"], f.stages[s].size()) << stages[s];
    if (f.stages[s].empty()) continue;
    EXPECT_EQ(g["median"], percentile(f.stages[s], 50)) << stages[s];
    EXPECT_EQ(g["p90"], percentile(f.stages[s], 90)) << stages[s];
  }
}

TEST_F(IllctlReportsTest, StatsMatchTheRecomputationFromTheEvents) {
  const IllctlRun run = illctl({"stats", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json report = Json::parse(run.out);
  Figures overall;
  std::map<std::string, Figures> months, borrowers, lenders;
  std::map<std::pair<std::string, std::string>, std::int64_t> flow;
  std::map<std::string, std::pair<std::int64_t, std::set<std::string>>> titles;
  for (const auto& [id, w] : walk_events()) {
    count(overall, w);
    count(months[w.month], w);
    count(borrowers[w.borrower], w);
    count(lenders[w.lender], w);
    if (w.first.count(3)) ++flow[{w.lender, w.borrower}];
    std::string key = w.title;  // the two spellings of the handbook differ by a trailing blank
    while (!key.empty() && key.back() == ' ') key.pop_back();
    ++titles[key].first;
    titles[key].second.insert(w.borrower);
  }
  expect_figures(report["overall"], overall, "overall");
  EXPECT_EQ(report["months"].size(), 4u);
  for (const auto& [m, f] : months) expect_figures(report["months"][m], f, m);
  for (const auto& [l, f] : borrowers) expect_figures(report["as_borrower"][l], f, "borrower " + l);
  for (const auto& [l, f] : lenders) expect_figures(report["as_lender"][l], f, "lender " + l);
  std::map<std::pair<std::string, std::string>, std::int64_t> got_flow;
  for (const auto& f : report["flow"]) got_flow[{f["lender"], f["borrower"]}] = f["supplied"];
  EXPECT_EQ(got_flow, flow);
  std::map<std::string, std::int64_t> repeated, got_repeated;
  for (const auto& [title, t] : titles)
    if (t.first >= 2) repeated[title] = t.first;
  for (const auto& t : report["repeated_titles"]) {
    std::string key = t["title"];
    while (!key.empty() && key.back() == ' ') key.pop_back();
    got_repeated[key] = t["requests"];
  }
  EXPECT_EQ(got_repeated, repeated);
  // The history has every kind of outcome the report distinguishes.
  EXPECT_GT(overall.unfilled, 0);
  EXPECT_GT(overall.overdue, 0);
  EXPECT_GT(overall.lost, 0);
  EXPECT_GT(overall.filled - overall.loans, 0);  // copies
  EXPECT_GE(repeated.size(), 2u);
}

TEST_F(IllctlReportsTest, StatsForOneLibraryAndAPeriodAndAsCsv) {
  const IllctlRun run = illctl({"stats", "--from", "2025-02-01", "--to", "2025-02-28", "--library", "IRL:AAA", "--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto records = parse_csv(run.out);
  ASSERT_GT(records.size(), 1u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"group", "key", "counterparty", "measure", "value"}));
  Figures expected;
  for (const auto& [id, w] : walk_events())
    if (w.month == "2025-02" && (w.borrower == "IRL:AAA" || w.lender == "IRL:AAA")) count(expected, w);
  std::map<std::string, std::string> overall;
  std::set<std::string> groups;
  for (std::size_t i = 1; i < records.size(); ++i) {
    ASSERT_EQ(records[i].size(), 5u);
    groups.insert(records[i][0] + " " + records[i][1]);
    if (records[i][0] == "overall") overall[records[i][3]] = records[i][4];
  }
  EXPECT_EQ(overall["requests"], std::to_string(expected.requests));
  EXPECT_EQ(overall["filled"], std::to_string(expected.filled));
  EXPECT_EQ(overall["unfilled"], std::to_string(expected.unfilled));
  EXPECT_EQ(overall["lost"], std::to_string(expected.lost));
  EXPECT_TRUE(groups.count("month 2025-02"));
  EXPECT_FALSE(groups.count("month 2025-01"));
  EXPECT_TRUE(groups.count("borrower IRL:AAA"));
  EXPECT_FALSE(groups.count("borrower IRL:BOR"));  // only the library asked for
}

TEST_F(IllctlReportsTest, StatsPlotDrawsTheMonthlyChartAsSvgAndPng) {
  const std::filesystem::path svg = *dir_ / "stats.svg", png = *dir_ / "stats.png";
  IllctlRun run = illctl({"stats", "--plot", svg.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(svg);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_GT(text.size(), 5000u);
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("</svg>"), std::string::npos);
  EXPECT_NE(text.find("2025-03"), std::string::npos);  // the months are the x axis
  run = illctl({"stats", "--format", "json", "--plot", png.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream pin(png, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(pin), std::istreambuf_iterator<char>()};
  ASSERT_GT(bytes.size(), 5000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_TRUE(Json::accept(run.out));  // the chart's message went to stderr
}

TEST_F(IllctlReportsTest, StatsPlotFailsClearlyWithoutGnuplotOrWithABadName) {
  const std::filesystem::path svg = *dir_ / "nognuplot.svg";
  IllctlRun run = illctl({"stats", "--plot", svg.string()}, "/nonexistent");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("gnuplot-nox"), std::string::npos) << run.err;
  run = illctl({"stats", "--plot", (*dir_ / "chart.pdf").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(".svg or .png"), std::string::npos) << run.err;
  run = illctl({"stats", "--to", "2024-01-01", "--plot", svg.string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("nothing to draw"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace illhub::app
