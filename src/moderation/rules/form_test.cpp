#include "moderation/rules/form.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace tribune::moderation {
namespace {

std::vector<Signal> Detect(std::string_view text) {
  text::TextViews views;
  views.original = text;
  std::vector<Signal> out;
  FormDetector().Detect(DetectorInput{views, "en", "", nullptr}, out);
  return out;
}

const Signal* Find(const std::vector<Signal>& signals, std::string_view detail_prefix) {
  for (const Signal& s : signals) {
    if (s.detail.starts_with(detail_prefix)) return &s;
  }
  return nullptr;
}

std::string SpanText(std::string_view text, std::pair<size_t, size_t> span) {
  return std::string(text.substr(span.first, span.second - span.first));
}

// --- shouting

TEST(FormShouting, FiresOnATextInCapitalsWithTheShoutingWordsAsSpans) {
  std::string_view text = "THIS IS OUTRAGEOUS, EVERYONE READ THIS";
  auto signals = Detect(text);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].rule, "form");
  EXPECT_DOUBLE_EQ(signals[0].confidence, 1.0);
  EXPECT_EQ(signals[0].detail, "mostly capitals (100% of letters)");
  ASSERT_EQ(signals[0].spans.size(), 1u);
  EXPECT_EQ(SpanText(text, signals[0].spans[0]), text);
}

TEST(FormShouting, LeavesAcronymsInOrdinaryTextAlone) {
  EXPECT_TRUE(Detect("NASA and the FBI said").empty());
  EXPECT_TRUE(Detect("NASA and the FBI said the ISS would be fine").empty());
  EXPECT_TRUE(Detect("The EU, the UN, NATO, the WHO and the IMF met in the USA with OECD leaders today.").empty());
  EXPECT_TRUE(Detect("МВД и ФСБ сообщили, что ситуация под контролем.").empty());
}

TEST(FormShouting, NeedsTwentyLetters) {
  EXPECT_TRUE(Detect("STOP THE WAR NOW OK").empty());  // 15 letters
  EXPECT_FALSE(Detect("STOP THE WAR NOW OK EVERYONE").empty());
}

TEST(FormShouting, WorksForCyrillicGreekLatinExtendedAndFullWidth) {
  for (std::string_view text : {"ЭТО ПРОСТО ВОЗМУТИТЕЛЬНО, ЧИТАЙТЕ ВСЕ", "ΑΥΤΟ ΕΙΝΑΙ ΑΠΑΡΑΔΕΚΤΟ ΠΡΑΓΜΑ ΦΙΛΕ",
                                "DAS IST EIN SKANDAL, ÜBERALL NUR LÜGEN", "ŁŻĄ ŚWIĘCI ŻÓŁTO GĘŚLĄ JAŹŃ ŹLE",
                                "ＴＨＩＳ ＩＳ ＦＵＬＬ ＷＩＤＴＨ ＳＨＯＵＴＩＮＧ"}) {
    auto signals = Detect(text);
    ASSERT_EQ(signals.size(), 1u) << text;
    EXPECT_GE(signals[0].confidence, 0.9) << text;
    ASSERT_EQ(signals[0].spans.size(), 1u);
    EXPECT_EQ(SpanText(text, signals[0].spans[0]), text);  // short words join the run of capitals
  }
  EXPECT_TRUE(Detect("это просто возмутительно, читайте все").empty());
  EXPECT_TRUE(Detect("Ceci Est Un Titre En Majuscules Partout").empty());
}

TEST(FormShouting, ManyShortCapitalWordsAreShoutingNotAcronyms) {
  auto signals = Detect("I AM SO MAD AT YOU ALL TODAY");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_DOUBLE_EQ(signals[0].confidence, 1.0);
}

