// CoralPhase::Moderate end to end on a real database (SQLite, or PostgreSQL with TRIBUNE_TEST_POSTGRES): the
// refusals that record nothing, the record, replays, the deadline.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/random.hpp"
#include "interop/coral.hpp"
#include "interop/coral_test_vectors.hpp"
#include "support/temp_database.hpp"

namespace tribune::interop {
namespace {

using moderation::Action;
using moderation::Decision;
using namespace testvec;


// Holds every comment, but only once released.
class BlockingEngine final : public moderation::Engine {
 public:
  Decision Check(const moderation::CheckInput&) const override {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    Decision d;
    d.action = Action::kHold;
    d.findings.push_back({.rule = "spam_scheme", .score = 5, .reason = "a scheme", .confidence = 0.8});
    return d;
  }
  std::string_view Name() const override { return "blocking"; }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  void WaitEntered(int n) const {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable int entered_ = 0;
  bool released_ = false;
};

Decision Held(std::string rule = "unauthorised_promotion") {
  Decision d;
  d.action = Action::kHold;
  d.findings.push_back({.rule = std::move(rule), .score = 5, .reason = "advertises a shop", .confidence = 0.7});
  return d;
}

CoralPhaseOptions Options() {
  CoralPhaseOptions o;
  o.secrets = {kSecret1, kSecret2};
  o.edition = "en";
  return o;
}

struct Fixture {
  ::tribune::testing::TempDatabase tmp;
  FakeClock clock{1'800'000'000'000'000};
  FeedbackStore feedback{tmp.db(), clock};
  int64_t Rows() { return tmp.Count("SELECT count(*) FROM interop_decisions"); }
};

TEST(CoralPhase, Section42EndToEndWithTheShippedEngineAndItsRecord) {
  Fixture f;
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, Options());
  const Reply r = phase.Moderate(kBody, kHeader1, ShippedEngine(), "en", false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body.starts_with(
      R"({"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}],)"
      R"("moderationAction":{"status":"REJECTED","rejectionReason":{"code":"AD",)"
      R"("detailedExplanation":"unauthorised_promotion: )"))
      << r.body;
  // The rotation header verifies too.
  EXPECT_EQ(phase.Moderate(kBody, kRotationHeader, ShippedEngine(), "en", false).body, r.body);
  phase.Flush();
  auto rows = f.tmp.db().Read(
      "SELECT record_key, body_hash, tenant_id, story_id, author_id, edition, action, answer, coral_status, text,"
      " coral_comment_id, created_at, findings_json FROM interop_decisions ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);  // no replay window: the same answer twice, both recorded
  const auto& row = (*rows)[0];
  const std::string body = "Visit my shop at cheap-watches.example for 50% off! Use code SAVE50";
  EXPECT_EQ(row.Text(0), Sha256Hex("36:" + std::string(kTenant) + "36:" + std::string(kStory) + "36:" +
                                   std::string(kAuthor) + std::to_string(body.size()) + ":" + body));
  EXPECT_EQ(row.Text(1), kBodySha256);
  EXPECT_EQ(row.Text(2), kTenant);
  EXPECT_EQ(row.Text(3), kStory);
  EXPECT_EQ(row.Text(4), kAuthor);
  EXPECT_EQ(row.Text(5), "en");
  EXPECT_EQ(row.Text(6), "reject");
  EXPECT_EQ(row.Text(7), r.body);
  EXPECT_EQ(row.Text(8), "REJECTED");
  EXPECT_EQ(row.Text(9), body);
  EXPECT_TRUE(row.IsNull(10));
  EXPECT_EQ(row.Int(11), f.clock.NowMicros());
  EXPECT_NE(row.Text(12).find("\"rule\":\"unauthorised_promotion\""), std::string::npos);
  EXPECT_EQ((*rows)[1].Text(0), row.Text(0));
  EXPECT_EQ(phase.stats().recorded, 2);
}

TEST(CoralPhase, CleanCommentIs204OrApproved) {
  Fixture f;
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, Options());
  const std::string body =
      R"({"action":"NEW","comment":{"body":"Thanks, good summary of the ruling.","parentID":null},)"
      R"("author":{"id":"a","role":"COMMENTER"},"story":{"id":"s","url":"u"},"site":{"id":"x"},)"
      R"("tenantID":"t","tenantDomain":"d"})";
  Reply r = phase.Moderate(body, CoralSignature(body, kSecret2), ShippedEngine(), "en", false);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  r = phase.Moderate(body, CoralSignature(body, kSecret2), ShippedEngine(), "en", true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"APPROVED"})");
  phase.Flush();
  EXPECT_EQ(f.tmp.Count("SELECT count(*) FROM interop_decisions WHERE action = 'publish' AND coral_status = ''"), 1);
  EXPECT_EQ(f.tmp.Count("SELECT count(*) FROM interop_decisions WHERE coral_status = 'APPROVED'"), 1);
}

