// illctl states: prints the ISO 10161 state tables the hub checks every APDU against, as a
// table for people, as Graphviz dot (docs/states/*.dot are this output) or as JSON.
#include <iostream>
#include <memory>
#include <string>

#include "app/illctl/commands.hpp"
#include "illhub/protocol/table_render.hpp"

namespace illhub::app {

void add_states_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("states", "Print the ISO 10161 requester and responder state tables");
  auto role = std::make_shared<std::string>("both");
  auto format = std::make_shared<std::string>("table");
  cmd->add_option("--role", *role, "requester, responder, or both (table and json only)")
      ->check(CLI::IsMember({"requester", "responder", "both"}));
  cmd->add_option("--format", *format, "table (for people), dot (Graphviz) or json")
      ->check(CLI::IsMember({"table", "dot", "json"}));
  cmd->callback([role, format] {
    if (*format == "dot" && *role == "both") {
      std::cerr << "illctl: --format dot draws one table: give --role requester or responder\n";
      throw CLI::RuntimeError(2);
    }
    for (protocol::Role r : {protocol::Role::kRequester, protocol::Role::kResponder}) {
      if (*role != "both" && *role != protocol::to_string(r)) continue;
      if (*format == "dot") {
        std::cout << protocol::render_dot(r);
      } else if (*format == "json") {
        std::cout << protocol::render_json(r);
      } else {
        if (*role == "both" && r == protocol::Role::kResponder) std::cout << "\n";
        std::cout << protocol::render_table(r);
      }
    }
  });
}

}  // namespace illhub::app
