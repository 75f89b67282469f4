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

}  // namespace
}  // namespace tribune::news
