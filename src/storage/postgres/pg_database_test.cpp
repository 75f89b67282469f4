// The PostgreSQL backend against a real server: runs when TRIBUNE_TEST_POSTGRES names one (`make pg-unit`,
// CI), and says it skipped otherwise.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "support/temp_database.hpp"

namespace tribune::storage {
namespace {

#define EXEC(session, ...)                         \
  do {                                             \
    auto exec_r = (session).Exec(__VA_ARGS__);     \
    if (!exec_r.ok()) return std::move(exec_r).error(); \
  } while (0)

using tribune::testing::TempDatabase;
using tribune::testing::TestPostgresUrl;

class PgDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPostgresUrl().empty()) GTEST_SKIP() << "TRIBUNE_TEST_POSTGRES is not set: no PostgreSQL to test against";
    tmp_ = std::make_unique<TempDatabase>();
  }
  Database& db() { return tmp_->db(); }
  std::unique_ptr<TempDatabase> tmp_;
};

TEST_F(PgDatabaseTest, ValuesRoundTripAsOnSqlite) {
  tmp_->Exec("CREATE TABLE t (i BIGINT, d DOUBLE PRECISION, s TEXT, n BIGINT)");
  const int64_t big = (int64_t{1} << 62) + 12345;
  tmp_->Exec("INSERT INTO t VALUES ($1, $2, $3, $4)", {big, 0.125, std::string("héllo 'quoted' \"x\""), nullptr});
  auto rows = db().Read("SELECT i, d, s, n, SUM(i) OVER (), COUNT(*) OVER (), AVG(d) OVER () FROM t");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  const Row& r = (*rows)[0];
  EXPECT_EQ(r.Int(0), big);
  EXPECT_DOUBLE_EQ(r.Double(1), 0.125);
  EXPECT_EQ(r.Text(2), "héllo 'quoted' \"x\"");
  EXPECT_TRUE(r.IsNull(3));
  EXPECT_EQ(r.Int(4), big);  // numeric without a fraction comes back as an integer
  EXPECT_EQ(r.Int(5), 1);
  EXPECT_DOUBLE_EQ(r.Double(6), 0.125);
}

TEST_F(PgDatabaseTest, IntegerParametersTakeSixtyFourBitValues) {
  // `$1 = 0` makes PostgreSQL infer integer; the backend declares it bigint.
  const int64_t id = int64_t{96498444618694656};
  auto rows = db().Read("SELECT CASE WHEN $1 = 0 THEN 'zero' ELSE 'other' END, $1 + 1", {id});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ((*rows)[0].Text(0), "other");
  EXPECT_EQ((*rows)[0].Int(1), id + 1);
  // ... but a function that exists only for integer keeps PostgreSQL's own types.
  auto lpad = db().Read("SELECT lpad('7', $1, '0')", {int64_t{3}});
  ASSERT_TRUE(lpad.ok()) << lpad.error().message;
  EXPECT_EQ((*lpad)[0].Text(0), "007");
}

