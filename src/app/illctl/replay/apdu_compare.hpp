#pragma once
// Comparing an APDU the hub sent with the one recorded: equal bytes match; otherwise both are
// decoded and compared field by field, as flattened "path: value" lines of their JSON
// rendering. Fields that legitimately differ between two runs (times the hub stamps, ids its
// database hands out) are normalised and listed; any other difference is a divergence, shown
// as a diff of the two decoded APDUs.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "illhub/codec/apdu.hpp"

namespace illhub::app::replay {

/// One field of a decoded APDU: its path ("shipped.supply-details.date-due.date-due-field")
/// and its value as JSON text ("\"20261225\"", "true", "7").
struct FieldLine {
  std::string path;
  std::string value;
  friend bool operator==(const FieldLine&, const FieldLine&) = default;
};

/// Every leaf field of the APDU, in rendering order. Arrays index their elements: "list[0]".
std::vector<FieldLine> flatten(const codec::Apdu& apdu);

/// The hub's own values in its APDUs: service date-time (this and original service), the
/// Status-Report's dates from the hub's clock, and database event numbers in notes.
/// Returns the value to compare instead of `value` ("<normalised>" or a pattern-replaced
/// text), or `value` itself for any other field.
std::string normalised_value(const std::string& path, const std::string& value);

struct Comparison {
  bool matched = false;
  /// Paths of fields whose values differed but were normalised.
  std::vector<std::string> normalised;
  /// Divergence: a readable explanation, then diff lines ("  ctx", "- expected", "+ received").
  std::vector<std::string> diff;
};

/// Compares what the hub sent (`received`) with what was recorded (`expected`). `relayed`: the
/// expected bytes were a peer's APDU passed on, which the hub promises to send unchanged, so
/// only equal bytes match.
Comparison compare_apdus(std::span<const std::uint8_t> expected, std::span<const std::uint8_t> received,
                         bool relayed);

/// Lines of a line diff (longest common subsequence), only around the differences: each
/// differing line prefixed "- " (only in `expected`) or "+ " (only in `received`), `context`
/// equal lines ("  ") either side, "  ..." between separate hunks.
std::vector<std::string> diff_lines(const std::vector<std::string>& expected, const std::vector<std::string>& received,
                                    std::size_t context = 2);

}  // namespace illhub::app::replay