TEST(CoralPhase, RefusalsRecordNothing) {
  Fixture f;
  FixedEngine engine(Held());
  CoralPhaseOptions o = Options();
  o.replay_window_seconds = 60;
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, o);
  // 401: missing, wrong secret, one changed digit.
  for (const std::string& h :
       {std::string(), CoralSignature(kBody, "empsec_wrong"), std::string(kHeader1.substr(0, 70)) + "00"}) {
    const Reply r = phase.Moderate(kBody, h, engine, "en", false);
    EXPECT_EQ(r.status, 401);
    EXPECT_TRUE(r.body.starts_with(R"({"error":{"code":"unauthenticated","message":)")) << r.body;
  }
  // 400: well signed, malformed.
  const std::string bad = R"({"action":"NEW","comment":{"body":1}})";
  Reply r = phase.Moderate(bad, CoralSignature(bad, kSecret1), engine, "en", false);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"error":{"code":"bad_request","message":"comment.body must be a string"}})");
  // 409: the same raw body again within the window.
  r = phase.Moderate(kBody, kHeader1, engine, "en", false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kExpectedHeld);
  r = phase.Moderate(kBody, kRotationHeader, engine, "en", false);
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(r.body.starts_with(R"({"error":{"code":"conflict",)")) << r.body;
  // 413 before anything else.
  CoralPhaseOptions small = Options();
  small.max_body_bytes = 10;
  CoralPhase tiny(f.tmp.db(), f.clock, f.feedback, small);
  EXPECT_EQ(tiny.Moderate(std::string(100000, ' '), kHeader1, engine, "en", false).status, 413);
  phase.Flush();
  tiny.Flush();
  EXPECT_EQ(f.Rows(), 1);  // the one answered
  EXPECT_EQ(engine.texts().size(), 1u);
  // After the window the body is judged again.
  f.clock.Advance(std::chrono::seconds(61));
  EXPECT_EQ(phase.Moderate(kBody, kHeader1, engine, "en", false).status, 200);
  phase.Flush();
  EXPECT_EQ(f.Rows(), 2);
}

TEST(CoralPhase, HtmlBodiesAreJudgedAsTextUnlessPlain) {
  Fixture f;
  FixedEngine engine(Decision{});
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, Options());
  const std::string body = R"({"action":"EDIT","comment":{"body":"<p>Caf&#233; <b>owners</b></p><p>x &lt; y</p>"},)"
                           R"("author":{"id":"a"},"story":{"id":"s"},"tenantID":"t"})";
  const std::string sig = CoralSignature(body, kSecret1);
  EXPECT_EQ(phase.Moderate(body, sig, engine, "en", false).status, 204);
  EXPECT_EQ(phase.Moderate(body, sig, engine, "en", false, /*plain_text=*/true).status, 204);
  ASSERT_EQ(engine.texts().size(), 2u);
  EXPECT_EQ(engine.texts()[0], "Caf\xC3\xA9 owners\n\nx < y");
  EXPECT_EQ(engine.texts()[1], "<p>Caf&#233; <b>owners</b></p><p>x &lt; y</p>");
  phase.Flush();
  EXPECT_EQ(f.tmp.Count("SELECT count(*) FROM interop_decisions WHERE text = 'Caf\xC3\xA9 owners\n\nx < y'"), 1);
}

TEST(CoralPhase, OverlongBodyIsRejectedUnderFormWithoutTheEngine) {
  Fixture f;
  FixedEngine engine(Decision{});
  CoralPhaseOptions o = Options();
  o.max_body_bytes = 16;
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, o);
  const std::string body = R"({"action":"NEW","comment":{"body":"seventeen bytes!!"},)"
                           R"("author":{"id":"a"},"story":{"id":"s"},"tenantID":"t"})";
  const Reply r = phase.Moderate(body, CoralSignature(body, kSecret1), engine, "en", false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}],)"
            R"("moderationAction":{"status":"REJECTED","rejectionReason":{"code":"OTHER","detailedExplanation":)"
            R"("form: The comment is 17 bytes long; the limit is 16.","customReason":"form"}}})");
  EXPECT_TRUE(engine.texts().empty());
  phase.Flush();
  EXPECT_EQ(f.tmp.Count("SELECT count(*) FROM interop_decisions WHERE action = 'reject' AND text = ''"), 1);
}

