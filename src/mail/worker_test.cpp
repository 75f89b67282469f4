#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/mail.hpp"
#include "support/temp_database.hpp"

namespace tribune::mail {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::_;
using ::testing::Field;
using ::testing::Return;

class MockTransport : public Transport {
 public:
  MOCK_METHOD(SendResult, Send, (const Envelope& envelope), (override));
  std::string Describe() const override { return "mock"; }
};

const SendResult kSent{SendOutcome::kSent, "250 ok"};
const SendResult kLater{SendOutcome::kTransient, "451 try later"};
const SendResult kRefused{SendOutcome::kPermanent, "550 no such user"};

class WorkerTest : public ::testing::Test {
 protected:
  void Enqueue(std::string dedup = "") {
    Mail m;
    m.to = "carol@example.com";
    m.kind = "password_reset";
    m.vars = {{"display_name", "Carol"}, {"link", "http://127.0.0.1:8080/reset?token=z"}, {"minutes", "30"}};
    m.dedup_key = std::move(dedup);
    ASSERT_TRUE(tmp_.db().Write([&](storage::Session& s) { return outbox_.Enqueue(s, m); }).ok());
  }
  WorkerStats Run() {
    auto r = worker_.RunOnce();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : WorkerStats{};
  }
  storage::Row Only() {
    auto rows =
        tmp_.db().Read("SELECT state, attempts, next_attempt_at, last_error, sent_at FROM mail_outbox");
    EXPECT_TRUE(rows.ok());
    EXPECT_EQ(rows->size(), 1u);
    return (*rows)[0];
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  Outbox outbox_{clock_, ids_, Identity{}};
  MockTransport transport_;
  RetryOptions retry_{
      .max_attempts = 3, .base_delay = seconds(30), .max_delay = seconds(3600), .jitter = 0.5};
  OutboxWorker worker_{tmp_.db(), clock_, transport_, "no-reply@localhost", retry_};
};

TEST_F(WorkerTest, ATransientFailureIsRetriedAfterTheBackoff) {
  Enqueue();
  EXPECT_CALL(transport_, Send(Field(&Envelope::recipient, "carol@example.com")))
      .WillOnce(Return(kLater))
      .WillOnce(Return(kSent));
  int64_t t0 = clock_.NowMicros();
  WorkerStats first = Run();
  EXPECT_EQ(first.retried, 1);
  auto row = Only();
  EXPECT_EQ(row.Text(0), "pending");
  EXPECT_EQ(row.Int(1), 1);
  EXPECT_GE(row.Int(2), t0 + 15'000'000);  // 30 s with jitter 0.5
  EXPECT_LE(row.Int(2), t0 + 45'000'000);
  EXPECT_EQ(row.Text(3), "451 try later");

  clock_.Advance(seconds(14));
  EXPECT_EQ(Run().sent, 0);  // not due yet: the transport is not called

  clock_.Advance(seconds(32));
  EXPECT_EQ(Run().sent, 1);
  row = Only();
  EXPECT_EQ(row.Text(0), "sent");
  EXPECT_EQ(row.Int(1), 2);
  EXPECT_EQ(row.Int(4), clock_.NowMicros());
  EXPECT_EQ(Run().sent, 0);  // a sent mail stays sent
}

TEST_F(WorkerTest, APermanentFailureMarksTheMailFailed) {
  Enqueue();
  EXPECT_CALL(transport_, Send(_)).WillOnce(Return(kRefused));
  EXPECT_EQ(Run().failed, 1);
  auto row = Only();
  EXPECT_EQ(row.Text(0), "failed");
  EXPECT_EQ(row.Text(3), "550 no such user");
  clock_.Advance(minutes(600));
  EXPECT_EQ(Run().failed, 0);
}

TEST_F(WorkerTest, TheLastAttemptFailsTheMail) {
  Enqueue();
  EXPECT_CALL(transport_, Send(_)).Times(3).WillRepeatedly(Return(kLater));
  for (int i = 0; i < 3; ++i) {
    Run();
    clock_.Advance(minutes(60));
  }
  auto row = Only();
  EXPECT_EQ(row.Text(0), "failed");
  EXPECT_EQ(row.Int(1), 3);
  clock_.Advance(minutes(600));
  Run();  // no fourth call
}

TEST_F(WorkerTest, OneDedupKeyMeansOneMessage) {
  Enqueue("reset:carol:1");
  Enqueue("reset:carol:1");
  EXPECT_CALL(transport_, Send(_)).Times(1).WillOnce(Return(kSent));
  EXPECT_EQ(Run().sent, 1);
  Enqueue("reset:carol:1");  // even after it was sent
  EXPECT_EQ(Run().sent, 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox"), 1);
}

TEST_F(WorkerTest, ACrashedSendIsReclaimedAfterItsLease) {
  Enqueue();
  // A worker claimed the mail and died before recording anything.
  ASSERT_TRUE(tmp_.db()
                  .Write([&](storage::Session& s) -> Status {
                    TRIBUNE_TRY(
                        s.Exec("UPDATE mail_outbox SET state = 'sending', attempts = 1, next_attempt_at = $1",
                               {clock_.NowMicros() + int64_t{5 * 60 * 1'000'000}}));
                    return {};
                  })
                  .ok());
  EXPECT_CALL(transport_, Send(_)).WillOnce(Return(kSent));
  clock_.Advance(minutes(4));
  EXPECT_EQ(Run().sent, 0);
  clock_.Advance(minutes(2));
  EXPECT_EQ(Run().sent, 1);
  EXPECT_EQ(Only().Text(0), "sent");
  EXPECT_EQ(Only().Int(1), 2);
}

TEST_F(WorkerTest, ACrashOnTheLastAttemptFailsTheMail) {
  Enqueue();
  ASSERT_TRUE(tmp_.db()
                  .Write([&](storage::Session& s) -> Status {
                    TRIBUNE_TRY(
                        s.Exec("UPDATE mail_outbox SET state = 'sending', attempts = 3, next_attempt_at = $1",
                               {clock_.NowMicros()}));
                    return {};
                  })
                  .ok());
  EXPECT_CALL(transport_, Send(_)).Times(0);
  EXPECT_EQ(Run().failed, 1);
  EXPECT_EQ(Only().Text(0), "failed");
}

TEST_F(WorkerTest, SendsEveryDueMailInBatches) {
  OutboxWorker small{tmp_.db(), clock_, transport_, "no-reply@localhost", retry_, 2};
  for (int i = 0; i < 5; ++i) Enqueue();
  EXPECT_CALL(transport_, Send(Field(&Envelope::from, "no-reply@localhost")))
      .Times(5)
      .WillRepeatedly(Return(kSent));
  auto r = small.RunOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sent, 5);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox WHERE state = 'sent'"), 5);
}

TEST_F(WorkerTest, TheThreadSendsWhenWokenAndStops) {
  Enqueue();
  std::mutex mu;
  std::condition_variable cv;
  bool sent = false;
  EXPECT_CALL(transport_, Send(_)).WillOnce([&](const Envelope&) {
    std::lock_guard lock(mu);
    sent = true;
    cv.notify_all();
    return kSent;
  });
  worker_.Start(std::chrono::hours(1));
  worker_.Wake();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return sent; }));
  }
  worker_.Stop();
  worker_.Stop();  // idempotent
}

}  // namespace
}  // namespace tribune::mail
