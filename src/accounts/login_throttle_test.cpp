// LoginThrottle on its own (windows, sweeping, Retry-After), then through AccountService::Login with a
// real Altcha verifier: each case on the in-memory throttle and on the shared one.
#include "accounts/login_throttle.hpp"

#include <gtest/gtest.h>

#include "accounts/lifecycle_fixture.hpp"

namespace tribune::accounts::testing {
namespace {

// --- LoginThrottle alone: each case on the in-memory throttle and on the shared one (rate_events) ---

class ThrottleTest : public ::testing::TestWithParam<bool> {
 protected:
  static ThrottleOptions Options() {
    return {.window_seconds = 60, .captcha_after = 2, .account_failures = 4, .address_failures = 6};
  }
  ThrottleVerdict Check(const std::string& key, const std::string& address) {
    auto v = throttle_->Check(key, address);
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v.ok() ? *v : ThrottleVerdict{};
  }
  LoginThrottle::Admission Admit(const std::string& key, const std::string& address) {
    auto a = throttle_->Admit(key, address);
    EXPECT_TRUE(a.ok()) << a.error().message;
    return a.ok() ? *a : LoginThrottle::Admission{};
  }
  void Cancel(const std::string& key, const std::string& address, const LoginThrottle::Admission& a) {
    throttle_->Cancel(key, address, a);
  }
  void Succeeded(const std::string& key, const std::string& address, const LoginThrottle::Admission& a) {
    throttle_->Succeeded(key, address, a);
  }