TEST(CoralPhase, LateDecisionAnswers204AndIsStillRecorded) {
  Fixture f;
  BlockingEngine engine;
  CoralPhaseOptions o = Options();
  o.deadline_ms = 20;
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, o);
  const Reply r = phase.Moderate(kBody, kHeader1, engine, "en", false);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(phase.stats().late, 1);
  engine.Release();
  phase.Flush();
  auto rows = f.tmp.db().Read("SELECT action, answer, coral_status, findings_json FROM interop_decisions");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "hold");
  EXPECT_EQ((*rows)[0].Text(1), "");  // Coral was told nothing
  EXPECT_EQ((*rows)[0].Text(2), "");
  EXPECT_NE((*rows)[0].Text(3).find("spam_scheme"), std::string::npos);
}

TEST(CoralPhase, DecisionInTimeIsAnsweredThroughTheJudgeThreads) {
  Fixture f;
  FixedEngine engine(Held());
  CoralPhaseOptions o = Options();
  o.deadline_ms = 60'000;  // never reached: the engine answers at once
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, o);
  EXPECT_EQ(phase.Moderate(kBody, kHeader1, engine, "en", false).body, kExpectedHeld);
  o.deadline_ms = 0;  // judged on the calling thread
  CoralPhase inline_phase(f.tmp.db(), f.clock, f.feedback, o);
  EXPECT_EQ(inline_phase.Moderate(kBody, kHeader1, engine, "en", false).body, kExpectedHeld);
  phase.Flush();
  inline_phase.Flush();
  EXPECT_EQ(f.tmp.Count("SELECT count(*) FROM interop_decisions WHERE coral_status = 'SYSTEM_WITHHELD'"), 2);
  EXPECT_EQ(phase.stats().answered, 1);
}

TEST(CoralPhase, OverloadAnswers204WithoutJudging) {
  Fixture f;
  BlockingEngine engine;
  CoralPhaseOptions o = Options();
  o.deadline_ms = 5;
  o.judge_threads = 1;
  o.max_pending = 1;
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, o);
  EXPECT_EQ(phase.Moderate(kBody, kHeader1, engine, "en", false).status, 204);  // late, still running
  engine.WaitEntered(1);
  EXPECT_EQ(phase.Moderate(kBody, kHeader1, engine, "en", false).status, 204);  // refused at once
  EXPECT_EQ(phase.stats().overloaded, 1);
  engine.Release();
  phase.Flush();
  EXPECT_EQ(f.Rows(), 1);
}

TEST(CoralPhase, DestructorWaitsForLateJudgmentsAndFlushes) {
  Fixture f;
  BlockingEngine engine;
  CoralPhaseOptions o = Options();
  o.deadline_ms = 1;
  std::thread release;
  {
    CoralPhase phase(f.tmp.db(), f.clock, f.feedback, o);
    EXPECT_EQ(phase.Moderate(kBody, kHeader1, engine, "en", false).status, 204);
    engine.WaitEntered(1);
    release = std::thread([&] { engine.Release(); });
  }
  release.join();
  EXPECT_EQ(f.Rows(), 1);
}

class ThrowingEngine final : public moderation::Engine {
 public:
  Decision Check(const moderation::CheckInput&) const override { throw std::runtime_error("broken"); }
  std::string_view Name() const override { return "throwing"; }
};

TEST(CoralPhase, EngineFailureAnswers204AndRecordsNothing) {
  Fixture f;
  ThrowingEngine engine;
  CoralPhaseOptions o = Options();
  CoralPhase pooled(f.tmp.db(), f.clock, f.feedback, o);
  o.deadline_ms = 0;
  CoralPhase inline_phase(f.tmp.db(), f.clock, f.feedback, o);
  for (CoralPhase* phase : {&pooled, &inline_phase}) {
    const Reply r = phase->Moderate(kBody, kHeader1, engine, "en", false);
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(r.body, "");
    phase->Flush();
  }
  EXPECT_EQ(f.Rows(), 0);
}

TEST(CoralPhase, PruneDeletesRecordsPastTheRetention) {
  Fixture f;
  FixedEngine engine(Held());
  CoralPhaseOptions o = Options();
  o.record_retention_days = 2;
  CoralPhase phase(f.tmp.db(), f.clock, f.feedback, o);
  phase.Moderate(kBody, kHeader1, engine, "en", false);
  f.clock.Advance(std::chrono::hours(24));
  phase.Moderate(kBody, kHeader1, engine, "en", false);
  phase.Flush();
  f.clock.Advance(std::chrono::hours(25));  // the first is 49 hours old, the second 25
  auto n = phase.Prune();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(f.Rows(), 1);
}

}  // namespace
}  // namespace tribune::interop
