// parse_holdings_marc: ISO 2709 records read byte by byte (leader, directory, fields), never
// trusting a length or offset before checking it against the bytes there are. A broken record
// is reported with its number and byte offset; reading goes on after its record terminator.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "illhub/routing/holdings.hpp"
#include "illhub/routing/normalise.hpp"

namespace illhub::routing {
namespace {

constexpr char kRecordEnd = '\x1D';
constexpr char kFieldEnd = '\x1E';
constexpr char kSubfield = '\x1F';
constexpr std::size_t kLeaderSize = 24;
constexpr std::size_t kEntrySize = 12;

std::optional<std::size_t> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  return v;
}

struct Field {
  std::string tag;
  std::string_view data;  // without the field terminator
};

/// The first $code of a data field, or empty.
std::string subfield(std::string_view data, char code) {
  if (data.size() < 2) return {};
  std::size_t i = data.find(kSubfield, 2);
  while (i != std::string_view::npos && i + 1 < data.size()) {
    const std::size_t end = data.find(kSubfield, i + 1);
    if (data[i + 1] == code) return std::string(data.substr(i + 2, (end == std::string_view::npos ? data.size() : end) - i - 2));
    i = end;
  }
  return {};
}

/// ISBD punctuation at the end of a MARC subfield (" /", " :", ",", ".") is not the title's.
std::string without_trailing_punctuation(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '/' || s.back() == ':' || s.back() == ';' ||
                        s.back() == '=' || s.back() == ',' || s.back() == '.'))
    s.pop_back();
  return s;
}

/// Parses one record's bytes (terminator included) into fields; an error in words.
std::optional<std::string> split_fields(std::string_view record, std::vector<Field>& fields) {
  const auto base = digits(record.substr(12, 5));
  if (!base || *base < kLeaderSize + 1 || *base > record.size())
    return "base address of data \"" + std::string(record.substr(12, 5)) + "\" is outside the record";
  if (record[*base - 1] != kFieldEnd) return "the directory does not end with a field terminator";
  const std::string_view directory = record.substr(kLeaderSize, *base - 1 - kLeaderSize);
  if (directory.size() % kEntrySize != 0) return "the directory's length is not a multiple of 12";
  const std::string_view data = record.substr(*base, record.size() - *base - 1);
  for (std::size_t e = 0; e < directory.size(); e += kEntrySize) {
    const std::string tag(directory.substr(e, 3));
    const auto length = digits(directory.substr(e + 3, 4));
    const auto start = digits(directory.substr(e + 7, 5));
    if (!length || !start || *length == 0 || *start + *length > data.size())
      return "field " + tag + " lies outside the record";
    const std::string_view bytes = data.substr(*start, *length);
    if (bytes.back() != kFieldEnd) return "field " + tag + " has no field terminator";
    fields.push_back({tag, bytes.substr(0, bytes.size() - 1)});
  }
  return std::nullopt;
}

}  // namespace

ParsedHoldings parse_holdings_marc(std::string_view bytes, const std::string& default_symbol) {
  ParsedHoldings out;
  std::size_t offset = 0;
  int number = 0;
  // At most one record per 25 bytes (leader + terminator): the loop is bounded by the input.
  while (offset < bytes.size()) {
    // Whitespace between records (a trailing newline) is not a record.
    if (bytes.substr(offset).find_first_not_of(" \r\n\t") == std::string_view::npos) break;
    ++number;
    const std::string at = "record " + std::to_string(number) + " (byte " + std::to_string(offset) + "): ";
    const std::string_view rest = bytes.substr(offset);
    auto resync = [&] {
      const std::size_t end = rest.find(kRecordEnd);
      offset = end == std::string_view::npos ? bytes.size() : offset + end + 1;
    };
    const auto length = rest.size() >= kLeaderSize ? digits(rest.substr(0, 5)) : std::nullopt;
    if (!length || *length < kLeaderSize + 2 || *length > rest.size() || rest[*length - 1] != kRecordEnd) {
      out.errors.push_back(at + (rest.size() < kLeaderSize ? std::string("shorter than a leader (24 bytes)")
                                                           : "record length \"" + std::string(rest.substr(0, 5)) +
                                                                 "\" does not end at a record terminator: not ISO 2709?"));
      resync();
      continue;
    }
    const std::string_view record = rest.substr(0, *length);
    offset += *length;
    std::vector<Field> fields;
    if (auto problem = split_fields(record, fields)) {
      out.errors.push_back(at + *problem);
      continue;
    }
    if (record[9] != 'a' &&
        std::any_of(record.begin(), record.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
      out.errors.push_back(at + "MARC-8 text (leader/09 is not 'a'): convert it to UTF-8 first, e.g. "
                                "yaz-marcdump -f MARC-8 -t UTF-8 -o marc -l 9=97 FILE");
      continue;
    }
    HoldingRecord rec;
    rec.position = number;
    bool bad = false;
    auto add = [&](IdKind kind, const std::string& value) {
      const Identifier id{kind, value};
      if (!value.empty() && std::find(rec.identifiers.begin(), rec.identifiers.end(), id) == rec.identifiers.end())
        rec.identifiers.push_back(id);
    };
    auto normalised = [&](IdKind kind, const std::string& tag, const std::string& value) {
      auto norm = kind == IdKind::kIsbn ? normalise_isbn(value) : normalise_issn(value);
      if (norm) add(kind, *norm);
      else {
        out.errors.push_back(at + tag + " $a: " + norm.error());
        bad = true;
      }
    };
    std::string library_852, library_049;
    for (const Field& f : fields) {
      if (f.tag == "001") add(IdKind::kLocal, normalise_local(f.data));
      else if (f.tag == "020") {
        if (auto a = subfield(f.data, 'a'); !a.empty()) normalised(IdKind::kIsbn, f.tag, a);
      } else if (f.tag == "022") {
        if (auto a = subfield(f.data, 'a'); !a.empty()) normalised(IdKind::kIssn, f.tag, a);
      } else if (f.tag == "035") {
        // Only OCLC's numbers: other systems' numbers in 035 mean nothing to other libraries.
        const std::string a = subfield(f.data, 'a');
        if (a.rfind("(OCoLC)", 0) == 0) {
          if (auto n = normalise_oclc(a)) add(IdKind::kOclc, *n);
          else {
            out.errors.push_back(at + "035 $a: " + n.error());
            bad = true;
          }
        }
      } else if (f.tag == "245" && rec.title.empty()) {
        std::string title = without_trailing_punctuation(subfield(f.data, 'a'));
        if (const std::string b = without_trailing_punctuation(subfield(f.data, 'b')); !b.empty()) title += ": " + b;
        rec.title = title;
      } else if ((f.tag == "100" || f.tag == "110") && rec.author.empty()) {
        rec.author = without_trailing_punctuation(subfield(f.data, 'a'));
      } else if (f.tag == "852" && library_852.empty()) {
        library_852 = subfield(f.data, 'a');
      } else if (f.tag == "049" && library_049.empty()) {
        library_049 = subfield(f.data, 'a');
      }
    }
    rec.symbol = !library_852.empty() ? library_852 : !library_049.empty() ? library_049 : default_symbol;
    if (rec.symbol.empty()) {
      out.errors.push_back(at + "no holding library (852 $a or 049 $a); name it with --symbol");
      bad = true;
    }
    if (rec.identifiers.empty() && title_key(rec.title).empty()) {
      out.errors.push_back(at + "no identifier and no title: nothing to match a request by");
      bad = true;
    }
    if (!bad) out.records.push_back(std::move(rec));
  }
  return out;
}

}  // namespace illhub::routing
