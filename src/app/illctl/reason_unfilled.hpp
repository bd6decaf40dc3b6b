#pragma once
// ISO 10161 Reason-Unfilled values by name (asn1/ill.asn), for `illctl stats`.

#include <string>

namespace illhub::app {

/// "not-owned" for 5, ...; "reason-N" for a value the module does not list (0: none given).
std::string reason_unfilled_name(long value);

}  // namespace illhub::app
