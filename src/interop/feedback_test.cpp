// FeedbackStore on a real database, and LabelFor (§1.6 values → labels).
#include "interop/feedback.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/temp_database.hpp"

namespace tribune::interop {
namespace {

using moderation::Action;
using moderation::Decision;
using moderation::Finding;

TEST(FeedbackStore, RecordsAndCallsTheLearnerAfterwards) {
  ::tribune::testing::TempDatabase tmp;
  FakeClock clock(1'800'000'000'000'000);
  FeedbackStore store(tmp.db(), clock);
  auto first = store.Record("en", "suggestscore", "ok", "a fine comment", "comment:1");  // no learner yet
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::vector<std::tuple<int64_t, std::string, std::string, int64_t>> heard;
  store.SetLearner([&](int64_t id, const std::string& text, const std::string& label) {
    // Called after the commit: the row is there.
    heard.emplace_back(id, text, label, tmp.Count("SELECT count(*) FROM interop_feedback WHERE id = " +
                                                   std::to_string(id)));
  });
  clock.Advance(std::chrono::seconds(1));
  auto second = store.Record("fr", "coral", "spam_scheme", "gagnez de l'argent", "");
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(std::get<0>(heard[0]), *second);
  EXPECT_EQ(std::get<1>(heard[0]), "gagnez de l'argent");
  EXPECT_EQ(std::get<2>(heard[0]), "spam_scheme");
  EXPECT_EQ(std::get<3>(heard[0]), 1);
  auto rows = tmp.db().Read("SELECT edition, source, label, text, reference, created_at FROM interop_feedback ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].Text(0), "en");
  EXPECT_EQ((*rows)[0].Text(1), "suggestscore");
  EXPECT_EQ((*rows)[0].Text(2), "ok");
  EXPECT_EQ((*rows)[0].Text(3), "a fine comment");
  EXPECT_EQ((*rows)[0].Text(4), "comment:1");
  EXPECT_EQ((*rows)[0].Int(5), 1'800'000'000'000'000);
  EXPECT_EQ((*rows)[1].Int(5), 1'800'000'001'000'000);
}

TEST(FeedbackStore, RefusesBadExamplesAndStoresNothing) {
  ::tribune::testing::TempDatabase tmp;
  FakeClock clock;
  FeedbackStore store(tmp.db(), clock);
  int calls = 0;
  store.SetLearner([&](int64_t, const std::string&, const std::string&) { ++calls; });
  const auto bad = [&](std::string_view edition, std::string_view source, std::string_view label,
                       std::string_view text, std::string_view reference) {
    auto r = store.Record(edition, source, label, text, reference);
    return !r.ok() && r.error().code == ErrorCode::kBadRequest;
  };
  EXPECT_TRUE(bad("en", "coral", "not_a_rule", "text", ""));
  EXPECT_TRUE(bad("en", "coral", "", "text", ""));
  EXPECT_TRUE(bad("", "coral", "ok", "text", ""));
  EXPECT_TRUE(bad("en", "", "ok", "text", ""));
  EXPECT_TRUE(bad("en", "coral", "ok", "", ""));
  EXPECT_TRUE(bad("en", "coral", "ok", std::string(kMaxFeedbackText + 1, 'a'), ""));
  EXPECT_TRUE(bad("en", "coral", "ok", "bad \xFF utf-8", ""));
  EXPECT_TRUE(bad("en", "coral", "ok", std::string("nul \0 inside", 12), ""));
  EXPECT_TRUE(bad("en", "coral", "ok", "text", std::string(kMaxFeedbackReference + 1, 'r')));
  EXPECT_EQ(tmp.Count("SELECT count(*) FROM interop_feedback"), 0);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(store.Record("en", "coral", "ok", std::string(kMaxFeedbackText, 'a'), "").ok());
  EXPECT_EQ(calls, 1);
}

Finding F(std::string rule, double score, std::vector<std::string> details = {}) {
  Finding f;
  f.rule = std::move(rule);
  f.score = score;
  f.details = std::move(details);
  f.confidence = 0.5;
  return f;
}

TEST(LabelFor, ValuesAndAttributes) {
  Decision d;
  d.action = Action::kHold;
  d.findings = {F("profanity", 3), F("insult_threat", 5), F("spam_scheme", 9), F("flood", 20)};
  EXPECT_EQ(LabelFor("TOXICITY", 0.0, d), "ok");
  EXPECT_EQ(LabelFor("TOXICITY", 0.49, d), "ok");
  EXPECT_EQ(LabelFor("RULE_HATE", 0.2, d), "ok");
  // RULE_<ID>: that rule, whatever the decision found.
  EXPECT_EQ(LabelFor("RULE_PRIVACY_PERSONAL_DATA", 1.0, d), "privacy_personal_data");
  EXPECT_EQ(LabelFor("RULE_HATE", 0.5, Decision{}), "hate");
  EXPECT_EQ(LabelFor("RULE_FLOOD", 1.0, d), std::nullopt);  // behaviour: not in the text
  // Other attributes: the highest-scoring finding that feeds it.
  EXPECT_EQ(LabelFor("TOXICITY", 1.0, d), "insult_threat");
  EXPECT_EQ(LabelFor("PROFANITY", 1.0, d), "profanity");
  EXPECT_EQ(LabelFor("SPAM", 0.7, d), "spam_scheme");  // flood scores more but teaches no text model
  EXPECT_EQ(LabelFor("LIKELY_TO_REJECT", 1.0, d), "spam_scheme");
  // THREAT takes insult_threat only when its evidence is a threat.
  EXPECT_EQ(LabelFor("THREAT", 1.0, d), std::nullopt);
  Decision threat;
  threat.findings = {F("insult_threat", 5, {"lexicon en/insult_threat: i will find you [threat]"})};
  EXPECT_EQ(LabelFor("THREAT", 1.0, threat), "insult_threat");
  // Nothing feeds it: the engine cannot say which rule.
  EXPECT_EQ(LabelFor("SEXUALLY_EXPLICIT", 1.0, d), std::nullopt);
  EXPECT_EQ(LabelFor("TOXICITY", 1.0, Decision{}), std::nullopt);
  EXPECT_EQ(LabelFor("TOXICITY", std::nan(""), d), std::nullopt);
}

}  // namespace
}  // namespace tribune::interop
