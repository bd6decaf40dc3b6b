#include "illhub/routing/policy_store.hpp"

#include <cstdlib>

#include "illhub/hub/money.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/transaction.hpp"
#include "store/sql_array.hpp"

namespace illhub::routing {
namespace {

std::string int_array(const std::vector<int>& values) {
  std::vector<std::string> text;
  for (int v : values) text.push_back(std::to_string(v));
  return store::to_array_literal(text);
}

/// "{1,2,3}" (PostgreSQL's text form of smallint[]) back to numbers.
std::vector<int> parse_int_array(std::string_view text) {
  std::vector<int> out;
  int value = 0;
  bool any = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      any = true;
    } else if (any) {
      out.push_back(value);
      value = 0;
      any = false;
    }
  }
  return out;
}

/// Columns role, item_types, services, loan_period_days, charge, max_in_hand, enabled from
/// `first` on, as both policy tables have them.
LibraryPolicy library_from_row(const store::PgResult& r, int row, int first) {
  LibraryPolicy lib;
  lib.role = role_from_name(r.get(row, first)).value_or(Role::kMember);
  lib.item_types = parse_int_array(r.get(row, first + 1));
  lib.services = parse_int_array(r.get(row, first + 2));
  lib.loan_period_days = static_cast<int>(r.get_int64(row, first + 3).value_or(0));
  const auto charge = hub::parse_decimal(r.get(row, first + 4));
  lib.charge = charge ? *charge : 0;
  lib.max_in_hand = static_cast<int>(r.get_int64(row, first + 5).value_or(0));
  lib.enabled = r.get(row, first + 6) == "t";
  return lib;
}

constexpr const char* kLibraryColumns = "role, item_types, services, loan_period_days, charge, max_in_hand, enabled";

}  // namespace

Result<LoadResult, store::StoreError> store_policy(store::PgConnection& conn, const LendingPolicy& policy,
                                                   const std::string& file_text, const std::string& source_name,
                                                   const std::string& loaded_by) {
  auto tx = store::Transaction::begin(conn);
  if (!tx) return unexpected(tx.error());
  // One loader at a time: the version numbers and the "unchanged" check stay exact.
  if (auto r = tx->exec("LOCK TABLE lending_policy_versions IN EXCLUSIVE MODE"); !r) return unexpected(r.error());
  const std::string sha = store::sha256_hex(file_text);
  auto current = tx->exec("SELECT version, sha256 FROM lending_policy_versions ORDER BY version DESC LIMIT 1");
  if (!current) return unexpected(current.error());
  std::int64_t version = 1;
  if (current->rows() > 0) {
    const std::int64_t in_force = current->get_int64(0, 0).value_or(0);
    if (current->get(0, 1) == sha) return LoadResult{in_force, true};
    version = in_force + 1;
  }
  if (auto r = tx->exec("INSERT INTO lending_policy_versions (version, file_text, sha256, source_name, loaded_by) "
                        "VALUES ($1, $2, $3, $4, $5)",
                        {version, file_text, sha, source_name, loaded_by});
      !r)
    return unexpected(r.error());
  const LibraryPolicy& d = policy.defaults;
  const std::string band = std::to_string(policy.rules.load_band);
  if (auto r = tx->exec("INSERT INTO lending_policy_defaults (version, consortium, currency, load_window_days, "
                        "load_band, role, item_types, services, loan_period_days, charge, max_in_hand, enabled) "
                        "VALUES ($1, $2, $3, $4, $5::numeric, $6, $7::smallint[], $8::smallint[], $9, $10::numeric, $11, $12)",
                        {version, policy.rules.name, policy.rules.currency, policy.rules.load_window_days, band,
                         std::string(to_string(d.role)), int_array(d.item_types), int_array(d.services),
                         d.loan_period_days, hub::to_decimal_string(d.charge), d.max_in_hand, d.enabled});
      !r)
    return unexpected(r.error());
  for (const LibraryPolicy& lib : policy.libraries) {
    if (auto r = tx->exec("INSERT INTO lending_policy_libraries (version, symbol, region, role, item_types, services, "
                          "loan_period_days, charge, max_in_hand, enabled, catalogue) VALUES ($1, $2, $3, $4, "
                          "$5::smallint[], $6::smallint[], $7, $8::numeric, $9, $10, $11)",
                          {version, lib.symbol, lib.region, std::string(to_string(lib.role)), int_array(lib.item_types),
                           int_array(lib.services), lib.loan_period_days, hub::to_decimal_string(lib.charge),
                           lib.max_in_hand, lib.enabled, lib.catalogue});
        !r)
      return unexpected(r.error());
  }
  if (auto c = tx->commit(); !c) return unexpected(c.error());
  return LoadResult{version, false};
}

Result<std::optional<PolicyVersionInfo>, store::StoreError> find_policy_version(
    store::PgConnection& conn, std::optional<std::int64_t> version) {
  const std::optional<std::string> wanted = version ? std::optional<std::string>(std::to_string(*version)) : std::nullopt;
  auto r = conn.exec("SELECT version, sha256, source_name, to_char(loaded_at AT TIME ZONE 'UTC', "
                     "'YYYY-MM-DD HH24:MI:SS \"UTC\"'), loaded_by, file_text FROM lending_policy_versions "
                     "WHERE $1::integer IS NULL OR version = $1::integer ORDER BY version DESC LIMIT 1",
                     {wanted});
  if (!r) return unexpected(r.error());
  if (r->rows() == 0) return std::optional<PolicyVersionInfo>();
  PolicyVersionInfo info;
  info.version = r->get_int64(0, 0).value_or(0);
  info.sha256 = r->get(0, 1);
  info.source_name = r->get(0, 2);
  info.loaded_at = r->get(0, 3);
  info.loaded_by = r->get(0, 4);
  info.file_text = r->get(0, 5);
  return std::optional<PolicyVersionInfo>(std::move(info));
}

Result<std::optional<LendingPolicy>, store::StoreError> load_current_policy(store::PgConnection& conn) {
  auto d = conn.exec(std::string("SELECT version, consortium, currency, load_window_days, load_band::text, ") +
                     kLibraryColumns + " FROM lending_policy_defaults ORDER BY version DESC LIMIT 1");
  if (!d) return unexpected(d.error());
  if (d->rows() == 0) return std::optional<LendingPolicy>();
  LendingPolicy policy;
  policy.version = d->get_int64(0, 0).value_or(0);
  policy.rules.name = d->get(0, 1);
  policy.rules.currency = d->get(0, 2);
  policy.rules.load_window_days = static_cast<int>(d->get_int64(0, 3).value_or(365));
  policy.rules.load_band = std::strtod(std::string(d->get(0, 4)).c_str(), nullptr);
  policy.defaults = library_from_row(*d, 0, 5);
  auto libs = conn.exec(std::string("SELECT symbol, region, catalogue, ") + kLibraryColumns +
                            " FROM lending_policy_libraries WHERE version = $1 ORDER BY symbol",
                        {policy.version});
  if (!libs) return unexpected(libs.error());
  for (int row = 0; row < libs->rows(); ++row) {
    LibraryPolicy lib = library_from_row(*libs, row, 3);
    lib.symbol = libs->get(row, 0);
    lib.region = libs->get(row, 1);
    lib.catalogue = libs->get(row, 2);
    policy.libraries.push_back(std::move(lib));
  }
  return std::optional<LendingPolicy>(std::move(policy));
}

}  // namespace illhub::routing
