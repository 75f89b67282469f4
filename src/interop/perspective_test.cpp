// comments:analyze on the real engine: INTEROP.md §4.1's vectors byte for byte, the clients' shapes of §1.7,
// every error of §1.5, spans in UTF-16.
#include "interop/perspective.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <cstdio>

#include "interop/perspective_test_support.hpp"
#include "interop/rule_map.hpp"

namespace tribune::interop {
namespace {

namespace json = boost::json;
using testing::CountingEngine;
using testing::RealEngine;

const PerspectiveApi& Api() {
  static const PerspectiveApi api(PerspectiveOptions{}, MakeLanguageGuesser(testing::Detector()));
  return api;
}

Reply Analyze(std::string_view body, std::string_view edition = "en") {
  return Api().Analyze(body, Judge{RealEngine(), edition});
}

std::string Score(double v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.6f", v);
  while (n > 3 && buf[n - 1] == '0' && buf[n - 2] != '.') --n;
  return std::string(buf, static_cast<size_t>(n));
}

double Value(const Reply& r, std::string_view attribute) {
  return json::parse(r.body).at("attributeScores").at(attribute).at("summaryScore").at("value").to_number<double>();
}

std::string ErrorBody(std::string_view message, std::string_view type) {
  return R"({"error":{"code":400,"message":")" + std::string(message) +
         R"(","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.commentanalyzer.v1alpha1.Error","errorType":")" +
         std::string(type) + R"("}]}})";
}

void ExpectError(std::string_view body, std::string_view type, std::string_view message_part) {
  const Reply r = Analyze(body);
  EXPECT_EQ(r.status, 400) << body;
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("error").at("status"), "INVALID_ARGUMENT") << body;
  EXPECT_EQ(std::string_view(v.at("error").at("details").at(0).at("errorType").as_string()), type) << body << "\n" << r.body;
  EXPECT_NE(std::string(v.at("error").at("message").as_string()).find(message_part), std::string::npos) << r.body;
}

constexpr std::string_view kCoral =
    R"({"comment":{"text":"Café owners are idiots. Nice article."},"doNotStore":true,"requestedAttributes":{"TOXICITY":{}},"languages":["en"]})";

