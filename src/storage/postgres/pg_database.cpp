// PostgreSQL backend: a pool of read connections, one writer per process with group commit (as the SQLite
// backend), a listener connection for LISTEN/NOTIFY, and a connection that holds this process's node slot.
//
// Write batches of every process are serialised by one transaction-scoped advisory lock: every service
// keeps the guarantee it has on SQLite, that a write function sees no other writer between its reads and
// its writes (limits, "already decided" checks, next block number), on one server or several. Reads, which
// are most of the load, run in parallel on every server. docs/ARCHITECTURE.md discusses the choice.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/log.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/write_queue.hpp"

namespace tribune::storage {

namespace {

// Advisory lock keys: the first int names Tribune, the second the lock.
constexpr const char* kWriteLock = "SELECT pg_advisory_xact_lock(827301, 1)";
constexpr const char* kMigrateLock = "SELECT pg_advisory_lock(827301, 2)";
constexpr const char* kMigrateUnlock = "SELECT pg_advisory_unlock(827301, 2)";
constexpr int kNodeLockSpace = 827302;
constexpr int kExclusiveSpace = 827303;

Status ApplyMigrations(PgConnection& conn) {
  // Two servers starting together: the second waits, then finds nothing left to do.
  TRIBUNE_TRY(conn.ExecScript(kMigrateLock));
  auto unlock = [&] { (void)conn.ExecScript(kMigrateUnlock); };
  Status st = conn.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
      " applied_at BIGINT NOT NULL)");
  if (!st.ok()) return unlock(), st;
  auto rows = conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows.ok()) return unlock(), std::move(rows).error();
  const int64_t current = (*rows)[0].Int(0);
  for (int i = 0; i < kPostgresMigrationsCount; ++i) {
    const Migration& m = kPostgresMigrations[i];
    if (m.version <= current) continue;
    st = conn.ExecScript("BEGIN");
    if (st.ok()) st = conn.ExecScript(m.sql);
    if (st.ok()) {
      auto ins = conn.Exec(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
          "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT)",
          {int64_t{m.version}, std::string(m.name)});
      if (!ins.ok()) st = std::move(ins).error();
    }
    if (st.ok()) st = conn.ExecScript("COMMIT");
    if (!st.ok()) {
      (void)conn.ExecScript("ROLLBACK");
      unlock();
      return MakeError(ErrorCode::kUnavailable, std::string("migration ") + m.name + " failed: " + st.error().message);
    }
  }
  unlock();
  return Ok{};
}

class PgDatabase final : public Database {
 public:
  PgDatabase(PostgresOptions options, std::unique_ptr<PgConnection> writer, std::unique_ptr<PgConnection> node,
             int slot)
      : options_(std::move(options)), writer_(std::move(writer)), node_(std::move(node)), slot_(slot) {
    writes_ = std::make_unique<WriteQueue>(
        options_.max_batch, [this](const std::vector<const WriteQueue::Fn*>& batch, std::vector<Status>& results) {
          CommitBatch(batch, results);
        });
  }

  ~PgDatabase() override { Close(); }

  Result<Rows> Read(std::string_view sql, const Params& params) override {
    auto lease = Lease();
    if (!lease.ok()) return std::move(lease).error();
    auto rows = lease->conn->Query(sql, params);
    return rows;
  }