  ::tribune::testing::TempDatabase tmp_;
  FakeClock clock_;
  std::unique_ptr<LoginThrottle> throttle_ = MakeLoginThrottle(GetParam(), tmp_.db(), clock_, Options());
};

INSTANTIATE_TEST_SUITE_P(Both, ThrottleTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Shared" : "Memory"; });

TEST_P(ThrottleTest, CaptchaThenLockAfterAccountFailuresThenTheWindowPasses) {
  auto v = Check("ann@example.org", "10.0.0.1");
  EXPECT_FALSE(v.locked);
  EXPECT_FALSE(v.captcha_required);
  Admit("ann@example.org", "10.0.0.1");
  EXPECT_FALSE(Check("ann@example.org", "10.0.0.1").captcha_required);
  Admit("ann@example.org", "10.0.0.1");
  v = Check("ann@example.org", "10.0.0.1");
  EXPECT_TRUE(v.captcha_required);
  EXPECT_FALSE(v.locked);
  Admit("ann@example.org", "10.0.0.2");
  EXPECT_FALSE(Check("ann@example.org", "10.0.0.3").locked);
  Admit("ann@example.org", "10.0.0.3");
  v = Check("ann@example.org", "10.0.0.4");  // the account is locked whatever the address
  EXPECT_TRUE(v.locked);
  EXPECT_EQ(v.retry_after_seconds, 60);
  EXPECT_FALSE(Check("bob@example.org", "10.0.0.4").locked);

  clock_.Advance(10s);
  EXPECT_EQ(Check("ann@example.org", "10.0.0.1").retry_after_seconds, 50);
  clock_.Advance(49s + 500ms);
  v = Check("ann@example.org", "10.0.0.1");
  EXPECT_TRUE(v.locked);
  EXPECT_EQ(v.retry_after_seconds, 1);  // rounded up, never 0 while locked
  clock_.Advance(500ms);
  v = Check("ann@example.org", "10.0.0.1");
  EXPECT_FALSE(v.locked);
  EXPECT_FALSE(v.captcha_required);
  EXPECT_EQ(v.retry_after_seconds, 0);
}

TEST_P(ThrottleTest, TheWindowSlidesFailureByFailure) {
  for (int i = 0; i < 4; ++i) {
    Admit("ann@example.org", "10.0.0.1");
    clock_.Advance(15s);
  }
  // Failures at 0, 15, 30, 45 s; now 60 s: the first just left the window.
  auto v = Check("ann@example.org", "10.0.0.1");
  EXPECT_FALSE(v.locked);
  EXPECT_TRUE(v.captcha_required);
  Admit("ann@example.org", "10.0.0.1");  // 15, 30, 45, 60
  v = Check("ann@example.org", "10.0.0.1");
  EXPECT_TRUE(v.locked);
  EXPECT_EQ(v.retry_after_seconds, 15);  // until the oldest (15 s) leaves
  clock_.Advance(15s);
  EXPECT_FALSE(Check("ann@example.org", "10.0.0.1").locked);
  clock_.Advance(30s);  // only the failure at 60 s is left
  EXPECT_FALSE(Check("ann@example.org", "10.0.0.1").captcha_required);
}

TEST_P(ThrottleTest, AddressLimitCountsEveryAccountFromTheAddress) {
  for (int i = 0; i < 6; ++i) Admit("user" + std::to_string(i) + "@example.org", "10.0.0.1");
  auto v = Check("fresh@example.org", "10.0.0.1");
  EXPECT_TRUE(v.locked);
  EXPECT_EQ(v.retry_after_seconds, 60);
  EXPECT_FALSE(v.captcha_required);  // the account itself never failed
  EXPECT_FALSE(Check("fresh@example.org", "10.0.0.2").locked);
  EXPECT_FALSE(Check("user0@example.org", "10.0.0.2").locked);
  // A success from elsewhere clears the account, not this address.
  const auto elsewhere = Admit("user0@example.org", "10.0.0.2");
  Succeeded("user0@example.org", "10.0.0.2", elsewhere);
  EXPECT_TRUE(Check("user0@example.org", "10.0.0.1").locked);
  clock_.Advance(60s);
  EXPECT_FALSE(Check("fresh@example.org", "10.0.0.1").locked);
}

TEST_P(ThrottleTest, RetryAfterIsTheLaterOfAccountAndAddress) {
  for (int i = 0; i < 4; ++i) Admit("ann@example.org", "10.0.0.9");  // account locked at t=0
  clock_.Advance(30s);
  for (int i = 0; i < 6; ++i) Admit("x" + std::to_string(i) + "@example.org", "10.0.0.1");
  auto v = Check("ann@example.org", "10.0.0.1");
  EXPECT_TRUE(v.locked);
  EXPECT_EQ(v.retry_after_seconds, 60);  // the address (30 s ago + 60) outlasts the account (30 s left)
  EXPECT_EQ(Check("ann@example.org", "10.0.0.2").retry_after_seconds, 30);
}

// Admission checks and counts under one lock: attempts in flight together cannot overshoot the limit, and
// Retry-After is when the lock lifts.
TEST_P(ThrottleTest, AdmissionStopsAtTheLimitAndRetryAfterIsWhenItLifts) {
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(Admit("ann@example.org", "10.0.0." + std::to_string(i)).admitted);
  clock_.Advance(30s);
  int admitted = 0;
  for (int i = 0; i < 4; ++i) admitted += Admit("ann@example.org", "10.0.1." + std::to_string(i)).admitted;
  EXPECT_EQ(admitted, 2) << "only up to account_failures attempts are ever tried";
  auto v = Admit("ann@example.org", "10.0.2.1");
  ASSERT_FALSE(v.admitted);
  ASSERT_TRUE(v.verdict.locked);
  const int64_t wait = v.verdict.retry_after_seconds;
  EXPECT_EQ(wait, 30);  // the two of t = 0 leave at 60 s
  clock_.Advance(std::chrono::seconds(wait - 1));
  EXPECT_TRUE(Check("ann@example.org", "10.0.2.1").locked);
  clock_.Advance(1s);
  EXPECT_FALSE(Check("ann@example.org", "10.0.2.1").locked) << "still locked after Retry-After";
}

TEST_P(ThrottleTest, ACancelledAttemptDoesNotCount) {
  const auto a = Admit("ann@example.org", "10.0.0.1");
  const auto b = Admit("ann@example.org", "10.0.0.1");
  ASSERT_TRUE(Check("ann@example.org", "10.0.0.1").captcha_required);
  Cancel("ann@example.org", "10.0.0.1", b);
  EXPECT_FALSE(Check("ann@example.org", "10.0.0.1").captcha_required);
  Cancel("ann@example.org", "10.0.0.1", a);
  for (int i = 0; i < 6; ++i) Admit("x" + std::to_string(i) + "@example.org", "10.0.0.9");
  EXPECT_TRUE(Check("y@example.org", "10.0.0.9").locked);
}

TEST_P(ThrottleTest, SuccessClearsTheAccountsFailures) {
  Admit("ann@example.org", "10.0.0.1");
  Admit("ann@example.org", "10.0.0.1");
  ASSERT_TRUE(Check("ann@example.org", "10.0.0.1").captcha_required);
  const auto ok = Admit("ann@example.org", "10.0.0.1");
  Succeeded("ann@example.org", "10.0.0.1", ok);
  EXPECT_FALSE(Check("ann@example.org", "10.0.0.1").captcha_required);
  Admit("ann@example.org", "10.0.0.1");
  EXPECT_FALSE(Check("ann@example.org", "10.0.0.1").captcha_required);
}

TEST_P(ThrottleTest, SweepingDropsExpiredKeysButKeepsLiveFailures) {
  Admit("old@example.org", "10.0.0.1");  // sweeps now, next sweep one window later
  Admit("ann@example.org", "10.0.0.2");
  clock_.Advance(50s);
  Admit("ann@example.org", "10.0.0.2");
  Admit("ann@example.org", "10.0.0.2");
  clock_.Advance(10s);  // 60 s: the sweep is due; the first failures expire now
  Admit("other@example.org", "10.0.0.3");
  auto ann = Check("ann@example.org", "10.0.0.2");
  EXPECT_TRUE(ann.captcha_required);  // the two at 50 s survived the sweep
  EXPECT_FALSE(ann.locked);
  Admit("ann@example.org", "10.0.0.2");
  Admit("ann@example.org", "10.0.0.2");
  EXPECT_TRUE(Check("ann@example.org", "10.0.0.2").locked);  // 4 live failures
  auto old = Check("old@example.org", "10.0.0.1");
  EXPECT_FALSE(old.captcha_required);
  EXPECT_FALSE(old.locked);
  // Many keys over many windows: each check sees only its own window.
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 200; ++i) Admit("k" + std::to_string(i), "a" + std::to_string(i % 7));
    clock_.Advance(61s);
  }
  EXPECT_FALSE(Check("k1", "a1").captcha_required);
  EXPECT_FALSE(Check("k1", "a1").locked);
}

// --- through AccountService::Login ---

class LoginThrottleServiceTest : public LifecycleTest, public ::testing::WithParamInterface<bool> {
 protected:
  // Every service of these tests counts with the throttle of the parameter (shared: rate_events).
  void Reset(const AccountOptions& options, AccountContent* content = nullptr) override {
    AccountOptions o = options;
    o.shared_throttle = GetParam();
    LifecycleTest::Reset(o, content);
  }
  LoginThrottleServiceTest() {
    AccountOptions o = DefaultOptions();
    o.captcha_required = true;
    o.throttle = {.window_seconds = 900, .captcha_after = 3, .account_failures = 6, .address_failures = 50};
    Reset(o);
  }
  Result<LoginResult> Login(const std::string& email, const std::string& password,
                            const std::string& address = "10.0.0.1", const std::string& captcha = "") {
    return svc().Login(email, password, {address, "test"}, captcha);
  }
};

INSTANTIATE_TEST_SUITE_P(Both, LoginThrottleServiceTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Shared" : "Memory"; });

TEST_P(LoginThrottleServiceTest, AfterRepeatedFailuresALoginNeedsASolvedCaptcha) {
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(CodeOf(Login("ann@example.org", "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword)), "captcha_failed");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.0.0.1", "bm90IGEgc29sdXRpb24=")), "captcha_failed");
  const std::string solution = Captcha();
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.0.0.1", solution)), "ok");
  // The solution was consumed: not accepted a second time (the success cleared the failures, so fail
  // three more times to need a captcha again).
  for (int i = 0; i < 3; ++i) EXPECT_EQ(CodeOf(Login("ann@example.org", "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.0.0.1", solution)), "captcha_failed");
  // A solved captcha with a wrong password is still a failure and spends the solution.
  const std::string another = Captcha();
  EXPECT_EQ(CodeOf(Login("ann@example.org", "wrong password", "10.0.0.1", another)), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.0.0.1", another)), "captcha_failed");
}

TEST_P(LoginThrottleServiceTest, TooManyFailuresLockEvenTheRightPasswordUntilTheWindowPasses) {
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 6; ++i) {
    auto r = Login("ann@example.org", "wrong password", "10.0.0.1", i >= 3 ? Captcha() : "");
    EXPECT_EQ(CodeOf(r), "unauthenticated") << i;
  }
  auto locked = Login("ann@example.org", kPassword, "10.0.0.1", Captcha());
  ASSERT_EQ(CodeOf(locked), "rate_limited");
  EXPECT_GT(locked.error().retry_after_seconds, 0);
  EXPECT_LE(locked.error().retry_after_seconds, 900);
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.0.0.99", Captcha())), "rate_limited");  // any address
  clock_.Advance(std::chrono::seconds(locked.error().retry_after_seconds - 1));
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.0.0.1", Captcha())), "rate_limited");
  clock_.Advance(1s);
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword)), "ok");  // window passed: no captcha either
}

