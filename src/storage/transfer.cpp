// SQLite → PostgreSQL transfer and verification; the design is described in transfer.hpp.
#include "storage/transfer.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace tribune::storage {

namespace {

constexpr int kPageRows = 1000;            // rows per read of the source, and per FETCH of the target
constexpr int kMaxInsertRows = 500;        // rows per INSERT statement ...
constexpr int kMaxInsertParams = 7000;     // ... and parameters (libpq refuses a description of > 7499)
constexpr const char* kCursor = "tribune_verify";

struct Column {
  std::string name;
  ColumnKind kind;
  bool nullable = true;   // in the source
  bool generated = false; // an identity on the target that the source may leave NULL: filled there, not compared
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<size_t> pk;                 // indexes into columns, in primary-key order
  std::vector<std::string> parents;       // tables its foreign keys point to
  std::vector<std::string> identity;      // the target's identity columns
  std::vector<size_t> hashed;             // the columns compared (all but the generated ones)
};

std::string Quote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

const char* KindName(ColumnKind k) {
  switch (k) {
    case ColumnKind::kInteger: return "integer";
    case ColumnKind::kReal: return "real";
    default: return "text";
  }
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// SQLite's affinity rules (https://sqlite.org/datatype3.html 3.1), less the kinds Tribune never declares.
Result<ColumnKind> SqliteKind(const std::string& table, const std::string& column, const std::string& declared) {
  const std::string t = Upper(declared);
  if (t.find("INT") != std::string::npos) return ColumnKind::kInteger;
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos || t.find("TEXT") != std::string::npos)
    return ColumnKind::kText;
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos || t.find("DOUB") != std::string::npos)
    return ColumnKind::kReal;
  return MakeError(ErrorCode::kBadRequest, "source column " + table + "." + column + " has type \"" + declared +
                                               "\", which migrate cannot copy (INTEGER, REAL or TEXT)");
}

std::optional<ColumnKind> PostgresKind(const std::string& type) {
  if (type == "bigint" || type == "integer" || type == "smallint") return ColumnKind::kInteger;
  if (type == "double precision" || type == "real") return ColumnKind::kReal;
  if (type == "text" || type == "character varying" || type == "character") return ColumnKind::kText;
  return std::nullopt;
}

// The tables to copy, parents before children (ties in name order).
Result<std::vector<Table>> SourceSchema(Session& sq) {
  // Ordinary tables only: a virtual table (the FTS5 search index) and its shadow tables are derived data, which the
  // target rebuilds from the tables that hold it (search_documents).
  TRIBUNE_ASSIGN(Rows names, sq.Query("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations' "
                                      "ORDER BY name"));
  std::map<std::string, Table> tables;
  for (const Row& n : names) {
    Table t;
    t.name = n.Text(0);
    TRIBUNE_ASSIGN(Rows cols, sq.Query("SELECT name, type, pk, \"notnull\" FROM pragma_table_info($1) ORDER BY cid",
                                       {t.name}));
    std::vector<std::pair<int64_t, size_t>> pk;
    for (const Row& c : cols) {
      TRIBUNE_ASSIGN(ColumnKind kind, SqliteKind(t.name, c.Text(0), c.Text(1)));
      if (c.Int(2) > 0) pk.emplace_back(c.Int(2), t.columns.size());
      t.columns.push_back({c.Text(0), kind, c.Int(3) == 0 && c.Int(2) == 0});
    }
    if (pk.empty())
      return MakeError(ErrorCode::kBadRequest, "source table " + t.name + " has no primary key; migrate copies and "
                                               "checks rows in primary-key order");
    std::sort(pk.begin(), pk.end());
    for (auto& [pos, idx] : pk) t.pk.push_back(idx);
    TRIBUNE_ASSIGN(Rows fks, sq.Query("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)", {t.name}));
    for (const Row& f : fks)
      if (f.Text(0) != t.name) t.parents.push_back(f.Text(0));
    tables.emplace(t.name, std::move(t));
  }
  std::vector<Table> ordered;
  std::set<std::string> placed;
  while (!tables.empty()) {
    auto next = std::find_if(tables.begin(), tables.end(), [&](const auto& kv) {
      return std::all_of(kv.second.parents.begin(), kv.second.parents.end(),
                         [&](const std::string& p) { return placed.count(p) || !tables.count(p); });
    });
    if (next == tables.end())
      return MakeError(ErrorCode::kBadRequest, "the source's foreign keys form a cycle (" + tables.begin()->first +
                                                   " …); migrate cannot order the tables");
    placed.insert(next->first);
    ordered.push_back(std::move(next->second));
    tables.erase(next);
  }
  return ordered;
}

