// Fuzz target: whole sessions. A script of APDUs from a few known peers goes through each
// peer's StreamFramer, the decoder, and the hub's engine (hub::decide: parties, both state
// tables, duplicates, ledger) against an in-memory record of transactions (memory_store.hpp),
// and every answer the hub would send is built with codec/builders. The script drives state
// transitions, duplicates and prohibited transitions with real (YAZ-encoded) APDUs.
//
// Input: byte 0 configures the peers (bits 0-1 and 2-3: lenient profile of IRL:BOR and
// IRL:LEN, 0 = strict; bit 4: IRL:LEN is not registered). Then records, at most kMaxRecords:
//   c = one byte; the sender is kPeers[c & 3]; by (c >> 2) & 3:
//   0: golden APDU, next bytes k, v: kind kAllApduKinds[k % 20], moved to transaction
//      T000(1 + v & 1) with service time 10150(v >> 1 & 7), fed whole;
//   1: the same, fed in two reads split at its middle;
//   2: raw bytes: next byte n, then n % 64 bytes fed as read;
//   3: a timer (c bit 4: expiry or overdue) on recorded transaction (c >> 5) % count.
// Checks, beyond never crashing, hanging or leaking:
//  - a duplicate or refused APDU leaves the transaction as it was;
//  - a refusal carries a report, and the Status-Or-Error-Report built from it encodes and
//    decodes as a Status-Or-Error-Report; so do receipts, Status-Query answers, decode and
//    framing failure reports, and Overdue/Expired for timers;
//  - an accepted APDU comes from a party of the transaction, goes to the other party, and its
//    postings sum to zero in every currency; the same APDU again is a duplicate;
//  - a timer that does not fire changes nothing.
#include <array>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codec/asn1_types.hpp"
#include "fuzz/fuzz_targets.hpp"
#include "fuzz/memory_store.hpp"
#include "illhub/codec/builders.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/framer.hpp"
#include "illhub/hub/status_report.hpp"
#include "illhub/protocol/lenient_profile.hpp"

