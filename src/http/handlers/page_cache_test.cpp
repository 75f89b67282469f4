#include "http/handlers/page_cache.hpp"

#include <gtest/gtest.h>

namespace tribune::http {
namespace {

TEST(PageCache, ServesOnlyTheVersionItWasStoredAt) {
  PageCache cache;
  cache.Put("1|oldest||50", 7, std::make_shared<const std::string>("body"));
  ASSERT_NE(cache.Get("1|oldest||50", 7), nullptr);
  EXPECT_EQ(*cache.Get("1|oldest||50", 7), "body");
  EXPECT_EQ(cache.Get("1|oldest||50", 8), nullptr);
  EXPECT_EQ(cache.Get("2|oldest||50", 7), nullptr);
}

TEST(PageCache, StaysWithinItsByteBudgetWhateverTheKeys) {
  const size_t budget = 16 * 100'000;
  PageCache cache(budget);
  const auto page = std::make_shared<const std::string>(30'000, 'x');
  for (int i = 0; i < 10'000; ++i) cache.Put("1|oldest|" + std::to_string(i) + "|200", 1, page);
  EXPECT_LE(cache.BytesHeld(), budget);
  EXPECT_GT(cache.BytesHeld(), 0u);
}

TEST(PageCache, ReplacingAnEntryDoesNotLeakItsBytes) {
  PageCache cache(16 * 1000);
  for (int i = 0; i < 100; ++i) cache.Put("same", i, std::make_shared<const std::string>(100, 'x'));
  EXPECT_EQ(cache.BytesHeld(), 4u + 100u);
  EXPECT_NE(cache.Get("same", 99), nullptr);
}

TEST(PageCache, RefusesAPageLargerThanAShard) {
  PageCache cache(16 * 10);
  cache.Put("k", 1, std::make_shared<const std::string>(100, 'x'));
  EXPECT_EQ(cache.Get("k", 1), nullptr);
}

}  // namespace
}  // namespace tribune::http
