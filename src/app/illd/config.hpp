#pragma once
// illd's configuration. Four sources, each overriding the one before it key by key:
//
//   built-in defaults  <  TOML file (--config FILE or ILLHUB_CONFIG)  <  environment
//   (ILLHUB_<SECTION>_<KEY>, plus ILLHUB_DB and ILLHUB_DATA_DIR)  <  flags (--listen, --set ...)
//
// Every key is declared once, in config_keys.cpp; that table drives the file, the environment,
// the flags, `illd --check-config` and SIGHUP reloads. docs/illd-config.md lists the keys.

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "illhub/net/options.hpp"
#include "illhub/util/result.hpp"

namespace illhub::illd {

/// [tls]: the TLS listener (net::TlsOptions). When tls.listen is set, the certificate, key and
/// client CA files must be readable (and are read when illd starts and on each SIGHUP).
using TlsSettings = net::TlsOptions;

struct IlldConfig {
  /// [listen], [limits], [delivery], metrics.listen: what net::Server takes.
  net::ServerOptions server;
  /// database.uri: libpq URI or conninfo; empty: the PG* variables, else the embedded cluster.
  std::string database_uri;
  /// database.data_dir: empty: store::default_data_dir().
  std::string data_dir;
  /// database.threads: threads for blocking database calls (the pool holds two more connections).
  std::size_t database_threads = 4;
  std::string log_format = "text";
  std::string log_level = "info";
  TlsSettings tls;
  /// hub.symbol: the hub's own institution symbol; requests addressed to it are routed by the
  /// hub as intermediary (docs/ROUTING.md). Empty: the hub routes nothing.
  std::string hub_symbol;
  /// routing.answer_deadline: how long a lender asked by the hub has to answer.
  std::chrono::milliseconds answer_deadline{std::chrono::hours(48)};
  /// record.dir: where illd records every connection's traffic, one new file per run
  /// (docs/RECORDING.md). Empty: nothing is recorded.
  std::string record_dir;
  /// Where each key's value came from, by "section.key" ("file /etc/illd.toml:4",
  /// "env ILLHUB_DB", "flag --listen"). A key not in the map has its built-in default.
  std::map<std::string, std::string> origin;
};

/// A value given on the command line: `key` is "section.key", `flag` what the operator typed
/// ("--listen", "--set"), for messages.
struct FlagSetting {
  std::string key;
  std::string value;
  std::string flag;
};

/// Everything load_config reads, gathered by the caller (so tests need no real environment).
struct ConfigSources {
  /// The TOML file; empty: none.
  std::string file;
  /// The process's ILLHUB_* environment variables, name and value.
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<FlagSetting> flags;
};

/// Every problem found, each naming the key and where the value came from.
struct ConfigErrors {
  std::vector<std::string> messages;
  /// One message per line.
  std::string describe() const;
};

/// Defaults, then the file, the environment and the flags; then the checks that involve several
/// keys (backoff_initial ≤ backoff_cap, tls.*). Reads the file (and, for tls.listen, checks the
/// certificate files); touches nothing else. Collects every error rather than stopping at the
/// first, so an operator fixes a file in one pass.
Result<IlldConfig, ConfigErrors> load_config(const ConfigSources& sources);

/// This process's ILLHUB_* environment variables (ILLHUB_CONFIG excluded: it names the file).
std::vector<std::pair<std::string, std::string>> illhub_environment();

/// The effective configuration as TOML, every value followed by a comment saying where it came
/// from (default, file, env, flag); passwords in database.uri shown as ***. Loading the text
/// again gives the same configuration (except a redacted password).
std::string render_config(const IlldConfig& config, const std::string& file);

}  // namespace illhub::illd
