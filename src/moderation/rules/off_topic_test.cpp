#include "moderation/rules/off_topic.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace tribune::moderation {
namespace {

const char* kArticle =
    "Council approves the new tram line. The council voted to fund a tram line between the station and the "
    "university campus, costing 240 million euros shared between the city, the region and a national fund. "
    "Construction of tracks starts next spring; trams carry passengers from 2029. Opponents preferred electric "
    "buses; shopkeepers fear roadworks on the high street. The mayor promised fewer cars and better links "
    "to jobs and lectures for the northern districts. Ticket prices match bus fares.";

std::vector<Signal> Judge(const OffTopicDetector& d, std::string_view comment, std::string_view article = kArticle) {
  const text::TextViews views = text::BuildViews(comment, false);
  std::vector<Signal> out;
  d.Detect(DetectorInput{views, "en", article, nullptr}, out);
  return out;
}

double Weight(const StemBag& bag, std::string_view stem) {
  for (const auto& [key, w] : bag.stems)
    if (key == StemKey(stem)) return w;
  return 0;
}

TEST(OffTopic, StemsAreFoldedPrefixesWithoutFunctionWords) {
  const StemBag bag = StemsOf("Elections, ELECTORAL reform and the electorate: that is what they want.");
  ASSERT_EQ(bag.size(), 2u);
  EXPECT_DOUBLE_EQ(Weight(bag, "elect"), 3);
  EXPECT_DOUBLE_EQ(Weight(bag, "refor"), 1);
  EXPECT_DOUBLE_EQ(Weight(StemsOf("Выборы ВЫБОРНЫЙ"), "выбор"), 2);
  EXPECT_DOUBLE_EQ(Weight(StemsOf("Don't don’t"), "dont"), 2);  // apostrophes stay inside the word
  EXPECT_NE(StemsOf("Выборы").script, StemsOf("Elections").script);
}

TEST(OffTopic, CosineOfBags) {
  EXPECT_DOUBLE_EQ(Cosine(StemsOf("trams tracks"), StemsOf("trams tracks")), 1.0);
  EXPECT_DOUBLE_EQ(Cosine(StemsOf("trams tracks"), StemsOf("bread flour")), 0.0);
  EXPECT_DOUBLE_EQ(Cosine({}, StemsOf("bread")), 0.0);
}

TEST(OffTopic, AnUnrelatedCommentIsFlaggedWeaklyWithTheWholeTextAsSpan) {
  OffTopicDetector d;
  const std::string comment =
      "My cat refuses to eat dry food since we moved to the countryside, any advice from other pet owners?";
  auto out = Judge(d, comment);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "off_topic");
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.8);
  EXPECT_EQ(out[0].spans, (std::vector<std::pair<size_t, size_t>>{{0, comment.size()}}));
}

TEST(OffTopic, ACommentOnTheSubjectIsNot) {
  OffTopicDetector d;
  EXPECT_TRUE(Judge(d, "Electric buses would carry the same passengers for a fraction of the price, the council "
                     "wasted 240 million on tracks nobody asked for.")
                  .empty());
}

TEST(OffTopic, ShortCommentsAndUnknownArticlesAreNotJudged) {
  OffTopicDetector d;
  EXPECT_TRUE(Judge(d, "My cat is cute.").empty());
  EXPECT_TRUE(Judge(d, "My cat refuses to eat dry food since we moved to the countryside, any advice from other "
                     "pet owners?",
                  "")
                  .empty());
  EXPECT_TRUE(Judge(d, "My cat refuses to eat dry food since we moved to the countryside, any advice from other "
                     "pet owners?",
                  "Short article about trams.")
                  .empty());
}

TEST(OffTopic, HugeAndOddInputsAreBounded) {
  OffTopicDetector d;
  const std::string huge(1 << 20, 'a');
  EXPECT_TRUE(Judge(d, huge).empty());  // one "word": too few stems
  std::string invalid = "caf\xC3 \xFF\xFE tram line budget";
  EXPECT_NO_FATAL_FAILURE(Judge(d, "some comment text", invalid));
  // The article cache stays bounded and answers the same from many threads.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&d, t] {
      for (int i = 0; i < 700; ++i) {
        const std::string article = std::string(kArticle) + " edition " + std::to_string(t * 1000 + i);
        Judge(d, "My cat refuses to eat dry food since we moved to the countryside, any advice from pet owners?",
            article);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Judge(d, "My cat refuses to eat dry food since we moved to the countryside, any advice from pet owners?")
                .size(),
            1u);
}

}  // namespace
}  // namespace tribune::moderation