TEST(PerspectiveAnalyze, CoralRequestGivesTheVectorsReplyByteForByte) {
  const auto decision = RealEngine().Check({.text = "Café owners are idiots. Nice article.", .language = "en"});
  ASSERT_EQ(decision.action, moderation::Action::kHold);  // §4.1: V in [0.81, 0.89] when the engine holds
  const double v = AttributeScore("TOXICITY", decision);
  EXPECT_GE(v, 0.81);
  EXPECT_LE(v, 0.89);
  const Reply r = Analyze(kCoral);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"attributeScores":{"TOXICITY":{"summaryScore":{"value":)" + Score(v) +
                        R"(,"type":"PROBABILITY"}}},"languages":["en"],"detectedLanguages":["en"]})");
  EXPECT_TRUE(r.headers.empty());
}

TEST(PerspectiveAnalyze, SpanAnnotationsGiveOneSpanPerSentenceInUtf16) {
  std::string body(kCoral);
  body.insert(body.size() - 1, R"(,"spanAnnotations":true)");
  const Reply r = Analyze(body);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = json::parse(r.body);
  const json::array& spans = v.at("attributeScores").at("TOXICITY").at("spanScores").as_array();
  ASSERT_EQ(spans.size(), 2u) << r.body;
  EXPECT_EQ(spans[0].at("begin"), 0);
  EXPECT_EQ(spans[0].at("end"), 23);
  EXPECT_EQ(spans[1].at("begin"), 24);
  EXPECT_EQ(spans[1].at("end"), 37);
  // The insult is in the first sentence: it carries the hold band, the second nothing.
  EXPECT_EQ(spans[0].at("score").at("value").to_number<double>(), Value(r, "TOXICITY"));
  EXPECT_EQ(spans[1].at("score").at("value").to_number<double>(), 0.0);
  EXPECT_EQ(spans[1].at("score").at("type"), "PROBABILITY");
  // Not asked: no spans.
  EXPECT_EQ(Analyze(kCoral).body.find("spanScores"), std::string::npos);
}

TEST(PerspectiveAnalyze, SpansCountNonBmpCharactersAsTwoUnits) {
  // Each emoji: 4 bytes, 2 UTF-16 units. "😀😀 Hello there. " is 2·2 + 14 = 18 units up to "You".
  const Reply r = Analyze(
      R"({"comment":{"text":"😀😀 Hello there. You idiot 😀."},"requestedAttributes":{"INSULT":{}},"languages":["en"],"spanAnnotations":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = json::parse(r.body);
  const json::array& spans = v.at("attributeScores").at("INSULT").at("spanScores").as_array();
  ASSERT_EQ(spans.size(), 2u) << r.body;
  EXPECT_EQ(spans[0].at("begin"), 0);
  EXPECT_EQ(spans[0].at("end"), 17);   // "😀😀 Hello there." = 4 + 13
  EXPECT_EQ(spans[1].at("begin"), 18);
  EXPECT_EQ(spans[1].at("end"), 31);   // "You idiot 😀." = 10 + 2 + 1 → 18 + 13
  EXPECT_EQ(spans[0].at("score").at("value").to_number<double>(), 0.0);
  EXPECT_GE(spans[1].at("score").at("value").to_number<double>(), 0.91);  // "You idiot" rejects
}

TEST(PerspectiveAnalyze, CommentoPlusPlusBodyWithUnquotedKeysAndNewlines) {
  const Reply r =
      Analyze("{comment: {text: \"You idiot\"},\n       languages: [\"en\"],\n       requestedAttributes: {TOXICITY:{}} }");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GT(Value(r, "TOXICITY"), 0.5);  // Commento++'s default limit: flagged
  // Raw newlines and tabs inside the Markdown.
  const Reply md = Analyze("{comment: {text: \"Line one\n\n* You idiot\tnow\"},\n languages: [\"en\"],\n "
                           "requestedAttributes: {TOXICITY:{}} }");
  ASSERT_EQ(md.status, 200) << md.body;
  EXPECT_GT(Value(md, "TOXICITY"), 0.5);
}

TEST(PerspectiveAnalyze, EmptyCommentIsTheVectorsErrorByteForByte) {
  const Reply r = Analyze(R"({"comment":{"text":""},"requestedAttributes":{"TOXICITY":{}}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"error":{"code":400,"message":"Comment must be non-empty.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.commentanalyzer.v1alpha1.Error","errorType":"COMMENT_EMPTY"}]}})");
  EXPECT_EQ(Analyze(R"({"requestedAttributes":{"TOXICITY":{}}})").body, r.body);  // no comment at all
}

TEST(PerspectiveAnalyze, FlirtationIsAnUnknownAttribute) {
  const Reply r = Analyze(R"({"comment":{"text":"hello"},"requestedAttributes":{"FLIRTATION":{}}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ErrorBody("Unknown requested attribute: FLIRTATION", "INVALID_REQUEST"));
}

TEST(PerspectiveAnalyze, DiscourseShapeDetectsTheLanguage) {
  CountingEngine engine;
  const Reply r = Api().Analyze(
      R"({"comment":{"text":"I think the council was wrong to close the bridge, and the article explains why very well."},"doNotStore":true,"sessionId":"https://forum.example_42","requestedAttributes":{"SEVERE_TOXICITY":{"scoreType":"PROBABILITY"}}})",
      Judge{engine, "de"});
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("languages"), json::parse(R"(["en"])"));
  EXPECT_EQ(v.at("detectedLanguages").at(0), "en");
  EXPECT_EQ(Value(r, "SEVERE_TOXICITY"), 0.0);
  EXPECT_EQ(engine.last_language, "en");
  EXPECT_EQ(v.as_object().if_contains("clientToken"), nullptr);

  // German text on the English edition is judged as German.
  const Reply de = Analyze(
      R"({"comment":{"text":"Ich finde den Artikel sehr gut geschrieben, aber die Zahlen sind leider veraltet."},"requestedAttributes":{"TOXICITY":{}}})");
  EXPECT_EQ(json::parse(de.body).at("languages"), json::parse(R"(["de"])")) << de.body;
  // Too short to tell: the edition's language, listed as detected too.
  const Reply short_text = Api().Analyze(R"({"comment":{"text":"ok"},"requestedAttributes":{"TOXICITY":{}}})",
                                         Judge{engine, "fr"});
  EXPECT_EQ(json::parse(short_text.body).at("languages"), json::parse(R"(["fr"])")) << short_text.body;
  EXPECT_EQ(json::parse(short_text.body).at("detectedLanguages"), json::parse(R"(["fr"])"));
}

TEST(PerspectiveAnalyze, OneEngineCheckWhateverTheNumberOfAttributes) {
  CountingEngine engine;
  const Reply r = Api().Analyze(
      R"({"comment":{"text":"You idiot"},"languages":["en-GB"],"requestedAttributes":{"TOXICITY":{},"INSULT":{},"THREAT":{},"LIKELY_TO_REJECT":{},"TOXICITY_EXPERIMENTAL":{},"RULE_INSULT_THREAT":{}}})",
      Judge{engine, "en"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(engine.calls, 1);
  EXPECT_EQ(engine.last_language, "en");  // en-GB judged as en, echoed as sent
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("languages"), json::parse(R"(["en-GB"])"));
  EXPECT_EQ(v.at("detectedLanguages"), json::parse(R"(["en"])"));
  EXPECT_EQ(v.at("attributeScores").as_object().size(), 6u);
  EXPECT_GE(Value(r, "TOXICITY_EXPERIMENTAL"), 0.91);  // spelled as requested, scored as TOXICITY
  EXPECT_EQ(Value(r, "TOXICITY_EXPERIMENTAL"), Value(r, "TOXICITY"));
  EXPECT_EQ(Value(r, "THREAT"), 0.0);  // an insult is no threat
  EXPECT_GE(Value(r, "RULE_INSULT_THREAT"), 0.91);
}

TEST(PerspectiveAnalyze, ThreatsFeedThreatAndSevereToxicity) {
  const Reply r = Analyze(
      R"({"comment":{"text":"I will kill you"},"languages":["en"],"requestedAttributes":{"THREAT":{},"SEVERE_TOXICITY":{},"SPAM":{}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(Value(r, "THREAT"), 0.91);
  EXPECT_GE(Value(r, "SEVERE_TOXICITY"), 0.91);
  EXPECT_EQ(Value(r, "SPAM"), 0.0);
}

TEST(PerspectiveAnalyze, ProtoNamesThresholdAndClientToken) {
  const Reply r = Analyze(
      R"({"comment":{"text":"You idiot","type":"PLAIN_TEXT"},"languages":["en"],"requested_attributes":{"TOXICITY":{"score_threshold":0.5},"SPAM":{"score_type":"SCORE_TYPE_UNSPECIFIED","scoreThreshold":0.5}},"span_annotations":true,"client_token":"tok\"1","session_id":"s","community_id":"Coral:https://t/","do_not_store":false,"unknownField":{"x":[1]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("attributeScores").as_object().size(), 1u);  // SPAM (0) is below its threshold
  EXPECT_EQ(v.at("attributeScores").at("TOXICITY").at("spanScores").as_array().size(), 1u);
  EXPECT_EQ(v.at("clientToken"), "tok\"1");
  EXPECT_TRUE(r.body.ends_with(R"(,"clientToken":"tok\"1"})")) << r.body;
  // Everything below the threshold: an empty map, still 200.
  const Reply none = Analyze(
      R"({"comment":{"text":"Nice article."},"languages":["en"],"requestedAttributes":{"TOXICITY":{"scoreThreshold":"0.5"}}})");
  EXPECT_TRUE(none.body.starts_with(R"({"attributeScores":{},"languages":["en"])")) << none.body;
}

TEST(PerspectiveAnalyze, HtmlCommentsAreJudgedAsText) {
  const Reply r = Analyze(
      R"({"comment":{"text":"<p>You <b>idiot</b></p>","type":"HTML"},"languages":["en"],"requestedAttributes":{"TOXICITY":{}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(Value(r, "TOXICITY"), 0.91);
  ExpectError(R"({"comment":{"text":"<p></p>","type":"HTML"},"requestedAttributes":{"TOXICITY":{}}})", "COMMENT_EMPTY",
              "non-empty");
}

TEST(PerspectiveAnalyze, EveryErrorOfTheSpecification) {
  const std::string long_text(25 * 1024, 'a');
  ExpectError(R"({"comment":{"text":")" + long_text + R"("},"requestedAttributes":{"TOXICITY":{}}})",
              "COMMENT_TOO_LONG", "Comment text too long.");
  ExpectError(R"({"comment":{"text":"hi"}})", "NO_REQUESTED_ATTRIBUTES", "Missing requested_attributes");
  ExpectError(R"({"comment":{"text":"hi"},"requestedAttributes":{}})", "NO_REQUESTED_ATTRIBUTES", "Missing");
  ExpectError(R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{"scoreType":"STD_DEV_SCORE"}}})",
              "INVALID_REQUEST", "Requested score type STD_DEV_SCORE is not supported by attribute TOXICITY");
  ExpectError(R"({"comment":{"text":"hi"},"requestedAttributes":{"INSULT":{"scoreType":"RAW"}}})", "INVALID_REQUEST",
              "Requested score type RAW is not supported by attribute INSULT");
  ExpectError(
      R"({"comment":{"text":"hi"},"context":{"entries":[{"text":"a"}],"articleAndParentComment":{"article":{"text":"b"}}},"requestedAttributes":{"TOXICITY":{}}})",
      "INVALID_REQUEST", "not both");
  ExpectError(R"({"comment":{"text":"hi","type":"MARKDOWN"},"requestedAttributes":{"TOXICITY":{}}})",
              "INVALID_REQUEST", "'PLAIN_TEXT'");
  ExpectError(R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{}})", "INVALID_REQUEST",
              "Invalid JSON payload received. unexpected end of input at byte 62");
  ExpectError(R"(["not an object"])", "INVALID_REQUEST", "Invalid JSON payload");
  ExpectError(R"({"comment":{"text":"hi \ud800"},"requestedAttributes":{"TOXICITY":{}}})", "INVALID_REQUEST",
              "lone surrogate");
  // Wrong field types.
  ExpectError(R"({"comment":{"text":5},"requestedAttributes":{"TOXICITY":{}}})", "INVALID_REQUEST",
              "Invalid value at 'comment.text' (TYPE_STRING)");
  ExpectError(R"({"comment":"hi","requestedAttributes":{"TOXICITY":{}}})", "INVALID_REQUEST", "'comment'");
  ExpectError(R"({"comment":{"text":"hi"},"languages":"en","requestedAttributes":{"TOXICITY":{}}})",
              "INVALID_REQUEST", "'languages'");
  ExpectError(R"({"comment":{"text":"hi"},"requestedAttributes":["TOXICITY"]})", "INVALID_REQUEST",
              "'requested_attributes'");
  ExpectError(R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":true}})", "INVALID_REQUEST",
              "requested_attributes[TOXICITY]");
  ExpectError(R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{"scoreThreshold":"high"}}})",
              "INVALID_REQUEST", "score_threshold");
  ExpectError(R"({"comment":{"text":"hi"},"spanAnnotations":"yes","requestedAttributes":{"TOXICITY":{}}})",
              "INVALID_REQUEST", "span_annotations");
  ExpectError(R"({"comment":{"text":"hi"},"doNotStore":1,"requestedAttributes":{"TOXICITY":{}}})", "INVALID_REQUEST",
              "do_not_store");
  ExpectError(R"({"comment":{"text":"hi"},"clientToken":7,"requestedAttributes":{"TOXICITY":{}}})", "INVALID_REQUEST",
              "client_token");
  ExpectError(R"({"comment":{"text":"hi"},"context":{"entries":{}},"requestedAttributes":{"TOXICITY":{}}})",
              "INVALID_REQUEST", "context.entries");
  // Languages: malformed codes, too many.
  ExpectError(R"({"comment":{"text":"hi"},"languages":["e"],"requestedAttributes":{"TOXICITY":{}}})",
              "INVALID_REQUEST", "Invalid language code: e");
  ExpectError(
      R"({"comment":{"text":"hi"},"languages":["en","en","en","en","en","en","en","en","en"],"requestedAttributes":{"TOXICITY":{}}})",
      "INVALID_REQUEST", "At most 8 languages");
}

