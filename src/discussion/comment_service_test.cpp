#include <gtest/gtest.h>

#include <set>

#include "discussion/discussion.hpp"
#include "support/holding_engine.hpp"
#include "support/temp_database.hpp"

namespace tribune::discussion {
namespace {

using tribune::testing::HoldingEngine;

class CommentServiceTest : public ::testing::Test {
 protected:
  CommentServiceTest() : ids_(clock_), service_(tmp_.db(), clock_, ids_, engine_, {}) {
    EXPECT_TRUE(tmp_.db().Write([](storage::Session& s) -> Status {
      TRIBUNE_TRY(s.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)"));
      for (int64_t a : {1, 2}) {
        TRIBUNE_TRY(s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at)"
                           " VALUES ($1, $2, $3, 'x', 0)",
                           {a, "u" + std::to_string(a) + "@x.org", "User " + std::to_string(a)}));
      }
      for (int64_t art : {10, 20}) {
        TRIBUNE_TRY(s.Exec("INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at,"
                           " created_at, updated_at) VALUES ($1, 'en', $2, 'T', 'en', $2, 0, 0, 0)",
                           {art, "a" + std::to_string(art)}));
      }
      return Ok{};
    }).ok());
  }
  int64_t MustPost(int64_t article, const std::string& body, std::optional<int64_t> parent = std::nullopt,
                   Actor actor = {1, false}) {
    auto r = service_.Post(actor, article, body, parent);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->id : 0;
  }
  int64_t Total(int64_t article) {
    return tmp_.Count("SELECT comment_count FROM articles WHERE id = " + std::to_string(article));
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  HoldingEngine engine_;
  CommentService service_;
};

TEST_F(CommentServiceTest, PostRendersMarkdownAndCountsPublishedComments) {
  int64_t id = MustPost(10, "**bold** <script>x</script>");
  auto c = service_.Get(id);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->body_html.find("<strong>bold</strong>"), std::string::npos);
  EXPECT_EQ(c->body_html.find("<script>"), std::string::npos);
  EXPECT_EQ(Total(10), 1);
}

TEST_F(CommentServiceTest, RejectedTextStoresOnlyTheDecisionRecord) {
  auto r = service_.Post({1, false}, 10, "   ", std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  EXPECT_NE(r.error().extra_json.find("\"rule\":\"form\""), std::string::npos);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM comments"), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_decisions WHERE action = 'reject'"), 1);
}

TEST_F(CommentServiceTest, ReplyMustStayInItsArticle) {
  int64_t parent = MustPost(10, "first");
  auto wrong = service_.Post({1, false}, 20, "reply", parent);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.Post({1, false}, 10, "reply", 999).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.Post({1, false}, 30, "reply", std::nullopt).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM comments"), 1);
  MustPost(10, "reply", parent);
  EXPECT_EQ(service_.Get(parent)->reply_count, 1);
}

TEST_F(CommentServiceTest, HeldCommentIsSeenOnlyByItsAuthor) {
  MustPost(10, "visible");
  MustPost(10, "HOLD me");
  EXPECT_EQ(Total(10), 1);
  auto anon = service_.List({.article_id = 10});
  auto author = service_.List({.article_id = 10, .viewer_id = 1});
  auto other = service_.List({.article_id = 10, .viewer_id = 2});
  EXPECT_EQ(anon->items.size(), 1u);
  EXPECT_EQ(author->items.size(), 2u);
  EXPECT_EQ(other->items.size(), 1u);
  EXPECT_EQ(author->total, 1);
}

TEST_F(CommentServiceTest, EditKeepsHistoryAndOnlyTheAuthorMayEdit) {
  int64_t id = MustPost(10, "first text");
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(service_.Edit({2, false}, id, "hijack").error().code, ErrorCode::kForbidden);
  auto edited = service_.Edit({1, false}, id, "second text");
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->body, "second text");
  ASSERT_TRUE(edited->edited_at.has_value());
  auto rev = tmp_.db().Read("SELECT body FROM comment_revisions WHERE comment_id = $1", {id});
  ASSERT_EQ(rev->size(), 1u);
  EXPECT_EQ((*rev)[0].Text(0), "first text");
  EXPECT_EQ(service_.Edit({1, false}, id, "").error().code, ErrorCode::kRejected);
  EXPECT_EQ(service_.Get(id)->body, "second text");
}

