// The replay's network side. See replay_driver.hpp.
#include "app/illctl/replay/replay_driver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <cstdio>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/framer.hpp"
#include "app/illctl/replay/apdu_compare.hpp"

namespace illhub::app::replay {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// A replay connection as it is on the wire now.
struct Live {
  explicit Live(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  bool connected = false;  // open (dialled: once the hub's dial was accepted)
  bool eof = false;        // the hub closed it, or reading failed
  bool closed_by_us = false;
  std::string end_reason;  // why reading ended
  codec::StreamFramer framer;
  std::deque<Bytes> frames;  // received, not yet compared
  std::string label;
};

std::string kind_name(std::span<const std::uint8_t> bytes) {
  auto apdu = codec::decode(bytes);
  return apdu ? std::string(codec::to_string(apdu->kind())) : std::string("undecodable APDU");
}

class Driver {
 public:
  Driver(const Plan& plan, const DriverOptions& options, std::ostream& out)
      : plan_(plan), options_(options), out_(out), wake_(io_) {
    for (const auto& c : plan_.connections) {
      live_.push_back(std::make_unique<Live>(io_));
      live_.back()->label = c.label();
    }
  }

  Result<Summary, std::string> run() {
    boost::system::error_code ec;
    hub_ = tcp::endpoint(asio::ip::make_address(options_.hub.host, ec), options_.hub.port);
    if (ec) return unexpected("--hub " + options_.hub.text() + ": not an IP address");
    auto listeners = dial_listeners(plan_, options_.peer_endpoints);
    if (!listeners) return unexpected(listeners.error());
    for (auto& [endpoint, conns] : *listeners) {
      auto opened = open_listener(endpoint);
      if (!opened) return unexpected(opened.error());
      asio::co_spawn(io_, accept_dials(std::move(*opened), endpoint, conns), asio::detached);
    }
    asio::co_spawn(io_, walk(), asio::detached);
    io_.run();
    return summary_;
  }

 private:
  Result<std::shared_ptr<tcp::acceptor>, std::string> open_listener(const Endpoint& at) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(at.host, ec);
    if (ec) return unexpected("cannot listen for the hub's dials on " + at.text() + ": not an IP address");
    auto acceptor = std::make_shared<tcp::acceptor>(io_);
    const tcp::endpoint ep(address, at.port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return unexpected("cannot listen for the hub's dials on " + at.text() + ": " + ec.message());
    acceptors_.push_back(acceptor);
    return acceptor;
  }

  /// Each dial the hub makes to `at` becomes the next recorded dialled connection there; one
  /// more than recorded is a divergence, read to the end to show what it carried.
  awaitable<void> accept_dials(std::shared_ptr<tcp::acceptor> acceptor, Endpoint at, std::vector<std::size_t> conns) {
    std::size_t next = 0;
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(kTuple);
      if (ec) co_return;  // closed at the end
      Live* live = nullptr;
      if (next < conns.size()) {
        live = live_[conns[next++]].get();
      } else {
        extra_.push_back(std::make_unique<Live>(io_));
        live = extra_.back().get();
        live->label = "an unrecorded dial to " + at.text();
      }
      live->socket = std::move(socket);
      live->connected = true;
      asio::co_spawn(io_, read(*live), asio::detached);
      wake();
    }
  }

  awaitable<void> read(Live& live) {
    std::array<std::uint8_t, 16384> buffer;
    for (;;) {
      auto [ec, n] = co_await live.socket.async_read_some(asio::buffer(buffer), kTuple);
      if (ec) {
        live.eof = true;
        live.end_reason = ec == asio::error::eof ? "the hub closed the connection" : ec.message();
        wake();
        co_return;
      }
      live.framer.feed(std::span<const std::uint8_t>(buffer.data(), n));
      while (auto frame = live.framer.next()) {
        ++summary_.received;
        live.frames.push_back(std::move(*frame));
      }
      if (live.framer.error()) {
        live.eof = true;
        live.end_reason = "the hub sent bytes that cannot be framed";
        wake();
        co_return;
      }
      wake();
    }
  }

  void wake() { wake_.cancel(); }

