#pragma once
// The rows of the two strict tables, defined in requester_table.cpp and responder_table.cpp.
// Internal to the protocol library: everyone else goes through state_table.hpp.

#include <span>

#include "illhub/protocol/transition.hpp"

namespace illhub::protocol::detail {

std::span<const Transition> requester_rows();
std::span<const Transition> responder_rows();

}  // namespace illhub::protocol::detail
