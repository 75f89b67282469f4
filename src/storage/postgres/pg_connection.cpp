#include "storage/postgres/pg_connection.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>

namespace tribune::storage {

namespace {

// Type oids from PostgreSQL's pg_type.dat (stable across versions).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700;

struct ResultGuard {
  PGresult* res;
  ~ResultGuard() { PQclear(res); }
};

Value Convert(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return nullptr;
  const char* v = PQgetvalue(res, row, col);
  const int len = PQgetlength(res, row, col);
  switch (PQftype(res, col)) {
    case kInt8:
    case kInt4:
    case kInt2:
    case kOid: {
      int64_t n = 0;
      std::from_chars(v, v + len, n);
      return n;
    }
    case kBool: return int64_t{v[0] == 't' ? 1 : 0};
    case kFloat4:
    case kFloat8: return std::strtod(v, nullptr);
    case kNumeric: {
      // SUM() of bigint is numeric: whole numbers stay integers, as SQLite gives them.
      if (std::memchr(v, '.', len) == nullptr && std::memchr(v, 'N', len) == nullptr) {
        int64_t n = 0;
        auto [p, ec] = std::from_chars(v, v + len, n);
        if (ec == std::errc() && p == v + len) return n;
      }
      return std::strtod(v, nullptr);
    }
    case kBytea: {
      size_t n = 0;
      unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
      std::string out(reinterpret_cast<const char*>(raw), n);
      PQfreemem(raw);
      return out;
    }
    default: return std::string(v, static_cast<size_t>(len));
  }
}

// PostgreSQL text holds valid UTF-8 without NUL; SQLite stores any bytes. What would be refused (a raw
// header, a peer's error text) is stored with U+FFFD in place of each bad byte, so both backends accept it.
// Length of the valid UTF-8 sequence other than NUL that starts at s[i], or 0.
size_t ValidAt(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  size_t n = 0;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3;
  else if (c >= 0xF0 && c <= 0xF4) n = 4;
  else return 0;
  if (i + n > s.size()) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if ((c1 & 0xC0) != 0x80) return 0;
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
    return 0;
  for (size_t k = 2; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

bool NeedsRepair(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = ValidAt(s, i);
    if (n == 0) return true;
    i += n;
  }
  return false;
}

std::string Repair(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = ValidAt(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace

Error PgError(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = std::string(what) + ": " + (res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (PQstatus(conn) != CONNECTION_OK) return MakeError(ErrorCode::kUnavailable, msg);
  if (state == nullptr) return MakeError(ErrorCode::kUnavailable, msg);
  if (std::strncmp(state, "23", 2) == 0) return MakeError(ErrorCode::kConflict, msg);
  if (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0 || std::strncmp(state, "08", 2) == 0 ||
      std::strncmp(state, "57", 2) == 0 || std::strncmp(state, "53", 2) == 0)
    return MakeError(ErrorCode::kUnavailable, msg);
  if (std::strncmp(state, "22", 2) == 0) return MakeError(ErrorCode::kBadRequest, msg);
  return MakeError(ErrorCode::kInternal, msg);
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  // Defaults first, the URL last: what the operator's URL says wins. Keepalives notice a server (or a peer
  // holding the write lock) that vanished without closing the socket within a minute, not two hours; a
  // session idle inside a transaction for a minute — a frozen server holding the cluster-wide write lock —
  // is ended by PostgreSQL, which frees the lock for the others.
  const char* keys[] = {"keepalives_idle", "keepalives_interval", "keepalives_count", "connect_timeout", "options",
                        "dbname", nullptr};
  const char* values[] = {"30", "10", "3", "10", "-c idle_in_transaction_session_timeout=60000", conninfo.c_str(),
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(conn);
    return MakeError(ErrorCode::kUnavailable, "cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<PgConnection> c(new PgConnection(conn));
  // UTC and ISO everywhere; notices (e.g. "relation exists, skipping") are not errors.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  TRIBUNE_TRY(c->ExecScript("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; SET extra_float_digits = 3"));
  return c;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

Status PgConnection::ExecScript(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  ResultGuard guard{res};
  const auto st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) return PgError(conn_, res, "postgresql");
  return Ok{};
}

Result<PgConnection::Statement*> PgConnection::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) return &it->second;
  Statement st;
  st.name = "t" + std::to_string(next_name_++);
  {
    PGresult* res = PQprepare(conn_, st.name.c_str(), key.c_str(), 0, nullptr);
    ResultGuard guard{res};
    if (PQresultStatus(res) != PGRES_COMMAND_OK) return PgError(conn_, res, "prepare");
  }
  PGresult* desc = PQdescribePrepared(conn_, st.name.c_str());
  ResultGuard guard{desc};
  if (PQresultStatus(desc) != PGRES_COMMAND_OK) return PgError(conn_, desc, "describe");
  st.nparams = PQnparams(desc);
  // A parameter inferred as int2/int4 (e.g. `$1 = 0`, `LIMIT`-like arithmetic) would refuse a 64-bit id:
  // declare it bigint and prepare again.
  std::vector<Oid> types(static_cast<size_t>(st.nparams));
  bool widen = false;
  for (int i = 0; i < st.nparams; ++i) {
    types[i] = PQparamtype(desc, i);
    if (types[i] == kInt2 || types[i] == kInt4) {
      types[i] = kInt8;
      widen = true;
    }
  }
  if (widen) {
    // Declared bigint, a function or operator that exists only for integer would not be found: then keep
    // PostgreSQL's own types. Inside a transaction the failed attempt must not abort it.
    const bool in_tx = PQtransactionStatus(conn_) == PQTRANS_INTRANS;
    PQclear(PQexec(conn_, ("DEALLOCATE " + st.name).c_str()));
    if (in_tx) PQclear(PQexec(conn_, "SAVEPOINT tribune_prepare"));
    PGresult* res = PQprepare(conn_, st.name.c_str(), key.c_str(), st.nparams, types.data());
    const bool widened = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (in_tx) PQclear(PQexec(conn_, widened ? "RELEASE tribune_prepare" : "ROLLBACK TO tribune_prepare; RELEASE tribune_prepare"));
    if (!widened) {
      PGresult* again = PQprepare(conn_, st.name.c_str(), key.c_str(), 0, nullptr);
      ResultGuard g2{again};
      if (PQresultStatus(again) != PGRES_COMMAND_OK) return PgError(conn_, again, "prepare");
    }
  }
  return &cache_.emplace(std::move(key), std::move(st)).first->second;
}

Result<PGresult*> PgConnection::Run(std::string_view sql, const Params& params) {
  auto st = Prepare(sql);
  if (!st.ok()) return std::move(st).error();
  if (static_cast<int>(params.size()) != (*st)->nparams) {
    return MakeError(ErrorCode::kInternal, "postgresql: statement takes " + std::to_string((*st)->nparams) +
                                               " parameters, " + std::to_string(params.size()) + " given");
  }
  std::vector<std::string> text(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (std::holds_alternative<std::nullptr_t>(v)) continue;
    if (auto p = std::get_if<int64_t>(&v)) {
      text[i] = std::to_string(*p);
    } else if (auto d = std::get_if<double>(&v)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", *d);
      text[i] = buf;
    } else {
      const auto& s = std::get<std::string>(v);
      if (!NeedsRepair(s)) {
        values[i] = s.c_str();
        continue;
      }
      text[i] = Repair(s);
    }
    values[i] = text[i].c_str();
  }
  PGresult* res = PQexecPrepared(conn_, (*st)->name.c_str(), static_cast<int>(params.size()), values.data(), nullptr,
                                 nullptr, 0);
  const auto status = PQresultStatus(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error e = PgError(conn_, res, "postgresql");
    PQclear(res);
    return e;
  }
  return res;
}

Result<Rows> PgConnection::Query(std::string_view sql, const Params& params) {
  auto res = Run(sql, params);
  if (!res.ok()) return std::move(res).error();
  ResultGuard guard{*res};
  Rows rows;
  const int n = PQntuples(*res), ncols = PQnfields(*res);
  rows.reserve(static_cast<size_t>(n));
  for (int r = 0; r < n; ++r) {
    std::vector<Value> cols;
    cols.reserve(static_cast<size_t>(ncols));
    for (int c = 0; c < ncols; ++c) cols.push_back(Convert(*res, r, c));
    rows.emplace_back(std::move(cols));
  }
  return rows;
}

Result<int64_t> PgConnection::Exec(std::string_view sql, const Params& params) {
  auto res = Run(sql, params);
  if (!res.ok()) return std::move(res).error();
  ResultGuard guard{*res};
  const char* n = PQcmdTuples(*res);
  return n && *n ? std::strtoll(n, nullptr, 10) : int64_t{0};
}

}  // namespace tribune::storage
