// Social login: what a provider-verified identity does to accounts (sign in, link, sign up with consent).
#include <gtest/gtest.h>

#include "accounts/lifecycle_fixture.hpp"

namespace tribune::accounts::testing {
namespace {

class SocialTest : public LifecycleTest {
 protected:
  static SocialIdentity Identity(const std::string& subject, const std::string& email, bool verified = true,
                                 const std::string& name = "Ann Social") {
    return {"example", subject, email, verified, name};
  }
  Result<SocialOutcome> SignIn(const SocialIdentity& identity) {
    return svc().SignInWithIdentity(identity, "/articles/1", "SocialBrowser");
  }
  // A new identity's ticket.
  std::string Ticket(const SocialIdentity& identity) {
    auto out = SignIn(identity);
    EXPECT_EQ(CodeOf(out), "ok");
    if (!out.ok()) return "";
    EXPECT_FALSE(out->login.has_value());
    EXPECT_FALSE(out->signup_ticket.empty());
    return out->signup_ticket;
  }
  int64_t Identities(int64_t account_id) {
    return Count("SELECT COUNT(*) FROM social_identities WHERE account_id = $1", {account_id});
  }
};

TEST_F(SocialTest, ANewIdentityGetsATicketAndNoAccountYet) {
  const std::string ticket = Ticket(Identity("sub-1", "Ann@Example.org"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_identities"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_signups WHERE ticket_hash = $1", {Sha256Hex(ticket)}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_signups WHERE ticket_hash = $1", {ticket}), 0);
  auto peek = svc().PeekSocialSignup(ticket);
  ASSERT_EQ(CodeOf(peek), "ok");
  EXPECT_EQ(peek->email, "ann@example.org");
  EXPECT_EQ(peek->name, "Ann Social");
  EXPECT_TRUE(peek->email_verified);
  EXPECT_EQ(CodeOf(svc().PeekSocialSignup(RandomToken(32))), "gone");
  // A name the provider sent that is not usable falls back to the address's local part.
  auto odd = svc().PeekSocialSignup(Ticket(Identity("sub-2", "bob@example.org", true, "\x01")));
  ASSERT_EQ(CodeOf(odd), "ok");
  EXPECT_EQ(odd->name, "bob");
}

TEST_F(SocialTest, SignupNeedsTheTermsThenCreatesAnActiveAccountWithConsentsAndASession) {
  ASSERT_TRUE(svc().PublishPolicy("Privacy policy, version 2.", 0).ok());
  const std::string ticket = Ticket(Identity("sub-1", "ann@example.org"));
  EXPECT_EQ(CodeOf(svc().CompleteSocialSignup(ticket, false, "Ann", "SocialBrowser")), "bad_request");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 0);

  auto done = svc().CompleteSocialSignup(ticket, true, "", "SocialBrowser");  // the refusal did not spend it
  ASSERT_EQ(CodeOf(done), "ok");
  const Account& a = done->account;
  EXPECT_EQ(a.status, "active");
  EXPECT_EQ(a.email, "ann@example.org");
  EXPECT_EQ(a.display_name, "Ann Social");
  EXPECT_EQ(a.consent_version, 2);
  EXPECT_EQ(StatusOf(a.id), "active");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts WHERE id = $1 AND confirmed_at IS NOT NULL", {a.id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_identities WHERE provider = 'example' AND subject = 'sub-1'"
                  " AND account_id = $1", {a.id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log WHERE account_id = $1 AND document = 'community_standards'"
                  " AND version = 1 AND method = 'social_registration'", {a.id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log WHERE account_id = $1 AND document = 'privacy_policy'"
                  " AND version = 2 AND method = 'social_registration'", {a.id}), 1);
  auto ctx = svc().Authenticate(done->session_token);
  ASSERT_EQ(CodeOf(ctx), "ok");
  EXPECT_EQ(ctx->account.id, a.id);
  EXPECT_EQ(Mails("confirm_account").size(), 0u);  // the provider verified the address

  EXPECT_EQ(CodeOf(svc().CompleteSocialSignup(ticket, true, "Ann", "SocialBrowser")), "gone");
  EXPECT_EQ(CodeOf(svc().PeekSocialSignup(ticket)), "gone");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 1);
}

TEST_F(SocialTest, AnUnverifiedNewAddressSignsUpUnconfirmedAndGetsAConfirmLink) {
  const std::string ticket = Ticket(Identity("sub-1", "ann@example.org", false));
  auto done = svc().CompleteSocialSignup(ticket, true, "Ann", "SocialBrowser");
  ASSERT_EQ(CodeOf(done), "ok");
  EXPECT_EQ(done->account.status, "unconfirmed");
  const std::string link = LastToken("confirm_account", "/confirm", done->account.id);
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(link)), "ok");
  EXPECT_EQ(StatusOf(done->account.id), "active");
}

TEST_F(SocialTest, SignupTicketsExpireAndABadNameIsRefused) {
  const std::string ticket = Ticket(Identity("sub-1", "ann@example.org"));
  EXPECT_EQ(CodeOf(svc().CompleteSocialSignup(ticket, true, std::string(200, 'n'), "ua")), "bad_request");
  clock_.Advance(31min);
  EXPECT_EQ(CodeOf(svc().CompleteSocialSignup(ticket, true, "Ann", "ua")), "gone");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 0);
}

