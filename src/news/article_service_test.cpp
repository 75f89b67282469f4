#include <gtest/gtest.h>

#include <set>

#include "news/news.hpp"
#include "support/temp_database.hpp"

namespace tribune::news {
namespace {

class ArticleServiceTest : public ::testing::Test {
 protected:
  ArticleServiceTest() : ids_(clock_), service_(tmp_.db(), clock_, ids_, "en") {
    EXPECT_TRUE(service_.EnsureEdition("Tribune", "en").ok());
  }
  NewArticle Sample(const std::string& slug, const std::string& section = "world") {
    return NewArticle{slug, "Title " + slug, "Lead", "Body", section, {"a", "b"}, {"/img.jpg", "cap", "© credit"}, "",
                      std::nullopt};
  }
  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  ArticleService service_;
};

TEST_F(ArticleServiceTest, CreateStoresEveryFieldAndAShortCode) {
  auto a = service_.Create(Sample("one"), 0);
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto got = service_.Get(a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->title, "Title one");
  EXPECT_EQ(got->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(got->image.credit, "© credit");
  EXPECT_EQ(got->language, "en");
  EXPECT_FALSE(got->short_code.empty());
  EXPECT_EQ(service_.GetByShortCode(got->short_code)->id, a->id);
  EXPECT_EQ(service_.GetBySlug("one")->id, a->id);
}

class RecordingListener : public ArticleListener {
 public:
  Status Saved(storage::Session& s, const Article& a) override {
    // Inside the write: the article's row is already visible to the listener's own statements.
    auto row = s.Query("SELECT slug FROM articles WHERE id = $1", {a.id});
    if (!row.ok()) return std::move(row).error();
    if (row->empty()) return MakeError(ErrorCode::kInternal, "listener ran before the insert");
    if (fail) return MakeError(ErrorCode::kUnavailable, "index down");
    saved.push_back((*row)[0].Text(0));
    return Ok{};
  }
  Status Removed(storage::Session&, int64_t) override { return Ok{}; }
  std::vector<std::string> saved;
  bool fail = false;
};

TEST_F(ArticleServiceTest, ListenersHearACreateInsideItsTransactionAndCanFailIt) {
  RecordingListener listener;
  service_.AddListener(&listener);
  ASSERT_TRUE(service_.Create(Sample("heard"), 0).ok());
  EXPECT_EQ(listener.saved, (std::vector<std::string>{"heard"}));
  listener.fail = true;
  EXPECT_EQ(service_.Create(Sample("refused"), 0).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM articles WHERE slug = 'refused'"), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM article_tags"), 2);  // only the first article's two tags
}

TEST_F(ArticleServiceTest, SlugIsUniqueAndValidated) {
  ASSERT_TRUE(service_.Create(Sample("one"), 0).ok());
  EXPECT_EQ(service_.Create(Sample("one"), 0).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_.Create(Sample("Bad Slug"), 0).error().code, ErrorCode::kBadRequest);
  NewArticle no_title = Sample("two");
  no_title.title = " ";
  EXPECT_EQ(service_.Create(no_title, 0).error().code, ErrorCode::kBadRequest);
  NewArticle js = Sample("three");
  js.image.url = "javascript:alert(1)";
  EXPECT_EQ(service_.Create(js, 0).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM articles"), 1);
}

TEST_F(ArticleServiceTest, ListIsNewestFirstFiltersAndPagesWithoutRepeats) {
  for (int i = 0; i < 7; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    ASSERT_TRUE(service_.Create(Sample("s" + std::to_string(i), i % 2 ? "sport" : "world"), 0).ok());
  }
  std::vector<std::string> slugs;
  std::string cursor;
  for (;;) {
    auto page = service_.List({.cursor = cursor, .limit = 3});
    ASSERT_TRUE(page.ok());
    for (auto& a : page->items) slugs.push_back(a.slug);
    if (!page->next_cursor) break;
    cursor = *page->next_cursor;
  }
  EXPECT_EQ(slugs, (std::vector<std::string>{"s6", "s5", "s4", "s3", "s2", "s1", "s0"}));
  EXPECT_EQ(service_.List({.section = "sport"})->items.size(), 3u);
  EXPECT_EQ(service_.List({.tag = "a"})->items.size(), 7u);
  EXPECT_EQ(service_.List({.tag = "zzz"})->items.size(), 0u);
  EXPECT_EQ(service_.List({.cursor = "!!"}).error().code, ErrorCode::kBadRequest);
}

TEST_F(ArticleServiceTest, ScheduledArticlesStayHiddenUntilTheirTime) {
  NewArticle later = Sample("later");
  later.published_at = clock_.NowMicros() + 3'600'000'000;
  ASSERT_TRUE(service_.Create(later, 0).ok());
  EXPECT_EQ(service_.List({})->items.size(), 0u);
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(service_.List({})->items.size(), 1u);
}

TEST_F(ArticleServiceTest, KindBylineAndRecommendationAreStoredAndValidated) {
  NewArticle g = Sample("gallery");
  g.kind = "gallery";
  g.byline = "Ana Lima";
  g.recommended_until = clock_.NowMicros() + 3'600'000'000;
  auto a = service_.Create(g, 0);
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto got = service_.Get(a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->kind, "gallery");
  EXPECT_EQ(got->byline, "Ana Lima");
  EXPECT_EQ(got->recommended_until, g.recommended_until);
  auto plain = service_.Create(Sample("plain"), 0);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(service_.Get(plain->id)->kind, "story");
  EXPECT_FALSE(service_.Get(plain->id)->recommended_until.has_value());

  NewArticle bad = Sample("bad");
  bad.kind = "podcast";
  EXPECT_EQ(service_.Create(bad, 0).error().code, ErrorCode::kBadRequest);
  NewArticle long_byline = Sample("long-byline");
  long_byline.byline = std::string(201, 'x');
  EXPECT_EQ(service_.Create(long_byline, 0).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM articles"), 2);
}

TEST_F(ArticleServiceTest, RecommendedExpiresAndMultimediaListsGalleriesAndVideos) {
  NewArticle pick = Sample("pick");
  pick.recommended_until = clock_.NowMicros() + 3'600'000'000;
  ASSERT_TRUE(service_.Create(pick, 0).ok());
  NewArticle video = Sample("video");
  video.kind = "video";
  ASSERT_TRUE(service_.Create(video, 0).ok());
  ASSERT_TRUE(service_.Create(Sample("story"), 0).ok());
  auto rec = service_.List({.recommended = true});
  ASSERT_TRUE(rec.ok());
  ASSERT_EQ(rec->items.size(), 1u);
  EXPECT_EQ(rec->items[0].slug, "pick");
  auto media = service_.List({.multimedia = true});
  ASSERT_EQ(media->items.size(), 1u);
  EXPECT_EQ(media->items[0].slug, "video");
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(service_.List({.recommended = true})->items.size(), 0u);
}

TEST_F(ArticleServiceTest, LanguageFilterMatchesRegionsAndExcludesOtherEditions) {
  NewArticle fr = Sample("fr");
  fr.language = "fr";
  NewArticle ca = Sample("fr-ca");
  ca.language = "fr-CA";
  ASSERT_TRUE(service_.Create(fr, 0).ok());
  ASSERT_TRUE(service_.Create(ca, 0).ok());
  ASSERT_TRUE(service_.Create(Sample("en"), 0).ok());
  EXPECT_EQ(service_.List({.language = "fr"})->items.size(), 2u);
  auto rest = service_.List({.not_languages = {"fr", "ru"}});
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].slug, "en");
}

TEST_F(ArticleServiceTest, ViewsAreCountedInBatches) {
  auto a = service_.Create(Sample("read"), 0);
  ASSERT_TRUE(a.ok());
  for (int i = 0; i < 3; ++i) service_.RecordView(a->id);
  ASSERT_TRUE(service_.FlushViews().ok());
  EXPECT_EQ(service_.Get(a->id)->views, 3);
  EXPECT_EQ(tmp_.Count("SELECT SUM(views) FROM article_view_hours"), 3);
}

TEST_F(ArticleServiceTest, TrendingRanksRecentCommentsAboveOldOnesAndViews) {
  auto quiet = service_.Create(Sample("quiet"), 0);
  auto old_talk = service_.Create(Sample("old-talk"), 0);
  auto hot = service_.Create(Sample("hot"), 0);
  auto read = service_.Create(Sample("read"), 0);
  ASSERT_TRUE(quiet.ok() && old_talk.ok() && hot.ok() && read.ok());
  auto comment = [&](int64_t article) {
    const int64_t id = ids_.Next();
    ASSERT_TRUE(tmp_.db()
                    .Write([&](storage::Session& s) -> Status {
                      auto r = s.Exec("INSERT INTO comments (article_id, id, author_id, body, body_html, status,"
                                      " created_at) VALUES ($1, $2, 1, 'x', '<p>x</p>', 'published', $3)",
                                      {article, id, clock_.NowMicros()});
                      if (!r.ok()) return std::move(r).error();
                      return Ok{};
                    })
                    .ok());
  };
  // Three comments 20 hours ago (weight ≈ 3 · 0.1) against two now (≈ 2) and 10 views now (≈ 0.5).
  for (int i = 0; i < 3; ++i) comment(old_talk->id);
  clock_.Advance(std::chrono::hours(20));
  for (int i = 0; i < 2; ++i) comment(hot->id);
  for (int i = 0; i < 10; ++i) service_.RecordView(read->id);
  ASSERT_TRUE(service_.FlushViews().ok());
  auto trending = service_.Trending({.limit = 5});
  ASSERT_TRUE(trending.ok()) << trending.error().message;
  std::vector<std::string> slugs;
  for (const auto& t : trending.value()) slugs.push_back(t.slug);
  EXPECT_EQ(slugs, (std::vector<std::string>{"hot", "read", "old-talk"}));
  // A day later nothing is trending any more.
  clock_.Advance(std::chrono::hours(30));
  EXPECT_TRUE(service_.Trending({.limit = 5})->empty());
}

TEST_F(ArticleServiceTest, TrendingAnswersFromItsCacheUntilActivityIsNoted) {
  auto first = service_.Create(Sample("first"), 0);
  auto second = service_.Create(Sample("second"), 0);
  ASSERT_TRUE(first.ok() && second.ok());
  auto comment = [&](int64_t article) {
    ASSERT_TRUE(tmp_.db()
                    .Write([&](storage::Session& s) -> Status {
                      auto r = s.Exec("INSERT INTO comments (article_id, id, author_id, body, body_html, status,"
                                      " created_at) VALUES ($1, $2, 1, 'x', '<p>x</p>', 'published', $3)",
                                      {article, ids_.Next(), clock_.NowMicros()});
                      if (!r.ok()) return std::move(r).error();
                      return Ok{};
                    })
                    .ok());
  };
  comment(first->id);
  auto slugs = [&] {
    std::vector<std::string> out;
    auto trending = service_.Trending({.limit = 5});  // kept: value() refers into the Result
    for (const auto& t : trending.value()) out.push_back(t.slug);
    return out;
  };
  EXPECT_EQ(slugs(), (std::vector<std::string>{"first"}));
  comment(second->id);
  comment(second->id);
  EXPECT_EQ(slugs(), (std::vector<std::string>{"first"}));  // the same clock second: the cached answer
  service_.NoteActivity();                                   // what the comment events do
  EXPECT_EQ(slugs(), (std::vector<std::string>{"second", "first"}));
}

}  // namespace
}  // namespace tribune::news
