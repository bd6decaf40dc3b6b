#pragma once
#include <string>
#include <vector>

#include "illhub/codec/envelope.hpp"

namespace illhub::hub::testing {

inline constexpr const char* kBorrower = "IRL:BOR";
inline constexpr const char* kLender = "IRL:LEN";

/// An APDU of one transaction between kBorrower and kLender, as the codec's Envelope would
/// read it; `n` makes the service time unique so it is no duplicate.
inline codec::Envelope apdu(codec::ApduKind kind, int n = 0) {
  codec::Envelope e;
  e.kind = kind;
  e.transaction_id.initial_requester.symbol = kBorrower;
  e.transaction_id.group_qualifier = "G1";
  e.transaction_id.qualifier = "T1";
  e.service_date_time.date = "20261124";
  e.service_date_time.time = std::to_string(100000 + n % 100000);  // HHMMSS-shaped, unique per n
  e.requester_id.symbol = kBorrower;
  e.responder_id.symbol = kLender;
  if (kind == codec::ApduKind::kIllRequest) {
    e.ill_service_types = {codec::IllServiceType::kLoan};
    e.requester_optional_messages = codec::RequesterOptionalMessages{true, true, codec::MessageWish::kDesires,
                                                                     codec::MessageWish::kDesires};
  }
  return e;
}

inline codec::Envelope answer(codec::TransactionResults results, int n = 0) {
  codec::Envelope e = apdu(codec::ApduKind::kIllAnswer, n);
  e.transaction_results = results;
  return e;
}

inline codec::Envelope shipped(const std::string& cost, const std::string& insured = "", int n = 0,
                               codec::IllServiceType type = codec::IllServiceType::kLoan) {
  codec::Envelope e = apdu(codec::ApduKind::kShipped, n);
  e.shipped_service_type = type;
  e.date_due = codec::DateDue{"20261231", true};
  if (!cost.empty()) e.cost = codec::Amount{"EUR", cost};
  if (!insured.empty()) e.insured_for = codec::Amount{"EUR", insured};
  return e;
}

}  // namespace illhub::hub::testing
