// illctl override TXN --role R --to-state S --reason TEXT --operator NAME: an operator sets
// one side's state by hand. Recorded as an event (direction operator: who, when, why, the
// states before and after), never a silent edit; refused when the new state would contradict
// the ledger (hub/override_rules.hpp). See docs/OPERATORS.md.
// Exit codes: 0 recorded, 1 refused or failed, 2 usage.
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "app/illctl/transaction_lookup.hpp"
#include "illhub/hub/ledger_rules.hpp"
#include "illhub/hub/override_rules.hpp"
#include "illhub/store/transaction.hpp"

namespace illhub::app {
namespace {

struct OverrideOptions {
  std::string txn, role, state, reason, operator_name;
};

std::string name_of(int state) { return std::string(protocol::to_string(static_cast<protocol::State>(state))); }

void run(const DatabaseOptions& db, const OverrideOptions& o) {
  std::string wanted = o.state;
  for (char& c : wanted) c = c == '_' ? '-' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto state = protocol::state_from_name(wanted);
  if (!state) {
    std::cerr << "illctl override: unknown state " << o.state << " (see `illctl states`)\n";
    throw CLI::RuntimeError(2);
  }
  if (o.reason.find_first_not_of(" \t\n") == std::string::npos || o.operator_name.empty()) {
    std::cerr << "illctl override: --reason and --operator must say something\n";
    throw CLI::RuntimeError(2);
  }
  const protocol::Role role = o.role == "requester" ? protocol::Role::kRequester : protocol::Role::kResponder;
  const std::string column = role == protocol::Role::kRequester ? "requester_state" : "responder_state";

  OpenDatabase opened = open_database(db, "override");
  store::PgConnection& conn = *opened.conn;
  const TransactionMatch txn = find_one_transaction(conn, o.txn, "override");
  auto tx = store::Transaction::begin(conn);
  if (!tx) fail("override", tx.error().describe());
  // Locked: an APDU applied meanwhile waits, then sees the new state (its version check fails
  // and it reruns against this row).
  auto row = tx->exec("SELECT requester_state, responder_state, is_loan::text FROM transactions WHERE id = $1 FOR UPDATE",
                      {txn.id});
  if (!row) fail("override", row.error().describe());
  const int old_requester = static_cast<int>(row->get_int64(0, 0).value_or(0));
  const int old_responder = static_cast<int>(row->get_int64(0, 1).value_or(0));
  const std::optional<bool> is_loan =
      row->is_null(0, 2) ? std::nullopt : std::optional<bool>(row->get(0, 2) == "true");
  const int old_state = role == protocol::Role::kRequester ? old_requester : old_responder;
  const int new_state = static_cast<int>(*state);
  if (old_state == new_state)
    fail("override", txn.label + ": the " + o.role + " is in " + name_of(old_state) + " already");

  // The ledger's side: where the item is booked (the borrower's ITM balance on this
  // transaction: 1 while lent, 0 before and after; a loan-lost posting means nobody), and
  // whether money was posted.
  auto ledger = tx->exec(
      "SELECT coalesce(sum(p.amount) FILTER (WHERE p.currency = $2 AND p.account = 'library:' || t.requester_symbol), 0) > 0, "
      "coalesce(bool_or(p.kind = 'loan-lost'), false), coalesce(bool_or(p.currency <> $2), false) "
      "FROM transactions t LEFT JOIN events e ON e.transaction_id = t.id LEFT JOIN ledger_postings p ON p.event_id = e.id "
      "WHERE t.id = $1 GROUP BY t.id",
      {txn.id, std::string(hub::kItemCurrency)});
  if (!ledger) fail("override", ledger.error().describe());
  hub::LedgerFacts facts;
  facts.item_custody = ledger->get(0, 1) == "t"   ? protocol::Custody::kNobody
                       : ledger->get(0, 0) == "t" ? protocol::Custody::kBorrower
                                                  : protocol::Custody::kLender;
  facts.money_posted = ledger->get(0, 2) == "t";
  if (auto refusal = hub::override_refusal(role, *state, is_loan, facts))
    fail("override", "refused for " + txn.label + ": " + *refusal);

  const int new_requester = role == protocol::Role::kRequester ? new_state : old_requester;
  const int new_responder = role == protocol::Role::kResponder ? new_state : old_responder;
  // The event takes the new version as its seq, as every event that changes the row does.
  auto written = tx->exec(
      "WITH t AS (UPDATE transactions SET " + column + " = $2, version = version + 1 WHERE id = $1 "
      "RETURNING id, version) "
      "INSERT INTO events (transaction_id, seq, direction, apdu_kind, accepted, old_requester_state, "
      "old_responder_state, new_requester_state, new_responder_state, raw_ber, reason, operator_name, "
      "operator_action) SELECT t.id, t.version, 'operator', 0, true, $3, $4, $5, $6, ''::bytea, $7, $8, "
      "'override' FROM t RETURNING id",
      {txn.id, new_state, old_requester, old_responder, new_requester, new_responder, o.reason, o.operator_name});
  if (!written) fail("override", written.error().describe());
  if (auto done = tx->commit(); !done) fail("override", done.error().describe());
  std::cout << "override recorded as event #" << written->get(0, 0) << ": " << txn.label << " " << o.role << " "
            << name_of(old_state) << " -> " << name_of(new_state) << "\n";
}

}  // namespace

void add_override_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto o = std::make_shared<OverrideOptions>();
  auto* cmd = app.add_subcommand("override", "Set one side's state by hand, as an audited operator event");
  cmd->add_option("TXN", o->txn, "QUALIFIER, or INITIAL-REQUESTER/GROUP/QUALIFIER[/SUB]")->required();
  cmd->add_option("--role", o->role, "requester or responder")->required()->check(CLI::IsMember({"requester", "responder"}));
  cmd->add_option("--to-state", o->state, "the ISO 10161 state to set, e.g. NOT-SUPPLIED (see `illctl states`)")
      ->required();
  cmd->add_option("--reason", o->reason, "why, for the record")->required();
  cmd->add_option("--operator", o->operator_name, "who is making the correction")->required()->envname("ILLHUB_OPERATOR");
  cmd->fallthrough();
  cmd->callback([&db, o] { run(db, *o); });
}

}  // namespace illhub::app
