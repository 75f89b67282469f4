#include "interop/sentences.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tribune::interop {
namespace {

std::string Bytes(std::string_view text, const Sentence& s) { return std::string(text.substr(s.begin, s.end - s.begin)); }

TEST(Sentences, VectorOfTheSpecification) {
  const std::string_view text = "Café owners are idiots. Nice article.";
  const auto s = Sentences(text);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].begin, 0u);
  EXPECT_EQ(s[0].end, 24u);
  EXPECT_EQ(s[0].begin16, 0u);
  EXPECT_EQ(s[0].end16, 23u);
  EXPECT_EQ(s[1].begin, 25u);
  EXPECT_EQ(s[1].end, 38u);
  EXPECT_EQ(s[1].begin16, 24u);
  EXPECT_EQ(s[1].end16, 37u);
}

TEST(Sentences, TrimsBlanksAndCountsSurrogatePairs) {
  const std::string text = "  \xF0\x9F\x98\x80 Hi!  \n\n What?\xE2\x80\x83 ";
  const auto s = Sentences(text);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(Bytes(text, s[0]), "\xF0\x9F\x98\x80 Hi!");
  EXPECT_EQ(s[0].begin16, 2u);
  EXPECT_EQ(s[0].end16, 8u);  // 2 + emoji 2 + " Hi!" 4
  EXPECT_EQ(Bytes(text, s[1]), "What?");
  EXPECT_EQ(s[1].begin16, 13u);  // 8 + "  \n\n " 5
  EXPECT_EQ(s[1].end16, 18u);
}

TEST(Sentences, BlankOrUnbrokenText) {
  EXPECT_TRUE(Sentences("").empty());
  EXPECT_TRUE(Sentences(" \n\t ").empty());
  const auto one = Sentences("no full stop here");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].end, 17u);
  EXPECT_EQ(one[0].end16, 17u);
  const auto bad = Sentences("a\xFF\xFE b. C");  // a bad byte counts one unit
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[1].begin, 7u);
  EXPECT_EQ(bad[1].begin16, 7u);
}

}  // namespace
}  // namespace tribune::interop
