// Storable text. See include/illhub/store/storable_text.hpp.
#include "illhub/store/storable_text.hpp"

#include <cstdint>
#include <utility>
#include <vector>

#include "illhub/store/transaction_key.hpp"

namespace illhub::store {
namespace {

/// Length of the UTF-8 sequence starting at s[i] (1..4), or 0 when it is not well-formed
/// (overlong forms, surrogates and code points above U+10FFFF are not).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t min = 0, cp = 0;
  if ((b & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = b & 0x1Fu;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = b & 0x0Fu;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = b & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::optional<std::string> text_column_problem(std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    if (value[i] == '\0') return "contains a NUL byte at offset " + std::to_string(i);
    const std::size_t n = utf8_sequence(value, i);
    if (n == 0) return "is not valid UTF-8 at offset " + std::to_string(i);
    i += n;
  }
  return std::nullopt;
}

std::optional<std::string> unstorable_field(const codec::Envelope& apdu) {
  const TransactionKey key = key_of(apdu);
  const std::vector<std::pair<const char*, const std::string*>> key_parts = {
      {"initial-requester-id", &key.initial_requester},
      {"transaction-group-qualifier", &key.group_qualifier},
      {"transaction-qualifier", &key.qualifier},
      {"sub-transaction-qualifier", &key.sub_qualifier}};
  for (const auto& [name, value] : key_parts) {
    if (value->size() > kMaxTransactionIdPartBytes)
      return std::string(name) + ": " + std::to_string(value->size()) + " bytes, more than the " +
             std::to_string(kMaxTransactionIdPartBytes) + " this hub keeps in a Transaction-Id";
    if (auto problem = text_column_problem(*value)) return std::string(name) + ": " + *problem;
  }
  const std::vector<std::pair<const char*, const std::string*>> fields = {
      {"requester-id", &apdu.requester_id.symbol},
      {"responder-id", &apdu.responder_id.symbol},
      {"service-date-time date", &apdu.service_date_time.date},
      {"service-date-time time", &apdu.service_date_time.time}};
  for (const auto& [name, value] : fields) {
    if (auto problem = text_column_problem(*value)) return std::string(name) + ": " + *problem;
  }
  return std::nullopt;
}

std::string summary_text(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size();) {
    const auto byte = static_cast<std::uint8_t>(value[i]);
    const std::size_t n = byte == 0 ? 0 : utf8_sequence(value, i);
    if (byte == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
    } else if (n == 0) {
      out += static_cast<char>(0xC0 | (byte >> 6));  // ISO 8859-1 byte as its code point
      out += static_cast<char>(0x80 | (byte & 0x3F));
    } else {
      out.append(value.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  return out;
}

}  // namespace illhub::store
