#pragma once
// FaultProxy: a TCP proxy on 127.0.0.1:0 between a client and a target (a TCP port on
// 127.0.0.1 or a Unix socket), whose behaviour is switched at run time, per direction, while
// connections are open: pass, delay each chunk, fragment into 1-byte writes, reset after N
// more bytes (SO_LINGER 0, so the client sees an RST mid-message), or black-hole (read and
// forward nothing). It stands in for what toxiproxy or netem would do (neither is available
// unprivileged here), in-process, on its own thread with its own io_context.
//
// Towards a TCP target the proxy binds its outgoing socket to the client's own loopback
// address (127.0.0.x), so a hub that tells peers apart by address still sees the peer.
//
// A black-holed connection has lost bytes for good; when its direction leaves black-hole
// it is reset (as a NAT that forgot the flow would), never resumed with a hole in the stream.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace illhub::test {

enum class FaultMode {
  kPass,       ///< forward every chunk as it comes
  kDelay,      ///< wait `delay` before forwarding each chunk (order kept)
  kFragment,   ///< forward byte by byte, one write per byte, TCP_NODELAY
  kResetAfter, ///< forward `reset_after` more bytes, then reset the whole connection
  kBlackHole,  ///< read and discard: the sender sees a healthy connection, nothing arrives
};

/// Which way bytes travel: from the client to the target, or back.
enum class Direction { kUpstream, kDownstream };

struct FaultRule {
  FaultMode mode = FaultMode::kPass;
  std::chrono::milliseconds delay{0};  ///< kDelay
  std::size_t reset_after = 0;         ///< kResetAfter: bytes counted from when the rule is set
};

class FaultProxy {
 public:
  /// A proxy to 127.0.0.1:target_port. Listens at once; throws std::runtime_error when it
  /// cannot (tests only).
  static std::unique_ptr<FaultProxy> to_tcp(std::uint16_t target_port);
  /// A proxy to the Unix socket at `path` (e.g. PostgreSQL's .s.PGSQL.5432).
  static std::unique_ptr<FaultProxy> to_unix(const std::filesystem::path& path);

  /// Stops the thread and closes every socket (no reset).
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// The port on 127.0.0.1 that clients connect to.
  std::uint16_t port() const;

  /// Sets the rule of one direction for open and later connections. Thread-safe; returns
  /// once the proxy's thread has applied it (a black-hole ending resets its connections).
  void set(Direction direction, const FaultRule& rule);
  /// Both directions at once.
  void set_both(const FaultRule& rule);
  /// Resets every open connection now (RST to the TCP client).
  void reset_all();
  /// The next connection accepted, and only that one, meets a black hole both ways whatever
  /// the rules say; connections already open, and later ones, keep following the rules. So one
  /// client's new connection (a reconnect) can vanish while its other connections work on.
  void black_hole_next_connection();
  /// Resets every connection that lost bytes to a black hole, whichever rule or
  /// black_hole_next_connection() caught it (RST to the TCP client): the hole ends for them.
  void reset_black_holed();

  /// Connections accepted so far, and open now.
  std::size_t accepted() const;
  std::size_t open() const;
  /// Bytes forwarded, and bytes swallowed by a black hole, in one direction (all connections).
  std::size_t forwarded(Direction direction) const;
  std::size_t discarded(Direction direction) const;

  struct State;  // shared with the proxy's thread

 private:
  explicit FaultProxy(std::shared_ptr<State> state);
  /// Listens and starts the thread.
  static std::unique_ptr<FaultProxy> start(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace illhub::test
