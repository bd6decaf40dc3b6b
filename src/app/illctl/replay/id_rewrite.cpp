// --rewrite-ids. See id_rewrite.hpp.
#include "app/illctl/replay/id_rewrite.hpp"

#include <chrono>
#include <set>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/qualifier_rename.hpp"

namespace illhub::app::replay {

std::string default_id_suffix() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  std::string digits;
  do {
    digits.insert(digits.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[ms % 36]);
    ms /= 36;
  } while (ms > 0);
  return "-r" + digits;
}

Result<Ok, std::string> rewrite_ids(Plan& plan, const std::string& suffix) {
  std::set<std::string> qualifiers;
  for (const Step& s : plan.steps) {
    if (s.kind != StepKind::kSend || s.unframed) continue;
    if (auto apdu = codec::decode(s.bytes)) qualifiers.insert(codec::read_envelope(*apdu).transaction_id.qualifier);
  }
  const codec::QualifierRenamer rename = [&](std::string_view q) -> std::optional<std::string> {
    if (!qualifiers.count(std::string(q))) return std::nullopt;
    return std::string(q) + suffix;
  };
  for (Step& s : plan.steps) {
    if ((s.kind != StepKind::kSend && s.kind != StepKind::kExpect) || s.unframed) continue;
    auto apdu = codec::decode(s.bytes);
    if (!apdu) continue;  // sent as recorded: the hub's answer to it names no transaction of ours
    auto renamed = codec::rename_transaction_qualifier(*apdu, rename);
    if (!renamed) return unexpected(s.where + ": cannot re-encode with the new transaction id: " + renamed.error().detail);
    if (*renamed) s.bytes = std::move(**renamed);
  }
  return Ok{};
}

}  // namespace illhub::app::replay