// The target must have exactly the source's tables and columns, of matching kinds; notes its identity columns.
Status CheckTargetSchema(Session& pg, std::vector<Table>& tables) {
  TRIBUNE_ASSIGN(Rows rows, pg.Query("SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns "
                                     "WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'"
                                     " AND is_generated = 'NEVER'"));  // generated columns (search tsv) are derived
  std::map<std::string, std::map<std::string, std::pair<std::string, bool>>> target;
  for (const Row& r : rows) target[r.Text(0)][r.Text(1)] = {r.Text(2), r.Text(3) == "YES"};
  std::vector<std::string> problems;
  std::set<std::string> names;
  for (Table& t : tables) {
    names.insert(t.name);
    auto it = target.find(t.name);
    if (it == target.end()) {
      problems.push_back("table " + t.name + " is missing");
      continue;
    }
    for (const Column& c : t.columns) {
      auto col = it->second.find(c.name);
      if (col == it->second.end()) {
        problems.push_back("column " + t.name + "." + c.name + " is missing");
        continue;
      }
      auto kind = PostgresKind(col->second.first);
      if (!kind || *kind != c.kind)
        problems.push_back("column " + t.name + "." + c.name + " is " + col->second.first + ", the source's is " +
                           KindName(c.kind));
      if (col->second.second) t.identity.push_back(c.name);
    }
    t.hashed.clear();
    for (size_t i = 0; i < t.columns.size(); ++i) {
      Column& c = t.columns[i];
      c.generated = c.nullable && std::find(t.identity.begin(), t.identity.end(), c.name) != t.identity.end();
      if (!c.generated) t.hashed.push_back(i);
    }
    for (const auto& [name, info] : it->second) {
      if (std::none_of(t.columns.begin(), t.columns.end(), [&](const Column& c) { return c.name == name; }))
        problems.push_back("column " + t.name + "." + name + " is not in the source");
    }
  }
  for (const auto& [name, cols] : target)
    if (!names.count(name)) problems.push_back("table " + name + " is not in the source");
  if (problems.empty()) return Ok{};
  std::string msg = "the target's schema differs from the source's:";
  for (size_t i = 0; i < problems.size() && i < 10; ++i) msg += (i ? "; " : " ") + problems[i];
  if (problems.size() > 10) msg += "; and " + std::to_string(problems.size() - 10) + " more";
  return MakeError(ErrorCode::kBadRequest, msg + " (are both migrated by the same tribune version?)");
}

Status CheckTargetEmpty(Session& pg, const std::vector<Table>& tables) {
  std::vector<std::string> full;
  for (const Table& t : tables) {
    TRIBUNE_ASSIGN(Rows r, pg.Query("SELECT EXISTS (SELECT 1 FROM " + Quote(t.name) + ")"));
    if (r[0].Int(0) != 0) full.push_back(t.name);
  }
  if (full.empty()) return Ok{};
  std::string list;
  for (size_t i = 0; i < full.size(); ++i) list += (i ? ", " : "") + full[i];
  return MakeError(ErrorCode::kConflict, "the target database is not empty (rows in " + list +
                                             "); migrate copies only into a freshly created database");
}

// Counts the source table's rows; fails when a value does not fit its column's kind (SQLite stores any value
// in any column; PostgreSQL would refuse it, or the checksum could not tell).
Result<int64_t> CheckSourceValues(Session& sq, const Table& t) {
  std::string sql = "SELECT count(*)";
  for (const Column& c : t.columns) {
    const char* allowed = c.kind == ColumnKind::kInteger ? "'integer', 'null'"
                          : c.kind == ColumnKind::kReal  ? "'real', 'integer', 'null'"
                                                         : "'text', 'null'";
    sql += ", sum(typeof(" + Quote(c.name) + ") NOT IN (" + allowed + "))";
  }
  TRIBUNE_ASSIGN(Rows r, sq.Query(sql + " FROM " + Quote(t.name)));
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (r[0].Int(i + 1) != 0)
      return MakeError(ErrorCode::kBadRequest, "source column " + t.name + "." + t.columns[i].name + " holds " +
                                                   std::to_string(r[0].Int(i + 1)) + " value(s) that are not " +
                                                   KindName(t.columns[i].kind) + "; fix them before migrating");
  }
  return r[0].Int(0);
}

