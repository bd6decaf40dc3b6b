#include "app/illctl/stats_report.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "app/illctl/reason_unfilled.hpp"

namespace illhub::app {
namespace {

std::optional<double> ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

/// The figures of one group, with the stage durations still as lists.
struct Accumulator {
  StatsFigures figures;
  std::array<std::vector<std::int64_t>, 3> durations;

  void add(const TransactionFacts& f) {
    StatsFigures& s = figures;
    ++s.requests;
    if (f.shipped) {
      ++s.filled;
      if (f.is_loan) {
        ++s.loans;
        s.overdue += f.overdue;
        s.lost += f.lost;
      }
    } else if (f.unfilled_reason) {
      ++s.unfilled;
      ++s.unfilled_by_reason[reason_unfilled_name(*f.unfilled_reason)];
    }
    const std::array<std::pair<const std::optional<std::int64_t>*, const std::optional<std::int64_t>*>, 3> ends = {
        {{&f.requested, &f.shipped}, {&f.shipped, &f.received}, {&f.received, &f.returned}}};
    for (std::size_t i = 0; i < ends.size(); ++i)
      if (*ends[i].first && *ends[i].second) durations[i].push_back(**ends[i].second - **ends[i].first);
  }

  StatsFigures finish() {
    for (std::size_t i = 0; i < durations.size(); ++i) {
      figures.stages[i].count = static_cast<std::int64_t>(durations[i].size());
      figures.stages[i].median = nearest_rank(durations[i], 50);
      figures.stages[i].p90 = nearest_rank(durations[i], 90);
    }
    return figures;
  }
};

/// Titles are compared case-folded with runs of blanks collapsed and ends trimmed.
std::string title_key(const std::string& title) {
  std::string key;
  for (char c : title) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u)) {
      if (!key.empty() && key.back() != ' ') key += ' ';
    } else {
      key += static_cast<char>(std::tolower(u));
    }
  }
  if (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

std::map<std::string, StatsFigures> finish_all(std::map<std::string, Accumulator>& groups) {
  std::map<std::string, StatsFigures> out;
  for (auto& [key, acc] : groups) out[key] = acc.finish();
  return out;
}

}  // namespace

std::optional<double> StatsFigures::fill_rate() const { return ratio(filled, requests); }
std::optional<double> StatsFigures::overdue_rate() const { return ratio(overdue, loans); }
std::optional<double> StatsFigures::loss_rate() const { return ratio(lost, loans); }

std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t> values, int p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  // Rank ceil(p/100 * n), 1-based, in integers.
  const std::size_t n = values.size();
  const std::size_t rank = (static_cast<std::size_t>(p) * n + 99) / 100;
  return values[std::max<std::size_t>(rank, 1) - 1];
}

StatsReport build_stats_report(const std::vector<TransactionFacts>& facts, const std::string& only_library) {
  Accumulator overall;
  std::map<std::string, Accumulator> months, borrowers, lenders;
  StatsReport report;
  struct TitleCount {
    std::string first_spelling;
    std::int64_t requests = 0;
    std::set<std::string> borrowers;
  };
  std::map<std::string, TitleCount> titles;
  for (const TransactionFacts& f : facts) {
    overall.add(f);
    months[f.month].add(f);
    if (only_library.empty() || f.borrower == only_library) borrowers[f.borrower].add(f);
    if (only_library.empty() || f.lender == only_library) lenders[f.lender].add(f);
    if (f.shipped) ++report.flow[{f.lender, f.borrower}];
    const std::string key = title_key(f.title);
    if (key.empty()) continue;
    TitleCount& t = titles[key];
    if (t.requests++ == 0) {
      const auto first = f.title.find_first_not_of(" \t"), last = f.title.find_last_not_of(" \t");
      t.first_spelling = f.title.substr(first, last - first + 1);
    }
    t.borrowers.insert(f.borrower);
  }
  report.overall = overall.finish();
  report.months = finish_all(months);
  report.as_borrower = finish_all(borrowers);
  report.as_lender = finish_all(lenders);
  for (const auto& [key, t] : titles)
    if (t.requests >= 2)
      report.repeated_titles.push_back({t.first_spelling, t.requests, static_cast<std::int64_t>(t.borrowers.size())});
  std::stable_sort(report.repeated_titles.begin(), report.repeated_titles.end(),
                   [](const RepeatedTitle& a, const RepeatedTitle& b) { return a.requests > b.requests; });
  return report;
}

}  // namespace illhub::app
