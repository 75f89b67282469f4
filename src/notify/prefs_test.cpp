// PreferenceService on a real SQLite database: the e-mail reply notice choice (opt-in), refused modes store
// nothing, signed unsubscribe tokens (round trip, forgeries refused), one-click unsubscribe.
#include "notify/prefs.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "support/temp_database.hpp"

namespace tribune::notify {
namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef-unsubscribe-key";

class PrefsTest : public ::testing::Test {
 protected:
  PrefsTest() {
    for (int64_t id : {1, 2}) {
      tmp_.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at) VALUES ($1, $2, 'R', 'x', 0)",
                {id, "r" + std::to_string(id) + "@example.com"});
    }
  }

  std::string Mode(int64_t account) {
    auto m = prefs_.EmailReplies(account);
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : "";
  }
  int64_t Rows() { return tmp_.Count("SELECT COUNT(*) FROM notification_prefs"); }
  void AddDigestItem(int64_t account, int64_t comment) {
    tmp_.Exec("INSERT INTO reply_digest_items (account_id, comment_id, created_at) VALUES ($1, $2, 0)",
              {account, comment});
  }
  int64_t DigestItems(int64_t account) {
    return tmp_.Count("SELECT COUNT(*) FROM reply_digest_items WHERE account_id = " + std::to_string(account));
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  PreferenceService prefs_{tmp_.db(), clock_, kKey};
};

TEST_F(PrefsTest, NoticesAreOffUntilChosen) {
  EXPECT_EQ(Mode(1), "off");
  EXPECT_EQ(Mode(999), "off");
  EXPECT_EQ(Rows(), 0) << "reading stores nothing";
  for (const char* mode : {"immediate", "daily", "off", "daily"}) {
    ASSERT_TRUE(prefs_.SetEmailReplies(1, mode).ok()) << mode;
    EXPECT_EQ(Mode(1), mode);
    EXPECT_EQ(Rows(), 1);
  }
  EXPECT_EQ(Mode(2), "off");
  EXPECT_EQ(tmp_.Count("SELECT updated_at FROM notification_prefs WHERE account_id = 1"), clock_.NowMicros());
  auto in_tx = tmp_.db().ReadTx([](storage::Session& s) -> Status {
    auto m = PreferenceService::EmailReplies(s, 1);
    if (!m.ok() || *m != "daily") return MakeError(ErrorCode::kInternal, "in a transaction: " + (m.ok() ? *m : m.error().message));
    return Ok{};
  });
  EXPECT_TRUE(in_tx.ok()) << in_tx.error().message;
}

TEST_F(PrefsTest, LeavingDailyDropsTheWaitingReplies) {
  ASSERT_TRUE(prefs_.SetEmailReplies(1, "daily").ok());
  AddDigestItem(1, 100);
  AddDigestItem(2, 101);
  ASSERT_TRUE(prefs_.SetEmailReplies(1, "daily").ok());
  EXPECT_EQ(DigestItems(1), 1) << "staying daily keeps them";
  ASSERT_TRUE(prefs_.SetEmailReplies(1, "immediate").ok());
  EXPECT_EQ(DigestItems(1), 0);
  EXPECT_EQ(DigestItems(2), 1);
}

TEST_F(PrefsTest, ABadModeStoresNothing) {
  for (const char* mode : {"weekly", "", "OFF", "Daily", "immediate ", " off", "on", "true", "off\n"}) {
    Status st = prefs_.SetEmailReplies(1, mode);
    ASSERT_FALSE(st.ok()) << mode;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest) << mode;
    EXPECT_EQ(Rows(), 0) << mode;
  }
  ASSERT_TRUE(prefs_.SetEmailReplies(1, "daily").ok());
  AddDigestItem(1, 100);
  EXPECT_EQ(prefs_.SetEmailReplies(1, "never").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(Mode(1), "daily");
  EXPECT_EQ(DigestItems(1), 1);
  EXPECT_FALSE(IsEmailRepliesMode("weekly"));
  EXPECT_TRUE(IsEmailRepliesMode("immediate"));
}

TEST_F(PrefsTest, TokensRoundTrip) {
  const std::string t1 = prefs_.UnsubscribeToken(1);
  const std::string t2 = prefs_.UnsubscribeToken(2);
  EXPECT_NE(t1, t2);
  EXPECT_EQ(prefs_.UnsubscribeToken(1), t1) << "stable: a link in an old mail keeps working";
  EXPECT_TRUE(t1.starts_with("1."));
  EXPECT_EQ(t1.find_first_of("+/= "), std::string::npos) << "URL-safe";
  EXPECT_EQ(prefs_.Verify(t1).value(), 1);
  EXPECT_EQ(prefs_.Verify(t2).value(), 2);
  const int64_t big = 999'999'999'999'999'999;  // 18 digits
  EXPECT_EQ(prefs_.Verify(prefs_.UnsubscribeToken(big)).value(), big);
  // Another site's key makes other tokens.
  PreferenceService other(tmp_.db(), clock_, std::string(40, 'z'));
  EXPECT_NE(other.UnsubscribeToken(1), t1);
  EXPECT_EQ(other.Verify(t1).error().code, ErrorCode::kBadRequest);
  EXPECT_THROW(PreferenceService(tmp_.db(), clock_, std::string(31, 'k')), std::invalid_argument);
}

