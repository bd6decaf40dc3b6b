// The duplicate rule: the same kind from the same side with the same service-date-time.
#include "illhub/protocol/apdu_identity.hpp"

namespace illhub::protocol {

bool is_duplicate(const ApduIdentity& incoming, const ApduIdentity* last_applied) {
  if (last_applied == nullptr || incoming.service_date.empty()) return false;
  return incoming == *last_applied;
}

}  // namespace illhub::protocol
