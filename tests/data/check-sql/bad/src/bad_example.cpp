// check-sql fixture: SQL built with values inside it. Every statement marked BAD must be found
// (tests/cli/check_sql_test.sh checks the line numbers). Never compiled.
#include <format>
#include <sstream>
#include <string>

void bad(PgConnection& conn, const std::string& qualifier, const std::string& table, int id) {
  conn.exec("SELECT id FROM transactions WHERE qualifier = '" + qualifier + "'");  // BAD 8
  std::string sql = "DELETE FROM events WHERE id = ";
  sql += std::to_string(id);  // BAD 10
  conn.exec(std::format("UPDATE transactions SET qualifier = '{}' WHERE id = 1", qualifier));  // BAD 11
  std::ostringstream s;
  s << "INSERT INTO peers (symbol) VALUES ('" << qualifier << "')";  // BAD 13
  char buf[200];
  snprintf(buf, sizeof buf, "SELECT * FROM %s", table.c_str());  // BAD 15
  conn.exec(R"sql(SELECT count(*) FROM )sql" + table);  // BAD 16
  std::string more;
  more.append("DROP TABLE ").append(table);  // BAD 18
  conn.exec(qualifier + " WHERE id = 1");  // BAD 19
}

// A digit separator is not a character literal: what follows it is still read.
constexpr long kLimit = 1'000;
void after_separator(PgConnection& conn, const std::string& qualifier) {
  conn.exec("SELECT id FROM transactions WHERE qualifier = '" + qualifier + "'");  // BAD 25
}