TEST(PerspectiveAnalyze, LanguageTheEngineCannotJudge) {
  CountingEngine engine;
  const Reply r = Api().Analyze(
      R"({"comment":{"text":"Questo articolo è scritto molto bene, complimenti alla redazione."},"languages":["it"],"requestedAttributes":{"PROFANITY":{},"TOXICITY":{}}})",
      Judge{engine, "en"});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(engine.calls, 0);
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("error").at("message"), "Attribute PROFANITY does not support request languages: it");
  const json::value& d = v.at("error").at("details").at(0);
  EXPECT_EQ(d.at("errorType"), "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE");
  EXPECT_EQ(d.at("languageNotSupportedByAttributeError").at("attribute"), "PROFANITY");
  EXPECT_EQ(d.at("languageNotSupportedByAttributeError").at("requestedLanguages"), json::parse(R"(["it"])"));
  EXPECT_EQ(d.at("languageNotSupportedByAttributeError").at("detectedLanguages").at(0), "it");
}

TEST(PerspectiveAnalyze, UnknownAttributeNamesAreClippedAndEscaped) {
  const Reply r = Analyze(R"({"comment":{"text":"hi"},"requestedAttributes":{"A\"B\n)" + std::string(300, 'x') +
                          R"(":{}}})");
  EXPECT_EQ(r.status, 400);
  const std::string message(json::parse(r.body).at("error").at("message").as_string());
  EXPECT_TRUE(message.starts_with("Unknown requested attribute: A\"B\n")) << message;
  EXPECT_LT(message.size(), 140u);
}

