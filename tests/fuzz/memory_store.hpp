#pragma once
// An in-memory stand-in for TransactionStore::apply, for the session fuzz target ONLY: the
// real store runs against PostgreSQL (tests/pg), which a fuzzer cannot call thousands of
// times a second. It keeps what apply() reads and writes that hub::decide sees: the
// snapshot per Transaction-Id key, the peers' lenient profiles for a new transaction, and
// the identities of applied APDUs (an older APDU sent again is a duplicate, not a refusal).

#include <map>
#include <set>
#include <string>
#include <tuple>

#include "illhub/hub/engine.hpp"
#include "illhub/store/transaction_key.hpp"

namespace illhub::fuzz {

class MemoryStore {
 public:
  struct Record {
    hub::TransactionSnapshot snapshot;
    std::set<std::string> applied;  // dedup keys of accepted APDUs, as the events table has
  };
  using Key = std::tuple<std::string, std::string, std::string, std::string>;

  /// `peers`: registered, enabled peers and their lenient profile (null: strict).
  explicit MemoryStore(std::map<std::string, const protocol::LenientProfile*> peers) : peers_(std::move(peers)) {}

  struct Applied {
    hub::TransactionSnapshot before;
    hub::Decision decision;
  };

  /// What TransactionStore::apply does, minus the database.
  Applied apply(const codec::Envelope& e, const std::string& sender) {
    const store::TransactionKey k = store::key_of(e);
    const Key key{k.initial_requester, k.group_qualifier, k.qualifier, k.sub_qualifier};
    Applied out;
    bool responder_is_member = true;
    auto found = records_.find(key);
    if (found != records_.end()) {
      out.before = found->second.snapshot;
    } else {
      responder_is_member = peers_.count(e.responder_id.symbol) > 0;
      if (auto p = peers_.find(e.requester_id.symbol); p != peers_.end()) out.before.view.requester_profile = p->second;
      if (auto p = peers_.find(e.responder_id.symbol); p != peers_.end()) out.before.view.responder_profile = p->second;
    }
    out.decision = hub::decide(hub::Incoming{e, sender, responder_is_member}, out.before, policy_);
    const hub::Outcome outcome = out.decision.outcome;
    if (outcome == hub::Outcome::kRefused && found != records_.end() &&
        (sender == out.before.requester_symbol || sender == out.before.responder_symbol)) {
      const auto role = sender == out.before.requester_symbol ? protocol::Role::kRequester : protocol::Role::kResponder;
      if (found->second.applied.count(dedup_key(e, role))) {
        out.decision.outcome = hub::Outcome::kDuplicate;
        out.decision.refusal.reset();
      }
    }
    if (out.decision.outcome == hub::Outcome::kAccepted && found != records_.end() &&
        found->second.applied.count(dedup_key(e, out.decision.sender_role))) {
      // The events table's unique key: the same APDU recorded before is a duplicate.
      out.decision.outcome = hub::Outcome::kDuplicate;
      out.decision.next = out.before;
      out.decision.postings.clear();
      return out;
    }
    if (out.decision.outcome == hub::Outcome::kAccepted) {
      Record& r = records_[key];
      r.snapshot = out.decision.next;
      r.applied.insert(dedup_key(e, out.decision.sender_role));
    }
    return out;
  }

  std::map<Key, Record>& records() { return records_; }
  const hub::LedgerPolicy& policy() const { return policy_; }

  /// As the store's: "kind|role|date|time".
  static std::string dedup_key(const codec::Envelope& e, protocol::Role sender) {
    return std::to_string(static_cast<int>(e.kind)) + "|" + std::string(protocol::to_string(sender)) + "|" +
           e.service_date_time.date + "|" + e.service_date_time.time;
  }

 private:
  std::map<std::string, const protocol::LenientProfile*> peers_;
  std::map<Key, Record> records_;
  hub::LedgerPolicy policy_;
};

}  // namespace illhub::fuzz
