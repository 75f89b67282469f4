#include "storage/database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace tribune::storage {
namespace {

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tribune-db-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Database> Open() {
    auto db = OpenSqlite({.path = path_, .read_connections = 2});
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
    return std::move(db).value();
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SqliteDatabaseTest, MigrationsCreateTheSchemaOnceAndRecordTheirVersion) {
  { auto db = Open(); }
  auto db = Open();  // re-opening must not re-apply
  auto rows = db->Read("SELECT COUNT(*), MAX(version) FROM schema_migrations");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), (*rows)[0].Int(1));
  EXPECT_GE((*rows)[0].Int(1), 1);
}

TEST_F(SqliteDatabaseTest, JournalIsWalAndSynchronousIsFull) {
  auto db = Open();
  Status st = db->Write([](Session& s) -> Status {
    auto mode = s.Query("PRAGMA journal_mode");
    auto sync = s.Query("PRAGMA synchronous");
    EXPECT_EQ((*mode)[0].Text(0), "wal");
    EXPECT_EQ((*sync)[0].Int(0), 2);  // FULL
    return Ok{};
  });
  EXPECT_TRUE(st.ok());
}

TEST_F(SqliteDatabaseTest, PlaceholdersBindByNumberWhateverTheirOrder) {
  auto db = Open();
  auto rows = db->Read("SELECT $2 || '-' || $1, $1 + 0", {int64_t{7}, std::string("x")});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ((*rows)[0].Text(0), "x-7");
  EXPECT_EQ((*rows)[0].Int(1), 7);
}

TEST_F(SqliteDatabaseTest, AFailedWriteLeavesNothingAndOthersInTheBatchCommit) {
  auto db = Open();
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const bool fail = (i % 5 == 0);
        Status st = db->Write([&](Session& s) -> Status {
          TRIBUNE_TRY(s.Exec("INSERT INTO meta (key, value) VALUES ($1, 'v')",
                             {"k" + std::to_string(t) + "-" + std::to_string(i)}));
          if (fail) return MakeError(ErrorCode::kConflict, "on purpose");
          return Ok{};
        });
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 8 * 10);
  auto rows = db->Read("SELECT COUNT(*) FROM meta WHERE key LIKE 'k%'");
  EXPECT_EQ((*rows)[0].Int(0), 8 * 40);
}

TEST_F(SqliteDatabaseTest, ConstraintViolationIsAConflict) {
  auto db = Open();
  auto insert = [&] {
    return db->Write([](Session& s) -> Status {
      TRIBUNE_TRY(s.Exec("INSERT INTO meta (key, value) VALUES ('same', 'v')"));
      return Ok{};
    });
  };
  EXPECT_TRUE(insert().ok());
  Status second = insert();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
}

TEST_F(SqliteDatabaseTest, WriteAfterCloseIsUnavailableAndCommittedDataSurvives) {
  auto db = Open();
  ASSERT_TRUE(db->Write([](Session& s) -> Status {
                  TRIBUNE_TRY(s.Exec("INSERT INTO meta (key, value) VALUES ('a', 'b')"));
                  return Ok{};
                }).ok());
  db->Close();
  Status st = db->Write([](Session&) -> Status { return Ok{}; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  db.reset();
  auto again = Open();
  auto rows = again->Read("SELECT value FROM meta WHERE key = 'a'");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "b");
}

TEST_F(SqliteDatabaseTest, ReadTxSeesOneSnapshot) {
  auto db = Open();
  Status st = db->ReadTx([&](Session& s) -> Status {
    auto before = s.Query("SELECT COUNT(*) FROM meta");
    EXPECT_TRUE(db->Write([](Session& w) -> Status {
                    TRIBUNE_TRY(w.Exec("INSERT INTO meta (key, value) VALUES ('x', 'y')"));
                    return Ok{};
                  }).ok());
    auto after = s.Query("SELECT COUNT(*) FROM meta");
    EXPECT_EQ((*before)[0].Int(0), (*after)[0].Int(0));
    return Ok{};
  });
  EXPECT_TRUE(st.ok());
}

TEST_F(SqliteDatabaseTest, CommentsTableIsClusteredWithoutRowid) {
  auto db = Open();
  auto rows = db->Read("SELECT sql FROM sqlite_schema WHERE name = 'comments'");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_NE((*rows)[0].Text(0).find("WITHOUT ROWID"), std::string::npos);
}

}  // namespace
}  // namespace tribune::storage
