// One SQLite connection with a cache of prepared statements. Not thread-safe: owned by one
// thread at a time (the writer, or whoever holds it from the read pool).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/database.hpp"

namespace tribune::storage {

class SqliteConnection final : public Session {
 public:
  // Opens `path`. read_only connections never write; the writer creates the file.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool read_only,
                                                       int64_t mmap_bytes);
  ~SqliteConnection() override;

  Result<Rows> Query(std::string_view sql, const Params& params = {}) override;
  Result<int64_t> Exec(std::string_view sql, const Params& params = {}) override;
  // Runs statements without parameters or results (BEGIN, pragmas, migration scripts).
  Status ExecScript(const std::string& sql);

 private:
  struct Statement {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> param_index;  // $1..$n -> SQLite's bind index (0 when unused)
  };
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Result<Statement*> Prepare(std::string_view sql);
  Status Bind(Statement& st, const Params& params);
  Error LastError(std::string_view what) const;

  sqlite3* db_;
  std::unordered_map<std::string, Statement> cache_;
};

}  // namespace tribune::storage
