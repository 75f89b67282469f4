#include "interop/rule_map.hpp"

#include <gtest/gtest.h>

#include "moderation/policy.hpp"

namespace tribune::interop {
namespace {

using moderation::Action;
using moderation::Finding;

Finding F(std::string rule, double confidence, Action max_action = Action::kReject, double score = 5) {
  Finding f;
  f.rule = std::move(rule);
  f.confidence = confidence;
  f.max_action = max_action;
  f.score = score;
  return f;
}

TEST(RuleMap, EveryRuleOfThePolicyHasOneMapping) {
  ASSERT_EQ(RuleMappings().size(), moderation::KnownRules().size());
  for (size_t i = 0; i < RuleMappings().size(); ++i) {
    EXPECT_EQ(RuleMappings()[i].rule, moderation::KnownRules()[i]);
    EXPECT_TRUE(RuleMappings()[i].coral_flag == kFlagToxic || RuleMappings()[i].coral_flag == kFlagSpam);
    // OTHER needs a customReason, ILLEGAL_CONTENT has legal grounds.
    EXPECT_EQ(RuleMappings()[i].rejection_code == "OTHER", !RuleMappings()[i].custom_reason.empty());
    EXPECT_EQ(RuleMappings()[i].rejection_code == "ILLEGAL_CONTENT", RuleMappings()[i].legal_grounds);
  }
  EXPECT_EQ(MappingFor("nope"), nullptr);
  EXPECT_EQ(MappingFor("unauthorised_promotion")->rejection_code, "AD");
}

TEST(RuleMap, CanonicalNamesFoldAliasesAndRefuseUnknownOnes) {
  EXPECT_EQ(CanonicalAttribute("TOXICITY"), "TOXICITY");
  EXPECT_EQ(CanonicalAttribute("TOXICITY_FAST"), "TOXICITY");
  EXPECT_EQ(CanonicalAttribute("SEVERE_TOXICITY_EXPERIMENTAL"), "SEVERE_TOXICITY");
  EXPECT_EQ(CanonicalAttribute("LIKELY_TO_REJECT"), "LIKELY_TO_REJECT");
  EXPECT_EQ(CanonicalAttribute("RULE_PRIVACY_PERSONAL_DATA"), "RULE_PRIVACY_PERSONAL_DATA");
  EXPECT_EQ(CanonicalAttribute("ATTACK_ON_PUBLISHER"), "ATTACK_ON_PUBLISHER");
  EXPECT_EQ(CanonicalAttribute("FLIRTATION"), std::nullopt);
  EXPECT_EQ(CanonicalAttribute("SPAM_EXPERIMENTAL"), std::nullopt);
  EXPECT_EQ(CanonicalAttribute("RULE_NOPE"), std::nullopt);
  EXPECT_EQ(CanonicalAttribute("toxicity"), std::nullopt);
  EXPECT_EQ(CanonicalAttribute(""), std::nullopt);
  const auto all = KnownAttributes();
  EXPECT_EQ(all.front(), "LIKELY_TO_REJECT");
  for (const auto& a : all) EXPECT_EQ(CanonicalAttribute(a), a) << a;
}

TEST(RuleMap, ThreatAttributesTakeInsultsOnlyWithThreatEvidence) {
  Finding insult = F("insult_threat", 0.8);
  insult.details = {"lexicon en/insult_threat: idiot"};
  EXPECT_TRUE(Feeds("TOXICITY", insult));
  EXPECT_TRUE(Feeds("INSULT", insult));
  EXPECT_FALSE(Feeds("THREAT", insult));
  EXPECT_FALSE(Feeds("SPAM", insult));
  EXPECT_TRUE(Feeds("RULE_INSULT_THREAT", insult));
  EXPECT_FALSE(Feeds("RULE_INSULT_PUBLISHER", insult));
  Finding threat = F("insult_threat", 0.9);
  threat.details = {"lexicon en/insult_threat: watch your back [threat]"};
  EXPECT_TRUE(Feeds("THREAT", threat));
  EXPECT_TRUE(Feeds("SEVERE_TOXICITY", threat));
  EXPECT_TRUE(Feeds("LIKELY_TO_REJECT", F("language", 1, Action::kHold)));
}

TEST(RuleMap, BandsFollowTheEnginesAction) {
  EXPECT_DOUBLE_EQ(BandScore(Action::kPublish, 0), 0);
  EXPECT_DOUBLE_EQ(BandScore(Action::kPublish, 1), 0.49);
  EXPECT_DOUBLE_EQ(BandScore(Action::kHold, 0.5), 0.85);
  EXPECT_DOUBLE_EQ(BandScore(Action::kReject, 1), 1.0);
  EXPECT_DOUBLE_EQ(BandScore(Action::kReject, 0.123456789), 0.921111);
  EXPECT_DOUBLE_EQ(BandScore(Action::kHold, 7), 0.89);  // clamped

  moderation::Decision held;
  held.action = Action::kHold;
  held.findings = {F("insult_threat", 0.5), F("language", 1.0, Action::kHold)};
  EXPECT_DOUBLE_EQ(AttributeScore("TOXICITY", held), 0.85);
  EXPECT_DOUBLE_EQ(AttributeScore("LIKELY_TO_REJECT", held), 0.89);
  EXPECT_DOUBLE_EQ(AttributeScore("SPAM", held), 0);

  // A hold-only rule did not contribute to a rejection: its attribute scores as published.
  moderation::Decision rejected;
  rejected.action = Action::kReject;
  rejected.findings = {F("profanity", 0.9), F("form", 0.5, Action::kHold)};
  EXPECT_DOUBLE_EQ(AttributeScore("PROFANITY", rejected), 0.991);
  EXPECT_DOUBLE_EQ(AttributeScore("INCOHERENT", rejected), 0.245);
  EXPECT_DOUBLE_EQ(AttributeScore("RULE_FORM", rejected), 0.245);
}

}  // namespace
}  // namespace tribune::interop
