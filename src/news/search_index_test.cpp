// Search on a real database (SQLite; PostgreSQL with TRIBUNE_TEST_POSTGRES): the index kept in step with the
// articles, ranking, filters, pages, the catch-up, and readers' worst queries.
#include <gtest/gtest.h>

#include <set>

#include "news/search.hpp"
#include "support/temp_database.hpp"

namespace tribune::news {
namespace {

class SearchIndexTest : public ::testing::Test {
 protected:
  SearchIndexTest()
      : ids_(clock_),
        articles_(tmp_.db(), clock_, ids_, "en"),
        index_(tmp_.db().Dialect()),
        search_(tmp_.db(), clock_, articles_, {.edition = "en", .languages = {"en", "fr", "ru"}}) {
    EXPECT_TRUE(articles_.EnsureEdition("Tribune", "en").ok());
    articles_.AddListener(&index_);
  }
  int64_t Add(const std::string& slug, const std::string& title, const std::string& body,
              std::vector<std::string> tags = {}, const std::string& lang = "", const std::string& lead = "",
              std::optional<int64_t> published_at = std::nullopt, const std::string& section = "world") {
    NewArticle a{slug, title, lead, body, section, std::move(tags), {}, lang, published_at};
    auto r = articles_.Create(a, 0);
    EXPECT_TRUE(r.ok()) << r.error().message;
    clock_.Advance(std::chrono::seconds(1));
    return r.ok() ? r->id : 0;
  }
  std::vector<std::string> Slugs(SearchRequest r) {
    auto page = search_.Search(r);
    EXPECT_TRUE(page.ok()) << r.q << ": " << page.error().message;
    std::vector<std::string> out;
    if (page.ok())
      for (const auto& h : page->items) out.push_back(h.article.slug);
    return out;
  }
  std::vector<std::string> Slugs(const std::string& q) { return Slugs(SearchRequest{.q = q}); }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  ArticleService articles_;
  SearchIndex index_;
  SearchService search_;
};

TEST_F(SearchIndexTest, FindsStemmedVariantsAndRanksTheHeadlineAboveTheBody) {
  Add("body-only", "Weather report", "Crowds were running through the streets during the marathon.");
  Add("headline", "Marathon runners run again", "A short report.");
  Add("unrelated", "Budget vote", "Parliament voted on the budget.");
  EXPECT_EQ(Slugs("runs"), (std::vector<std::string>{"headline", "body-only"}));
  EXPECT_EQ(Slugs("RUNNING marathon"), (std::vector<std::string>{"headline", "body-only"}));
  EXPECT_TRUE(Slugs("football").empty());
  auto page = search_.Search({.q = "running"});
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->items[0].snippet.find("<mark>"), std::string::npos) << page->items[0].snippet;
}

TEST_F(SearchIndexTest, TagsPhrasesExclusionsPrefixesAndFilters) {
  Add("tagged", "Markets today", "Shares rose.", {"Economy"});
  Add("phrase", "City news", "The new york office opened.", {}, "", "", std::nullopt, "business");
  Add("scrambled", "City news two", "York has a new office.");
  Add("french", "Les élections municipales", "Les électeurs ont voté.", {}, "fr");
  EXPECT_EQ(Slugs("economy"), (std::vector<std::string>{"tagged"}));
  EXPECT_EQ(Slugs("\"new york\""), (std::vector<std::string>{"phrase"}));
  EXPECT_EQ(Slugs("york -opened"), (std::vector<std::string>{"scrambled"}));
  auto offices = Slugs("offic*");
  EXPECT_EQ(std::set<std::string>(offices.begin(), offices.end()), (std::set<std::string>{"scrambled", "phrase"}));
  EXPECT_EQ(Slugs("élection"), (std::vector<std::string>{"french"}));
  EXPECT_EQ(Slugs(SearchRequest{.q = "election", .language = "fr"}), (std::vector<std::string>{"french"}));
  EXPECT_TRUE(Slugs(SearchRequest{.q = "election", .language = "en"}).empty());
  EXPECT_EQ(Slugs(SearchRequest{.q = "york", .section = "business"}), (std::vector<std::string>{"phrase"}));
  EXPECT_EQ(Slugs(SearchRequest{.q = "shares", .tag = "Economy"}), (std::vector<std::string>{"tagged"}));
  EXPECT_TRUE(Slugs(SearchRequest{.q = "shares", .tag = "Sport"}).empty());
  auto bad = search_.Search({.q = "x", .section = "no spaces allowed"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest);
}

TEST_F(SearchIndexTest, ScheduledArticlesAreIndexedButFoundOnlyOncePublished) {
  const int64_t in_an_hour = clock_.NowMicros() + 3'600'000'000;
  Add("later", "Eclipse tomorrow", "Astronomers expect it.", {}, "", "", in_an_hour);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM search_documents WHERE version = 1"), 1);
  EXPECT_TRUE(Slugs("eclipse").empty());
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(Slugs("eclipse"), (std::vector<std::string>{"later"}));
}

TEST_F(SearchIndexTest, RemovedArticlesLeaveTheIndexAndStayOutAfterACatchUp) {
  const int64_t id = Add("gone", "Volcano erupts", "Lava everywhere.");
  Add("kept", "Volcano sleeps", "Quiet.");
  ASSERT_TRUE(tmp_.db().Write([&](storage::Session& s) { return index_.Removed(s, id); }).ok());
  EXPECT_EQ(Slugs("volcano"), (std::vector<std::string>{"kept"}));
  auto caught = index_.CatchUp(tmp_.db());
  ASSERT_TRUE(caught.ok());
  EXPECT_EQ(*caught, 0);
  EXPECT_EQ(Slugs("volcano"), (std::vector<std::string>{"kept"}));
  // Saved again (an edit that republishes): back in, with its new words.
  auto a = articles_.Get(id);
  ASSERT_TRUE(a.ok());
  a->title = "Volcano erupts again";
  ASSERT_TRUE(tmp_.db().Write([&](storage::Session& s) { return index_.Saved(s, *a); }).ok());
  EXPECT_EQ(Slugs("again volcano"), (std::vector<std::string>{"gone"}));
  // Edited twice: the old words are gone from the index.
  a->title = "Geyser";
  ASSERT_TRUE(tmp_.db().Write([&](storage::Session& s) { return index_.Saved(s, *a); }).ok());
  EXPECT_EQ(Slugs("volcano"), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(Slugs("geyser"), (std::vector<std::string>{"gone"}));
}

TEST_F(SearchIndexTest, CatchUpIndexesArticlesWrittenWithoutTheListenerAndRebuildRewritesAll) {
  ArticleService plain(tmp_.db(), clock_, ids_, "en");  // no listener: like articles from before the migration
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(plain.Create({"old-" + std::to_string(i), "Archive story", "", "Glaciers melt.", "world"}, 0).ok());
  }
  Add("new", "Glacier news", "Fresh.");
  EXPECT_EQ(Slugs("glacier"), (std::vector<std::string>{"new"}));
  auto caught = index_.CatchUp(tmp_.db(), /*batch=*/3);
  ASSERT_TRUE(caught.ok()) << caught.error().message;
  EXPECT_EQ(*caught, 7);
  EXPECT_EQ(Slugs(SearchRequest{.q = "glacier", .limit = 50}).size(), 8u);
  EXPECT_EQ(*index_.CatchUp(tmp_.db()), 0);
  auto rebuilt = index_.Rebuild(tmp_.db());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, 8);
  EXPECT_EQ(Slugs(SearchRequest{.q = "glacier", .limit = 50}).size(), 8u);
  auto count = search_.Count({.q = "glacier"});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 8);
}

