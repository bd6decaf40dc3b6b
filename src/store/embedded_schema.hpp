#pragma once
// The schema/*.sql files as compiled into the binary. The definitions are generated at build
// time by src/store/EmbedSchema.cmake from the files in schema/ (see src/store/CMakeLists.txt).

#include <cstddef>

namespace illhub::store::detail {

struct EmbeddedFile {
  const char* name;            // file name, e.g. "0001_core.sql"
  const unsigned char* bytes;  // the file's contents
  std::size_t size;
};

extern const EmbeddedFile kEmbeddedSchemaFiles[];
extern const std::size_t kEmbeddedSchemaFileCount;

}  // namespace illhub::store::detail
