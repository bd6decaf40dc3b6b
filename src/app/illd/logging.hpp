#pragma once
// illd's logging set-up: spdlog on stderr (stdout carries only the "listening on" line that
// scripts and tests read), as text or as one JSON object per line.

#include <string>

namespace illhub::illd {

/// format: "text" or "json"; level: spdlog level name ("info", "debug", ...).
/// Returns false for an unknown format or level.
bool set_up_logging(const std::string& format, const std::string& level);

}  // namespace illhub::illd
