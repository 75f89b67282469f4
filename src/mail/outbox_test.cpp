#include <gtest/gtest.h>

#include "mail/mail.hpp"
#include "support/temp_database.hpp"

namespace tribune::mail {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  Mail Confirm(std::string dedup = "") {
    Mail m;
    m.to = "bob@example.com";
    m.kind = "confirm_account";
    m.vars = {{"display_name", "Bob"}, {"link", "http://127.0.0.1:8080/confirm?token=t1"}};
    m.account_id = 7;
    m.dedup_key = std::move(dedup);
    return m;
  }
  Status Enqueue(const Mail& m) {
    return tmp_.db().Write([&](storage::Session& s) { return outbox_.Enqueue(s, m); });
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  Outbox outbox_{clock_, ids_, Identity{.message_id_domain = "news.example"}};
};

TEST_F(OutboxTest, EnqueueStoresAPendingMailDueNow) {
  ASSERT_TRUE(Enqueue(Confirm()).ok());
  auto rows = tmp_.db().Read(
      "SELECT message_id, account_id, kind, recipient, message, state, attempts, next_attempt_at, "
      "created_at, "
      "sent_at FROM mail_outbox");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const auto& r = (*rows)[0];
  EXPECT_NE(r.Text(0).find("@news.example>"), std::string::npos);
  EXPECT_EQ(r.Int(1), 7);
  EXPECT_EQ(r.Text(2), "confirm_account");
  EXPECT_EQ(r.Text(3), "bob@example.com");
  EXPECT_NE(r.Text(4).find("Message-ID: " + r.Text(0) + "\r\n"), std::string::npos);
  EXPECT_EQ(r.Text(5), "pending");
  EXPECT_EQ(r.Int(6), 0);
  EXPECT_EQ(r.Int(7), clock_.NowMicros());
  EXPECT_EQ(r.Int(8), clock_.NowMicros());
  EXPECT_TRUE(r.IsNull(9));
}

TEST_F(OutboxTest, WithoutADedupKeyEveryMailIsStored) {
  ASSERT_TRUE(Enqueue(Confirm()).ok());
  ASSERT_TRUE(Enqueue(Confirm()).ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox"), 2);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(DISTINCT message_id) FROM mail_outbox"), 2);
}

TEST_F(OutboxTest, TheSameDedupKeyIsStoredOnce) {
  ASSERT_TRUE(Enqueue(Confirm("account:7")).ok());
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(Enqueue(Confirm("account:7")).ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox"), 1);
  ASSERT_TRUE(Enqueue(Confirm("account:8")).ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox"), 2);
}

TEST_F(OutboxTest, AccountZeroIsStoredAsNull) {
  Mail m = Confirm();
  m.account_id = 0;
  ASSERT_TRUE(Enqueue(m).ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox WHERE account_id IS NULL"), 1);
}

TEST_F(OutboxTest, BadInputIsRefusedAndNothingIsStored) {
  Mail injected_address = Confirm();
  injected_address.to = "bob@example.com\nBcc: all@example.com";
  Mail injected_subject;
  injected_subject.to = "bob@example.com";
  injected_subject.kind = "comment_rejected";
  injected_subject.vars = {{"display_name", "Bob"},
                           {"rule", "r"},
                           {"reason", "x"},
                           {"article_title", "T\r\nBcc: all@example.com"},
                           {"link", "http://x/"}};
  Mail unknown = Confirm();
  unknown.kind = "newsletter";
  Mail missing = Confirm();
  missing.vars.erase("display_name");
  for (const Mail* m : {&injected_address, &injected_subject, &unknown, &missing}) {
    Status st = Enqueue(*m);
    ASSERT_FALSE(st.ok()) << m->kind;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest) << st.error().message;
  }
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox"), 0);
}

}  // namespace
}  // namespace tribune::mail
