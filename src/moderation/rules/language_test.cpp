#include "moderation/rules/language.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <unistd.h>

namespace tribune::moderation {
namespace {

using language::PrepareText;

const LanguageDetector& Detector(const std::vector<std::string>& editions) {
  // One model load per edition set for the whole suite (about 30 ms each).
  static std::map<std::vector<std::string>, std::unique_ptr<LanguageDetector>> cache;
  auto& slot = cache[editions];
  if (!slot) {
    auto loaded = LanguageDetector::Load(DefaultLanguageModelPath(), editions);
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.error().message;
      std::abort();
    }
    slot = std::move(loaded).value();
  }
  return *slot;
}

std::vector<Signal> Detect(std::string_view text, const std::vector<std::string>& editions = {"en"},
                           std::string_view input_language = "en") {
  text::TextViews views;
  views.original = text;  // the detector reads only the original
  std::vector<Signal> out;
  Detector(editions).Detect(DetectorInput{views, input_language, "", nullptr}, out);
  return out;
}

constexpr std::string_view kRussian =
    "Опять повысили тарифы на коммуналку, а зарплаты стоят на месте уже третий год. Кто за это ответит?";
constexpr std::string_view kEnglish =
    "Fares went up again this year while wages have not moved for three years. Who is going to answer for that?";
constexpr std::string_view kFrench =
    "Encore une réforme décidée sans consulter les enseignants, on se demande vraiment à quoi servent les syndicats.";
constexpr std::string_view kGerman =
    "Die Bahn ist schon wieder zu spät, und trotzdem steigen die Ticketpreise jedes Jahr. Das ist einfach lächerlich.";

// --- what is flagged

TEST(LanguageDetect, FlagsRussianOnAnEnglishEditionWithFullAgreement) {
  auto signals = Detect(kRussian);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].rule, "language");
  EXPECT_DOUBLE_EQ(signals[0].confidence, 1.0);
  EXPECT_TRUE(signals[0].detail.starts_with("language: ru (fastText 0.")) << signals[0].detail;
  EXPECT_NE(signals[0].detail.find("CLD2 ru "), std::string::npos) << signals[0].detail;
  EXPECT_NE(signals[0].detail.find("Cyrillic letters"), std::string::npos) << signals[0].detail;
  ASSERT_EQ(signals[0].spans.size(), 1u);
  EXPECT_EQ(signals[0].spans[0], std::make_pair(size_t{0}, kRussian.size()));
}

TEST(LanguageDetect, FlagsLatinScriptLanguagesWithStopWordEvidence) {
  for (std::string_view text : {kFrench, kGerman}) {
    auto signals = Detect(text);
    ASSERT_EQ(signals.size(), 1u) << text;
    EXPECT_DOUBLE_EQ(signals[0].confidence, 1.0) << signals[0].detail;
    EXPECT_NE(signals[0].detail.find("stop words"), std::string::npos) << signals[0].detail;
  }
}

TEST(LanguageDetect, LeavesEnglishAlone) {
  EXPECT_TRUE(Detect(kEnglish).empty());
  EXPECT_TRUE(Detect("We spent a week in Seville and everyone kept saying no pasa nada, which is honestly the attitude "
                     "this government needs right now.")
                  .empty());
  EXPECT_TRUE(Detect("I visited Kraków, Wrocław and Gdańsk last summer with Małgorzata and Wojciech, and the trams "
                     "there put ours to shame.")
                  .empty());
  // A Russian sentence inside an English comment; a list of Polish names in an English sentence.
  EXPECT_TRUE(Detect("Great reporting. Спасибо вам большое за эту статью! My whole family read it and we talked about "
                     "it over dinner for an hour.")
                  .empty());
  EXPECT_TRUE(Detect("Agnieszka Wójcik-Przybyszewska, Grzegorz Brzęczyszczykiewicz and Krzysztof Szczepańczyk signed "
                     "the petition too.")
                  .empty());
}

TEST(LanguageDetect, SpanCoversOnlyTheJudgedText) {
  const std::string text = "  \n" + std::string(kRussian) + "\n  ";
  auto signals = Detect(text);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].spans[0], std::make_pair(size_t{3}, 3 + kRussian.size()));
}

