// StatementProfile: illd's statements by total time. See statement_profile.hpp.
#include "statement_profile.hpp"

#include <cstdio>
#include <cstdlib>

namespace illhub::bench {

bool reset_statement_profile(store::PgConnection& conn) {
  for (const char* sql : {"CREATE EXTENSION IF NOT EXISTS pg_stat_statements", "SELECT pg_stat_statements_reset()"}) {
    auto r = conn.exec(sql);
    if (!r) {
      std::fprintf(stderr, "relay_bench: pg_stat_statements: %s\n", r.error().describe().c_str());
      return false;
    }
  }
  return true;
}

std::string statement_profile(store::PgConnection& conn, long apdus, int top) {
  auto r = conn.exec(
      "SELECT calls, total_plan_time + total_exec_time, total_plan_time, "
      "       regexp_replace(query, '\\s+', ' ', 'g') "
      "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "  AND query NOT LIKE '%pg_stat_statements%' "
      "ORDER BY 2 DESC LIMIT $1",
      {top});
  if (!r) return "pg_stat_statements: " + r.error().describe() + "\n";
  const double per = apdus > 0 ? static_cast<double>(apdus) : 1.0;
  char line[256];
  std::snprintf(line, sizeof line, "  %9s %9s %10s %10s  %s\n", "calls", "per APDU", "total ms", "of it plan",
                "statement");
  std::string out = line;
  for (int i = 0; i < r->rows(); ++i) {
    const double calls = std::atof(std::string(r->get(i, 0)).c_str());
    std::snprintf(line, sizeof line, "  %9.0f %9.2f %10.1f %10.1f  %.100s\n", calls, calls / per,
                  std::atof(std::string(r->get(i, 1)).c_str()), std::atof(std::string(r->get(i, 2)).c_str()),
                  std::string(r->get(i, 3)).c_str());
    out += line;
  }
  return out;
}

}  // namespace illhub::bench
