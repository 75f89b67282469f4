// Edges of the lifecycle: a purge log that cannot be written, a restored unconfirmed account, and logins in
// flight together against the throttle.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "accounts/lifecycle_fixture.hpp"

namespace tribune::accounts::testing {
namespace {

int64_t Days(int64_t d) { return d * 86'400; }

TEST_F(LifecycleTest, APurgeLogThatCannotBeWrittenStopsThePurgeAndErasesNothing) {
  AccountOptions o = DefaultOptions();
  o.purge_log = "/nonexistent-dir/purged-accounts.log";
  Reset(o);
  Account a = MustRegisterActive("ann@example.org");
  ASSERT_TRUE(svc().DeleteAccount(a.id).ok());
  clock_.Advance(std::chrono::seconds(Days(31)));
  auto purged = svc().PurgeDue();
  ASSERT_FALSE(purged.ok());
  EXPECT_EQ(purged.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(StatusOf(a.id), "deleted");
  EXPECT_EQ(Text("SELECT email FROM accounts WHERE id = $1", {a.id}), "ann@example.org");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purged_accounts"), 0);
}

TEST_F(LifecycleTest, ARestoredUnconfirmedAccountGetsAFreshConfirmationLink) {
  Account a = MustRegister("ann@example.org");
  const std::string first = LastToken("confirm_account", "/confirm", a.id);
  ASSERT_TRUE(svc().DeleteAccount(a.id).ok());
  auto restored = svc().RestoreAccount(LastToken("account_deleted", "/restore", a.id));
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->status, "unconfirmed");
  const Status old_link = svc().ConfirmEmail(first);
  ASSERT_FALSE(old_link.ok()) << "the link of before the deletion stays spent";
  EXPECT_EQ(old_link.error().code, ErrorCode::kGone);
  const std::string fresh = LastToken("confirm_account", "/confirm", a.id);
  ASSERT_NE(fresh, first);
  ASSERT_TRUE(svc().ConfirmEmail(fresh).ok());
  EXPECT_EQ(StatusOf(a.id), "active");
}

TEST_F(LifecycleTest, LoginsInFlightTogetherCannotOvershootTheAccountLimit) {
  AccountOptions o = DefaultOptions();
  o.throttle.account_failures = 4;
  o.throttle.captcha_after = 100;  // only the lock matters here
  Reset(o);
  MustRegisterActive("ann@example.org");
  std::vector<std::thread> threads;
  std::atomic<int> refused_by_lock{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto r = svc().Login("ann@example.org", "not the password " + std::to_string(i), {"10.0.0." + std::to_string(i), ""});
      if (!r.ok() && r.error().code == ErrorCode::kRateLimited) ++refused_by_lock;
    });
  }
  for (auto& t : threads) t.join();
  // Each attempt counts from the moment it passes the check, so at most `account_failures` passwords were tried.
  EXPECT_GE(refused_by_lock.load(), 16 - 4);
  auto right = svc().Login("ann@example.org", kPassword, {"10.0.1.1", ""});
  ASSERT_FALSE(right.ok());
  EXPECT_EQ(right.error().code, ErrorCode::kRateLimited);
}

TEST_F(LifecycleTest, ASuccessfulLoginDoesNotCountAgainstItsAddress) {
  AccountOptions o = DefaultOptions();
  o.throttle.address_failures = 3;
  Reset(o);
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 5; ++i) {
    auto r = svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""});
    ASSERT_TRUE(r.ok()) << "login " << i << ": " << r.error().message;
  }
}

}  // namespace
}  // namespace tribune::accounts::testing