// --- editions

TEST(LanguageEditions, OnARussianEditionEnglishIsForeignAndRussianIsNot) {
  auto english = Detect(kEnglish, {"ru"}, "ru");
  ASSERT_EQ(english.size(), 1u);
  EXPECT_TRUE(english[0].detail.starts_with("language: en ")) << english[0].detail;
  EXPECT_NE(english[0].detail.find("Latin letters"), std::string::npos) << english[0].detail;
  EXPECT_TRUE(Detect(kRussian, {"ru"}, "ru").empty());
}

TEST(LanguageEditions, ATwoLanguageEditionAcceptsBoth) {
  EXPECT_TRUE(Detect(kEnglish, {"en", "fr"}).empty());
  EXPECT_TRUE(Detect(kFrench, {"en", "fr"}).empty());
  EXPECT_EQ(Detect(kGerman, {"en", "fr"}).size(), 1u);
  EXPECT_EQ(Detect(kRussian, {"en", "fr"}).size(), 1u);
}

TEST(LanguageEditions, RegionsAndOldCodesAreNormalised) {
  EXPECT_TRUE(Detect(kEnglish, {"en-GB"}).empty());
  EXPECT_EQ(language::NormalizeLanguage("zh-Hant"), "zh");
  EXPECT_EQ(language::NormalizeLanguage("iw"), "he");
  EXPECT_EQ(language::NormalizeLanguage("un"), "");
  EXPECT_TRUE(language::SameLanguage("hr", "sr"));
  EXPECT_FALSE(language::SameLanguage("uk", "ru"));
}

TEST(LanguageEditions, NoConfiguredLanguagesMeansTheInputsEdition) {
  auto loaded = LanguageDetector::Load(DefaultLanguageModelPath(), {});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  text::TextViews views;
  views.original = kRussian;
  std::vector<Signal> out;
  (*loaded)->Detect(DetectorInput{views, "ru", "", nullptr}, out);
  EXPECT_TRUE(out.empty());
  (*loaded)->Detect(DetectorInput{views, "en", "", nullptr}, out);
  EXPECT_EQ(out.size(), 1u);
}

// --- what is judged

TEST(LanguageJudged, TooShortTextIsNotJudged) {
  EXPECT_TRUE(Detect("Полностью согласен, так и есть!").empty());
  EXPECT_LT(PrepareText("Полностью согласен, так и есть!").letters, language::kMinLetters);
  EXPECT_TRUE(Detect("Merci beaucoup pour cet article !").empty());
  EXPECT_TRUE(Detect("谢谢分享，写得很好").empty());
}

TEST(LanguageJudged, QuotesLinksAddressesMentionsAndHashtagsAreRemoved) {
  auto jt = PrepareText(
      "> quoted line\nHe said \"bonjour tout le monde\" (see https://x.com/a?b=1) and www.bbc.co.uk, mail a.b@c.org "
      "@anna #tag «цитата» „Zitat“ ok");
  // "(see" is a word with a bracket, not part of the link after it.
  EXPECT_EQ(jt.text, "He said (see and mail ok");
  EXPECT_EQ(jt.letters, 18u);
  // An opening mark with no closer is kept, and so is the text after it.
  EXPECT_EQ(PrepareText("a \"b c").text, "a \"b c");
}

TEST(LanguageJudged, ForeignTextInsideQuotesOrLinksDoesNotCount) {
  // A Russian quotation answered in English: nothing left to judge but the short English remark.
  EXPECT_TRUE(Detect("> Опять повысили тарифы на коммуналку, а зарплаты стоят на месте уже третий год\nSo true.").empty());
  EXPECT_TRUE(Detect("«Опять повысили тарифы на коммуналку, а зарплаты стоят на месте уже третий год» — so true.").empty());
  EXPECT_TRUE(Detect("Смотри https://example.ru/novosti/opyat-povysili-tarify-na-kommunalku-a-zarplaty-stoyat").empty());
}

