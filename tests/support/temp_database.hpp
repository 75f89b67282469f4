// A real SQLite database in a fresh temporary directory, removed at the end of the test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "storage/database.hpp"

namespace tribune::testing {

class TempDatabase {
 public:
  TempDatabase() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("tribune-test-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = storage::OpenSqlite({.path = (dir_ / "tribune.db").string(), .read_connections = 2});
    if (!db.ok()) throw std::runtime_error(db.error().message);
    db_ = std::move(db).value();
  }
  ~TempDatabase() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  storage::Database& db() { return *db_; }
  int64_t Count(const std::string& sql) {
    auto rows = db_->Read(sql);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }
  // One statement in its own write; a failure fails the test.
  void Exec(const std::string& sql, storage::Params params = {}) {
    Status st = db_->Write([&](storage::Session& s) -> Status {
      auto r = s.Exec(sql, params);
      if (!r.ok()) return std::move(r).error();
      return Ok{};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
};

}  // namespace tribune::testing
