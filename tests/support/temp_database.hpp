// A real, empty database for one test, removed at the end of it: a SQLite file in a fresh temporary
// directory, or — when TRIBUNE_TEST_POSTGRES holds a PostgreSQL URL (`make pg-unit`) — a fresh PostgreSQL
// database cloned from a migrated template (one template per set of migrations, made once).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace tribune::testing {

// The PostgreSQL server the storage tests also run against, or "" (SQLite only).
inline std::string TestPostgresUrl() {
  const char* url = std::getenv("TRIBUNE_TEST_POSTGRES");
  return url ? url : "";
}

// `base` with its database name replaced by `dbname` (libpq URLs: postgresql://user@host:port/dbname?params).
inline std::string WithDatabase(const std::string& base, const std::string& dbname) {
  const auto scheme = base.find("://");
  const auto query = base.find('?');
  const auto slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string head = base.substr(0, slash == std::string::npos || slash > query ? std::min(query, base.size()) : slash);
  std::string tail = query == std::string::npos ? "" : base.substr(query);
  return head + "/" + dbname + tail;
}

// A fresh PostgreSQL database with every migration applied; returns its URL. Dropped by DropPostgresDatabase.
inline std::string CreatePostgresDatabase(const std::string& base) {
  auto admin = storage::PgConnection::Open(base);
  if (!admin.ok()) throw std::runtime_error(admin.error().message);
  std::string all;
  for (int i = 0; i < storage::kPostgresMigrationsCount; ++i) all += storage::kPostgresMigrations[i].sql;
  const std::string tpl = "tribune_tpl_" + std::to_string(std::hash<std::string>{}(all) % 1'000'000'007);
  // One process makes the template; the others wait for it on the lock.
  auto st = (*admin)->ExecScript("SELECT pg_advisory_lock(827301, 9)");
  if (!st.ok()) throw std::runtime_error(st.error().message);
  auto exists = (*admin)->Query("SELECT count(*) FROM pg_database WHERE datname = $1", {tpl});
  if (exists.ok() && (*exists)[0].Int(0) == 0) {
    (void)(*admin)->ExecScript("DROP DATABASE IF EXISTS " + tpl + "_new");
    st = (*admin)->ExecScript("CREATE DATABASE " + tpl + "_new");
    if (st.ok()) {
      auto db = storage::OpenPostgres({.url = WithDatabase(base, tpl + "_new"), .read_connections = 1});
      if (!db.ok()) throw std::runtime_error(db.error().message);
      (*db)->Close();
      db->reset();
      st = (*admin)->ExecScript("ALTER DATABASE " + tpl + "_new RENAME TO " + tpl);
    }
  }
  (void)(*admin)->ExecScript("SELECT pg_advisory_unlock(827301, 9)");
  if (!st.ok()) throw std::runtime_error(st.error().message);
  std::random_device rd;
  const std::string name = "tribune_t_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 1'000'000);
  st = (*admin)->ExecScript("CREATE DATABASE " + name + " TEMPLATE " + tpl);
  if (!st.ok()) throw std::runtime_error(st.error().message);
  return WithDatabase(base, name);
}

inline void DropPostgresDatabase(const std::string& base, const std::string& url) {
  auto admin = storage::PgConnection::Open(base);
  if (!admin.ok()) return;
  const std::string name = url.substr(url.rfind('/') + 1, url.find('?', url.rfind('/')) - url.rfind('/') - 1);
  (void)(*admin)->ExecScript("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

class TempDatabase {
 public:
  TempDatabase() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("tribune-test-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    base_ = TestPostgresUrl();
    Result<std::unique_ptr<storage::Database>> db = MakeError(ErrorCode::kInternal, "");
    if (base_.empty()) {
      db = storage::OpenSqlite({.path = (dir_ / "tribune.db").string(), .read_connections = 2});
    } else {
      url_ = CreatePostgresDatabase(base_);
      db = storage::OpenPostgres({.url = url_, .read_connections = 2});
    }
    if (!db.ok()) throw std::runtime_error(db.error().message);
    db_ = std::move(db).value();
  }
  ~TempDatabase() {
    db_.reset();
    if (!url_.empty()) DropPostgresDatabase(base_, url_);
    std::filesystem::remove_all(dir_);
  }
  storage::Database& db() { return *db_; }
  // The PostgreSQL URL of this test's database ("" on SQLite).
  const std::string& url() const { return url_; }
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
  std::string base_, url_;
  std::unique_ptr<storage::Database> db_;
};

}  // namespace tribune::testing
