// Deleting, restoring and purging an account, with the real AccountService, AuthorContent and
// CommentService over one database: what readers of the threads see at each step.
#include "discussion/author_content.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "accounts/lifecycle_fixture.hpp"
#include "discussion/discussion.hpp"
#include "support/holding_engine.hpp"

namespace tribune::discussion {
namespace {

using accounts::testing::CodeOf;
using namespace std::chrono_literals;

using tribune::testing::HoldingEngine;

constexpr int64_t kA = 10;  // two articles in distinct thread-version slots
constexpr int64_t kB = 20;

class AuthorContentTest : public accounts::testing::LifecycleTest {
 protected:
  AuthorContentTest() : comments_(tmp_.db(), clock_, ids_, engine_, {}), content_(comments_, clock_) {
    Reset(DefaultOptions(), &content_);
    EXPECT_TRUE(tmp_.db().Write([](storage::Session& s) -> tribune::Status {
      TRIBUNE_TRY(s.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)"));
      for (int64_t art : {kA, kB}) {
        TRIBUNE_TRY(s.Exec("INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at,"
                           " created_at, updated_at) VALUES ($1, 'en', $2, 'T', 'en', $2, 0, 0, 0)",
                           {art, "a" + std::to_string(art)}));
      }
      return Ok{};
    }).ok());
    ann_ = MustRegisterActive("ann@example.org");
    bob_ = MustRegisterActive("bob@example.org");
    ann_a_pub_ = Post(ann_.id, kA, "Ann's first thoughts on A");
    ann_a_pending_ = Post(ann_.id, kA, "HOLD Ann's pending words on A");
    ann_b_pub_ = Post(ann_.id, kB, "Ann on B, first draft");
    clock_.Advance(1s);
    EXPECT_TRUE(comments_.Edit({ann_.id, false}, ann_b_pub_, "Ann on B, second draft").ok());
    ann_b_pending_ = Post(ann_.id, kB, "HOLD Ann's pending words on B");
    bob_reply_ = Post(bob_.id, kA, "Bob answers Ann", ann_a_pub_);
    bob_b_ = Post(bob_.id, kB, "Bob on B");
  }

  int64_t Post(int64_t author, int64_t article, const std::string& body, std::optional<int64_t> parent = {}) {
    auto r = comments_.Post({author, false}, article, body, parent);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->id : 0;
  }
  std::map<int64_t, std::string> Statuses() {
    std::map<int64_t, std::string> out;
    auto rows = tmp_.db().Read("SELECT id, status FROM comments");
    EXPECT_TRUE(rows.ok());
    for (const auto& r : *rows) out[r.Int(0)] = r.Text(1);
    return out;
  }
  std::set<int64_t> Listed(int64_t article, int64_t viewer = 0) {
    auto page = comments_.List({.article_id = article, .viewer_id = viewer});
    EXPECT_TRUE(page.ok());
    std::set<int64_t> ids;
    if (page.ok()) {
      for (const auto& c : page->items) ids.insert(c.id);
    }
    return ids;
  }
  int64_t CommentCount(int64_t article) {
    return Count("SELECT comment_count FROM articles WHERE id = $1", {article});
  }
  std::string CommentText(int64_t id, const char* column) {
    return Text(std::string("SELECT ") + column + " FROM comments WHERE id = $1", {id});
  }

