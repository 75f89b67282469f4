// Tests of comment fingerprints: similarity estimates, normalisation, article quotes, serialisation.
#include "moderation/behaviour/fingerprint.hpp"

#include <gtest/gtest.h>

#include <string>

#include "moderation/behaviour/near_duplicates.hpp"

namespace tribune::moderation::behaviour {
namespace {

Fingerprint Fp(const std::string& text, const ArticleShingles* article = nullptr) {
  return MakeFingerprint(text::BuildViews(text, false), article);
}

const std::string kBase =
    "The mayor has done an excellent job with the new bike lanes downtown, everyone I know is happy about it "
    "and we should all vote for him again in November.";

TEST(Fingerprint, IdenticalTextsEstimateOne) {
  const Fingerprint a = Fp(kBase), b = Fp(kBase);
  EXPECT_TRUE(a.Comparable());
  EXPECT_EQ(a.exact, b.exact);
  EXPECT_DOUBLE_EQ(EstimateSimilarity(a, b), 1.0);
}

TEST(Fingerprint, CasePunctuationEmojiAndSpacingDoNotMatter) {
  const Fingerprint a = Fp(kBase);
  const Fingerprint b = Fp(
      "THE MAYOR has done an EXCELLENT job... with the new bike-lanes downtown!!! Everyone I know is happy "
      "about it 😀😀 and   we should all vote for him again in November 👍");
  EXPECT_EQ(a.exact, b.exact);
  EXPECT_DOUBLE_EQ(EstimateSimilarity(a, b), 1.0);
}

TEST(Fingerprint, UnrelatedTextsEstimateBelowPointTwo) {
  const char* texts[] = {
      "I think the article misses the point about interest rates; the central bank cannot keep them this low "
      "forever without consequences for savers.",
      "My grandmother grew tomatoes on that very street in the seventies and the neighbours still talk about "
      "her garden parties every summer.",
      "Does anyone know whether the stadium renovation is going to close the north parking lot during the "
      "football season or only in spring?",
      kBase.c_str(),
  };
  for (size_t i = 0; i < std::size(texts); ++i)
    for (size_t j = i + 1; j < std::size(texts); ++j)
      EXPECT_LT(EstimateSimilarity(Fp(texts[i]), Fp(texts[j])), 0.2) << i << " vs " << j;
}

TEST(Fingerprint, ParaphrasesReachTheIndexThreshold) {
  const double threshold = IndexOptions{}.min_similarity;
  const Fingerprint base = Fp(kBase);
  const char* paraphrases[] = {
      // a few words swapped
      "The mayor has done a great job with the new bike lanes downtown, everyone I know is happy about it "
      "and we should all vote for him again in November.",
      // words added, a greeting and emoji
      "Hi all! The mayor has done an excellent job with the new bike lanes downtown, honestly everyone I "
      "know "
      "is happy about it and we should all vote for him again in November 🚲🚲",
      // leet and a typo
      "The m4yor has d0ne an exc3llent job with the new bike lanes downtown, every0ne I know is hapy about "
      "it "
      "and we should all vote for him again in November.",
  };
  for (const char* p : paraphrases) EXPECT_GE(EstimateSimilarity(base, Fp(p)), threshold) << p;
}

TEST(Fingerprint, ShortStockPhrasesAreNotComparable) {
  for (const char* s :
       {"Thanks for the article", "Great read, thanks!", "First!", "", "😀😀😀", "So true. Well said."})
    EXPECT_FALSE(Fp(s).Comparable()) << s;
  EXPECT_TRUE(Fp(kBase).Comparable());
}

TEST(Fingerprint, EmptyTextsCompareByExactText) {
  EXPECT_EQ(Fp("").shingles, 0u);
  EXPECT_DOUBLE_EQ(EstimateSimilarity(Fp(""), Fp("!!!")), 1.0);
  EXPECT_DOUBLE_EQ(EstimateSimilarity(Fp(""), Fp(kBase)), 0.0);
}

TEST(Fingerprint, NonLatinScriptsAreShingledByCodePoint) {
  const Fingerprint a =
      Fp("Мэр отлично поработал над новыми велодорожками в центре, все мои знакомые довольны, "
         "и мы должны снова голосовать за него в ноябре.");
  const Fingerprint b =
      Fp("Мэр хорошо поработал над новыми велодорожками в центре, все мои знакомые довольны, "
         "и мы должны снова голосовать за него в ноябре!");
  EXPECT_TRUE(a.Comparable());
  EXPECT_GE(EstimateSimilarity(a, b), 0.5);
  EXPECT_LT(EstimateSimilarity(a, Fp(kBase)), 0.2);
}

TEST(Fingerprint, ArticleQuotesAreExcluded) {
  const std::string article =
      "City council approves budget. The council voted seven to two on Tuesday to approve a budget that "
      "raises "
      "property taxes by three percent while cutting funding for public libraries and extending the hours of "
      "the municipal swimming pools through the end of September.";
  const std::string quote =
      "\"raises property taxes by three percent while cutting funding for public libraries and extending the "
      "hours of the municipal swimming pools\" ";
  const std::string c1 =
      quote + "This is outrageous and nobody asked the residents of the east side about it.";
  const std::string c2 =
      quote + "Finally somebody in that building understands what a family actually needs.";
  const ArticleShingles as = ArticleShingles::Of(article);
  ASSERT_FALSE(as.empty());
  EXPECT_TRUE(ArticleShingles().empty());
  // Without the article the shared quote makes them look alike; with it only their own words count.
  EXPECT_GE(EstimateSimilarity(Fp(c1), Fp(c2)), 0.4);
  const Fingerprint f1 = Fp(c1, &as), f2 = Fp(c2, &as);
  EXPECT_LT(f1.shingles, Fp(c1).shingles / 2);
  EXPECT_LT(EstimateSimilarity(f1, f2), 0.2);
  // A comment that only quotes the article is not comparable at all.
  EXPECT_FALSE(Fp(quote, &as).Comparable());
  // The same comment still matches itself.
  EXPECT_DOUBLE_EQ(EstimateSimilarity(f1, Fp(c1, &as)), 1.0);
}

TEST(Fingerprint, SerializeParseRoundTrip) {
  for (const std::string& text : {kBase, std::string("short"), std::string()}) {
    const Fingerprint fp = Fp(text);
    const std::string bytes = fp.Serialize();
    EXPECT_EQ(bytes.size(), Fingerprint::kSerializedSize);
    const std::optional<Fingerprint> back = Fingerprint::Parse(bytes);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->mins, fp.mins);
    EXPECT_EQ(back->exact, fp.exact);
    EXPECT_EQ(back->shingles, fp.shingles);
  }
}

TEST(Fingerprint, ParseRejectsGarbage) {
  const std::string good = Fp(kBase).Serialize();
  EXPECT_FALSE(Fingerprint::Parse("").has_value());
  EXPECT_FALSE(Fingerprint::Parse(good.substr(1)).has_value());
  EXPECT_FALSE(Fingerprint::Parse(good + "x").has_value());
  std::string bad_version = good;
  bad_version[0] = 9;
  EXPECT_FALSE(Fingerprint::Parse(bad_version).has_value());
  std::string unset_min = good;  // shingles but a minimum never set
  for (int i = 0; i < 4; ++i) unset_min[13 + i] = static_cast<char>(0xff);
  EXPECT_FALSE(Fingerprint::Parse(unset_min).has_value());
  EXPECT_FALSE(Fingerprint::Parse(std::string(Fingerprint::kSerializedSize, 'A')).has_value());
}

TEST(Fingerprint, NormalisationCollapsesNonLetters) {
  EXPECT_EQ(detail::NormaliseForShingles("  hello,   world!! 42 again "), U"hello world again");
  EXPECT_EQ(detail::ShingleHashes(U"abcdefg", 5).size(), 3u);
  EXPECT_EQ(detail::ShingleHashes(U"abc", 5).size(), 1u);
  EXPECT_EQ(detail::ShingleHashes(U"abcabcabcabc", 5).size(), 3u);  // distinct only
}

}  // namespace
}  // namespace tribune::moderation::behaviour
