#include "discussion/dashboard.hpp"

#include <gtest/gtest.h>

#include "support/temp_database.hpp"

namespace tribune::discussion {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kDay = DashboardService::kDayUs;

class DashboardTest : public ::testing::Test {
 protected:
  DashboardTest() : dash_(tmp_.db(), clock_) {
    clock_.Set(1'767'225'600'000'000 + 10 * kDay + 12 * kHour);  // 2026-01-11 12:00 UTC
    Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)");
    Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at) VALUES (1, 'a@x.org', 'Ann', 'x', 5)");
    Exec("INSERT INTO account_roles (account_id, role) VALUES (1, 'reader')");
    Exec("INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at, created_at,"
         " updated_at) VALUES (10, 'en', 'ten', 'Ten', 'en', 'a10', 0, 0, 0)");
  }
  void Exec(const std::string& sql, storage::Params params = {}) { tmp_.Exec(sql, std::move(params)); }
  void Comment(int64_t id, const std::string& status, int64_t created) {
    Exec("INSERT INTO comments (article_id, id, author_id, body, body_html, status, created_at)"
         " VALUES (10, $1, 1, $2, $2, $3, $4)",
         {id, "text " + std::to_string(id), status, created});
  }
  void Decision(int64_t id, int64_t comment, const std::string& kind, const std::string& action,
                const std::string& rule, int64_t at) {
    const std::string findings = rule.empty() ? "[]" : R"([{"rule":")" + rule + R"(","score":1E0}])";
    Exec("INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action, engine,"
         " findings_json, text_sha256, created_at) VALUES ($1, $2, 10, 1, $3, $4, 'test', $5, '', $6)",
         {id, comment, kind, action, findings, at});
  }
  int64_t Now() const { return clock_.NowMicros(); }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  DashboardService dash_;
};

TEST_F(DashboardTest, DecisionsPerRuleCountRejectionsByTheirRuleAndApprovalsByTheHoldsRule) {
  for (int64_t c : {1, 2, 3, 4}) {
    Comment(c, "pending", Now() - 3 * kHour);
    Decision(100 + c, c, "post", "hold", c == 4 ? "insult_threat" : "form", Now() - 3 * kHour);
  }
  Decision(201, 1, "moderator", "reject", "form", Now() - kHour);
  Decision(202, 2, "moderator", "reject", "profanity", Now() - kHour);
  Decision(203, 3, "moderator", "approve", "", Now() - kHour);
  Decision(204, 4, "moderator", "approve", "", Now() - kHour);
  Decision(205, 4, "moderator", "reject", "form", Now() - 40 * kDay);  // outside the window
  auto rules = dash_.DecisionsPerRule(7);
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].rule, "form");
  EXPECT_EQ((*rules)[0].rejected, 1);
  EXPECT_EQ((*rules)[0].approved, 1);
  int64_t total = 0;
  for (const auto& r : *rules) total += r.Total();
  EXPECT_EQ(total, 4);
}

TEST_F(DashboardTest, TotalsCountPendingTheOldestAndTodaysDecisions) {
  Comment(1, "pending", Now() - 5 * kHour);
  Decision(11, 1, "post", "hold", "form", Now() - 5 * kHour);
  Comment(2, "pending", Now() - 2 * kHour);
  Comment(3, "published", Now() - 2 * kHour);
  Decision(12, 3, "moderator", "approve", "", Now() - kHour);
  Decision(13, 3, "moderator", "approve", "", Now() - 2 * kDay);
  auto t = dash_.Totals();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->pending, 2);
  EXPECT_EQ(t->oldest_pending_us, 5 * kHour);
  EXPECT_EQ(t->decisions_today, 1);
}

TEST_F(DashboardTest, QueueAgeFollowsHoldsUntilTheModeratorsDecision) {
  // Held 3 days ago at noon, decided 2 days ago at noon: waiting at the end of that first day only.
  const int64_t noon_3d = Now() - 3 * kDay;
  Comment(1, "rejected", noon_3d);
  Decision(11, 1, "post", "hold", "form", noon_3d);
  Decision(12, 1, "moderator", "reject", "form", noon_3d + kDay);
  // Held 1 hour ago, still waiting.
  Comment(2, "pending", Now() - kHour);
  Decision(21, 2, "post", "hold", "form", Now() - kHour);
  auto points = dash_.QueueAge(5);
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 5u);
  EXPECT_EQ(points->back().at, Now());
  EXPECT_EQ(points->back().waiting, 1);
  EXPECT_EQ(points->back().oldest_us, kHour);
  // Points: ends of days -4..-1 (midnights) and now. The end of day -3 is 12 hours after the hold.
  EXPECT_EQ((*points)[0].waiting, 0);
  EXPECT_EQ((*points)[1].waiting, 1);
  EXPECT_EQ((*points)[1].median_us, 12 * kHour);
  EXPECT_EQ((*points)[2].waiting, 0);
  for (size_t i = 1; i < points->size(); ++i) EXPECT_GT((*points)[i].at, (*points)[i - 1].at);
}

TEST_F(DashboardTest, AccountHistoryListsCommentsNewestFirstWithFindings) {
  Comment(1, "published", Now() - 2 * kHour);
  Comment(2, "rejected", Now() - kHour);
  Decision(21, 2, "moderator", "reject", "profanity", Now());
  Exec("INSERT INTO comment_reports (id, comment_id, article_id, reporter_id, rule, created_at) VALUES (1, 1, 10, 1, 'spam_scheme', 7)");
  auto a = dash_.Account(1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->display_name, "Ann");
  EXPECT_EQ(a->comments, 2);
  EXPECT_EQ(a->rejected, 1);
  auto comments = dash_.RecentComments(1, 10);
  ASSERT_TRUE(comments.ok());
  ASSERT_EQ(comments->size(), 2u);
  EXPECT_EQ((*comments)[0].id, 2);
  EXPECT_NE((*comments)[0].findings_json.find("profanity"), std::string::npos);
  EXPECT_EQ((*comments)[0].article_title, "Ten");
  auto reports = dash_.ReportsFiled(1, 10);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].rule, "spam_scheme");
  EXPECT_EQ(dash_.Account(99).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tribune::discussion
