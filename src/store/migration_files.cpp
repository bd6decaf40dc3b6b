// Where migrations come from: the files compiled into the binary, or a directory.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>

#include "illhub/store/migrator.hpp"
#include "store/embedded_schema.hpp"

namespace illhub::store {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_description_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

}  // namespace

Result<Migration, StoreError> make_migration(std::string name, std::string sql) {
  // NNNN_description.sql: four or more digits, an underscore, a description, ".sql".
  const std::string_view n = name;
  const std::size_t digits = static_cast<std::size_t>(
      std::find_if_not(n.begin(), n.end(), is_digit) - n.begin());
  const bool well_formed = digits >= 4 && digits <= 9 && n.size() > digits + 5 &&
                           n[digits] == '_' && n.ends_with(".sql") &&
                           std::all_of(n.begin() + static_cast<long>(digits) + 1, n.end() - 4,
                                       is_description_char);
  if (!well_formed) {
    return unexpected(make_error(StoreError::Kind::kMigration,
                                 "migration file " + name +
                                     " is not named NNNN_description.sql (e.g. 0002_add_timers.sql)"));
  }
  Migration m;
  m.version = std::stoi(std::string(n.substr(0, digits)));
  if (m.version == 0) {
    return unexpected(make_error(StoreError::Kind::kMigration,
                                 "migration file " + name + ": versions start at 0001"));
  }
  m.checksum = sha256_hex(sql);
  m.name = std::move(name);
  m.sql = std::move(sql);
  return m;
}

std::vector<Migration> embedded_migrations() {
  std::vector<Migration> out;
  for (std::size_t i = 0; i < detail::kEmbeddedSchemaFileCount; ++i) {
    const detail::EmbeddedFile& f = detail::kEmbeddedSchemaFiles[i];
    auto m = make_migration(f.name, std::string(reinterpret_cast<const char*>(f.bytes), f.size));
    // The build embeds only files it could name-check the same way; a bad name is a bug.
    if (m) out.push_back(std::move(m).value());
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

Result<std::vector<Migration>, StoreError> load_migrations(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return unexpected(make_error(StoreError::Kind::kMigration,
                                 "cannot read migrations in " + dir.string() + ": " + ec.message()));
  }
  std::vector<Migration> out;
  std::set<int> versions;
  for (const auto& entry : it) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return unexpected(make_error(StoreError::Kind::kMigration,
                                   "cannot read " + entry.path().string()));
    }
    auto m = make_migration(entry.path().filename().string(), std::move(sql));
    if (!m) return unexpected(m.error());
    if (!versions.insert(m->version).second) {
      return unexpected(make_error(StoreError::Kind::kMigration,
                                   "two migrations in " + dir.string() + " have version " +
                                       std::to_string(m->version)));
    }
    out.push_back(std::move(m).value());
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

}  // namespace illhub::store