  Status ReadTx(const std::function<Status(Session&)>& fn) override {
    auto lease = Lease();
    if (!lease.ok()) return std::move(lease).error();
    PgConnection& c = *lease->conn;
    TRIBUNE_TRY(c.ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    Status st = RunGuarded(fn, c);
    (void)c.ExecScript(st.ok() ? "COMMIT" : "ROLLBACK");
    return st;
  }

  Status Write(std::function<Status(Session&)> fn) override { return writes_->Submit(std::move(fn)); }

  Status Notify(std::string_view channel, std::string_view payload) override {
    auto lease = Lease();
    if (!lease.ok()) return std::move(lease).error();
    auto r = lease->conn->Query("SELECT pg_notify($1, $2)", {std::string(channel), std::string(payload)});
    if (!r.ok()) return std::move(r).error();
    return Ok{};
  }

  Status Listen(std::string channel, std::function<void(const std::string&)> fn) override {
    std::unique_lock lock(listen_mu_);
    handlers_[channel].push_back(std::move(fn));
    if (!listener_.joinable()) {
      if (::pipe(wake_) != 0) return MakeError(ErrorCode::kUnavailable, "pipe() failed");
      listener_ = std::thread([this] { ListenLoop(); });
    }
    Wake();
    // Back only when the LISTEN is in place, so a caller may rely on hearing what is sent afterwards.
    if (!listen_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return listening_.count(channel) > 0; }))
      return MakeError(ErrorCode::kUnavailable, "LISTEN " + channel + " did not take effect");
    return Ok{};
  }

  int NodeSlot() const override { return slot_; }

  void StopListening() override {
    stop_listening_ = true;
    if (listener_.joinable()) {
      Wake();
      listener_.join();
    }
  }

  Result<bool> RunExclusive(int key, const std::function<Status()>& fn) override {
    // Its own connection: the session lock ends with it, whatever happens, and no reader waits for it.
    auto conn = PgConnection::Open(options_.url);
    if (!conn.ok()) return std::move(conn).error();
    auto got = (*conn)->Query("SELECT pg_try_advisory_lock(" + std::to_string(kExclusiveSpace) + ", " +
                              std::to_string(key) + ")");
    if (!got.ok()) return std::move(got).error();
    if ((*got)[0].Int(0) != 1) return false;
    Status st = fn();
    if (!st.ok()) return st.error();
    return true;
  }

  void OnListenReconnect(std::function<void()> fn) override {
    std::lock_guard lock(listen_mu_);
    reconnect_handlers_.push_back(std::move(fn));
  }

  void Close() override {
    if (!writes_->Close()) return;
    StopListening();
    if (wake_[0] >= 0) {
      ::close(wake_[0]);
      ::close(wake_[1]);
      wake_[0] = wake_[1] = -1;
    }
    std::lock_guard lock(pool_mu_);
    free_.clear();
    node_.reset();
  }

  std::string_view Dialect() const override { return "postgresql"; }

 private:
  // A pooled connection: returned on destruction, dropped when it broke.
  struct LeaseT {
    PgDatabase* db;
    std::unique_ptr<PgConnection> conn;
    LeaseT(PgDatabase* d, std::unique_ptr<PgConnection> c) : db(d), conn(std::move(c)) {}
    LeaseT(LeaseT&& o) noexcept : db(o.db), conn(std::move(o.conn)) {}
    ~LeaseT() {
      if (conn) db->Return(std::move(conn));
    }
  };

  Result<LeaseT> Lease() {
    {
      std::unique_lock lock(pool_mu_);
      pool_cv_.wait(lock, [&] { return !free_.empty() || open_ < options_.read_connections; });
      if (!free_.empty()) {
        auto c = std::move(free_.back());
        free_.pop_back();
        return LeaseT(this, std::move(c));
      }
      ++open_;
    }
    auto c = PgConnection::Open(options_.url);
    if (!c.ok()) {
      {
        std::lock_guard lock(pool_mu_);
        --open_;
      }
      pool_cv_.notify_one();
      return std::move(c).error();
    }
    return LeaseT(this, std::move(c).value());
  }

  void Return(std::unique_ptr<PgConnection> c) {
    {
      std::lock_guard lock(pool_mu_);
      // A connection left inside a transaction or broken is not handed to the next caller.
      if (c->healthy() && PQtransactionStatus(c->raw()) == PQTRANS_IDLE) {
        free_.push_back(std::move(c));
      } else {
        --open_;
      }
    }
    pool_cv_.notify_one();
  }

  // At most once a second, before a write: does this process still hold its node slot? The session lock lives on
  // node_; a dropped connection (a PostgreSQL restart) loses it, and another server could take the slot and make
  // the same ids. Then the lock is taken again on a new connection, or — when someone else has the slot now —
  // this server refuses to write until it is restarted.
  Status CheckSlot() {
    const auto now = std::chrono::steady_clock::now();
    if (slot_lost_) return MakeError(ErrorCode::kUnavailable, "this server lost its node slot to another server: restart it");
    if (now < next_slot_check_) return Ok{};
    next_slot_check_ = now + std::chrono::milliseconds(options_.slot_check_ms);
    if (node_ && node_->healthy()) {
      auto held = node_->Query(
          "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2"
          " AND objsubid = 2 AND pid = pg_backend_pid() AND granted",
          {int64_t{kNodeLockSpace}, int64_t{slot_}});
      if (held.ok() && (*held)[0].Int(0) > 0) return Ok{};
    }
    auto c = PgConnection::Open(options_.url);
    if (!c.ok()) return std::move(c).error();
    auto got = (*c)->Query("SELECT pg_try_advisory_lock(" + std::to_string(kNodeLockSpace) + ", " +
                           std::to_string(slot_) + ")");
    if (!got.ok()) return std::move(got).error();
    if ((*got)[0].Int(0) != 1) {
      slot_lost_ = true;
      log::Error("storage: node slot " + std::to_string(slot_) + " was taken by another server; refusing writes");
      return MakeError(ErrorCode::kUnavailable, "this server lost its node slot to another server: restart it");
    }
    log::Warn("storage: node slot " + std::to_string(slot_) + " taken again after the connection was lost");
    node_ = std::move(c).value();
    return Ok{};
  }

  // The writer's connection, reconnected when the server dropped it (a restart, a failover).
  Status EnsureWriter() {
    if (writer_ && writer_->healthy()) return Ok{};
    auto c = PgConnection::Open(options_.url);
    if (!c.ok()) return std::move(c).error();
    writer_ = std::move(c).value();
    return Ok{};
  }

  void CommitBatch(const std::vector<const WriteQueue::Fn*>& batch, std::vector<Status>& results) {
    Status begin = Begin();
    if (!begin.ok() && (!writer_ || !writer_->healthy())) {
      // The server went away since the last batch (a restart, a failover): nothing ran, so one retry on a new
      // connection is safe.
      begin = Begin();
    }
    if (!begin.ok()) {
      if (writer_ && writer_->healthy()) (void)writer_->ExecScript("ROLLBACK");
      results.assign(batch.size(), begin);
      return;
    }
    for (const WriteQueue::Fn* fn : batch) {
      Status st = writer_->ExecScript("SAVEPOINT job");
      if (st.ok()) {
        st = RunGuarded(*fn, *writer_);
        // A function that went on after a failed statement (fine on SQLite) left PostgreSQL's transaction
        // aborted: its work is undone, so it must not be reported as done.
        if (st.ok() && PQtransactionStatus(writer_->raw()) == PQTRANS_INERROR)
          st = MakeError(ErrorCode::kInternal, "a statement of this write failed; the write was undone");
        if (st.ok()) st = writer_->ExecScript("RELEASE job");
        if (!st.ok()) (void)writer_->ExecScript("ROLLBACK TO job; RELEASE job");
      }
      results.push_back(std::move(st));
    }
    Status commit = Commit();
    if (!commit.ok()) {
      if (writer_->healthy()) (void)writer_->ExecScript("ROLLBACK");
      for (auto& r : results)
        if (r.ok()) r = MakeError(ErrorCode::kUnavailable, "commit failed: " + commit.error().message);
    }
  }

  Status Begin() {
    TRIBUNE_TRY(CheckSlot());
    TRIBUNE_TRY(EnsureWriter());
    return writer_->ExecScript(std::string("BEGIN; ") + kWriteLock);
  }

  // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK: only the tag COMMIT means durable.
  Status Commit() {
    PGresult* res = PQexec(writer_->raw(), "COMMIT");
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK && std::strcmp(PQcmdStatus(res), "COMMIT") == 0;
    std::string msg = ok ? "" : std::string(PQresultErrorMessage(res)) + " (" + PQcmdStatus(res) + ")";
    PQclear(res);
    if (ok) return Ok{};
    // A connection lost during COMMIT leaves the outcome unknown: reported as a failure (the client may retry).
    return MakeError(ErrorCode::kUnavailable, "postgresql: COMMIT did not commit: " + msg);
  }

  void Wake() {
    if (wake_[1] >= 0) {
      char b = 1;
      (void)!::write(wake_[1], &b, 1);
    }
  }

  // One connection LISTENs on every channel asked for and hands each notification to its handlers.
  // A lost connection is opened again (with the LISTENs) after a short pause.
  void ListenLoop() {
    std::unique_ptr<PgConnection> conn;
    bool reconnected = false;  // a connection existed before: what was sent meanwhile is lost
    while (!stop_listening_) {
      if (conn && !conn->healthy()) {
        conn.reset();
        reconnected = true;
      }
      if (!conn) {
        {
          std::lock_guard lock(listen_mu_);
          listening_.clear();
        }
        auto c = PgConnection::Open(options_.url);
        if (!c.ok()) {
          log::Warn("storage: LISTEN connection failed: " + c.error().message);
          WaitReadable(-1, 1000);
          continue;
        }
        conn = std::move(c).value();
      }
      std::vector<std::string> todo;
      {
        std::lock_guard lock(listen_mu_);
        for (const auto& [ch, fns] : handlers_)
          if (!listening_.count(ch)) todo.push_back(ch);
      }
      bool ok = true;
      for (const auto& ch : todo) {
        char* quoted = PQescapeIdentifier(conn->raw(), ch.c_str(), ch.size());
        ok = quoted && conn->ExecScript(std::string("LISTEN ") + quoted).ok();
        PQfreemem(quoted);
        if (!ok) break;
        std::lock_guard lock(listen_mu_);
        listening_.insert(ch);
      }
      listen_cv_.notify_all();
      if (!ok) {
        log::Warn("storage: LISTEN failed; trying again");
        conn.reset();
        reconnected = true;
        WaitReadable(-1, 1000);
        continue;
      }
      if (reconnected && todo.size() > 0) {
        reconnected = false;
        std::vector<std::function<void()>> fns;
        {
          std::lock_guard lock(listen_mu_);
          fns = reconnect_handlers_;
        }
        for (auto& fn : fns) fn();
      }
      WaitReadable(PQsocket(conn->raw()), 1000);
      if (!PQconsumeInput(conn->raw())) continue;  // broken: reopened above
      while (PGnotify* n = PQnotifies(conn->raw())) {
        std::string channel = n->relname, payload = n->extra;
        PQfreemem(n);
        std::vector<std::function<void(const std::string&)>> fns;
        {
          std::lock_guard lock(listen_mu_);
          fns = handlers_[channel];
        }
        for (auto& fn : fns) fn(payload);
      }
    }
  }

  void WaitReadable(int fd, int timeout_ms) {
    pollfd fds[2] = {{wake_[0], POLLIN, 0}, {fd, POLLIN, 0}};
    if (::poll(fds, fd >= 0 ? 2 : 1, timeout_ms) > 0 && (fds[0].revents & POLLIN)) {
      char buf[64];
      (void)!::read(wake_[0], buf, sizeof buf);
    }
  }

  const PostgresOptions options_;
  std::unique_ptr<PgConnection> writer_;
  std::unique_ptr<PgConnection> node_;  // holds the node slot's session lock for the process's life
  const int slot_;
  // The writer thread's: when the slot was last checked, and whether another server has it now.
  std::chrono::steady_clock::time_point next_slot_check_{};
  bool slot_lost_ = false;


  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<PgConnection>> free_;
  int open_ = 0;

  std::mutex listen_mu_;
  std::condition_variable listen_cv_;
  std::map<std::string, std::vector<std::function<void(const std::string&)>>> handlers_;
  std::set<std::string> listening_;
  std::vector<std::function<void()>> reconnect_handlers_;
  std::thread listener_;
  std::atomic<bool> stop_listening_{false};
  int wake_[2] = {-1, -1};

  std::unique_ptr<WriteQueue> writes_;  // last member: its thread stops before the rest is destroyed
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options) {
  auto writer = PgConnection::Open(options.url);
  if (!writer.ok()) return std::move(writer).error();
  if (PQserverVersion((*writer)->raw()) < 150000)
    return MakeError(ErrorCode::kUnavailable, "PostgreSQL 15 or later is needed (the server is " +
                                                  std::to_string(PQserverVersion((*writer)->raw())) + ")");
  // Text is UTF-8 everywhere in Tribune; a database in another encoding would refuse (or mangle) some of it.
  auto encoding = (*writer)->Query("SELECT current_setting('server_encoding')");
  if (!encoding.ok()) return std::move(encoding).error();
  if ((*encoding)[0].Text(0) != "UTF8")
    return MakeError(ErrorCode::kUnavailable, "the PostgreSQL database must use UTF8 encoding (it uses " +
                                                  (*encoding)[0].Text(0) + "): create it with --encoding UTF8");
  if (options.migrate) TRIBUNE_TRY(ApplyMigrations(**writer));
  // Each live process holds one of 64 session locks: its slot goes into the ids it makes, so two servers
  // never make the same id. The lock ends with the connection, i.e. with the process.
  auto node = PgConnection::Open(options.url);
  if (!node.ok()) return std::move(node).error();
  int slot = -1;
  for (int i = 0; i < 64 && slot < 0; ++i) {
    auto r = (*node)->Query("SELECT pg_try_advisory_lock(" + std::to_string(kNodeLockSpace) + ", " +
                            std::to_string(i) + ")");
    if (!r.ok()) return std::move(r).error();
    if ((*r)[0].Int(0) == 1) slot = i;
  }
  if (slot < 0) return MakeError(ErrorCode::kUnavailable, "64 Tribune servers already use this database");
  PostgresOptions o = options;
  o.read_connections = std::max(1, o.read_connections);
  o.max_batch = std::max(1, o.max_batch);
  return std::unique_ptr<Database>(
      new PgDatabase(std::move(o), std::move(writer).value(), std::move(node).value(), slot));
}

}  // namespace tribune::storage
