// ScenarioRun: the checking helpers the scenarios share.
#include <cstdio>
#include <thread>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/render.hpp"
#include "sessions/scenario.hpp"

namespace illhub::sessions {

ScenarioRun::ScenarioRun(const Scenario& scenario, HubAddress hub, store::PgConnection& db)
    : scenario_(scenario), hub_(hub), db_(db) {}

std::string ScenarioRun::address(int host) const {
  return "127.1." + std::to_string(scenario_.net) + "." + std::to_string(host);
}

bool ScenarioRun::connect(test::TestPeer& peer, const std::string& source, std::string_view who) {
  const bool connected = peer.connect(hub_.port, source);  // before reading peer.error()
  return expect(connected, std::string(who) + " cannot connect from " + source + ": " + peer.error());
}

Bytes ScenarioRun::sample(int kind, const std::string& qualifier, const Options& options) {
  testing::SampleOptions o;
  o.requester_symbol = borrower_symbol();
  o.responder_symbol = lender_symbol();
  o.qualifier = qualifier;
  // 10:MM:SS with the scenario's net as the minute: every APDU of the set has its own time, so
  // that no two APDUs anywhere in the recordings are the same bytes.
  char time[16];  // "10MMSS" and room for the compiler's worst case
  std::snprintf(time, sizeof time, "10%02d%02d", scenario_.net % 60, ++service_time_ % 60);
  o.time = time;
  if (options) options(o);
  return testing::yaz_encode_sample(kind, o);
}

bool ScenarioRun::relay(test::TestPeer& from, test::TestPeer& to, const Bytes& apdu, std::string_view what) {
  const bool sent = from.send(apdu);  // before reading from.error()
  if (!expect(sent, std::string(what) + ": cannot send: " + from.error())) return false;
  const auto got = to.receive();
  if (!expect(got.has_value(), std::string(what) + " was not relayed")) return false;
  return expect(*got == apdu, std::string(what) + " changed on the way");
}

std::string ScenarioRun::report(test::TestPeer& peer, std::string_view what, bool error_report) {
  const auto frame = peer.receive();
  if (!expect(frame.has_value(), std::string(what) + ": no answer from the hub")) return {};
  const auto yaz = testing::yaz_decode(*frame);
  if (!expect(yaz.ok && yaz.kind == kStatusOrErrorReport,
              std::string(what) + ": the answer is not a Status-Or-Error-Report YAZ can read (" + yaz.error + ")"))
    return {};
  auto ours = codec::decode(*frame);
  if (!expect(ours.has_value(), std::string(what) + ": our codec cannot decode the answer")) return {};
  const codec::Envelope envelope = codec::read_envelope(*ours);
  const bool has = error_report ? envelope.has_error_report : envelope.has_status_report;
  const std::string json = codec::to_json(*ours);
  if (!expect(has, std::string(what) + ": the answer has no " + (error_report ? "error" : "status") +
                       " report: " + json))
    return {};
  return json;
}

void ScenarioRun::nothing_arrives(test::TestPeer& peer, std::string_view who, std::chrono::milliseconds wait) {
  expect(!peer.receive(wait).has_value(), "something unexpected reached " + std::string(who));
}

std::string ScenarioRun::query(std::string_view sql, std::initializer_list<store::PgParam> params) {
  auto r = db_.exec(sql, params);
  if (!expect(r.has_value(), std::string(sql) + ": " + (r ? std::string() : r.error().describe()))) return {};
  return r->rows() > 0 ? std::string(r->get(0, 0)) : std::string();
}

bool ScenarioRun::eventually(std::string_view sql, std::initializer_list<store::PgParam> params,
                             const std::string& want, std::string_view what, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string got;
  for (;;) {
    auto r = db_.exec(sql, params);
    if (!expect(r.has_value(), std::string(sql) + ": " + (r ? std::string() : r.error().describe()))) return false;
    got = r->rows() > 0 ? std::string(r->get(0, 0)) : std::string();
    if (got == want) return true;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return expect(false, std::string(what) + ": still '" + got + "' after " + std::to_string(timeout.count()) +
                           " ms, want '" + want + "'");
}

std::string ScenarioRun::states(const std::string& qualifier) {
  return query(
      "SELECT requester_state || '/' || responder_state FROM transactions "
      "WHERE initial_requester = $1 AND qualifier = $2",
      {borrower_symbol(), qualifier});
}

bool ScenarioRun::expect(bool ok, std::string failure) {
  if (!ok) failures_.push_back(std::move(failure));
  return ok;
}

bool ScenarioRun::expect_contains(const std::string& text, std::string_view part, std::string_view what) {
  return expect(text.find(part) != std::string::npos,
                std::string(what) + ": '" + std::string(part) + "' missing from " + text);
}

}  // namespace illhub::sessions
