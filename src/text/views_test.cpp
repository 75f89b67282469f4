#include "text/views.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tribune::text {
namespace {

using namespace std::string_literals;

// The original text behind the first occurrence of `needle` in `view`.
std::string OriginalOf(const TextViews& tv, const View& view, std::string_view needle) {
  size_t at = view.text.find(needle);
  if (at == std::string::npos || needle.empty()) return "<not found>";
  auto [s, e] = view.ToOriginal(at, at + needle.size());
  return std::string(tv.original.substr(s, e - s));
}

void ExpectWellFormed(const TextViews& tv, const View& v, const char* name) {
  SCOPED_TRACE(name);
  ASSERT_EQ(v.start.size(), v.text.size());
  ASSERT_EQ(v.end.size(), v.text.size());
  for (size_t i = 0; i < v.text.size(); ++i) {
    ASSERT_LT(v.start[i], v.end[i]) << "byte " << i;
    ASSERT_LE(v.end[i], tv.original.size()) << "byte " << i;
    if (i > 0) {
      ASSERT_LE(v.start[i - 1], v.start[i]) << "byte " << i;
    }
  }
}

void ExpectAllWellFormed(const TextViews& tv) {
  ExpectWellFormed(tv, tv.folded, "folded");
  ExpectWellFormed(tv, tv.skeleton, "skeleton");
  ExpectWellFormed(tv, tv.deleet, "deleet");
  ExpectWellFormed(tv, tv.squeezed, "squeezed");
  View s1 = Squeeze1(tv.squeezed);
  ExpectWellFormed(tv, s1, "squeeze1");
  for (const Word& w : tv.words) {
    ASSERT_LT(w.begin, w.end);
    ASSERT_LE(w.end, tv.folded.text.size());
  }
}

std::vector<std::string> WordTexts(const TextViews& tv) {
  std::vector<std::string> out;
  for (const Word& w : tv.words) out.push_back(tv.folded.text.substr(w.begin, w.end - w.begin));
  return out;
}

// --- folded ---------------------------------------------------------------------------------------

TEST(TextViews, EmptyInputGivesEmptyViews) {
  TextViews tv = BuildViews("");
  EXPECT_TRUE(tv.folded.text.empty());
  EXPECT_TRUE(tv.squeezed.text.empty());
  EXPECT_TRUE(tv.words.empty());
  EXPECT_FALSE(tv.mixed_script_word);
}

TEST(TextViews, AccentedLetterFoldsToBaseAndItsSpanCoversBothBytes) {
  std::string in = "Caf\xC3\xA9";  // Café, é precomposed (2 bytes).
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, "cafe");
  EXPECT_EQ(tv.folded.ToOriginal(3, 4), std::make_pair(size_t{3}, size_t{5}));
  EXPECT_EQ(OriginalOf(tv, tv.folded, "cafe"), in);
  ExpectAllWellFormed(tv);
}

TEST(TextViews, DecomposedAccentIsDroppedAndCoveredByItsBase) {
  std::string in = "Cafe\xCC\x81!";  // e + U+0301 COMBINING ACUTE.
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, "cafe!");
  EXPECT_EQ(tv.folded.ToOriginal(3, 4), std::make_pair(size_t{3}, size_t{6}));
  ExpectAllWellFormed(tv);
}

TEST(TextViews, FullWidthLettersFoldToAsciiWithThreeByteSpans) {
  std::string in = "\xEF\xBC\xA6\xEF\xBC\xB5\xEF\xBC\xA3\xEF\xBC\xAB";  // ＦＵＣＫ
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, "fuck");
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(tv.folded.ToOriginal(i, i + 1), std::make_pair(3 * i, 3 * i + 3));
  }
  EXPECT_EQ(OriginalOf(tv, tv.squeezed, "fuck"), in);
  ExpectAllWellFormed(tv);
}

TEST(TextViews, ZeroWidthSpaceInsideAWordIsRemovedAndTheSpanCoversIt) {
  std::string in = "fu\xE2\x80\x8B" "ck";  // fu U+200B ck
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, "fuck");
  EXPECT_EQ(tv.folded.ToOriginal(0, 4), std::make_pair(size_t{0}, in.size()));
  EXPECT_EQ(OriginalOf(tv, tv.squeezed, "fuck"), in);
  ExpectAllWellFormed(tv);
}

TEST(TextViews, BidiControlsSoftHyphenAndBomAreRemoved) {
  std::string in = "\xE2\x80\xAE" "f\xC2\xAD" "u\xEF\xBB\xBF" "c\xE2\x81\xA6k\xE2\x80\xAC";
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, "fuck");
  ExpectAllWellFormed(tv);
}

