// The shared login throttle as several servers use it: two throttles (and two AccountServices) on one
// database see each other's failures, a success on one clears the account on the other, attempts in flight
// together on both stay within the limit; expired rows are pruned; garbage keys store nothing unexpected. On
// PostgreSQL (TRIBUNE_TEST_POSTGRES) the second server has its own connection to the database, as another
// process would; on SQLite, which one process owns, both share the Database.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "accounts/lifecycle_fixture.hpp"
#include "accounts/login_throttle.hpp"

namespace tribune::accounts::testing {
namespace {

// The database as a second server sees it.
class SecondServer {
 public:
  explicit SecondServer(::tribune::testing::TempDatabase& tmp) : tmp_(tmp) {
    if (tmp.url().empty()) return;
    auto db = storage::OpenPostgres({.url = tmp.url(), .read_connections = 1});
    if (!db.ok()) throw std::runtime_error(db.error().message);
    own_ = std::move(db).value();
  }
  ~SecondServer() {
    if (own_) own_->Close();
  }
  storage::Database& db() { return own_ ? *own_ : tmp_.db(); }

 private:
  ::tribune::testing::TempDatabase& tmp_;
  std::unique_ptr<storage::Database> own_;
};

class SharedThrottleTest : public ::testing::Test {
 protected:
  static ThrottleOptions Options() {
    return {.window_seconds = 60, .captcha_after = 3, .account_failures = 5, .address_failures = 8};
  }
  static ThrottleVerdict Check(LoginThrottle& t, const std::string& key, const std::string& address) {
    auto v = t.Check(key, address);
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v.ok() ? *v : ThrottleVerdict{};
  }
  static LoginThrottle::Admission Admit(LoginThrottle& t, const std::string& key,
                                        const std::string& address) {
    auto a = t.Admit(key, address);
    EXPECT_TRUE(a.ok()) << a.error().message;
    return a.ok() ? *a : LoginThrottle::Admission{};
  }
  int64_t Rows(const std::string& where = "1 = 1") {
    return tmp_.Count("SELECT COUNT(*) FROM rate_events WHERE " + where);
  }