TEST_F(PrefsTest, ForgedTokensAreRefusedAndChangeNothing) {
  ASSERT_TRUE(prefs_.SetEmailReplies(1, "immediate").ok());
  ASSERT_TRUE(prefs_.SetEmailReplies(2, "daily").ok());
  AddDigestItem(2, 100);
  const std::string t1 = prefs_.UnsubscribeToken(1);
  const std::string mac1 = t1.substr(2);
  std::string flipped = t1;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  const std::vector<std::string> forged = {
      flipped,
      "2." + mac1,                      // account 1's mac on account 2
      "01." + mac1,                     // leading zero
      "+1." + mac1,
      "-1." + mac1,
      " 1." + mac1,
      "1." + mac1 + "=",
      "1." + mac1 + ".x",
      "1.",
      "." + mac1,
      "1",
      mac1,
      "",
      "garbage",
      "1.garbage",
      "abc.def",
      t1 + std::string(200, 'A'),                      // too long
      std::string(200, '1') + "." + mac1,              // an id that is no integer
      "99999999999999999999." + mac1,
      std::string("1.\0", 3) + mac1,
      "1\xC2\xA0." + mac1,
  };
  for (const auto& token : forged) {
    auto v = prefs_.Verify(token);
    ASSERT_FALSE(v.ok()) << token;
    EXPECT_EQ(v.error().code, ErrorCode::kBadRequest) << token;
    auto u = prefs_.Unsubscribe(token);
    ASSERT_FALSE(u.ok()) << token;
    EXPECT_EQ(u.error().code, ErrorCode::kBadRequest) << token;
    EXPECT_EQ(Mode(1), "immediate") << token;
    EXPECT_EQ(Mode(2), "daily") << token;
    EXPECT_EQ(DigestItems(2), 1) << token;
    EXPECT_EQ(Rows(), 2) << token;
  }
}

TEST_F(PrefsTest, UnsubscribeTurnsNoticesOffAndDropsWaitingReplies) {
  ASSERT_TRUE(prefs_.SetEmailReplies(1, "daily").ok());
  ASSERT_TRUE(prefs_.SetEmailReplies(2, "daily").ok());
  AddDigestItem(1, 100);
  AddDigestItem(1, 101);
  AddDigestItem(2, 102);
  clock_.Advance(std::chrono::seconds(60));
  auto r = prefs_.Unsubscribe(prefs_.UnsubscribeToken(1));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(Mode(1), "off");
  EXPECT_EQ(DigestItems(1), 0);
  EXPECT_EQ(Mode(2), "daily");
  EXPECT_EQ(DigestItems(2), 1);
  EXPECT_EQ(tmp_.Count("SELECT updated_at FROM notification_prefs WHERE account_id = 1"), clock_.NowMicros());
  // A second click is fine.
  ASSERT_TRUE(prefs_.Unsubscribe(prefs_.UnsubscribeToken(1)).ok());
  EXPECT_EQ(Mode(1), "off");
  // A reader who never chose anything: stored as off.
  tmp_.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at) VALUES (3, 'r3@example.com',"
            " 'R', 'x', 0)");
  ASSERT_TRUE(prefs_.Unsubscribe(prefs_.UnsubscribeToken(3)).ok());
  EXPECT_EQ(Mode(3), "off");
}

TEST_F(PrefsTest, UnsubscribingAGoneAccountIsFineAndStoresNothing) {
  // Never existed (or its row is gone).
  auto unknown = prefs_.Unsubscribe(prefs_.UnsubscribeToken(999));
  ASSERT_TRUE(unknown.ok()) << unknown.error().message;
  EXPECT_EQ(*unknown, 999);
  EXPECT_EQ(Rows(), 0);
  // Purged: the account row stays as a tombstone (status 'purged', personal data erased, prefs deleted).
  tmp_.Exec("INSERT INTO accounts (id, email, display_name, password_hash, status, created_at)"
            " VALUES (5, 'purged-5@invalid', '', '', 'purged', 0)");
  auto purged = prefs_.Unsubscribe(prefs_.UnsubscribeToken(5));
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 5);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM notification_prefs WHERE account_id = 5"), 0)
      << "nothing is stored again for a purged account";
}

}  // namespace
}  // namespace tribune::notify
