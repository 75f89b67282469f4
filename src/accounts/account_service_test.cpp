#include <gtest/gtest.h>

#include "accounts/accounts.hpp"
#include "support/temp_database.hpp"

namespace tribune::accounts {
namespace {

using namespace std::chrono_literals;

class AccountServiceTest : public ::testing::Test {
 protected:
  AccountServiceTest()
      : ids_(clock_), hasher_(1024, 1, 2),  // cheap argon2id parameters: tests check behaviour, not cost
        service_(tmp_.db(), clock_, ids_, hasher_, Options()) {}
  static AccountOptions Options() {
    AccountOptions o;
    o.captcha_required = false;
    o.session_idle_seconds = 3600;
    o.session_absolute_seconds = 10 * 3600;
    return o;
  }
  Account MustRegister(const std::string& email, const std::string& password = "correct horse") {
    auto a = service_.Register({email, password, "Reader", true, ""});
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
    return a.ok() ? *a : Account{};
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  PasswordHasher hasher_;
  AccountService service_;
};

TEST_F(AccountServiceTest, RegisterStoresAnArgon2idHashNeverThePassword) {
  MustRegister("Ann@Example.ORG");
  auto rows = tmp_.db().Read("SELECT email, password_hash FROM accounts");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "ann@example.org");
  EXPECT_EQ((*rows)[0].Text(1).rfind("$argon2id$", 0), 0u);
  EXPECT_EQ((*rows)[0].Text(1).find("correct horse"), std::string::npos);
}

TEST_F(AccountServiceTest, EachHashHasItsOwnSalt) {
  MustRegister("ann@example.org");
  MustRegister("bob@example.org");
  auto rows = tmp_.db().Read("SELECT password_hash FROM accounts ORDER BY email");
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_NE((*rows)[0].Text(0), (*rows)[1].Text(0)) << "one password, two accounts: the salts must differ";
}

TEST_F(AccountServiceTest, SecondRegistrationLooksNewButStoresNothing) {
  Account first = MustRegister("ann@example.org");
  Account second = MustRegister(" ANN@example.org ", "other password");
  EXPECT_NE(first.id, second.id);
  EXPECT_EQ(second.email, "ann@example.org");
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM accounts"), 1);
  EXPECT_FALSE(service_.Login("ann@example.org", "other password", {"127.0.0.1", ""}).ok());
  EXPECT_TRUE(service_.Login("ann@example.org", "correct horse", {"127.0.0.1", ""}).ok());
}

TEST_F(AccountServiceTest, RegisterRejectsBadFieldsAndWritesNothing) {
  EXPECT_EQ(service_.Register({"not-an-email", "correct horse", "R", true, ""}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.Register({"a@b.org", "short", "R", true, ""}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.Register({"a@b.org", "correct horse", "  ", true, ""}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.Register({"a@b.org", "correct horse", "R", false, ""}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM accounts"), 0);
}

TEST_F(AccountServiceTest, PasswordLengthCountsCharactersNotBytes) {
  const std::string eleven = "\xC3\xA9\xC3\xA0\xC3\xBC\xC3\xB6\xC3\xA7\xC3\xB1\xC3\xA8\xC3\xAA\xC3\xAB\xC3\xAF\xC3\xAE";
  const std::string twelve = eleven + "\xC3\xB4";  // 24 bytes, 12 characters
  EXPECT_EQ(service_.Register({"a@b.org", eleven, "R", true, ""}).error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(service_.Register({"a@b.org", twelve, "R", true, ""}).ok());
}

TEST_F(AccountServiceTest, CaptchaIsRequiredWhenConfigured) {
  AccountOptions o = Options();
  o.captcha_required = true;
  AccountService strict(tmp_.db(), clock_, ids_, hasher_, o);
  auto r = strict.Register({"a@b.org", "correct horse", "R", true, "anything"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCaptchaFailed);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM accounts"), 0);
}

TEST_F(AccountServiceTest, LoginStoresOnlyTheHashOfANewSessionIdEachTime) {
  MustRegister("ann@example.org");
  auto a = service_.Login("ann@example.org", "correct horse", {"127.0.0.1", "ua"});
  auto b = service_.Login("ann@example.org", "correct horse", {"127.0.0.1", "ua"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->session_token, b->session_token);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM sessions WHERE id_hash = '" + a->session_token + "'"), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM sessions"), 2);
  auto ctx = service_.Authenticate(a->session_token);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->csrf_token, a->csrf_token);
  EXPECT_EQ(ctx->account.roles, std::vector<std::string>{"reader"});
}

TEST_F(AccountServiceTest, WrongPasswordAndUnknownAccountAreBothUnauthenticated) {
  MustRegister("ann@example.org");
  EXPECT_EQ(service_.Login("ann@example.org", "wrong password", {"127.0.0.1", ""}).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(service_.Login("bob@example.org", "correct horse", {"127.0.0.1", ""}).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, SessionExpiresWhenIdleAndAtItsAbsoluteLimit) {
  MustRegister("ann@example.org");
  auto login = service_.Login("ann@example.org", "correct horse", {"127.0.0.1", ""});
  ASSERT_TRUE(login.ok());
  clock_.Advance(59min);
  EXPECT_TRUE(service_.Authenticate(login->session_token).ok());  // refreshes last_seen
  clock_.Advance(59min);
  EXPECT_TRUE(service_.Authenticate(login->session_token).ok());
  clock_.Advance(61min);
  EXPECT_FALSE(service_.Authenticate(login->session_token).ok());  // idle too long

  auto again = service_.Login("ann@example.org", "correct horse", {"127.0.0.1", ""});
  for (int i = 0; i < 20; ++i) {
    clock_.Advance(30min);
    if (!service_.Authenticate(again->session_token).ok()) {
      EXPECT_GE(i, 19);  // 10 h absolute limit = 20 half hours
      return;
    }
  }
  FAIL() << "session outlived its absolute expiry";
}

TEST_F(AccountServiceTest, LogoutEndsTheSession) {
  MustRegister("ann@example.org");
  auto login = service_.Login("ann@example.org", "correct horse", {"127.0.0.1", ""});
  auto ctx = service_.Authenticate(login->session_token);
  ASSERT_TRUE(service_.Logout(ctx->session_hash).ok());
  EXPECT_FALSE(service_.Authenticate(login->session_token).ok());
}

TEST_F(AccountServiceTest, EnsureAccountWithRoleCreatesOrAddsTheRole) {
  auto admin = service_.EnsureAccountWithRole("ed@example.org", "correct horse", "Ed", "editor");
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  EXPECT_TRUE(admin->CanEditArticles());
  auto again = service_.EnsureAccountWithRole("ed@example.org", "", "", "admin");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, admin->id);
  EXPECT_EQ(again->roles, (std::vector<std::string>{"admin", "editor", "reader"}));
  EXPECT_FALSE(service_.EnsureAccountWithRole("ed@example.org", "", "", "overlord").ok());
}

TEST_F(AccountServiceTest, ApiTokensAuthenticateWithoutCsrf) {
  Account a = MustRegister("ann@example.org");
  auto token = service_.CreateApiToken(a.id, "bench");
  ASSERT_TRUE(token.ok());
  auto ctx = service_.AuthenticateBearer(*token);
  ASSERT_TRUE(ctx.ok());
  EXPECT_FALSE(ctx->via_cookie);
  EXPECT_FALSE(service_.AuthenticateBearer("trb_wrong").ok());
}

}  // namespace
}  // namespace tribune::accounts
