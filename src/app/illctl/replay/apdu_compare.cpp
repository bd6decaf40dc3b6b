// APDU comparison. See apdu_compare.hpp.
#include "app/illctl/replay/apdu_compare.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::app::replay {
namespace {

void flatten_into(const nlohmann::ordered_json& j, const std::string& path, std::vector<FieldLine>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) flatten_into(value, path.empty() ? key : path + "." + key, out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) flatten_into(j[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out.push_back({path, j.dump()});
  }
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// Fields the hub fills from its own clock (src/codec/builders.cpp stamps service-date-time
/// with service_date_time_now(); the routing's rewritten ILL-Request keeps the old stamp as the
/// original service; src/hub/status_report.cpp and src/net/status_answers.cpp fill the
/// Status-Report's dates from the transaction's created_at/updated_at or today's date).
constexpr std::array<std::string_view, 7> kHubClockFields = {
    ".service-date-time.date-time-of-this-service.date",
    ".service-date-time.date-time-of-this-service.time",
    ".service-date-time.date-time-of-original-service.date",
    ".service-date-time.date-time-of-original-service.time",
    ".user-status-report.date-requested",
    ".user-status-report.date-of-last-transition",
    ".user-status-report.date-of-most-recent-service",
};

std::string hex(std::span<const std::uint8_t> bytes, std::size_t from, std::size_t count) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = from; i < bytes.size() && i < from + count; ++i) {
    s += kDigits[bytes[i] >> 4];
    s += kDigits[bytes[i] & 15];
  }
  return s;
}

std::vector<std::string> as_lines(const std::vector<FieldLine>& fields) {
  std::vector<std::string> lines;
  lines.reserve(fields.size());
  for (const auto& f : fields) lines.push_back(f.path + ": " + f.value);
  return lines;
}

std::string first_difference(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::size_t from = i >= 8 ? i - 8 : 0;
  return "bytes differ from offset " + std::to_string(i) + " (expected " + std::to_string(a.size()) +
         " bytes, received " + std::to_string(b.size()) + "): expected ..." + hex(a, from, 24) + "..., received ..." +
         hex(b, from, 24) + "...";
}

}  // namespace

std::vector<FieldLine> flatten(const codec::Apdu& apdu) {
  std::vector<FieldLine> out;
  flatten_into(nlohmann::ordered_json::parse(codec::to_json(apdu, -1)), "", out);
  return out;
}

std::string normalised_value(const std::string& path, const std::string& value) {
  for (std::string_view field : kHubClockFields)
    if (ends_with(path, field)) return "<normalised>";
  // Receipts name the database's event number ("recorded as event 412"), which a replay
  // against another database, or the same one again, cannot reproduce.
  if (ends_with(path, ".note")) {
    static const std::regex kEventNumber("event [0-9]+");
    return std::regex_replace(value, kEventNumber, "event <n>");
  }
  return value;
}

Comparison compare_apdus(std::span<const std::uint8_t> expected, std::span<const std::uint8_t> received,
                         bool relayed) {
  Comparison c;
  if (std::equal(expected.begin(), expected.end(), received.begin(), received.end())) {
    c.matched = true;
    return c;
  }
  auto want = codec::decode(expected);
  auto got = codec::decode(received);
  if (!want || !got) {
    c.diff.push_back(!got ? "the received APDU does not decode: " + got.error().detail
                          : "the recorded APDU does not decode: " + want.error().detail);
    c.diff.push_back(first_difference(expected, received));
    return c;
  }
  std::vector<FieldLine> a = flatten(*want);
  std::vector<FieldLine> b = flatten(*got);
  if (relayed) {
    // Only equal bytes match; the decoded diff (if any) shows what changed on the way.
    c.diff.push_back("a relayed APDU must arrive byte for byte; " + first_difference(expected, received));
    auto lines = diff_lines(as_lines(a), as_lines(b));
    if (lines.empty()) c.diff.push_back("(same decoded values: only the encoding differs)");
    c.diff.insert(c.diff.end(), lines.begin(), lines.end());
    return c;
  }
  // Normalise a field only where both sides have it; a field present on one side only stays
  // a difference.
  std::map<std::string, std::string> value_a, value_b;
  for (const auto& f : a) value_a[f.path] = f.value;
  for (const auto& f : b) value_b[f.path] = f.value;
  std::set<std::string> differed;
  for (auto& f : a) {
    auto other = value_b.find(f.path);
    if (other == value_b.end()) continue;
    const std::string na = normalised_value(f.path, f.value);
    if (f.value != other->second && na == normalised_value(f.path, other->second)) differed.insert(f.path);
    f.value = na;
  }
  for (auto& f : b)
    if (value_a.count(f.path)) f.value = normalised_value(f.path, f.value);
  if (a == b) {
    c.matched = true;
    c.normalised.assign(differed.begin(), differed.end());
    return c;
  }
  c.diff = diff_lines(as_lines(a), as_lines(b));
  return c;
}

std::vector<std::string> diff_lines(const std::vector<std::string>& expected, const std::vector<std::string>& received,
                                    std::size_t context) {
  const std::size_t n = expected.size(), m = received.size();
  // lcs[i][j]: length of the longest common subsequence of expected[i..] and received[j..].
  std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = expected[i] == received[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<std::string> all;  // the whole diff, each line with its prefix
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] == received[j]) {
      all.push_back("  " + expected[i++]);
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      all.push_back("- " + expected[i++]);  // the recorded line first, then what came instead
    } else {
      all.push_back("+ " + received[j++]);
    }
  }
  // Keep the changed lines and `context` lines around each.
  std::vector<bool> keep(all.size(), false);
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (all[k][0] == ' ') continue;
    const std::size_t lo = k >= context ? k - context : 0;
    for (std::size_t x = lo; x < all.size() && x <= k + context; ++x) keep[x] = true;
  }
  std::vector<std::string> out;
  bool gap = false;
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (!keep[k]) {
      gap = !out.empty();
      continue;
    }
    if (gap) out.push_back("  ...");
    gap = false;
    out.push_back(all[k]);
  }
  return out;
}

}  // namespace illhub::app::replay
