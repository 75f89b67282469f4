// The thread page's query plan on a real database with statistics: a page is read along the primary key
// (article_id, id), never by sorting the thread. With an OR over status and author_id SQLite, once ANALYZE had
// seen few authors, scanned comments_author_status and sorted the whole thread (174 ms for the first page of
// 100,000 comments); PostgreSQL with stale statistics walked comments_id. Plans, not timings, are asserted.
#include <gtest/gtest.h>

#include <string>

#include "discussion/discussion.hpp"
#include "support/temp_database.hpp"

namespace tribune::discussion {
namespace {

class ThreadPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 3 authors (what made SQLite's planner go wrong), a thread of 200 comments among 8,000, a few held.
    tmp_.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)");
    for (int a = 1; a <= 3; ++a) {
      tmp_.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at) VALUES ($1, $2, 'A', 'x', 0)",
                {int64_t{a}, "a" + std::to_string(a) + "@x.org"});
    }
    ASSERT_TRUE(tmp_.db().Write([](storage::Session& s) -> Status {
      for (int64_t i = 1; i <= 8000; ++i) {
        TRIBUNE_TRY(s.Exec("INSERT INTO comments (article_id, id, author_id, body, body_html, status, created_at)"
                           " VALUES ($1, $2, $3, 'b', 'b', $4, $2)",
                           {int64_t{i % 40 == 0 ? 10 : 20}, i * 1024, i % 3 + 1,
                            std::string(i % 7 == 3 ? "pending" : "published")}));
      }
      return Ok{};
    }).ok());
    tmp_.Exec("ANALYZE");
  }

  // The plan of `sql` with literal values in place of the parameters (EXPLAIN takes no bound parameters here).
  std::string Plan(std::string sql, const std::vector<std::string>& values) {
    for (size_t i = values.size(); i >= 1; --i) {
      const std::string p = "$" + std::to_string(i);
      for (size_t at; (at = sql.find(p)) != std::string::npos;) sql.replace(at, p.size(), values[i - 1]);
    }
    const bool pg = tmp_.db().Dialect() == "postgresql";
    auto rows = tmp_.db().Read((pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    std::string out;
    if (rows.ok())
      for (const auto& r : *rows) out += r.Text(pg ? 0 : 3) + "\n";
    return out;
  }

  testing::TempDatabase tmp_;
};

TEST_F(ThreadPlanTest, OldestAndNewestPagesReadAlongThePrimaryKeyWithoutSorting) {
  const bool pg = tmp_.db().Dialect() == "postgresql";
  for (const auto& [sort, cursor] : {std::pair{Sort::kOldest, std::string("0")},
                                     std::pair{Sort::kOldest, std::string("3000000")},
                                     std::pair{Sort::kNewest, std::string("9223372036854775807")}}) {
    const std::string plan = Plan(ThreadPageSql(sort), {"10", "2", cursor, "51"});
    SCOPED_TRACE(plan);
    if (pg) {
      // The primary key narrows to the thread (a small one may then be sorted: a few rows); comments_id, which
      // would walk every later comment of the site, is not used.
      EXPECT_NE(plan.find("comments_pkey"), std::string::npos);
      EXPECT_EQ(plan.find("using comments_id on"), std::string::npos);
      EXPECT_EQ(plan.find("Scan on comments_id"), std::string::npos);
      EXPECT_EQ(plan.find("comments_author_status"), std::string::npos);
    } else {
      EXPECT_NE(plan.find("SEARCH c USING PRIMARY KEY (article_id=? AND id"), std::string::npos);
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
      EXPECT_EQ(plan.find("comments_author_status"), std::string::npos);
    }
  }
}

TEST_F(ThreadPlanTest, TopPagesSeekTheReplyCountIndex) {
  const std::string plan = Plan(ThreadPageSql(Sort::kTop), {"10", "2", "9223372036854775807", "0", "51"});
  SCOPED_TRACE(plan);
  EXPECT_NE(plan.find("comments_top"), std::string::npos);
  EXPECT_EQ(plan.find("comments_author_status"), std::string::npos);
}

}  // namespace
}  // namespace tribune::discussion
