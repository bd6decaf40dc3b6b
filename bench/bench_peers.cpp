// Registering the benchmarks' peers. See bench_peers.hpp.
#include "bench_peers.hpp"

#include <cstdio>
#include <string>

#include "idle_connections.hpp"
#include "relay_load.hpp"

namespace illhub::bench {

bool register_bench_peers(store::PgConnection& conn, int pairs, int idle) {
  // Two array parameters (symbols, networks), never values spliced into the SQL (tools/check-sql).
  std::string symbols = "{", networks = "{";
  auto add = [&](const std::string& symbol, const std::string& address) {
    const char* sep = symbols.size() > 1 ? "," : "";
    symbols += sep + ("\"" + symbol + "\"");
    networks += sep + ("\"" + address + "/32\"");
  };
  for (int i = 0; i < pairs; ++i) {
    const bench::PeerPair p = bench::peer_pair(i);
    add(p.borrower, p.borrower_address);
    add(p.lender, p.lender_address);
  }
  for (int i = 0; i < idle; ++i) add(bench::idle_symbol(i), bench::idle_address(i));
  symbols += "}";
  networks += "}";
  auto r = conn.exec(
      "INSERT INTO peers (symbol, name, delivery_mode, allowed_networks) "
      "SELECT s, s, 'connection', ARRAY[n] FROM unnest($1::text[], $2::cidr[]) AS x(s, n)",
      {symbols, networks});
  if (!r) std::fprintf(stderr, "registering peers: %s\n", r.error().describe().c_str());
  return static_cast<bool>(r);
}

}  // namespace illhub::bench
