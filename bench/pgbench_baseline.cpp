// PgbenchBaseline: pgbench with the store's writes per APDU. See pgbench_baseline.hpp.
#include "pgbench_baseline.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>

namespace illhub::bench {

bool prepare_pgbench_rows(store::PgConnection& conn) {
  const char* statements[] = {
      // pgbench reads ":NAME" as a variable even inside quotes: its rows use symbols without
      // a colon.
      "INSERT INTO peers (symbol, name, delivery_mode) VALUES "
      "('IRLXBOR', 'B', 'connection'), ('IRLXLEN', 'L', 'connection')",
      // pgbench updates existing transactions; give it 10,000 to spread over.
      "INSERT INTO transactions (initial_requester, group_qualifier, qualifier, requester_symbol, "
      "responder_symbol) SELECT 'IRLXBOR', 'PGB', g::text, 'IRLXBOR', 'IRLXLEN' "
      "FROM generate_series(1, 10000) g"};
  for (const char* sql : statements) {
    auto r = conn.exec(sql);
    if (!r) {
      std::fprintf(stderr, "pgbench rows: %s\n", r.error().describe().c_str());
      return false;
    }
  }
  return true;
}

std::string write_pgbench_script(const std::string& dir) {
  const std::string path = dir + "/apply.sql";
  std::ofstream s(path);
  s << "\\set tid random(1, 10000)\n"
       "BEGIN;\n"
       "UPDATE transactions SET requester_state = 8, responder_state = 8, version = version + 1 "
       "WHERE id = :tid;\n"
       "INSERT INTO events (transaction_id, direction, peer_symbol, apdu_kind, accepted, "
       "old_requester_state, old_responder_state, new_requester_state, new_responder_state, "
       "service_date, service_time, raw_ber, dedup_key) VALUES (:tid, 'in', 'IRLXLEN', 3, true, "
       "2, 2, 8, 8, '20261124', '101500', '\\x63820100', NULL);\n"
       "INSERT INTO ledger_postings (event_id, account, counter_account, amount, currency, kind) "
       "VALUES (currval('events_id_seq'), 'library-IRLXLEN', 'library-IRLXBOR', 7.5, 'EUR', "
       "'charge'), (currval('events_id_seq'), 'library-IRLXBOR', 'library-IRLXLEN', -7.5, 'EUR', "
       "'charge');\n"
       "INSERT INTO outbox (event_id, transaction_id, recipient_symbol, apdu) VALUES "
       "(currval('events_id_seq'), :tid, 'IRLXBOR', '\\x63820100');\n"
       "END;\n";
  return path;
}

double pgbench_rate(const std::string& conninfo, const std::string& script, int clients, double seconds) {
  const std::string out = "/tmp/illhub-pgbench-" + std::to_string(::getpid()) + ".txt";
  const std::string cmd = "pgbench -n -M prepared -c " + std::to_string(clients) + " -j " +
                          std::to_string(std::min(clients, 4)) + " -T " +
                          std::to_string(std::max(1, static_cast<int>(seconds + 0.5))) + " -f " + script +
                          " \"" + conninfo + "\" > " + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(out);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ::unlink(out.c_str());
  std::smatch m;
  if (status != 0 || !std::regex_search(text, m, std::regex(R"(tps = ([0-9.]+))"))) {
    std::fprintf(stderr, "pgbench failed:\n%s", text.c_str());
    return -1;
  }
  return std::stod(m[1]);
}

}  // namespace illhub::bench