TEST(PerspectiveAnalyze, MutatedBodiesGetA200OrAnEnvelope) {
  // Fixed-seed byte mutations of real bodies: every reply is 200 or 400 and valid JSON of the right shape.
  const std::string seeds[] = {
      std::string(kCoral),
      "{comment: {text: \"You idiot\"},\n languages: [\"en\"],\n requestedAttributes: {TOXICITY:{}} }",
      R"({"comment":{"text":"<b>x</b> 😀. y","type":"HTML"},"requested_attributes":{"INSULT":{"score_threshold":0.1}},"span_annotations":true,"context":{"entries":[{"text":"a"}]}})",
  };
  uint64_t state = 42;
  auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL, state >> 33; };
  const char pieces[] = "{}[]\":,\\0-e.tfn ";
  for (int round = 0; round < 1500; ++round) {
    std::string body = seeds[round % 3];
    for (int k = 0, n = 1 + static_cast<int>(next() % 4); k < n; ++k) {
      const size_t at = next() % (body.size() + 1);
      switch (next() % 3) {
        case 0: if (at < body.size()) body.erase(at, 1 + next() % 3); break;
        case 1: body.insert(at, 1, pieces[next() % (sizeof pieces - 1)]); break;
        default: if (at < body.size()) body[at] = static_cast<char>(next() % 256);
      }
    }
    const Reply r = Analyze(body);
    ASSERT_TRUE(r.status == 200 || r.status == 400) << body;
    boost::system::error_code ec;
    const json::value v = json::parse(r.body, ec);
    ASSERT_FALSE(ec) << body << "\n" << r.body;
    ASSERT_TRUE(r.status == 200 ? v.as_object().contains("attributeScores") : v.as_object().contains("error")) << r.body;
  }
}

