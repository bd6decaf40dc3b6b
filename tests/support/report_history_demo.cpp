// report_history_demo CONNINFO DATA_DIR [TRANSACTIONS] [MONTHS]: writes the report history
// (report_history.hpp) into an empty database, for tools/demo-stats and for trying
// `illctl ledger` / `illctl stats` by hand. Exit codes: 0 ok, 1 failure, 2 usage.
#include <iostream>
#include <string>

#include "illhub/store/connection_pool.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/transaction_store.hpp"
#include "support/report_history.hpp"

int main(int argc, char** argv) {
  using namespace illhub;
  if (argc < 3 || argc > 5) {
    std::cerr << "usage: report_history_demo CONNINFO DATA_DIR [TRANSACTIONS] [MONTHS]\n";
    return 2;
  }
  test::HistoryOptions options;
  options.data_dir = argv[2];
  if (argc > 3) options.transactions = std::stoi(argv[3]);
  if (argc > 4) options.months = std::stoi(argv[4]);
  if (options.transactions < 1 || options.months < 1 || options.months > 12) {
    std::cerr << "report_history_demo: TRANSACTIONS must be positive and MONTHS 1..12\n";
    return 2;
  }
  auto conn = store::PgConnection::connect(argv[1]);
  if (!conn) {
    std::cerr << "report_history_demo: " << conn.error().describe() << "\n";
    return 1;
  }
  if (auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn); !migrated) {
    std::cerr << "report_history_demo: " << migrated.error().describe() << "\n";
    return 1;
  }
  store::ConnectionPool pool(store::PoolOptions{argv[1], 2});
  store::TransactionStore store(pool, hub::LedgerPolicy{"EUR", 20});
  auto built = test::build_report_history(store, *conn, options);
  if (!built) {
    std::cerr << "report_history_demo: " << built.error() << "\n";
    return 1;
  }
  std::cout << "applied " << *built << " APDUs in " << options.transactions << " transactions\n";
  return 0;
}
