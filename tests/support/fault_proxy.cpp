// FaultProxy: one io_context on one thread; per connection two pump coroutines (upstream,
// downstream) that read a chunk, look up the direction's rule and forward it accordingly.
// Rules and the connection list are touched only on the proxy's thread; the test's thread
// changes them through posted calls and waits for them to be applied.
#include "support/fault_proxy.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace illhub::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using GenericSocket = asio::generic::stream_protocol::socket;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::size_t index_of(Direction d) { return d == Direction::kUpstream ? 0 : 1; }

/// One proxied connection: the client's socket and ours to the target.
struct Link {
  explicit Link(asio::io_context& ctx) : client(ctx), target(ctx) {}
  GenericSocket client;
  GenericSocket target;
  std::array<std::uint64_t, 2> rule_generation{};  // the rule generation `since_rule` counts for
  std::array<std::size_t, 2> since_rule{};         // bytes forwarded under that rule
  std::array<bool, 2> tainted{};                   // a black hole swallowed bytes
  bool held = false;  // caught by black_hole_next_connection(): a black hole both ways
  bool closed = false;

  /// Closes both sides with SO_LINGER 0: a TCP peer gets an RST, not a FIN.
  void reset() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    for (GenericSocket* s : {&client, &target}) {
      s->set_option(asio::socket_base::linger(true, 0), ignored);
      s->close(ignored);
    }
  }
};

/// TCP_NODELAY where the socket is TCP (a Unix socket refuses it: ignored), so that each
/// 1-byte write leaves as its own segment.
void no_delay(GenericSocket& s) {
  int one = 1;
  (void)::setsockopt(s.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

struct FaultProxy::State {
  asio::io_context ctx;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ctx};
  std::thread thread;
  std::uint16_t port = 0;
  std::optional<std::uint16_t> target_port;  // TCP target, or
  std::filesystem::path target_path;         // a Unix socket
  std::array<FaultRule, 2> rules{};
  bool hole_next = false;  // black_hole_next_connection() waits for its connection
  std::array<std::uint64_t, 2> generations{};
  std::vector<std::weak_ptr<Link>> links;
  std::atomic<std::size_t> accepted{0}, open{0};
  std::array<std::atomic<std::size_t>, 2> forwarded{}, discarded{};

  /// Runs `f` on the proxy's thread and waits until it has run.
  template <class F>
  void on_thread(F f) {
    std::promise<void> done;
    asio::post(ctx, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  template <class F>
  void for_each_link(F f) {
    std::erase_if(links, [](const std::weak_ptr<Link>& w) { return w.expired(); });
    for (auto& w : links)
      if (auto l = w.lock()) f(*l);
  }
};

namespace {

using State = FaultProxy::State;

/// Writes `n` bytes of `data` to `to` as the rule says; false when the link is gone.
asio::awaitable<bool> forward(std::shared_ptr<State> st, std::shared_ptr<Link> link, Direction d,
                              const std::uint8_t* data, std::size_t n) {
  const std::size_t i = index_of(d);
  GenericSocket& to = d == Direction::kUpstream ? link->target : link->client;
  if (link->rule_generation[i] != st->generations[i]) {
    link->rule_generation[i] = st->generations[i];
    link->since_rule[i] = 0;
  }
  const FaultRule rule = link->held ? FaultRule{FaultMode::kBlackHole} : st->rules[i];
  switch (rule.mode) {
    case FaultMode::kBlackHole:
      link->tainted[i] = true;
      st->discarded[i] += n;
      co_return true;
    case FaultMode::kDelay: {
      asio::steady_timer timer(st->ctx, rule.delay);
      (void)co_await timer.async_wait(kUse);
      break;
    }
    case FaultMode::kFragment:
      for (std::size_t k = 0; k < n; ++k) {
        auto [ec, written] = co_await asio::async_write(to, asio::buffer(data + k, 1), kUse);
        if (ec || link->closed) co_return false;
        ++st->forwarded[i];
      }
      co_return true;
    case FaultMode::kResetAfter: {
      const std::size_t allowed = rule.reset_after - std::min(rule.reset_after, link->since_rule[i]);
      const std::size_t now = std::min(allowed, n);
      if (now > 0) {
        auto [ec, written] = co_await asio::async_write(to, asio::buffer(data, now), kUse);
        if (ec || link->closed) co_return false;
        link->since_rule[i] += now;
        st->forwarded[i] += now;
      }
      if (now < n || link->since_rule[i] >= rule.reset_after) {
        link->reset();
        co_return false;
      }
      co_return true;
    }
    case FaultMode::kPass:
      break;
  }
  auto [ec, written] = co_await asio::async_write(to, asio::buffer(data, n), kUse);
  if (ec || link->closed) co_return false;
  st->forwarded[i] += n;
  co_return true;
}

/// Reads from one side and forwards to the other until either fails. An orderly end (EOF) is
/// passed on as a half-close; anything else resets the whole link.
asio::awaitable<void> pump(std::shared_ptr<State> st, std::shared_ptr<Link> link, Direction d) {
  GenericSocket& from = d == Direction::kUpstream ? link->client : link->target;
  GenericSocket& to = d == Direction::kUpstream ? link->target : link->client;
  std::vector<std::uint8_t> buffer(16 * 1024);
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buffer), kUse);
    if (link->closed) co_return;
    if (ec == asio::error::eof) {
      boost::system::error_code ignored;
      to.shutdown(asio::socket_base::shutdown_send, ignored);
      co_return;
    }
    if (ec) {
      link->reset();
      co_return;
    }
    const bool alive = co_await forward(st, link, d, buffer.data(), n);
    if (!alive) {
      link->reset();
      co_return;
    }
  }
}

/// Connects to the target for one accepted client and runs both pumps to their end.
asio::awaitable<void> serve(std::shared_ptr<State> st, tcp::socket client) {
  auto link = std::make_shared<Link>(st->ctx);
  link->held = std::exchange(st->hole_next, false);
  ++st->accepted;  // after `held` is settled: a test that saw the count knows which rule it got
  boost::system::error_code ec;
  if (st->target_port) {
    // From the client's own loopback address, so that the target sees who it is.
    const auto source = client.remote_endpoint(ec).address();
    tcp::socket out(st->ctx);
    out.open(tcp::v4(), ec);
    if (!ec) out.bind(tcp::endpoint(source, 0), ec);
    if (!ec) std::tie(ec) = co_await out.async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), *st->target_port), kUse);
    link->target = GenericSocket(std::move(out));
  } else {
    asio::local::stream_protocol::socket out(st->ctx);
    std::tie(ec) = co_await out.async_connect(
        asio::local::stream_protocol::endpoint(st->target_path.string()), kUse);
    link->target = GenericSocket(std::move(out));
  }
  link->client = GenericSocket(std::move(client));
  if (ec) {  // the target is not there: the client sees its connection reset
    link->reset();
    co_return;
  }
  no_delay(link->client);
  no_delay(link->target);
  st->links.push_back(link);
  ++st->open;
  using namespace asio::experimental::awaitable_operators;
  co_await (pump(st, link, Direction::kUpstream) && pump(st, link, Direction::kDownstream));
  link->reset();
  --st->open;
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> st) {
  for (;;) {
    auto [ec, client] = co_await st->acceptor.async_accept(kUse);
    if (ec == asio::error::operation_aborted || !st->acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. the client gave up before we accepted
    asio::co_spawn(st->ctx, serve(st, std::move(client)), asio::detached);
  }
}

}  // namespace

