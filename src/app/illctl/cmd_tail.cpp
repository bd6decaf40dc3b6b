// illctl tail: the event log as it happens. See docs/OPERATORS.md.
//
//   illctl tail [--follow] [--peer S] [--txn Q] [--kind K]... [--state S] [--refused]
//               [--since EVENT_ID|TIME] [--last N] [--format text|jsonl] [--cursor-file F]
//
// Reads in commit order (commit_order_reader.hpp): no gap and no repeat, across restarts
// with --cursor-file. Exit codes: 0 ok (also when stopped by SIGINT/SIGTERM), 1 failure,
// 2 usage.
#include <csignal>
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/commit_order_reader.hpp"
#include "app/illctl/cursor_file.hpp"
#include "app/illctl/database.hpp"
#include "app/illctl/log_waiter.hpp"
#include "app/illctl/transaction_lookup.hpp"
#include "illhub/codec/apdu_kind.hpp"
#include "illhub/protocol/state.hpp"

namespace illhub::app {
namespace {

constexpr int kBatch = 500;
volatile std::sig_atomic_t g_stop = 0;

struct TailOptions {
  bool follow = false;
  std::optional<std::string> peer, txn, state, since, cursor_file;
  std::vector<std::string> kinds;
  bool refused = false;
  int last = 10;
  std::string format = "text";
  // Hidden, for tests and scripts: stop after this many events, or after this long without one.
  std::optional<long> max_events;
  std::optional<double> until_idle;
  int poll_ms = 1000;
};

[[noreturn]] void usage(const std::string& message) {
  std::cerr << "illctl tail: " << message << "\n";
  throw CLI::RuntimeError(2);
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// --kind: an APDU name in any case ("shipped", "ILL-Request"), its tag number, or
/// "operator" for operator events.
void add_kind(EventFilter& f, const std::string& word) {
  if (!f.apdu_kinds) f.apdu_kinds.emplace();
  if (upper(word) == "OPERATOR") {
    f.operator_events = true;
    return;
  }
  for (codec::ApduKind k : codec::kAllApduKinds) {
    if (upper(std::string(codec::to_string(k))) == upper(word) || std::to_string(codec::application_tag(k)) == word) {
      f.apdu_kinds->push_back(codec::application_tag(k));
      return;
    }
  }
  usage("unknown --kind " + word + " (an APDU name such as ILL-Request or Shipped, or operator)");
}

/// SQLSTATEs that mean the schema predates this command.
std::string explain(const store::StoreError& e) {
  if (e.sqlstate == "42P01" || e.sqlstate == "42703")
    return e.message + " (the database's schema is older than this illctl: run `illctl migrate`)";
  return e.describe();
}

bool is_number(const std::string& s) {
  return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

EventFilter build_filter(const TailOptions& o, store::PgConnection& conn) {
  EventFilter f;
  f.peer = o.peer;
  for (const auto& k : o.kinds) add_kind(f, k);
  if (o.state) {
    std::string name = upper(*o.state);
    std::replace(name.begin(), name.end(), '_', '-');
    auto s = protocol::state_from_name(name);
    if (!s) usage("unknown --state " + *o.state + " (see `illctl states`)");
    f.state = static_cast<int>(*s);
  }
  f.refused_only = o.refused;
  if (o.txn) {
    auto found = find_transactions(conn, *o.txn);
    if (!found) fail("tail", found.error());
    if (found->empty()) fail("tail", "no transaction " + *o.txn);
    f.transactions.emplace();
    for (const auto& m : *found) f.transactions->push_back(m.id);
  }
  if (o.since && !is_number(*o.since)) f.since_time = o.since;
  return f;
}

LogPosition start_position(const TailOptions& o, store::PgConnection& conn, const EventFilter& f,
                           const std::optional<LogPosition>& from_cursor) {
  if (from_cursor) {
    if (o.since) std::cerr << "illctl tail: resuming from " << *o.cursor_file << "; --since ignored\n";
    return *from_cursor;
  }
  if (o.since && is_number(*o.since)) {
    auto pos = position_before_event(conn, std::stoll(*o.since));
    if (!pos) fail("tail", explain(pos.error()));
    if (!*pos) fail("tail", "no event " + *o.since);
    return **pos;
  }
  if (o.since) {
    auto pos = position_before_time(conn, *o.since);
    if (!pos && (pos.error().sqlstate == "22007" || pos.error().sqlstate == "22008"))
      usage("--since takes an event id or a time PostgreSQL can read, e.g. '2024-05-01 09:00' (" +
            pos.error().message + ")");
    if (!pos) fail("tail", explain(pos.error()));
    return *pos;
  }
  auto pos = position_before_last(conn, f, o.last);
  if (!pos) fail("tail", explain(pos.error()));
  return *pos;
}

void print(const EventRow& e, const std::string& format) {
  if (format == "jsonl") std::cout << render_event_json(e).dump() << "\n";
  else std::cout << render_event_line(e) << "\n";
  std::cout.flush();
}

void on_signal(int) { g_stop = 1; }

void run(const DatabaseOptions& db, const TailOptions& o) {
  OpenDatabase opened = open_database(db, "tail");
  store::PgConnection& conn = *opened.conn;
  const EventFilter filter = build_filter(o, conn);

  std::optional<CursorFile> cursor;
  std::optional<LogPosition> from_cursor;
  if (o.cursor_file) {
    auto c = CursorFile::open(*o.cursor_file);
    if (!c) fail("tail", c.error());
    cursor.emplace(std::move(c).value());
    auto pos = cursor->read();
    if (!pos) fail("tail", pos.error());
    from_cursor = *pos;
  }
  LogPosition pos = start_position(o, conn, filter, from_cursor);
  auto save = [&](const LogPosition& p) {
    if (!cursor) return;
    if (auto w = cursor->write(p); !w) fail("tail", w.error());
  };

  if (o.follow) {
    struct sigaction sa {};
    sa.sa_handler = on_signal;  // no SA_RESTART: poll() returns at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  }
  std::optional<LogWaiter> waiter;
  if (o.follow) waiter.emplace(conn, std::chrono::milliseconds(o.poll_ms));

  long printed = 0;
  auto last_event = std::chrono::steady_clock::now();
  bool reported_outage = false;
  while (!g_stop) {
    auto batch = read_after(conn, pos, filter, kBatch);
    if (!batch) {
      if (!o.follow || batch.error().kind != store::StoreError::Kind::kConnectionLost) fail("tail", explain(batch.error()));
      // Following: wait for the database to come back, then go on from the same position.
      if (!reported_outage) std::cerr << "illctl tail: " << batch.error().describe() << "; reconnecting\n";
      reported_outage = true;
      waiter->wait();
      if (conn.reset()) waiter->relisten();
      continue;
    }
    if (reported_outage) std::cerr << "illctl tail: reconnected\n";
    reported_outage = false;
    for (const EventRow& e : batch->events) {
      print(e, o.format);
      pos = {std::stoull(e.xid), e.id};
      save(pos);  // after the line is out: a kill repeats at most this event, never skips one
      last_event = std::chrono::steady_clock::now();
      if (o.max_events && ++printed >= *o.max_events) return;
    }
    if (!(batch->end == pos)) {
      pos = batch->end;
      save(pos);
    }
    if (!batch->caught_up) continue;
    if (!o.follow) return;
    if (o.until_idle && std::chrono::steady_clock::now() - last_event >
                            std::chrono::duration<double>(*o.until_idle))
      return;
    waiter->wait();
  }
}

}  // namespace

void add_tail_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto o = std::make_shared<TailOptions>();
  auto* cmd = app.add_subcommand("tail", "Print the event log in commit order; --follow to stream it");
  cmd->add_flag("-f,--follow", o->follow, "keep printing new events until interrupted");
  cmd->add_option("--peer", o->peer, "only events sent by, to, or in transactions of this library");
  cmd->add_option("--txn", o->txn, "only this transaction: QUALIFIER or INITIAL-REQUESTER/GROUP/QUALIFIER");
  cmd->add_option("--kind", o->kinds, "only this APDU (e.g. Shipped), or operator; repeatable");
  cmd->add_option("--state", o->state, "only events that left either side in this state (e.g. OVERDUE)");
  cmd->add_flag("--refused", o->refused, "only refused APDUs");
  cmd->add_option("--since", o->since, "start at this event id, or at this time ('2024-05-01 09:00')");
  cmd->add_option("--last", o->last, "without --since or a cursor: start with the last N events (default 10)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", o->format, "text (for people) or jsonl (one JSON object a line)")
      ->check(CLI::IsMember({"text", "jsonl"}));
  cmd->add_option("--cursor-file", o->cursor_file,
                  "resume after the position recorded here, and record each event printed");
  cmd->add_option("--max-events", o->max_events)->group("")->check(CLI::PositiveNumber);
  cmd->add_option("--until-idle", o->until_idle)->group("")->check(CLI::PositiveNumber);
  cmd->add_option("--poll-ms", o->poll_ms)->group("")->check(CLI::Range(10, 60000));
  cmd->fallthrough();
  cmd->callback([&db, o] { run(db, *o); });
}

}  // namespace illhub::app
