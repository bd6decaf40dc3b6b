#pragma once
// The rota of a request the hub routed (docs/ROUTING.md), for `illctl show`: each lender in
// the order asked, why it was chosen, what it answered and when.

#include <cstdint>

#include "illhub/store/pg_connection.hpp"

namespace illhub::app {

/// Prints "rota (N, ...)" and one line per lender; prints nothing for a transaction the hub
/// did not route. Exits through fail() on a database error.
void print_rota(store::PgConnection& conn, std::int64_t transaction_id);

}  // namespace illhub::app
