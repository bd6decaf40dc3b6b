// LoanTraffic: pairs running loans with receipts, resending after a lost connection.
#include "net/loan_traffic.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/render.hpp"
#include "net/illd_fixture.hpp"
#include "net/test_peer.hpp"
#include "support/yaz_peer.hpp"

namespace illhub::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSteps = 6;

}  // namespace

LoanPair loan_pair(int index) {
  return {"CR:B" + std::to_string(index), "CR:L" + std::to_string(index),
          "127.0.5." + std::to_string(2 * index + 1), "127.0.5." + std::to_string(2 * index + 2)};
}

LoanTraffic::LoanTraffic(int pairs, std::string tag)
    : tag_(std::move(tag)), pairs_(static_cast<std::size_t>(pairs)), connections_(2 * pairs_.size()) {}

LoanTraffic::~LoanTraffic() { close_all(); }

std::string LoanTraffic::qualifier(int pair, int loan) const {
  return tag_ + "-" + std::to_string(pair) + "-" + std::to_string(loan);
}

std::vector<std::uint8_t> LoanTraffic::encode(int pair, int loan, int step) const {
  const LoanPair p = loan_pair(pair);
  testing::SampleOptions o;
  o.requester_symbol = p.borrower;
  o.responder_symbol = p.lender;
  o.qualifier = qualifier(pair, loan);
  o.time = "10000" + std::to_string(step);  // a distinct service time per APDU of the loan
  return testing::yaz_encode_sample(kLoanSteps[static_cast<std::size_t>(step)].first, o);
}

bool LoanTraffic::connect(std::uint16_t port) {
  close_all();
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    const LoanPair p = loan_pair(static_cast<int>(i / 2));
    connections_[i].fd = connect_from(i % 2 == 0 ? p.borrower_address : p.lender_address, port, error_);
    connections_[i].framer = codec::StreamFramer{};
    if (connections_[i].fd < 0) {
      error_ = "cannot connect peer " + std::to_string(i) + ": " + error_;
      return false;
    }
  }
  // What was sent but not acknowledged may or may not be on record: send it again. The hub
  // answers a repeat with a receipt that says so and relays nothing.
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    if (!pairs_[i].outstanding) continue;
    ++resends_;
    if (!send_current(static_cast<int>(i))) return false;
  }
  return true;
}

bool LoanTraffic::send_current(int pair) {
  Pair& p = pairs_[static_cast<std::size_t>(pair)];
  const auto bytes = encode(pair, p.loan, p.step);
  sent_.emplace(ApduKey{qualifier(pair, p.loan), kLoanSteps[static_cast<std::size_t>(p.step)].first}, bytes);
  const bool from_borrower = kLoanSteps[static_cast<std::size_t>(p.step)].second;
  const int fd = connections_[2 * static_cast<std::size_t>(pair) + (from_borrower ? 0u : 1u)].fd;
  p.outstanding = true;
  ++sends_;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      error_ = std::string("send failed: ") + std::strerror(errno);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool LoanTraffic::run_for(std::chrono::milliseconds duration, bool start_loans) {
  const auto deadline = Clock::now() + duration;
  while (Clock::now() < deadline) {
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      Pair& p = pairs_[i];
      if (p.outstanding) continue;
      if (p.step == kSteps) {
        if (!start_loans) continue;
        ++p.loan;
        p.step = 0;
        ++loans_begun_;
      }
      if (!send_current(static_cast<int>(i))) return false;
    }
    std::vector<pollfd> fds;
    for (const auto& c : connections_) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 5) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0 && !read(i, false)) return false;
  }
  return true;
}

void LoanTraffic::collect_and_close(std::chrono::milliseconds duration) {
  const auto deadline = Clock::now() + duration;
  while (Clock::now() < deadline) {
    std::vector<pollfd> fds;
    for (const auto& c : connections_) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 10) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0) read(i, true);
  }
  close_all();
}

bool LoanTraffic::read(std::size_t connection, bool tolerate_close) {
  Connection& c = connections_[connection];
  if (c.fd < 0) return true;
  std::uint8_t buffer[16 * 1024];
  const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
  if (n <= 0) {
    ::close(c.fd);
    c.fd = -1;  // poll() skips negative descriptors
    if (!tolerate_close) error_ = "illd closed peer connection " + std::to_string(connection);
    return tolerate_close;
  }
  c.framer.feed(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)));
  while (auto frame = c.framer.next())
    if (!handle(connection, *frame)) return false;
  if (c.framer.error()) {
    error_ = "the bytes from illd cannot be framed";
    return false;
  }
  return true;
}

bool LoanTraffic::handle(std::size_t connection, const std::vector<std::uint8_t>& frame) {
  auto decoded = codec::decode(frame);
  if (!decoded) {
    error_ = "a frame from illd does not decode";
    return false;
  }
  const codec::Envelope envelope = codec::read_envelope(*decoded);
  const std::string& q = envelope.transaction_id.qualifier;
  const int pair = static_cast<int>(connection / 2);
  const bool at_borrower = connection % 2 == 0;
  Pair& p = pairs_[static_cast<std::size_t>(pair)];

  if (envelope.kind == codec::ApduKind::kStatusOrErrorReport) {
    if (envelope.has_error_report || !envelope.has_status_report) {
      error_ = "illd answered with an error report: " + codec::to_json(*decoded);
      return false;
    }
    // The receipt acknowledges the one APDU this side has outstanding; any other is wrong.
    const bool borrower_sends = p.step < kSteps && kLoanSteps[static_cast<std::size_t>(p.step)].second;
    if (!p.outstanding || q != qualifier(pair, p.loan) || borrower_sends != at_borrower) {
      error_ = "a receipt for nothing outstanding: " + codec::to_json(*decoded);
      return false;
    }
    const ApduKey key{q, kLoanSteps[static_cast<std::size_t>(p.step)].first};
    if (codec::to_json(*decoded).find("was recorded before") != std::string::npos) ++repeats_;
    acknowledged_.emplace(key, sent_.at(key));
    p.outstanding = false;
    ++p.step;
    return true;
  }
  // A relayed APDU: it must be one the other side of this pair sent, unchanged.
  const ApduKey key{q, static_cast<int>(envelope.kind)};
  const auto sent = sent_.find(key);
  const bool from_borrower = [&] {
    for (const auto& [kind, borrower] : kLoanSteps)
      if (kind == key.second) return borrower;
    return at_borrower;  // not a loan step: fails the check below
  }();
  const std::string pair_prefix = tag_ + "-" + std::to_string(pair) + "-";
  if (sent == sent_.end() || from_borrower == at_borrower || q.rfind(pair_prefix, 0) != 0) {
    error_ = "illd delivered an APDU nobody sent to this peer: " + codec::to_json(*decoded);
    return false;
  }
  if (sent->second != frame) {
    error_ = "illd altered an APDU on the way: " + codec::to_json(*decoded);
    return false;
  }
  ++deliveries_[key];
  return true;
}

bool LoanTraffic::loans_complete() const {
  for (const auto& p : pairs_)
    if (p.outstanding || p.step != kSteps) return false;
  return true;
}

bool LoanTraffic::all_delivered() const {
  for (const auto& [key, bytes] : acknowledged_)
    if (!deliveries_.count(key)) return false;
  return true;
}

void LoanTraffic::close_all() {
  for (auto& c : connections_) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }
}

}  // namespace illhub::test
