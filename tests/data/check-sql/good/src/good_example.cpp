// check-sql fixture: what passes. Values as $n parameters; one constant composition that the
// fixture's allow-list names; SQL words in a message on the terminal. Never compiled.
#include <iostream>
#include <string>

constexpr const char* kColumns = "id, qualifier ";

void good(PgConnection& conn, const std::string& qualifier) {
  conn.exec("SELECT id FROM transactions WHERE qualifier = $1", {qualifier});
  conn.exec(R"sql(
    INSERT INTO events (transaction_id, reason) VALUES ($1, $2))sql", {1, qualifier});
  conn.exec(std::string("SELECT ") + kColumns + "FROM transactions WHERE id = $1", {7});
  std::cerr << "cannot LISTEN (" << qualifier << "); polling\n";
  const std::string message = "row " + qualifier + " not found";  // no SQL in it
  // "SELECT " + qualifier in a comment is not code.
  /* conn.exec("DELETE FROM events WHERE id = " + qualifier); */
}
