#include "app/illctl/stats_output.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iomanip>

#include "app/illctl/csv_writer.hpp"

namespace illhub::app {
namespace {

using Json = nlohmann::ordered_json;

/// Every figure of a group as (measure, value text) pairs, in a fixed order.
std::vector<std::pair<std::string, std::string>> measures(const StatsFigures& f) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string(); };
  std::vector<std::pair<std::string, std::string>> m = {
      {"requests", std::to_string(f.requests)}, {"filled", std::to_string(f.filled)},
      {"unfilled", std::to_string(f.unfilled)}, {"fill_rate", rate_text(f.fill_rate())}};
  for (const auto& [reason, n] : f.unfilled_by_reason) m.emplace_back("unfilled:" + reason, std::to_string(n));
  for (std::size_t i = 0; i < kStageNames.size(); ++i) {
    const std::string stage = kStageNames[i];
    m.emplace_back(stage + "_count", std::to_string(f.stages[i].count));
    m.emplace_back(stage + "_median_s", opt(f.stages[i].median));
    m.emplace_back(stage + "_p90_s", opt(f.stages[i].p90));
  }
  m.emplace_back("loans", std::to_string(f.loans));
  m.emplace_back("overdue", std::to_string(f.overdue));
  m.emplace_back("lost", std::to_string(f.lost));
  m.emplace_back("overdue_rate", rate_text(f.overdue_rate()));
  m.emplace_back("loss_rate", rate_text(f.loss_rate()));
  return m;
}

void csv_group(std::ostream& out, const std::string& group, const std::string& key, const StatsFigures& f) {
  for (const auto& [measure, value] : measures(f)) write_csv_record(out, {group, key, "", measure, value});
}

Json rate_json(const std::optional<double>& rate) {
  if (!rate) return Json();
  return Json::parse(rate_text(rate));
}

Json figures_json(const StatsFigures& f) {
  Json j;
  j["requests"] = f.requests;
  j["filled"] = f.filled;
  j["unfilled"] = f.unfilled;
  j["fill_rate"] = rate_json(f.fill_rate());
  j["unfilled_by_reason"] = Json::object();
  for (const auto& [reason, n] : f.unfilled_by_reason) j["unfilled_by_reason"][reason] = n;
  j["turnaround_seconds"] = Json::object();
  for (std::size_t i = 0; i < kStageNames.size(); ++i) {
    const StageTimes& s = f.stages[i];
    Json stage;
    stage["count"] = s.count;
    stage["median"] = s.median ? Json(*s.median) : Json();
    stage["p90"] = s.p90 ? Json(*s.p90) : Json();
    j["turnaround_seconds"][kStageNames[i]] = stage;
  }
  j["loans"] = f.loans;
  j["overdue"] = f.overdue;
  j["lost"] = f.lost;
  j["overdue_rate"] = rate_json(f.overdue_rate());
  j["loss_rate"] = rate_json(f.loss_rate());
  return j;
}

/// Seconds as hours with one decimal, for people ("-" when undefined).
std::string hours(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1fh", static_cast<double>(*seconds) / 3600.0);
  return text;
}

std::string percent(const std::optional<double>& rate) {
  if (!rate) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", *rate * 100.0);
  return text;
}

void table_header(std::ostream& out, const char* first) {
  out << std::left << std::setw(14) << first << std::right << std::setw(9) << "requests" << std::setw(8)
      << "filled" << std::setw(9) << "unfilled" << std::setw(8) << "fill" << std::setw(11) << "req>ship"
      << std::setw(11) << "p90" << std::setw(11) << "ship>recv" << std::setw(11) << "recv>ret" << std::setw(7)
      << "loans" << std::setw(9) << "overdue" << std::setw(7) << "lost" << "\n";
}

void table_row(std::ostream& out, const std::string& key, const StatsFigures& f) {
  out << std::left << std::setw(14) << key << std::right << std::setw(9) << f.requests << std::setw(8) << f.filled
      << std::setw(9) << f.unfilled << std::setw(8) << percent(f.fill_rate()) << std::setw(11)
      << hours(f.stages[0].median) << std::setw(11) << hours(f.stages[0].p90) << std::setw(11)
      << hours(f.stages[1].median) << std::setw(11) << hours(f.stages[2].median) << std::setw(7) << f.loans
      << std::setw(9) << percent(f.overdue_rate()) << std::setw(7) << percent(f.loss_rate()) << "\n";
}

}  // namespace

