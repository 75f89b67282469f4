// SQLite backend: one writer thread with group commit, a pool of read-only connections.
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/sqlite/sqlite_connection.hpp"
#include "storage/write_queue.hpp"

namespace tribune::storage {

namespace {

// Transaction control through the prepared-statement cache: parsing "SAVEPOINT job" for every write
// cost 13 % of the writer thread (bench).
Status Control(SqliteConnection& conn, std::string_view sql) {
  auto r = conn.Exec(sql);
  if (!r.ok()) return std::move(r).error();
  return Ok{};
}

Status ApplyMigrations(SqliteConnection& conn) {
  TRIBUNE_TRY(conn.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
      " applied_at INTEGER NOT NULL)"));
  auto rows = conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows.ok()) return std::move(rows).error();
  const int64_t current = (*rows)[0].Int(0);
  for (int i = 0; i < kSqliteMigrationsCount; ++i) {
    const Migration& m = kSqliteMigrations[i];
    if (m.version <= current) continue;
    TRIBUNE_TRY(conn.ExecScript("BEGIN IMMEDIATE"));
    Status st = conn.ExecScript(m.sql);
    if (st.ok()) {
      auto ins = conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
                           "CAST(strftime('%s','now') AS INTEGER) * 1000000)",
                           {int64_t{m.version}, std::string(m.name)});
      if (!ins.ok()) st = std::move(ins).error();
    }
    if (!st.ok()) {
      (void)conn.ExecScript("ROLLBACK");
      return MakeError(ErrorCode::kUnavailable,
                       std::string("migration ") + m.name + " failed: " + st.error().message);
    }
    TRIBUNE_TRY(conn.ExecScript("COMMIT"));
  }
  return Ok{};
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<SqliteConnection> writer, std::vector<std::unique_ptr<SqliteConnection>> readers,
                 int max_batch)
      : writer_(std::move(writer)) {
    for (auto& r : readers) free_readers_.push_back(r.get());
    readers_ = std::move(readers);
    writes_ = std::make_unique<WriteQueue>(
        max_batch, [this](const std::vector<const WriteQueue::Fn*>& batch, std::vector<Status>& results) {
          CommitBatch(batch, results);
        });
  }

  ~SqliteDatabase() override { Close(); }

  Result<Rows> Read(std::string_view sql, const Params& params) override {
    ReaderLease lease(*this);
    return lease.conn->Query(sql, params);
  }

  Status ReadTx(const std::function<Status(Session&)>& fn) override {
    ReaderLease lease(*this);
    TRIBUNE_TRY(Control(*lease.conn, "BEGIN"));
    Status st = RunGuarded(fn, *lease.conn);
    (void)Control(*lease.conn, "COMMIT");
    return st;
  }

  Status Write(std::function<Status(Session&)> fn) override { return writes_->Submit(std::move(fn)); }

  void Close() override {
    if (!writes_->Close()) return;
    // Fold the WAL back into the main file so a clean stop leaves one file.
    (void)writer_->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  std::string_view Dialect() const override { return "sqlite"; }

  // One process owns a SQLite database: a notification goes straight to this process's handlers.
  Status Notify(std::string_view channel, std::string_view payload) override {
    std::shared_lock dispatching(dispatch_mu_);  // StopListening waits for handlers that are running
    std::vector<std::function<void(const std::string&)>> fns;
    {
      std::lock_guard lock(listen_mu_);
      auto it = handlers_.find(std::string(channel));
      if (it == handlers_.end()) return Ok{};
      fns = it->second;
    }
    const std::string p(payload);
    for (auto& fn : fns) fn(p);
    return Ok{};
  }

  Status Listen(std::string channel, std::function<void(const std::string&)> fn) override {
    std::lock_guard lock(listen_mu_);
    handlers_[std::move(channel)].push_back(std::move(fn));
    return Ok{};
  }

  void StopListening() override {
    std::unique_lock no_dispatch(dispatch_mu_);
    std::lock_guard lock(listen_mu_);
    handlers_.clear();
  }

  Result<bool> RunExclusive(int, const std::function<Status()>& fn) override {
    TRIBUNE_TRY(fn());
    return true;
  }

 private:
  struct ReaderLease {
    explicit ReaderLease(SqliteDatabase& db) : db(db) {
      std::unique_lock lock(db.pool_mu_);
      db.pool_cv_.wait(lock, [&] { return !db.free_readers_.empty(); });
      conn = db.free_readers_.back();
      db.free_readers_.pop_back();
    }
    ~ReaderLease() {
      {
        std::lock_guard lock(db.pool_mu_);
        db.free_readers_.push_back(conn);
      }
      db.pool_cv_.notify_one();
    }
    SqliteDatabase& db;
    SqliteConnection* conn;
  };

  // Runs each job in its own savepoint inside one transaction; one fsync for the lot.
  void CommitBatch(const std::vector<const WriteQueue::Fn*>& batch, std::vector<Status>& results) {
    Status begin = Control(*writer_, "BEGIN IMMEDIATE");
    if (!begin.ok()) {
      results.assign(batch.size(), begin);
      return;
    }
    for (const WriteQueue::Fn* fn : batch) {
      Status st = Control(*writer_, "SAVEPOINT job");
      if (st.ok()) {
        st = RunGuarded(*fn, *writer_);
        if (!st.ok()) (void)Control(*writer_, "ROLLBACK TO job");
        (void)Control(*writer_, "RELEASE job");
      }
      results.push_back(std::move(st));
    }
    Status commit = Control(*writer_, "COMMIT");
    if (!commit.ok()) {
      (void)Control(*writer_, "ROLLBACK");
      for (auto& r : results)
        if (r.ok()) r = MakeError(ErrorCode::kUnavailable, "commit failed: " + commit.error().message);
    }
  }

  std::unique_ptr<SqliteConnection> writer_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<SqliteConnection*> free_readers_;

  std::shared_mutex dispatch_mu_;
  std::mutex listen_mu_;
  std::map<std::string, std::vector<std::function<void(const std::string&)>>> handlers_;

  std::unique_ptr<WriteQueue> writes_;  // last member: its thread stops before the rest is destroyed
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options) {
  auto writer = SqliteConnection::Open(options.path, /*read_only=*/false, options.mmap_bytes);
  if (!writer.ok()) return std::move(writer).error();
  if (options.migrate) TRIBUNE_TRY(ApplyMigrations(**writer));
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto r = SqliteConnection::Open(options.path, /*read_only=*/true, options.mmap_bytes);
    if (!r.ok()) return std::move(r).error();
    readers.push_back(std::move(r).value());
  }
  return std::unique_ptr<Database>(
      new SqliteDatabase(std::move(writer).value(), std::move(readers), std::max(1, options.max_batch)));
}

}  // namespace tribune::storage
