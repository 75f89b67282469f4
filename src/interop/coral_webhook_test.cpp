// CoralPhase::Webhook on a real database: linking Coral's comment ids to decision records (refusing to guess),
// and moderators' verdicts becoming labelled examples.
#include <gtest/gtest.h>

#include <mutex>

#include "interop/coral.hpp"
#include "interop/coral_test_vectors.hpp"
#include "support/temp_database.hpp"

namespace tribune::interop {
namespace {

using moderation::Action;
using moderation::Decision;
using namespace testvec;


Decision With(Action action) {
  Decision d;
  d.action = action;
  d.findings.push_back({.rule = "trolling", .score = 2, .reason = "trolls", .confidence = 0.4,
                        .max_action = Action::kHold});
  d.findings.push_back({.rule = "spam_scheme", .score = 5, .reason = "a scheme", .confidence = 0.8});
  return d;
}

std::string Comment(std::string_view story, std::string_view text) {
  return R"({"action":"NEW","comment":{"body":")" + std::string(text) +
         R"(","parentID":null},"author":{"id":"a1","role":"COMMENTER"},"story":{"id":")" + std::string(story) +
         R"(","url":"u"},"site":{"id":"s"},"tenantID":"t1","tenantDomain":"news.example"})";
}

std::string Event(std::string_view type, std::string_view data, std::string_view tenant = "t1") {
  return R"({"id":"e1","type":")" + std::string(type) + R"(","tenantID":")" + std::string(tenant) +
         R"(","tenantDomain":"news.example","data":)" + std::string(data) +
         R"(,"createdAt":"2026-12-01T10:00:00.000Z"})";
}

std::string Entered(std::string_view comment, std::string_view story, std::string_view queue) {
  return Event("COMMENT_ENTERED_MODERATION_QUEUE", R"({"queue":")" + std::string(queue) + R"(","commentID":")" +
                                                       std::string(comment) + R"(","storyID":")" +
                                                       std::string(story) + R"(","siteID":"s"})");
}

std::string Updated(std::string_view comment, std::string_view story, std::string_view old_status,
                    std::string_view new_status, std::string_view moderator = R"("m1")") {
  return Event("COMMENT_STATUS_UPDATED",
               R"({"newStatus":")" + std::string(new_status) + R"(","oldStatus":")" + std::string(old_status) +
                   R"(","moderatorID":)" + std::string(moderator) + R"(,"commentID":")" + std::string(comment) +
                   R"(","commentRevisionID":"r1","storyID":")" + std::string(story) + R"("})");
}

struct Learned {
  int64_t id;
  std::string text, label;
};