  HoldingEngine engine_;
  CommentService comments_;
  AuthorContent content_;
  accounts::Account ann_, bob_;
  int64_t ann_a_pub_ = 0, ann_a_pending_ = 0, ann_b_pub_ = 0, ann_b_pending_ = 0, bob_reply_ = 0, bob_b_ = 0;
};

TEST_F(AuthorContentTest, TheSetupIsWhatTheTestsAssume) {
  auto s = Statuses();
  EXPECT_EQ(s[ann_a_pub_], "published");
  EXPECT_EQ(s[ann_a_pending_], "pending");
  EXPECT_EQ(s[ann_b_pub_], "published");
  EXPECT_EQ(s[ann_b_pending_], "pending");
  EXPECT_EQ(CommentCount(kA), 2);
  EXPECT_EQ(CommentCount(kB), 2);
  EXPECT_EQ(Listed(kA), (std::set<int64_t>{ann_a_pub_, bob_reply_}));
  EXPECT_EQ(Listed(kA, ann_.id), (std::set<int64_t>{ann_a_pub_, ann_a_pending_, bob_reply_}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comment_revisions WHERE comment_id = $1", {ann_b_pub_}), 1);
}

TEST_F(AuthorContentTest, DeleteHidesTheAuthorsCommentsAndRestoreBringsThemBackExactly) {
  const auto before = Statuses();
  const uint64_t va = comments_.ThreadVersion(kA), vb = comments_.ThreadVersion(kB);
  ASSERT_EQ(CodeOf(svc().DeleteAccount(ann_.id)), "ok");

  EXPECT_EQ(Listed(kA), (std::set<int64_t>{bob_reply_}));
  EXPECT_EQ(Listed(kB), (std::set<int64_t>{bob_b_}));
  EXPECT_EQ(Listed(kA, ann_.id), (std::set<int64_t>{bob_reply_}));  // not even to herself
  EXPECT_EQ(CommentCount(kA), 1);
  EXPECT_EQ(CommentCount(kB), 1);
  auto page = comments_.List({.article_id = kA});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1);
  for (int64_t id : {ann_a_pub_, ann_a_pending_, ann_b_pub_, ann_b_pending_}) {
    EXPECT_EQ(CommentText(id, "status"), "hidden") << id;
    EXPECT_EQ(CommentText(id, "hidden_status"), before.at(id)) << id;
  }
  EXPECT_EQ(CommentText(bob_reply_, "status"), "published");
  EXPECT_NE(comments_.ThreadVersion(kA), va);
  EXPECT_NE(comments_.ThreadVersion(kB), vb);
  // Deleting twice changes nothing.
  ASSERT_EQ(CodeOf(svc().DeleteAccount(ann_.id)), "ok");
  EXPECT_EQ(CommentCount(kA), 1);

  clock_.Advance(29 * 24h);
  const uint64_t va2 = comments_.ThreadVersion(kA), vb2 = comments_.ThreadVersion(kB);
  auto back = svc().RestoreAccount(LastToken("account_deleted", "/restore", ann_.id));
  ASSERT_EQ(CodeOf(back), "ok");
  EXPECT_EQ(Statuses(), before);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments WHERE hidden_status IS NOT NULL"), 0);
  EXPECT_EQ(CommentCount(kA), 2);
  EXPECT_EQ(CommentCount(kB), 2);
  EXPECT_EQ(Listed(kA), (std::set<int64_t>{ann_a_pub_, bob_reply_}));
  EXPECT_EQ(Listed(kB, ann_.id), (std::set<int64_t>{ann_b_pub_, ann_b_pending_, bob_b_}));
  EXPECT_EQ(CommentText(ann_b_pub_, "body"), "Ann on B, second draft");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comment_revisions WHERE comment_id = $1", {ann_b_pub_}), 1);
  EXPECT_NE(comments_.ThreadVersion(kA), va2);
  EXPECT_NE(comments_.ThreadVersion(kB), vb2);
}

TEST_F(AuthorContentTest, PurgeLeavesPlaceholdersErasesTheRestAndKeepsTheReplies) {
  ASSERT_TRUE(svc().Login("ann@example.org", accounts::testing::kPassword, {"10.0.0.1", ""}).ok());
  ASSERT_TRUE(svc().CreateApiToken(ann_.id, "t").ok());
  ASSERT_TRUE(svc().DeleteAccount(ann_.id).ok());
  const std::string link = LastToken("account_deleted", "/restore", ann_.id);
  clock_.Advance(29 * 24h);
  EXPECT_EQ(*svc().PurgeDue(), 0);
  EXPECT_EQ(CommentText(ann_a_pub_, "status"), "hidden");

  clock_.Advance(2 * 24h);
  const uint64_t va = comments_.ThreadVersion(kA), vb = comments_.ThreadVersion(kB);
  ASSERT_EQ(*svc().PurgeDue(), 1);
  for (int64_t id : {ann_a_pub_, ann_b_pub_}) {
    EXPECT_EQ(CommentText(id, "status"), "deleted") << id;
    EXPECT_EQ(CommentText(id, "body"), "") << id;
    EXPECT_EQ(CommentText(id, "body_html"), "") << id;
  }
  for (int64_t id : {ann_a_pending_, ann_b_pending_}) {
    EXPECT_EQ(CommentText(id, "status"), "erased") << id;
    EXPECT_EQ(CommentText(id, "body"), "") << id;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments WHERE hidden_status IS NOT NULL"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comment_revisions WHERE comment_id IN"
                  " (SELECT id FROM comments WHERE author_id = $1)", {ann_.id}), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments WHERE author_id = $1 AND body LIKE '%Ann%'", {ann_.id}), 0);

  // The thread reads as before minus Ann: a placeholder where her comment was, Bob's reply under it.
  EXPECT_EQ(Listed(kA), (std::set<int64_t>{ann_a_pub_, bob_reply_}));
  EXPECT_EQ(Listed(kB), (std::set<int64_t>{ann_b_pub_, bob_b_}));
  auto page = comments_.List({.article_id = kA});
  ASSERT_TRUE(page.ok());
  for (const auto& c : page->items) {
    if (c.id == ann_a_pub_) {
      EXPECT_EQ(c.status, "deleted");
      EXPECT_EQ(c.body, "");
      EXPECT_EQ(c.author_name, "");
    } else {
      EXPECT_EQ(c.body, "Bob answers Ann");
      EXPECT_EQ(c.parent_id, std::optional<int64_t>(ann_a_pub_));
      EXPECT_EQ(c.status, "published");
    }
  }
  EXPECT_EQ(CommentCount(kA), 1);
  EXPECT_EQ(CommentCount(kB), 1);
  EXPECT_NE(comments_.ThreadVersion(kA), va);
  EXPECT_NE(comments_.ThreadVersion(kB), vb);

  // The account keeps no personal data.
  EXPECT_EQ(StatusOf(ann_.id), "purged");
  EXPECT_EQ(Text("SELECT email FROM accounts WHERE id = $1", {ann_.id}),
            "purged-" + std::to_string(ann_.id) + "@invalid");
  EXPECT_EQ(Text("SELECT display_name || password_hash FROM accounts WHERE id = $1", {ann_.id}), "");
  for (const char* table : {"sessions", "account_roles", "api_tokens", "mail_outbox", "social_identities"}) {
    EXPECT_EQ(Count(std::string("SELECT COUNT(*) FROM ") + table + " WHERE account_id = $1", {ann_.id}), 0) << table;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE account_id = $1 AND (used_at IS NULL"
                  " OR purpose <> 'restore')", {ann_.id}), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purged_accounts WHERE account_id = $1", {ann_.id}), 1);
  EXPECT_EQ(CodeOf(svc().RestoreAccount(link)), "gone");
  // Bob is untouched.
  EXPECT_EQ(StatusOf(bob_.id), "active");
  EXPECT_EQ(CommentText(bob_b_, "body"), "Bob on B");
}

TEST_F(AuthorContentTest, ReapplyingAPurgeToARestoredBackupErasesPublishedCommentsAndFixesCounts) {
  ASSERT_TRUE(svc().DeleteAccount(ann_.id).ok());
  clock_.Advance(31 * 24h);
  ASSERT_EQ(*svc().PurgeDue(), 1);
  // A backup from before the deletion: Ann active, her comment published and counted.
  ASSERT_TRUE(Exec("UPDATE accounts SET email = 'ann@example.org', display_name = 'Ann', status = 'active'"
                   " WHERE id = $1", {ann_.id}).ok());
  ASSERT_TRUE(Exec("UPDATE comments SET status = 'published', body = 'Ann is back' WHERE id = $1", {ann_a_pub_}).ok());
  ASSERT_TRUE(Exec("UPDATE comments SET status = 'pending', body = 'HOLD Ann is back' WHERE id = $1",
                   {ann_a_pending_}).ok());
  ASSERT_TRUE(Exec("UPDATE articles SET comment_count = 2 WHERE id = $1", {kA}).ok());
  ASSERT_TRUE(Exec("DELETE FROM purged_accounts").ok());
  const uint64_t va = comments_.ThreadVersion(kA);

  EXPECT_EQ(*svc().ReapplyPurges(), 1);  // found through the purge log
  EXPECT_EQ(CommentText(ann_a_pub_, "status"), "deleted");
  EXPECT_EQ(CommentText(ann_a_pub_, "body"), "");
  EXPECT_EQ(CommentText(ann_a_pending_, "status"), "erased");
  EXPECT_EQ(CommentCount(kA), 1);
  EXPECT_EQ(Listed(kA), (std::set<int64_t>{ann_a_pub_, bob_reply_}));
  EXPECT_NE(comments_.ThreadVersion(kA), va);
  EXPECT_EQ(StatusOf(ann_.id), "purged");
}

}  // namespace
}  // namespace tribune::discussion
