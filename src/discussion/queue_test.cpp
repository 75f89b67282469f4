#include "discussion/queue.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/cursor.hpp"
#include "support/temp_database.hpp"

namespace tribune::discussion {
namespace {

constexpr int64_t kSecond = 1'000'000;

class QueueTest : public ::testing::Test {
 protected:
  QueueTest() : queue_(tmp_.db(), clock_, nullptr) {
    Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0), ('de', 'D', 'de', 0)");
    for (int64_t a : {1, 2, 3}) {
      Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, 'x', 0)",
           {a, "u" + std::to_string(a) + "@x.org", "User " + std::to_string(a)});
    }
    Exec("INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at, created_at,"
         " updated_at) VALUES (10, 'en', 'ten', 'Ten', 'en', 'a10', 0, 0, 0),"
         " (20, 'de', 'zwanzig', 'Zwanzig', 'de', 'a20', 0, 0, 0)");
  }

  void Exec(const std::string& sql, storage::Params params = {}) { tmp_.Exec(sql, std::move(params)); }
  // A comment created `age_s` seconds before now.
  void Comment(int64_t id, int64_t article, int64_t author, const std::string& status, int64_t age_s = 60,
               std::optional<int64_t> reported_at = std::nullopt) {
    storage::Value rep = reported_at ? storage::Value(*reported_at) : storage::Value(nullptr);
    Exec("INSERT INTO comments (article_id, id, author_id, body, body_html, status, created_at, reported_at)"
         " VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
         {article, id, author, "text " + std::to_string(id), status, clock_.NowMicros() - age_s * kSecond, rep});
  }
  void Decision(int64_t id, int64_t comment_id, const std::string& rule, int64_t at = 0) {
    Exec("INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action, engine,"
         " findings_json, text_sha256, created_at) VALUES ($1, $2, 10, 1, 'post', 'hold', 'test', $3, '', $4)",
         {id, comment_id, R"([{"rule":")" + rule + R"(","score":5E0,"reason":"r","spans":[[0,4]]}])", at});
  }
  void Report(int64_t id, int64_t comment_id, int64_t reporter, const std::string& rule, bool resolved = false) {
    storage::Value res = resolved ? storage::Value(int64_t{1}) : storage::Value(nullptr);
    Exec("INSERT INTO comment_reports (id, comment_id, article_id, reporter_id, rule, created_at, resolved_at)"
         " VALUES ($1, $2, 10, $3, $4, 0, $5)",
         {id, comment_id, reporter, rule, res});
  }
  std::vector<int64_t> Ids(QueueQuery q) {
    auto page = queue_.List(q);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    std::vector<int64_t> ids;
    if (page.ok()) {
      for (const auto& item : page->items) ids.push_back(item.comment.id);
    }
    return ids;
  }
  static QueueQuery State(const std::string& state) {
    QueueQuery q;
    q.state = state;
    return q;
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  QueueService queue_;
};

TEST_F(QueueTest, PendingIsOldestFirstWithFindingsArticleAndAuthorHistory) {
  Comment(103, 10, 1, "pending");
  Comment(101, 20, 1, "pending");
  Comment(102, 10, 2, "published");
  Comment(104, 10, 1, "rejected");
  Decision(1, 101, "insult", 111);
  Decision(2, 101, "spam", 222);  // the latest decision's findings are shown
  Exec("INSERT INTO account_blocks (id, account_id, number, rule, final, blocked_by, created_at)"
       " VALUES (1, 1, 1, 'spam', 0, 3, 0)");

  auto page = queue_.List({});
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->items.size(), 2u);
  const QueueItem& first = page->items[0];
  EXPECT_EQ(first.comment.id, 101);
  EXPECT_EQ(first.comment.author_name, "User 1");
  EXPECT_EQ(first.comment.status, "pending");
  EXPECT_EQ(first.article_id, 20);
  EXPECT_EQ(first.article_title, "Zwanzig");
  EXPECT_EQ(first.article_slug, "zwanzig");
  EXPECT_NE(first.findings_json.find(R"("rule":"spam")"), std::string::npos);
  EXPECT_EQ(first.findings_json.find("insult"), std::string::npos);
  EXPECT_EQ(first.queued_at, 222);
  EXPECT_EQ(first.author.comments, 3);
  EXPECT_EQ(first.author.rejected, 1);
  EXPECT_EQ(first.author.blocks, 1);
  EXPECT_EQ(first.author.status, "active");
  EXPECT_FALSE(first.cluster_id);
  const QueueItem& second = page->items[1];
  EXPECT_EQ(second.comment.id, 103);
  EXPECT_EQ(second.findings_json, "[]");  // no decision record
  EXPECT_EQ(second.queued_at, second.comment.created_at);
  EXPECT_EQ(second.author.comments, 3);
  EXPECT_FALSE(page->next_cursor);
}

