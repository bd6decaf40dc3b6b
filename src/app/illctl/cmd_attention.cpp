// illctl attention: what needs a person, each item with the command that deals with it.
//   failed deliveries                      -> illctl resend EVENT
//   loans overdue by more than N days      -> illctl show TXN
//   refusals in the last H hours           -> illctl show TXN (or tail, without a transaction)
//   requests unanswered past need-before   -> illctl show TXN
//   routed requests no lender could supply -> illctl show TXN
// See docs/OPERATORS.md. Exit codes: 0 ok (whether or not anything needs attention), 1
// failure, 2 usage.
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "app/illctl/event_row.hpp"
#include "app/illctl/transaction_lookup.hpp"
#include "illhub/codec/apdu_kind.hpp"
#include "illhub/protocol/state.hpp"

namespace illhub::app {
namespace {

struct AttentionOptions {
  int overdue_days = 7;
  int refusal_hours = 24;
  std::string format = "text";
};

struct Item {
  std::string category;  // failed-delivery, overdue, refused, unanswered
  std::string summary;   // one line for people
  std::string command;   // what deals with it
  nlohmann::ordered_json detail;
};

// The label columns of transactions t, for transaction_label().
constexpr const char* kLabel = "t.initial_requester, t.group_qualifier, t.qualifier, t.sub_qualifier";

std::string label_at(const store::PgResult& r, int row, int first) {
  if (r.is_null(row, first)) return "";
  return transaction_label(std::string(r.get(row, first)), std::string(r.get(row, first + 1)),
                           std::string(r.get(row, first + 2)), std::string(r.get(row, first + 3)));
}

std::string kind_name(std::string_view tag) {
  auto kind = codec::apdu_kind_from_tag(std::stol(std::string(tag)));
  return kind ? std::string(codec::to_string(*kind)) : "APDU " + std::string(tag);
}

std::string state_name(std::string_view value) {
  const int v = std::stoi(std::string(value));
  return v >= 0 && v < protocol::kStateCount ? std::string(protocol::to_string(static_cast<protocol::State>(v)))
                                              : std::string(value);
}

store::PgResult query(store::PgConnection& conn, std::string_view sql, std::initializer_list<store::PgParam> params) {
  auto r = conn.exec(sql, params);
  if (!r) fail("attention", r.error().describe());
  return std::move(r).value();
}

void failed_deliveries(store::PgConnection& conn, std::vector<Item>& out) {
  auto r = query(conn,
                 std::string("SELECT o.id, o.event_id, o.recipient_symbol, o.attempts, coalesce(o.last_error, ''), "
                             "e.apdu_kind, ") + kLabel +
                     " FROM outbox o JOIN events e ON e.id = o.event_id "
                     "LEFT JOIN transactions t ON t.id = o.transaction_id WHERE o.status = 'failed' ORDER BY o.id",
                 {});
  for (int i = 0; i < r.rows(); ++i) {
    const std::string label = label_at(r, i, 6), event(r.get(i, 1));
    Item item{"failed-delivery",
              "outbox #" + std::string(r.get(i, 0)) + "  " + kind_name(r.get(i, 5)) + " (event #" + event + ") to " +
                  std::string(r.get(i, 2)) + "  " + (label.empty() ? "-" : label) + "  " + std::string(r.get(i, 3)) +
                  " attempts, last error: " + std::string(r.get(i, 4)),
              "illctl resend " + event, {}};
    item.detail = {{"outbox", r.get_int64(i, 0).value_or(0)}, {"event", r.get_int64(i, 1).value_or(0)},
                   {"recipient", r.get(i, 2)}, {"transaction", label}, {"last_error", r.get(i, 4)}};
    out.push_back(std::move(item));
  }
}

void overdue(store::PgConnection& conn, int days, std::vector<Item>& out) {
  // The item is with the borrower (shipped, not back, not lost) and its date due is more
  // than `days` days past.
  auto r = query(conn,
                 std::string("SELECT t.date_due::text, current_date - t.date_due, t.requester_symbol, "
                             "t.responder_symbol, t.responder_state, ") + kLabel +
                     " FROM transactions t WHERE t.date_due IS NOT NULL AND t.date_due < current_date - $1::int"
                     " AND t.responder_state IN (8, 9, 10, 11, 12, 13, 16) ORDER BY t.date_due, t.id",
                 {days});
  for (int i = 0; i < r.rows(); ++i) {
    const std::string label = label_at(r, i, 5);
    Item item{"overdue",
              label + "  due " + std::string(r.get(i, 0)) + " (" + std::string(r.get(i, 1)) + " days ago)  " +
                  std::string(r.get(i, 3)) + " lent to " + std::string(r.get(i, 2)) + ", responder " +
                  state_name(r.get(i, 4)),
              "illctl show " + shell_quote(label), {}};
    item.detail = {{"transaction", label}, {"date_due", r.get(i, 0)}, {"days_overdue", r.get_int64(i, 1).value_or(0)},
                   {"borrower", r.get(i, 2)}, {"lender", r.get(i, 3)}};
    out.push_back(std::move(item));
  }
}

void refusals(store::PgConnection& conn, int hours, std::vector<Item>& out) {
  auto r = query(conn,
                 std::string("SELECT ") + kEventRowColumns +
                     " FROM events e LEFT JOIN transactions t ON t.id = e.transaction_id"
                     " WHERE NOT e.accepted AND e.received_at > now() - make_interval(hours => $1::int)"
                     " ORDER BY e.received_at, e.id",
                 {hours});
  for (int i = 0; i < r.rows(); ++i) {
    const EventRow e = event_from_row(r, i);
    Item item{"refused",
              e.time + "  #" + std::to_string(e.id) + "  " + event_kind_name(e) + " from " +
                  (e.peer.empty() ? "?" : e.peer) + "  " + (e.transaction_label.empty() ? "-" : e.transaction_label) +
                  ": " + e.reason,
              e.transaction_label.empty() ? "illctl tail --refused --since " + std::to_string(e.id)
                                          : "illctl show " + shell_quote(e.transaction_label),
              {}};
    item.detail = render_event_json(e);
    out.push_back(std::move(item));
  }
}

void unanswered(store::PgConnection& conn, std::vector<Item>& out) {
  // The borrower still waits for the lender's first answer (requester PENDING) and the date
  // it needed the item by has passed.
  auto r = query(conn,
                 std::string("SELECT t.need_before::text, t.requester_symbol, t.responder_symbol, ") + kLabel +
                     " FROM transactions t WHERE t.need_before IS NOT NULL AND t.need_before < current_date"
                     " AND t.requester_state = 2 ORDER BY t.need_before, t.id",
                 {});
  for (int i = 0; i < r.rows(); ++i) {
    const std::string label = label_at(r, i, 3);
    Item item{"unanswered",
              label + "  needed before " + std::string(r.get(i, 0)) + ", " + std::string(r.get(i, 2)) +
                  " has not answered " + std::string(r.get(i, 1)),
              "illctl show " + shell_quote(label), {}};
    item.detail = {{"transaction", label}, {"need_before", r.get(i, 0)}, {"borrower", r.get(i, 1)},
                   {"lender", r.get(i, 2)}};
    out.push_back(std::move(item));
  }
}

void rota_used_up(store::PgConnection& conn, std::vector<Item>& out) {
  // Requests the hub routed where no lender could supply: the borrower got the hub's final
  // unfilled answer; someone may find a lender outside the rota (docs/ROUTING.md).
  auto r = query(conn,
                 std::string("SELECT t.requester_symbol, (SELECT count(*) FROM routing_attempts a WHERE "
                             "a.transaction_id = t.id AND a.asked_at IS NOT NULL), ") + kLabel +
                     " FROM transactions t WHERE t.rota_exhausted AND t.requester_state = 1 ORDER BY t.id",
                 {});
  for (int i = 0; i < r.rows(); ++i) {
    const std::string label = label_at(r, i, 2);
    Item item{"rota-used-up",
              label + "  for " + std::string(r.get(i, 0)) + ": " + std::string(r.get(i, 1)) +
                  " lender(s) asked, none could supply",
              "illctl show " + shell_quote(label), {}};
    item.detail = {{"transaction", label}, {"borrower", r.get(i, 0)}, {"lenders_asked", r.get_int64(i, 1).value_or(0)}};
    out.push_back(std::move(item));
  }
}

void print(const std::vector<Item>& items, const AttentionOptions& o) {
  if (o.format == "jsonl") {
    for (const Item& item : items) {
      nlohmann::ordered_json j = {{"category", item.category}, {"summary", item.summary}, {"command", item.command}};
      j["detail"] = item.detail;
      std::cout << j.dump() << "\n";
    }
    return;
  }
  const std::vector<std::pair<std::string, std::string>> sections = {
      {"failed-delivery", "failed deliveries"},
      {"overdue", "loans overdue by more than " + std::to_string(o.overdue_days) + " days"},
      {"refused", "refusals in the last " + std::to_string(o.refusal_hours) + " hours"},
      {"unanswered", "requests unanswered past their need-before date"},
      {"rota-used-up", "requests the hub routed that no lender could supply"}};
  if (items.empty()) {
    std::cout << "nothing needs attention\n";
    return;
  }
  for (const auto& [category, title] : sections) {
    int n = 0;
    for (const Item& item : items) n += item.category == category;
    if (n == 0) continue;
    std::cout << title << " (" << n << ")\n";
    for (const Item& item : items)
      if (item.category == category) std::cout << "  " << item.summary << "\n    -> " << item.command << "\n";
  }
}

}  // namespace

void add_attention_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto o = std::make_shared<AttentionOptions>();
  auto* cmd = app.add_subcommand("attention", "List what needs a person, with the command for each");
  cmd->add_option("--overdue-days", o->overdue_days, "loans this many days past their date due (default 7)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--refusal-hours", o->refusal_hours, "refusals from this many hours back (default 24)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--format", o->format, "text (for people) or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
  cmd->fallthrough();
  cmd->callback([&db, o] {
    OpenDatabase opened = open_database(db, "attention");
    std::vector<Item> items;
    failed_deliveries(*opened.conn, items);
    overdue(*opened.conn, o->overdue_days, items);
    refusals(*opened.conn, o->refusal_hours, items);
    unanswered(*opened.conn, items);
    rota_used_up(*opened.conn, items);
    print(items, *o);
  });
}

}  // namespace illhub::app
