// Text, Graphviz and JSON renderings of the tables. Output depends only on the tables, so
// docs/states/*.dot can be compared byte for byte with what this file produces.
#include "illhub/protocol/table_render.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "illhub/protocol/lenient_profile.hpp"
#include "illhub/protocol/state_table.hpp"

namespace illhub::protocol {
namespace {

std::string_view role_title(Role role) {
  return role == Role::kRequester ? "requester (borrower)" : "responder (lender)";
}

// Display width of UTF-8 text: the arrows are one column, three bytes.
std::size_t width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void pad(std::string& out, std::string_view text, std::size_t columns) {
  out += text;
  for (std::size_t w = width(text); w < columns; ++w) out += ' ';
}

// A resumed target, spelled out: the states from which the role enters CANCEL-PENDING.
std::vector<State> resume_targets(Role role) {
  std::vector<State> out;
  for (const Transition& row : table(role))
    if (!row.target.resume && row.target.state == State::kCancelPending &&
        row.from != State::kCancelPending &&
        std::find(out.begin(), out.end(), row.from) == out.end())
      out.push_back(row.from);
  return out;
}

std::string target_text(const Transition& row) {
  return row.target.resume ? std::string("(state before CANCEL-PENDING)")
                           : std::string(to_string(row.target.state));
}

void table_line(std::string& out, std::string_view prefix, const Transition& row) {
  out += prefix;
  pad(out, to_string(row.from), 22);
  pad(out, to_string(row.event), 36);
  pad(out, target_text(row), 31);
  pad(out, to_string(row.guard), 18);
  pad(out, to_string(row.confidence), 5);
  out += row.why;
  out += '\n';
}

std::string stateless_names() {
  std::string out;
  for (ApduKind kind : kStatelessApdus) {
    if (!out.empty()) out += ", ";
    out += codec::to_string(kind);
  }
  return out;
}

void json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string_view trigger_name(Trigger trigger) {
  switch (trigger) {
    case Trigger::kSend: return "send";
    case Trigger::kReceive: return "receive";
    case Trigger::kTimer: return "timer";
  }
  return "?";
}

void json_row(std::string& out, const Transition& row) {
  out += "{\"from\":";
  json_string(out, to_string(row.from));
  out += ",\"event\":{\"trigger\":";
  json_string(out, trigger_name(row.event.trigger));
  if (row.event.trigger == Trigger::kTimer) {
    out += ",\"timer\":";
    json_string(out, to_string(timer_of(row.event)));
  } else {
    out += ",\"apdu\":";
    json_string(out, codec::to_string(row.event.apdu));
    if (row.event.detail != Detail::kNone) {
      out += ",\"detail\":";
      json_string(out, to_string(row.event.detail));
    }
  }
  out += "},\"to\":";
  if (row.target.resume) {
    out += "null,\"resume\":true";
  } else {
    json_string(out, to_string(row.target.state));
  }
  out += ",\"guard\":";
  json_string(out, to_string(row.guard));
  out += ",\"confidence\":";
  json_string(out, to_string(row.confidence));
  out += ",\"why\":";
  json_string(out, row.why);
  out += '}';
}

// Escapes a label for a double-quoted dot string.
std::string dot_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

struct Edge {
  State from;
  State to;
  std::vector<std::string> labels;
  bool confirmed = false;
};

}  // namespace

std::string render_table(Role role) {
  std::string out = "# ISO 10161 ";
  out += role_title(role);
  out += " state table, strict. → sent, ← received; C confirmed, I inferred.\n";
  out += "# ";
  pad(out, "FROM", 22);
  pad(out, "EVENT", 36);
  pad(out, "TO", 31);
  pad(out, "GUARD", 18);
  pad(out, "CONF", 5);
  out += "WHY\n";
  for (const Transition& row : table(role)) table_line(out, "  ", row);
  out += "# In every state but IDLE, sent or received, changing no state: ";
  out += stateless_names();
  out += ".\n";
  for (const LenientProfile& profile : lenient_profiles()) {
    out += "# Lenient profile ";
    out += profile.name;
    out += ": ";
    out += profile.summary;
    out += profile.returned_is_final ? " (RETURNED is final)" : "";
    out += '\n';
    for (const ProfileCell& cell : profile.cells)
      if (cell.role == role) table_line(out, "+ ", cell.row);
  }
  return out;
}

std::string render_dot(Role role) {
  std::vector<Edge> edges;
  auto add = [&edges](State from, State to, std::string label, bool confirmed) {
    auto it = std::find_if(edges.begin(), edges.end(),
                           [&](const Edge& e) { return e.from == from && e.to == to; });
    if (it == edges.end()) it = edges.insert(edges.end(), Edge{from, to, {}, false});
    it->labels.push_back(std::move(label));
    it->confirmed = it->confirmed || confirmed;
  };
  for (const Transition& row : table(role)) {
    std::string label = to_string(row.event);
    if (row.guard != Guard::kAlways) {
      label += " [";
      label += to_string(row.guard);
      label += "]";
    }
    const bool confirmed = row.confidence == Confidence::kConfirmed;
    if (row.target.resume) {
      for (State back : resume_targets(role)) add(row.from, back, label, confirmed);
    } else {
      add(row.from, row.target.state, label, confirmed);
    }
  }

  std::string out = "// ISO 10161 ";
  out += role_title(role);
  out += " state table, generated by\n// `illctl states --role ";
  out += to_string(role);
  out += " --format dot`. Do not edit: a unit test compares it with the tables.\n";
  out += "digraph ";
  out += to_string(role);
  out += " {\n";
  out += "  label=\"ISO 10161 ";
  out += role_title(role);
  out += "\\nsolid: confirmed by a public source; dashed: inferred\\n";
  out += "In every state but IDLE, changing no state: ";
  out += stateless_names();
  out += "\";\n";
  out += "  labelloc=t;\n  fontname=\"Helvetica\";\n";
  out += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (State s : named_states(role)) {
    out += "  \"";
    out += to_string(s);
    out += "\"";
    if (s == State::kIdle) out += " [shape=circle]";
    out += ";\n";
  }
  for (const Edge& e : edges) {
    out += "  \"";
    out += to_string(e.from);
    out += "\" -> \"";
    out += to_string(e.to);
    out += "\" [label=\"";
    for (std::size_t i = 0; i < e.labels.size(); ++i) {
      if (i > 0) out += "\\n";
      out += dot_escape(e.labels[i]);
    }
    out += "\"";
    if (!e.confirmed) out += ", style=dashed";
    out += "];\n";
  }
  out += "}\n";
  return out;
}

std::string render_json(Role role) {
  std::string out = "{\"role\":";
  json_string(out, to_string(role));
  out += ",\"transitions\":[";
  bool first = true;
  for (const Transition& row : table(role)) {
    if (!first) out += ',';
    first = false;
    json_row(out, row);
  }
  out += "],\"stateless_apdus\":[";
  first = true;
  for (ApduKind kind : kStatelessApdus) {
    if (!first) out += ',';
    first = false;
    json_string(out, codec::to_string(kind));
  }
  out += "],\"lenient_profiles\":[";
  first = true;
  for (const LenientProfile& profile : lenient_profiles()) {
    if (!first) out += ',';
    first = false;
    out += "{\"name\":";
    json_string(out, profile.name);
    out += ",\"summary\":";
    json_string(out, profile.summary);
    out += ",\"returned_is_final\":";
    out += profile.returned_is_final ? "true" : "false";
    out += ",\"cells\":[";
    bool first_cell = true;
    for (const ProfileCell& cell : profile.cells) {
      if (cell.role != role) continue;
      if (!first_cell) out += ',';
      first_cell = false;
      json_row(out, cell.row);
    }
    out += "]}";
  }
  out += "]}\n";
  return out;
}

}  // namespace illhub::protocol
