#pragma once
// Finding a transaction from what an operator types: the transaction qualifier alone when
// only one transaction has it, else initial-requester/group-qualifier/qualifier (and
// /sub-qualifier when there is one), as `illctl tail` and `illctl show` print it.

#include <cstdint>
#include <string>
#include <vector>

#include "illhub/store/pg_connection.hpp"

namespace illhub::app {

struct TransactionMatch {
  std::int64_t id = 0;
  std::string label;  // initial-requester/group/qualifier[/sub]
};

/// Every transaction `spec` names (none, one, or several when a bare qualifier is shared).
/// Errors: the database's, as a message.
Result<std::vector<TransactionMatch>, std::string> find_transactions(store::PgConnection& conn,
                                                                    const std::string& spec);

/// Exactly one transaction for `spec`; otherwise prints "illctl COMMAND: ..." (none found, or
/// the candidates' full ids to choose from) and throws CLI::RuntimeError(1).
TransactionMatch find_one_transaction(store::PgConnection& conn, const std::string& spec,
                                      const std::string& command);

/// `word` quoted for a POSIX shell when it needs it, so printed commands can be pasted.
std::string shell_quote(const std::string& word);

}  // namespace illhub::app
