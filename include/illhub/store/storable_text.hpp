#pragma once
// Which text of an inbound APDU the store writes to (or looks up in) text columns, and whether
// PostgreSQL can hold it unchanged. Text columns take valid UTF-8 without NUL bytes (the
// cluster's encoding is UTF8); the Transaction-Id's parts are also a unique key, whose index
// entries must stay small. A value that fails here cannot be stored verbatim, so the APDU is
// refused before it reaches the database (docs/STORE.md, "Peer text in the database").
// Everything else of an APDU (notes, extensions, ...) is kept only in events.raw_ber (bytea),
// byte for byte, whatever it holds.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "illhub/codec/envelope.hpp"

namespace illhub::store {

/// Bytes allowed in each part of the Transaction-Id (initial requester, group qualifier,
/// qualifier, sub-transaction qualifier): four of them stay well inside a btree entry (about
/// 2.7 KB on 8 KB pages), and real qualifiers are a few dozen bytes.
inline constexpr std::size_t kMaxTransactionIdPartBytes = 512;

/// Why `value` could not be stored in a text column unchanged ("contains a NUL byte at
/// offset 3", "is not valid UTF-8 at offset 5"), or nothing when it can.
std::optional<std::string> text_column_problem(std::string_view value);

/// The first field of `apdu` the store could not keep verbatim, as "FIELD: PROBLEM"
/// (e.g. "transaction-qualifier: contains a NUL byte at offset 2"), or nothing. Checks the
/// fields that are keys or looked up in SQL: the four Transaction-Id parts (also against
/// kMaxTransactionIdPartBytes), requester-id and responder-id symbols, service date and time.
std::optional<std::string> unstorable_field(const codec::Envelope& apdu);

/// `value` made fit for the item summary columns (title, author, ISBN, ISSN), which are for
/// operators' listings only: the request itself stays in events.raw_ber byte for byte. Valid
/// UTF-8 is kept as it is; a byte that does not start valid UTF-8 is read as ISO 8859-1, the
/// 8-bit set library systems commonly send in a GeneralString; a NUL becomes U+FFFD.
std::string summary_text(std::string_view value);

}  // namespace illhub::store