TEST_F(SearchIndexTest, PagesDoNotRepeatAndCursorsAreChecked) {
  for (int i = 0; i < 13; ++i) Add("p" + std::to_string(i), "Harvest " + std::to_string(i), "Grain.");
  std::set<std::string> seen;
  SearchRequest r{.q = "harvest", .limit = 5};
  int pages = 0;
  while (true) {
    auto page = search_.Search(r);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (const auto& h : page->items) EXPECT_TRUE(seen.insert(h.article.slug).second) << h.article.slug;
    ++pages;
    if (!page->next_cursor) break;
    r.cursor = *page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 13u);
  EXPECT_EQ(pages, 3);
  for (const char* c : {"garbage", "AAAA", "-1"}) {
    auto bad = search_.Search({.q = "harvest", .cursor = c});
    ASSERT_FALSE(bad.ok()) << c;
    EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest);
  }
}

TEST_F(SearchIndexTest, NastyQueriesAreAnsweredOrRejectedNeverAnInternalError) {
  Add("a", "Ordinary headline", "Ordinary body with words.");
  const std::string nasty[] = {
      "NEAR(a b)", "a AND", "OR", "NOT", "^ordinary", "title:ordinary", "*", "\"", "\"\"", "( )", "{title}: x",
      "ordinary\"", "a'b", "'; DROP TABLE articles; --", "\\", "''", "😀 ordinary", "עברית ordinary", "ordinary*",
      "-", "--", "-\"\"", "a -", "x:*", "!ordinary", "ordinary & words | x", "<-> ordinary", "ordinary:A",
      std::string("\0", 1), "\xc3\x28", "\xe2\x80\xae ordinary", "ordinary\u200b", "NEAR(\"ordinary\" body, 2)",
  };
  for (const std::string& q : nasty) {
    auto page = search_.Search({.q = q});
    if (!page.ok()) {
      EXPECT_EQ(page.error().code, ErrorCode::kBadRequest) << q << ": " << page.error().message;
    }
  }
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM articles"), 1);
  EXPECT_EQ(Slugs("\"ordinary body\" -NEAR"), (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace tribune::news

namespace tribune::news {
namespace {

TEST_F(SearchIndexTest, TheRankingWindowRanksTheNewestMatchesOnlyAndZeroRanksAll) {
  Add("old-headline", "Comet seen", "Astronomers watched.");
  Add("body-1", "Night sky", "A comet and more.");
  Add("body-2", "Night sky again", "Another comet.");
  SearchService windowed(tmp_.db(), clock_, articles_, {.edition = "en", .languages = {"en"}, .rank_window = 2});
  SearchService full(tmp_.db(), clock_, articles_, {.edition = "en", .languages = {"en"}, .rank_window = 0});
  auto slugs = [](Result<SearchPage> p) {
    std::vector<std::string> out;
    for (const auto& h : p->items) out.push_back(h.article.slug);
    return out;
  };
  auto all = full.Search({.q = "comet"});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(slugs(all).front(), "old-headline");
  EXPECT_EQ(slugs(all).size(), 3u);
  auto newest = windowed.Search({.q = "comet"});
  ASSERT_TRUE(newest.ok()) << newest.error().message;
  auto got = slugs(newest);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), (std::set<std::string>{"body-1", "body-2"}));
  // Within the window the order is the full ranking's.
  auto ranked = slugs(all);
  ranked.erase(std::remove(ranked.begin(), ranked.end(), "old-headline"), ranked.end());
  EXPECT_EQ(got, ranked);
}

}  // namespace
}  // namespace tribune::news
