#include "support/report_history.hpp"

#include <cstring>
#include <fstream>
#include <iterator>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::test {
namespace {

using codec::ApduKind;

std::string file_for(ApduKind kind) {
  std::string file = "yaz-";
  for (char c : codec::to_string(kind)) file += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return file + ".ber";
}

void set_symbol(System_Id& id, const std::string& symbol) {
  if (id.person_or_institution_symbol)
    codec::asn1::set_text(id.person_or_institution_symbol->choice.institution_symbol.choice.generalstring, symbol);
}
// The ids are optional (pointers) in most APDUs and mandatory (members) in the ILL-Request.
void set_symbol(System_Id* id, const std::string& symbol) {
  if (id) set_symbol(*id, symbol);
}

/// What a scenario needs changed in a sample besides its transaction and parties.
struct Tweak {
  long unfilled_reason = 0;     // ILL-Answer: unfilled with this reason
  bool copy = false;            // Shipped: copy-non-returnable
  std::string title;            // ILL-Request
};

Result<codec::Apdu, std::string> make_apdu(const std::string& data_dir, ApduKind kind, const std::string& qualifier,
                                           const std::string& borrower, const std::string& lender, int step,
                                           const Tweak& tweak) {
  std::ifstream in(data_dir + "/apdu/" + file_for(kind), std::ios::binary);
  const std::vector<std::uint8_t> ber{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto apdu = codec::decode(ber);
  if (!apdu) return unexpected("cannot decode " + file_for(kind));
  codec::asn1::visit_apdu(apdu->raw(), [&](auto& a) {
    codec::asn1::set_text(a.transaction_id.transaction_qualifier.choice.generalstring, qualifier);
    codec::asn1::set_text(*a.service_date_time.date_time_of_this_service.time, "1000" + std::to_string(10 + step));
    set_symbol(a.transaction_id.initial_requester_id, borrower);
    set_symbol(a.requester_id, borrower);
    set_symbol(a.responder_id, lender);
  });
  ILL_APDU_t& raw = apdu->raw();
  if (kind == ApduKind::kIllRequest && !tweak.title.empty() && raw.choice.ill_request.item_id.title)
    codec::asn1::set_text(raw.choice.ill_request.item_id.title->choice.generalstring, tweak.title);
  if (kind == ApduKind::kShipped && tweak.copy)
    raw.choice.shipped.shipped_service_type = 2;  // copy-non-returnable
  if (kind == ApduKind::kIllAnswer && tweak.unfilled_reason) {
    ILL_Answer_t& answer = raw.choice.ill_answer;
    auto* explanation = answer.results_explanation;
    if (explanation->present == ILL_Answer__results_explanation_PR_will_supply_results)
      ASN_STRUCT_FREE_CONTENTS_ONLY(asn_DEF_Will_Supply_Results, &explanation->choice.will_supply_results);
    std::memset(&explanation->choice, 0, sizeof explanation->choice);
    explanation->present = ILL_Answer__results_explanation_PR_unfilled_results;
    explanation->choice.unfilled_results.reason_unfilled = tweak.unfilled_reason;
    answer.transaction_results = 3;  // unfilled
  }
  auto bytes = codec::encode(*apdu);
  if (!bytes) return unexpected("cannot re-encode " + file_for(kind));
  auto rekeyed = codec::decode(*bytes);
  if (!rekeyed) return unexpected("cannot decode re-encoded " + file_for(kind));
  return std::move(*rekeyed);
}

struct Step {
  ApduKind kind;
  bool from_borrower;
};

/// The scenarios, by number: what happens to a request.
std::vector<Step> scenario(int n) {
  const Step request{ApduKind::kIllRequest, true}, will_supply{ApduKind::kIllAnswer, false},
      shipped{ApduKind::kShipped, false}, received{ApduKind::kReceived, true},
      returned{ApduKind::kReturned, true}, checked_in{ApduKind::kCheckedIn, false};
  switch (n) {
    case 0:
    case 1: return {request, will_supply, shipped, received, returned, checked_in};  // loan, back
    case 2: return {request, will_supply, shipped, received};                        // copy
    case 3: return {request, {ApduKind::kIllAnswer, false}};                         // unfilled
    case 4: return {request, shipped, received, {ApduKind::kOverdue, false}};        // overdue
    case 5: return {request, will_supply, shipped, received, {ApduKind::kLost, true}};  // lost
    case 6: return {request, shipped, received, returned, {ApduKind::kDamaged, false}};  // damaged
    default: return {request, will_supply, shipped, received};                       // still out
  }
}

}  // namespace

Result<int, std::string> build_report_history(store::TransactionStore& store, store::PgConnection& admin,
                                              const HistoryOptions& options) {
  for (const std::string& symbol : kReportLibraries) {
    auto r = admin.exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES ($1, $1, 'connection') "
                        "ON CONFLICT DO NOTHING", {symbol});
    if (!r) return unexpected(r.error().describe());
  }
  std::vector<std::pair<std::int64_t, std::string>> times;  // event id, received_at
  // not-owned (twice as often), in-use-on-loan, not-found-as-cited, cost-exceeds-limit.
  const std::vector<long> reasons = {5, 1, 17, 5, 13};
  int applied = 0;
  for (int i = 0; i < options.transactions; ++i) {
    // Deterministic but irregular choices, so months and libraries differ from each other.
    auto pick = [i](std::uint32_t salt, std::uint32_t range) {
      std::uint32_t h = static_cast<std::uint32_t>(i) * 2654435761u ^ salt * 40503u;
      h ^= h >> 15;
      h *= 2246822519u;
      h ^= h >> 13;
      return static_cast<int>(h % range);
    };
    const int b = pick(1, 3), l = (b + 1 + pick(2, 2)) % 3;
    const std::string borrower = kReportLibraries[static_cast<std::size_t>(b)];
    const std::string lender = kReportLibraries[static_cast<std::size_t>(l)];
    // Outcome, by weight out of 50: 20 returned loans, 6 copies, 6 unfilled, 5 overdue,
    // 3 lost, 3 damaged after return, 7 still out. The first eight cover each at least once.
    static constexpr int kWeights[8] = {10, 10, 6, 6, 5, 3, 3, 7};
    int kind = i < 8 ? i : 0;
    if (i >= 8)
      for (int roll = pick(3, 50); kind < 7 && roll >= kWeights[kind]; roll -= kWeights[kind]) ++kind;
    Tweak tweak;
    tweak.copy = kind == 2;
    tweak.unfilled_reason = kind == 3 ? reasons[static_cast<std::size_t>(pick(4, 5))] : 0;
    // A few popular titles (one spelled with a trailing blank now and then), many single ones.
    static const char* kPopular[] = {"A much requested handbook", "Rare pamphlet", "Collected essays on cataloguing"};
    const int t = pick(5, 10);
    tweak.title = t < 3 ? std::string(kPopular[t]) + (pick(6, 4) == 0 ? " " : "") : "Monograph number " + std::to_string(i);
    // Every month has a request; day 1..25; each step 6 hours to 3 days after the previous one.
    const int month = i < options.months ? i : pick(7, static_cast<std::uint32_t>(options.months));
    const int day = 1 + pick(8, 25);
    int hour = pick(9, 24);
    const std::string qualifier = "RPT" + std::to_string(i);
    int step = 0;
    for (const Step& s : scenario(kind)) {
      auto apdu = make_apdu(options.data_dir, s.kind, qualifier, borrower, lender, step, tweak);
      if (!apdu) return unexpected(apdu.error());
      auto r = store.apply(*apdu, s.from_borrower ? borrower : lender);
      if (!r) return unexpected(r.error().describe());
      if (r->outcome != hub::Outcome::kAccepted)
        return unexpected(qualifier + " " + std::string(codec::to_string(s.kind)) + " not accepted: " + r->decision.reason);
      char stamp[64];
      std::snprintf(stamp, sizeof stamp, "2025-%02d-%02d 00:00:00+00", 1 + month, day);
      times.emplace_back(r->event_id, std::string(stamp) + "|" + std::to_string(hour));
      hour += 6 + pick(10 + static_cast<std::uint32_t>(step), 66);
      ++step;
      ++applied;
    }
  }
  // Move the events to the scenario's times (see the header for why this is allowed here).
  auto begin = admin.exec("SET session_replication_role = replica");
  if (!begin) return unexpected(begin.error().describe());
  for (const auto& [id, when] : times) {
    const std::string day = when.substr(0, when.find('|')), hours = when.substr(when.find('|') + 1);
    auto r = admin.exec("UPDATE events SET received_at = $1::timestamptz + make_interval(hours => $2::int) "
                        "WHERE id = $3", {day, hours, id});
    if (!r) return unexpected(r.error().describe());
  }
  auto end = admin.exec("SET session_replication_role = origin");
  if (!end) return unexpected(end.error().describe());
  return applied;
}

}  // namespace illhub::test