struct Fixture {
  ::tribune::testing::TempDatabase tmp;
  FakeClock clock{1'800'000'000'000'000};
  FeedbackStore feedback{tmp.db(), clock};
  std::mutex mu;
  std::vector<Learned> learned;
  CoralPhase phase{tmp.db(), clock, feedback, [] {
                     CoralPhaseOptions o;
                     o.secrets = {kSecret1};
                     o.webhook_secrets = {kSecret2};
                     return o;
                   }()};
  Fixture() {
    feedback.SetLearner([this](int64_t id, const std::string& text, const std::string& label) {
      std::lock_guard lock(mu);
      learned.push_back({id, text, label});
    });
  }
  Reply Moderate(const moderation::Engine& engine, const std::string& body) {
    return phase.Moderate(body, CoralSignature(body, kSecret1), engine, "en", false);
  }
  Reply Hook(const std::string& body) { return phase.Webhook(body, CoralSignature(body, kSecret2)); }
  std::string LinkedTo(std::string_view comment) {
    auto rows = tmp.db().Read("SELECT text FROM interop_decisions WHERE coral_comment_id = $1", {std::string(comment)});
    return rows.ok() && !rows->empty() ? (*rows)[0].Text(0) : "<none>";
  }
  int64_t Feedback() { return tmp.Count("SELECT count(*) FROM interop_feedback"); }
};

constexpr std::string_view kReceived = R"({"received":true})";

TEST(CoralWebhook, LinksAWithheldCommentAndLearnsTheModeratorsVerdict) {
  Fixture f;
  FixedEngine held(With(Action::kHold)), clean(Decision{});
  EXPECT_EQ(f.Moderate(clean, Comment("st1", "a clean one")).status, 204);  // not withheld: never a candidate
  EXPECT_EQ(f.Moderate(held, Comment("st1", "join my scheme")).status, 200);
  f.clock.Advance(std::chrono::seconds(5));
  // UNMODERATED is every new comment's queue: it says nothing about ours.
  EXPECT_EQ(f.Hook(Entered("c0", "st1", "UNMODERATED")).body, kReceived);
  EXPECT_EQ(f.LinkedTo("c0"), "<none>");
  Reply r = f.Hook(Entered("c1", "st1", "PENDING"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kReceived);
  EXPECT_EQ(f.LinkedTo("c1"), "join my scheme");
  EXPECT_EQ(f.phase.stats().linked, 1);
  EXPECT_EQ(f.Feedback(), 0);  // entering the queue is no verdict

  // A system status change teaches nothing; a moderator's rejection teaches the top-scoring rule.
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "SYSTEM_WITHHELD", "REJECTED", "null")).body, kReceived);
  EXPECT_EQ(f.Feedback(), 0);
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "SYSTEM_WITHHELD", "REJECTED")).body, kReceived);
  auto rows = f.tmp.db().Read("SELECT id, edition, source, label, text, reference, created_at FROM interop_feedback");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(1), "en");
  EXPECT_EQ((*rows)[0].Text(2), "coral");
  EXPECT_EQ((*rows)[0].Text(3), "spam_scheme");
  EXPECT_EQ((*rows)[0].Text(4), "join my scheme");
  EXPECT_EQ((*rows)[0].Text(5), "c1");
  EXPECT_EQ((*rows)[0].Int(6), f.clock.NowMicros());
  ASSERT_EQ(f.learned.size(), 1u);
  EXPECT_EQ(f.learned[0].id, (*rows)[0].Int(0));
  EXPECT_EQ(f.learned[0].label, "spam_scheme");
  EXPECT_EQ(f.learned[0].text, "join my scheme");
  // The same verdict again (LEFT with status, or a redelivery): learned once.
  const std::string left = Event("COMMENT_LEFT_MODERATION_QUEUE",
                                 R"({"queue":"PENDING","commentID":"c1","status":"REJECTED","storyID":"st1"})");
  EXPECT_EQ(f.Hook(left).body, kReceived);
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "SYSTEM_WITHHELD", "REJECTED")).body, kReceived);
  EXPECT_EQ(f.Feedback(), 1);
  // Hours later the moderator changes their mind: that is learned too.
  f.clock.Advance(std::chrono::hours(5));
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "REJECTED", "APPROVED")).body, kReceived);
  EXPECT_EQ(f.Feedback(), 2);
  EXPECT_EQ(f.learned.back().label, "ok");
  EXPECT_EQ(f.phase.stats().labelled, 2);
}

TEST(CoralWebhook, RefusesToGuessWhenSeveralRecordsMatch) {
  Fixture f;
  FixedEngine held(With(Action::kHold));
  f.Moderate(held, Comment("st1", "first"));
  f.Moderate(held, Comment("st1", "second"));
  EXPECT_EQ(f.Hook(Entered("c1", "st1", "PENDING")).body, kReceived);
  EXPECT_EQ(f.LinkedTo("c1"), "<none>");
  EXPECT_EQ(f.phase.stats().ambiguous, 1);
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "SYSTEM_WITHHELD", "REJECTED")).body, kReceived);
  EXPECT_EQ(f.Feedback(), 0);
  EXPECT_EQ(f.tmp.Count("SELECT count(*) FROM interop_decisions WHERE coral_comment_id IS NOT NULL"), 0);
}

