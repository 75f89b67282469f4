// Versioned schema migrations compiled into the binary from migrations/<dialect>/NNNN_name.sql.
#pragma once

namespace tribune::storage {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

extern const Migration kSqliteMigrations[];
extern const int kSqliteMigrationsCount;
extern const Migration kPostgresMigrations[];
extern const int kPostgresMigrationsCount;

}  // namespace tribune::storage
