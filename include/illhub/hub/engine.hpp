#pragma once
// The hub's decision for one incoming APDU: which side sent it, whether the state tables of
// both sides allow it, the new states, the ledger postings, and who gets what. Pure: the
// store loads the transaction (locked), calls decide(), and writes the result in one COMMIT.

#include <optional>
#include <string>
#include <vector>

#include "illhub/codec/builders.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/hub/ledger_rules.hpp"
#include "illhub/hub/money.hpp"
#include "illhub/protocol/hub_view.hpp"

namespace illhub::hub {

/// The transaction as the store holds it. A transaction not yet recorded is the default value.
struct TransactionSnapshot {
  bool exists = false;
  std::string requester_symbol;
  std::string responder_symbol;
  protocol::TransactionView view;
  std::optional<Money> insured_value;
  bool replacement_charged = false;
  /// Loan's date due (YYYYMMDD) as last set by Shipped, Renew-Answer or Overdue.
  std::string date_due;
};

/// An APDU that arrived, decoded, from a connection that speaks for `sender_symbol` (the
/// network layer has checked the peer's identity).
struct Incoming {
  const codec::Envelope& apdu;
  std::string sender_symbol;
  /// For a new transaction: whether the responder-id names a registered, enabled peer (the
  /// store looks it up). An existing transaction's parties are members by construction.
  bool responder_is_member = true;
};

enum class Outcome : std::uint8_t {
  kAccepted,   // record, apply, relay to the recipient
  kDuplicate,  // the same APDU again: change nothing, relay nothing (it was already)
  kRefused,    // record the refusal, change nothing, answer the sender with `refusal`
};

std::string_view to_string(Outcome outcome);

struct Decision {
  Outcome outcome = Outcome::kRefused;
  protocol::Role sender_role = protocol::Role::kRequester;
  /// kAccepted: the peer the APDU is relayed to.
  std::string recipient_symbol;
  /// kAccepted: the transaction after the APDU. Otherwise the snapshot unchanged.
  TransactionSnapshot next;
  /// kAccepted: the ledger postings.
  std::vector<Posting> postings;
  /// kAccepted with an amount that could not be read: why no posting was made (the APDU is
  /// still relayed; operators see the note in the event log).
  std::string ledger_note;
  /// kRefused: the error report the sender gets, and a line for the event log.
  std::optional<codec::ErrorReportSpec> refusal;
  std::string reason;
};

/// Decides an incoming APDU against a transaction. Checks, in order: requester-id and
/// responder-id present (the hub is store-and-forward); for a new transaction, an ILL-Request
/// sent by its requester-id; for an existing one, the sender is one of its two parties and the
/// APDU names the same parties; then the state tables of both sides (protocol::decide).
/// Never fails; every refusal carries the report the sender should get.
Decision decide(const Incoming& incoming, const TransactionSnapshot& snapshot,
                const LedgerPolicy& policy);

/// The tables' view of an APDU sent by `sender`.
protocol::HubApdu to_hub_apdu(const codec::Envelope& apdu, protocol::Role sender);

}  // namespace illhub::hub
