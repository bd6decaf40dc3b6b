#pragma once
// The identity of an APDU within its transaction, for recognising a duplicate (the same APDU
// sent again, e.g. after a lost connection): same kind, same sending side, same
// service-date-time. The store keeps the identity of the last APDU it applied; byte-level and
// database-level de-duplication (a unique key) stay the store's job.

#include <string>

#include "illhub/protocol/event.hpp"

namespace illhub::protocol {

struct ApduIdentity {
  ApduKind kind = ApduKind::kIllRequest;
  Role sender = Role::kRequester;
  std::string service_date;  // Service-Date-Time this-date, YYYYMMDD
  std::string service_time;  // this-time, HHMMSS (may be empty on the first service of a day)
  friend bool operator==(const ApduIdentity&, const ApduIdentity&) = default;
};

/// Whether `incoming` is the APDU last applied to the transaction, sent again. An APDU
/// without a service date cannot be told apart from a new one and is never a duplicate.
/// Only the last applied APDU is compared: an older one sent again meets a state that has
/// moved on, and the tables refuse it.
bool is_duplicate(const ApduIdentity& incoming, const ApduIdentity* last_applied);

}  // namespace illhub::protocol
