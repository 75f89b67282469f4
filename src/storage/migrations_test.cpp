#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tribune::storage {
namespace {

// The two dialects' migrations are kept side by side: the same versions with the same names, in order.
TEST(Migrations, BothDialectsHaveTheSameVersions) {
  ASSERT_EQ(kSqliteMigrationsCount, kPostgresMigrationsCount);
  ASSERT_GT(kSqliteMigrationsCount, 0);
  for (int i = 0; i < kSqliteMigrationsCount; ++i) {
    EXPECT_EQ(kSqliteMigrations[i].version, i + 1);
    EXPECT_EQ(kSqliteMigrations[i].version, kPostgresMigrations[i].version);
    EXPECT_STREQ(kSqliteMigrations[i].name, kPostgresMigrations[i].name);
  }
}

TEST(Migrations, PostgresDialectHasNoSqliteOnlySyntax) {
  for (int i = 0; i < kPostgresMigrationsCount; ++i) {
    const std::string sql = kPostgresMigrations[i].sql;
    for (const char* bad : {"WITHOUT ROWID", "AUTOINCREMENT", "RAISE(ABORT", " INTEGER ", " REAL "}) {
      EXPECT_EQ(sql.find(bad), std::string::npos) << kPostgresMigrations[i].name << " has " << bad;
    }
  }
}

}  // namespace
}  // namespace tribune::storage