std::string ColumnList(const Table& t) {
  std::string s;
  for (size_t i = 0; i < t.columns.size(); ++i) s += (i ? ", " : "") + Quote(t.columns[i].name);
  return s;
}

std::string HashedColumnList(const Table& t) {
  std::string s;
  for (size_t i = 0; i < t.hashed.size(); ++i) s += (i ? ", " : "") + Quote(t.columns[t.hashed[i]].name);
  return s;
}

std::string Literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// ORDER BY the primary key; text compared as bytes on both sides.
std::string OrderBy(const Table& t, bool postgres) {
  std::string s = " ORDER BY ";
  for (size_t i = 0; i < t.pk.size(); ++i) {
    const Column& c = t.columns[t.pk[i]];
    s += (i ? ", " : "") + Quote(c.name);
    if (postgres && c.kind == ColumnKind::kText) s += " COLLATE \"C\"";
  }
  return s;
}

Value ValueOf(const Row& r, size_t i, ColumnKind kind) {
  if (r.IsNull(i)) return nullptr;
  switch (kind) {
    case ColumnKind::kInteger: return r.Int(i);
    case ColumnKind::kReal: return r.Double(i);
    default: return r.Text(i);
  }
}

// Calls fn with each page of the SQLite table, in primary-key order (keyset paging: each page starts after
// the previous one's last key, so every page is an index range).
Status ForEachSourcePage(Session& sq, const Table& t, const std::function<Status(const Rows&)>& fn) {
  const std::string select = "SELECT " + ColumnList(t) + " FROM " + Quote(t.name);
  const std::string tail = OrderBy(t, false) + " LIMIT " + std::to_string(kPageRows);
  std::string keys, marks;
  for (size_t i = 0; i < t.pk.size(); ++i) {
    keys += (i ? ", " : "") + Quote(t.columns[t.pk[i]].name);
    marks += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  const std::string next =
      select + (t.pk.size() == 1 ? " WHERE " + keys + " > " + marks : " WHERE (" + keys + ") > (" + marks + ")") + tail;
  Params after;
  for (bool first = true;; first = false) {
    TRIBUNE_ASSIGN(Rows rows, first ? sq.Query(select + tail) : sq.Query(next, after));
    if (rows.empty()) return Ok{};
    TRIBUNE_TRY(fn(rows));
    if (rows.size() < static_cast<size_t>(kPageRows)) return Ok{};
    after.clear();
    for (size_t k : t.pk) after.push_back(ValueOf(rows.back(), k, t.columns[k].kind));
  }
}

std::vector<ColumnKind> Kinds(const Table& t) {
  std::vector<ColumnKind> k;
  for (size_t i : t.hashed) k.push_back(t.columns[i].kind);
  return k;
}

// Adds a source row (all columns) to the hash of the compared columns.
void HashSourceRow(TableHasher& h, const Table& t, const Row& r) {
  if (t.hashed.size() == t.columns.size()) return h.Add(r);
  std::vector<Value> cols;
  for (size_t i : t.hashed) cols.push_back(ValueOf(r, i, t.columns[i].kind));
  h.Add(Row(std::move(cols)));
}

std::string InsertSql(const Table& t, size_t rows) {
  // The source's ids are kept, also in identity columns (GENERATED ALWAYS too); a generated column the source
  // left NULL takes the next value of its sequence, as it would have on PostgreSQL.
  std::string sql = "INSERT INTO " + Quote(t.name) + " (" + ColumnList(t) + ")" +
                    (t.identity.empty() ? "" : " OVERRIDING SYSTEM VALUE") + " VALUES ";
  size_t n = 0;
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const std::string mark = "$" + std::to_string(++n);
      sql += c ? ", " : "";
      sql += t.columns[c].generated ? "COALESCE(" + mark + ", nextval(pg_get_serial_sequence(" + Literal(Quote(t.name)) +
                                          ", " + Literal(t.columns[c].name) + ")))"
                                    : mark;
    }
    sql += ")";
  }
  return sql;
}