TEST(TextViews, GermanSharpSFoldsToDoubleS) {
  std::string in = "Die Stra\xC3\x9F" "e ist GRO\xE1\xBA\x9E";  // Straße ... GROẞ
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, "die strasse ist gross");
  EXPECT_EQ(OriginalOf(tv, tv.folded, "strasse"), "Stra\xC3\x9F" "e");
  // Both "s" of one ß map to the whole ß.
  size_t at = tv.folded.text.find("ss");
  EXPECT_EQ(tv.folded.ToOriginal(at, at + 1), tv.folded.ToOriginal(at + 1, at + 2));
  ExpectAllWellFormed(tv);
}

TEST(TextViews, TurkishDottedAndDotlessIAreHandled) {
  std::string in = "\xC4\xB0STANBUL \xC4\xB1stanbul";  // İSTANBUL ıstanbul
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text.substr(0, 9), "istanbul ");
  EXPECT_EQ(tv.folded.ToOriginal(0, 1), std::make_pair(size_t{0}, size_t{2}));
  EXPECT_EQ(tv.skeleton.text, "istanbul istanbul");  // dotless ı looks like i
  ExpectAllWellFormed(tv);
}

TEST(TextViews, GreekAndCyrillicAreCaseFolded) {
  TextViews tv = BuildViews("\xCE\x91\xCE\x92\xCE\x93 \xD0\x96");  // ΑΒΓ Ж
  EXPECT_EQ(tv.folded.text, "\xCE\xB1\xCE\xB2\xCE\xB3 \xD0\xB6");
  ExpectAllWellFormed(tv);
}

TEST(TextViews, HangulSurvivesDiacriticFolding) {
  std::string in = "\xED\x95\x9C\xEA\xB8\x80";  // 한글
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, in);
  ExpectAllWellFormed(tv);
}

// --- skeleton ------------------------------------------------------------------------------------

TEST(TextViews, CyrillicLookAlikesHaveALatinSkeleton) {
  std::string in = "\xD1\x80\xD0\xB0\xD1\x83\xD1\x80\xD0\xB0l";  // раураl, all Cyrillic but the l
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, in);
  EXPECT_EQ(tv.skeleton.text, "paypal");
  EXPECT_EQ(tv.skeleton.ToOriginal(0, 6), std::make_pair(size_t{0}, in.size()));
  EXPECT_EQ(tv.skeleton.ToOriginal(1, 2), std::make_pair(size_t{2}, size_t{4}));
  ExpectAllWellFormed(tv);
}

TEST(TextViews, UppercaseCyrillicLookAlikesAlsoReachLowercaseLatin) {
  TextViews tv = BuildViews("\xD0\xA0\xD0\x90\xD0\xA3\xD0\xA0\xD0\x90L");  // РАУРАL
  EXPECT_EQ(tv.skeleton.text, "paypal");
}

TEST(TextViews, AsciiIsLeftAloneInTheSkeleton) {
  // ICU's own skeleton turns m into "rn", 0 into "O" and 1 into "l"; ASCII keeps its letters here.
  TextViews tv = BuildViews("scam 0 1 sh1t");
  EXPECT_EQ(tv.skeleton.text, "scam 0 1 sh1t");
}

TEST(TextViews, GreekLookAlikesAndStrokedLettersMapToAscii) {
  TextViews tv = BuildViews("\xCE\xBF\xCE\xBD \xC3\xB8\xC5\x82");  // ον øł
  EXPECT_EQ(tv.skeleton.text, "ov ol");
}

TEST(TextViews, OneCyrillicLetterInALatinWordIsAMixedScriptWord) {
  EXPECT_TRUE(BuildViews("pay here: p\xD0\xB0ypal.com").mixed_script_word);  // pаypal, Cyrillic а
  EXPECT_TRUE(BuildViews("\xCE\xBF" "k").mixed_script_word);                  // Greek ο + k
  EXPECT_FALSE(BuildViews("paypal.com is fine").mixed_script_word);
  EXPECT_FALSE(BuildViews("\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 world").mixed_script_word);
}

// --- deleet --------------------------------------------------------------------------------------

TEST(TextViews, LeetDigitsInsideWordsBecomeLetters) {
  TextViews tv = BuildViews("sh1t h3ll0 $h!t 4ss l33t");
  EXPECT_EQ(tv.deleet.text, "shit hello shit ass leet");
  EXPECT_EQ(OriginalOf(tv, tv.deleet, "shit"), "sh1t");
  ExpectAllWellFormed(tv);
}

TEST(TextViews, NumbersStayNumbers) {
  TextViews tv = BuildViews("In 2024 I paid 4 times $100, 3.5%");
  EXPECT_EQ(tv.deleet.text, "in 2024 i paid 4 times $100, 3.5%");
}

