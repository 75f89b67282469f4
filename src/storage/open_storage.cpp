// Chooses the backend from storage.url.
#include <algorithm>

#include "storage/database.hpp"

namespace tribune::storage {

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://") || url.starts_with("postgresql:") ||
         url.starts_with("host=") || url.starts_with("dbname=");
}

Result<std::unique_ptr<Database>> OpenStorage(const StorageOptions& o) {
  if (o.url.empty()) {
    return OpenSqlite({.path = o.default_sqlite_path, .read_connections = o.read_connections, .max_batch = o.max_batch});
  }
  if (o.url.starts_with("sqlite:")) {
    std::string path = o.url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);  // sqlite:///abs/path
    if (path.empty()) return MakeError(ErrorCode::kBadRequest, "storage.url: sqlite: needs a file path");
    return OpenSqlite({.path = path, .read_connections = o.read_connections, .max_batch = o.max_batch});
  }
  if (IsPostgresUrl(o.url)) {
    return OpenPostgres({.url = o.url, .read_connections = std::max(o.read_connections, 2), .max_batch = o.max_batch});
  }
  return MakeError(ErrorCode::kBadRequest,
                   "storage.url: use postgresql://… for PostgreSQL, sqlite:PATH for SQLite, or leave it empty");
}

}  // namespace tribune::storage
