// InteropEngines: one engine per edition with that edition's policy overrides, the language rule judging
// against each request's language, a bounded number of editions, thread-safe lazy building.
#include "app/interop_engines.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>
#include <vector>

namespace tribune::app {
namespace {

constexpr std::string_view kRussian = "Привет, как дела у всех вас сегодня, друзья мои? Всё хорошо и отлично.";
constexpr std::string_view kProfane = "You are a fucking idiot and your article is shit.";

class InteropEnginesTest : public ::testing::Test {
 protected:
  // One data directory for the suite: the compiled lexicons (seconds to build cold) are cached across its tests.
  static void SetUpTestSuite() {
    suite_dir_ = (std::filesystem::temp_directory_path() /
                  ("tribune-test-interop-engines-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(suite_dir_);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(suite_dir_); }

  InteropEnginesTest() {
    data_dir_ = suite_dir_;
    policy_ = data_dir_ + "/policy.toml";
    std::ofstream(policy_) << "[editions.fr.actions]\nhold = 100.0\nreject = 200.0\n";
    EXPECT_TRUE(config_.Set("moderation.policy_file", policy_).ok());
  }
  ~InteropEnginesTest() override { std::filesystem::remove(policy_); }

  static moderation::Decision Check(const moderation::Engine& engine, std::string_view text, std::string_view language) {
    return engine.Check(moderation::CheckInput{.text = text, .language = language});
  }
  static bool Has(const moderation::Decision& d, std::string_view rule) {
    for (const auto& f : d.findings) {
      if (f.rule == rule) return true;
    }
    return false;
  }

  static inline std::string suite_dir_;
  Config config_ = Config::Defaults();
  std::string data_dir_, policy_;
};

TEST_F(InteropEnginesTest, EditionsMustBeShortLowercaseWords) {
  InteropEngines engines(config_, data_dir_, nullptr);
  const std::vector<std::string_view> bad_editions = {"", "e", "EN", "en-GB", "abcdefghi", "e1", "../x",
                                                     std::string_view("e\0n", 3)};
  for (std::string_view bad : bad_editions) {
    auto r = engines.For(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  }
}

TEST_F(InteropEnginesTest, OneEnginePerEditionWithItsPolicyOverrides) {
  InteropEngines engines(config_, data_dir_, nullptr);
  auto en = engines.For("en");
  auto fr = engines.For("fr");
  ASSERT_TRUE(en.ok()) << en.error().message;
  ASSERT_TRUE(fr.ok()) << fr.error().message;
  EXPECT_NE(*en, *fr);
  EXPECT_EQ(*engines.For("en"), *en);  // built once
  // en: the shipped policy rejects; fr: its override lifts the thresholds out of reach.
  const auto en_decision = Check(**en, kProfane, "en");
  EXPECT_EQ(en_decision.action, moderation::Action::kReject);
  EXPECT_TRUE(Has(en_decision, "profanity"));
  const auto fr_decision = Check(**fr, kProfane, "en");
  EXPECT_EQ(fr_decision.action, moderation::Action::kPublish);
  EXPECT_TRUE(Has(fr_decision, "profanity"));  // still found, only not acted on
  // Reasons in the edition's language.
  ASSERT_FALSE(fr_decision.findings.empty());
  bool french = false;
  for (const auto& f : fr_decision.findings) french = french || f.reason.find("Merci") != std::string::npos;
  EXPECT_TRUE(french);
}

TEST_F(InteropEnginesTest, LanguageRuleJudgesAgainstTheRequestsLanguage) {
  // The site expects English only; the interop engine follows each request.
  ASSERT_TRUE(config_.Set("site.languages", std::vector<std::string>{"en"}).ok());
  InteropEngines engines(config_, data_dir_, nullptr);
  auto en = engines.For("en");
  ASSERT_TRUE(en.ok()) << en.error().message;
  EXPECT_FALSE(Has(Check(**en, kRussian, "ru"), "language"));
  const auto as_english = Check(**en, kRussian, "en");
  EXPECT_TRUE(Has(as_english, "language"));
  EXPECT_EQ(as_english.action, moderation::Action::kHold);
  EXPECT_FALSE(Has(Check(**en, kRussian, "ru-RU"), "language"));
  // No language given (the endpoint could not tell): the rule abstains rather than guess against the site's.
  EXPECT_FALSE(Has(Check(**en, kRussian, ""), "language"));
}

TEST_F(InteropEnginesTest, LongTextsUpToThePerspectiveLimitAreJudgedNotRefusedAsTooLong) {
  InteropEngines engines(config_, data_dir_, nullptr);
  auto en = engines.For("en");
  ASSERT_TRUE(en.ok());
  std::string text;
  while (text.size() < 19000) text += "The council met again on Tuesday to discuss the budget. ";
  EXPECT_EQ(Check(**en, text, "en").action, moderation::Action::kPublish);
  EXPECT_GT(text.size(), static_cast<size_t>(config_.GetInt("comments.max_length")));
}

TEST_F(InteropEnginesTest, AtMostMaxEditionsAreBuilt) {
  InteropEngines engines(config_, data_dir_, nullptr, 2);
  ASSERT_TRUE(engines.For("en").ok());
  ASSERT_TRUE(engines.For("fr").ok());
  auto third = engines.For("de");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(engines.For("en").ok());
  EXPECT_TRUE(engines.For("fr").ok());
}

TEST_F(InteropEnginesTest, ConcurrentFirstCallsBuildOneEngine) {
  InteropEngines engines(config_, data_dir_, nullptr);
  std::vector<const moderation::Engine*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = engines.For(i % 2 ? "de" : "ru");
      if (r.ok()) seen[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_NE(seen[i], nullptr) << i;
    EXPECT_EQ(seen[i], seen[i % 2]) << i;
  }
  EXPECT_NE(seen[0], seen[1]);
}

TEST_F(InteropEnginesTest, AFailedBuildFailsAgainAtOnce) {
  ASSERT_TRUE(config_.Set("moderation.lexicon_dir", data_dir_ + "/no-such-lexicons").ok());
  InteropEngines engines(config_, data_dir_, nullptr);
  auto first = engines.For("en");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(first.error().message.find("edition en"), std::string::npos);
  auto again = engines.For("en");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, first.error().message);
}

TEST_F(InteropEnginesTest, LanguageDetectorGuessesOrIsOff) {
  InteropEngines engines(config_, data_dir_, nullptr);
  const moderation::LanguageDetector* detector = engines.language_detector();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector, engines.language_detector());
  EXPECT_EQ(detector->FastTextGuess(kRussian).language, "ru");
  EXPECT_EQ(detector->FastTextGuess("Merci beaucoup pour cet article, il est très intéressant.").language, "fr");

  ASSERT_TRUE(config_.Set("moderation.language_model", std::string("none")).ok());
  InteropEngines off(config_, data_dir_, nullptr);
  EXPECT_EQ(off.language_detector(), nullptr);
  EXPECT_TRUE(off.For("en").ok());  // the engines simply have no language rule
}

}  // namespace
}  // namespace tribune::app
