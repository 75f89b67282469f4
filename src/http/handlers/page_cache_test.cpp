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

TEST(PageCache, StaysBounded) {
  PageCache cache(4);
  for (int i = 0; i < 1000; ++i) cache.Put("k" + std::to_string(i), 1, std::make_shared<const std::string>("b"));
  int present = 0;
  for (int i = 0; i < 1000; ++i) present += cache.Get("k" + std::to_string(i), 1) != nullptr;
  EXPECT_LE(present, 16 * 4);
  EXPECT_GT(present, 0);
}

}  // namespace
}  // namespace tribune::http
