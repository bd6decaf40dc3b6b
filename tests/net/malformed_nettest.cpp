// illd under malformed input (docs/NET.md, "Malformed input"): one table of classes of bad
// bytes, each sent on a connection of its own to a real illd, each with the answer it must get
// (a Status-Or-Error-Report with a given General-Problem, read back with our decoder, within
// 1 s; or the connection closed when the stream cannot be re-framed) and nothing recorded for
// it. Meanwhile a whole loan runs on two other connections and must complete. The table runs
// several rounds; illd's resident memory after them must be close to what it was after the
// first. Every wait is bounded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include "illhub/codec/render.hpp"
#include "net/ber_tree.hpp"
#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

using Clock = std::chrono::steady_clock;
using codec::GeneralProblem;

/// IRL:MAL sends the malformed input. Its address belongs to it alone, so its connections are
/// bound at connect; nobody sends it anything, so no delivery ever lands on them.
constexpr const char* kMalformedAddress = "127.0.0.5";
/// The suite's limits: a slow sender is closed after 1 s instead of the default 30 s, so the
/// "one byte every ten seconds" class takes ~1 s; APDUs over 64 KiB are refused.
constexpr auto kApduTimeout = 1s;
constexpr std::size_t kMaxApduBytes = 64 * 1024;
/// How long a report may take.
constexpr auto kAnswerWithin = 1s;

/// How a case's bytes go out.
enum class Send {
  kAtOnce,               // all of them, then read the answers
  kThenHalfClose,        // all of them, then shutdown(SHUT_WR): the hub reads end-of-stream
  kThenWait,             // all of them, then silence
  kByteEveryTenSeconds,  // one byte, ten seconds, the next byte, ... until the hub closes
};

/// What becomes of the connection after the answers.
enum class Then {
  kStaysOpen,             // the stream re-frames: the next bad frame is answered too
  kClosed,                // closed within kAnswerWithin of the last answer (or of the bytes)
  kClosedByApduTimeout,   // closed once limits.apdu_timeout has run from the first byte
};

/// A General-Problem error report whose correlation-information is "frame N".
struct Report {
  GeneralProblem problem;
  std::uint64_t frame = 1;
};

/// Rows the database gains: events, transactions and outbox.
struct Rows {
  int events = 0, transactions = 0, outbox = 0;
};

struct Case {
  std::string name;
  Bytes bytes;
  Send send = Send::kAtOnce;
  /// The reports, in order; empty: none at all.
  std::vector<Report> answers;
  Then then = Then::kStaysOpen;
  /// Frames the hub sees in `bytes` (the stay-open probe is answered as the next one).
  std::uint64_t frames = 1;
  /// Nothing for every malformed class; a valid APDU is recorded like any other.
  Rows recorded = {};
  /// Seeded random bytes: which reports come is not known in advance, only that every one is
  /// a general-problem report and that the connection is closed in the end.
  bool unknown_general_problems = false;
};

bool slow(const Case& c) {
  return c.send == Send::kThenWait || c.send == Send::kByteEveryTenSeconds || c.unknown_general_problems;
}

// ---- Building the bytes --------------------------------------------------------------------

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes repeat(const Bytes& unit, std::size_t times) {
  Bytes out;
  for (std::size_t i = 0; i < times; ++i) out.insert(out.end(), unit.begin(), unit.end());
  return out;
}

/// IRL:MAL's ILL-Request `qualifier` to IRL:OTH (registered, never connected: a recorded one
/// waits in the outbox), as YAZ encodes it: [APPLICATION 1] { SEQUENCE { fields } }.
Bytes good_request(const std::string& qualifier, std::size_t note_bytes = 0) {
  testing::SampleOptions o;
  o.requester_symbol = "IRL:MAL";
  o.responder_symbol = "IRL:OTH";
  o.qualifier = qualifier;
  o.time = "090000";
  if (note_bytes > 0) o.note = std::string(note_bytes, 'n');
  return testing::yaz_encode_sample(kIllRequest, o);
}

/// good_request() with one edit applied to its tree: `edit` gets the APDU and its SEQUENCE.
Bytes edited_request(const std::string& qualifier, const std::function<void(BerNode& apdu, BerNode& fields)>& edit) {
  auto tree = parse_ber(good_request(qualifier));
  EXPECT_TRUE(tree && tree->children.size() == 1) << "the YAZ sample is not [APPLICATION 1] { SEQUENCE }";
  if (!tree || tree->children.size() != 1) return {};
  edit(*tree, tree->children[0]);
  return encode_ber(*tree);
}

