#pragma once
// --rewrite-ids: one suffix appended to every transaction-qualifier the recorded peers used,
// in what replay sends and, by the same function of the bytes, in what it expects, so that one
// recording replays many times against one database (each run is a new set of transactions).

#include <string>

#include "app/illctl/replay/replay_plan.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app::replay {

/// A suffix unique to this run: "-r" and the current Unix time in milliseconds, base 36.
std::string default_id_suffix();

/// Rewrites the plan in place. The qualifiers renamed are those of the APDUs the peers sent
/// (kSend steps that decode); a hub APDU about another qualifier (e.g. "unknown" in a report
/// about an undecodable frame) is left alone, and so are bytes that do not decode. Each
/// rewritten APDU is decoded, renamed and re-encoded with the project's encoder, so an
/// expected relay equals the rewritten bytes replay sends. Error: a renamed APDU that cannot
/// be encoded (names where).
Result<Ok, std::string> rewrite_ids(Plan& plan, const std::string& suffix);

}  // namespace illhub::app::replay
