#pragma once
// Session: one connection to a peer (plain TCP or TLS, see PeerStream), accepted or dialled. Many APDUs both ways: a reader
// (frames → decode → identity → TransactionStore::apply off the io thread → answer), a writer
// (reports and deliveries, one frame at a time, in queue order) and a watchdog (idle, slow
// sender, peer not reading), side by side; whichever ends first ends the others:
//
//     co_await (reader() || writer() || watchdog());
//
// All members are touched only on the io_context's thread (one thread: no strand needed).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/codec/envelope.hpp"
#include "illhub/codec/framer.hpp"
#include "illhub/net/metrics.hpp"
#include "illhub/net/options.hpp"
#include "illhub/net/peer_directory.hpp"
#include "illhub/net/peer_stream.hpp"
#include "illhub/record/recording.hpp"
#include "illhub/store/status_record.hpp"
#include "illhub/store/transaction_store.hpp"

namespace illhub::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Session;

class ApplyBatcher;

/// What sessions share: the database thread pool, the status record, the peers, the apply
/// batcher, and the hooks the server wires to delivery. Outlives every session.
struct SessionContext {
  asio::thread_pool& db_threads;
  /// Status-Query answers from the record.
  store::StatusRecord& status;
  PeerDirectory& peers;
  Metrics& metrics;
  SessionLimits limits;
  /// The session now speaks for a peer (bound at connect or by its first APDU).
  std::function<void(const std::shared_ptr<Session>&)> on_bound;
  /// The session ended (unregister it).
  std::function<void(const std::shared_ptr<Session>&)> on_closed;
  /// An APDU was accepted for `recipient`: wake its delivery now (NOTIFY would too, a moment
  /// later; this spares the round trip when the recipient is connected here).
  std::function<void(const std::string& recipient)> on_accepted;
  /// Open connections already speaking for `symbol` (limits.max_connections_per_peer).
  std::function<std::size_t(const std::string& symbol)> connections_of;
  /// Records every connection's traffic (docs/RECORDING.md); null: recording is off.
  record::Recorder* recorder = nullptr;
  /// An APDU was accepted and its outbox row `outbox_id` born claimed by this node
  /// (store::ApplyResult::born_claimed): hand it, with the APDU's bytes, to `recipient`'s
  /// delivery. Null: birth claims are off (the store never births a row then).
  std::function<void(const std::string& recipient, std::int64_t outbox_id, std::vector<std::uint8_t> apdu)>
      on_born_claimed = nullptr;
  /// Where accepted-or-refused APDUs are applied (group commit). Set by the server; must
  /// outlive every session.
  ApplyBatcher* applies = nullptr;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class Origin { kAccepted, kDialled };

  /// `bound`: the peer the connection speaks for from the start: a dialled connection's (we
  /// dialled its endpoint) or a TLS connection's (its client certificate); empty for plain
  /// accepted connections, which are identified by address or first APDU.
  Session(PeerStream stream, SessionContext& context, Origin origin,
          std::optional<std::string> bound = std::nullopt,
          std::optional<std::chrono::milliseconds> idle_timeout = std::nullopt);
  Session(tcp::socket socket, SessionContext& context, Origin origin,
          std::optional<std::string> bound = std::nullopt,
          std::optional<std::chrono::milliseconds> idle_timeout = std::nullopt)
      : Session(PeerStream(std::move(socket)), context, origin, std::move(bound), idle_timeout) {}

  /// The connection's whole life; returns when it is closed. Never throws.
  asio::awaitable<void> run();
  /// run(), holding `session` alive until it returns: what the server spawns.
  static asio::awaitable<void> keep_running(std::shared_ptr<Session> session) { co_await session->run(); }

  /// Writes `apdu` (whole BER frame) on this connection after what is already queued, and
  /// resumes when the bytes were handed to the kernel: success, or the error that ended the
  /// connection first. Used by delivery.
  asio::awaitable<boost::system::error_code> deliver(std::vector<std::uint8_t> apdu);

  /// Graceful stop: no more reading; an APDU being applied finishes and its answer is
  /// written; then the connection closes.
  void shutdown();

  /// The peer this connection speaks for, empty while unknown.
  const std::string& peer() const { return peer_; }
  bool closed() const { return closed_; }
  std::uint64_t id() const { return id_; }
  /// For logs: "#3 127.0.0.2:41234 IRL:BOR" ("#4 127.0.0.2:41236 (tls) IRL:BOR").
  std::string describe() const;

 private:
  struct Outbound {
    std::vector<std::uint8_t> bytes;
    bool close_after = false;  // the last frame: close once written
    /// Told the outcome of the write (delivery waits for it); may be null.
    std::function<void(boost::system::error_code)> done;
  };

  asio::awaitable<void> reader();
  asio::awaitable<void> writer();
  asio::awaitable<void> watchdog();
  asio::awaitable<void> handle_frame(std::vector<std::uint8_t> frame);
  asio::awaitable<void> load_address_peers();
  /// Answers a Status-Query from the hub's record (not relayed).
  asio::awaitable<void> answer_status_query(const codec::Envelope& query, std::vector<std::uint8_t> frame);
  /// Queues a receipt for `apdu` if the bound peer asked for receipts.
  asio::awaitable<void> send_receipt(const codec::Envelope& apdu, const store::ApplyResult& applied);
  /// Whether the bound peer asked for receipts (read once per connection).
  asio::awaitable<bool> wants_receipts();
  asio::awaitable<void> wait_forever();
  /// Queues a report or the final frame; wakes the writer.
  void enqueue(Outbound item);
  /// Makes this connection speak for `symbol`, unless the peer already has
  /// limits.max_connections_per_peer connections open: then logs the refusal and returns
  /// false (the caller closes the connection; nothing is bound or recorded).
  bool bind(const std::string& symbol, std::string_view apdu = {});
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }
  /// Wakes the watchdog to recompute its deadline (an APDU or a write started: apdu_timeout
  /// and write_timeout may end before the idle deadline it sleeps towards).
  void rearm_watchdog() { watchdog_timer_.cancel(); }
  /// Why the connection ends, for the recording's close record: the first cause noted wins.
  void note_close(record::ClosedBy by, std::string reason) {
    if (!close_cause_) close_cause_.emplace(by, std::move(reason));
  }
  /// The recording's open record (ctx_.recorder set).
  void record_open();

  PeerStream socket_;  // plain TCP or TLS
  SessionContext& ctx_;
  Origin origin_;
  std::chrono::milliseconds idle_timeout_;
  std::uint64_t id_;
  std::string remote_;          // "address:port"
  std::string remote_address_;  // address only, IPv4-mapped IPv6 unwrapped
  std::string peer_;
  std::optional<std::vector<std::string>> address_peers_;  // loaded once
  std::optional<bool> receipts_;  // the bound peer's peers.receipts, loaded once
  codec::StreamFramer framer_;
  std::uint64_t frames_ = 0;

  std::deque<Outbound> queue_;
  asio::steady_timer writer_wake_;   // cancelled to wake the writer
  asio::steady_timer reader_wake_;   // cancelled when the queue drains below the limit
  asio::steady_timer watchdog_timer_;
  bool reading_ = false;
  bool busy_ = false;  // an APDU is being applied
  bool stopping_ = false;
  bool refused_ = false;  // over a limit: read nothing more, write what is queued, close
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_activity_;
  std::optional<std::chrono::steady_clock::time_point> apdu_started_;
  std::optional<std::chrono::steady_clock::time_point> write_started_;
  std::optional<std::pair<record::ClosedBy, std::string>> close_cause_;
};

}  // namespace illhub::net
