#pragma once
// Each illctl subcommand registers itself on the CLI11 app from its own file.
// A command's callback throws CLI::RuntimeError(code) to set the process exit code:
// 0 ok, 1 failure, 2 usage.

#include <CLI/CLI.hpp>

namespace illhub::app {

void add_decode_command(CLI::App& app);
void add_encode_command(CLI::App& app);
void add_states_command(CLI::App& app);
void add_migrate_command(CLI::App& app);
void add_peer_command(CLI::App& app);
void add_tail_command(CLI::App& app);
void add_show_command(CLI::App& app);
void add_attention_command(CLI::App& app);
void add_resend_command(CLI::App& app);
void add_override_command(CLI::App& app);
void add_ledger_command(CLI::App& app);
void add_stats_command(CLI::App& app);
void add_holdings_command(CLI::App& app);
void add_policy_command(CLI::App& app);
void add_rota_command(CLI::App& app);
void add_catalogue_command(CLI::App& app);
void add_replay_command(CLI::App& app);

}  // namespace illhub::app
