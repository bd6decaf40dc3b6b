#pragma once
// The Status-Or-Error-Reports a session sends on its own account: answers to APDUs that could
// not be framed, decoded, attributed to a peer or stored, and the hub's refusals. Each returns
// the BER to write, or why it could not be built (a bug: the caller logs it and sends nothing).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "illhub/codec/builders.hpp"
#include "illhub/codec/decode_error.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/framer.hpp"
#include "illhub/util/result.hpp"

namespace illhub::net {

using Bytes = std::vector<std::uint8_t>;

using codec::service_date_time_now;  // the hub's local date and time (codec/builders.hpp)

/// A report about `about` (same protocol version and transaction id, the same requester-id
/// and responder-id) carrying `error`, with an optional note.
Result<Bytes, std::string> report_about(const codec::Envelope& about, const codec::ErrorReportSpec& error,
                                        const std::string& note = {});

/// A general-problem report for frame `frame_no` (1-based on this connection) that did not
/// decode. There is no transaction id to answer: the report's transaction-qualifier is
/// "unknown", correlation-information says "frame N", requester-id is `peer` when known.
Result<Bytes, std::string> decode_failure_report(std::uint64_t frame_no, const codec::DecodeError& error,
                                                 const std::string& peer);

/// The General-Problem for a stream that cannot be framed any more: `other` for an APDU over
/// limits.max_apdu_bytes (as codec::general_problem() says for one decode() refuses as too
/// large: nothing is wrong with its structure), `badly-structured-APDU` for everything else
/// (bad tags, lengths, end-of-contents, nesting).
codec::GeneralProblem framing_general_problem(const codec::FramingError& error);

/// A general-problem report (framing_general_problem()) for a stream that cannot be framed
/// any more (the connection is closed after it).
Result<Bytes, std::string> framing_failure_report(std::uint64_t frame_no, const codec::FramingError& error,
                                                  const std::string& peer);

/// A Status-Or-Error-Report about `about` carrying `spec` (a status report: the hub's answer
/// to a Status-Query, or a receipt).
Result<Bytes, std::string> status_report_about(const codec::Envelope& about, codec::StatusOrErrorReportSpec spec);

/// The store could not record the APDU (database down): nothing was recorded. ISO 10161 has
/// no "try later" error, so this is a user error-report unable-to-perform
/// resource-limitation, with a note saying it is temporary and the APDU may be sent again.
Result<Bytes, std::string> store_failure_report(const codec::Envelope& about);

/// The APDU holds text the store cannot keep unchanged (`problem` from
/// store::unstorable_field, e.g. "transaction-qualifier: contains a NUL byte at offset 2"):
/// nothing was recorded or relayed. Unable-to-perform other, the note naming the field and
/// saying that sending it again will not help (unlike store_failure_report's).
Result<Bytes, std::string> unstorable_text_report(const codec::Envelope& about, const std::string& problem);

/// The APDU's connection was the one too many for its peer (limits.max_connections_per_peer):
/// nothing was recorded, the connection closes after this report. Unable-to-perform
/// resource-limitation, with a note naming the limit and saying what to do instead.
Result<Bytes, std::string> peer_connection_limit_report(const codec::Envelope& about, std::size_t limit);

}  // namespace illhub::net