// Copies one table in primary-key order, hashing what it reads.
Status CopyTable(Session& sq, Session& pg, const Table& t, TableCheck& check, TransferProgress& p,
                 const TransferProgressFn& progress) {
  const size_t ncols = t.columns.size();
  const size_t batch = std::clamp<size_t>(kMaxInsertParams / ncols, 1, kMaxInsertRows);
  const std::string full_insert = InsertSql(t, batch);
  TableHasher hasher(Kinds(t));
  Params params;
  params.reserve(batch * ncols);
  auto last_report = std::chrono::steady_clock::now();
  auto flush = [&]() -> Status {
    if (params.empty()) return Ok{};
    const size_t rows = params.size() / ncols;
    TRIBUNE_ASSIGN(int64_t n, pg.Exec(rows == batch ? full_insert : InsertSql(t, rows), params));
    if (n != static_cast<int64_t>(rows))
      return MakeError(ErrorCode::kInternal, "inserting into " + t.name + " stored " + std::to_string(n) + " of " +
                                                 std::to_string(rows) + " rows");
    params.clear();
    p.copied += static_cast<int64_t>(rows);
    if (progress && Since(last_report) >= 1.0) {
      progress(p);
      last_report = std::chrono::steady_clock::now();
    }
    return Ok{};
  };
  TRIBUNE_TRY(ForEachSourcePage(sq, t, [&](const Rows& rows) -> Status {
    for (const Row& r : rows) {
      HashSourceRow(hasher, t, r);
      for (size_t c = 0; c < ncols; ++c) params.push_back(ValueOf(r, c, t.columns[c].kind));
      if (params.size() == batch * ncols) TRIBUNE_TRY(flush());
    }
    return Ok{};
  }));
  TRIBUNE_TRY(flush());
  check.source_rows = hasher.rows();
  check.source_sha256 = hasher.HexDigest();
  p.done = true;
  if (progress) progress(p);
  return Ok{};
}

// Moves each identity sequence of the table past the largest copied id.
Status AdvanceIdentities(Session& pg, const Table& t) {
  for (const std::string& col : t.identity) {
    const std::string c = Quote(col);
    TRIBUNE_TRY(pg.Query("SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(MAX(" + c + "), 1), 1), MAX(" +
                             c + ") IS NOT NULL) FROM " + Quote(t.name),
                         {Quote(t.name), col}));
  }
  return Ok{};
}

// Count and checksum of a PostgreSQL table, read through a cursor (one sort, bounded memory).
Status HashTarget(Session& pg, const Table& t, TableCheck& check) {
  TRIBUNE_TRY(pg.Exec(std::string("DECLARE ") + kCursor + " NO SCROLL CURSOR FOR SELECT " + HashedColumnList(t) + " FROM " +
                      Quote(t.name) + OrderBy(t, true)));
  TableHasher hasher(Kinds(t));
  const std::string fetch = "FETCH FORWARD " + std::to_string(kPageRows) + " FROM " + kCursor;
  for (;;) {
    TRIBUNE_ASSIGN(Rows rows, pg.Query(fetch));
    for (const Row& r : rows) hasher.Add(r);
    if (rows.size() < static_cast<size_t>(kPageRows)) break;
  }
  TRIBUNE_TRY(pg.Exec(std::string("CLOSE ") + kCursor));
  check.target_rows = hasher.rows();
  check.target_sha256 = hasher.HexDigest();
  return Ok{};
}

Status HashSource(Session& sq, const Table& t, TableCheck& check) {
  TableHasher hasher(Kinds(t));
  TRIBUNE_TRY(ForEachSourcePage(sq, t, [&](const Rows& rows) -> Status {
    for (const Row& r : rows) HashSourceRow(hasher, t, r);
    return Ok{};
  }));
  check.source_rows = hasher.rows();
  check.source_sha256 = hasher.HexDigest();
  return Ok{};
}

