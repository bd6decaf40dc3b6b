// Session: one peer connection. See include/illhub/net/session.hpp.
#include "illhub/net/session.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/net/apply_batcher.hpp"
#include "illhub/net/blocking.hpp"
#include "illhub/net/peer_identity.hpp"
#include "illhub/net/reports.hpp"
#include "illhub/store/storable_text.hpp"
#include "illhub/net/status_answers.hpp"

namespace illhub::net {

using namespace boost::asio::experimental::awaitable_operators;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
std::atomic<std::uint64_t> next_session_id{1};

std::string address_text(const asio::ip::address& a) {
  // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; peers' networks are IPv4.
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

std::string transaction_text(const codec::Envelope& e) {
  const auto& t = e.transaction_id;
  std::string s = t.initial_requester.symbol.empty() ? t.initial_requester.name : t.initial_requester.symbol;
  s += "/" + t.group_qualifier + "/" + t.qualifier;
  if (!t.sub_qualifier.empty()) s += "/" + t.sub_qualifier;
  return s;
}

bool cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

Session::Session(PeerStream socket, SessionContext& context, Origin origin,
                 std::optional<std::string> bound, std::optional<std::chrono::milliseconds> idle_timeout)
    : socket_(std::move(socket)),
      ctx_(context),
      origin_(origin),
      idle_timeout_(idle_timeout.value_or(context.limits.idle_timeout)),
      id_(next_session_id++),
      framer_(context.limits.codec),
      writer_wake_(socket_.get_executor()),
      reader_wake_(socket_.get_executor()),
      watchdog_timer_(socket_.get_executor()),
      last_activity_(Clock::now()) {
  error_code ec;
  // Each frame is written whole; without this, Nagle holds the second of two APDUs written in
  // a row (ILL-Answer then Shipped) until the peer's delayed ACK, up to 40 ms later.
  socket_.set_no_delay(ec);
  const auto remote = socket_.remote_endpoint(ec);
  if (!ec) {
    remote_address_ = address_text(remote.address());
    remote_ = remote_address_ + ":" + std::to_string(remote.port());
  } else {
    remote_ = "(unknown address)";
  }
  if (bound) peer_ = *bound;
}

void Session::record_open() {
  error_code ec;
  const auto local = socket_.local_endpoint(ec);
  const std::string local_text = ec ? "" : address_text(local.address()) + ":" + std::to_string(local.port());
  ctx_.recorder->open(id_, origin_ == Origin::kDialled, socket_.is_tls(), remote_, local_text, peer_);
}

std::string Session::describe() const {
  std::string s = "#" + std::to_string(id_) + " " + remote_;
  if (origin_ == Origin::kDialled) s += " (dialled)";
  if (socket_.is_tls()) s += " (tls)";
  if (!peer_.empty()) s += " " + peer_;
  return s;
}

asio::awaitable<void> Session::run() {
  auto self = shared_from_this();
  spdlog::info("connection {} opened", describe());
  if (ctx_.recorder) record_open();
  ctx_.metrics.connections.inc({origin_ == Origin::kDialled ? "dialled" : "accepted"});
  ctx_.metrics.connections_open.add(1);
  if (peer_.empty()) {
    co_await load_address_peers();
    // Over the per-peer limit already at connect: closed before it is read from at all.
    if (address_peers_ && address_peers_->size() == 1) bind(address_peers_->front());
  } else {
    ctx_.on_bound(self);
  }
  try {
    if (!refused_) co_await (reader() || writer() || watchdog());
  } catch (const std::exception& e) {
    // Nothing below throws on purpose; this only keeps a bug from taking the server down.
    spdlog::error("connection {}: unexpected exception: {}", describe(), e.what());
  }
  closed_ = true;
  if (ctx_.recorder) {
    note_close(record::ClosedBy::kHub, "closed by the hub");  // no cause noted: the hub's doing
    ctx_.recorder->close(id_, peer_, close_cause_->first, close_cause_->second);
  }
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  // Whoever waits for a frame that was never written learns it now.
  for (auto& item : queue_)
    if (item.done) item.done(asio::error::connection_aborted);
  queue_.clear();
  spdlog::info("connection {} closed after {} APDU(s) received", describe(), frames_);
  ctx_.metrics.connections_open.add(-1);
  ctx_.on_closed(self);
}

asio::awaitable<void> Session::load_address_peers() {
  if (address_peers_ || remote_address_.empty()) co_return;
  std::string address = remote_address_;
  PeerDirectory& peers = ctx_.peers;
  auto r_call = [&peers, address] { return peers.peers_for_address(address); };
  auto r = co_await run_blocking(ctx_.db_threads, r_call);
  if (r) {
    address_peers_ = std::move(*r);
  } else {
    // Left unset: tried again at the first APDU.
    spdlog::warn("connection {}: cannot look up peers for its address: {}", describe(), r.error().describe());
  }
}

bool Session::bind(const std::string& symbol, std::string_view apdu) {
  const std::size_t open = ctx_.connections_of ? ctx_.connections_of(symbol) : 0;
  const std::size_t limit = ctx_.limits.max_connections_per_peer;
  if (origin_ == Origin::kAccepted && open >= limit) {
    spdlog::warn("connection {}: refused: {} already has {} connection(s) open (max_connections_per_peer {}){}{}; "
                 "closing",
                 describe(), symbol, open, limit, apdu.empty() ? "" : "; not recorded: ", apdu);
    ctx_.metrics.connections_refused.inc({"max_connections_per_peer"});
    refused_ = true;
    note_close(record::ClosedBy::kHub, "over limits.max_connections_per_peer");
    return false;
  }
  peer_ = symbol;
  spdlog::info("connection {} speaks for {}", describe(), symbol);
  ctx_.on_bound(shared_from_this());
  return true;
}

void Session::enqueue(Outbound item) {
  queue_.push_back(std::move(item));
  writer_wake_.cancel();
}

asio::awaitable<error_code> Session::deliver(std::vector<std::uint8_t> apdu) {
  if (closed_ || stopping_) co_return asio::error::connection_aborted;
  // The writer reports the outcome through `result` and wakes us by cancelling the timer.
  auto result = std::make_shared<std::optional<error_code>>();
  auto waker = std::make_shared<asio::steady_timer>(socket_.get_executor(), Clock::time_point::max());
  enqueue(Outbound{std::move(apdu), false, [result, waker](error_code ec) {
                     *result = ec;
                     waker->cancel();
                   }});
  while (!*result) {
    auto [ec] = co_await waker->async_wait(kUse);
    if (!*result && ec == asio::error::operation_aborted &&
        cancelled(co_await asio::this_coro::cancellation_state))
      co_return asio::error::operation_aborted;
  }
  co_return **result;
}

void Session::shutdown() {
  if (stopping_ || closed_) return;
  stopping_ = true;
  note_close(record::ClosedBy::kHub, "hub shutting down");
  spdlog::info("connection {}: shutting down", describe());
  // Only the receiving side is shut: a read in progress ends as if the peer had closed, while
  // a write in progress (an answer, a delivery) is not cut off half-way. The reader then
  // queues the close behind whatever is still to be written.
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_receive, ignored);
  if (!busy_ && !reading_) enqueue(Outbound{{}, true, {}});
}

asio::awaitable<void> Session::wait_forever() {
  asio::steady_timer t(socket_.get_executor(), Clock::time_point::max());
  co_await t.async_wait(kUse);
}

asio::awaitable<void> Session::reader() {
  std::array<std::uint8_t, 16 * 1024> buffer;
  while (!stopping_ && !refused_) {
    // Back-pressure: a peer that sends but does not read its answers waits for the writer.
    while (queue_.size() >= ctx_.limits.max_queued_frames) {
      reader_wake_.expires_at(Clock::time_point::max());
      co_await reader_wake_.async_wait(kUse);
      if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
    }
    reading_ = true;
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), kUse);
    reading_ = false;
    if (stopping_) break;
    if (ec) {
      if (ec == asio::error::eof) {
        spdlog::info("connection {}: peer closed the connection", describe());
        note_close(record::ClosedBy::kPeer, "peer closed the connection");
      } else if (ec == asio::ssl::error::stream_truncated) {  // TLS peer closed without close_notify
        spdlog::info("connection {}: peer closed the connection (no TLS close_notify)", describe());
        note_close(record::ClosedBy::kPeer, "peer closed the connection (no TLS close_notify)");
      } else if (ec != asio::error::operation_aborted) {
        spdlog::info("connection {}: read failed: {}", describe(), ec.message());
        note_close(record::ClosedBy::kPeer, "read failed: " + ec.message());
      }
      break;
    }
    touch();
    framer_.feed(std::span<const std::uint8_t>(buffer.data(), n));
    while (auto frame = framer_.next()) {
      apdu_started_.reset();
      co_await handle_frame(std::move(*frame));
      if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
      if (stopping_ || refused_) break;
    }
    if (const auto& err = framer_.error()) {
      spdlog::warn("connection {}: refused: stream cannot be framed ({} at offset {}); closing",
                   describe(), codec::describe(err->problem), err->stream_offset);
      if (ctx_.recorder) {
        const auto refused = framer_.pending();
        ctx_.recorder->unframed(id_, peer_, std::vector<std::uint8_t>(refused.begin(), refused.end()));
      }
      note_close(record::ClosedBy::kHub, "stream cannot be framed: " + std::string(codec::describe(err->problem)));
      ctx_.metrics.count_apdu("unknown", ApduResult::kMalformed);
      ctx_.metrics.count_refusal(framing_general_problem(*err));  // as the report says
      auto report = framing_failure_report(frames_ + 1, *err, peer_);
      if (report) enqueue(Outbound{std::move(*report), false, {}});
      else spdlog::error("connection {}: {}", describe(), report.error());
      break;
    }
    if (framer_.buffered() == 0) apdu_started_.reset();
    else if (!apdu_started_) {
      apdu_started_ = Clock::now();
      rearm_watchdog();
    }
  }
  // Let the writer send what is queued (answers included), then close.
  enqueue(Outbound{{}, true, {}});
  co_await wait_forever();
}

