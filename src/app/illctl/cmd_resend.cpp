// illctl resend EVENT --operator NAME [--reason TEXT]: deliver an accepted event's APDU
// again. A failed outbox row for it is set back to pending (fresh attempts); when it was
// delivered already (the peer lost it), a new outbox row is queued with the same bytes.
// Either way an operator event records who, when and why, pointing at EVENT; NOTIFY
// illhub_outbox wakes the hub's delivery at once. Refused for an event that was refused
// (never relayed), has no APDU, or is still pending delivery. See docs/OPERATORS.md.
// Exit codes: 0 queued, 1 refused or failed, 2 usage.
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "illhub/store/transaction.hpp"

namespace illhub::app {
namespace {

struct ResendOptions {
  std::int64_t event = 0;
  std::string reason = "resent by an operator";
  std::string operator_name;
};

void run(const DatabaseOptions& db, const ResendOptions& o) {
  if (o.operator_name.empty()) {
    std::cerr << "illctl resend: --operator must name someone\n";
    throw CLI::RuntimeError(2);
  }
  OpenDatabase opened = open_database(db, "resend");
  auto tx = store::Transaction::begin(*opened.conn);
  if (!tx) fail("resend", tx.error().describe());
  const std::string which = "event #" + std::to_string(o.event);
  auto ev = tx->exec(
      "SELECT e.accepted, e.apdu_kind, length(e.raw_ber), e.direction, e.transaction_id, "
      "coalesce(e.peer_symbol, ''), coalesce(t.requester_symbol, ''), coalesce(t.responder_symbol, '') "
      "FROM events e LEFT JOIN transactions t ON t.id = e.transaction_id WHERE e.id = $1",
      {o.event});
  if (!ev) fail("resend", ev.error().describe());
  if (ev->rows() == 0) fail("resend", "no " + which);
  if (ev->get(0, 0) != "t") fail("resend", which + " was refused: the hub never relayed it, so there is nothing to resend");
  if (ev->get(0, 2) == "0" || ev->get(0, 3) == "operator")
    fail("resend", which + " carries no APDU of a peer (give the event of the APDU itself)");

  // Its deliveries, locked so the hub's delivery does not change them under us.
  auto rows = tx->exec("SELECT id, status, recipient_symbol, attempts FROM outbox WHERE event_id = $1 ORDER BY id DESC FOR UPDATE",
                       {o.event});
  if (!rows) fail("resend", rows.error().describe());
  std::optional<std::int64_t> failed_row;
  std::string recipient;
  for (int i = 0; i < rows->rows(); ++i) {
    if (rows->get(i, 1) == "pending")
      fail("resend", which + " is still waiting in outbox #" + std::string(rows->get(i, 0)) + " (" +
                         std::string(rows->get(i, 3)) + " attempts so far): illd delivers it, nothing to resend");
    if (rows->get(i, 1) == "failed" && !failed_row) failed_row = rows->get_int64(i, 0);
    if (recipient.empty()) recipient = std::string(rows->get(i, 2));
  }
  if (recipient.empty()) {
    // Never queued: received APDUs go to the other party, sent ones to their peer.
    const std::string peer(ev->get(0, 5)), requester(ev->get(0, 6)), responder(ev->get(0, 7));
    if (ev->get(0, 3) == "out") recipient = peer;
    else if (peer == requester) recipient = responder;
    else if (peer == responder) recipient = requester;
    if (recipient.empty()) fail("resend", which + " has no recipient the hub could deliver it to");
  }

  auto logged = tx->exec(
      "INSERT INTO events (transaction_id, direction, peer_symbol, apdu_kind, accepted, raw_ber, reason, "
      "operator_name, operator_action, refers_to_event) SELECT transaction_id, 'operator', $2, apdu_kind, true, "
      "''::bytea, $3, $4, 'resend', id FROM events WHERE id = $1 RETURNING id",
      {o.event, recipient, o.reason, o.operator_name});
  if (!logged) fail("resend", logged.error().describe());
  Result<store::PgResult, store::StoreError> queued = store::PgResult();
  if (failed_row) {
    queued = tx->exec("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL, "
                      "claimed_by = NULL, claimed_at = NULL WHERE id = $1 RETURNING id",
                      {*failed_row});
  } else {
    queued = tx->exec("INSERT INTO outbox (event_id, transaction_id, recipient_symbol, apdu) "
                      "SELECT id, transaction_id, $2, raw_ber FROM events WHERE id = $1 RETURNING id",
                      {o.event, recipient});
  }
  if (!queued) fail("resend", queued.error().describe());
  if (auto n = tx->exec("SELECT pg_notify('illhub_outbox', $1)", {recipient}); !n) fail("resend", n.error().describe());
  if (auto done = tx->commit(); !done) fail("resend", done.error().describe());
  std::cout << "resend recorded as event #" << logged->get(0, 0) << ": " << which << " to " << recipient << " in outbox #"
            << queued->get(0, 0) << (failed_row ? " (failed delivery set back to pending)" : " (queued again)") << "\n";
}

}  // namespace

void add_resend_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto o = std::make_shared<ResendOptions>();
  auto* cmd = app.add_subcommand("resend", "Deliver an accepted event's APDU again, as an audited operator event");
  cmd->add_option("EVENT", o->event, "the event id (as `illctl tail`, `show` and `attention` print it)")
      ->required()->check(CLI::PositiveNumber);
  cmd->add_option("--reason", o->reason, "why, for the record");
  cmd->add_option("--operator", o->operator_name, "who is asking")->required()->envname("ILLHUB_OPERATOR");
  cmd->fallthrough();
  cmd->callback([&db, o] { run(db, *o); });
}

}  // namespace illhub::app
