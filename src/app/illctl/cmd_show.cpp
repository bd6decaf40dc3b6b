// illctl show TXN: one transaction's whole story — parties, item, both states now, every
// event in commit order with its APDU decoded (as `illctl decode` prints it), refusals with
// their reasons, ledger postings, and deliveries. See docs/OPERATORS.md.
// Exit codes: 0 ok, 1 failure (no such transaction, an ambiguous qualifier), 2 usage.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/illctl/rota_listing.hpp"
#include "app/illctl/apdu_summary.hpp"
#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "app/illctl/event_row.hpp"
#include "app/illctl/transaction_lookup.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/render.hpp"
#include "illhub/protocol/state.hpp"

namespace illhub::app {
namespace {

std::string state_name(std::string_view value) {
  const int v = std::stoi(std::string(value));
  if (v < 0 || v >= protocol::kStateCount) return "state " + std::string(value);
  return std::string(protocol::to_string(static_cast<protocol::State>(v)));
}

std::string service_name(std::string_view value) {
  static const char* const kNames[] = {"", "loan", "copy-non-returnable", "locations", "estimate", "responder-specific"};
  if (value.empty()) return "(not chosen yet)";
  const int v = std::stoi(std::string(value));
  return v >= 1 && v <= 5 ? kNames[v] : "service type " + std::string(value);
}

/// Every line of `text` indented by `pad`.
std::string indent(const std::string& text, const std::string& pad) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += pad + line + "\n";
  return out;
}

store::PgResult query(store::PgConnection& conn, std::string_view sql, std::int64_t id) {
  auto r = conn.exec(sql, {id});
  if (!r) {
    const auto& e = r.error();
    fail("show", e.sqlstate == "42703" || e.sqlstate == "42P01"
                     ? e.message + " (the database's schema is older than this illctl: run `illctl migrate`)"
                     : e.describe());
  }
  return std::move(r).value();
}

void print_header(store::PgConnection& conn, const TransactionMatch& txn) {
  auto r = query(conn,
                 "SELECT t.requester_symbol, coalesce(rp.name, ''), t.responder_symbol, coalesce(sp.name, ''), "
                 "t.requester_state, t.responder_state, coalesce(t.service_type::text, ''), "
                 "coalesce(t.is_loan::text, ''), t.item_title, t.item_author, t.item_isbn, t.item_issn, "
                 "coalesce(t.need_before::text, ''), coalesce(t.expiry_date::text, ''), "
                 "coalesce(t.date_due::text, ''), to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
                 "to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), t.version "
                 "FROM transactions t LEFT JOIN peers rp ON rp.symbol = t.requester_symbol "
                 "LEFT JOIN peers sp ON sp.symbol = t.responder_symbol WHERE t.id = $1",
                 txn.id);
  auto s = [&](int col) { return std::string(r.get(0, col)); };
  auto with_name = [](const std::string& symbol, const std::string& name) {
    return name.empty() ? symbol : symbol + " (" + name + ")";
  };
  std::cout << "transaction " << txn.label << "  (id " << txn.id << ", version " << s(17) << ")\n"
            << "  requester  " << with_name(s(0), s(1)) << "  state " << state_name(r.get(0, 4)) << "\n"
            << "  responder  " << with_name(s(2), s(3)) << "  state " << state_name(r.get(0, 5)) << "\n"
            << "  service    " << service_name(r.get(0, 6))
            << (s(7) == "false" ? " (no return)" : s(7) == "true" ? " (to be returned)" : "") << "\n"
            << "  item       " << (s(8).empty() ? "(no title)" : s(8))
            << (s(9).empty() ? "" : " / " + s(9)) << (s(10).empty() ? "" : "  ISBN " + s(10))
            << (s(11).empty() ? "" : "  ISSN " + s(11)) << "\n";
  std::string dates;
  if (!s(12).empty()) dates += "  need before " + s(12);
  if (!s(13).empty()) dates += "  expires " + s(13);
  if (!s(14).empty()) dates += "  due " + s(14);
  if (!dates.empty()) std::cout << "  dates    " << dates << "\n";
  std::cout << "  created    " << s(15) << " UTC, updated " << s(16) << " UTC\n";
}

void print_events(store::PgConnection& conn, std::int64_t id, bool with_apdus) {
  auto r = query(conn,
                 std::string("SELECT ") + kEventRowColumns +
                     ", e.raw_ber FROM events e LEFT JOIN transactions t ON t.id = e.transaction_id"
                     " WHERE e.transaction_id = $1 ORDER BY e.xid, e.id",
                 id);
  const int raw_column = r.columns() - 1;
  std::cout << "\nevents (" << r.rows() << ", in commit order)\n";
  std::vector<EventRow> refused;
  for (int i = 0; i < r.rows(); ++i) {
    const EventRow e = event_from_row(r, i);
    if (!e.accepted) refused.push_back(e);
    std::cout << "  " << render_event_line(e) << "\n";
    const std::vector<std::uint8_t> ber = r.get_bytea(i, raw_column);
    if (!with_apdus || ber.empty()) continue;
    auto apdu = codec::decode(ber);
    if (!apdu) {
      std::cout << "      (the stored APDU does not decode: " << apdu.error().detail << ")\n";
      continue;
    }
    std::cout << indent(apdu_summary(*apdu) + codec::to_text(*apdu), "      ");
  }
  std::cout << "\nrefusals (" << refused.size() << ")\n";
  for (const EventRow& e : refused)
    std::cout << "  #" << e.id << "  " << e.time << "  " << event_kind_name(e) << " from "
              << (e.peer.empty() ? "?" : e.peer) << ": " << e.reason << "\n";
}

void print_postings(store::PgConnection& conn, std::int64_t id) {
  auto r = query(conn,
                 "SELECT p.event_id, p.kind, p.account, p.counter_account, p.amount::text, p.currency "
                 "FROM ledger_postings p JOIN events e ON e.id = p.event_id "
                 "WHERE e.transaction_id = $1 ORDER BY p.id",
                 id);
  std::cout << "\nledger postings (" << r.rows() << ")\n";
  if (r.rows() > 0)
    std::printf("  %-8s %-12s %-28s %-28s %14s %s\n", "EVENT", "KIND", "ACCOUNT", "COUNTER-ACCOUNT", "AMOUNT", "CUR");
  std::cout.flush();
  for (int i = 0; i < r.rows(); ++i)
    std::printf("  #%-7s %-12s %-28s %-28s %14s %s\n", std::string(r.get(i, 0)).c_str(),
                std::string(r.get(i, 1)).c_str(), std::string(r.get(i, 2)).c_str(),
                std::string(r.get(i, 3)).c_str(), std::string(r.get(i, 4)).c_str(),
                std::string(r.get(i, 5)).c_str());
  std::fflush(stdout);
}

void print_deliveries(store::PgConnection& conn, std::int64_t id) {
  auto r = query(conn,
                 "SELECT o.id, o.event_id, o.recipient_symbol, o.status, o.attempts, coalesce(o.last_error, ''), "
                 "to_char(o.next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
                 "coalesce(to_char(o.delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '') "
                 "FROM outbox o WHERE o.transaction_id = $1 ORDER BY o.id",
                 id);
  int open = 0;
  for (int i = 0; i < r.rows(); ++i) open += r.get(i, 3) != "delivered";
  std::cout << "\ndeliveries (" << r.rows() << ", " << open << " not delivered)\n";
  for (int i = 0; i < r.rows(); ++i) {
    const std::string status(r.get(i, 3));
    std::cout << "  outbox #" << r.get(i, 0) << "  event #" << r.get(i, 1) << " to " << r.get(i, 2) << "  "
              << status << ", " << r.get(i, 4) << " attempt(s)";
    if (status == "delivered") std::cout << ", delivered " << r.get(i, 7) << " UTC";
    if (status == "pending") std::cout << ", next attempt " << r.get(i, 6) << " UTC";
    if (!r.get(i, 5).empty()) std::cout << ", last error: " << r.get(i, 5);
    if (status == "failed") std::cout << "  -> illctl resend " << r.get(i, 1);
    std::cout << "\n";
  }
}

}  // namespace

void add_show_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto* cmd = app.add_subcommand("show", "Show one transaction's whole story");
  auto spec = std::make_shared<std::string>();
  auto no_apdus = std::make_shared<bool>(false);
  cmd->add_option("TXN", *spec, "QUALIFIER, or INITIAL-REQUESTER/GROUP/QUALIFIER[/SUB] when it is ambiguous")
      ->required();
  cmd->add_flag("--no-apdus", *no_apdus, "list the events without decoding their APDUs");
  cmd->fallthrough();
  cmd->callback([&db, spec, no_apdus] {
    OpenDatabase opened = open_database(db, "show");
    store::PgConnection& conn = *opened.conn;
    const TransactionMatch txn = find_one_transaction(conn, *spec, "show");
    print_header(conn, txn);
    print_rota(conn, txn.id);
    print_events(conn, txn.id, !*no_apdus);
    print_postings(conn, txn.id);
    print_deliveries(conn, txn.id);
  });
}

}  // namespace illhub::app