asio::awaitable<void> Session::handle_frame(std::vector<std::uint8_t> frame) {
  const std::uint64_t frame_no = ++frames_;
  if (ctx_.recorder) ctx_.recorder->apdu(id_, record::EventKind::kIn, peer_, frame);  // before any check
  auto decoded = codec::decode(frame, ctx_.limits.codec);
  if (!decoded) {
    const auto& err = decoded.error();
    spdlog::warn("connection {}: refused frame {} ({} bytes): {}: {}", describe(), frame_no, frame.size(),
                 codec::to_string(codec::general_problem(err)), err.detail);
    ctx_.metrics.count_apdu("unknown", ApduResult::kMalformed);
    ctx_.metrics.count_refusal(codec::general_problem(err));
    auto report = decode_failure_report(frame_no, err, peer_);
    if (report) enqueue(Outbound{std::move(*report), false, {}});
    else spdlog::error("connection {}: {}", describe(), report.error());
    co_return;
  }
  auto apdu = std::make_shared<codec::Apdu>(std::move(decoded).value());
  const codec::Envelope envelope = codec::read_envelope(*apdu);
  const std::string what = std::string(codec::to_string(envelope.kind)) + " " + transaction_text(envelope);

  // Who is speaking? (docs/NET.md, "Peer identity")
  std::optional<std::string> bound;
  if (!peer_.empty()) bound = peer_;
  if (!bound) co_await load_address_peers();
  const IdentityCheck identity =
      check_identity(envelope, bound, address_peers_.value_or(std::vector<std::string>{}));
  if (!identity.ok) {
    spdlog::warn("connection {}: refused {}: security problem: {}", describe(), what, identity.problem);
    ctx_.metrics.count_apdu(codec::to_string(envelope.kind), ApduResult::kUnauthorised);
    ctx_.metrics.count_refusal(codec::SecurityProblem{});
    auto report = report_about(envelope, codec::ErrorReportSpec{"frame " + std::to_string(frame_no),
                                                                codec::SecurityProblem{identity.problem}});
    if (report) enqueue(Outbound{std::move(*report), false, {}});
    else spdlog::error("connection {}: {}", describe(), report.error());
    co_return;
  }
  if (!bound && !bind(identity.symbol, what)) {
    // The connection is one too many for its peer: answered, then closed (reader()).
    ctx_.metrics.count_refusal(codec::UnableToPerform::kResourceLimitation);
    auto report = peer_connection_limit_report(envelope, ctx_.limits.max_connections_per_peer);
    if (report) enqueue(Outbound{std::move(*report), false, {}});
    else spdlog::error("connection {}: {}", describe(), report.error());
    co_return;
  }

  // Text PostgreSQL cannot hold unchanged (NUL, not UTF-8, an oversized Transaction-Id part)
  // is refused before the database: a clear, final answer instead of a failed write.
  if (auto problem = store::unstorable_field(envelope)) {
    spdlog::warn("connection {}: refused {}: cannot be stored unchanged: {}", describe(), what, *problem);
    ctx_.metrics.count_apdu(codec::to_string(envelope.kind), ApduResult::kRefused);
    ctx_.metrics.count_refusal(codec::UnableToPerform::kOther);
    auto report = unstorable_text_report(envelope, *problem);
    if (report) enqueue(Outbound{std::move(*report), false, {}});
    else spdlog::error("connection {}: {}", describe(), report.error());
    co_return;
  }

  if (envelope.kind == codec::ApduKind::kStatusQuery) {
    co_await answer_status_query(envelope, std::move(frame));
    co_return;
  }

  // Record it (on the database threads, perhaps sharing a COMMIT with other connections'
  // APDUs: ApplyBatcher). Nothing is answered or relayed before that COMMIT.
  busy_ = true;
  const std::string sender = peer_;
  // Named, not temporaries of the co_await expression (see run_blocking on GCC 12).
  std::shared_ptr<const codec::Apdu> applying_apdu = apdu;
  auto applying = ctx_.applies->apply(applying_apdu, sender);
  auto applied = co_await std::move(applying);
  busy_ = false;
  touch();

  if (!applied) {
    spdlog::error("connection {}: could not record {}: {}; answered resource-limitation", describe(), what,
                  applied.error().describe());
    ctx_.metrics.count_apdu(codec::to_string(envelope.kind), ApduResult::kStoreFailed);
    ctx_.metrics.count_refusal(codec::UnableToPerform::kResourceLimitation);
    auto report = store_failure_report(envelope);
    if (report) enqueue(Outbound{std::move(*report), false, {}});
    co_return;
  }
  const store::ApplyResult& r = *applied;
  ctx_.metrics.count_apdu(codec::to_string(envelope.kind), r.outcome == hub::Outcome::kAccepted    ? ApduResult::kAccepted
                                                            : r.outcome == hub::Outcome::kDuplicate ? ApduResult::kDuplicate
                                                                                                    : ApduResult::kRefused);
  switch (r.outcome) {
    case hub::Outcome::kAccepted:
      spdlog::info("connection {}: accepted {} from {} for {} (event {}, outbox {})", describe(), what, sender,
                   r.decision.recipient_symbol, r.event_id, r.outbox_id);
      if (r.born_claimed && ctx_.on_born_claimed)
        ctx_.on_born_claimed(r.decision.recipient_symbol, r.outbox_id, {apdu->bytes().begin(), apdu->bytes().end()});
      else
        ctx_.on_accepted(r.decision.recipient_symbol);
      // As intermediary the hub also wrote to the borrower (docs/ROUTING.md): wake it too.
      if (r.routing && r.decision.next.requester_symbol != r.decision.recipient_symbol)
        ctx_.on_accepted(r.decision.next.requester_symbol);
      co_await send_receipt(envelope, r);
      break;
    case hub::Outcome::kDuplicate:
      spdlog::info("connection {}: duplicate {} from {}: already applied, nothing relayed", describe(), what,
                   sender);
      // A rerun that found this APDU committed (the connection was lost during COMMIT): that
      // commit's NOTIFY came from this node, which the outbox listener skips; wake here. If
      // that commit birthed a claimed row, nothing else delivers it: hand it on.
      if (r.born_claimed && ctx_.on_born_claimed)
        ctx_.on_born_claimed(sender == r.decision.next.requester_symbol ? r.decision.next.responder_symbol
                                                                        : r.decision.next.requester_symbol,
                             r.outbox_id, {apdu->bytes().begin(), apdu->bytes().end()});
      else if (r.attempts > 1)
        ctx_.on_accepted(sender == r.decision.next.requester_symbol ? r.decision.next.responder_symbol
                                                                    : r.decision.next.requester_symbol);
      co_await send_receipt(envelope, r);
      break;
    case hub::Outcome::kRefused: {
      spdlog::warn("connection {}: refused {} from {}: {}", describe(), what, sender, r.decision.reason);
      if (!r.decision.refusal) break;
      ctx_.metrics.count_refusal(r.decision.refusal->problem);
      auto report = report_about(envelope, *r.decision.refusal);
      if (report) enqueue(Outbound{std::move(*report), false, {}});
      else spdlog::error("connection {}: {}", describe(), report.error());
      break;
    }
  }
}