namespace {

using namespace illhub;
using fuzz::require;

constexpr int kMaxRecords = 64;
constexpr std::array<const char*, 4> kPeers = {"IRL:BOR", "IRL:LEN", "IRL:AAA", "IRL:XXX"};  // XXX: unregistered

codec::CodecLimits fuzz_limits() {
  codec::CodecLimits limits;
  limits.max_apdu_bytes = 16 * 1024;
  return limits;
}

/// The YAZ sample of `kind` moved to transaction `qualifier` at service time `time`, as BER.
const std::vector<std::uint8_t>& golden(codec::ApduKind kind, int variant) {
  static std::map<std::pair<codec::ApduKind, int>, std::vector<std::uint8_t>> cache;
  auto [at, fresh] = cache.try_emplace({kind, variant});
  if (!fresh) return at->second;
  std::string file = "yaz-";
  for (char ch : codec::to_string(kind)) file += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::ifstream in(std::string(ILLHUB_TEST_DATA_DIR) + "/apdu/" + file + ".ber", std::ios::binary);
  const std::vector<std::uint8_t> ber{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto apdu = codec::decode(ber);
  require(apdu.has_value(), "golden APDU decodes (set-up)");
  const std::string qualifier = (variant & 1) ? "T0002" : "T0001";
  const std::string time = "10150" + std::string(1, static_cast<char>('0' + ((variant >> 1) & 7)));
  codec::asn1::visit_apdu(apdu->raw(), [&](auto& a) {
    codec::asn1::set_text(a.transaction_id.transaction_qualifier.choice.generalstring, qualifier);
    if (a.service_date_time.date_time_of_this_service.time)
      codec::asn1::set_text(*a.service_date_time.date_time_of_this_service.time, time);
  });
  auto bytes = codec::encode(*apdu);
  require(bytes.has_value(), "golden APDU encodes (set-up)");
  at->second = std::move(*bytes);
  return at->second;
}

/// An APDU the hub built must be one it can read back: decodes, same kind, same bytes again.
void require_readable(const Result<codec::Apdu, codec::EncodeError>& built, codec::ApduKind kind, const char* what) {
  require(built.has_value(), what);
  auto back = codec::decode(built->bytes());
  require(back.has_value() && back->kind() == kind, what);
  auto again = codec::encode(*back);
  require(again.has_value() && std::equal(again->begin(), again->end(), built->bytes().begin(), built->bytes().end()),
          what);
}

codec::ApduHeader header_about(const codec::Envelope& e) {
  codec::ApduHeader h;
  h.protocol_version = e.protocol_version;
  h.transaction_id = e.transaction_id;
  h.service_date_time = {"20260101", "120000", "", ""};
  h.requester_id = e.requester_id;
  h.responder_id = e.responder_id;
  return h;
}

void require_report(const codec::ApduHeader& header, codec::StatusOrErrorReportSpec spec, const char* what) {
  require_readable(codec::build_status_or_error_report(header, spec), codec::ApduKind::kStatusOrErrorReport, what);
}

bool same(const hub::TransactionSnapshot& a, const hub::TransactionSnapshot& b) {
  return a.exists == b.exists && a.requester_symbol == b.requester_symbol && a.responder_symbol == b.responder_symbol &&
         a.view == b.view && a.insured_value == b.insured_value && a.replacement_charged == b.replacement_charged &&
         a.date_due == b.date_due;
}

hub::TransactionStatus status_of(const hub::TransactionSnapshot& s, const codec::Envelope& e) {
  hub::TransactionStatus st;
  st.requester_symbol = s.requester_symbol;
  st.responder_symbol = s.responder_symbol;
  st.requester_state = s.view.requester;
  st.responder_state = s.view.responder;
  st.title = e.item.title;
  st.date_of_last_transition = "20260101";
  st.last_kind = e.kind;
  st.last_service_date = e.service_date_time.date;
  return st;
}

class Session {
 public:
  explicit Session(std::uint8_t config) : store_(peers(config)) {
    for (auto& f : framers_) f.emplace(fuzz_limits());
  }

  void feed(std::size_t peer, std::span<const std::uint8_t> bytes) {
    codec::StreamFramer& framer = *framers_[peer];
    framer.feed(bytes);
    for (int guard = 0; guard < 1000; ++guard) {
      auto frame = framer.next();
      if (!frame) break;
      handle(peer, *frame);
    }
    if (framer.error()) {
      // The hub reports and closes; the peer connects again with a fresh framer.
      codec::ApduHeader h;
      h.transaction_id.qualifier = "unknown";
      h.service_date_time = {"20260101", "120000", "", ""};
      h.requester_id.symbol = kPeers[peer];
      codec::StatusOrErrorReportSpec spec;
      spec.error = codec::ErrorReportSpec{"frame", codec::GeneralProblem::kBadlyStructuredApdu};
      spec.note = codec::describe(framer.error()->problem);
      require_report(h, spec, "a framing failure report builds and reads back");
      framers_[peer].emplace(fuzz_limits());
    }
  }

  void timer(bool overdue, std::size_t nth) {
    auto& records = store_.records();
    if (records.empty()) return;
    auto it = records.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(nth % records.size()));
    hub::TransactionSnapshot& s = it->second.snapshot;
    const auto d = protocol::decide_timer(s.view, overdue ? protocol::Timer::kOverdue : protocol::Timer::kExpiry);
    if (!d.fires) {
      require(d.next == s.view, "a timer that does not fire changes nothing");
      return;
    }
    codec::ApduHeader h;
    h.transaction_id.group_qualifier = std::get<1>(it->first);
    h.transaction_id.qualifier = std::get<2>(it->first);
    h.service_date_time = {"20260101", "120000", "", ""};
    h.requester_id.symbol = s.requester_symbol;
    h.responder_id.symbol = s.responder_symbol;
    if (d.to_requester == codec::ApduKind::kOverdue)
      require_readable(codec::build_overdue(h, codec::DateDue{"20260201", true}), codec::ApduKind::kOverdue,
                       "the hub's Overdue builds and reads back");
    else
      require_readable(codec::build_expired(h), codec::ApduKind::kExpired, "the hub's Expired builds and reads back");
    s.view = d.next;
  }

 private:
  static std::map<std::string, const protocol::LenientProfile*> peers(std::uint8_t config) {
    const auto profiles = protocol::lenient_profiles();
    auto profile = [&](unsigned i) -> const protocol::LenientProfile* {
      return i == 0 || i > profiles.size() ? nullptr : &profiles[i - 1];
    };
    std::map<std::string, const protocol::LenientProfile*> out{{"IRL:BOR", profile(config & 3)},
                                                              {"IRL:AAA", nullptr}};
    if (!(config & 0x10)) out["IRL:LEN"] = profile((config >> 2) & 3);
    return out;
  }

  void handle(std::size_t peer, const std::vector<std::uint8_t>& frame) {
    const std::string sender = kPeers[peer];
    auto apdu = codec::decode(frame, fuzz_limits());
    if (!apdu) {
      codec::ApduHeader h;
      h.transaction_id.qualifier = "unknown";
      h.service_date_time = {"20260101", "120000", "", ""};
      h.requester_id.symbol = sender;
      codec::StatusOrErrorReportSpec spec;
      spec.error = codec::ErrorReportSpec{"frame", codec::general_problem(apdu.error())};
      spec.note = apdu.error().detail;
      require_report(h, spec, "a decode failure report builds and reads back");
      return;
    }
    const codec::Envelope e = codec::read_envelope(*apdu);
    if (e.kind == codec::ApduKind::kStatusQuery) return answer_status_query(e, sender);

    const fuzz::MemoryStore::Applied applied = store_.apply(e, sender);
    const hub::Decision& d = applied.decision;
    switch (d.outcome) {
      case hub::Outcome::kDuplicate:
        require(same(d.next, applied.before), "a duplicate changes nothing");
        break;
      case hub::Outcome::kRefused: {
        require(same(d.next, applied.before), "a refused APDU changes nothing");
        require(d.refusal.has_value() && !d.reason.empty(), "a refusal carries a report and a reason");
        codec::StatusOrErrorReportSpec spec;
        spec.error = *d.refusal;
        spec.note = d.reason;
        require_report(header_about(e), spec, "a refusal report builds and reads back");
        break;
      }
      case hub::Outcome::kAccepted: check_accepted(e, sender, applied); break;
    }
  }

  void check_accepted(const codec::Envelope& e, const std::string& sender, const fuzz::MemoryStore::Applied& applied) {
    const hub::Decision& d = applied.decision;
    const hub::TransactionSnapshot& n = d.next;
    require(n.exists, "an accepted APDU leaves a recorded transaction");
    const bool from_requester = d.sender_role == protocol::Role::kRequester;
    require(sender == (from_requester ? n.requester_symbol : n.responder_symbol),
            "an accepted APDU comes from the party whose role it was decided for");
    require(d.recipient_symbol == (from_requester ? n.responder_symbol : n.requester_symbol),
            "an accepted APDU goes to the other party");
    std::map<std::string, std::int64_t> sums;
    for (const hub::Posting& p : d.postings) sums[p.currency] += p.amount;
    for (const auto& [currency, sum] : sums) require(sum == 0, "postings sum to zero in every currency");
    if (!e.service_date_time.date.empty()) {
      const auto again = hub::decide(hub::Incoming{e, sender, true}, n, store_.policy());
      require(again.outcome == hub::Outcome::kDuplicate, "the same APDU again is a duplicate");
      require(same(again.next, n), "a duplicate changes nothing");
    }
    // The receipt a peer that asked for receipts gets.
    codec::StatusOrErrorReportSpec receipt = hub::status_report_for(status_of(n, e), d.sender_role);
    require_report(header_about(e), receipt, "a receipt builds and reads back");
  }

  void answer_status_query(const codec::Envelope& e, const std::string& sender) {
    const store::TransactionKey k = store::key_of(e);
    auto& records = store_.records();
    auto it = records.find({k.initial_requester, k.group_qualifier, k.qualifier, k.sub_qualifier});
    if (it != records.end() && (sender == it->second.snapshot.requester_symbol ||
                                sender == it->second.snapshot.responder_symbol)) {
      const auto role = sender == it->second.snapshot.requester_symbol ? protocol::Role::kRequester
                                                                        : protocol::Role::kResponder;
      require_report(header_about(e), hub::status_report_for(status_of(it->second.snapshot, e), role),
                     "a Status-Query answer builds and reads back");
    } else {
      codec::StatusOrErrorReportSpec spec;
      spec.error = codec::ErrorReportSpec{"Status-Query", codec::TransactionIdProblem::kUnknown};
      require_report(header_about(e), spec, "a Status-Query refusal builds and reads back");
    }
  }

  fuzz::MemoryStore store_;
  std::array<std::optional<codec::StreamFramer>, kPeers.size()> framers_;
};

}  // namespace

