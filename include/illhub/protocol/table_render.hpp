#pragma once
// Renderings of the state tables, for `illctl states` and for docs/states/*.dot, which a test
// regenerates and compares byte for byte.

#include <string>

#include "illhub/protocol/event.hpp"

namespace illhub::protocol {

/// Plain text, one row per line: from, event, to, guard, confidence, why; then the rule for
/// the stateless APDUs and the lenient profiles' extra cells of this role.
std::string render_table(Role role);

/// Graphviz dot: one node per named state, one edge per (from, to) pair with the events as
/// its label; inferred-only edges dashed. Deterministic: same tables, same bytes.
std::string render_dot(Role role);

/// JSON: {"role":…, "transitions":[{from, event:{trigger, apdu, detail}, to, guard,
/// confidence, why}], "stateless_apdus":[…], "lenient_profiles":[…]}. One line, ending in \n.
std::string render_json(Role role);

}  // namespace illhub::protocol