asio::awaitable<void> Session::answer_status_query(const codec::Envelope& query, std::vector<std::uint8_t> frame) {
  busy_ = true;
  store::StatusRecord& record = ctx_.status;
  const std::string asker = peer_;
  auto ber = std::make_shared<std::vector<std::uint8_t>>(std::move(frame));
  auto envelope = std::make_shared<codec::Envelope>(query);
  auto call = [&record, envelope, ber, asker] { return net::answer_status_query(record, *envelope, *ber, asker); };
  auto answered = co_await run_blocking(ctx_.db_threads, call);
  busy_ = false;
  touch();
  const std::string what = "Status-Query " + transaction_text(query);
  if (!answered) {
    spdlog::error("connection {}: {}: {}; answered resource-limitation", describe(), what, answered.error());
    auto report = store_failure_report(query);
    if (report) enqueue(Outbound{std::move(*report), false, {}});
    co_return;
  }
  spdlog::info("connection {}: {} from {}: {}", describe(), what, asker, answered->log);
  enqueue(Outbound{std::move(answered->answer), false, {}});
}

asio::awaitable<void> Session::send_receipt(const codec::Envelope& apdu, const store::ApplyResult& applied) {
  if (!co_await wants_receipts()) co_return;
  auto receipt = receipt_for(apdu, applied);
  if (receipt) enqueue(Outbound{std::move(*receipt), false, {}});
  else spdlog::error("connection {}: cannot build the receipt: {}", describe(), receipt.error());
}

