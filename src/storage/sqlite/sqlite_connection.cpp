#include "storage/sqlite/sqlite_connection.hpp"

#include <string>

namespace tribune::storage {

namespace {

// Resets a statement when a query ends, however it ends.
struct ResetGuard {
  sqlite3_stmt* stmt;
  ~ResetGuard() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path, bool read_only,
                                                                int64_t mmap_bytes) {
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return MakeError(ErrorCode::kUnavailable, "cannot open database " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  // A reader may briefly meet a checkpoint; waiting beats failing.
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA mmap_size=" + std::to_string(mmap_bytes) + ";";
  if (!read_only) pragmas += "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
  TRIBUNE_TRY(conn->ExecScript(pragmas));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st.stmt);
  sqlite3_close(db_);
}

Error SqliteConnection::LastError(std::string_view what) const {
  const int code = sqlite3_extended_errcode(db_);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db_);
  if ((code & 0xff) == SQLITE_CONSTRAINT) return MakeError(ErrorCode::kConflict, msg);
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR)
    return MakeError(ErrorCode::kUnavailable, msg);
  return MakeError(ErrorCode::kInternal, msg);
}

Status SqliteConnection::ExecScript(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(ErrorCode::kInternal, "sqlite: " + msg);
  }
  return Ok{};
}

Result<SqliteConnection::Statement*> SqliteConnection::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end()) return &it->second;
  Statement st;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st.stmt,
                         nullptr) != SQLITE_OK) {
    return LastError("prepare");
  }
  // Map the portable $1..$n placeholders to SQLite's parameter indexes, whatever their order.
  const int n = sqlite3_bind_parameter_count(st.stmt);
  for (int i = 1; i <= n; ++i) {
    const std::string name = "$" + std::to_string(i);
    st.param_index.push_back(sqlite3_bind_parameter_index(st.stmt, name.c_str()));
  }
  return &cache_.emplace(std::string(sql), st).first->second;
}

Status SqliteConnection::Bind(Statement& st, const Params& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (i >= st.param_index.size() || st.param_index[i] == 0) {
      return MakeError(ErrorCode::kInternal, "sqlite: parameter $" + std::to_string(i + 1) + " not in statement");
    }
    const int idx = st.param_index[i];
    const Value& v = params[i];
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(v)) {
      rc = sqlite3_bind_null(st.stmt, idx);
    } else if (auto p = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(st.stmt, idx, *p);
    } else if (auto d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(st.stmt, idx, *d);
    } else {
      const auto& s = std::get<std::string>(v);
      rc = sqlite3_bind_text(st.stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return LastError("bind");
  }
  return Ok{};
}

Result<Rows> SqliteConnection::Query(std::string_view sql, const Params& params) {
  auto st = Prepare(sql);
  if (!st.ok()) return std::move(st).error();
  ResetGuard guard{(*st)->stmt};
  TRIBUNE_TRY(Bind(**st, params));
  sqlite3_stmt* stmt = (*st)->stmt;
  Rows rows;
  const int ncols = sqlite3_column_count(stmt);
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return LastError("step");
    std::vector<Value> cols;
    cols.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: cols.emplace_back(nullptr); break;
        case SQLITE_INTEGER: cols.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c))); break;
        case SQLITE_FLOAT: cols.emplace_back(sqlite3_column_double(stmt, c)); break;
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          cols.emplace_back(std::string(text ? text : "", sqlite3_column_bytes(stmt, c)));
        }
      }
    }
    rows.emplace_back(std::move(cols));
  }
  return rows;
}

Result<int64_t> SqliteConnection::Exec(std::string_view sql, const Params& params) {
  auto st = Prepare(sql);
  if (!st.ok()) return std::move(st).error();
  ResetGuard guard{(*st)->stmt};
  TRIBUNE_TRY(Bind(**st, params));
  for (;;) {
    const int rc = sqlite3_step((*st)->stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return LastError("step");
  }
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

}  // namespace tribune::storage
