#include <gtest/gtest.h>

#include <chrono>

#include "news/reader_views.hpp"

namespace tribune::news {
namespace {

constexpr std::string_view kFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

TEST(ReaderViewsTest, SameReaderTwiceTheSameDayCountsOnce) {
  FakeClock clock;
  ReaderViews views(clock);
  int counted = 0;
  counted += views.FirstToday("203.0.113.7", kFirefox, 42);
  clock.Advance(std::chrono::hours(3));
  counted += views.FirstToday("203.0.113.7", kFirefox, 42);
  EXPECT_EQ(counted, 1);
}

TEST(ReaderViewsTest, TheNextUtcDayCountsTheReaderAgain) {
  FakeClock clock;  // midnight UTC
  clock.Advance(std::chrono::hours(23));
  ReaderViews views(clock);
  int counted = views.FirstToday("203.0.113.7", kFirefox, 42);
  clock.Advance(std::chrono::hours(2));  // 01:00 the next day
  counted += views.FirstToday("203.0.113.7", kFirefox, 42);
  counted += views.FirstToday("203.0.113.7", kFirefox, 42);
  EXPECT_EQ(counted, 2);
}

TEST(ReaderViewsTest, TwoReadersAndTwoArticlesCountSeparately) {
  FakeClock clock;
  ReaderViews views(clock);
  EXPECT_TRUE(views.FirstToday("203.0.113.7", kFirefox, 42));
  EXPECT_TRUE(views.FirstToday("203.0.113.8", kFirefox, 42));      // another address
  EXPECT_TRUE(views.FirstToday("203.0.113.7", "Other/1.0", 42));    // another browser at the same address
  EXPECT_TRUE(views.FirstToday("203.0.113.7", kFirefox, 43));      // another article
  EXPECT_FALSE(views.FirstToday("203.0.113.8", kFirefox, 42));
}

TEST(ReaderViewsTest, RobotsAndEmptyUserAgentsAreNotCounted) {
  FakeClock clock;
  ReaderViews views(clock);
  int counted = 0;
  for (std::string_view ua : {"", "  ", "Googlebot/2.1 (+http://www.google.com/bot.html)", "Some Crawler 1.0",
                              "Baiduspider", "facebookexternalhit BOT"}) {
    counted += views.FirstToday("203.0.113.7", ua, 42);
  }
  EXPECT_EQ(counted, 0);
  EXPECT_EQ(views.remembered(), 0u);
  EXPECT_FALSE(ReaderViews::IsRobot(kFirefox));
}

TEST(ReaderViewsTest, BeyondTheCapNewReadersAreCountedButNotRemembered) {
  FakeClock clock;
  ReaderViews views(clock, 2);
  EXPECT_TRUE(views.FirstToday("a", kFirefox, 1));
  EXPECT_TRUE(views.FirstToday("b", kFirefox, 1));
  EXPECT_TRUE(views.FirstToday("c", kFirefox, 1));
  EXPECT_EQ(views.remembered(), 2u);
  EXPECT_FALSE(views.FirstToday("a", kFirefox, 1));  // remembered ones still count once
  EXPECT_TRUE(views.FirstToday("c", kFirefox, 1));   // over the cap: counted again
  clock.Advance(std::chrono::hours(24));
  EXPECT_TRUE(views.FirstToday("a", kFirefox, 1));
  EXPECT_EQ(views.remembered(), 1u);  // the new day started empty
}

}  // namespace
}  // namespace tribune::news