asio::awaitable<bool> Session::wants_receipts() {
  if (receipts_) co_return *receipts_;
  PeerDirectory& peers = ctx_.peers;
  const std::string symbol = peer_;
  auto call = [&peers, symbol] { return peers.find(symbol); };
  auto found = co_await run_blocking(ctx_.db_threads, call);
  if (!found) {
    // Not cached: asked again after the next APDU.
    spdlog::warn("connection {}: cannot read whether {} wants receipts: {}", describe(), symbol,
                 found.error().describe());
    co_return false;
  }
  receipts_ = *found && (*found)->receipts;
  co_return *receipts_;
}

asio::awaitable<void> Session::writer() {
  for (;;) {
    while (queue_.empty()) {
      writer_wake_.expires_at(Clock::time_point::max());
      co_await writer_wake_.async_wait(kUse);
      if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
    }
    Outbound item = std::move(queue_.front());
    queue_.pop_front();
    reader_wake_.cancel();
    if (item.close_after && item.bytes.empty()) co_return;
    write_started_ = Clock::now();
    rearm_watchdog();
    // Recorded before the write starts, so it precedes anything the peer sends in reaction.
    if (ctx_.recorder) ctx_.recorder->apdu(id_, record::EventKind::kOut, peer_, item.bytes);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(item.bytes), kUse);
    write_started_.reset();
    if (item.done) item.done(ec);
    if (ec) {
      spdlog::info("connection {}: write failed: {}", describe(), ec.message());
      note_close(record::ClosedBy::kPeer, "write failed: " + ec.message());
      co_return;
    }
    touch();
    if (item.close_after) co_return;
  }
}