BerNode& must(BerNode* node) {
  if (!node) throw std::runtime_error("the YAZ sample lacks a field the case edits");
  return *node;
}

/// `depth` constructed values nested in one another around an empty primitive, with definite
/// lengths; written outside-in without recursion.
Bytes nested_definite(std::size_t depth) {
  std::vector<std::size_t> inner(depth + 1);  // contents length at each level, innermost last
  inner[depth] = 0;
  auto header = [](std::size_t len) -> Bytes {
    if (len < 0x80) return {static_cast<std::uint8_t>(len)};
    Bytes octets;
    for (std::size_t l = len; l > 0; l >>= 8) octets.insert(octets.begin(), static_cast<std::uint8_t>(l));
    octets.insert(octets.begin(), static_cast<std::uint8_t>(0x80 | octets.size()));
    return octets;
  };
  std::size_t below = 2;  // the innermost 80 00
  for (std::size_t level = depth; level-- > 0;) {
    inner[level] = below;
    below = 1 + header(below).size() + below;
  }
  Bytes out;
  out.reserve(below);
  for (std::size_t level = 0; level < depth; ++level) {
    out.push_back(level == 0 ? 0x61 : 0xa0);
    const Bytes h = header(inner[level]);
    out.insert(out.end(), h.begin(), h.end());
  }
  out.push_back(0x80);
  out.push_back(0x00);
  return out;
}

Bytes seeded_garbage(std::uint32_t seed, std::size_t size) {
  std::mt19937 prng(seed);  // mt19937's sequence is fixed by the standard: the same bytes everywhere
  Bytes out(size);
  for (auto& b : out) b = static_cast<std::uint8_t>(prng());
  return out;
}