FaultProxy::FaultProxy(std::shared_ptr<State> state) : state_(std::move(state)) {}

std::unique_ptr<FaultProxy> FaultProxy::start(std::shared_ptr<State> st) {
  const tcp::endpoint here(asio::ip::address_v4::loopback(), 0);
  st->acceptor.open(here.protocol());
  st->acceptor.set_option(tcp::acceptor::reuse_address(true));
  st->acceptor.bind(here);
  st->acceptor.listen();
  st->port = st->acceptor.local_endpoint().port();
  st->work.emplace(st->ctx.get_executor());
  asio::co_spawn(st->ctx, accept_loop(st), asio::detached);
  st->thread = std::thread([raw = st.get()] { raw->ctx.run(); });
  return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(st)));
}


std::unique_ptr<FaultProxy> FaultProxy::to_tcp(std::uint16_t target_port) {
  auto st = std::make_shared<State>();
  st->target_port = target_port;
  return start(std::move(st));
}

std::unique_ptr<FaultProxy> FaultProxy::to_unix(const std::filesystem::path& path) {
  auto st = std::make_shared<State>();
  st->target_path = path;
  return start(std::move(st));
}

FaultProxy::~FaultProxy() {
  // Close everything on the thread, let every coroutine end, then join: no coroutine frame
  // (each holds the state) outlives the io_context's run.
  State* st = state_.get();
  st->on_thread([st] {
    boost::system::error_code ignored;
    st->acceptor.close(ignored);
    st->for_each_link([](Link& l) {
      l.closed = true;
      boost::system::error_code e;
      l.client.close(e);
      l.target.close(e);
    });
  });
  st->work.reset();
  st->thread.join();
}

std::uint16_t FaultProxy::port() const { return state_->port; }

void FaultProxy::set(Direction direction, const FaultRule& rule) {
  State* st = state_.get();
  st->on_thread([st, direction, rule] {
    const std::size_t i = index_of(direction);
    st->rules[i] = rule;
    ++st->generations[i];
    if (rule.mode == FaultMode::kBlackHole) return;
    st->for_each_link([i](Link& l) {
      if (l.tainted[i]) l.reset();  // lost bytes cannot be given back
    });
  });
}

void FaultProxy::set_both(const FaultRule& rule) {
  set(Direction::kUpstream, rule);
  set(Direction::kDownstream, rule);
}

void FaultProxy::reset_all() {
  State* st = state_.get();
  st->on_thread([st] { st->for_each_link([](Link& l) { l.reset(); }); });
}

void FaultProxy::black_hole_next_connection() {
  State* st = state_.get();
  st->on_thread([st] { st->hole_next = true; });
}

void FaultProxy::reset_black_holed() {
  State* st = state_.get();
  st->on_thread([st] {
    st->for_each_link([](Link& l) {
      if (l.held || l.tainted[0] || l.tainted[1]) l.reset();
    });
  });
}

std::size_t FaultProxy::accepted() const { return state_->accepted; }
std::size_t FaultProxy::open() const { return state_->open; }
std::size_t FaultProxy::forwarded(Direction d) const { return state_->forwarded[index_of(d)]; }
std::size_t FaultProxy::discarded(Direction d) const { return state_->discarded[index_of(d)]; }

}  // namespace illhub::test