void illhub::fuzz::run_session(std::span<const std::uint8_t> input) {
  if (input.empty()) return;
  Session session(input[0]);
  std::size_t pos = 1;
  auto next = [&]() -> std::optional<std::uint8_t> {
    if (pos >= input.size()) return std::nullopt;
    return input[pos++];
  };
  for (int record = 0; record < kMaxRecords; ++record) {
    const auto c = next();
    if (!c) break;
    const std::size_t peer = *c & 3u;
    switch ((*c >> 2) & 3) {
      case 0:
      case 1: {
        const auto k = next();
        const auto v = next();
        if (!k || !v) return;
        const auto& ber = golden(codec::kAllApduKinds[*k % codec::kApduKindCount], *v & 0x0F);
        const std::span<const std::uint8_t> bytes(ber);
        if (((*c >> 2) & 3) == 0) {
          session.feed(peer, bytes);
        } else {
          session.feed(peer, bytes.first(bytes.size() / 2));
          session.feed(peer, bytes.subspan(bytes.size() / 2));
        }
        break;
      }
      case 2: {
        const auto n = next();
        if (!n) return;
        const std::size_t len = std::min<std::size_t>(*n % 64u, input.size() - pos);
        session.feed(peer, input.subspan(pos, len));
        pos += len;
        break;
      }
      default: session.timer((*c & 0x10) != 0, *c >> 5); break;
    }
  }
}

ILLHUB_FUZZ_ENTRY(illhub::fuzz::run_session)