asio::awaitable<void> Session::watchdog() {
  for (;;) {
    const auto now = Clock::now();
    // While an APDU is being applied the connection is not idle: the database is slow.
    auto deadline = busy_ ? now + idle_timeout_ : last_activity_ + idle_timeout_;
    const char* reason = "idle timeout";
    if (apdu_started_ && *apdu_started_ + ctx_.limits.apdu_timeout < deadline) {
      deadline = *apdu_started_ + ctx_.limits.apdu_timeout;
      reason = "slow sender: a started APDU did not complete in time";
    }
    if (write_started_ && *write_started_ + ctx_.limits.write_timeout < deadline) {
      deadline = *write_started_ + ctx_.limits.write_timeout;
      reason = "peer does not read: a write did not complete in time";
    }
    if (deadline <= now) {
      spdlog::warn("connection {}: closing: {}", describe(), reason);
      note_close(record::ClosedBy::kHub, reason);
      co_return;
    }
    // The idle deadline only moves later, so waking at it and looking again is enough; a
    // started APDU or write brings a deadline of its own, possibly earlier: rearm_watchdog()
    // wakes us to look again then.
    watchdog_timer_.expires_at(deadline);
    co_await watchdog_timer_.async_wait(kUse);
    if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
  }
}

}  // namespace illhub::net
