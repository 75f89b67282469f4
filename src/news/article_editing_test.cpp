// Editors' lifecycle of an article: drafts, schedules, edits, unpublishing, related items, short codes, listeners.
#include <gtest/gtest.h>

#include "news/news.hpp"
#include "support/temp_database.hpp"

namespace tribune::news {
namespace {

constexpr int64_t kHourMicros = 3'600'000'000;

class Listener : public ArticleListener {
 public:
  Status Saved(storage::Session&, const Article& a) override {
    if (fail) return MakeError(ErrorCode::kUnavailable, "index down");
    events.push_back("saved:" + a.slug + ":" + a.status);
    return Ok{};
  }
  Status Removed(storage::Session&, int64_t id) override {
    if (fail) return MakeError(ErrorCode::kUnavailable, "index down");
    events.push_back("removed:" + std::to_string(id));
    return Ok{};
  }
  std::vector<std::string> events;
  bool fail = false;
};

class ArticleEditingTest : public ::testing::Test {
 protected:
  ArticleEditingTest() : ids_(clock_), service_(tmp_.db(), clock_, ids_, "en") {
    EXPECT_TRUE(service_.EnsureEdition("Tribune", "en").ok());
    service_.AddListener(&listener_);
  }
  NewArticle Sample(const std::string& slug, const std::string& status = "") {
    NewArticle a;
    a.slug = slug;
    a.title = "Title " + slug;
    a.body = "Body";
    a.section = "world";
    a.tags = {"a"};
    a.status = status;
    return a;
  }
  int64_t Count(const std::string& sql) { return (*tmp_.db().Read(sql, {}))[0].Int(0); }
  bool Listed(int64_t id) {
    auto page = service_.List({});
    for (const auto& a : page->items) {
      if (a.id == id) return true;
    }
    return false;
  }
  std::vector<int64_t> EditorIds(const std::string& status) {
    std::vector<int64_t> out;
    auto page = service_.ListForEditor({.status = status});
    EXPECT_TRUE(page.ok());
    for (const auto& a : page->items) out.push_back(a.id);
    return out;
  }
  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  ArticleService service_;
  Listener listener_;
};

TEST_F(ArticleEditingTest, ADraftIsInvisibleToReadersAndHasNoShortCode) {
  auto d = service_.Create(Sample("draft", "draft"), 0);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->status, "draft");
  EXPECT_TRUE(d->short_code.empty());
  EXPECT_EQ(service_.Get(d->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.GetBySlug("draft").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.GetByShortCode("~" + std::to_string(d->id)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.ResolveShortCode("~" + std::to_string(d->id)).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(Listed(d->id));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM short_codes"), 0);
  EXPECT_EQ(EditorIds("draft"), std::vector<int64_t>{d->id});
  EXPECT_TRUE(EditorIds("published").empty());
  auto mine = service_.GetForEditor(d->id);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->title, "Title draft");
  EXPECT_EQ(listener_.events, std::vector<std::string>{"saved:draft:draft"});
}

TEST_F(ArticleEditingTest, PublishMakesTheShortCodeOnceAndUnpublishKeepsItReserved) {
  auto d = service_.Create(Sample("story", "draft"), 0);
  ASSERT_TRUE(d.ok());
  clock_.Advance(std::chrono::minutes(5));
  auto p = service_.Publish(d->id, std::nullopt);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->status, "published");
  EXPECT_EQ(p->published_at, clock_.NowMicros());
  ASSERT_FALSE(p->short_code.empty());
  EXPECT_EQ(service_.ResolveShortCode(p->short_code)->id, d->id);
  EXPECT_TRUE(Listed(d->id));

  auto u = service_.Unpublish(d->id);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->status, "unpublished");
  EXPECT_EQ(u->short_code, p->short_code);
  EXPECT_EQ(service_.Get(d->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.GetBySlug("story").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.ResolveShortCode(p->short_code).error().code, ErrorCode::kGone);
  EXPECT_FALSE(Listed(d->id));
  EXPECT_EQ(EditorIds("unpublished"), std::vector<int64_t>{d->id});

  clock_.Advance(std::chrono::hours(2));
  auto again = service_.Publish(d->id, std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->short_code, p->short_code);      // never changes
  EXPECT_EQ(again->published_at, p->published_at);  // its date comes back
  EXPECT_EQ(Count("SELECT COUNT(*) FROM short_codes"), 1);
  EXPECT_EQ(listener_.events, (std::vector<std::string>{"saved:story:draft", "saved:story:published",
                                                         "removed:" + std::to_string(d->id),
                                                         "saved:story:published"}));
}

TEST_F(ArticleEditingTest, AScheduledArticleAppearsWhenTheClockPassesItsTime) {
  auto a = service_.Create(Sample("later"), 0);
  ASSERT_TRUE(a.ok());
  auto s = service_.Create(Sample("soon", "draft"), 0);
  ASSERT_TRUE(s.ok());
  const int64_t at = clock_.NowMicros() + kHourMicros;
  ASSERT_TRUE(service_.Publish(s->id, at).ok());
  EXPECT_EQ(service_.Get(s->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.ResolveShortCode(service_.GetForEditor(s->id)->short_code).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(Listed(s->id));
  EXPECT_EQ(EditorIds("scheduled"), std::vector<int64_t>{s->id});
  EXPECT_EQ(EditorIds("published"), std::vector<int64_t>{a->id});
  clock_.Advance(std::chrono::minutes(59));
  EXPECT_FALSE(service_.Get(s->id).ok());
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_TRUE(service_.Get(s->id).ok());
  EXPECT_TRUE(Listed(s->id));
  EXPECT_TRUE(EditorIds("scheduled").empty());
  // Created published with a future time: scheduled too.
  auto f = Sample("future");
  f.published_at = clock_.NowMicros() + kHourMicros;
  auto fa = service_.Create(f, 0);
  ASSERT_TRUE(fa.ok());
  EXPECT_FALSE(service_.Get(fa->id).ok());
}

TEST_F(ArticleEditingTest, ADraftsPlannedTimeIsUsedOnPublish) {
  auto d = Sample("planned", "draft");
  d.published_at = clock_.NowMicros() + 3 * kHourMicros;
  auto a = service_.Create(d, 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->planned_at, d.published_at);
  auto p = service_.Publish(a->id, std::nullopt);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->published_at, *d.published_at);
  EXPECT_FALSE(service_.Get(a->id).ok());
}

TEST_F(ArticleEditingTest, PatchChangesOnlyWhatItNamesAndValidatesLikeCreate) {
  auto a = service_.Create(Sample("edit"), 0);
  ASSERT_TRUE(a.ok());
  ArticlePatch p;
  p.title = "New title";
  p.tags = std::vector<std::string>{"x", "y", "x"};
  clock_.Advance(std::chrono::seconds(1));
  auto e = service_.Update(a->id, p);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->title, "New title");
  EXPECT_EQ(e->body, "Body");
  EXPECT_EQ(e->tags, (std::vector<std::string>{"x", "y"}));
  EXPECT_GT(e->updated_at, a->updated_at);
  EXPECT_EQ(service_.Get(a->id)->title, "New title");

  for (auto bad : {ArticlePatch{.title = ""}, ArticlePatch{.slug = "Bad Slug"}, ArticlePatch{.kind = "poem"},
                   ArticlePatch{.section = "no spaces"}, ArticlePatch{.body = std::string(200001, 'x')},
                   ArticlePatch{.related = std::vector<int64_t>{424242}},
                   ArticlePatch{.related = std::vector<int64_t>{a->id}}}) {
    auto r = service_.Update(a->id, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  }
  auto still = service_.GetForEditor(a->id);
  EXPECT_EQ(still->title, "New title");
  EXPECT_EQ(still->updated_at, e->updated_at);
  EXPECT_EQ(service_.Update(424242, p).error().code, ErrorCode::kNotFound);
}

TEST_F(ArticleEditingTest, AStaleEditIsAConflictAndChangesNothing) {
  auto a = service_.Create(Sample("race"), 0);
  ASSERT_TRUE(a.ok());
  ArticlePatch first{.title = "First", .expected_updated_at = a->updated_at};
  ASSERT_TRUE(service_.Update(a->id, first).ok());  // the clock did not move: updated_at still advances
  ArticlePatch second{.title = "Second", .expected_updated_at = a->updated_at};
  EXPECT_EQ(service_.Update(a->id, second).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_.Get(a->id)->title, "First");
  EXPECT_EQ(service_.Unpublish(a->id, a->updated_at).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(service_.Get(a->id).ok());
}

TEST_F(ArticleEditingTest, ASlugChangesOnlyWhileADraft) {
  auto d = service_.Create(Sample("first-name", "draft"), 0);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(service_.Create(Sample("taken"), 0).ok());
  EXPECT_EQ(service_.Update(d->id, {.slug = "taken"}).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(service_.Update(d->id, {.slug = "second-name"}).ok());
  ASSERT_TRUE(service_.Publish(d->id, std::nullopt).ok());
  EXPECT_EQ(service_.Update(d->id, {.slug = "third-name"}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_.Get(d->id)->slug, "second-name");
}

TEST_F(ArticleEditingTest, AFailingListenerRollsBackTheEdit) {
  auto a = service_.Create(Sample("kept"), 0);
  ASSERT_TRUE(a.ok());
  listener_.fail = true;
  EXPECT_FALSE(service_.Update(a->id, {.title = "Lost"}).ok());
  EXPECT_FALSE(service_.Unpublish(a->id).ok());
  listener_.fail = false;
  auto now = service_.Get(a->id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->title, "Title kept");
}

TEST_F(ArticleEditingTest, RelatedItemsMustExistAndUnpublishedOnesAreLeftOut) {
  auto r1 = service_.Create(Sample("r1"), 0);
  auto r2 = service_.Create(Sample("r2"), 0);
  auto r3 = service_.Create(Sample("r3", "draft"), 0);
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
  auto bad = Sample("main");
  bad.related = {r1->id, 999};
  EXPECT_EQ(service_.Create(bad, 0).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM articles WHERE slug = 'main'"), 0);
  auto good = Sample("main");
  good.related = {r2->id, r3->id, r1->id};
  auto m = service_.Create(good, 0);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(service_.Get(m->id)->related, (std::vector<int64_t>{r2->id, r3->id, r1->id}));
  ASSERT_TRUE(service_.Unpublish(r2->id).ok());
  auto shown = service_.VisibleRelated(*service_.Get(m->id));
  ASSERT_TRUE(shown.ok());
  ASSERT_EQ(shown->size(), 1u);
  EXPECT_EQ((*shown)[0].id, r1->id);
}

TEST_F(ArticleEditingTest, BadStatusesAndTimesAreRefused) {
  EXPECT_EQ(service_.Create(Sample("x", "unpublished"), 0).error().code, ErrorCode::kBadRequest);
  auto d = service_.Create(Sample("y", "draft"), 0);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(service_.Unpublish(d->id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_.Publish(d->id, -5).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.ListForEditor({.status = "bogus"}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.ResolveShortCode("../etc").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.GetForEditor(d->id)->status, "draft");
}

}  // namespace
}  // namespace tribune::news