TEST_P(LoginThrottleServiceTest, UnknownAddressesGetTheSameVerdictsAsKnownOnes) {
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 8; ++i) {
    const std::string captcha_a = i >= 3 ? Captcha() : "";
    const std::string captcha_b = i >= 3 ? Captcha() : "";
    auto known = Login("ann@example.org", "wrong password", "10.0.0.1", captcha_a);
    auto unknown = Login("nobody@example.org", "wrong password", "10.0.0.2", captcha_b);
    EXPECT_EQ(CodeOf(known), CodeOf(unknown)) << "attempt " << i;
    if (!known.ok() && !unknown.ok()) {
      EXPECT_EQ(known.error().message, unknown.error().message) << "attempt " << i;
      EXPECT_EQ(known.error().retry_after_seconds, unknown.error().retry_after_seconds) << "attempt " << i;
    }
    auto known_bare = Login("ann@example.org", "wrong password", "10.0.0.3");
    auto unknown_bare = Login("nobody@example.org", "wrong password", "10.0.0.4");
    EXPECT_EQ(CodeOf(known_bare), CodeOf(unknown_bare)) << "attempt " << i << " without captcha";
  }
  EXPECT_EQ(CodeOf(Login("nobody@example.org", "wrong password", "10.0.0.5", Captcha())), "rate_limited");
}