TEST(TextViews, TrailingExclamationMarksAreNotLetters) {
  TextViews tv = BuildViews("wow!! great!");
  EXPECT_EQ(tv.deleet.text, "wow!! great!");
}

// --- squeezed ------------------------------------------------------------------------------------

TEST(TextViews, SeparatedSingleLettersAreJoined) {
  for (std::string in : {"f.u.c.k", "f u c k", "f-u-c-k", "f_u_c_k", "f*u*c*k", "f~u~c~k", "f'u'c'k"}) {
    SCOPED_TRACE(in);
    const std::string text = "you " + in + " off";  // `original` is a view: keep the text alive
    TextViews tv = BuildViews(text);
    EXPECT_NE(tv.squeezed.text.find("fuck"), std::string::npos) << tv.squeezed.text;
    EXPECT_EQ(OriginalOf(tv, tv.squeezed, "fuck"), in);
    ExpectAllWellFormed(tv);
  }
}

TEST(TextViews, TwoSpelledLettersOrMixedSeparatorsAreNotJoined) {
  EXPECT_EQ(BuildViews("a b").squeezed.text, "a b");
  EXPECT_EQ(BuildViews("a.b c").squeezed.text, "a.b c");
  EXPECT_EQ(BuildViews("I am ok").squeezed.text, "i am ok");
}

TEST(TextViews, LongLetterRunsAreCutToTwoAndSqueeze1CutsToOne) {
  std::string in = "fuuuuuck";
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.squeezed.text, "fuuck");
  EXPECT_EQ(tv.squeezed.ToOriginal(0, 5), std::make_pair(size_t{0}, in.size()));
  EXPECT_EQ(tv.squeezed.ToOriginal(1, 3), std::make_pair(size_t{1}, size_t{6}));  // "uu" covers the run
  View one = Squeeze1(tv.squeezed);
  EXPECT_EQ(one.text, "fuck");
  EXPECT_EQ(one.ToOriginal(0, 4), std::make_pair(size_t{0}, in.size()));
  EXPECT_EQ(one.ToOriginal(1, 2), std::make_pair(size_t{1}, size_t{6}));
  ExpectAllWellFormed(tv);
}

TEST(TextViews, DigitRunsAreNotSqueezed) {
  EXPECT_EQ(BuildViews("1000000").squeezed.text, "1000000");
}

TEST(TextViews, SqueezeWorksOnMultiByteLetters) {
  std::string in = "\xD0\xB6\xD0\xB6\xD0\xB6\xD0\xB6";  // жжжж
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.squeezed.text, "\xD0\xB6\xD0\xB6");
  EXPECT_EQ(tv.squeezed.ToOriginal(0, 4), std::make_pair(size_t{0}, in.size()));
  View one = Squeeze1(tv.squeezed);
  EXPECT_EQ(one.text, "\xD0\xB6");
  EXPECT_EQ(one.ToOriginal(0, 2), std::make_pair(size_t{0}, in.size()));
}

TEST(TextViews, SpelledOutStretchedLettersAreJoinedThenSqueezed) {
  TextViews tv = BuildViews("f.u.u.u.c.k");
  EXPECT_EQ(tv.squeezed.text, "fuuck");
}

// --- words ---------------------------------------------------------------------------------------

TEST(TextViews, WordsSkipPunctuationAndSpaces) {
  TextViews tv = BuildViews("Hello, world!");
  EXPECT_EQ(WordTexts(tv), (std::vector<std::string>{"hello", "world"}));
}

TEST(TextViews, WordsIncludeNumbersAndNonLatinScripts) {
  TextViews tv = BuildViews("In 2024 \xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 :)");
  EXPECT_EQ(WordTexts(tv), (std::vector<std::string>{"in", "2024", "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"}));
}

// --- AtWordBoundaries ----------------------------------------------------------------------------

TEST(AtWordBoundaries, WordInsideALongerWordIsNotAtBoundaries) {
  EXPECT_FALSE(AtWordBoundaries("classic", 0, 5));
  EXPECT_FALSE(AtWordBoundaries("subclass", 3, 8));
}

TEST(AtWordBoundaries, StandaloneWordIsAtBoundaries) {
  EXPECT_TRUE(AtWordBoundaries("class", 0, 5));
  EXPECT_TRUE(AtWordBoundaries("a class.", 2, 7));
  EXPECT_TRUE(AtWordBoundaries("(class)", 1, 6));
  EXPECT_TRUE(AtWordBoundaries("class\xE2\x80\x94next", 0, 5));  // em dash is not a letter
}

