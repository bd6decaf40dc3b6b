#pragma once
// The lines `illctl record show` prints for a recording (docs/RECORDING.md): one per record,
// APDUs summarised as `illctl decode` summarises them (kind, transaction).

#include <string>

#include "illhub/record/recording.hpp"

namespace illhub::app {

/// "# FILE: illd NODE listening on LISTEN, started 2026-11-25T01:02:03.123456Z"
std::string recording_heading(const std::string& file, const record::Header& header);

/// One line, no newline: offset in seconds, connection, direction (->hub or hub->), peer
/// ("-" while unknown), then what happened:
///    12.003400  conn 3  ->hub  IRL:DUB  ILL-Request  IRL:DUB/G1/Q1  345 bytes
/// An APDU that does not decode is listed with the decoder's reason, not refused: a
/// recording keeps malformed input on purpose.
std::string record_listing_line(const record::Record& record);

}  // namespace illhub::app
