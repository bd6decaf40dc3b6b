#pragma once
// The "# ..." header lines `illctl decode` prints above each APDU (kind, size, transaction,
// parties, service time); `illctl show` prints the same above each event's APDU.

#include <string>

#include "illhub/codec/apdu.hpp"

namespace illhub::app {

/// Three lines, each starting with "# " and ending with a newline.
std::string apdu_summary(const codec::Apdu& apdu);

/// A Transaction-Id as those lines print it: [initial-requester/]group/qualifier[/sub].
std::string transaction_label(const codec::Apdu& apdu);

}  // namespace illhub::app