TEST(AtWordBoundaries, NonAsciiLettersAndDigitsCountAsWordCharacters) {
  EXPECT_FALSE(AtWordBoundaries("\xC3\xA9" "class", 2, 7));      // éclass
  EXPECT_FALSE(AtWordBoundaries("class\xD0\xB6", 0, 5));          // classж
  EXPECT_FALSE(AtWordBoundaries("class\xE4\xB8\xAD", 0, 5));      // class中
  EXPECT_FALSE(AtWordBoundaries("class7", 0, 5));
  EXPECT_FALSE(AtWordBoundaries("class\xCC\x81", 0, 5));          // a combining mark continues the word
}

TEST(AtWordBoundaries, RangeSplittingACharacterOrOutOfBoundsIsRejected) {
  EXPECT_FALSE(AtWordBoundaries("\xC3\xA9", 0, 1));
  EXPECT_FALSE(AtWordBoundaries("abc", 2, 4));
  EXPECT_FALSE(AtWordBoundaries("abc", 2, 1));
  EXPECT_TRUE(AtWordBoundaries("", 0, 0));
}

// --- robustness ----------------------------------------------------------------------------------

TEST(TextViews, OneMegabyteOfOneCharacterIsLinear) {
  std::string ascii(1 << 20, 'a');
  TextViews tv = BuildViews(ascii);
  EXPECT_EQ(tv.folded.text.size(), ascii.size());
  EXPECT_EQ(tv.squeezed.text, "aa");
  EXPECT_EQ(tv.squeezed.ToOriginal(0, 2), std::make_pair(size_t{0}, ascii.size()));
  EXPECT_EQ(tv.words.size(), 1u);

  std::string cyr;
  for (int i = 0; i < (1 << 19); ++i) cyr += "\xD0\xB0";  // а × 512Ki
  TextViews tv2 = BuildViews(cyr);
  EXPECT_EQ(tv2.skeleton.text.size(), cyr.size() / 2);
  EXPECT_EQ(tv2.squeezed.text, "aa");

  std::string full;
  for (int i = 0; i < 300000; ++i) full += "\xEF\xBC\xA1";  // Ａ × 300k
  EXPECT_EQ(BuildViews(full).squeezed.text, "aa");
}

TEST(TextViews, TenThousandCombiningMarksDoNotCrash) {
  std::string in = "a";
  for (int i = 0; i < 10000; ++i) in += "\xCC\x81";  // U+0301
  in += " b";
  TextViews tv = BuildViews(in);
  EXPECT_EQ(tv.folded.text, "a b");
  EXPECT_EQ(tv.folded.ToOriginal(0, 1), std::make_pair(size_t{0}, in.size() - 2));
  ExpectAllWellFormed(tv);

  std::string marks_only;
  for (int i = 0; i < 10000; ++i) marks_only += "\xCD\x9B\xD2\x88";  // U+035B, U+0488 (enclosing)
  TextViews tv2 = BuildViews(marks_only);
  EXPECT_TRUE(tv2.folded.text.empty());
  ExpectAllWellFormed(tv2);
}

TEST(TextViews, EveryViewHasOneOffsetPairPerByteAndMonotoneStarts) {
  const std::vector<std::string> inputs = {
      "Hello, world!",
      "Caf\xC3\xA9 \xEF\xBC\xA6\xEF\xBC\xB5\xEF\xBC\xA3\xEF\xBC\xAB fu\xE2\x80\x8B" "ck",
      "\xEF\xB7\xBA",                          // U+FDFA, the longest NFKC expansion
      "\xE3\x8C\x80 \xE2\x84\xA2 \xEF\xAC\x81",  // ㌀ ™ ﬁ
      "\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD x",  // emoji with a skin-tone modifier
      "\xD7\xA9\xD6\xB8\xD7\x9C\xD7\x95\xD6\xB9\xD7\x9D \xD8\xA7\xD9\x84\xD8\xB3\xD9\x91\xD9\x84\xD8\xA7\xD9\x85",
      "\xE0\xA4\xB9\xE0\xA4\xBF\xE0\xA4\x82\xE0\xA4\xA6\xE0\xA5\x80 \xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\xAA",
      "a\0b\x7F"s,
      "f.u.c.k sh1t fuuuuuck p\xD0\xB0ypal 2024",
  };
  for (const std::string& in : inputs) {
    SCOPED_TRACE(in);
    ExpectAllWellFormed(BuildViews(in));
  }
}

TEST(TextViews, BuildViewsIsSafeFromSeveralThreads) {
  const std::string in = "P\xD0\xB0ypal f.u.c.k sh1t Stra\xC3\x9F" "e \xEF\xBC\xA6\xEF\xBC\xB5 \xCE\xBF\xCE\xBD fuuuuck";
  const TextViews expected = BuildViews(in);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        TextViews tv = BuildViews(in);
        if (tv.squeezed.text != expected.squeezed.text || tv.skeleton.text != expected.skeleton.text ||
            tv.words.size() != expected.words.size() || tv.mixed_script_word != expected.mixed_script_word) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace tribune::text
