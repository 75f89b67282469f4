// Moves a site's data from its SQLite database to PostgreSQL (`tribune migrate`), and checks that both hold
// the same rows.
//
// What is copied: every table of the SQLite schema except schema_migrations (each side keeps its own record
// of the migrations applied). Column names and kinds come from the SQLite side (pragma_table_info); the
// PostgreSQL side must have the same tables with the same columns, of matching kinds (INTEGER → bigint/
// integer/smallint, REAL → double precision/real, TEXT → text/varchar), else nothing is written
// (kBadRequest). Every table needs a primary key: rows are read, copied and hashed in its order.
//
// An empty target: both databases come from the same binary, whose migrations create tables but insert no
// rows. So the rule is simply that every copied table of the target is empty. A database a server already
// started on is not (it has written its secrets into `meta`, perhaps an edition and a privacy policy):
// migrate refuses it (kConflict) without writing anything; give it a freshly created database.
//
// How: one PostgreSQL transaction (one Database::Write on the target) checks that the target is empty and
// copies every table, parents before children (PRAGMA foreign_key_list), each in primary-key order, with
// multi-row INSERTs; then moves every identity sequence past the copied ids. It commits only if everything
// was copied: a failure half-way leaves the target as empty as it was. The source is read in one read
// transaction, a consistent snapshot even while a server keeps writing to the file (WAL), page by page by
// primary key, so memory stays bounded whatever the size. While it runs, the target's write lock is held:
// a server started on the target meanwhile waits with its writes.
//
// Ids are kept as they are, identity columns included; afterwards each identity sequence continues after the
// largest copied value. An identity column the source may leave NULL (moderation_window.seq: only PostgreSQL
// fills it) gets the sequence's next value where it is NULL, and is left out of the checksums.
//
// Verification: for each table, the row count and a SHA-256 over every row in primary-key order (text
// primary keys in byte order: COLLATE "C" on PostgreSQL, SQLite's BINARY), each value in a canonical form
// given by the column's kind (see TableHasher), on both sides. The source side is hashed during the copy
// (the copied snapshot), the target side by reading it back after the commit. A mismatch is reported, not
// undone: e.g. text that is not valid UTF-8 (or holds NUL) is stored by PostgreSQL with U+FFFD in place of
// the bad bytes (storage/postgres/pg_connection.cpp), so its table's checksums differ — correctly.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::storage {

// How a column's values are canonicalised for the checksum, and bound when copied.
enum class ColumnKind { kInteger, kReal, kText };

// SHA-256 over rows in a canonical form: per value, NULL → "N"; integer → "I" decimal ";"; real → "R"
// printf("%.17g") ";"; text → "T" byte length ":" bytes; each row ends with "\n". The kind comes from the
// column, not from the value's type in the Row, so a backend that returns an integer column as a double
// (or a real one as an integer) hashes the same.
class TableHasher {
 public:
  explicit TableHasher(std::vector<ColumnKind> kinds);
  ~TableHasher();
  TableHasher(const TableHasher&) = delete;
  TableHasher& operator=(const TableHasher&) = delete;
  TableHasher(TableHasher&&) noexcept;
  void Add(const Row& row);
  // Lower-case hex. Finishes the hash: call once, after the last Add.
  std::string HexDigest();
  int64_t rows() const { return rows_; }

 private:
  std::vector<ColumnKind> kinds_;
  struct State;
  State* state_;
  std::string buf_;
  int64_t rows_ = 0;
};

struct TableCheck {
  std::string table;
  int64_t source_rows = 0, target_rows = 0;
  std::string source_sha256, target_sha256;
  // Identity columns of the target that the source may leave NULL (e.g. moderation_window.seq, which only
  // PostgreSQL fills): NULLs take the sequence's next values, in primary-key order; not in the checksums.
  std::vector<std::string> generated_columns;
  bool ok() const { return source_rows == target_rows && source_sha256 == target_sha256; }
};

struct TransferReport {
  std::vector<TableCheck> tables;  // in copy order (parents first)
  int64_t rows = 0;                // rows copied, all tables
  double copy_seconds = 0;         // the copying transaction, commit included
  double verify_seconds = 0;       // reading the target back
  bool ok() const {
    for (const auto& t : tables)
      if (!t.ok()) return false;
    return true;
  }
};

struct TransferProgress {
  std::string table;
  int index = 0, count = 0;  // table `index` (1-based) of `count`
  int64_t copied = 0, total = 0;  // rows of this table
  bool done = false;              // the table is complete
};
using TransferProgressFn = std::function<void(const TransferProgress&)>;

// Copies `from` (dialect "sqlite") into `to` (dialect "postgresql") and verifies, as described above.
// Errors (nothing written): kBadRequest for other dialects, a schema that differs or a value that does not
// fit its column's kind (e.g. text in an INTEGER column); kConflict when the target is not empty (the
// message names the tables with rows); others from the databases. `progress` runs on the target's writer
// thread, after each batch of rows and at the end of each table.
Result<TransferReport> Transfer(Database& from, Database& to, const TransferProgressFn& progress = {});

// Counts and hashes every table of both sides again (each side in one snapshot), without copying.
Result<TransferReport> Verify(Database& from, Database& to);

}  // namespace tribune::storage