TEST(PerspectiveError, EnvelopeWithAndWithoutDetails) {
  EXPECT_EQ(PerspectiveError(403, "PERMISSION_DENIED", "The request is missing a valid API key.").body,
            R"({"error":{"code":403,"message":"The request is missing a valid API key.","status":"PERMISSION_DENIED"}})");
  const Reply r = PerspectiveError(429, "RESOURCE_EXHAUSTED", "Quota exceeded", "INVALID_REQUEST");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body,
            R"({"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.commentanalyzer.v1alpha1.Error","errorType":"INVALID_REQUEST"}]}})");
}

TEST(PerspectiveGuesser, NamesTheLanguageOrStaysQuiet) {
  const LanguageGuesser guess = MakeLanguageGuesser(testing::Detector());
  auto en = guess("The council voted on Tuesday to close the old bridge for repairs until next spring.");
  ASSERT_FALSE(en.empty());
  EXPECT_EQ(en.front().first, "en");
  EXPECT_GT(en.front().second, 0.5);
  EXPECT_LE(en.front().second, 1.0);
  auto ru = guess("Городской совет во вторник проголосовал за закрытие старого моста на ремонт.");
  ASSERT_FALSE(ru.empty());
  EXPECT_EQ(ru.front().first, "ru");
  EXPECT_TRUE(guess("ok").empty());
  EXPECT_TRUE(guess("").empty());
}

}  // namespace
}  // namespace tribune::interop