TEST_F(PgDatabaseTest, AFailedWriteLeavesNothingAndTheBatchGoesOn) {
  tmp_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
  std::vector<std::thread> writers;
  std::atomic<int> ok{0}, conflicts{0};
  for (int i = 0; i < 40; ++i) {
    writers.emplace_back([&, i] {
      Status st = db().Write([&](Session& s) -> Status {
        EXEC(s, "INSERT INTO t VALUES ($1)", {"w" + std::to_string(i)});
        // Every other writer also inserts a shared key: all but the first fail, and lose their own row too.
        if (i % 2 == 0) EXEC(s, "INSERT INTO t VALUES ('shared')");
        return Ok{};
      });
      if (st.ok()) ++ok;
      else if (st.error().code == ErrorCode::kConflict) ++conflicts;
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(ok.load(), 21);
  EXPECT_EQ(conflicts.load(), 19);
  EXPECT_EQ(tmp_->Count("SELECT COUNT(*) FROM t"), 21 + 1);
}

TEST_F(PgDatabaseTest, BytesPostgresCannotHoldAreReplacedNotRefused) {
  // A raw header with a NUL or a broken UTF-8 sequence: SQLite keeps the bytes; PostgreSQL text cannot.
  tmp_->Exec("CREATE TABLE t (s TEXT)");
  tmp_->Exec("INSERT INTO t VALUES ($1)", {std::string("a\0b\xC3(\xF0\x9F\x98\x80\xE2\x82", 11)});
  auto rows = db().Read("SELECT s FROM t");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ((*rows)[0].Text(0), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD(\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_F(PgDatabaseTest, AFunctionThatGoesOnAfterAFailedStatementIsNotReportedAsDone) {
  // On SQLite a failed statement leaves the transaction usable; on PostgreSQL it aborts it, and COMMIT then
  // rolls back everything. The function's caller must hear that, and the others in the batch must commit.
  tmp_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
  tmp_->Exec("INSERT INTO t VALUES ('taken')");
  std::vector<std::thread> writers;
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < 20; ++i) {
    writers.emplace_back([&, i] {
      Status st = db().Write([&](Session& s) -> Status {
        if (i == 7) {
          (void)s.Exec("INSERT INTO t VALUES ('taken')");  // fails; the function ignores it and goes on
          (void)s.Exec("INSERT INTO t VALUES ('after')");
          return Ok{};
        }
        EXEC(s, "INSERT INTO t VALUES ($1)", {"w" + std::to_string(i)});
        return Ok{};
      });
      (st.ok() ? ok : failed)++;
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(ok.load(), 19);
  EXPECT_EQ(failed.load(), 1);
  EXPECT_EQ(tmp_->Count("SELECT COUNT(*) FROM t"), 1 + 19);
  EXPECT_EQ(tmp_->Count("SELECT COUNT(*) FROM t WHERE k = 'after'"), 0);
}

// The pid of the backend holding this test database's node slot `slot`.
int64_t NodePid(Database& db, int slot) {
  auto rows = db.Read(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 827302 AND objid = $1 AND objsubid = 2",
      {int64_t{slot}});
  return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : 0;
}

TEST_F(PgDatabaseTest, ANodeSlotLostWithItsConnectionIsTakenAgainOrWritesStop) {
  auto db2 = OpenPostgres({.url = tmp_->url(), .read_connections = 1, .slot_check_ms = 0});
  ASSERT_TRUE(db2.ok()) << db2.error().message;
  const int slot = (*db2)->NodeSlot();
  auto write = [&] {
    return (*db2)->Write([](Session& s) -> Status {
      EXEC(s, "SELECT 1");
      return Ok{};
    });
  };
  ASSERT_TRUE(write().ok());
  // The connection that holds the slot dies (a restart, a proxy's idle timeout): the next write takes it again.
  const int64_t pid = NodePid(db(), slot);
  ASSERT_NE(pid, 0);
  ASSERT_TRUE(db().Read("SELECT pg_terminate_backend($1)", {pid}).ok());
  ASSERT_TRUE(write().ok());
  const int64_t again = NodePid(db(), slot);
  EXPECT_NE(again, 0);
  EXPECT_NE(again, pid);
  // Lost again, and this time another server takes the slot first: this one must stop making ids.
  ASSERT_TRUE(db().Read("SELECT pg_terminate_backend($1)", {again}).ok());
  auto other = PgConnection::Open(tmp_->url());
  ASSERT_TRUE(other.ok());
  // The kill is asynchronous: wait (bounded) until the lock is free.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (NodePid(db(), slot) != 0 && std::chrono::steady_clock::now() < end) std::this_thread::yield();
  auto took = (*other)->Query("SELECT pg_try_advisory_lock(827302, " + std::to_string(slot) + ")");
  ASSERT_TRUE(took.ok());
  ASSERT_EQ((*took)[0].Int(0), 1);
  Status st = write();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(st.error().message.find("node slot"), std::string::npos);
  (*db2)->Close();
}

TEST_F(PgDatabaseTest, AListenerThatLostItsConnectionListensAgainAndSaysSo) {
  std::mutex mu;
  std::condition_variable cv;
  int reconnects = 0;
  std::vector<std::string> heard;
  db().OnListenReconnect([&] {
    std::lock_guard lock(mu);
    ++reconnects;
    cv.notify_all();
  });
  ASSERT_TRUE(db().Listen("tribune_test", [&](const std::string& p) {
    std::lock_guard lock(mu);
    heard.push_back(p);
    cv.notify_all();
  }).ok());
  auto pid = db().Read("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
  ASSERT_TRUE(pid.ok() && pid->size() == 1);
  ASSERT_TRUE(db().Read("SELECT pg_terminate_backend($1)", {(*pid)[0].Int(0)}).ok());
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(15), [&] { return reconnects == 1; }));
  lock.unlock();
  ASSERT_TRUE(db().Notify("tribune_test", "after").ok());
  lock.lock();
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !heard.empty(); }));
  EXPECT_EQ(heard, std::vector<std::string>{"after"});
}

TEST_F(PgDatabaseTest, ReadTxSeesOneSnapshot) {
  tmp_->Exec("CREATE TABLE t (x BIGINT)");
  tmp_->Exec("INSERT INTO t VALUES (1)");
  int64_t first = -1, second = -1;
  Status st = db().ReadTx([&](Session& s) -> Status {
    first = (*s.Query("SELECT COUNT(*) FROM t"))[0].Int(0);
    Status w = db().Write([](Session& ws) -> Status {
      EXEC(ws, "INSERT INTO t VALUES (2)");
      return Ok{};
    });
    EXPECT_TRUE(w.ok());
    second = (*s.Query("SELECT COUNT(*) FROM t"))[0].Int(0);
    return Ok{};
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(tmp_->Count("SELECT COUNT(*) FROM t"), 2);
}

TEST_F(PgDatabaseTest, AppendOnlyTablesRefuseChangesAsConflicts) {
  tmp_->Exec("INSERT INTO consent_log (id, account_id, document, version, method, created_at) VALUES (1, 1, 'p', 1, 'm', 0)");
  Status st = db().Write([](Session& s) -> Status {
    EXEC(s, "DELETE FROM consent_log");
    return Ok{};
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_EQ(tmp_->Count("SELECT COUNT(*) FROM consent_log"), 1);
}

TEST_F(PgDatabaseTest, NotificationsReachEveryProcessOnTheDatabase) {
  // A second Database on the same PostgreSQL database stands for a second server.
  auto other = OpenPostgres({.url = tmp_->url(), .read_connections = 1});
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_NE((*other)->NodeSlot(), db().NodeSlot());
  std::mutex mu;
  std::condition_variable cv;
  std::multiset<std::string> heard;
  auto hear = [&](const std::string& tag) {
    return [&, tag](const std::string& payload) {
      std::lock_guard lock(mu);
      heard.insert(tag + ":" + payload);
      cv.notify_all();
    };
  };
  ASSERT_TRUE(db().Listen("tribune_test", hear("a")).ok());
  ASSERT_TRUE((*other)->Listen("tribune_test", hear("b")).ok());
  ASSERT_TRUE((*other)->Listen("tribune_other", hear("b-other")).ok());
  ASSERT_TRUE(db().Notify("tribune_test", "42,7,new").ok());
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return heard.size() >= 2; }));
  EXPECT_EQ(heard, (std::multiset<std::string>{"a:42,7,new", "b:42,7,new"}));
  lock.unlock();
  (*other)->Close();
}

TEST_F(PgDatabaseTest, WritesOfTwoServersDoNotInterleave) {
  // Read-then-write in one function (a limit, a next number) stays correct with two servers writing.
  tmp_->Exec("CREATE TABLE seq (n BIGINT PRIMARY KEY)");
  auto other = OpenPostgres({.url = tmp_->url(), .read_connections = 1});
  ASSERT_TRUE(other.ok()) << other.error().message;
  auto next = [](Session& s) -> Status {
    TRIBUNE_ASSIGN(auto rows, s.Query("SELECT COALESCE(MAX(n), 0) + 1 FROM seq"));
    EXEC(s, "INSERT INTO seq VALUES ($1)", {rows[0].Int(0)});
    return Ok{};
  };
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    Database* target = t % 2 ? other->get() : &db();
    threads.emplace_back([&, target] {
      for (int i = 0; i < 25; ++i)
        if (!target->Write(next).ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(tmp_->Count("SELECT COUNT(*) FROM seq"), 200);
  EXPECT_EQ(tmp_->Count("SELECT MAX(n) FROM seq"), 200);
  (*other)->Close();
}

TEST_F(PgDatabaseTest, SchemaMatchesTheSqliteSchema) {
  auto sqlite_path = std::filesystem::temp_directory_path() / ("tribune-schema-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(sqlite_path);
  auto lite = OpenSqlite({.path = sqlite_path.string(), .read_connections = 1});
  ASSERT_TRUE(lite.ok()) << lite.error().message;
  auto lite_cols = (*lite)->Read(
      "SELECT m.name || '.' || p.name FROM pragma_table_list m, pragma_table_info(m.name) p "
      "WHERE m.schema = 'main' AND m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1");
  ASSERT_TRUE(lite_cols.ok()) << lite_cols.error().message;
  auto pg_cols = db().Read(
      "SELECT (table_name || '.' || column_name) COLLATE \"C\" AS c FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY c");
  ASSERT_TRUE(pg_cols.ok()) << pg_cols.error().message;
  std::vector<std::string> a, b;
  for (const auto& r : *lite_cols) a.push_back(r.Text(0));
  for (const auto& r : *pg_cols) b.push_back(r.Text(0));
  EXPECT_EQ(a, b);
  auto lite_idx = (*lite)->Read("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY 1");
  auto pg_idx = db().Read(
      "SELECT indexname::text COLLATE \"C\" AS i FROM pg_indexes WHERE schemaname = current_schema() "
      "AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' AND indexdef NOT LIKE '% USING gin %' ORDER BY i");
  ASSERT_TRUE(lite_idx.ok() && pg_idx.ok());
  a.clear();
  b.clear();
  for (const auto& r : *lite_idx) a.push_back(r.Text(0));
  for (const auto& r : *pg_idx) b.push_back(r.Text(0));
  EXPECT_EQ(a, b);
  (*lite)->Close();
  std::filesystem::remove(sqlite_path);
}

}  // namespace
}  // namespace tribune::storage
