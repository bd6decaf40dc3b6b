#include "illd/recording_start.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "illd/config_values.hpp"

namespace illhub::illd {

Result<std::unique_ptr<record::Recorder>, std::string> start_recording(const IlldConfig& config) {
  if (config.record_dir.empty()) return std::unique_ptr<record::Recorder>();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  const std::string node = std::string(host[0] != '\0' ? host : "unknown-host") + "/" + std::to_string(::getpid());
  // The configured address: with port 0 the header shows 0; each open record has the real one.
  const std::string listen =
      format_listen_address({config.server.listen_host, config.server.listen_port});
  auto recorder = record::Recorder::create(config.record_dir, node, listen);
  if (!recorder) return unexpected("record.dir " + config.record_dir + ": " + recorder.error());
  spdlog::info("recording to {}", (*recorder)->path().string());
  return std::move(*recorder);
}

}  // namespace illhub::illd
