// illctl peer add|list|show|enable|disable|set: the member libraries' systems the hub talks to.
//
//   illctl peer add SYMBOL --delivery dial|connection [--endpoint HOST:PORT] [--name NAME]
//                          [--allow CIDR]... [--profile NAME] [--receipts] [--send-overdue yes|no]
//                          [--tls-cert FILE.pem]
//   illctl peer set SYMBOL [the same options]      (only the options given change)
//   illctl peer list [--format table|json]
//   illctl peer show SYMBOL
//   illctl peer enable|disable SYMBOL
//
// Applies the schema first if the database lacks it. Exit codes: 0 ok, 1 failure, 2 usage.
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "illhub/net/tls_context.hpp"
#include "illhub/protocol/lenient_profile.hpp"
#include "illhub/store/migrator.hpp"
#include "store/sql_array.hpp"

namespace illhub::app {
namespace {

struct PeerFields {
  std::string symbol;
  std::optional<std::string> name, endpoint, delivery, profile;
  std::vector<std::string> allow;
  bool receipts = false;
  std::optional<std::string> send_overdue;  // "yes" or "no"
  std::optional<std::string> tls_cert;      // a PEM file: its SHA-256 is stored, not the file
};

/// --tls-cert as the SHA-256 of the certificate's DER encoding (lower-case hex, what illd
/// compares with the client certificate of a TLS connection), nothing when not given.
std::optional<std::string> tls_cert_sha256(const PeerFields& p) {
  if (!p.tls_cert) return std::nullopt;
  auto digest = net::certificate_file_sha256(*p.tls_cert);
  if (!digest) fail("peer", "--tls-cert: " + digest.error());
  return *digest;
}

/// A certificate speaks for one peer only: refuses one registered for another symbol already.
void check_certificate_unused(store::PgConnection& conn, const std::string& symbol,
                              const std::optional<std::string>& sha256) {
  if (!sha256) return;
  auto r = conn.exec("SELECT symbol FROM peers WHERE lower(tls_cert_sha256) = $1 AND symbol <> $2", {*sha256, symbol});
  if (!r) fail("peer", r.error().describe());
  if (r->rows() > 0)
    fail("peer", "--tls-cert: this certificate is registered for " + std::string(r->get(0, 0)) +
                     " already; a certificate speaks for one peer only");
}

/// --send-overdue as an SQL boolean, NULL when not given.
std::optional<std::string> send_overdue_value(const PeerFields& p) {
  if (!p.send_overdue) return std::nullopt;
  return *p.send_overdue == "yes" ? "true" : "false";
}

OpenDatabase open_migrated(const DatabaseOptions& db) {
  OpenDatabase opened = open_database(db, "peer");
  auto migrated = store::Migrator(store::embedded_migrations()).migrate(*opened.conn);
  if (!migrated)
    fail("peer", migrated.error().kind == store::StoreError::Kind::kMigration ? migrated.error().message
                                                                               : migrated.error().describe());
  return opened;
}

/// Checks what PostgreSQL would refuse less clearly.
void validate(const PeerFields& p) {
  if (p.symbol.empty()) fail("peer", "the symbol is empty");
  if (p.delivery && *p.delivery != "dial" && *p.delivery != "connection")
    fail("peer", "--delivery must be dial or connection");
  if (p.profile && *p.profile != "strict" && !protocol::find_lenient_profile(*p.profile)) {
    std::string known = "strict";
    for (const auto& profile : protocol::lenient_profiles()) known += ", " + std::string(profile.name);
    fail("peer", "unknown profile \"" + *p.profile + "\" (known: " + known + ")");
  }
}

/// A readable message for the errors a person can cause.
std::string explain(const store::StoreError& e) {
  if (e.sqlstate == "23505") return "a peer with this symbol is registered already (use `illctl peer set`)";
  if (e.sqlstate == "23514") return "delivery mode dial needs --endpoint HOST:PORT";
  if (e.sqlstate == "22P02") return "--allow takes networks like 192.0.2.0/24 or 2001:db8::/32: " + e.message;
  return e.describe();
}

std::optional<std::string> allow_literal(const std::vector<std::string>& allow) {
  if (allow.empty()) return std::nullopt;
  return store::to_array_literal(allow);
}

void add(const DatabaseOptions& db, PeerFields p) {
  if (!p.delivery) p.delivery = "connection";
  validate(p);
  const std::optional<std::string> sha256 = tls_cert_sha256(p);
  OpenDatabase opened = open_migrated(db);
  check_certificate_unused(*opened.conn, p.symbol, sha256);
  const std::optional<std::string> allow = allow_literal(p.allow);
  const std::optional<std::string> send_overdue = send_overdue_value(p);
  auto r = opened.conn->exec(
      "INSERT INTO peers (symbol, name, endpoint, delivery_mode, profile, allowed_networks, receipts, "
      "send_overdue, tls_cert_sha256) VALUES ($1, coalesce($2, ''), $3, $4, coalesce($5, 'strict'), "
      "coalesce($6::cidr[], '{}'), $7, coalesce($8::boolean, true), $9)",
      {p.symbol, p.name, p.endpoint, *p.delivery, p.profile, allow, p.receipts, send_overdue, sha256});
  if (!r) fail("peer", explain(r.error()));
  std::cout << "added " << p.symbol << "\n";
}

void set(const DatabaseOptions& db, const PeerFields& p) {
  validate(p);
  const std::optional<std::string> sha256 = tls_cert_sha256(p);
  OpenDatabase opened = open_migrated(db);
  check_certificate_unused(*opened.conn, p.symbol, sha256);
  const std::optional<std::string> allow = allow_literal(p.allow);
  const std::optional<std::string> send_overdue = send_overdue_value(p);
  auto r = opened.conn->exec(
      "UPDATE peers SET name = coalesce($2, name), endpoint = coalesce($3, endpoint), "
      "delivery_mode = coalesce($4, delivery_mode), profile = coalesce($5, profile), "
      "allowed_networks = coalesce($6::cidr[], allowed_networks), receipts = receipts OR $7, "
      "send_overdue = coalesce($8::boolean, send_overdue), tls_cert_sha256 = coalesce($9, tls_cert_sha256) "
      "WHERE symbol = $1",
      {p.symbol, p.name, p.endpoint, p.delivery, p.profile, allow, p.receipts, send_overdue, sha256});
  if (!r) fail("peer", explain(r.error()));
  if (r->affected_rows() == 0) fail("peer", "no peer " + p.symbol + " (register it with `illctl peer add`)");
  std::cout << "updated " << p.symbol << "\n";
}

void enable(const DatabaseOptions& db, const std::string& symbol, bool enabled) {
  OpenDatabase opened = open_migrated(db);
  auto r = opened.conn->exec("UPDATE peers SET enabled = $2 WHERE symbol = $1", {symbol, enabled});
  if (!r) fail("peer", explain(r.error()));
  if (r->affected_rows() == 0) fail("peer", "no peer " + symbol);
  std::cout << (enabled ? "enabled " : "disabled ") << symbol << "\n";
}

constexpr const char* kSelectPeers =
    "SELECT symbol, name, delivery_mode, coalesce(endpoint, ''), profile, enabled, "
    "array_to_string(allowed_networks, ' '), receipts, send_overdue, coalesce(tls_cert_sha256, '') FROM peers";

nlohmann::ordered_json peer_json(const store::PgResult& r, int row) {
  return {{"symbol", r.get(row, 0)},       {"name", r.get(row, 1)},
          {"delivery", r.get(row, 2)},     {"endpoint", r.get(row, 3)},
          {"profile", r.get(row, 4)},      {"enabled", r.get(row, 5) == "t"},
          {"allowed_networks", r.get(row, 6)}, {"receipts", r.get(row, 7) == "t"},
          {"send_overdue", r.get(row, 8) == "t"}, {"tls_cert_sha256", r.get(row, 9)}};
}

void list(const DatabaseOptions& db, const std::string& format) {
  OpenDatabase opened = open_migrated(db);
  auto r = opened.conn->exec(std::string(kSelectPeers) + " ORDER BY symbol");
  if (!r) fail("peer", r.error().describe());
  if (format == "json") {
    for (int row = 0; row < r->rows(); ++row) std::cout << peer_json(*r, row).dump() << "\n";
    return;
  }
  std::printf("%-16s %-10s %-24s %-24s %-8s %s\n", "SYMBOL", "DELIVERY", "ENDPOINT", "PROFILE", "ENABLED", "ALLOWED");
  for (int row = 0; row < r->rows(); ++row)
    std::printf("%-16s %-10s %-24s %-24s %-8s %s\n", std::string(r->get(row, 0)).c_str(),
                std::string(r->get(row, 2)).c_str(), std::string(r->get(row, 3)).c_str(),
                std::string(r->get(row, 4)).c_str(), r->get(row, 5) == "t" ? "yes" : "no",
                std::string(r->get(row, 6)).c_str());
}

void show(const DatabaseOptions& db, const std::string& symbol) {
  OpenDatabase opened = open_migrated(db);
  auto r = opened.conn->exec(std::string(kSelectPeers) + " WHERE symbol = $1", {symbol});
  if (!r) fail("peer", r.error().describe());
  if (r->rows() == 0) fail("peer", "no peer " + symbol);
  const nlohmann::ordered_json fields = peer_json(*r, 0);
  for (const auto& [key, value] : fields.items())
    std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
}

void add_fields(CLI::App* cmd, PeerFields& f) {
  cmd->add_option("SYMBOL", f.symbol, "the library's System-Id symbol, e.g. IRL:DUB")->required();
  cmd->add_option("--name", f.name, "the library's name, for people");
  cmd->add_option("--endpoint", f.endpoint, "HOST:PORT where the hub dials the peer (delivery dial)");
  cmd->add_option("--delivery", f.delivery, "dial (the hub connects) or connection (on the peer's own)");
  cmd->add_option("--allow", f.allow, "a source network the peer connects from (repeatable)");
  cmd->add_option("--profile", f.profile, "strict (default) or a lenient profile, see `illctl states`");
  cmd->add_flag("--receipts", f.receipts, "send a status report after each APDU is stored");
  cmd->add_option("--send-overdue", f.send_overdue,
                  "yes (default): the hub sends the borrower an Overdue for this lender when a loan "
                  "falls due; no: the lender's own system sends it")
      ->check(CLI::IsMember({"yes", "no"}));
  cmd->add_option("--tls-cert", f.tls_cert,
                  "the peer's TLS client certificate (PEM): its SHA-256 is stored, and a TLS connection "
                  "presenting it speaks for this peer");
}

}  // namespace

void add_peer_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto* peer = app.add_subcommand("peer", "Register and change the member libraries' systems");
  peer->require_subcommand(1);
  peer->fallthrough();