  ::tribune::testing::TempDatabase tmp_;
  SecondServer second_{tmp_};
  FakeClock clock_;
  SharedLoginThrottle one_{tmp_.db(), clock_, Options()};
  SharedLoginThrottle two_{second_.db(), clock_, Options()};
};

TEST_F(SharedThrottleTest, TwoServersCountTogether) {
  Admit(one_, "ann@example.org", "10.0.0.1");
  Admit(one_, "ann@example.org", "10.0.0.1");
  EXPECT_FALSE(Check(two_, "ann@example.org", "10.0.0.2").captcha_required);
  const auto third = Admit(two_, "ann@example.org", "10.0.0.2");
  EXPECT_FALSE(third.verdict.captcha_required) << "two failures so far";
  EXPECT_TRUE(Check(one_, "ann@example.org", "10.0.0.1").captcha_required) << "2 + 1 failures";
  EXPECT_TRUE(Check(two_, "ann@example.org", "10.0.0.3").captcha_required);
  Admit(one_, "ann@example.org", "10.0.0.1");
  clock_.Advance(10s);
  const auto fifth = Admit(two_, "ann@example.org", "10.0.0.2");
  ASSERT_TRUE(fifth.admitted);
  for (LoginThrottle* t : {static_cast<LoginThrottle*>(&one_), static_cast<LoginThrottle*>(&two_)}) {
    const auto refused = Admit(*t, "ann@example.org", "10.0.0.9");
    EXPECT_FALSE(refused.admitted);
    EXPECT_TRUE(refused.verdict.locked);
    EXPECT_EQ(refused.verdict.retry_after_seconds, 50) << "the oldest of the five leaves 60 s after it came";
  }
  EXPECT_EQ(Rows("bucket = 'login:account:ann@example.org'"), 5);
  EXPECT_EQ(Rows("bucket = 'login:address:10.0.0.2'"), 2);
  clock_.Advance(50s);
  EXPECT_FALSE(Check(one_, "ann@example.org", "10.0.0.1").locked);
  EXPECT_FALSE(Check(two_, "ann@example.org", "10.0.0.1").locked);
}

TEST_F(SharedThrottleTest, TheAddressLimitHoldsAcrossServers) {
  for (int i = 0; i < 8; ++i)
    Admit(i % 2 ? one_ : two_, "guess" + std::to_string(i) + "@example.org", "10.6.6.6");
  EXPECT_TRUE(Check(one_, "ann@example.org", "10.6.6.6").locked);
  EXPECT_TRUE(Check(two_, "ann@example.org", "10.6.6.6").locked);
  EXPECT_FALSE(Check(two_, "ann@example.org", "10.6.6.7").locked);
}

TEST_F(SharedThrottleTest, ASuccessOnOneServerClearsTheAccountOnTheOther) {
  const auto a = Admit(one_, "ann@example.org", "10.0.0.1");
  Admit(one_, "ann@example.org", "10.0.0.1");
  Admit(one_, "ann@example.org", "10.0.0.1");
  Admit(one_, "bob@example.org", "10.0.0.1");
  ASSERT_TRUE(Check(two_, "ann@example.org", "10.0.0.2").captcha_required);
  const auto ok = Admit(two_, "ann@example.org", "10.0.0.2");
  two_.Succeeded("ann@example.org", "10.0.0.2", ok);
  EXPECT_FALSE(Check(one_, "ann@example.org", "10.0.0.1").captcha_required);
  EXPECT_EQ(Rows("bucket = 'login:account:ann@example.org'"), 0);
  EXPECT_EQ(Rows("bucket = 'login:address:10.0.0.2'"), 0) << "the address forgets the successful attempt";
  EXPECT_EQ(Rows("bucket = 'login:address:10.0.0.1'"), 4) << "but not the failures from elsewhere";
  // Cancel removes exactly the attempt's rows, whichever server admitted it.
  two_.Cancel("ann@example.org", "10.0.0.1", a);
  EXPECT_EQ(Rows("bucket = 'login:address:10.0.0.1'"), 3);
  // An admission of another account names rows of other buckets: nothing of them goes.
  const auto bobs = Admit(one_, "bob@example.org", "10.0.0.5");
  one_.Cancel("ann@example.org", "10.0.0.1", bobs);
  one_.Succeeded("carl@example.org", "10.0.0.1", bobs);
  EXPECT_EQ(Rows("bucket = 'login:account:bob@example.org'"), 2);
  EXPECT_EQ(Rows("bucket = 'login:address:10.0.0.5'"), 1);
}

TEST_F(SharedThrottleTest, AttemptsInFlightTogetherOnBothServersStayWithinTheLimit) {
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto a = (i % 2 ? one_ : two_).Admit("ann@example.org", "10.0.0." + std::to_string(i));
      EXPECT_TRUE(a.ok());
      if (a.ok() && a->admitted) ++admitted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 5);
  EXPECT_EQ(Rows("bucket = 'login:account:ann@example.org'"), 5);
}

TEST_F(SharedThrottleTest, ExpiredRowsArePruned) {
  // A process's first admission sweeps every expired "login:" row, and so does its first one a window later.
  tmp_.Exec("INSERT INTO rate_events (bucket, at) VALUES ('push:10.0.0.1', $1)", {clock_.NowMicros()});
  Admit(two_, "ann@example.org", "10.0.0.1");  // server two sweeps at 0 s, next at 60 s
  for (int i = 0; i < 20; ++i) {
    Admit(two_, "k" + std::to_string(i) + "@example.org", "10.0.1." + std::to_string(i));
  }
  EXPECT_EQ(Rows("substr(bucket, 1, 6) = 'login:'"), 42);
  clock_.Advance(30s);
  Admit(one_, "ann@example.org", "10.0.0.1");  // server one sweeps at 30 s, next at 90 s
  clock_.Advance(31s);  // the rows of 0 s have left the window, the ones of 30 s not yet
  Admit(one_, "ann@example.org", "10.0.0.1");
  EXPECT_EQ(Rows("bucket = 'login:account:ann@example.org'"), 2) << "an admission prunes its own buckets";
  EXPECT_EQ(Rows("bucket = 'login:address:10.0.0.1'"), 2);
  EXPECT_EQ(Rows("bucket LIKE 'login:account:k%'"), 20)
      << "no sweep due on server one: other buckets are left";
  Admit(two_, "bob@example.org", "10.0.0.2");  // 61 s: server two's sweep is due
  EXPECT_EQ(Rows("substr(bucket, 1, 6) = 'login:'"), 6) << "ann's 2 + 2 and bob's 1 + 1 are left";
  EXPECT_EQ(Rows("bucket = 'push:10.0.0.1'"), 1) << "the login throttle leaves other limits' rows alone";
}

TEST_F(SharedThrottleTest, GarbageKeysAreStoredAsDigestsAndStillCount) {
  const std::string huge(1 << 20, 'x');
  const std::string binary = std::string("a\0b\xff\xfe", 5);
  for (int i = 0; i < 3; ++i) Admit(one_, huge, binary);
  EXPECT_TRUE(Check(two_, huge, "10.0.0.1").captcha_required);
  EXPECT_FALSE(Check(two_, std::string(1 << 20, 'y'), binary).captcha_required);
  EXPECT_EQ(Rows(), 6);
  EXPECT_EQ(tmp_.Count("SELECT MAX(LENGTH(bucket)) FROM rate_events"), 14 + 1 + 64);
  EXPECT_EQ(Rows("bucket = '" + SharedLoginThrottle::AccountBucket(huge) + "'"), 3);
  // Empty keys are buckets of their own, and quotes are only text.
  Admit(one_, "", "");
  Admit(one_, "'; DELETE FROM rate_events; --", "10.0.0.1");
  EXPECT_EQ(Rows("bucket = 'login:account:'"), 1);
  EXPECT_EQ(Rows("bucket = 'login:address:'"), 1);
  EXPECT_EQ(Rows("bucket = 'login:account:''; DELETE FROM rate_events; --'"), 1);
  EXPECT_EQ(Rows(), 10);
  EXPECT_FALSE(Check(two_, "ann@example.org", "10.0.0.1").captcha_required);
}

// --- two AccountServices, as two servers ---

class TwoServersLoginTest : public LifecycleTest {
 protected:
  TwoServersLoginTest() {
    AccountOptions o = DefaultOptions();
    o.captcha_required = true;
    o.shared_throttle = true;
    o.throttle = {.window_seconds = 900, .captcha_after = 3, .account_failures = 6, .address_failures = 50};
    Reset(o);
    other_ = std::make_unique<AccountService>(second_.db(), clock_, ids_, hasher_, o, &altcha_, &outbox_);
  }
  Result<LoginResult> Login(AccountService& svc, const std::string& password,
                            const std::string& captcha = "") {
    return svc.Login("ann@example.org", password, {"10.0.0.1", "test"}, captcha);
  }
  SecondServer second_{tmp_};
  std::unique_ptr<AccountService> other_;
};

TEST_F(TwoServersLoginTest, FailuresOnEitherServerNeedACaptchaThenLockOnBoth) {
  MustRegisterActive("ann@example.org");
  EXPECT_EQ(CodeOf(Login(svc(), "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login(svc(), "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login(*other_, "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login(svc(), kPassword)), "captcha_failed");
  EXPECT_EQ(CodeOf(Login(*other_, kPassword)), "captcha_failed");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(CodeOf(Login(i % 2 ? svc() : *other_, "wrong password", Captcha())), "unauthenticated");
  }
  for (AccountService* s : {&svc(), other_.get()}) {
    auto locked = Login(*s, kPassword, Captcha());
    ASSERT_EQ(CodeOf(locked), "rate_limited");
    EXPECT_EQ(locked.error().retry_after_seconds, 900);
  }
  clock_.Advance(900s);
  EXPECT_EQ(CodeOf(Login(*other_, kPassword)), "ok");
}

TEST_F(TwoServersLoginTest, ASuccessOnOneServerClearsTheFailuresOnTheOther) {
  MustRegisterActive("ann@example.org");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(CodeOf(Login(svc(), "wrong password")), "unauthenticated");
  EXPECT_EQ(CodeOf(Login(*other_, kPassword, Captcha())), "ok");
  EXPECT_EQ(CodeOf(Login(svc(), kPassword)), "ok") << "no captcha needed any more";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rate_events WHERE bucket = 'login:account:ann@example.org'"), 0);
}

}  // namespace
}  // namespace tribune::accounts::testing
