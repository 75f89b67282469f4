// Start here for storage. The Database interface that every service uses, and that the SQLite
// backend (storage/sqlite/) and the PostgreSQL backend (storage/postgres/) implement.
//
// SQL is portable between SQLite 3.40 and PostgreSQL 15: `$1`-style placeholders, RETURNING,
// ON CONFLICT. Statements are prepared once per connection and cached.
//
// Reads run on a pool of read connections and may be called from any thread.
// Writes are functions run in order on the single writer, batched with other writers' functions
// into one transaction (group commit): Write() returns only after that transaction is durable
// on disk, or with the function's error, in which case none of its statements took effect
// (each function runs inside its own savepoint). On PostgreSQL the write batches of all servers sharing
// the database are serialised too (an advisory lock), so a write function never races another server's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace tribune::storage {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;
using Params = std::vector<Value>;

// One result row. Columns are addressed by position, as selected.
class Row {
 public:
  explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}
  bool IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(cols_.at(i)); }
  int64_t Int(size_t i) const;                 // 0 for NULL
  double Double(size_t i) const;               // 0 for NULL
  const std::string& Text(size_t i) const;     // "" for NULL
  std::optional<int64_t> OptInt(size_t i) const;
  size_t size() const { return cols_.size(); }

 private:
  std::vector<Value> cols_;
};
using Rows = std::vector<Row>;

// A connection inside a read snapshot or a write transaction. Not thread-safe; valid only
// during the callback that received it.
class Session {
 public:
  virtual ~Session() = default;
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Executes a statement; returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
};

class Database {
 public:
  virtual ~Database() = default;

  // A single read on a pooled connection.
  virtual Result<Rows> Read(std::string_view sql, const Params& params = {}) = 0;
  // Several reads on one consistent snapshot.
  virtual Status ReadTx(const std::function<Status(Session&)>& fn) = 0;
  // A write, group-committed; blocks the calling thread until durable. fn runs on the writer
  // thread and must not block on anything but the session. Returns fn's error if it failed.
  virtual Status Write(std::function<Status(Session&)> fn) = 0;
  // Signals between the processes sharing this database (PostgreSQL NOTIFY; on SQLite, which one process
  // owns, this process only): `payload` (< 8000 bytes) reaches every handler Listen()ed on `channel`, in this
  // process or another, on a thread of the database's (handlers must be quick). Listen returns once
  // listening: what is notified afterwards is heard. Delivery is best effort (a lost connection loses
  // what was sent meanwhile).
  virtual Status Notify(std::string_view channel, std::string_view payload) = 0;
  virtual Status Listen(std::string channel, std::function<void(const std::string&)> fn) = 0;
  // `fn` runs after the listening connection was lost and is back: notifications sent meanwhile were lost
  // (e.g. drop every cache they would have invalidated). SQLite: never.
  virtual void OnListenReconnect(std::function<void()> fn) {}
  // Ends Listen: no handler runs after this returns (call before what the handlers use is destroyed).
  virtual void StopListening() = 0;
  // 0..63, unique among the live processes sharing this database (ids carry it). SQLite: 0.
  virtual int NodeSlot() const { return 0; }
  // Runs `fn` unless another process sharing the database is running a function under the same `key`
  // (PostgreSQL session advisory lock); returns whether it ran. For jobs one server at a time should do
  // (maintenance). SQLite, one process: always runs (callers serialise within the process).
  virtual Result<bool> RunExclusive(int key, const std::function<Status()>& fn) = 0;
  // Stops accepting writes, commits what is queued, closes connections. Idempotent.
  virtual void Close() = 0;
  // "sqlite" or "postgresql".
  virtual std::string_view Dialect() const = 0;
};

struct SqliteOptions {
  std::string path;           // database file
  int read_connections = 4;
  int max_batch = 512;        // write functions per transaction
  int64_t mmap_bytes = 256ll << 20;
  // Apply the compiled-in migrations. false: open as it is (tribune migrate reads a running site's file and
  // must not change its schema under the server; it then checks the version itself).
  bool migrate = true;
};

// Opens (creating if needed) a SQLite database in WAL mode with synchronous=FULL and applies the
// migrations compiled into the binary. Errors: kUnavailable when the file cannot be opened or
// migrated.
Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options);

struct PostgresOptions {
  std::string url;            // libpq URL, e.g. postgresql://tribune@db.internal/tribune
  int read_connections = 8;   // opened as needed
  int max_batch = 512;
  bool migrate = true;        // apply the compiled-in migrations (under a lock: servers may start together)
  int slot_check_ms = 1000;   // how often a write checks that this process still holds its node slot
};

// Connects to PostgreSQL 15+ and applies the migrations. Errors: kUnavailable when the server cannot be
// reached, is older than 15, a migration fails, or 64 servers already share the database.
Result<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options);

// storage.url as configured: "" → SQLite at `default_sqlite_path`; "sqlite:PATH" → SQLite at PATH;
// "postgresql://…" / "postgres://…" → PostgreSQL. Errors: kBadRequest for another scheme, else as above.
struct StorageOptions {
  std::string url;
  std::string default_sqlite_path;
  int read_connections = 4;
  int max_batch = 512;
};
Result<std::unique_ptr<Database>> OpenStorage(const StorageOptions& options);
// True for the PostgreSQL URL forms OpenStorage accepts.
bool IsPostgresUrl(std::string_view url);

}  // namespace tribune::storage