Status CheckDialects(Database& from, Database& to) {
  if (from.Dialect() != "sqlite")
    return MakeError(ErrorCode::kBadRequest, "migrate reads from SQLite, not " + std::string(from.Dialect()));
  if (to.Dialect() != "postgresql")
    return MakeError(ErrorCode::kBadRequest, "migrate writes to PostgreSQL, not " + std::string(to.Dialect()));
  return Ok{};
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------

struct TableHasher::State {
  crypto_hash_sha256_state sha;
};

TableHasher::TableHasher(std::vector<ColumnKind> kinds) : kinds_(std::move(kinds)), state_(new State) {
  crypto_hash_sha256_init(&state_->sha);
}

TableHasher::~TableHasher() { delete state_; }

TableHasher::TableHasher(TableHasher&& o) noexcept
    : kinds_(std::move(o.kinds_)), state_(o.state_), buf_(std::move(o.buf_)), rows_(o.rows_) {
  o.state_ = nullptr;
}

void TableHasher::Add(const Row& row) {
  char num[40];
  for (size_t i = 0; i < kinds_.size(); ++i) {
    if (i >= row.size() || row.IsNull(i)) {
      buf_ += 'N';
      continue;
    }
    switch (kinds_[i]) {
      case ColumnKind::kInteger:
        std::snprintf(num, sizeof num, "I%lld;", static_cast<long long>(row.Int(i)));
        buf_ += num;
        break;
      case ColumnKind::kReal:
        std::snprintf(num, sizeof num, "R%.17g;", row.Double(i));
        buf_ += num;
        break;
      case ColumnKind::kText: {
        const std::string& s = row.Text(i);
        buf_ += 'T';
        buf_ += std::to_string(s.size());
        buf_ += ':';
        buf_ += s;
        break;
      }
    }
  }
  buf_ += '\n';
  ++rows_;
  if (buf_.size() >= (64u << 10)) {
    crypto_hash_sha256_update(&state_->sha, reinterpret_cast<const unsigned char*>(buf_.data()), buf_.size());
    buf_.clear();
  }
}

std::string TableHasher::HexDigest() {
  crypto_hash_sha256_update(&state_->sha, reinterpret_cast<const unsigned char*>(buf_.data()), buf_.size());
  buf_.clear();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_->sha, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Result<TransferReport> Transfer(Database& from, Database& to, const TransferProgressFn& progress) {
  TRIBUNE_TRY(CheckDialects(from, to));
  TransferReport report;
  std::vector<Table> tables;
  const auto t0 = std::chrono::steady_clock::now();
  // One target transaction around one source snapshot: all or nothing.
  TRIBUNE_TRY(to.Write([&](Session& pg) -> Status {
    report.tables.clear();
    report.rows = 0;
    return from.ReadTx([&](Session& sq) -> Status {
      TRIBUNE_ASSIGN(tables, SourceSchema(sq));
      TRIBUNE_TRY(CheckTargetSchema(pg, tables));
      TRIBUNE_TRY(CheckTargetEmpty(pg, tables));
      std::vector<int64_t> totals;
      for (const Table& t : tables) {
        TRIBUNE_ASSIGN(int64_t n, CheckSourceValues(sq, t));
        totals.push_back(n);
      }
      for (size_t i = 0; i < tables.size(); ++i) {
        TableCheck check;
        check.table = tables[i].name;
        for (const Column& c : tables[i].columns)
          if (c.generated) check.generated_columns.push_back(c.name);
        TransferProgress p{tables[i].name, static_cast<int>(i + 1), static_cast<int>(tables.size()), 0, totals[i], false};
        TRIBUNE_TRY(CopyTable(sq, pg, tables[i], check, p, progress));
        TRIBUNE_TRY(AdvanceIdentities(pg, tables[i]));
        report.rows += check.source_rows;
        report.tables.push_back(std::move(check));
      }
      return Ok{};
    });
  }));
  report.copy_seconds = Since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  TRIBUNE_TRY(to.ReadTx([&](Session& pg) -> Status {
    for (size_t i = 0; i < tables.size(); ++i) TRIBUNE_TRY(HashTarget(pg, tables[i], report.tables[i]));
    return Ok{};
  }));
  report.verify_seconds = Since(t1);
  return report;
}

Result<TransferReport> Verify(Database& from, Database& to) {
  TRIBUNE_TRY(CheckDialects(from, to));
  TransferReport report;
  std::vector<Table> tables;
  const auto t0 = std::chrono::steady_clock::now();
  TRIBUNE_TRY(from.ReadTx([&](Session& sq) -> Status {
    TRIBUNE_ASSIGN(tables, SourceSchema(sq));
    return Ok{};
  }));
  TRIBUNE_TRY(to.ReadTx([&](Session& pg) { return CheckTargetSchema(pg, tables); }));
  TRIBUNE_TRY(from.ReadTx([&](Session& sq) -> Status {
    for (const Table& t : tables) {
      TableCheck check;
      check.table = t.name;
      for (const Column& c : t.columns)
        if (c.generated) check.generated_columns.push_back(c.name);
      TRIBUNE_TRY(HashSource(sq, t, check));
      report.rows += check.source_rows;
      report.tables.push_back(std::move(check));
    }
    return Ok{};
  }));
  TRIBUNE_TRY(to.ReadTx([&](Session& pg) -> Status {
    for (size_t i = 0; i < tables.size(); ++i) TRIBUNE_TRY(HashTarget(pg, tables[i], report.tables[i]));
    return Ok{};
  }));
  report.verify_seconds = Since(t0);
  return report;
}

}  // namespace tribune::storage