TEST_F(QueueTest, RejectedStateListsRejectedComments) {
  Comment(101, 10, 1, "rejected");
  Comment(102, 10, 1, "pending");
  Comment(103, 10, 2, "rejected");
  EXPECT_EQ(Ids(State("rejected")), (std::vector<int64_t>{101, 103}));
}

TEST_F(QueueTest, ReportedStateIsOrderedByReportTimeWithOpenReports) {
  Comment(101, 10, 1, "published", 60, 300);
  Comment(102, 10, 2, "published", 60, 100);
  Comment(103, 10, 2, "published", 60, 300);
  Comment(104, 10, 2, "published");                // not reported
  Comment(105, 10, 2, "pending", 60, 50);          // held again since: in the pending queue, not here
  Report(1, 102, 1, "spam");
  Report(2, 102, 3, "spam");
  Report(3, 102, 2, "insult");
  Report(4, 102, 5, "off_topic", /*resolved=*/true);
  Report(5, 102, 4, "off_topic", /*resolved=*/true);

  auto page = queue_.List(State("reported"));
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].comment.id, 102);
  EXPECT_EQ(page->items[1].comment.id, 101);
  EXPECT_EQ(page->items[2].comment.id, 103);
  EXPECT_EQ(page->items[0].queued_at, 100);
  ASSERT_EQ(page->items[0].reports.size(), 2u);
  EXPECT_EQ(page->items[0].reports[0].rule, "spam");
  EXPECT_EQ(page->items[0].reports[0].count, 2);
  EXPECT_EQ(page->items[0].reports[1].rule, "insult");
  EXPECT_EQ(page->items[0].reports[1].count, 1);
}

TEST_F(QueueTest, RuleFilterMatchesTheLatestFindingsOrAnOpenReport) {
  Comment(101, 10, 1, "pending");
  Comment(102, 10, 1, "pending");
  Comment(103, 10, 1, "pending");
  Comment(104, 10, 1, "pending");
  Comment(105, 10, 1, "pending");
  Decision(1, 101, "flash_mob");
  Decision(2, 102, "flash_mob");
  Decision(3, 102, "insult");   // superseded
  Decision(4, 103, "flashXmob");  // '_' is no wildcard
  Report(1, 104, 2, "flash_mob");
  Report(2, 105, 2, "flash_mob", /*resolved=*/true);
  QueueQuery q;
  q.rule = "flash_mob";
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{101, 104}));
  q.rule = "insult";
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{102}));
  q.rule = "%";
  EXPECT_TRUE(Ids(q).empty());
}

TEST_F(QueueTest, EditionFilterKeepsTheEditionsArticles) {
  Comment(101, 10, 1, "pending");
  Comment(102, 20, 1, "pending");
  Comment(103, 10, 1, "pending");
  QueueQuery q;
  q.edition = "en";
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{101, 103}));
  q.edition = "de";
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{102}));
  q.edition = "fr";
  EXPECT_TRUE(Ids(q).empty());
}