TEST_F(SocialTest, AKnownIdentitySignsInDirectly) {
  auto done = svc().CompleteSocialSignup(Ticket(Identity("sub-1", "ann@example.org")), true, "", "ua");
  ASSERT_EQ(CodeOf(done), "ok");
  // The provider may report another address later: the subject is what identifies the reader.
  auto again = SignIn(Identity("sub-1", "renamed@example.org", false));
  ASSERT_EQ(CodeOf(again), "ok");
  ASSERT_TRUE(again->login.has_value());
  EXPECT_TRUE(again->signup_ticket.empty());
  EXPECT_EQ(again->login->account.id, done->account.id);
  EXPECT_TRUE(svc().Authenticate(again->login->session_token).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_signups"), 0);
}

TEST_F(SocialTest, AVerifiedAddressOfAnUnconfirmedAccountLinksConfirmsAndEndsTheUnprovenPassword) {
  Account a = MustRegister("ann@example.org");  // unconfirmed: whoever registered never proved the address
  auto squatter = svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""});
  ASSERT_EQ(CodeOf(squatter), "ok");
  const std::string confirm = LastToken("confirm_account", "/confirm", a.id);

  auto out = SignIn(Identity("sub-1", "ANN@example.org", true));
  ASSERT_EQ(CodeOf(out), "ok");
  ASSERT_TRUE(out->login.has_value());
  EXPECT_TRUE(out->signup_ticket.empty());
  EXPECT_EQ(out->login->account.id, a.id);
  EXPECT_EQ(out->login->account.status, "active");
  EXPECT_EQ(StatusOf(a.id), "active");
  EXPECT_EQ(Identities(a.id), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts WHERE id = $1 AND confirmed_at IS NOT NULL", {a.id}), 1);
  // The provider proved the address: the password set by whoever registered it, and its sessions, end.
  EXPECT_FALSE(svc().Authenticate(squatter->session_token).ok());
  EXPECT_TRUE(svc().Authenticate(out->login->session_token).ok());
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""})), "unauthenticated");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(confirm)), "gone");
  auto next = SignIn(Identity("sub-1", "ann@example.org", true));
  ASSERT_TRUE(next.ok() && next->login.has_value());
  EXPECT_EQ(next->login->account.id, a.id);
  EXPECT_EQ(Identities(a.id), 1);
}

TEST_F(SocialTest, AVerifiedAddressOfAnActiveAccountLinksItAndKeepsThePassword) {
  Account a = MustRegisterActive("ann@example.org");
  auto before = svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""});
  ASSERT_EQ(CodeOf(before), "ok");
  auto out = SignIn(Identity("sub-1", "ann@example.org", true));
  ASSERT_EQ(CodeOf(out), "ok");
  ASSERT_TRUE(out->login.has_value());
  EXPECT_EQ(out->login->account.id, a.id);
  EXPECT_EQ(Identities(a.id), 1);
  EXPECT_TRUE(svc().Authenticate(before->session_token).ok());
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""})), "ok");
  // A second provider links too.
  auto other = svc().SignInWithIdentity({"other", "o-1", "ann@example.org", true, "Ann"}, "/", "ua");
  ASSERT_TRUE(other.ok() && other->login.has_value());
  EXPECT_EQ(Identities(a.id), 2);
}

TEST_F(SocialTest, AnUnverifiedAddressOfAnExistingAccountIsAConflictAndLinksNothing) {
  Account a = MustRegister("ann@example.org");
  auto out = SignIn(Identity("sub-1", "ann@example.org", false));
  EXPECT_EQ(CodeOf(out), "conflict");
  EXPECT_EQ(Identities(a.id), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_identities"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_signups"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions"), 0);
  EXPECT_EQ(StatusOf(a.id), "unconfirmed");
}

TEST_F(SocialTest, ADeletedAccountCannotSignInSociallyByIdentityOrByAddress) {
  auto done = svc().CompleteSocialSignup(Ticket(Identity("sub-1", "ann@example.org")), true, "", "ua");
  ASSERT_EQ(CodeOf(done), "ok");
  Account bob = MustRegisterActive("bob@example.org");
  ASSERT_TRUE(svc().DeleteAccount(done->account.id).ok());
  ASSERT_TRUE(svc().DeleteAccount(bob.id).ok());
  const int64_t sessions = Count("SELECT COUNT(*) FROM sessions");

  EXPECT_EQ(CodeOf(SignIn(Identity("sub-1", "ann@example.org"))), "forbidden");
  EXPECT_EQ(CodeOf(SignIn(Identity("sub-9", "bob@example.org", true))), "forbidden");
  EXPECT_EQ(Identities(bob.id), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions"), sessions);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_signups"), 0);
  EXPECT_EQ(StatusOf(bob.id), "deleted");

  // After the purge the identity is gone and the address is free: a new sign-up starts.
  clock_.Advance(std::chrono::seconds(31 * 86400));
  ASSERT_EQ(*svc().PurgeDue(), 2);
  auto fresh = SignIn(Identity("sub-1", "ann@example.org"));
  ASSERT_EQ(CodeOf(fresh), "ok");
  EXPECT_FALSE(fresh->login.has_value());
  EXPECT_FALSE(fresh->signup_ticket.empty());
}

TEST_F(SocialTest, AnAddressTakenMeanwhileMakesTheSignupAConflict) {
  const std::string ticket = Ticket(Identity("sub-1", "ann@example.org"));
  MustRegister("ann@example.org");
  EXPECT_EQ(CodeOf(svc().CompleteSocialSignup(ticket, true, "Ann", "ua")), "conflict");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_identities"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log WHERE method = 'social_registration'"), 0);
}

TEST_F(SocialTest, MissingProviderDataIsABadRequest) {
  EXPECT_EQ(CodeOf(SignIn({"", "sub", "ann@example.org", true, "Ann"})), "bad_request");
  EXPECT_EQ(CodeOf(SignIn({"example", "", "ann@example.org", true, "Ann"})), "bad_request");
  EXPECT_EQ(CodeOf(SignIn({"example", "sub", "no address", true, "Ann"})), "bad_request");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_signups"), 0);
}

}  // namespace
}  // namespace tribune::accounts::testing
