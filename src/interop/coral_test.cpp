// Coral's external phase without a database: the signature, the request body and the answers of INTEROP.md §4.2,
// byte for byte.
#include "interop/coral.hpp"

#include <gtest/gtest.h>

#include "common/random.hpp"
#include "interop/coral_test_vectors.hpp"

namespace tribune::interop {
namespace {

using moderation::Action;
using moderation::Decision;
using moderation::Finding;
using namespace testvec;

Finding MakeFinding(std::string rule, double score, std::string reason, Action max_action = Action::kReject) {
  Finding f;
  f.rule = std::move(rule);
  f.score = score;
  f.reason = std::move(reason);
  f.confidence = 0.9;
  f.max_action = max_action;
  return f;
}

TEST(CoralSignature, Section42BodyAndSingleSecret) {
  ASSERT_EQ(kBody.size(), 520u);
  EXPECT_EQ(Sha256Hex(kBody), kBodySha256);
  EXPECT_EQ(CoralSignature(kBody, kSecret1), kHeader1);
  EXPECT_EQ(CoralSignature(kBody, kSecret2), kHeader2);
  EXPECT_TRUE(VerifyCoralSignature(kBody, kHeader1, {kSecret1}));
  EXPECT_FALSE(VerifyCoralSignature(kBody, kHeader1, {kSecret2}));
  // Hex is decoded: Coral's lowercase and an uppercase copy of the same MAC verify.
  std::string upper(kHeader1);
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(VerifyCoralSignature(kBody, upper, {kSecret1}));
}

TEST(CoralSignature, RotationHeaderVerifiesUnderEitherSecret) {
  EXPECT_EQ(CoralSignature(kBody, kSecret1) + "," + CoralSignature(kBody, kSecret2), kRotationHeader);
  EXPECT_TRUE(VerifyCoralSignature(kBody, kRotationHeader, {kSecret1}));
  EXPECT_TRUE(VerifyCoralSignature(kBody, kRotationHeader, {kSecret2}));
  EXPECT_TRUE(VerifyCoralSignature(kBody, kRotationHeader, {kSecret1, kSecret2}));
  // Only the second secret's signature, both secrets configured (the old one already inactive at Coral).
  EXPECT_TRUE(VerifyCoralSignature(kBody, kHeader2, {kSecret1, kSecret2}));
  EXPECT_TRUE(VerifyCoralSignature(kBody, kHeader2, {kSecret2, kSecret1}));
  EXPECT_FALSE(VerifyCoralSignature(kBody, kRotationHeader, {"empsec_other"}));
}

TEST(CoralSignature, AnythingElseFails) {
  const std::vector<std::string> both{kSecret1, kSecret2};
  // One changed hex digit, in each element.
  for (size_t pos : {7u, 40u, 70u}) {
    std::string h(kHeader1);
    h[pos] = h[pos] == '0' ? '1' : '0';
    EXPECT_FALSE(VerifyCoralSignature(kBody, h, both)) << pos;
  }
  std::string rot(kRotationHeader);
  rot[7] = rot[7] == '0' ? '1' : '0';
  rot[rot.size() - 1] = rot.back() == '0' ? '1' : '0';
  EXPECT_FALSE(VerifyCoralSignature(kBody, rot, both));
  // The body changed by one byte.
  std::string body(kBody);
  body[body.size() - 2] = ' ';
  EXPECT_FALSE(VerifyCoralSignature(body, kHeader1, both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, "", both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, "sha256=", both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, "sha256=,sha256=", both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, std::string("sha1=") + std::string(kHeader1.substr(7)), both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, std::string("v1=") + std::string(kHeader1.substr(7)), both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, "garbage", both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, ",,,==,=", both));
  EXPECT_FALSE(VerifyCoralSignature(kBody, std::string(kHeader1) + "00", both));     // too long
  EXPECT_FALSE(VerifyCoralSignature(kBody, kHeader1.substr(0, kHeader1.size() - 2), both));  // too short
  EXPECT_FALSE(VerifyCoralSignature(kBody, std::string(kHeader1.substr(0, 70)) + "zz", both));  // not hex
  EXPECT_FALSE(VerifyCoralSignature(kBody, kHeader1, {}));
  EXPECT_FALSE(VerifyCoralSignature(kBody, kHeader1, {""}));
  // Other prefixes are skipped, a valid element after them still counts; blanks around elements too.
  EXPECT_TRUE(VerifyCoralSignature(kBody, "t=123,v1=abc, " + std::string(kHeader1) + " ", both));
}

TEST(CoralSignature, LooksAtSixteenElementsAndEightKilobytes) {
  std::string junk;
  for (int i = 0; i < 15; ++i) junk += "x=1,";
  EXPECT_TRUE(VerifyCoralSignature(kBody, junk + std::string(kHeader1), {kSecret1}));  // the 16th element
  EXPECT_FALSE(VerifyCoralSignature(kBody, junk + "x=1," + std::string(kHeader1), {kSecret1}));  // the 17th
  const std::string pad = "x=" + std::string(8200, 'a') + ",";
  EXPECT_FALSE(VerifyCoralSignature(kBody, pad + std::string(kHeader1), {kSecret1}));  // past 8 KB
}

TEST(CoralRequest, ParsesSection42Body) {
  auto r = ParseCoralRequest(kBody);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->action, "NEW");
  EXPECT_EQ(r->body, "Visit my shop at cheap-watches.example for 50% off! Use code SAVE50");
  EXPECT_EQ(r->parent_id, "");
  EXPECT_EQ(r->author_id, kAuthor);
  EXPECT_EQ(r->author_role, "COMMENTER");
  EXPECT_EQ(r->story_id, kStory);
  EXPECT_EQ(r->story_url, "https://news.example/2020/09/20/wechat-ruling/");
  EXPECT_EQ(r->site_id, "a4bede88-2d2c-4424-bc18-4322a9e285a6");
  EXPECT_EQ(r->tenant_id, kTenant);
  EXPECT_EQ(r->tenant_domain, "news.example");
}

TEST(CoralRequest, ErrorsNameTheField) {
  const auto error = [](std::string_view body) {
    auto r = ParseCoralRequest(body);
    EXPECT_FALSE(r.ok()) << body;
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    return r.error().message;
  };
  const std::string ok_tail = R"("author":{"id":"a"},"story":{"id":"s"},"tenantID":"t"})";
  auto r = ParseCoralRequest(R"({"action":"EDIT","comment":{"body":"x","parentID":"p1"},)" + ok_tail);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->parent_id, "p1");
  EXPECT_EQ(r->author_role, "");
  EXPECT_EQ(error("not json"), "malformed JSON body");
  EXPECT_EQ(error("[]"), "the body must be a JSON object");
  EXPECT_EQ(error(R"({"comment":{"body":"x"},)" + ok_tail), "missing field action");
  EXPECT_EQ(error(R"({"action":"DELETE","comment":{"body":"x"},)" + ok_tail), "action must be NEW or EDIT");
  EXPECT_EQ(error(R"({"action":"NEW",)" + ok_tail), "missing field comment");
  EXPECT_EQ(error(R"({"action":"NEW","comment":{},)" + ok_tail), "missing field comment.body");
  EXPECT_EQ(error(R"({"action":"NEW","comment":{"body":7},)" + ok_tail), "comment.body must be a string");
  EXPECT_EQ(error(R"({"action":"NEW","comment":{"body":"x","parentID":3},)" + ok_tail),
            "comment.parentID must be a string or null");
  EXPECT_EQ(error(R"({"action":"NEW","comment":{"body":"x"},"author":{},"story":{"id":"s"},"tenantID":"t"})"),
            "missing field author.id");
  EXPECT_EQ(error(R"({"action":"NEW","comment":{"body":"x"},"author":{"id":"a"},"story":{"id":"s"}})"),
            "missing field tenantID");
  EXPECT_EQ(error(R"({"action":"NEW","comment":{"body":"x"},"author":{"id":"a"},"story":"s","tenantID":"t"})"),
            "story must be an object");
  // Nesting is bounded.
  EXPECT_EQ(error(R"({"action":"NEW","x":)" + std::string(100, '[') + std::string(100, ']') + "}"),
            "malformed JSON body");
}

