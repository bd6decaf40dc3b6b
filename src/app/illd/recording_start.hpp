#pragma once
// illd's side of wire recordings (docs/RECORDING.md): the Recorder made from record.dir.

#include <memory>
#include <string>

#include "illd/config.hpp"
#include "illhub/record/recording.hpp"
#include "illhub/util/result.hpp"

namespace illhub::illd {

/// When record.dir is set: creates the directory if needed and a new recording file in it,
/// logs "recording to PATH" and returns the Recorder (it must outlive the server). Null when
/// record.dir is empty. An error, naming the directory, when it cannot be created or written:
/// illd then refuses to start (exit 2), since the operator asked for a recording.
Result<std::unique_ptr<record::Recorder>, std::string> start_recording(const IlldConfig& config);

}  // namespace illhub::illd