TEST(FormShouting, ConfidenceRisesWithTheShareOfCapitals) {
  // 34 of 40 letters in capitals (85 %), short capital words over a third: none set aside.
  auto mostly = Detect("THIS IS A DISGRACE AND EVERYBODY KNOWS IT, thanks");
  ASSERT_EQ(mostly.size(), 1u);
  EXPECT_GT(mostly[0].confidence, 0.5);
  EXPECT_LT(mostly[0].confidence, 1.0);
  auto all = Detect("THIS IS A DISGRACE AND EVERYBODY KNOWS IT, THANKS");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_GT(all[0].confidence, mostly[0].confidence);
  EXPECT_TRUE(Detect("WHY DOES NOBODY CARE ABOUT THIS, the government is lying to us and everyone knows it").empty());
}

TEST(FormShouting, SpansSkipLowerCaseWords) {
  std::string_view text = "THIS IS A DISGRACE AND EVERYBODY KNOWS IT, thanks";
  auto signals = Detect(text);
  ASSERT_EQ(signals.size(), 1u);
  ASSERT_EQ(signals[0].spans.size(), 1u);
  EXPECT_EQ(SpanText(text, signals[0].spans[0]), "THIS IS A DISGRACE AND EVERYBODY KNOWS IT");
}

// --- walls of text

std::string Wall(size_t words) {
  std::string s;
  for (size_t i = 0; i < words; ++i) s += i % 2 ? "and then " : "we talked ";
  return s;
}

TEST(FormUnbroken, FiresOnALongTextWithNoSentencePunctuation) {
  std::string text = Wall(50);  // ~470 characters
  auto signals = Detect(text);
  const Signal* s = Find(signals, "long text");
  ASSERT_NE(s, nullptr);
  EXPECT_DOUBLE_EQ(s->confidence, 0.5);
  ASSERT_EQ(s->spans.size(), 1u);
  EXPECT_EQ(s->spans[0], (std::pair<size_t, size_t>{0, text.size()}));
}

TEST(FormUnbroken, CountsCodePointsNotBytes) {
  std::string text;
  while (text.size() < 500) text += "мы говорили ";  // 500+ bytes, ~250 characters
  EXPECT_EQ(Find(Detect(text), "long text"), nullptr);
}

TEST(FormUnbroken, AnySentenceMarkBreaksTheText) {
  for (std::string_view mark : {".", "!", "?", "\xE2\x80\xA6", "\xE3\x80\x82"}) {
    std::string text = Wall(25) + std::string(mark) + " " + Wall(25);
    EXPECT_EQ(Find(Detect(text), "long text"), nullptr) << mark;
  }
}

TEST(FormUnbroken, DotsInsideDomainsAndNumbersDoNotCount) {
  std::string text = Wall(25) + " example.com and 3.5 " + Wall(25);
  EXPECT_NE(Find(Detect(text), "long text"), nullptr);
}

TEST(FormUnbroken, AListBrokenIntoShortLinesIsNotAWall) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += "bread and butter for all\n";
  EXPECT_EQ(Find(Detect(text), "long text"), nullptr);
}

// --- punctuation runs

TEST(FormPunctuation, FiresOncePerTextWithEveryRunAsASpan) {
  std::string_view text = "What!!!! Are you serious????";
  auto signals = Detect(text);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_DOUBLE_EQ(signals[0].confidence, 0.3);
  ASSERT_EQ(signals[0].spans.size(), 2u);
  EXPECT_EQ(SpanText(text, signals[0].spans[0]), "!!!!");
  EXPECT_EQ(SpanText(text, signals[0].spans[1]), "????");
}

TEST(FormPunctuation, MixedAndNonAsciiMarksCount) {
  for (std::string_view text : {"Really?!?! No", "¡¡¡¡Increíble", "Quoi ?!?!", "team\xE2\x80\xBC\xE2\x80\xBC",
                                "what\xEF\xBC\x81\xEF\xBC\x81\xEF\xBC\x81\xEF\xBC\x81"}) {
    auto signals = Detect(text);
    ASSERT_EQ(signals.size(), 1u) << text;
    EXPECT_EQ(signals[0].spans.size(), 1u) << text;
  }
}