TEST_F(QueueTest, AgeFiltersBoundTheCreationTime) {
  Comment(101, 10, 1, "pending", 3600);
  Comment(102, 10, 1, "pending", 600);
  Comment(103, 10, 1, "pending", 10);
  QueueQuery q;
  q.min_age_us = 300 * kSecond;
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{101, 102}));
  q.max_age_us = 1000 * kSecond;
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{102}));
  q.min_age_us.reset();
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{102, 103}));
  clock_.Advance(std::chrono::seconds(1000));  // ages move with the clock
  EXPECT_TRUE(Ids(q).empty());
}

TEST_F(QueueTest, CursorWalkVisitsEveryItemOnceWhileNewItemsArrive) {
  for (int64_t id = 100; id < 130; ++id) Comment(id, id % 2 ? 10 : 20, 1 + id % 3, "pending");
  QueueQuery q;
  q.limit = 7;
  std::vector<int64_t> seen;
  int64_t next_new = 1000;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = queue_.List(q);
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_LE(page->items.size(), 7u);
    for (const auto& item : page->items) seen.push_back(item.comment.id);
    if (!page->next_cursor) break;
    q.cursor = *page->next_cursor;
    if (next_new < 1006) Comment(next_new++, 10, 1, "pending");  // held while the moderator pages
  }
  std::set<int64_t> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), seen.size());
  EXPECT_EQ(seen.size(), 30u + (next_new - 1000));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST_F(QueueTest, ReportedCursorWalkVisitsEveryItemOnce) {
  for (int64_t id = 100; id < 120; ++id) Comment(id, 10, 1, "published", 60, 500 + (id % 4));  // ties in time
  QueueQuery q = State("reported");
  q.limit = 3;
  std::vector<int64_t> seen;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = queue_.List(q);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (const auto& item : page->items) seen.push_back(item.comment.id);
    if (!page->next_cursor) break;
    q.cursor = *page->next_cursor;
    if (pages == 1) Comment(200, 10, 1, "published", 60, 900);
  }
  std::set<int64_t> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), 21u);
  EXPECT_EQ(seen.size(), 21u);
  EXPECT_EQ(seen.back(), 200);
}

TEST_F(QueueTest, BadParametersAreBadRequests) {
  Comment(101, 10, 1, "pending");
  auto code = [&](QueueQuery q) {
    auto r = queue_.List(q);
    return r.ok() ? ErrorCode::kInternal : r.error().code;
  };
  QueueQuery q;
  q.state = "published";
  EXPECT_EQ(code(q), ErrorCode::kBadRequest);
  q = {};
  q.cursor = "garbage!";
  EXPECT_EQ(code(q), ErrorCode::kBadRequest);
  q.cursor = EncodeCursor({1, 2});  // a reported-queue cursor on the pending queue
  EXPECT_EQ(code(q), ErrorCode::kBadRequest);
  q = State("reported");
  q.cursor = EncodeCursor({1});
  EXPECT_EQ(code(q), ErrorCode::kBadRequest);
  for (int limit : {0, -1, QueueService::kMaxLimit + 1}) {
    q = {};
    q.limit = limit;
    EXPECT_EQ(code(q), ErrorCode::kBadRequest) << limit;
  }
  q = {};
  q.min_age_us = -1;
  EXPECT_EQ(code(q), ErrorCode::kBadRequest);
  q = {};
  q.max_age_us = -1;
  EXPECT_EQ(code(q), ErrorCode::kBadRequest);
  for (int limit : {1, QueueService::kMaxLimit}) {
    q = {};
    q.limit = limit;
    EXPECT_TRUE(queue_.List(q).ok()) << limit;
  }
}

TEST_F(QueueTest, LimitPlusOneDecidesTheNextPage) {
  Comment(101, 10, 1, "pending");
  Comment(102, 10, 1, "pending");
  QueueQuery q;
  q.limit = 2;
  auto page = queue_.List(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_FALSE(page->next_cursor);  // exactly `limit` items: no empty last page
  q.limit = 1;
  page = queue_.List(q);
  ASSERT_TRUE(page.ok());
  ASSERT_TRUE(page->next_cursor);
  q.cursor = *page->next_cursor;
  page = queue_.List(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].comment.id, 102);
  EXPECT_FALSE(page->next_cursor);
}

}  // namespace
}  // namespace tribune::discussion
