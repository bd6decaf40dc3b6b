#pragma once
// Tunables of the network layer. Defaults suit one consortium on one machine; every value is
// a plain field that illd's configuration fills in (src/app/illd/config_keys.cpp names the
// key for each; docs/illd-config.md lists them).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "illhub/codec/limits.hpp"

namespace illhub::record {
class Recorder;
}

namespace illhub::net {

/// What one connection may cost the hub. Each limit exists because a peer, by mistake or on
/// purpose, could otherwise hold memory, a file descriptor or a database slot forever.
struct SessionLimits {
  /// APDU size, nesting depth and decoder stack (the framer and decoder enforce them).
  codec::CodecLimits codec;
  /// Connections open at once (accepted and dialled). Past it, new connections are closed
  /// at once and the refusal logged.
  std::size_t max_connections = 512;
  /// Connections speaking for one peer at once. Checked when a connection becomes bound to
  /// its peer (at connect time by its address, or by its first APDU): past it, the newest
  /// connection is closed before anything of it is recorded, and the refusal logged. One
  /// library that opens connections in a loop must not take every slot of max_connections.
  /// Connections the hub dialled count, but are never refused (delivery dials only a peer
  /// that has no connection here).
  std::size_t max_connections_per_peer = 8;
  /// A connection with no bytes either way for this long is closed.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  /// An APDU whose first byte arrived must be complete within this (slow senders).
  std::chrono::milliseconds apdu_timeout{std::chrono::seconds(30)};
  /// The peer must take each frame we write within this, else it is not reading.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  /// Frames waiting to be written on one connection before the reader pauses (back-pressure
  /// for a peer that sends but does not read its error reports).
  std::size_t max_queued_frames = 32;
};

/// How outbox rows travel to their recipients.
struct DeliveryOptions {
  /// Backoff after a failed attempt: initial, ×factor per attempt, at most cap.
  std::chrono::milliseconds backoff_initial{1000};
  double backoff_factor = 2.0;
  std::chrono::milliseconds backoff_cap{30'000};
  /// After this many failed attempts a row is marked 'failed' and left for an operator.
  int max_attempts = 10;
  /// A claimed row is not offered to any node again for this long (a node that dies while
  /// sending gives its rows back when the lease runs out: at-least-once delivery).
  std::chrono::milliseconds lease{std::chrono::seconds(60)};
  /// Rows claimed by a node whose LISTEN connection has been gone this long are taken over
  /// before their lease ends (a killed node's rows come back in seconds, not at lease end).
  std::chrono::milliseconds dead_node_grace{std::chrono::seconds(3)};
  /// Marking a sent row delivered is retried this long while the database is unreachable
  /// (the row stays leased meanwhile, and rows behind it wait: order is kept).
  std::chrono::milliseconds mark_retry{std::chrono::seconds(30)};
  /// Rows claimed per round trip to the database.
  int batch = 32;
  /// How often the database is asked for due rows even without a NOTIFY (retries after
  /// backoff, NOTIFYs missed while the LISTEN connection was down, other nodes' leases).
  std::chrono::milliseconds sweep_interval{1000};
  /// Dialling a peer's endpoint gives up after this.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  /// A connection the hub dialled is closed after this long without traffic.
  std::chrono::milliseconds dial_idle_timeout{std::chrono::seconds(60)};
};

/// The hub's overdue and expiry timers (store::TimerSweep, net::TimerLoop).
struct TimerOptions {
  /// How often the database is swept for timers that ran out (also once at start). 0: this
  /// node does not sweep (another node does; any number of nodes may).
  std::chrono::milliseconds interval{std::chrono::seconds(60)};
  /// Transactions per timer kind handled in one database transaction.
  int batch = 100;
};

/// The TLS listener (net::TlsListener, docs/NET.md "Peer identity"): mutual TLS, each member
/// library known by the SHA-256 of its client certificate (peers.tls_cert_sha256).
struct TlsOptions {
  /// HOST:PORT with a numeric address (port 0: any free port); "" = no TLS listener.
  std::string listen;
  /// PEM files: the hub's certificate chain, its private key, and the CA(s) that sign member
  /// libraries' client certificates (a client certificate must verify against these).
  std::string certificate;
  std::string private_key;
  std::string client_ca;
};

/// Group commit (ApplyBatcher, docs/NET.md "Group commit").
struct ApplyBatchOptions {
  /// APDUs under one COMMIT at most; 1 turns group commit off (one COMMIT per APDU).
  std::size_t max_batch = 32;
  /// Batches being applied at once, each on its own database thread and connection. Fewer
  /// writers make bigger batches; more keep more of PostgreSQL's cores busy.
  std::size_t writers = 2;
};

struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 4990;  // 0: any free port (Server::local_endpoint says which)
  SessionLimits limits;
  DeliveryOptions delivery;
  TimerOptions timers;
  /// Group commit: how many APDUs may share one COMMIT, and how many batches run at once.
  ApplyBatchOptions group_commit;
  /// libpq conninfo for the dedicated LISTEN connection (the same database as the pool).
  std::string conninfo;
  /// The status port (/metrics, /healthz, /readyz; docs/METRICS.md), HOST:PORT with a numeric
  /// address, port 0 = any free port; "" = off. Loopback by default: it has no authentication.
  std::string metrics_listen = "127.0.0.1:4991";
  TlsOptions tls;
  /// How long stop() waits for connections to finish their work before cutting them.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};
  /// Where sessions record their traffic (docs/RECORDING.md); null: not recorded. Not owned:
  /// it must outlive the server.
  record::Recorder* recorder = nullptr;
};

}  // namespace illhub::net
