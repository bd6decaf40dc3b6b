#pragma once
// Lenient profiles: named relaxations of the strict ISO 10161 tables for systems in the field
// that do not follow them. A peer is registered with at most one profile; a transaction uses
// the extra cells of the profiles of both its peers. Every relaxation the hub knows is listed
// in kLenientProfiles (lenient_profile.cpp), in one place.

#include <span>
#include <string_view>

#include "illhub/protocol/transition.hpp"

namespace illhub::protocol {

/// One extra cell: a row added to the table of `role`.
struct ProfileCell {
  Role role;
  Transition row;
};

struct LenientProfile {
  std::string_view name;     // as in the peer registry and `illctl states`, e.g. "received-before-shipped"
  std::string_view summary;  // what the systems do that needs it
  std::span<const ProfileCell> cells;
  /// The lender never sends Checked-In although it declared it can: RETURNED ends the
  /// transaction (no cell changes; nothing would ever leave RETURNED otherwise).
  bool returned_is_final = false;
};

/// Every known profile.
std::span<const LenientProfile> lenient_profiles();

/// The profile with this name, or null. The pointer stays valid for the program's life.
const LenientProfile* find_lenient_profile(std::string_view name);

}  // namespace illhub::protocol