TEST(CoralAnswer, Section42ExpectedAnswersByteForByte) {
  // Held, built by hand.
  Decision held;
  held.action = Action::kHold;
  held.findings.push_back(MakeFinding("unauthorised_promotion", 5.0, "advertises a shop"));
  Reply r = CoralAnswer(held, false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kExpectedHeld);
  // Rejected, built by hand with §4.2's illustrative reason.
  Decision rejected;
  rejected.action = Action::kReject;
  rejected.findings.push_back(MakeFinding("unauthorised_promotion", 9.6, "advertises a shop"));
  rejected.findings.push_back(MakeFinding("commercial_political_ads", 8.0, "advertising"));
  r = CoralAnswer(rejected, false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kExpectedRejected);
  // Clean → 204, empty body; or APPROVED when asked.
  r = CoralAnswer(Decision{}, false);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  r = CoralAnswer(Decision{}, true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"APPROVED"})");
}

TEST(CoralAnswer, TheShippedEngineOnSection42) {
  const auto& engine = ShippedEngine();
  const Decision d = engine.Check(
      {.text = "Visit my shop at cheap-watches.example for 50% off! Use code SAVE50", .language = "en"});
  ASSERT_EQ(d.action, Action::kReject);
  ASSERT_FALSE(d.findings.empty());
  std::string reason;
  for (const auto& f : d.findings) {
    if (f.rule == "unauthorised_promotion") reason = f.reason;
  }
  ASSERT_FALSE(reason.empty());
  // §4.2's detailedExplanation is illustrative; ours is "<rule>: <the policy's reason for that rule>".
  const std::string expected =
      R"({"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}],)"
      R"("moderationAction":{"status":"REJECTED","rejectionReason":{"code":"AD",)"
      R"("detailedExplanation":"unauthorised_promotion: )" + reason + "\"}}}";
  EXPECT_EQ(CoralAnswer(d, false).body, expected);
  const Decision clean = engine.Check({.text = "Thanks, good summary of the ruling.", .language = "en"});
  const Reply r = CoralAnswer(clean, false);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
}