  auto fields = std::make_shared<PeerFields>();
  auto* add_cmd = peer->add_subcommand("add", "Register a peer");
  add_fields(add_cmd, *fields);
  add_cmd->fallthrough();
  add_cmd->callback([&db, fields] { add(db, *fields); });

  auto set_fields = std::make_shared<PeerFields>();
  auto* set_cmd = peer->add_subcommand("set", "Change a peer (only the options given)");
  add_fields(set_cmd, *set_fields);
  set_cmd->fallthrough();
  set_cmd->callback([&db, set_fields] { set(db, *set_fields); });

  auto format = std::make_shared<std::string>("table");
  auto* list_cmd = peer->add_subcommand("list", "List the peers");
  list_cmd->add_option("--format", *format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list_cmd->fallthrough();
  list_cmd->callback([&db, format] { list(db, *format); });

  auto symbol = std::make_shared<std::string>();
  auto* show_cmd = peer->add_subcommand("show", "Show one peer");
  show_cmd->add_option("SYMBOL", *symbol)->required();
  show_cmd->fallthrough();
  show_cmd->callback([&db, symbol] { show(db, *symbol); });

  for (bool on : {true, false}) {
    auto* cmd = peer->add_subcommand(on ? "enable" : "disable", on ? "Let a peer in again" : "Refuse a peer and stop delivering to it");
    auto which = std::make_shared<std::string>();
    cmd->add_option("SYMBOL", *which)->required();
    cmd->fallthrough();
    cmd->callback([&db, which, on] { enable(db, *which, on); });
  }
}

}  // namespace illhub::app
