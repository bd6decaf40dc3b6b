// illctl: the operator's and integrator's command-line tool. Exit codes: 0 ok, 1 failure,
// 2 usage. Data goes to stdout, diagnostics to stderr.
#include <iostream>

#include "app/illctl/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"illctl: inspect ISO 10161 APDUs and operate an illhub hub"};
  app.require_subcommand(1);
  illhub::app::add_decode_command(app);
  illhub::app::add_encode_command(app);
  illhub::app::add_states_command(app);
  illhub::app::add_migrate_command(app);
  illhub::app::add_peer_command(app);
  illhub::app::add_tail_command(app);
  illhub::app::add_show_command(app);
  illhub::app::add_attention_command(app);
  illhub::app::add_resend_command(app);
  illhub::app::add_override_command(app);
  illhub::app::add_ledger_command(app);
  illhub::app::add_stats_command(app);
  illhub::app::add_holdings_command(app);
  illhub::app::add_policy_command(app);
  illhub::app::add_rota_command(app);
  illhub::app::add_catalogue_command(app);
  illhub::app::add_replay_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return 0;
}
