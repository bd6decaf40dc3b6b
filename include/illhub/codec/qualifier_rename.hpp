#pragma once
// Renaming an APDU's transaction-qualifier, for tools that replay recorded traffic against a
// database that has already seen those transactions (illctl replay --rewrite-ids).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/codec/apdu.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::codec {

/// Called with an APDU's transaction-qualifier; returns the new qualifier, or nothing to leave
/// the APDU as it is.
using QualifierRenamer = std::function<std::optional<std::string>(std::string_view qualifier)>;

/// Renames `apdu`'s transaction-qualifier in place (its decoded form) and returns the APDU
/// re-encoded with encode() (so DEFAULT fields are written out: the bytes may differ from
/// apdu.bytes() beyond the qualifier). A Status-Or-Error-Report's correlation-information that
/// names the transaction as the hub writes it ("group/qualifier[/sub]") is renamed with it.
/// Nothing (and `apdu` untouched) when `rename` leaves the qualifier; an error when the
/// renamed APDU breaks a constraint.
Result<std::optional<std::vector<std::uint8_t>>, EncodeError> rename_transaction_qualifier(
    Apdu& apdu, const QualifierRenamer& rename);

}  // namespace illhub::codec
