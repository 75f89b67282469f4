// comments:suggestscore: Coral's feedback shape (INTEROP.md §1.6), its errors, and `out` left alone on error.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "interop/perspective.hpp"
#include "interop/perspective_test_support.hpp"

namespace tribune::interop {
namespace {

namespace json = boost::json;

const PerspectiveApi& Api() {
  static const PerspectiveApi api(PerspectiveOptions{}, MakeLanguageGuesser(testing::Detector()));
  return api;
}

Reply Suggest(std::string_view body, Suggestion& out, std::string_view edition = "en") {
  return Api().Suggest(body, Judge{testing::RealEngine(), edition}, out);
}

// Coral's listener: the comment's text, 1 for REJECTED, its tenant, "comment:<id>", the story URL in context.
constexpr std::string_view kCoral =
    R"({"comment":{"text":"You are all idiots"},"context":{"entries":[{"text":"{\"url\":\"https://news.example/2020/09/20/wechat-ruling/?commentID=c-1\",\"Coral_comment_id\":\"c-1\",\"reply_to_id_Coral_comment_id\":\"c-0\"}"}]},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1}}},"languages":["en"],"communityId":"Coral:https://news.example/","clientToken":"comment:c-1"})";

TEST(PerspectiveSuggest, CoralFeedbackIsParsedIntoALabel) {
  Suggestion s;
  const Reply r = Suggest(kCoral, s);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"clientToken":"comment:c-1","requestedLanguages":["en"],"detectedLanguages":["en"]})");
  EXPECT_EQ(s.text, "You are all idiots");
  EXPECT_EQ(s.language, "en");
  ASSERT_EQ(s.labels.size(), 1u);
  EXPECT_EQ(s.labels[0].first, "TOXICITY");
  EXPECT_EQ(s.labels[0].second, 1.0);
  EXPECT_EQ(s.client_token, "comment:c-1");
  EXPECT_EQ(s.community_id, "Coral:https://news.example/");
  EXPECT_EQ(s.session_id, "");
}

TEST(PerspectiveSuggest, ApprovedIsZeroAliasesAreCanonicalAndHtmlIsText) {
  Suggestion s;
  const Reply r = Suggest(
      R"({"comment":{"text":"<p>Thanks, <i>good</i> summary.</p>","type":"HTML"},"attribute_scores":{"TOXICITY_EXPERIMENTAL":{"summary_score":{"value":0,"type":"PROBABILITY"},"spanScores":[{"begin":0,"end":7,"score":{"value":0}}]},"LIKELY_TO_REJECT":{"summaryScore":{"value":0.0}}},"languages":["de-AT"],"session_id":"forum_1"})",
      s);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"requestedLanguages":["de-AT"],"detectedLanguages":["de"]})");  // no clientToken sent
  EXPECT_EQ(s.text, "Thanks, good summary.");
  EXPECT_EQ(s.language, "de");
  ASSERT_EQ(s.labels.size(), 2u);
  EXPECT_EQ(s.labels[0], (std::pair<std::string, double>{"TOXICITY", 0.0}));
  EXPECT_EQ(s.labels[1], (std::pair<std::string, double>{"LIKELY_TO_REJECT", 0.0}));
  EXPECT_EQ(s.session_id, "forum_1");
  EXPECT_EQ(s.client_token, "");
}

TEST(PerspectiveSuggest, NoLanguagesMeansDetectedOrTheEditions) {
  Suggestion s;
  ASSERT_EQ(Suggest(R"({"comment":{"text":"Der Gemeinderat hat am Dienstag beschlossen, die alte Brücke zu sanieren."},"attributeScores":{"TOXICITY":{"summaryScore":{"value":0}}}})",
                    s)
                .status,
            200);
  EXPECT_EQ(s.language, "de");
  Suggestion t;
  const Reply r = Suggest(R"({"comment":{"text":"ok"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1}}}})",
                          t, "fr");
  EXPECT_EQ(r.body, R"({"requestedLanguages":[],"detectedLanguages":["fr"]})");
  EXPECT_EQ(t.language, "fr");
}

TEST(PerspectiveSuggest, ErrorsLeaveOutUntouched) {
  auto expect_400 = [](std::string_view body, std::string_view type, std::string_view part) {
    Suggestion s;
    s.text = "untouched";
    const Reply r = Suggest(body, s);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(s.text, "untouched");
    EXPECT_TRUE(s.labels.empty());
    const json::value v = json::parse(r.body);
    EXPECT_EQ(std::string_view(v.at("error").at("details").at(0).at("errorType").as_string()), type) << r.body;
    EXPECT_NE(std::string(v.at("error").at("message").as_string()).find(part), std::string::npos) << r.body;
  };
  expect_400(R"({"comment":{"text":"hi"},"languages":["en"]})", "INVALID_REQUEST", "Missing attribute_scores");
  expect_400(R"({"comment":{"text":"hi"},"attributeScores":{}})", "INVALID_REQUEST", "Missing attribute_scores");
  expect_400(R"({"comment":{"text":""},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1}}}})", "COMMENT_EMPTY",
             "non-empty");
  expect_400(R"({"comment":{"text":"hi"},"attributeScores":{"FLIRTATION":{"summaryScore":{"value":1}}}})",
             "INVALID_REQUEST", "Unknown attribute: FLIRTATION");
  expect_400(R"({"comment":{"text":"hi"},"attributeScores":{"TOXICITY":{}}})", "INVALID_REQUEST", "summary_score");
  expect_400(R"({"comment":{"text":"hi"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1.5}}}})",
             "INVALID_REQUEST", "between 0 and 1");
  expect_400(R"({"comment":{"text":"hi"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":"x"}}}})",
             "INVALID_REQUEST", "TYPE_FLOAT");
  expect_400(R"({"comment":{"text":"hi"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1,"type":"RAW"}}}})",
             "INVALID_REQUEST", "Requested score type RAW is not supported by attribute TOXICITY");
  expect_400(
      R"({"comment":{"text":"hi"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1},"spanScores":[{"end":3,"score":{"value":1}}]}}})",
      "INVALID_REQUEST", "need begin and end");
  expect_400(
      R"({"comment":{"text":"hi"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1},"spanScores":[{"begin":4,"end":3,"score":{"value":1}}]}}})",
      "INVALID_REQUEST", "Invalid span");
  expect_400(R"({"comment":{"text":"hi"},"attributeScores":[1]})", "INVALID_REQUEST", "attribute_scores");
  expect_400(R"({"comment":{"text":"hi"},"clientToken":")" + std::string(2000, 't') +
                 R"(","attributeScores":{"TOXICITY":{"summaryScore":{"value":1}}}})",
             "INVALID_REQUEST", "clientToken longer than 1024 bytes");
  expect_400("{comment: {text: \"hi\"}, attributeScores: ", "INVALID_REQUEST", "Invalid JSON payload");
}

}  // namespace
}  // namespace tribune::interop
