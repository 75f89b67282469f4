// The whole engine on hostile inputs: each gets a decision (no crash, no hang), and spans stay inside
// the text. Time is not asserted; the fuzz target and the benchmark cover speed.
#include "moderation/rule_engine.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "moderation/factory.hpp"

namespace tribune::moderation {
namespace {

const RuleEngine& Engine() {
  static std::unique_ptr<RuleEngine> engine = [] {
    EngineConfig config;
    config.max_length = 2'000'000;  // let every detector see the long inputs
    config.cache_dir = (std::filesystem::temp_directory_path() / "tribune-test-lexicon-cache").string();
    auto built = BuildRuleEngine(config);
    if (!built.ok()) throw std::runtime_error(built.error().message);
    return std::move(built).value();
  }();
  return *engine;
}

Decision Check(const std::string& text) {
  Decision d = Engine().Check(CheckInput{.text = text, .language = "en"});
  for (const auto& f : d.findings) {
    for (auto [s, e] : f.spans) {
      EXPECT_LT(s, e) << f.rule;
      EXPECT_LE(e, text.size()) << f.rule;
    }
  }
  return d;
}

bool HasRule(const Decision& d, std::string_view rule) {
  for (const auto& f : d.findings)
    if (f.rule == rule) return true;
  return false;
}

TEST(RuleEngine, EmptyAndInvalidTextAreRejectedUnderForm) {
  EXPECT_EQ(Check("").action, Action::kReject);
  Decision bad = Check("ok \xC3\x28 not utf-8");
  EXPECT_EQ(bad.action, Action::kReject);
  EXPECT_TRUE(HasRule(bad, "form"));
}

TEST(RuleEngine, AMegabyteOfOneCharacterGetsADecision) {
  Decision d = Check(std::string(1 << 20, 'a'));
  EXPECT_NE(d.action, Action::kReject);  // nothing offensive, only a wall of text
}

TEST(RuleEngine, TenThousandUrlsGetADecision) {
  std::string text;
  for (int i = 0; i < 10'000; ++i) text += "https://example" + std::to_string(i) + ".com/page?x=" + std::to_string(i) + " ";
  (void)Check(text);
}

TEST(RuleEngine, StacksOfCombiningMarksAndBidiOverridesGetADecision) {
  std::string zalgo = "hello";
  for (int i = 0; i < 20'000; ++i) zalgo += "\xCC\x81";  // U+0301 combining acute
  (void)Check(zalgo);
  // Bidi overrides hiding a word: "f\u202Eck\u202Cu" must not crash; the override is stripped in the views.
  (void)Check("f\xE2\x80\xAE" "kcu\xE2\x80\xAC done");
}

TEST(RuleEngine, ObfuscatedProfanityIsFoundThroughTheViews) {
  for (const char* text : {"what the f.u.c.k is this", "this is sh1t", "fuuuuuck that", "\xEF\xBD\x86\xEF\xBD\x95\xEF\xBD\x83\xEF\xBD\x8B this"}) {
    Decision d = Check(text);
    EXPECT_TRUE(HasRule(d, "profanity")) << text;
    EXPECT_NE(d.action, Action::kPublish) << text;
  }
}

TEST(RuleEngine, OrdinaryNewsCommentsPublishWithoutFindings) {
  for (const char* text :
       {"The council voted 7-2 on 30.11.2026 to fund the bridge; the budget was $1,299,000.",
        "I lived in Scunthorpe for years and the cocktail bar near the station is still the best.",
        "Great reporting. Could you follow up on the night trains in March?"}) {
    Decision d = Check(text);
    EXPECT_EQ(d.action, Action::kPublish) << text;
    EXPECT_TRUE(d.findings.empty()) << text << " → " << FindingsToJson(d.findings);
  }
}

}  // namespace
}  // namespace tribune::moderation

namespace tribune::moderation {
namespace {

// A detector that signals `rule` when the text contains `trigger`, and counts its calls.
class CountingDetector final : public Detector {
 public:
  CountingDetector(std::string rule, std::string trigger, bool supporting, int& calls)
      : rule_(std::move(rule)), trigger_(std::move(trigger)), supporting_(supporting), calls_(calls) {}
  std::string_view Name() const override { return "counting"; }
  bool Supporting() const override { return supporting_; }
  void Detect(const DetectorInput& in, std::vector<Signal>& out) const override {
    ++calls_;
    if (in.views.original.find(trigger_) != std::string_view::npos) out.push_back({rule_, 0.9, "", {{0, 1}}});
  }

 private:
  std::string rule_, trigger_;
  bool supporting_;
  int& calls_;
};

TEST(RuleEngine, SupportingDetectorsRunOnlyWhenAnotherDetectorSignalled) {
  int primary_calls = 0, supporting_calls = 0;
  std::vector<std::unique_ptr<Detector>> detectors;
  detectors.push_back(std::make_unique<CountingDetector>("profanity", "bad", true, supporting_calls));
  detectors.push_back(std::make_unique<CountingDetector>("privacy_personal_data", "mail", false, primary_calls));
  auto policy = Policy::Load("", "en");
  ASSERT_TRUE(policy.ok());
  RuleEngine engine(std::move(policy).value(), std::move(detectors), {});

  // Nothing from the primary detector: the supporting one is not run, even on a text it would flag.
  Decision clean = engine.Check({.text = "bad weather today", .language = "en"});
  EXPECT_EQ(primary_calls, 1);
  EXPECT_EQ(supporting_calls, 0);
  EXPECT_TRUE(clean.findings.empty());

  // Once the primary detector signals, the supporting one runs and its evidence counts.
  Decision both = engine.Check({.text = "bad: mail me", .language = "en"});
  EXPECT_EQ(supporting_calls, 1);
  EXPECT_EQ(both.findings.size(), 2u);
}

}  // namespace
}  // namespace tribune::moderation
