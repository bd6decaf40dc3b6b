// session_driver: plays the sessions set (tests/sessions/README.md) against a running illd, as
// real member libraries over TCP, one scenario after another, and checks each one's outcome.
//
//   session_driver --port PORT --db CONNINFO [--metrics-port PORT] [--only NAME]... [--list]
//
// The hub must run with tests/sessions/illd.toml and its database hold the peers of
// tests/sessions/peers.sh. With --metrics-port, after each scenario the driver waits until the
// hub has seen every connection close (illhub_connections_open is 0), so that a recording
// ends with the scenario's own close records and the next scenario starts on a quiet hub.
// Prints one line per scenario ("ok NAME" or "FAIL NAME" and its failures), and exits 0 when
// all passed, 1 when one failed, 2 on a usage error.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <thread>

#include "net/http_client.hpp"
#include "sessions/scenario.hpp"

namespace {

using namespace illhub;
using Clock = std::chrono::steady_clock;

struct Arguments {
  sessions::HubAddress hub;
  std::string conninfo;
  std::set<std::string> only;
  bool list = false;
};

int usage(const std::string& problem) {
  std::cerr << "session_driver: " << problem
            << "\nusage: session_driver --port PORT --db CONNINFO [--metrics-port PORT] [--only NAME]... [--list]\n";
  return 2;
}

/// A port number 1..65535, or 0 when `text` is not one.
std::uint16_t parse_port(const std::string& text) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 1 || value > 65535) return 0;
  return static_cast<std::uint16_t>(value);
}

/// Waits (bounded) until the hub reports no open peer connection; an error text if it does not.
std::string wait_connections_closed(std::uint16_t metrics_port) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::string last = "no answer from the status port";
  while (Clock::now() < deadline) {
    const auto reply = test::http_get(metrics_port, "/metrics");
    if (reply.ok) {
      const auto open = test::sample(reply.body, "illhub_connections_open");
      if (open && *open == 0) return {};
      last = open ? "illhub_connections_open is " + std::to_string(*open) : "no illhub_connections_open";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "the hub still has connections open after the scenario: " + last;
}

/// The scenario's two libraries must be registered (tests/sessions/peers.sh).
std::string check_peers(store::PgConnection& db, const sessions::Scenario& s) {
  const std::string bor = s.prefix + ":BOR", len = s.prefix + ":LEN";
  auto r = db.exec("SELECT count(*) FROM peers WHERE symbol IN ($1, $2) AND enabled", {bor, len});
  if (!r) return "cannot read the peers: " + r.error().describe();
  if (r->get(0, 0) != "2") return bor + " and " + len + " are not both registered: run tests/sessions/peers.sh first";
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--list") {
      args.list = true;
    } else if (flag == "--port" && has_value) {
      if ((args.hub.port = parse_port(argv[++i])) == 0) return usage("--port: not a port number");
    } else if (flag == "--metrics-port" && has_value) {
      if ((args.hub.metrics_port = parse_port(argv[++i])) == 0) return usage("--metrics-port: not a port number");
    } else if (flag == "--db" && has_value) {
      args.conninfo = argv[++i];
    } else if (flag == "--only" && has_value) {
      args.only.insert(argv[++i]);
    } else {
      return usage("unknown or incomplete argument '" + flag + "'");
    }
  }
  const auto& scenarios = sessions::all_scenarios();
  if (args.list) {
    for (const auto& s : scenarios) std::cout << s.name << "\t" << s.summary << "\n";
    return 0;
  }
  if (args.hub.port == 0 || args.conninfo.empty()) return usage("--port and --db are required");
  for (const auto& name : args.only) {
    bool known = false;
    for (const auto& s : scenarios) known = known || s.name == name;
    if (!known) return usage("--only: no scenario named '" + name + "' (--list shows them)");
  }
  auto db = store::PgConnection::connect(args.conninfo);
  if (!db) {
    std::cerr << "session_driver: cannot connect to the database: " << db.error().describe() << "\n";
    return 1;
  }

  int failed = 0, played = 0;
  for (const auto& scenario : scenarios) {
    if (!args.only.empty() && !args.only.contains(scenario.name)) continue;
    ++played;
    const auto start = Clock::now();
    sessions::ScenarioRun run(scenario, args.hub, *db);
    if (const std::string problem = check_peers(*db, scenario); !problem.empty()) {
      run.expect(false, problem);
    } else {
      scenario.play(run);  // its peers close when it returns
    }
    if (args.hub.metrics_port != 0) {
      if (const std::string open = wait_connections_closed(args.hub.metrics_port); !open.empty())
        run.expect(false, open);
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    if (run.failures().empty()) {
      std::cout << "ok   " << scenario.name << " (" << ms << " ms)\n";
    } else {
      ++failed;
      std::cout << "FAIL " << scenario.name << " (" << ms << " ms)\n";
      for (const auto& f : run.failures()) std::cout << "     " << f << "\n";
    }
  }
  std::cout << "scenarios played " << played << ", failed " << failed << "\n";
  return failed == 0 ? 0 : 1;
}