  /// Waits (bounded) until `ready` holds; false at the deadline. Readers and acceptors wake
  /// this single waiter whenever something arrives.
  awaitable<bool> wait_until(const std::function<bool()>& ready, Clock::time_point deadline) {
    while (!ready()) {
      if (Clock::now() >= deadline) co_return false;
      wake_.expires_at(deadline);
      co_await wake_.async_wait(kTuple);
    }
    co_return true;
  }

  std::string when(const Step& step) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "+%.3fs", static_cast<double>(step.at_unix_us - first_at_) / 1e6);
    return step.where + " " + buf;
  }

  void diverge(const std::string& headline, const std::vector<std::string>& details = {}) {
    ++summary_.divergences;
    out_ << "DIVERGENCE " << headline << "\n";
    for (const auto& line : details) out_ << "    " << line << "\n";
  }

  /// Receives and compares every expected APDU not yet seen, in recorded order.
  awaitable<void> settle() {
    while (!pending_.empty()) {
      const Step& step = plan_.steps[pending_.front()];
      pending_.pop_front();
      Live& live = *live_[step.connection];
      const bool got = co_await wait_until([&] { return !live.frames.empty() || live.eof; },
                                           Clock::now() + options_.timeout);
      const std::string about = when(step) + " " + live.label + ": expected " + kind_name(step.bytes);
      if (!got || live.frames.empty()) {
        diverge(about + ", but " +
                (live.eof ? live.end_reason
                          : "nothing arrived within " + std::to_string(options_.timeout.count()) + " ms") +
                (live.connected || live.eof ? "" : " (the hub never dialled)"));
        continue;
      }
      const Bytes received = std::move(live.frames.front());
      live.frames.pop_front();
      const Comparison c = compare_apdus(step.bytes, received, step.relayed);
      if (!c.matched) {
        std::vector<std::string> details = {"- expected (recorded)", "+ received"};
        details.insert(details.end(), c.diff.begin(), c.diff.end());
        diverge(about + (step.relayed ? " (relayed)" : "") + ", received " + kind_name(received) + " that differs",
                details);
        continue;
      }
      ++summary_.matched;
      summary_.normalised += c.normalised.size();
      for (const auto& path : c.normalised) ++summary_.normalised_fields[path];
      if (options_.verbose) {
        out_ << "match " << when(step) << " " << live.label << ": " << kind_name(step.bytes)
             << (step.relayed ? " (relayed, same bytes)" : "");
        if (!c.normalised.empty()) out_ << " (" << c.normalised.size() << " normalised)";
        out_ << "\n";
      }
    }
  }

  /// --speed: the recorded gap since the first step, scaled.
  awaitable<void> pace(const Step& step) {
    if (options_.speed <= 0) co_return;
    asio::steady_timer t(io_, started_ + due_after(step.at_unix_us, first_at_, options_.speed));
    co_await t.async_wait(kTuple);
  }

  awaitable<void> open(const Step& step) {
    const ReplayConnection& c = plan_.connections[step.connection];
    if (c.dialled) co_return;  // the hub dials; accept_dials picks it up
    Live& live = *live_[step.connection];
    auto source = source_address(c);
    boost::system::error_code ec;
    const auto from = source ? asio::ip::make_address(*source, ec) : asio::ip::address();
    if (!source || ec) {
      diverge(when(step) + " " + live.label + ": cannot connect as the peer: " +
              (source ? "recorded remote address is not an IP address" : source.error()));
      live.eof = true;
      live.end_reason = "it could not be opened";
      co_return;
    }
    live.socket.open(hub_.protocol(), ec);
    // From the peer's own address, so the hub knows it by its allowed networks as it did.
    if (!ec) live.socket.bind(tcp::endpoint(from, 0), ec);
    if (!ec) {
      asio::steady_timer timer(io_, options_.timeout);
      auto result = co_await (live.socket.async_connect(hub_, kTuple) || timer.async_wait(kTuple));
      ec = result.index() == 0 ? std::get<0>(std::get<0>(result)) : asio::error::timed_out;
    }
    if (ec) {
      diverge(when(step) + " " + live.label + ": cannot connect to the hub at " + options_.hub.text() + " from " +
              from.to_string() + ": " + ec.message());
      live.eof = true;
      live.end_reason = "it could not be opened";
      co_return;
    }
    live.connected = true;
    asio::co_spawn(io_, read(live), asio::detached);
  }

  awaitable<void> send(const Step& step) {
    Live& live = *live_[step.connection];
    if (!co_await wait_until([&] { return live.connected || live.eof; }, Clock::now() + options_.timeout) ||
        !live.connected || live.closed_by_us) {
      diverge(when(step) + " " + live.label + ": cannot send " + kind_name(step.bytes) + ": the connection is not open");
      co_return;
    }
    asio::steady_timer timer(io_, options_.timeout);
    auto result = co_await (asio::async_write(live.socket, asio::buffer(step.bytes), kTuple) ||
                            timer.async_wait(kTuple));
    const auto ec = result.index() == 0 ? std::get<0>(std::get<0>(result)) : asio::error::timed_out;
    if (ec) {
      diverge(when(step) + " " + live.label + ": sending " + kind_name(step.bytes) + " failed: " + ec.message());
      co_return;
    }
    ++summary_.sent;
    if (options_.verbose)
      out_ << "sent  " << when(step) << " " << live.label << ": "
           << (step.unframed ? "unframed bytes" : kind_name(step.bytes)) << "\n";
  }

  void close_ours(Live& live) {
    live.closed_by_us = true;
    boost::system::error_code ignored;
    live.socket.shutdown(tcp::socket::shutdown_both, ignored);
    live.socket.close(ignored);
  }

  awaitable<void> expect_close(const Step& step) {
    Live& live = *live_[step.connection];
    if (!co_await wait_until([&] { return live.eof; }, Clock::now() + options_.timeout))
      diverge(when(step) + " " + live.label + ": the hub should have closed the connection; it was still open after " +
              std::to_string(options_.timeout.count()) + " ms");
  }

  /// APDUs still queued at the end were never expected.
  void report_unexpected(Live& live) {
    for (const Bytes& frame : live.frames) {
      auto apdu = codec::decode(frame);
      std::vector<std::string> details;
      if (apdu)
        for (const auto& f : flatten(*apdu)) details.push_back("+ " + f.path + ": " + f.value);
      diverge("at the end, " + live.label + ": the hub sent an unexpected " + kind_name(frame), details);
    }
    live.frames.clear();
  }

  awaitable<void> walk() {
    started_ = Clock::now();
    first_at_ = plan_.steps.empty() ? 0 : plan_.steps.front().at_unix_us;
    for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
      const Step& step = plan_.steps[i];
      switch (step.kind) {
        case StepKind::kOpen:
          co_await open(step);
          break;
        case StepKind::kExpect:
          pending_.push_back(i);
          break;
        case StepKind::kSend:
          co_await settle();
          co_await pace(step);
          co_await send(step);
          break;
        case StepKind::kPeerClose:
          co_await settle();
          co_await pace(step);
          close_ours(*live_[step.connection]);
          break;
        case StepKind::kHubClose:
          co_await settle();
          co_await expect_close(step);
          break;
      }
    }
    co_await settle();
    asio::steady_timer grace(io_, options_.grace);
    co_await grace.async_wait(kTuple);
    for (auto& live : live_) report_unexpected(*live);
    for (auto& live : extra_) {
      if (live->frames.empty()) diverge("at the end: the hub made " + live->label);
      report_unexpected(*live);
    }
    // Ending: every socket and listener closed, so every coroutine finishes and run() returns.
    for (auto& live : live_) close_ours(*live);
    for (auto& live : extra_) close_ours(*live);
    boost::system::error_code ignored;
    for (auto& a : acceptors_) a->close(ignored);
  }

  const Plan& plan_;
  const DriverOptions& options_;
  std::ostream& out_;
  asio::io_context io_;  // declared before every socket: destroyed after them
  asio::steady_timer wake_;
  tcp::endpoint hub_;
  std::vector<std::unique_ptr<Live>> live_;   // one per plan connection
  std::vector<std::unique_ptr<Live>> extra_;  // dials the recording does not have
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
  std::deque<std::size_t> pending_;  // kExpect steps not yet received
  Summary summary_;
  Clock::time_point started_;
  std::int64_t first_at_ = 0;
};

}  // namespace

Result<Summary, std::string> run_replay(const Plan& plan, const DriverOptions& options, std::ostream& out) {
  Driver driver(plan, options, out);
  return driver.run();
}

}  // namespace illhub::app::replay
