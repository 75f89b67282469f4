#include "discussion/reports.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/temp_database.hpp"

namespace tribune::discussion {
namespace {

constexpr int64_t kAuthor = 1;
constexpr int64_t kArticle = 10;
constexpr int64_t kPublished = 100;

class ReportServiceTest : public ::testing::Test {
 protected:
  ReportServiceTest() : ids_(clock_) {
    EXPECT_TRUE(
        tmp_.db()
            .Write([](storage::Session& s) -> Status {
              TRIBUNE_TRY(s.Exec(
                  "INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)"));
              for (int64_t a = 1; a <= 30; ++a) {
                TRIBUNE_TRY(
                    s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at)"
                           " VALUES ($1, $2, $3, 'x', 0)",
                           {a, "u" + std::to_string(a) + "@x.org", "User " + std::to_string(a)}));
              }
              TRIBUNE_TRY(s.Exec(
                  "INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at,"
                  " created_at, updated_at) VALUES ($1, 'en', 'a', 'T', 'en', 'a', 0, 0, 0)",
                  {kArticle}));
              return Ok{};
            })
            .ok());
    AddComment(kPublished, "published");
  }

  void AddComment(int64_t id, const std::string& status, int64_t author = kAuthor) {
    EXPECT_TRUE(
        tmp_.db()
            .Write([&](storage::Session& s) -> Status {
              TRIBUNE_TRY(s.Exec(
                  "INSERT INTO comments (article_id, id, author_id, body, body_html, status, created_at)"
                  " VALUES ($1, $2, $3, 'text', '<p>text</p>', $4, 0)",
                  {kArticle, id, author, status}));
              return Ok{};
            })
            .ok());
  }

  ReportService Service(ReportOptions options = {}) {
    if (!options.is_rule) {
      options.is_rule = [](const std::string& r) { return r == "insult" || r == "spam" || r == "off_topic"; };
    }
    return ReportService(tmp_.db(), clock_, ids_, std::move(options));
  }

  int64_t Reports() { return tmp_.Count("SELECT COUNT(*) FROM comment_reports"); }
  int64_t ReportCount(int64_t comment = kPublished) {
    return tmp_.Count("SELECT report_count FROM comments WHERE id = " + std::to_string(comment));
  }
  bool Queued(int64_t comment = kPublished) {
    return tmp_.Count("SELECT reported_at IS NOT NULL FROM comments WHERE id = " + std::to_string(comment)) ==
           1;
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
};

TEST_F(ReportServiceTest, CommentIsQueuedExactlyWhenTheNthReaderReports) {
  auto service = Service({.threshold = 3});
  auto first = service.Report(2, kPublished, "insult", "");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_GT(first->id, 0);
  EXPECT_EQ(first->reports, 1);
  EXPECT_FALSE(first->queued);
  auto second = service.Report(3, kPublished, "spam", "buy now");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->reports, 2);
  EXPECT_FALSE(second->queued);
  EXPECT_FALSE(Queued());
  clock_.Advance(std::chrono::seconds(7));
  const int64_t third_at = clock_.NowMicros();
  auto third = service.Report(4, kPublished, "insult", "");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->reports, 3);
  EXPECT_TRUE(third->queued);
  EXPECT_EQ(tmp_.Count("SELECT reported_at FROM comments WHERE id = 100"), third_at);
  // A fourth report counts but keeps the time the comment entered the queue.
  clock_.Advance(std::chrono::seconds(7));
  auto fourth = service.Report(5, kPublished, "off_topic", "");
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(fourth->reports, 4);
  EXPECT_TRUE(fourth->queued);
  EXPECT_EQ(tmp_.Count("SELECT reported_at FROM comments WHERE id = 100"), third_at);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(DISTINCT id) FROM comment_reports"), 4);
}

TEST_F(ReportServiceTest, DuplicateReportIsAConflictAndChangesNothing) {
  auto service = Service();
  ASSERT_TRUE(service.Report(2, kPublished, "insult", "").ok());
  auto again = service.Report(2, kPublished, "spam", "other rule");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Reports(), 1);
  EXPECT_EQ(ReportCount(), 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM comment_reports WHERE rule = 'insult'"), 1);
}

