#pragma once
// Reading the recordings named on illctl's command line, with the messages every `illctl
// record` command gives: a torn last line is a warning, anything else that stops a file from
// being read is an error saying what to do.

#include <optional>
#include <string>

#include "illhub/record/recording.hpp"

namespace illhub::app {

/// The recording in path, or nothing after printing why to stderr. A torn last line prints a
/// warning to stderr and still returns the records before it.
std::optional<record::Recording> read_recording_or_explain(const std::string& path);

}  // namespace illhub::app