TEST(CoralAnswer, FlagsPerDistinctReasonInOrder) {
  Decision d;
  d.action = Action::kPublish;
  d.findings.push_back(MakeFinding("profanity", 1.0, "r", Action::kHold));
  d.findings.push_back(MakeFinding("spam_scheme", 1.0, "r"));
  d.findings.push_back(MakeFinding("hate", 1.0, "r"));
  d.findings.push_back(MakeFinding("flood", 1.0, "r"));
  EXPECT_EQ(CoralAnswer(d, false).body,
            R"({"actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC"},)"
            R"({"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}]})");
  // approve_on_publish does not approve a comment with findings.
  EXPECT_EQ(CoralAnswer(d, true).body, CoralAnswer(d, false).body);
  d.findings.erase(d.findings.begin());
  EXPECT_EQ(CoralAnswer(d, false).body,
            R"({"actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"},)"
            R"({"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC"}]})");
}

TEST(CoralAnswer, RejectionReasonFromTopRejectingFinding) {
  Decision d;
  d.action = Action::kReject;
  // The top score belongs to a rule that may only hold: it does not name the code.
  d.findings.push_back(MakeFinding("trolling", 20.0, "trolls", Action::kHold));
  d.findings.push_back(MakeFinding("drugs", 8.5, "sells \"drugs\""));
  d.findings.push_back(MakeFinding("hate", 8.0, "hateful"));
  EXPECT_EQ(CoralAnswer(d, false).body,
            R"({"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC"}],)"
            R"("moderationAction":{"status":"REJECTED","rejectionReason":{"code":"ILLEGAL_CONTENT",)"
            R"("legalGrounds":"sells \"drugs\"","detailedExplanation":"drugs: sells \"drugs\""}}})");
  Decision p;
  p.action = Action::kReject;
  p.findings.push_back(MakeFinding("privacy_personal_data", 9.0, "a phone number"));
  EXPECT_EQ(CoralAnswer(p, false).body,
            R"({"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC"}],)"
            R"("moderationAction":{"status":"REJECTED","rejectionReason":{"code":"OTHER",)"
            R"("detailedExplanation":"privacy_personal_data: a phone number","customReason":"personal data"}}})");
  Decision u;
  u.action = Action::kReject;
  u.findings.push_back(MakeFinding("custom_rule", 9.0, "local"));
  EXPECT_EQ(CoralAnswer(u, false).body,
            R"({"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC"}],)"
            R"("moderationAction":{"status":"REJECTED","rejectionReason":{"code":"OTHER",)"
            R"("detailedExplanation":"custom_rule: local","customReason":"custom_rule"}}})");
  Decision bare;
  bare.action = Action::kReject;
  EXPECT_EQ(CoralAnswer(bare, false).body,
            R"({"status":"REJECTED","moderationAction":{"status":"REJECTED","rejectionReason":{"code":"OTHER"}}})");
  Decision held;
  held.action = Action::kHold;
  EXPECT_EQ(CoralAnswer(held, false).body, R"({"status":"SYSTEM_WITHHELD"})");
}

TEST(CoralError, TribuneErrorBody) {
  const Reply r = CoralError(ErrorCode::kUnauthenticated, "bad \"sig\"");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"error":{"code":"unauthenticated","message":"bad \"sig\""}})");
  EXPECT_EQ(CoralError(ErrorCode::kConflict, "x").status, 409);
  EXPECT_EQ(CoralError(ErrorCode::kBadRequest, "x").status, 400);
  EXPECT_EQ(CoralError(ErrorCode::kPayloadTooLarge, "x").status, 413);
}

}  // namespace
}  // namespace tribune::interop
