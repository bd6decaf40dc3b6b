// The renderings: docs/states/*.dot must be exactly what the tables render (so the committed
// diagrams cannot drift from the code), JSON must parse and hold every row, the text table
// one line per row.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "illhub/protocol/lenient_profile.hpp"
#include "illhub/protocol/state_table.hpp"
#include "illhub/protocol/table_render.hpp"

namespace illhub::protocol {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Graphviz writes '-' in SVG text as a character reference.
std::string svg_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '-') out += "&#45;";
    else out += c;
  }
  return out;
}

std::string doc_path(Role role, const char* ext) {
  return std::string(ILLHUB_SOURCE_DIR) + "/docs/states/" + std::string(to_string(role)) + ext;
}

constexpr const char* kRegenerate =
    "docs/states is out of date with the tables; regenerate it:\n"
    "  illctl states --role requester --format dot > docs/states/requester.dot\n"
    "  illctl states --role responder --format dot > docs/states/responder.dot\n"
    "  dot -Tsvg docs/states/requester.dot > docs/states/requester.svg\n"
    "  dot -Tsvg docs/states/responder.dot > docs/states/responder.svg";

TEST(StateDiagrams, CommittedDotFilesAreWhatTheTablesRender) {
  for (Role role : {Role::kRequester, Role::kResponder}) {
    const std::string committed = read_file(doc_path(role, ".dot"));
    ASSERT_FALSE(committed.empty()) << doc_path(role, ".dot") << " missing\n" << kRegenerate;
    EXPECT_EQ(committed, render_dot(role)) << kRegenerate;
  }
}

TEST(StateDiagrams, CommittedSvgsShowEveryStateAndEdgeOfTheDot) {
  for (Role role : {Role::kRequester, Role::kResponder}) {
    const std::string svg = read_file(doc_path(role, ".svg"));
    ASSERT_FALSE(svg.empty()) << doc_path(role, ".svg") << " missing\n" << kRegenerate;
    for (State s : named_states(role))
      EXPECT_NE(svg.find(">" + svg_text(to_string(s)) + "<"), std::string::npos)
          << to_string(s) << " not drawn in " << doc_path(role, ".svg") << "\n" << kRegenerate;
    // dot writes one <g class="edge"> per edge statement of the .dot file.
    const std::string dot = render_dot(role);
    std::size_t dot_edges = 0;
    for (std::size_t at = dot.find(" -> "); at != std::string::npos; at = dot.find(" -> ", at + 1))
      ++dot_edges;
    std::size_t svg_edges = 0;
    for (std::size_t at = svg.find("class=\"edge\""); at != std::string::npos;
         at = svg.find("class=\"edge\"", at + 1))
      ++svg_edges;
    EXPECT_EQ(svg_edges, dot_edges) << kRegenerate;
  }
}

TEST(TableRender, DotIsDeterministicAndDashesInferredOnlyEdges) {
  const std::string dot = render_dot(Role::kResponder);
  EXPECT_EQ(dot, render_dot(Role::kResponder));
  EXPECT_NE(dot.find("\"IDLE\" -> \"IN-PROCESS\" [label=\"←ILL-Request\"];"), std::string::npos);
  EXPECT_NE(dot.find("\"IN-PROCESS\" -> \"SHIPPED\" [label=\"→Shipped\", style=dashed];"),
            std::string::npos);
  // A Cancel-Reply "no" is drawn back to each state a cancel can interrupt.
  for (const char* back : {"IN-PROCESS", "PENDING", "CONDITIONAL"})
    EXPECT_NE(dot.find("\"CANCEL-PENDING\" -> \"" + std::string(back) + "\""), std::string::npos)
        << back;
}

TEST(TableRender, JsonHoldsEveryRowAndEveryProfile) {
  for (Role role : {Role::kRequester, Role::kResponder}) {
    const auto json = nlohmann::json::parse(render_json(role));
    EXPECT_EQ(json["role"], std::string(to_string(role)));
    EXPECT_EQ(json["transitions"].size(), table(role).size());
    EXPECT_EQ(json["stateless_apdus"].size(), kStatelessApdus.size());
    EXPECT_EQ(json["lenient_profiles"].size(), lenient_profiles().size());
    const auto& first = json["transitions"][0];
    EXPECT_EQ(first["from"], "IDLE");
    EXPECT_EQ(first["event"]["apdu"], "ILL-Request");
    EXPECT_EQ(first["confidence"], "C");
  }
}

TEST(TableRender, TextHasOneLinePerRowAndMarksProfileCells) {
  for (Role role : {Role::kRequester, Role::kResponder}) {
    const std::string text = render_table(role);
    std::size_t rows = 0;
    std::size_t extra = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("  ", 0) == 0) ++rows;
      if (line.rfind("+ ", 0) == 0) ++extra;
    }
    EXPECT_EQ(rows, table(role).size());
    std::size_t cells = 0;
    for (const LenientProfile& p : lenient_profiles())
      for (const ProfileCell& c : p.cells) cells += c.role == role ? 1 : 0;
    EXPECT_EQ(extra, cells);
  }
}

TEST(LenientProfile, EveryExtraCellIsOneTheStrictTableRefuses) {
  for (const LenientProfile& p : lenient_profiles()) {
    EXPECT_EQ(find_lenient_profile(p.name), &p);
    for (const ProfileCell& cell : p.cells) {
      Conditions strict;
      strict.return_variable = Return::kLoan;
      EXPECT_FALSE(find_transition(cell.role, cell.row.from, cell.row.event, strict))
          << p.name << ": " << to_string(cell.row.from) << " " << to_string(cell.row.event)
          << " is already allowed; the profile adds nothing";
      EXPECT_TRUE(find_transition(cell.role, cell.row.from, cell.row.event, strict, &p))
          << p.name;
      EXPECT_TRUE(is_event_of(cell.role, cell.row.event));
    }
  }
  EXPECT_EQ(find_lenient_profile("no-such-profile"), nullptr);
}

}  // namespace
}  // namespace illhub::protocol