TEST_P(LoginThrottleServiceTest, CaseAndSpacesInTheAddressDoNotEscapeTheCount) {
  MustRegisterActive("ann@example.org");
  EXPECT_EQ(CodeOf(Login("ann@example.org", "wrong password", "10.0.0.1")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ANN@Example.org", "wrong password", "10.0.0.2")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login(" ann@EXAMPLE.ORG ", "wrong password", "10.0.0.3")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("Ann@example.org", kPassword, "10.0.0.4")), "captcha_failed");
}

TEST_P(LoginThrottleServiceTest, TheAddressLimitLocksOtherAccountsFromThatAddressOnly) {
  AccountOptions o = DefaultOptions();
  o.captcha_required = true;
  o.throttle = {.window_seconds = 900, .captcha_after = 100, .account_failures = 100, .address_failures = 4};
  Reset(o);
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(CodeOf(Login("guess" + std::to_string(i) + "@example.org", "wrong password", "10.6.6.6")),
              "unauthenticated");
  }
  auto locked = Login("ann@example.org", kPassword, "10.6.6.6");
  ASSERT_EQ(CodeOf(locked), "rate_limited");
  EXPECT_GT(locked.error().retry_after_seconds, 0);
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.0.0.1")), "ok");
  clock_.Advance(900s);
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword, "10.6.6.6")), "ok");
}

TEST_P(LoginThrottleServiceTest, ASuccessfulLoginClearsTheAccountsFailures) {
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 2; ++i) EXPECT_EQ(CodeOf(Login("ann@example.org", "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword)), "ok");
  for (int i = 0; i < 2; ++i) EXPECT_EQ(CodeOf(Login("ann@example.org", "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword)), "ok");  // 4 failures, but 2 since the success
}

TEST_P(LoginThrottleServiceTest, DeletedAccountsAndTheRightPasswordStillCountAsFailures) {
  Account a = MustRegisterActive("ann@example.org");
  ASSERT_TRUE(svc().DeleteAccount(a.id).ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword)), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword)), "captcha_failed");
}

TEST_P(LoginThrottleServiceTest, LimitsCanBeDisabled) {
  AccountOptions o = DefaultOptions();
  o.captcha_required = true;
  o.limits_enabled = false;
  o.throttle = {.window_seconds = 900, .captcha_after = 1, .account_failures = 2, .address_failures = 2};
  Reset(o);
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(CodeOf(Login("ann@example.org", "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login("ann@example.org", kPassword)), "ok");
}

}  // namespace
}  // namespace tribune::accounts::testing
