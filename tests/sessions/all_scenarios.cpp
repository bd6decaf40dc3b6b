// The sessions set in its fixed order: loans, refusals, malformed input, delivery. Appending a
// scenario is safe; renumbering changes every recording's file name (README.md).
#include "sessions/scenario.hpp"

namespace illhub::sessions {

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> all = [] {
    std::vector<Scenario> list;
    for (auto group : {loan_scenarios, refusal_scenarios, malformed_scenarios, delivery_scenarios}) {
      for (auto& s : group()) list.push_back(std::move(s));
    }
    return list;
  }();
  return all;
}

}  // namespace illhub::sessions