/// The table: every class of malformed input and what illd must answer. `round` makes the
/// qualifiers of the valid cases unique (each round records them anew).
std::vector<Case> malformed_cases(int round) {
  using G = GeneralProblem;
  const std::string r = std::to_string(round);
  const Bytes request = good_request("BAD" + r);
  const Bytes half(request.begin(), request.begin() + static_cast<std::ptrdiff_t>(request.size() / 2));

  std::vector<Case> t;
  // -- Streams that cannot be framed: one report, then the connection is closed.
  t.push_back({"absurd length: 4 GiB declared", {0x61, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00},
               Send::kAtOnce, {{G::kOther}}, Then::kClosed});
  t.push_back({"absurd length: 8 length octets, 2^63 bytes declared",
               {0x61, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00},
               Send::kAtOnce, {{G::kOther}}, Then::kClosed});
  t.push_back({"more than 8 length octets", {0x61, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x30, 0x00},
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"reserved length octet 0xFF", {0x61, 0xff, 0x30, 0x00}, Send::kAtOnce,
               {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"indefinite length on a primitive (the APDU's own tag)", {0x41, 0x80, 0x02, 0x00, 0x00},
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"indefinite length on a primitive (inside)", {0x61, 0x80, 0x80, 0x80, 0x02, 0x00, 0x00, 0x00, 0x00},
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"stray end-of-contents", {0x00, 0x00}, Send::kAtOnce, {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"end-of-contents not 00 00", {0x61, 0x80, 0x80, 0x01, 0x02, 0x00, 0x01}, Send::kAtOnce,
               {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"value longer than its container", {0x61, 0x03, 0x80, 0x05, 0x02}, Send::kAtOnce,
               {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"tag number longer than 4 octets", {0x7f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00}, Send::kAtOnce,
               {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"10,000-deep nesting, indefinite lengths",
               cat({{0x61, 0x80}, repeat({0xa0, 0x80}, 9'999), repeat({0x00, 0x00}, 10'000)}), Send::kAtOnce,
               {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"10,000-deep nesting, definite lengths", nested_definite(10'000), Send::kAtOnce,
               {{G::kBadlyStructuredApdu}}, Then::kClosed});
  t.push_back({"oversize APDU (a 70,000-byte note, limit 64 KiB)", good_request("HUGE" + r, 70'000), Send::kAtOnce,
               {{G::kOther}}, Then::kClosed});

  // -- Whole frames that do not decode: a report each, and the connection carries on.
  t.push_back({"unknown APPLICATION tag ([APPLICATION 30])", {0x7e, 0x03, 0x02, 0x01, 0x00}, Send::kAtOnce,
               {{G::kUnrecognizedApdu}}});
  t.push_back({"not an APDU at all (a UNIVERSAL SEQUENCE)", {0x30, 0x03, 0x02, 0x01, 0x00}, Send::kAtOnce,
               {{G::kUnrecognizedApdu}}});
  t.push_back({"an APDU tag in primitive form", {0x41, 0x01, 0x00}, Send::kAtOnce, {{G::kUnrecognizedApdu}}});
  t.push_back({"empty APDU", {0x61, 0x00}, Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"ILL-Request holding an INTEGER", {0x61, 0x03, 0x02, 0x01, 0x05}, Send::kAtOnce,
               {{G::kBadlyStructuredApdu}}});
  t.push_back({"unknown CHOICE arm (a UTF8String as ILL-String)",
               edited_request("BAD" + r,
                              [](BerNode&, BerNode& f) {
                                must(must(f.child(0xa1)).child(0xa2)).children.at(0).tag = {0x0c};
                              }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"SIZE violation: iLL-service-type with 6 entries (at most 5)",
               edited_request("BAD" + r,
                              [](BerNode&, BerNode& f) {
                                must(f.child(0xa9)).children.assign(6, primitive(0x0a, {0x01}));
                              }),
               Send::kAtOnce, {{G::kMistypedApdu}}});
  t.push_back({"SIZE violation: iLL-service-type empty (at least 1)",
               edited_request("BAD" + r, [](BerNode&, BerNode& f) { must(f.child(0xa9)).children.clear(); }),
               Send::kAtOnce, {{G::kMistypedApdu}}});
  t.push_back({"alphabet violation: '@' in an EDIFACTString",
               edited_request("BAD" + r,
                              [](BerNode&, BerNode& f) {
                                BerNode& s = must(must(f.child(0xa1)).child(0xa2)).children.at(0);
                                s.tag = {0x1a};
                                s.value = {'T', '@', '1'};
                              }),
               Send::kAtOnce, {{G::kMistypedApdu}}});
  t.push_back({"alphabet violation: letters in an AmountString",
               edited_request("BAD" + r,
                              [](BerNode&, BerNode& f) {
                                BerNode& maximum_cost = must(must(f.child(0xb2)).child(0xa1));
                                must(maximum_cost.child(0x81)).value = {'2', 'X', '.', '0', '0'};
                              }),
               Send::kAtOnce, {{G::kMistypedApdu}}});
  t.push_back({"missing mandatory field: transaction-id",
               edited_request("BAD" + r, [](BerNode&, BerNode& f) { EXPECT_TRUE(f.remove_child(0xa1)); }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"missing mandatory field: item-id",
               edited_request("BAD" + r, [](BerNode&, BerNode& f) { EXPECT_TRUE(f.remove_child(0xb0)); }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"an unknown field ([30]) after the last one",
               edited_request("BAD" + r, [](BerNode&, BerNode& f) { f.children.push_back(primitive(0x9e, {0x00})); }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"trailing bytes inside the APDU, after its SEQUENCE",
               edited_request("BAD" + r, [](BerNode& a, BerNode&) { a.children.push_back(primitive(0x02, {0x05})); }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"protocol-version-num 3",
               edited_request("BAD" + r, [](BerNode&, BerNode& f) { must(f.child(0x80)).value = {0x03}; }),
               Send::kAtOnce, {{G::kProtocolVersionNotSupported}}});
  t.push_back({"oversize INTEGER: protocol-version-num of 20 octets",
               edited_request("BAD" + r,
                              [](BerNode&, BerNode& f) {
                                Bytes big(20, 0x00);
                                big[0] = 0x01;
                                must(f.child(0x80)).value = big;
                              }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"oversize ENUMERATED: an ILL-Service-Type of 20 octets",
               edited_request("BAD" + r,
                              [](BerNode&, BerNode& f) {
                                Bytes big(20, 0x00);
                                big[0] = 0x01;
                                must(f.child(0xa9)).children.assign(1, primitive(0x0a, big));
                              }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  t.push_back({"primitive where constructed is due (transaction-id)",
               edited_request("BAD" + r,
                              [](BerNode&, BerNode& f) {
                                BerNode& id = must(f.child(0xa1));
                                for (const auto& c : id.children) {
                                  const Bytes b = encode_ber(c);
                                  id.value.insert(id.value.end(), b.begin(), b.end());
                                }
                                id.children.clear();
                                id.constructed = false;
                                id.tag = {0x81};
                                id.length = BerNode::Length::kMinimal;
                              }),
               Send::kAtOnce, {{G::kBadlyStructuredApdu}}});
  {
    Case burst{"a burst of 200 undecodable frames", repeat({0x30, 0x00}, 200), Send::kAtOnce, {}};
    for (std::uint64_t n = 1; n <= 200; ++n) burst.answers.push_back({G::kUnrecognizedApdu, n});
    burst.frames = 200;
    t.push_back(std::move(burst));
  }

  // -- Valid encodings: recorded like any other APDU, no answer.
  t.push_back({"mixed length forms (long-form definite, indefinite, minimal): valid",
               edited_request("MIX" + r,
                              [](BerNode& a, BerNode& f) {
                                a.length = BerNode::Length::kLongFour;
                                f.length = BerNode::Length::kIndefinite;
                                must(f.child(0xa1)).length = BerNode::Length::kLongFour;
                                must(f.child(0xb0)).length = BerNode::Length::kIndefinite;
                              }),
               Send::kAtOnce, {}, Then::kStaysOpen, 1, {1, 1, 1}});
  t.push_back({"trailing bytes after a valid APDU: the APDU is recorded, the bytes are the next frame",
               cat({good_request("TRAIL" + r), {0x02, 0x01, 0x05}}), Send::kAtOnce,
               {{G::kUnrecognizedApdu, 2}}, Then::kStaysOpen, 2, {1, 1, 1}});

  // -- A started APDU that never completes: no answer (there is no frame to answer); closed.
  t.push_back({"truncated APDU, then the peer half-closes", half, Send::kThenHalfClose, {}, Then::kClosed});
  t.push_back({"truncated APDU, then silence", half, Send::kThenWait, {}, Then::kClosedByApduTimeout});
  t.push_back({"one byte every ten seconds", request, Send::kByteEveryTenSeconds, {}, Then::kClosedByApduTimeout});
  t.push_back({"4 KiB of seeded random bytes", seeded_garbage(0x10161u + static_cast<std::uint32_t>(round), 4096),
               Send::kThenWait, {}, Then::kClosedByApduTimeout});
  t.back().unknown_general_problems = true;
  return t;
}

// ---- Reading the answers --------------------------------------------------------------------

/// What a Status-Or-Error-Report says, as our decoder reads it ("" for what is absent).
struct ReportSeen {
  bool decoded = false;
  std::string general_problem;
  std::string correlation;
  std::string qualifier;
};

ReportSeen read_report(const Bytes& frame) {
  ReportSeen seen;
  auto apdu = codec::decode(frame);
  if (!apdu) return seen;
  seen.decoded = true;
  const auto j = nlohmann::json::parse(codec::to_json(*apdu));
  const auto at = [&j](const char* pointer) {
    const nlohmann::json::json_pointer p(pointer);
    return j.contains(p) && j.at(p).is_string() ? j.at(p).get<std::string>() : std::string();
  };
  seen.general_problem = at("/status-or-error-report/error-report/provider-error-report/general-problem");
  seen.correlation = at("/status-or-error-report/error-report/correlation-information");
  seen.qualifier = at("/status-or-error-report/transaction-id/transaction-qualifier");
  return seen;
}

/// The next frame on `peer` must be a general-problem report `want` about frame `want.frame`.
void expect_report(TestPeer& peer, const Report& want) {
  const auto frame = peer.receive(kAnswerWithin);
  ASSERT_TRUE(frame) << "no answer within 1 s to frame " << want.frame;
  const ReportSeen seen = read_report(*frame);
  ASSERT_TRUE(seen.decoded) << "the answer does not decode";
  EXPECT_EQ(seen.general_problem, codec::to_string(want.problem)) << "frame " << want.frame;
  EXPECT_EQ(seen.correlation, "frame " + std::to_string(want.frame));
  EXPECT_EQ(seen.qualifier, "unknown");
}

/// Sends `c` on a connection of its own and checks the answers and what becomes of the
/// connection. Database checks are the caller's.
void run_case(const Case& c, std::uint16_t port) {
  SCOPED_TRACE(c.name);
  ASSERT_FALSE(c.bytes.empty());
  TestPeer peer;
  ASSERT_TRUE(peer.connect(port, kMalformedAddress)) << peer.error();
  const auto started = Clock::now();
  switch (c.send) {
    case Send::kAtOnce:
    case Send::kThenWait:
      ASSERT_TRUE(peer.send(c.bytes)) << peer.error();
      break;
    case Send::kThenHalfClose:
      ASSERT_TRUE(peer.send(c.bytes)) << peer.error();
      ASSERT_TRUE(peer.shutdown_send()) << peer.error();
      break;
    case Send::kByteEveryTenSeconds: {
      std::size_t sent = 0;
      bool closed = false;
      while (sent < c.bytes.size() && !closed) {
        if (!peer.send({c.bytes[sent]})) break;
        ++sent;
        closed = peer.wait_closed(10s);
      }
      EXPECT_TRUE(closed) << "still open after " << sent << " bytes";
      EXPECT_EQ(sent, 1u) << "the hub waited for more than the first byte";
      EXPECT_GE(Clock::now() - started, kApduTimeout) << "closed before limits.apdu_timeout";
      EXPECT_LT(Clock::now() - started, kApduTimeout + kAnswerWithin);
      return;
    }
  }

  if (c.unknown_general_problems) {
    int reports = 0;
    while (reports < 100) {
      const auto frame = peer.receive(kApduTimeout + kAnswerWithin);
      if (!frame) break;
      ++reports;
      const ReportSeen seen = read_report(*frame);
      EXPECT_TRUE(seen.decoded && !seen.general_problem.empty())
          << "answer " << reports << " is no general-problem report";
    }
    EXPECT_TRUE(peer.wait_closed(0ms)) << "neither answered nor closed";
    std::printf("[ malformed ] %s: %d report(s), then closed\n", c.name.c_str(), reports);
    return;
  }

  for (const auto& want : c.answers) {
    expect_report(peer, want);
    if (::testing::Test::HasFatalFailure()) return;
  }
  switch (c.then) {
    case Then::kStaysOpen: {
      // A further undecodable frame is answered as the next frame: the stream re-framed, and
      // nothing else was sent in between (a report to an APDU that needed none, say).
      ASSERT_TRUE(peer.send({0x30, 0x00})) << "closed: " << peer.error();
      expect_report(peer, {GeneralProblem::kUnrecognizedApdu, c.frames + 1});
      break;
    }
    case Then::kClosed:
      EXPECT_FALSE(peer.receive(kAnswerWithin)) << "more than the expected answers";
      EXPECT_TRUE(peer.wait_closed(0ms)) << "not closed within 1 s";
      break;
    case Then::kClosedByApduTimeout:
      EXPECT_FALSE(peer.receive(kApduTimeout + kAnswerWithin)) << "an answer to a frame never completed";
      EXPECT_TRUE(peer.wait_closed(0ms)) << "not closed within apdu_timeout + 1 s";
      EXPECT_GE(Clock::now() - started, kApduTimeout) << "closed before limits.apdu_timeout";
      break;
  }
}

/// illd's resident set (VmRSS) in KiB, or -1.
long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

class Malformed : public IlldFixture {
 protected:
  void SetUp() override {
    IlldFixture::SetUp();
    if (HasFatalFailure()) return;
    add_peer("IRL:BOR", "127.0.0.2/32");
    add_peer("IRL:LEN", "127.0.0.3/32");
    add_peer("IRL:MAL", "127.0.0.5/32");
    add_peer("IRL:OTH", "127.0.0.6/32");
    IlldLaunch launch;
    launch.log_level = "info";  // 200-frame bursts for several rounds: keep the log readable
    for (const std::string s : {"limits.apdu_timeout=1s", "limits.max_apdu_bytes=64KiB"}) {
      launch.args.push_back("--set");
      launch.args.push_back(s);
    }
    ASSERT_TRUE(illd_.start(conninfo_, launch)) << illd_.error();
  }

  /// events/transactions/outbox rows that are not the loans'.
  std::string rows_besides_loans() {
    const std::string loans = "(SELECT id FROM transactions WHERE qualifier LIKE 'LOAN%')";
    return text("SELECT (SELECT count(*) FROM events WHERE transaction_id IS NULL OR transaction_id NOT IN " + loans +
                ") || '/' || (SELECT count(*) FROM transactions WHERE qualifier NOT LIKE 'LOAN%') || '/' || "
                "(SELECT count(*) FROM outbox WHERE transaction_id IS NULL OR transaction_id NOT IN " + loans + ")");
  }

  static std::string plus(const std::string& rows, const Rows& more) {
    int e = 0, t = 0, o = 0;
    if (std::sscanf(rows.c_str(), "%d/%d/%d", &e, &t, &o) != 3) return "unreadable: " + rows;
    return std::to_string(e + more.events) + "/" + std::to_string(t + more.transactions) + "/" +
           std::to_string(o + more.outbox);
  }

  /// A whole loan `qualifier` between IRL:BOR and IRL:LEN on connections of their own, relayed
  /// byte for byte, one step every 100 ms. Runs on its own thread.
  void run_loan(const std::string& qualifier) {
    TestPeer borrower, lender;
    ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
    ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
    int n = 0;
    for (const auto& [kind, from_borrower] : kLoanSteps) {
      const Bytes sent = apdu(kind, qualifier, "1000" + std::to_string(10 + n++));
      TestPeer& sender = from_borrower ? borrower : lender;
      TestPeer& recipient = from_borrower ? lender : borrower;
      ASSERT_TRUE(sender.send(sent)) << qualifier << ": " << sender.error();
      const auto got = recipient.receive();
      ASSERT_TRUE(got) << qualifier << ": APDU kind " << kind << " did not arrive";
      EXPECT_EQ(*got, sent) << qualifier << ": APDU kind " << kind << " changed on the way";
      std::this_thread::sleep_for(100ms);
    }
  }

  /// One round: the loan on its thread, the slow cases each on a thread, the others in turn,
  /// each followed by a look at the database.
  void run_round(int round) {
    const auto cases = malformed_cases(round);
    const std::string before = rows_besides_loans();
    const std::string loan = "LOAN" + std::to_string(round);
    std::thread loan_thread([this, &loan] { run_loan(loan); });
    std::vector<std::thread> slow_threads;
    for (const auto& c : cases)
      if (slow(c)) slow_threads.emplace_back([&c, this] { run_case(c, illd_.port()); });

    Rows total;
    for (const auto& c : cases) {
      if (slow(c)) continue;
      const std::string rows = rows_besides_loans();
      run_case(c, illd_.port());
      EXPECT_TRUE(eventually_rows(plus(rows, c.recorded))) << c.name << ": recorded " << rows_besides_loans()
                                                            << ", expected " << plus(rows, c.recorded);
      total.events += c.recorded.events;
      total.transactions += c.recorded.transactions;
      total.outbox += c.recorded.outbox;
    }
    for (auto& t : slow_threads) t.join();
    loan_thread.join();
    EXPECT_EQ(rows_besides_loans(), plus(before, total)) << "round " << round;
    EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions WHERE qualifier = '" +
                               loan + "'",
                           "15/15"))
        << loan << " did not complete";
  }

  bool eventually_rows(const std::string& want) {
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline) {
      if (rows_besides_loans() == want) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
};

// The whole table, round after round, then illd's resident memory. The bound: 2 MiB over the
// baseline taken after the warm-up round. A leak of one Session per connection (its reader's
// 16 KiB buffer alone lives in the coroutine frame) would add over 16 KiB x 38 connections x
// 10 rounds ~ 6 MiB; what glibc's arenas and the log keep after the warm-up is far below 2 MiB
// (measured: under 100 KiB). Under AddressSanitizer freed memory sits in ASan's quarantine, so
// resident memory says nothing about leaks there: the figures are printed, not bounded, and
// LeakSanitizer checks illd's exit instead (the fixture requires exit status 0).
TEST_F(Malformed, EveryClassGetsItsAnswerNothingIsRecordedLoansCompleteAndMemoryReturns) {
  run_round(0);  // the warm-up: threads, pools, caches and the allocator's arenas settle
  ASSERT_FALSE(HasFailure()) << "the table failed on the first round";
  const long baseline = resident_kib(illd_.pid());
  ASSERT_GT(baseline, 0);
  constexpr int kRounds = 10;
  long peak = baseline;
  for (int round = 1; round <= kRounds && !HasFailure(); ++round) {
    run_round(round);
    peak = std::max(peak, resident_kib(illd_.pid()));
  }
  const long after = resident_kib(illd_.pid());
  std::printf("[ malformed ] %zu classes x %d rounds after a warm-up round; illd VmRSS baseline %ld KiB, "
              "peak %ld KiB, after %ld KiB (%+ld KiB)\n",
              malformed_cases(0).size(), kRounds, baseline, peak, after, after - baseline);
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(after - baseline, 2 * 1024) << "illd's memory grew by " << (after - baseline) << " KiB";
#endif
}

}  // namespace
}  // namespace illhub::test