std::string rate_text(const std::optional<double>& rate) {
  if (!rate) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", *rate);
  return text;
}

void write_stats_table(std::ostream& out, const StatsReport& report, const ReportPeriod& period) {
  out << "Statistics of requests made " << (period.from_date.empty() ? "from the beginning" : "from " + period.from_date)
      << (period.to_date.empty() ? " to now" : " to " + period.to_date)
      << " (UTC; turnaround medians, overdue and lost as shares of loans)\n\n";
  table_header(out, "month");
  for (const auto& [month, f] : report.months) table_row(out, month, f);
  table_row(out, "all", report.overall);
  out << "\n";
  table_header(out, "as borrower");
  for (const auto& [library, f] : report.as_borrower) table_row(out, library, f);
  out << "\n";
  table_header(out, "as lender");
  for (const auto& [library, f] : report.as_lender) table_row(out, library, f);
  out << "\nUnfilled by reason\n";
  if (report.overall.unfilled_by_reason.empty()) out << "  (none)\n";
  for (const auto& [reason, n] : report.overall.unfilled_by_reason) out << "  " << std::left << std::setw(42) << reason << n << "\n";
  out << "\nItems supplied, lender -> borrower\n";
  if (report.flow.empty()) out << "  (none)\n";
  for (const auto& [pair, n] : report.flow) out << "  " << pair.first << " -> " << pair.second << ": " << n << "\n";
  out << "\nTitles requested more than once\n";
  if (report.repeated_titles.empty()) out << "  (none)\n";
  for (const auto& t : report.repeated_titles)
    out << "  " << t.requests << " requests, " << t.borrowers << " libraries: " << t.title << "\n";
}

void write_stats_csv(std::ostream& out, const StatsReport& report) {
  write_csv_record(out, {"group", "key", "counterparty", "measure", "value"});
  csv_group(out, "overall", "", report.overall);
  for (const auto& [month, f] : report.months) csv_group(out, "month", month, f);
  for (const auto& [library, f] : report.as_borrower) csv_group(out, "borrower", library, f);
  for (const auto& [library, f] : report.as_lender) csv_group(out, "lender", library, f);
  for (const auto& [pair, n] : report.flow)
    write_csv_record(out, {"flow", pair.first, pair.second, "supplied", std::to_string(n)});
  for (const auto& t : report.repeated_titles) {
    write_csv_record(out, {"title", t.title, "", "requests", std::to_string(t.requests)});
    write_csv_record(out, {"title", t.title, "", "borrowers", std::to_string(t.borrowers)});
  }
}

void write_stats_json(std::ostream& out, const StatsReport& report, const ReportPeriod& period) {
  Json j;
  j["from"] = period.from_date.empty() ? Json() : Json(period.from_date);
  j["to"] = period.to_date.empty() ? Json() : Json(period.to_date);
  j["overall"] = figures_json(report.overall);
  j["months"] = Json::object();
  for (const auto& [month, f] : report.months) j["months"][month] = figures_json(f);
  j["as_borrower"] = Json::object();
  for (const auto& [library, f] : report.as_borrower) j["as_borrower"][library] = figures_json(f);
  j["as_lender"] = Json::object();
  for (const auto& [library, f] : report.as_lender) j["as_lender"][library] = figures_json(f);
  j["flow"] = Json::array();
  for (const auto& [pair, n] : report.flow) j["flow"].push_back({{"lender", pair.first}, {"borrower", pair.second}, {"supplied", n}});
  j["repeated_titles"] = Json::array();
  for (const auto& t : report.repeated_titles)
    j["repeated_titles"].push_back({{"title", t.title}, {"requests", t.requests}, {"borrowers", t.borrowers}});
  out << j.dump(2) << "\n";
}

}  // namespace illhub::app
