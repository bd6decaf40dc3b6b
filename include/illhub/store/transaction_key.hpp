#pragma once
// The four-part Transaction-Id as the transactions table keys it.

#include <string>

#include "illhub/codec/envelope.hpp"

namespace illhub::store {

struct TransactionKey {
  std::string initial_requester, group_qualifier, qualifier, sub_qualifier;
};

/// An absent initial-requester-id is the requester's own symbol: that is who initiated it.
inline TransactionKey key_of(const codec::Envelope& e) {
  const codec::SystemId& initial = e.transaction_id.initial_requester;
  std::string who = !initial.symbol.empty() ? initial.symbol
                    : !initial.name.empty() ? initial.name
                                            : e.requester_id.symbol;
  return {who, e.transaction_id.group_qualifier, e.transaction_id.qualifier, e.transaction_id.sub_qualifier};
}

}  // namespace illhub::store
