#include "moderation/policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace tribune {
extern const char kPolicyToml[];
}

namespace tribune::moderation {
namespace {

Signal S(std::string rule, double confidence, size_t b = 0, size_t e = 1) {
  return Signal{std::move(rule), confidence, "detail", {{b, e}}};
}

Policy Shipped(std::string_view local = {}, const std::string& edition = "en") {
  auto p = Policy::FromToml(kPolicyToml, local, edition);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return std::move(p).value();
}

TEST(Policy, ShippedPolicyCoversEveryRuleWithReasonsInThreeLanguages) {
  Policy p = Shipped();
  for (const auto& rule : KnownRules()) {
    const RulePolicy* rp = p.Rule(rule);
    ASSERT_NE(rp, nullptr) << rule;
    EXPECT_GT(rp->weight, 0) << rule;
    for (const char* lang : {"en", "fr", "ru"}) EXPECT_TRUE(rp->reasons.count(lang)) << rule << " " << lang;
  }
}

TEST(Policy, NoSignalsPublish) { EXPECT_EQ(Shipped().Decide({}, "en").action, Action::kPublish); }

TEST(Policy, ThresholdsMapTheSumToActions) {
  Policy p = Shipped();
  EXPECT_EQ(p.Decide({S("profanity", 0.3)}, "en").action, Action::kPublish);  // 3 < hold 4
  EXPECT_EQ(p.Decide({S("profanity", 0.5)}, "en").action, Action::kHold);     // 5
  EXPECT_EQ(p.Decide({S("profanity", 0.9)}, "en").action, Action::kReject);   // 9
}

TEST(Policy, WeakSignalsOfDifferentRulesAddUp) {
  Policy p = Shipped();
  EXPECT_EQ(p.Decide({S("profanity", 0.3), S("insult_threat", 0.3)}, "en").action, Action::kHold);
}

TEST(Policy, SignalsWithoutLocalEvidenceHoldButNeverMakeARejection) {
  Policy p = Shipped();
  Signal learned = S("hate", 0.5);
  learned.may_reject = false;
  Signal caps = S("form", 1.0);
  EXPECT_EQ(p.Decide({learned, caps}, "en").action, Action::kHold);  // 6 + 6 = 12, but no rejectable evidence
  EXPECT_EQ(p.Decide({learned, caps, S("profanity", 0.3)}, "en").action, Action::kReject);
}

TEST(Policy, LearnedSignalsUseTheLearnedWeight) {
  Policy p = Shipped();
  EXPECT_EQ(p.Rule("spam_scheme")->learned_weight, 4.5);  // the default when the TOML has no learned_weight
  Signal model = S("spam_scheme", 0.96);
  model.may_reject = false;
  model.learned = true;
  // 4.5 × 0.96 = 4.32: held for a moderator, where the rule's weight would have given a rejection score.
  Decision d = p.Decide({model}, "en");
  EXPECT_EQ(d.action, Action::kHold);
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_NEAR(d.findings[0].score, 4.32, 1e-9);
  Signal weak = model;
  weak.confidence = 0.8;  // 3.6 < hold 4
  EXPECT_EQ(p.Decide({weak}, "en").action, Action::kPublish);
  // With a local detector's signal for the same rule: strongest + 0.25 × the other, each with its own weight.
  const double w = p.Rule("spam_scheme")->weight;
  Decision both = p.Decide({S("spam_scheme", 0.5), model}, "en");
  ASSERT_EQ(both.findings.size(), 1u);
  const double a = w * 0.5, b = 4.5 * 0.96;
  EXPECT_NEAR(both.findings[0].score, std::min(p.Rule("spam_scheme")->cap, std::max(a, b) + 0.25 * std::min(a, b)), 0.01);
  // Configurable per rule and per edition.
  Policy tuned = Shipped("[editions.en.rules.spam_scheme]\nlearned_weight = 9.0\n", "en");
  EXPECT_EQ(tuned.Rule("spam_scheme")->learned_weight, 9.0);
  EXPECT_EQ(tuned.Decide({model}, "en").action, Action::kHold);  // 8.64, but no local evidence: never a rejection
  EXPECT_FALSE(Policy::FromToml(kPolicyToml, "[rules.spam_scheme]\nlearned_weight = -1\n", "en").ok());
}

TEST(Policy, HoldOnlyRulesNeverRejectAlone) {
  Policy p = Shipped();
  EXPECT_EQ(p.Decide({S("form", 1.0), S("language", 1.0), S("off_topic", 1.0)}, "en").action, Action::kHold);
}

TEST(Policy, HoldOnlyRulesNeverTipAHoldIntoARejection) {
  Policy p = Shipped();
  // drugs 0.5 × 10 = 5 holds; the language rule's 4 takes the total to 9, but only rules that may reject
  // count toward reject: a foreign-language comment with weak evidence is held, not refused.
  EXPECT_EQ(p.Decide({S("drugs", 0.5), S("language", 1.0)}, "en").action, Action::kHold);
  EXPECT_EQ(p.Decide({S("drugs", 0.5), S("form", 1.0), S("off_topic", 1.0)}, "en").action, Action::kHold);
  EXPECT_EQ(p.Decide({S("drugs", 0.5), S("insult_threat", 0.3)}, "en").action, Action::kReject);  // 5 + 3
}

TEST(Policy, FindingsCarryTheReasonInTheUiLanguageAndMergedSpans) {
  Decision d = Shipped().Decide({S("profanity", 0.9, 4, 8), S("profanity", 0.5, 0, 3), S("profanity", 0.5, 4, 8)}, "fr");
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(d.findings[0].rule, "profanity");
  EXPECT_EQ(d.findings[0].reason.rfind("Merci", 0), 0u);
  EXPECT_EQ(d.findings[0].spans, (std::vector<std::pair<size_t, size_t>>{{0, 3}, {4, 8}}));
  EXPECT_LE(d.findings[0].score, 12.0);  // cap
}

TEST(Policy, ReasonFallsBackToEnglish) {
  Decision d = Shipped().Decide({S("profanity", 0.9)}, "xx");
  EXPECT_EQ(d.findings[0].reason.rfind("Please", 0), 0u);
}

TEST(Policy, LocalFileAndEditionOverridesApply) {
  Policy p = Shipped("[actions]\nhold = 2.0\n[editions.de.rules.profanity]\nweight = 1.0\n", "de");
  EXPECT_EQ(p.hold_threshold(), 2.0);
  EXPECT_EQ(p.Rule("profanity")->weight, 1.0);
  EXPECT_EQ(p.Decide({S("profanity", 0.9)}, "en").action, Action::kPublish);  // 0.9 < 2
  Policy en = Shipped("[editions.de.rules.profanity]\nweight = 1.0\n", "en");
  EXPECT_EQ(en.Rule("profanity")->weight, 10.0);
}

TEST(Policy, TyposAreErrorsNotSilence) {
  EXPECT_FALSE(Policy::FromToml(kPolicyToml, "[rules.profanty]\nweight = 1\n", "en").ok());
  EXPECT_FALSE(Policy::FromToml(kPolicyToml, "[rules.profanity]\nwieght = 1\n", "en").ok());
  EXPECT_FALSE(Policy::FromToml(kPolicyToml, "[rules.profanity]\nmax_action = \"ban\"\n", "en").ok());
  EXPECT_FALSE(Policy::FromToml(kPolicyToml, "[actions]\nhold = 9\nreject = 3\n", "en").ok());
  EXPECT_FALSE(Policy::FromToml(kPolicyToml, "not toml [", "en").ok());
}

}  // namespace
}  // namespace tribune::moderation
