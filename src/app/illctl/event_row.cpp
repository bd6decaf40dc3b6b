#include "app/illctl/event_row.hpp"

#include "illhub/codec/apdu_kind.hpp"
#include "illhub/protocol/state.hpp"

namespace illhub::app {
namespace {

std::optional<int> optional_int(const store::PgResult& r, int row, int col) {
  auto v = r.get_int64(row, col);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::string state_name(int value) {
  if (value < 0 || value >= protocol::kStateCount) return "state " + std::to_string(value);
  return std::string(protocol::to_string(static_cast<protocol::State>(value)));
}

/// "requester PENDING->IN-PROCESS" when the side changed, "" when it did not or is unknown.
std::string change(const char* side, const std::optional<int>& before, const std::optional<int>& after) {
  if (!after || before == after) return "";
  return std::string(side) + " " + (before ? state_name(*before) : "?") + "->" + state_name(*after);
}

nlohmann::ordered_json state_json(const std::optional<int>& s) {
  return s ? nlohmann::ordered_json(state_name(*s)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

const char* const kEventRowColumns =
    "e.id, e.xid::text, to_char(e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "e.transaction_id, e.seq, e.direction, coalesce(e.peer_symbol, ''), e.apdu_kind, e.accepted, "
    "e.old_requester_state, e.old_responder_state, e.new_requester_state, e.new_responder_state, "
    "coalesce(e.reason, ''), coalesce(t.initial_requester, ''), coalesce(t.group_qualifier, ''), "
    "coalesce(t.qualifier, ''), coalesce(t.sub_qualifier, ''), coalesce(t.requester_symbol, ''), "
    "coalesce(t.responder_symbol, ''), coalesce(e.operator_name, ''), "
    "coalesce(e.operator_action, ''), e.refers_to_event";

EventRow event_from_row(const store::PgResult& r, int row) {
  EventRow e;
  e.id = r.get_int64(row, 0).value_or(0);
  e.xid = std::string(r.get(row, 1));
  e.time = std::string(r.get(row, 2));
  e.transaction_id = r.get_int64(row, 3);
  e.seq = r.get_int64(row, 4);
  e.direction = std::string(r.get(row, 5));
  e.peer = std::string(r.get(row, 6));
  e.apdu_kind = optional_int(r, row, 7).value_or(0);
  e.accepted = r.get(row, 8) == "t";
  e.old_requester_state = optional_int(r, row, 9);
  e.old_responder_state = optional_int(r, row, 10);
  e.new_requester_state = optional_int(r, row, 11);
  e.new_responder_state = optional_int(r, row, 12);
  e.reason = std::string(r.get(row, 13));
  if (e.transaction_id)
    e.transaction_label = transaction_label(std::string(r.get(row, 14)), std::string(r.get(row, 15)),
                                            std::string(r.get(row, 16)), std::string(r.get(row, 17)));
  e.requester = std::string(r.get(row, 18));
  e.responder = std::string(r.get(row, 19));
  e.operator_name = std::string(r.get(row, 20));
  e.operator_action = std::string(r.get(row, 21));
  e.refers_to_event = r.get_int64(row, 22);
  return e;
}

std::string transaction_label(const std::string& initial_requester, const std::string& group,
                              const std::string& qualifier, const std::string& sub) {
  return initial_requester + "/" + group + "/" + qualifier + (sub.empty() ? "" : "/" + sub);
}

std::string event_kind_name(const EventRow& e) {
  if (e.direction == "operator" && e.operator_action == "override") return "override";
  if (auto kind = codec::apdu_kind_from_tag(e.apdu_kind)) return std::string(codec::to_string(*kind));
  return "APDU " + std::to_string(e.apdu_kind);
}

std::string event_parties(const EventRow& e) {
  if (e.direction == "operator") return "operator " + e.operator_name;
  const std::string peer = e.peer.empty() ? "?" : e.peer;
  if (e.direction == "out") return "hub -> " + (e.peer.empty() ? std::string("(not sent)") : e.peer);
  // An APDU received: it goes to the other party of its transaction.
  std::string other = "?";
  if (!e.requester.empty() && e.peer == e.requester) other = e.responder;
  else if (!e.responder.empty() && e.peer == e.responder) other = e.requester;
  return peer + " -> " + other;
}

std::string render_event_line(const EventRow& e) {
  std::string line = e.time + "  #" + std::to_string(e.id) + "  " +
                     (e.transaction_label.empty() ? "-" : e.transaction_label) + "  " +
                     event_parties(e) + "  " + event_kind_name(e);
  if (e.operator_action == "resend" && e.refers_to_event)
    line += " (resend of #" + std::to_string(*e.refers_to_event) + ")";
  const std::string r = change("requester", e.old_requester_state, e.new_requester_state);
  const std::string s = change("responder", e.old_responder_state, e.new_responder_state);
  if (!r.empty()) line += "  " + r;
  if (!s.empty()) line += (r.empty() ? "  " : ", ") + s;
  if (!e.accepted) line += "  REFUSED: " + e.reason;
  else if (!e.reason.empty()) line += "  (" + e.reason + ")";
  return line;
}

nlohmann::ordered_json render_event_json(const EventRow& e) {
  nlohmann::ordered_json j;
  j["id"] = e.id;
  j["xid"] = e.xid;
  j["time"] = e.time;
  if (e.transaction_id) {
    j["transaction"] = {{"id", *e.transaction_id}, {"label", e.transaction_label},
                        {"requester", e.requester}, {"responder", e.responder}};
  } else {
    j["transaction"] = nullptr;
  }
  j["seq"] = e.seq ? nlohmann::ordered_json(*e.seq) : nlohmann::ordered_json(nullptr);
  j["direction"] = e.direction;
  j["peer"] = e.peer.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.peer);
  j["apdu"] = event_kind_name(e);
  j["accepted"] = e.accepted;
  j["reason"] = e.reason.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.reason);
  j["requester_state"] = {{"old", state_json(e.old_requester_state)}, {"new", state_json(e.new_requester_state)}};
  j["responder_state"] = {{"old", state_json(e.old_responder_state)}, {"new", state_json(e.new_responder_state)}};
  if (e.direction == "operator") {
    j["operator"] = e.operator_name;
    j["action"] = e.operator_action;
    j["refers_to_event"] =
        e.refers_to_event ? nlohmann::ordered_json(*e.refers_to_event) : nlohmann::ordered_json(nullptr);
  }
  return j;
}

}  // namespace illhub::app
