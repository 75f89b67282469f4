#include "site/i18n.hpp"

#include <gtest/gtest.h>

namespace tribune::site {
namespace {

TEST(I18n, EveryStringExistsInAllThreeLanguages) {
  const auto& en = AllStrings(Lang::kEn);
  const auto& fr = AllStrings(Lang::kFr);
  const auto& ru = AllStrings(Lang::kRu);
  ASSERT_GT(en.size(), 20u);
  for (const auto& [key, text] : en) {
    EXPECT_TRUE(fr.contains(key)) << "no French for " << key;
    EXPECT_TRUE(ru.contains(key)) << "no Russian for " << key;
    EXPECT_FALSE(text.empty()) << key;
  }
  EXPECT_EQ(fr.size(), en.size());
  EXPECT_EQ(ru.size(), en.size());
}

TEST(I18n, PluralStringsHaveTheFormsTheirLanguageNeeds) {
  for (const auto& [key, text] : AllStrings(Lang::kRu)) {
    if (text.find('|') == std::string::npos) continue;
    EXPECT_EQ(std::count(text.begin(), text.end(), '|'), 2) << key << ": Russian needs one|few|many";
    EXPECT_EQ(std::count(AllStrings(Lang::kEn).at(key).begin(), AllStrings(Lang::kEn).at(key).end(), '|'), 1) << key;
  }
}

TEST(I18n, LanguagesParseFromCodesAndAcceptLanguage) {
  EXPECT_EQ(ParseLang("fr"), Lang::kFr);
  EXPECT_EQ(ParseLang("RU-ru"), Lang::kRu);
  EXPECT_EQ(ParseLang("de"), std::nullopt);
  EXPECT_EQ(ParseLang("english"), std::nullopt);
  EXPECT_EQ(FromAcceptLanguage("de-DE,de;q=0.9,fr;q=0.8,en;q=0.7"), Lang::kFr);
  EXPECT_EQ(FromAcceptLanguage("ru, en;q=0.5"), Lang::kRu);
  EXPECT_EQ(FromAcceptLanguage("de, it"), std::nullopt);
  EXPECT_EQ(FromAcceptLanguage(""), std::nullopt);
}

TEST(I18n, DatesAreWrittenInTheLanguagesOwnWords) {
  const int64_t t = 1796076900LL * 1000000;  // 2026-11-30 22:15 UTC
  EXPECT_EQ(FormatDate(Lang::kEn, t), "30 November 2026, 22:15");
  EXPECT_EQ(FormatDate(Lang::kFr, t), "30 novembre 2026, 22:15");
  EXPECT_EQ(FormatDate(Lang::kRu, t), "30 ноября 2026, 22:15");
  EXPECT_EQ(FormatDay(Lang::kEn, t), "30 Nov 2026");
}

TEST(I18n, FormatFillsPlaceholders) {
  EXPECT_EQ(Format(Lang::kEn, "hello", {{"name", "Ann"}}), "Hello, Ann!");
  EXPECT_EQ(Format(Lang::kRu, "hello", {{"name", "Анна"}}), "Здравствуйте, Анна!");
  EXPECT_EQ(T(Lang::kEn, "no.such.key"), "no.such.key");
}

}  // namespace
}  // namespace tribune::site
