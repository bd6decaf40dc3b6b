#pragma once
// The plan of a replay: recordings merged in time order and turned into what the replaying
// peers do (open, send, close) and what they expect from the hub (APDUs, closes), each step
// tied to the recorded connection it belongs to. Pure: no sockets, no clocks.

#include <cstdint>
#include <string>
#include <vector>

#include "illhub/record/recording.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app::replay {

/// One recording and the name it is reported under (its file name).
struct NamedRecording {
  std::string name;
  record::Recording recording;
};

/// A recorded connection, replayed: opened by replay to the hub (accepted by the hub when it
/// was recorded), or accepted by replay where the hub dials the peer (dialled).
struct ReplayConnection {
  std::string file;          // the recording it comes from
  std::uint64_t recorded = 0;  // the hub's connection number in that recording
  bool dialled = false;
  std::string remote;  // the peer's recorded "address:port"
  std::string peer;    // the first library symbol the recording gives it; empty if none
  /// "conn 7 of a.illrec (IRL:BOR, accepted)", for messages.
  std::string label() const;
};

enum class StepKind {
  kOpen,       // replay connects to the hub (accepted) or starts expecting a dial (dialled)
  kSend,       // replay sends bytes (a recorded `in`, or `unframed` bytes)
  kExpect,     // the hub must send this APDU on this connection
  kPeerClose,  // replay closes its side
  kHubClose,   // the hub must close this connection
};

struct Step {
  StepKind kind = StepKind::kOpen;
  std::size_t connection = 0;  // index into Plan::connections
  std::int64_t at_unix_us = 0;  // recorded time: started_unix_us + t
  std::vector<std::uint8_t> bytes;  // kSend, kExpect
  /// kExpect: these exact bytes were sent by a peer in the recordings, so the hub relayed
  /// them and must send them byte for byte.
  bool relayed = false;
  /// kSend: the bytes were recorded as `unframed` (the peer sent bytes that cannot be framed).
  bool unframed = false;
  std::string where;  // "file:line" of the record
};

struct Plan {
  std::vector<ReplayConnection> connections;
  std::vector<Step> steps;  // in recorded time order
};

/// Merges the recordings by recorded time (started_unix_us + t; records of equal time keep
/// file order, then line order) and plans the replay. Errors name the file and line: a record
/// on a connection that was never opened, or that comes after its close, or a second open.
Result<Plan, std::string> make_plan(const std::vector<NamedRecording>& recordings);

/// The line of record `index` (0-based) in its file: line 1 is the header.
inline std::size_t line_of(std::size_t index) { return index + 2; }

}  // namespace illhub::app::replay