TEST_F(CommentServiceTest, AFailingEditHookUndoesTheEditAndAModeratorsEditIsMarked) {
  int64_t id = MustPost(10, "first text");
  std::string seen_old;
  auto failed = service_.Edit({7, true}, id, "moderated text",
                              [&](storage::Session&, const std::string& old_body, const std::string&, const std::string&) {
                                seen_old = old_body;
                                return Status(MakeError(ErrorCode::kInternal, "audit write failed"));
                              });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(seen_old, "first text");
  EXPECT_EQ(service_.Get(id)->body, "first text") << "no edit without its record";
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM comment_revisions"), 0);
  auto edited = service_.Edit({7, true}, id, "moderated text");
  ASSERT_TRUE(edited.ok());
  EXPECT_TRUE(edited->edited_by_moderator);
  EXPECT_FALSE(service_.Edit({1, false}, id, "the author again")->edited_by_moderator);
}

TEST_F(CommentServiceTest, EditThatIsHeldLeavesTheCount) {
  int64_t id = MustPost(10, "fine");
  ASSERT_TRUE(service_.Edit({1, false}, id, "HOLD now").ok());
  EXPECT_EQ(service_.Get(id)->status, "pending");
  EXPECT_EQ(Total(10), 0);
}

TEST_F(CommentServiceTest, DeleteLeavesATombstoneWithoutText) {
  int64_t parent = MustPost(10, "parent");
  MustPost(10, "child", parent, {2, false});
  ASSERT_TRUE(service_.Edit({1, false}, parent, "parent v2").ok());
  EXPECT_EQ(service_.Delete({2, false}, parent).error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(service_.Delete({1, false}, parent).ok());
  ASSERT_TRUE(service_.Delete({1, false}, parent).ok());  // twice is fine
  auto page = service_.List({.article_id = 10});
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].status, "deleted");
  EXPECT_EQ(page->items[0].body, "");
  EXPECT_EQ(page->total, 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM comment_revisions"), 0);
  EXPECT_EQ(service_.Edit({1, false}, parent, "again").error().code, ErrorCode::kConflict);
}

TEST_F(CommentServiceTest, CursorsVisitEveryCommentOnceInEachOrder) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 23; ++i) ids.push_back(MustPost(10, "c" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) MustPost(10, "reply", ids[7]);
  MustPost(10, "reply", ids[3]);
  for (Sort sort : {Sort::kOldest, Sort::kNewest, Sort::kTop}) {
    std::vector<int64_t> seen;
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = service_.List({.article_id = 10, .sort = sort, .cursor = cursor, .limit = 5});
      ASSERT_TRUE(page.ok());
      for (auto& c : page->items) seen.push_back(c.id);
      if (!page->next_cursor) break;
      cursor = *page->next_cursor;
    }
    EXPECT_EQ(seen.size(), 27u);
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 27u);
    if (sort == Sort::kOldest) {
      EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    }
    if (sort == Sort::kNewest) {
      EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
    }
    if (sort == Sort::kTop) {
      EXPECT_EQ(seen[0], ids[7]);
      EXPECT_EQ(seen[1], ids[3]);
    }
  }
  EXPECT_EQ(service_.List({.article_id = 10, .cursor = "garbage"}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.List({.article_id = 99}).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tribune::discussion

namespace tribune::discussion {
namespace {

TEST_F(CommentServiceTest, EveryCommittedChangeBumpsTheThreadVersion) {
  const uint64_t v0 = service_.ThreadVersion(10);
  int64_t id = MustPost(10, "one");
  const uint64_t v1 = service_.ThreadVersion(10);
  EXPECT_GT(v1, v0);
  ASSERT_TRUE(service_.Edit({1, false}, id, "two").ok());
  const uint64_t v2 = service_.ThreadVersion(10);
  EXPECT_GT(v2, v1);
  ASSERT_TRUE(service_.Delete({1, false}, id).ok());
  EXPECT_GT(service_.ThreadVersion(10), v2);
  const uint64_t v3 = service_.ThreadVersion(10);
  EXPECT_FALSE(service_.Post({1, false}, 10, "  ", std::nullopt).ok());  // rejected: nothing changed
  EXPECT_EQ(service_.ThreadVersion(10), v3);
}

}  // namespace
}  // namespace tribune::discussion
