// One PostgreSQL connection (libpq) with a cache of prepared statements. Not thread-safe: owned by one
// thread at a time (the writer, the listener, or whoever holds it from the read pool).
//
// Parameters travel in text format with the types PostgreSQL infers from the statement, except that a
// parameter it infers as smallint/integer is declared bigint (ids and microsecond times are 64-bit).
// Result columns come back as int64 (integer types, bool, numeric without a fraction), double
// (float, numeric) or text; NULL as nullptr — the same Values the SQLite backend gives.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/database.hpp"

namespace tribune::storage {

class PgConnection final : public Session {
 public:
  // Connects with a libpq URL or key=value string. Errors: kUnavailable with libpq's message.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);
  ~PgConnection() override;

  Result<Rows> Query(std::string_view sql, const Params& params = {}) override;
  Result<int64_t> Exec(std::string_view sql, const Params& params = {}) override;
  // Runs statements without parameters or results (BEGIN, SET, migration scripts).
  Status ExecScript(const std::string& sql);
  // False once the server went away; the pool replaces such a connection.
  bool healthy() const;
  PGconn* raw() { return conn_; }

 private:
  struct Statement {
    std::string name;
    int nparams = 0;
  };
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Result<Statement*> Prepare(std::string_view sql);
  Result<PGresult*> Run(std::string_view sql, const Params& params);

  PGconn* conn_;
  std::unordered_map<std::string, Statement> cache_;
  int next_name_ = 0;
};

// The ErrorCode for a failed result: 23xxx (integrity) → kConflict, 40001/40P01 and connection
// failures → kUnavailable, 22xxx (bad data, e.g. text where a number belongs) → kBadRequest, else kInternal.
Error PgError(PGconn* conn, const PGresult* res, std::string_view what);

}  // namespace tribune::storage