TEST(FormPunctuation, ShortRunsSpacesAndEmojisDoNotCount) {
  EXPECT_TRUE(Detect("Wow!!! ok").empty());
  EXPECT_TRUE(Detect("!!! !!!").empty());
  EXPECT_TRUE(Detect("Great \xF0\x9F\x98\xA1\xF0\x9F\x98\xA1\xF0\x9F\x98\xA1\xF0\x9F\x98\xA1 article").empty());
  EXPECT_TRUE(Detect("!!\xF0\x9F\x98\xA1!!").empty());
  EXPECT_TRUE(Detect("Is this real?! I doubt it.").empty());
}

TEST(FormDetector, ReportsEachProblemOfOneTextAsItsOwnSignal) {
  std::string wall;
  for (int i = 0; i < 45; ++i) wall += "WE ARE ANGRY ";
  auto signals = Detect(wall);
  ASSERT_EQ(signals.size(), 2u);  // shouting + no sentence punctuation ("!" would be punctuation)
  EXPECT_NE(Find(signals, "mostly capitals"), nullptr);
  EXPECT_NE(Find(signals, "long text"), nullptr);
  auto loud = Detect("WHY IS NOBODY TALKING ABOUT THIS!!!!");
  ASSERT_EQ(loud.size(), 2u);
  EXPECT_NE(Find(loud, "run of"), nullptr);
  EXPECT_EQ(FormDetector().Name(), "form");
}

TEST(FormDetector, SurvivesMalformedAndLargeInput) {
  EXPECT_TRUE(Detect("").empty());
  Detect("\xFF\xC3\xE2\x80");
  std::string big(200000, 'A');
  auto start = std::chrono::steady_clock::now();
  auto signals = Detect(big);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(signals.empty());
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 5000);
}

// --- casing helpers

TEST(Casing, ClassifiesCaseAcrossScripts) {
  using casing::Classify;
  using casing::Kind;
  EXPECT_EQ(Classify(U'A'), Kind::kUpper);
  EXPECT_EQ(Classify(U'z'), Kind::kLower);
  EXPECT_EQ(Classify(U'5'), Kind::kDigit);
  EXPECT_EQ(Classify(U'!'), Kind::kOther);
  EXPECT_EQ(Classify(U'Ü'), Kind::kUpper);
  EXPECT_EQ(Classify(U'ß'), Kind::kLower);
  EXPECT_EQ(Classify(U'×'), Kind::kOther);
  EXPECT_EQ(Classify(U'Ł'), Kind::kUpper);
  EXPECT_EQ(Classify(U'ł'), Kind::kLower);
  EXPECT_EQ(Classify(U'Ж'), Kind::kUpper);
  EXPECT_EQ(Classify(U'ё'), Kind::kLower);
  EXPECT_EQ(Classify(U'Ω'), Kind::kUpper);
  EXPECT_EQ(Classify(U'ς'), Kind::kLower);
  EXPECT_EQ(Classify(U'Ạ'), Kind::kUpper);
  EXPECT_EQ(Classify(U'中'), Kind::kCaseless);
  EXPECT_EQ(Classify(U'\U0001F621'), Kind::kOther);
}

TEST(Casing, FoldLowerKeepsByteOffsets) {
  std::string_view text = "ЁЛКА Straße ÉTÉ ΣΟΦΙΑ Łódź ẞ ＡＢ";
  std::string lower = casing::FoldLower(text);
  EXPECT_EQ(lower.size(), text.size());
  EXPECT_EQ(lower, "елка straße été σοφια łódź ẞ ａｂ");
  EXPECT_EQ(casing::ToLower(U'Ÿ'), U'ÿ');
}

TEST(Casing, DecodesWithoutReadingPastTheEnd) {
  std::string_view truncated = "a\xD0";
  EXPECT_EQ(casing::Decode(truncated, 1).cp, 0xFFFDu);
  EXPECT_EQ(casing::Decode(truncated, 1).length, 1u);
  std::string_view two = "aЖ";
  size_t start = 0;
  EXPECT_EQ(casing::DecodeBefore(two, two.size(), &start).cp, U'Ж');
  EXPECT_EQ(start, 1u);
  EXPECT_EQ(casing::DecodeBefore(two, 0).cp, 0u);
}

}  // namespace
}  // namespace tribune::moderation