TEST(LanguageJudged, HugeAndEmptyInputsAreBoundedAndSilent) {
  EXPECT_TRUE(Detect("").empty());
  const std::string huge(1 << 20, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(Detect(huge).empty());
  std::string cyrillic;
  for (int i = 0; i < (1 << 19); ++i) cyrillic += "ж";
  EXPECT_TRUE(Detect(cyrillic).empty());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(ms, 2000) << "work per comment must be capped";
  EXPECT_LE(PrepareText(huge).text.size(), language::kMaxJudgedBytes);
}

TEST(LanguageJudged, MalformedUtf8DoesNotCrash) {
  std::string bad = std::string(kRussian) + "\xff\xfe\xc0\x80\xed\xa0\x80";
  bad.insert(10, "\x80\x80\x80");  // inside a Cyrillic letter
  auto jt = PrepareText(bad);
  EXPECT_GE(jt.letters, language::kMinLetters);
  auto signals = Detect(bad);
  EXPECT_LE(signals.size(), 1u);
  EXPECT_TRUE(Detect(std::string(5000, '\xff')).empty());
  // A cut inside a multi-byte character at the scan limit.
  std::string cut(language::kMaxScanBytes - 1, ' ');
  cut += "ж";
  EXPECT_TRUE(Detect(cut).empty());
}

TEST(LanguageJudged, ScriptsAreCounted) {
  auto jt = PrepareText("Abc Жзи 中文 かな 한국 αβ");
  using language::Script;
  EXPECT_EQ(jt.script_letters[static_cast<size_t>(Script::kLatin)], 3u);
  EXPECT_EQ(jt.script_letters[static_cast<size_t>(Script::kCyrillic)], 3u);
  EXPECT_EQ(jt.script_letters[static_cast<size_t>(Script::kHan)], 2u);
  EXPECT_EQ(jt.script_letters[static_cast<size_t>(Script::kKana)], 2u);
  EXPECT_EQ(jt.script_letters[static_cast<size_t>(Script::kHangul)], 2u);
  EXPECT_EQ(jt.script_letters[static_cast<size_t>(Script::kGreek)], 2u);
  EXPECT_EQ(jt.letters, 14u);
}

TEST(LanguageJudged, StopWordShares) {
  auto en = language::CountStopWords(kEnglish);
  EXPECT_GT(en.Share("en"), 0.2);
  EXPECT_LT(en.Share("fr"), 0.05);
  auto fr = language::CountStopWords(kFrench);
  EXPECT_GT(fr.Share("fr"), 0.2);
  EXPECT_FALSE(fr.HasList("zh"));
}

// --- the detectors and the model

TEST(LanguageModel, Cld2UsesTheFullTables) {
  // The small tables built into libcld2.so have no Latin and call this English; libcld2_full's know it.
  auto g = LanguageDetector::Cld2Guess("Gallia est omnis divisa in partes tres, quarum unam incolunt Belgae, aliam Aquitani");
  EXPECT_EQ(g.language, "la") << LanguageDetector::Cld2Version();
}

TEST(LanguageModel, FastTextReadsTheModel) {
  auto g = Detector({"en"}).FastTextGuess(kGerman);
  EXPECT_EQ(g.language, "de");
  EXPECT_GT(g.probability, 0.9);
}

TEST(LanguageModel, MissingOrDamagedModelIsAnError) {
  auto missing = LanguageDetector::Load("/nonexistent/lid.176.ftz", {"en"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(missing.error().message.find("/nonexistent/lid.176.ftz"), std::string::npos);

  const auto dir = std::filesystem::temp_directory_path() / ("tribune-language-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ifstream in(DefaultLanguageModelPath(), std::ios::binary);
  const std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(model.size(), 100000u);
  // Not a model; cut inside the dictionary (fastText's loader would loop); cut inside the matrices.
  for (size_t cut : {size_t{0}, size_t{4000}, model.size() / 2}) {
    const auto path = dir / ("cut-" + std::to_string(cut) + ".ftz");
    std::ofstream(path, std::ios::binary) << (cut == 0 ? std::string("hello, not a model") : model.substr(0, cut));
    auto loaded = LanguageDetector::Load(path.string(), {"en"});
    ASSERT_FALSE(loaded.ok()) << cut;
    EXPECT_EQ(loaded.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(loaded.error().message.find(path.string()), std::string::npos) << loaded.error().message;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tribune::moderation