TEST_F(ReportServiceTest, OwnCommentIsForbidden) {
  auto service = Service();
  auto r = service.Report(kAuthor, kPublished, "insult", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Reports(), 0);
  EXPECT_EQ(ReportCount(), 0);
}

TEST_F(ReportServiceTest, OnlyPublishedCommentsExist) {
  AddComment(101, "hidden");
  AddComment(102, "pending");
  AddComment(103, "deleted");
  AddComment(104, "rejected");
  auto service = Service();
  for (int64_t id : {int64_t{999}, int64_t{101}, int64_t{102}, int64_t{103}, int64_t{104}}) {
    auto r = service.Report(2, id, "insult", "");
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << id;
  }
  // Not even the author learns more about a hidden comment.
  EXPECT_EQ(service.Report(kAuthor, 101, "insult", "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Reports(), 0);
  EXPECT_EQ(tmp_.Count("SELECT SUM(report_count) FROM comments"), 0);
}

TEST_F(ReportServiceTest, BadInputIsABadRequestAndStoresNothing) {
  auto service = Service({.note_max = 1000});
  const std::string long_note(2048, 'x');
  const std::string max_note(1000, 'x');
  std::string multibyte_max;
  for (int i = 0; i < 1000; ++i) multibyte_max += "\xC3\xA9";  // é: 2000 bytes, 1000 code points
  struct Case {
    std::string rule, note;
  };
  for (const auto& c : {Case{"not_a_rule", ""}, Case{"", ""}, Case{"insult", long_note},
                        Case{"insult", max_note + "y"}, Case{"insult", "bad \xC3\x28 bytes"},
                        Case{"insult", "\xED\xA0\x80"}, Case{"insult", std::string("nul\0", 4)}}) {
    auto r = service.Report(2, kPublished, c.rule, c.note);
    ASSERT_FALSE(r.ok()) << c.rule << " / " << c.note.size();
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << c.rule << " / " << c.note.size();
  }
  EXPECT_EQ(Reports(), 0);
  EXPECT_EQ(ReportCount(), 0);
  // The limit counts code points, not bytes.
  EXPECT_TRUE(service.Report(2, kPublished, "insult", max_note).ok());
  EXPECT_TRUE(service.Report(3, kPublished, "insult", multibyte_max).ok());
  EXPECT_TRUE(service.Report(4, kPublished, "insult", "line one\nline two").ok());
  EXPECT_EQ(Reports(), 3);
}

TEST_F(ReportServiceTest, WithoutARuleListAnyRuleShapedIdIsAccepted) {
  ReportService service(tmp_.db(), clock_, ids_, {});
  EXPECT_TRUE(service.Report(2, kPublished, "anything_goes", "").ok());
  EXPECT_EQ(service.Report(3, kPublished, "Upper", "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service.Report(3, kPublished, "digit1", "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service.Report(3, kPublished, std::string(41, 'a'), "").error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(service.Report(3, kPublished, std::string(40, 'a'), "").ok());
  EXPECT_EQ(Reports(), 2);
}

TEST_F(ReportServiceTest, RateLimitHitsAtPerHourAndLiftsWhenTheOldestLeavesTheHour) {
  for (int64_t c = 200; c < 210; ++c) AddComment(c, "published");
  auto service = Service({.per_hour = 3});
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(service.Report(2, 200, "insult", "").ok());
  clock_.Advance(std::chrono::minutes(10));
  ASSERT_TRUE(service.Report(2, 201, "insult", "").ok());
  clock_.Advance(std::chrono::minutes(10));
  ASSERT_TRUE(service.Report(2, 202, "insult", "").ok());
  clock_.Advance(std::chrono::minutes(5));  // 25 min after the first report
  auto limited = service.Report(2, 203, "insult", "");
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(limited.error().retry_after_seconds, 35 * 60);
  EXPECT_EQ(Reports(), 3);
  // Another reader is not limited.
  EXPECT_TRUE(service.Report(3, 203, "insult", "").ok());
  // One second before the first report leaves the hour, still limited.
  clock_.Set(start + 3'599'000'000);
  auto still = service.Report(2, 203, "insult", "");
  ASSERT_FALSE(still.ok());
  EXPECT_EQ(still.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(still.error().retry_after_seconds, 1);
  // Exactly an hour after it, the first report no longer counts: one more fits, then the second one limits.
  clock_.Set(start + 3'600'000'000);
  ASSERT_TRUE(service.Report(2, 203, "insult", "").ok());
  auto next = service.Report(2, 204, "insult", "");
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(next.error().retry_after_seconds, 10 * 60);
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_TRUE(service.Report(2, 204, "insult", "").ok());
}

TEST_F(ReportServiceTest, DisabledLimitsDisableTheRateLimit) {
  for (int64_t c = 200; c < 210; ++c) AddComment(c, "published");
  auto service = Service({.per_hour = 2, .limits_enabled = false});
  for (int64_t c = 200; c < 210; ++c) EXPECT_TRUE(service.Report(2, c, "insult", "").ok()) << c;
  EXPECT_EQ(Reports(), 10);
}

TEST_F(ReportServiceTest, ResolveEmptiesTheQueueStateAndLaterReportsCountFromZero) {
  auto service = Service({.threshold = 2});
  ASSERT_TRUE(service.Report(2, kPublished, "insult", "").ok());
  ASSERT_TRUE(service.Report(3, kPublished, "spam", "").ok());
  ASSERT_TRUE(service.Report(4, kPublished, "insult", "").ok());
  EXPECT_TRUE(Queued());
  auto open = service.OpenReports(kPublished);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].rule, "insult");
  EXPECT_EQ((*open)[0].count, 2);
  EXPECT_EQ((*open)[1].rule, "spam");
  EXPECT_EQ((*open)[1].count, 1);

  clock_.Advance(std::chrono::minutes(1));
  const int64_t now = clock_.NowMicros();
  ASSERT_TRUE(
      tmp_.db().Write([&](storage::Session& s) { return ReportService::Resolve(s, kPublished, now); }).ok());
  EXPECT_FALSE(Queued());
  EXPECT_EQ(ReportCount(), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM comment_reports WHERE resolved_at = " + std::to_string(now)), 3);
  EXPECT_TRUE(service.OpenReports(kPublished)->empty());

  // A new reader starts a new count; those who reported before stay reported.
  auto fresh = service.Report(5, kPublished, "off_topic", "");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->reports, 1);
  EXPECT_FALSE(fresh->queued);
  EXPECT_EQ(service.Report(2, kPublished, "insult", "").error().code, ErrorCode::kConflict);
  auto open_again = service.OpenReports(kPublished);
  ASSERT_EQ(open_again->size(), 1u);
  EXPECT_EQ((*open_again)[0].rule, "off_topic");
  auto second = service.Report(6, kPublished, "off_topic", "");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->reports, 2);
  EXPECT_TRUE(second->queued);
}

TEST_F(ReportServiceTest, OpenReportsOrdersByCountThenRule) {
  auto service = Service({.threshold = 100});
  ASSERT_TRUE(service.Report(2, kPublished, "spam", "").ok());
  ASSERT_TRUE(service.Report(3, kPublished, "off_topic", "").ok());
  ASSERT_TRUE(service.Report(4, kPublished, "insult", "").ok());
  ASSERT_TRUE(service.Report(5, kPublished, "spam", "").ok());
  auto open = service.OpenReports(kPublished);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 3u);
  EXPECT_EQ((*open)[0].rule, "spam");
  EXPECT_EQ((*open)[1].rule, "insult");
  EXPECT_EQ((*open)[2].rule, "off_topic");
  EXPECT_TRUE(service.OpenReports(999)->empty());
}

}  // namespace
}  // namespace tribune::discussion