TEST(CoralWebhook, MatchesOnlyWhatTheQueueStandsForInTheWindowAndTheStory) {
  Fixture f;
  FixedEngine held(With(Action::kHold)), flagged(With(Action::kPublish)), rejected(With(Action::kReject));
  f.Moderate(held, Comment("st1", "held one"));
  f.Moderate(flagged, Comment("st1", "flagged one"));
  f.Moderate(rejected, Comment("st1", "rejected one"));
  f.Moderate(held, Comment("st2", "held elsewhere"));
  // REPORTED stands for a flagged-only answer; PENDING for a withheld one; each story apart.
  EXPECT_EQ(f.Hook(Entered("c1", "st1", "REPORTED")).status, 200);
  EXPECT_EQ(f.LinkedTo("c1"), "flagged one");
  EXPECT_EQ(f.Hook(Entered("c2", "st1", "PENDING")).status, 200);
  EXPECT_EQ(f.LinkedTo("c2"), "held one");
  // Linked once: the same comment entering again, or another comment, does not take it.
  EXPECT_EQ(f.Hook(Entered("c3", "st1", "PENDING")).status, 200);
  EXPECT_EQ(f.LinkedTo("c3"), "<none>");
  // Another tenant's story of the same id is not ours.
  EXPECT_EQ(f.Hook(Event("COMMENT_ENTERED_MODERATION_QUEUE",
                         R"({"queue":"PENDING","commentID":"c4","storyID":"st2"})", "t2"))
                .status,
            200);
  EXPECT_EQ(f.LinkedTo("c4"), "<none>");
  // Out of the window.
  f.clock.Advance(std::chrono::seconds(601));
  EXPECT_EQ(f.Hook(Entered("c5", "st2", "PENDING")).status, 200);
  EXPECT_EQ(f.LinkedTo("c5"), "<none>");
  EXPECT_EQ(f.phase.stats().linked, 2);
}

TEST(CoralWebhook, AVerdictLinksWhenNoQueueEventCameFirst) {
  Fixture f;
  FixedEngine flagged(With(Action::kPublish));
  f.Moderate(flagged, Comment("st1", "flagged one"));
  // A verdict by the system is ignored outright; a moderator's links by the old status (NONE → flagged).
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "NONE", "APPROVED", "null")).status, 200);
  EXPECT_EQ(f.LinkedTo("c1"), "<none>");
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "NONE", "APPROVED")).status, 200);
  EXPECT_EQ(f.LinkedTo("c1"), "flagged one");
  ASSERT_EQ(f.learned.size(), 1u);
  EXPECT_EQ(f.learned[0].label, "ok");
}

TEST(CoralWebhook, RejectionWithoutALearnableRuleTeachesNothing) {
  Fixture f;
  Decision flood;
  flood.action = Action::kHold;
  flood.findings.push_back({.rule = "flood", .score = 5, .reason = "too fast", .confidence = 1});
  FixedEngine engine(flood);
  f.Moderate(engine, Comment("st1", "again and again"));
  EXPECT_EQ(f.Hook(Entered("c1", "st1", "PENDING")).status, 200);
  EXPECT_EQ(f.LinkedTo("c1"), "again and again");
  EXPECT_EQ(f.Hook(Updated("c1", "st1", "SYSTEM_WITHHELD", "REJECTED")).status, 200);
  EXPECT_EQ(f.Feedback(), 0);
}

TEST(CoralWebhook, SignaturesAndMalformedEvents) {
  Fixture f;
  const std::string story_created = Event("STORY_CREATED", R"({"storyID":"s","storyURL":"u","siteID":"x"})");
  Reply r = f.Hook(story_created);  // unknown to us, well signed
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kReceived);
  EXPECT_EQ(f.Hook(Event("SOMETHING_NEW", "null")).body, kReceived);
  // The phase's secret is not the webhook's.
  r = f.phase.Webhook(story_created, CoralSignature(story_created, kSecret1));
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(r.body.starts_with(R"({"error":{"code":"unauthenticated",)")) << r.body;
  EXPECT_EQ(f.phase.Webhook(story_created, "").status, 401);
  EXPECT_EQ(f.Hook("not json").status, 400);
  EXPECT_EQ(f.Hook("[1]").status, 400);
  EXPECT_EQ(f.Hook(R"({"type":7})").status, 400);
  EXPECT_EQ(f.Hook(Event("COMMENT_ENTERED_MODERATION_QUEUE", R"({"queue":"PENDING","storyID":"s"})")).status, 400);
  EXPECT_EQ(f.Hook(Event("COMMENT_STATUS_UPDATED", "[]")).status, 400);
  EXPECT_EQ(f.Hook(std::string(70000, ' ')).status, 413);
  EXPECT_EQ(f.tmp.Count("SELECT count(*) FROM interop_feedback"), 0);
}

}  // namespace
}  // namespace tribune::interop
