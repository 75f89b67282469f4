// The account lifecycle end to end over a real database and outbox: registration and confirmation,
// password recovery, deletion / restore / purge / re-applied purges, privacy-policy consent, export.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "accounts/lifecycle_fixture.hpp"

namespace tribune::accounts::testing {
namespace {

namespace json = boost::json;

int64_t Days(int64_t d) { return d * 86400; }

// --- registration ---

TEST_F(LifecycleTest, RegisterStoresAnUnconfirmedAccountItsConsentsAndOneHashedConfirmLink) {
  ASSERT_TRUE(svc().PublishPolicy("Privacy policy, version 2.", 0).ok());  // the current version is 2, not 1
  Account a = MustRegister("Ann@Example.org");
  EXPECT_EQ(a.status, "unconfirmed");
  EXPECT_EQ(StatusOf(a.id), "unconfirmed");
  EXPECT_EQ(Text("SELECT substr(password_hash, 1, 10) FROM accounts WHERE id = $1", {a.id}), "$argon2id$");
  EXPECT_EQ(Count("SELECT consent_version FROM accounts WHERE id = $1", {a.id}), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log WHERE account_id = $1 AND document = 'community_standards'"
                  " AND version = 1 AND method = 'registration'", {a.id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log WHERE account_id = $1 AND document = 'privacy_policy'"
                  " AND version = 2 AND method = 'registration'", {a.id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log"), 2);

  auto mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].kind, "confirm_account");
  EXPECT_EQ(mails[0].recipient, "ann@example.org");
  EXPECT_EQ(mails[0].account_id, a.id);
  const std::string token = TokenIn(mails[0].message, "/confirm");
  ASSERT_GE(token.size(), 40u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash = $1 AND purpose = 'confirm'"
                  " AND account_id = $2", {Sha256Hex(token), a.id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash LIKE '%' || $1 || '%' OR purpose LIKE '%' || $1 || '%'",
                  {token}), 0);
}

TEST_F(LifecycleTest, DuplicateAddressAnswersLikeNewAndMailsTheOwnerOnceAnHour) {
  Account first = MustRegister("ann@example.org");
  Account dup = MustRegister(" ANN@example.org ", "lantern orchard quietly", "Impostor");
  EXPECT_NE(dup.id, first.id);
  EXPECT_EQ(dup.email, first.email);
  EXPECT_EQ(dup.status, first.status);
  EXPECT_EQ(dup.roles, first.roles);
  EXPECT_EQ(dup.consent_version, first.consent_version);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts WHERE id = $1", {dup.id}), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens"), 1);
  auto dups = Mails("duplicate_registration");
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0].recipient, "ann@example.org");
  EXPECT_EQ(dups[0].account_id, first.id);
  EXPECT_EQ(Mails("confirm_account").size(), 1u);

  clock_.Advance(20min);
  MustRegister("ann@example.org", "marble pigeon sunrise");
  EXPECT_EQ(Mails("duplicate_registration").size(), 1u);  // de-duplicated within the hour
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 1);
  clock_.Advance(2h);
  MustRegister("ann@example.org", "copper meadow whistle");
  EXPECT_EQ(Mails("duplicate_registration").size(), 2u);  // a later attempt is told again
}

TEST_F(LifecycleTest, RegistrationCaptchaIsVerifiedAndSingleUse) {
  AccountOptions o = DefaultOptions();
  o.captcha_required = true;
  Reset(o);
  auto missing = svc().Register({"ann@example.org", kPassword, "Ann", true, ""});
  EXPECT_EQ(CodeOf(missing), "captcha_failed");
  auto garbage = svc().Register({"ann@example.org", kPassword, "Ann", true, "bm90IGEgc29sdXRpb24="});
  EXPECT_EQ(CodeOf(garbage), "captcha_failed");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 0);

  const std::string solution = Captcha();
  auto ok = svc().Register({"ann@example.org", kPassword, "Ann", true, solution});
  ASSERT_EQ(CodeOf(ok), "ok");
  auto replay = svc().Register({"bob@example.org", kPassword, "Bob", true, solution});
  EXPECT_EQ(CodeOf(replay), "captcha_failed");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts WHERE email = 'bob@example.org'"), 0);
  EXPECT_EQ(Mails().size(), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log"), 2);
}

TEST_F(LifecycleTest, GarbageRegistrationsAreRefusedAndStoreNothing) {
  const std::string nul_password("correct horse\0battery", 21);
  struct Case {
    const char* what;
    RegisterRequest req;
  } cases[] = {
      {"bad e-mail", {"not-an-email", kPassword, "Ann", true, ""}},
      {"two @", {"a@b@example.org", kPassword, "Ann", true, ""}},
      {"CRLF in e-mail", {"ann@example.org\r\nBcc: x@y.org", kPassword, "Ann", true, ""}},
      {"short password", {"ann@example.org", "short", "Ann", true, ""}},
      {"terms not accepted", {"ann@example.org", kPassword, "Ann", false, ""}},
      {"10 KB display name", {"ann@example.org", kPassword, std::string(10 * 1024, 'x'), true, ""}},
      {"blank display name", {"ann@example.org", kPassword, " \t ", true, ""}},
      {"invalid UTF-8 name", {"ann@example.org", kPassword, "Ann\xC3", true, ""}},
      {"NUL in password", {"ann@example.org", nul_password, "Ann", true, ""}},
      {"invalid UTF-8 password", {"ann@example.org", "correct horse \xFF\xFE", "Ann", true, ""}},
  };
  for (const auto& c : cases) {
    auto r = svc().Register(c.req);
    EXPECT_EQ(CodeOf(r), "bad_request") << c.what;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_roles"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens"), 0);
}

// --- confirmation ---

TEST_F(LifecycleTest, ConfirmActivatesOnceThenTheLinkIsGone) {
  Account a = MustRegister("ann@example.org");
  const std::string token = LastToken("confirm_account", "/confirm");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(token)), "ok");
  EXPECT_EQ(StatusOf(a.id), "active");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts WHERE id = $1 AND confirmed_at IS NOT NULL", {a.id}), 1);
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(token)), "gone");
  EXPECT_EQ(StatusOf(a.id), "active");
}

TEST_F(LifecycleTest, ForgedOrTruncatedConfirmTokensAreBadRequests) {
  Account a = MustRegister("ann@example.org");
  const std::string token = LastToken("confirm_account", "/confirm");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(RandomToken(32))), "bad_request");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(token.substr(0, token.size() - 1))), "bad_request");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(token.substr(0, 20))), "bad_request");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(token.substr(0, 8))), "bad_request");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail("")), "bad_request");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(Sha256Hex(token))), "bad_request");  // the stored hash is no token
  EXPECT_EQ(StatusOf(a.id), "unconfirmed");
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(token)), "ok");  // none of that spent the real link
}

TEST_F(LifecycleTest, ConfirmLinkExpires) {
  Account early = MustRegister("early@example.org");
  const std::string early_token = LastToken("confirm_account", "/confirm", early.id);
  Account late = MustRegister("late@example.org");
  const std::string late_token = LastToken("confirm_account", "/confirm", late.id);
  clock_.Advance(std::chrono::seconds(svc().options().confirm_link_seconds - 1));
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(early_token)), "ok");
  clock_.Advance(2s);
  EXPECT_EQ(CodeOf(svc().ConfirmEmail(late_token)), "gone");
  EXPECT_EQ(StatusOf(late.id), "unconfirmed");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE account_id = $1 AND used_at IS NULL", {late.id}), 1);
}

// --- recovery ---

TEST_F(LifecycleTest, ResetRequestForAnUnknownAddressAnswersOkAndSendsNothing) {
  MustRegisterActive("ann@example.org");
  const int64_t mails = Mails().size();
  EXPECT_EQ(CodeOf(svc().RequestPasswordReset("nobody@example.org", "")), "ok");
  EXPECT_EQ(static_cast<int64_t>(Mails().size()), mails);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE purpose = 'reset'"), 0);
  EXPECT_EQ(CodeOf(svc().RequestPasswordReset("not an address", "")), "bad_request");

  EXPECT_EQ(CodeOf(svc().RequestPasswordReset(" ANN@example.org", "")), "ok");
  auto resets = Mails("password_reset");
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].recipient, "ann@example.org");
  EXPECT_FALSE(TokenIn(resets[0].message, "/password-reset/confirm").empty());
}

TEST_F(LifecycleTest, ResetRequestsNeedASolvedCaptchaWhenConfigured) {
  AccountOptions o = DefaultOptions();
  o.captcha_required = true;
  Reset(o);
  MustRegisterActive("ann@example.org");
  EXPECT_EQ(CodeOf(svc().RequestPasswordReset("ann@example.org", "")), "captcha_failed");
  const std::string solution = Captcha();
  EXPECT_EQ(CodeOf(svc().RequestPasswordReset("ann@example.org", solution)), "ok");
  EXPECT_EQ(CodeOf(svc().RequestPasswordReset("ann@example.org", solution)), "captcha_failed");
  EXPECT_EQ(CodeOf(svc().RequestPasswordReset("nobody@example.org", solution)), "captcha_failed");
  EXPECT_EQ(Mails("password_reset").size(), 1u);
}

TEST_F(LifecycleTest, ResetSetsThePasswordEndsEverySessionAndKillsOtherLinks) {
  Account a = MustRegisterActive("ann@example.org");
  auto s1 = svc().Login("ann@example.org", kPassword, {"10.0.0.1", "phone"});
  auto s2 = svc().Login("ann@example.org", kPassword, {"10.0.0.2", "laptop"});
  ASSERT_TRUE(s1.ok() && s2.ok());
  ASSERT_TRUE(svc().RequestPasswordReset("ann@example.org", "").ok());
  const std::string first = LastToken("password_reset", "/password-reset/confirm");
  ASSERT_TRUE(svc().RequestPasswordReset("ann@example.org", "").ok());
  const std::string second = LastToken("password_reset", "/password-reset/confirm");
  ASSERT_NE(first, second);

  ASSERT_EQ(CodeOf(svc().ResetPassword(second, "granite river lullaby")), "ok");
  EXPECT_FALSE(svc().Authenticate(s1->session_token).ok());
  EXPECT_FALSE(svc().Authenticate(s2->session_token).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions WHERE account_id = $1", {a.id}), 0);
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""})), "unauthenticated");
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", "granite river lullaby", {"10.0.0.1", ""})), "ok");
  EXPECT_EQ(CodeOf(svc().ResetPassword(second, "saffron tunnel echo")), "gone");
  EXPECT_EQ(CodeOf(svc().ResetPassword(first, "saffron tunnel echo")), "gone");
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", "granite river lullaby", {"10.0.0.1", ""})), "ok");
  auto changed = Mails("password_changed");
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].recipient, "ann@example.org");
}

TEST_F(LifecycleTest, ResetLinkExpiresAfterThirtyMinutes) {
  MustRegisterActive("ann@example.org");
  ASSERT_TRUE(svc().RequestPasswordReset("ann@example.org", "").ok());
  const std::string old_link = LastToken("password_reset", "/password-reset/confirm");
  clock_.Advance(29min);
  ASSERT_TRUE(svc().RequestPasswordReset("ann@example.org", "").ok());
  const std::string fresh_link = LastToken("password_reset", "/password-reset/confirm");
  clock_.Advance(2min);  // old: 31 minutes, fresh: 2 minutes
  EXPECT_EQ(CodeOf(svc().ResetPassword(old_link, "granite river lullaby")), "gone");
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""})), "ok");
  EXPECT_EQ(CodeOf(svc().ResetPassword(fresh_link, "granite river lullaby")), "ok");
  EXPECT_EQ(Mails("password_changed").size(), 1u);
}

TEST_F(LifecycleTest, AFailedResetAttemptDoesNotSpendTheLink) {
  Account a = MustRegister("ann@example.org");  // unconfirmed: following the link proves the address
  ASSERT_TRUE(svc().RequestPasswordReset("ann@example.org", "").ok());
  const std::string link = LastToken("password_reset", "/password-reset/confirm");
  EXPECT_EQ(CodeOf(svc().ResetPassword(link, "short")), "bad_request");
  EXPECT_EQ(CodeOf(svc().ResetPassword(link, std::string("correct horse\0x", 15))), "bad_request");
  EXPECT_EQ(CodeOf(svc().ResetPassword(link, std::string(2000, 'x'))), "bad_request");
  EXPECT_EQ(Mails("password_changed").size(), 0u);
  EXPECT_EQ(CodeOf(svc().ResetPassword(link, "granite river lullaby")), "ok");
  EXPECT_EQ(StatusOf(a.id), "active");
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", "granite river lullaby", {"10.0.0.1", ""})), "ok");
}

// --- deletion, restore, purge ---

TEST_F(LifecycleTest, DeleteEndsSessionsRefusesLoginAndMailsARestoreLink) {
  Account a = MustRegisterActive("ann@example.org");
  auto session = svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""});
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(svc().RequestPasswordReset("ann@example.org", "").ok());
  const std::string reset = LastToken("password_reset", "/password-reset/confirm");

  ASSERT_EQ(CodeOf(svc().DeleteAccount(a.id)), "ok");
  EXPECT_EQ(StatusOf(a.id), "deleted");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions WHERE account_id = $1", {a.id}), 0);
  EXPECT_FALSE(svc().Authenticate(session->session_token).ok());
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""})), "unauthenticated");
  EXPECT_EQ(CodeOf(svc().ResetPassword(reset, "granite river lullaby")), "gone");  // earlier links died
  auto deleted = Mails("account_deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].recipient, "ann@example.org");
  EXPECT_FALSE(TokenIn(deleted[0].message, "/restore").empty());
  // A reset request for a deleted account sends nothing.
  EXPECT_EQ(CodeOf(svc().RequestPasswordReset("ann@example.org", "")), "ok");
  EXPECT_EQ(Mails("password_reset").size(), 1u);
}

TEST_F(LifecycleTest, RestoreWithinThePeriodBringsBackThePreviousStatusOnce) {
  Account active = MustRegisterActive("ann@example.org");
  Account unconfirmed = MustRegister("bob@example.org");
  ASSERT_TRUE(svc().DeleteAccount(active.id).ok());
  ASSERT_TRUE(svc().DeleteAccount(unconfirmed.id).ok());
  const std::string active_link = LastToken("account_deleted", "/restore", active.id);
  const std::string unconfirmed_link = LastToken("account_deleted", "/restore", unconfirmed.id);
  clock_.Advance(std::chrono::seconds(Days(29)));

  auto back = svc().RestoreAccount(active_link);
  ASSERT_EQ(CodeOf(back), "ok");
  EXPECT_EQ(back->status, "active");
  EXPECT_EQ(StatusOf(active.id), "active");
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""})), "ok");
  auto back2 = svc().RestoreAccount(unconfirmed_link);
  ASSERT_EQ(CodeOf(back2), "ok");
  EXPECT_EQ(back2->status, "unconfirmed");
  EXPECT_EQ(Mails("account_restored").size(), 2u);

  EXPECT_EQ(CodeOf(svc().RestoreAccount(active_link)), "gone");
  EXPECT_EQ(CodeOf(svc().RestoreAccount(RandomToken(32))), "bad_request");
  // Deleted again later: the new period starts then, and PurgeDue at day 31 of the first leaves it.
  ASSERT_TRUE(svc().DeleteAccount(active.id).ok());
  clock_.Advance(std::chrono::seconds(Days(2)));
  EXPECT_EQ(*svc().PurgeDue(), 0);
  EXPECT_EQ(StatusOf(active.id), "deleted");
}

TEST_F(LifecycleTest, RestoreAfterThePeriodIsGone) {
  Account a = MustRegisterActive("ann@example.org");
  ASSERT_TRUE(svc().DeleteAccount(a.id).ok());
  const std::string link = LastToken("account_deleted", "/restore");
  clock_.Advance(std::chrono::seconds(Days(31)));
  EXPECT_EQ(CodeOf(svc().RestoreAccount(link)), "gone");
  EXPECT_EQ(StatusOf(a.id), "deleted");
}

TEST_F(LifecycleTest, PurgeWaitsForThePeriodThenErasesPersonalData) {
  Account a = MustRegisterActive("ann@example.org");
  Account bob = MustRegisterActive("bob@example.org");
  ASSERT_TRUE(Exec("UPDATE accounts SET has_avatar = 1 WHERE id = $1", {a.id}).ok());
  ASSERT_TRUE(Exec("INSERT INTO avatars (account_id, content_type, image_b64, etag, updated_at)"
                   " VALUES ($1, 'image/webp', 'AAAA', 'e1', 0)", {a.id}).ok());
  ASSERT_TRUE(Exec("INSERT INTO social_identities (provider, subject, account_id, email, created_at)"
                   " VALUES ('example', 'sub-ann', $1, 'ann@example.org', 0)", {a.id}).ok());
  ASSERT_TRUE(svc().CreateApiToken(a.id, "bench").ok());
  ASSERT_TRUE(svc().DeleteAccount(a.id).ok());
  const std::string link = LastToken("account_deleted", "/restore");
  ASSERT_GT(Count("SELECT COUNT(*) FROM mail_outbox WHERE account_id = $1", {a.id}), 0);

  clock_.Advance(std::chrono::seconds(Days(29)));
  EXPECT_EQ(*svc().PurgeDue(), 0);
  EXPECT_EQ(StatusOf(a.id), "deleted");
  EXPECT_EQ(Text("SELECT email FROM accounts WHERE id = $1", {a.id}), "ann@example.org");
  EXPECT_EQ(PurgeLog(), "");

  clock_.Advance(std::chrono::seconds(Days(2)));
  EXPECT_EQ(*svc().PurgeDue(), 1);
  EXPECT_EQ(StatusOf(a.id), "purged");
  EXPECT_EQ(Text("SELECT email FROM accounts WHERE id = $1", {a.id}), "purged-" + std::to_string(a.id) + "@invalid");
  EXPECT_EQ(Text("SELECT display_name FROM accounts WHERE id = $1", {a.id}), "");
  EXPECT_EQ(Text("SELECT password_hash FROM accounts WHERE id = $1", {a.id}), "");
  EXPECT_EQ(Count("SELECT has_avatar FROM accounts WHERE id = $1", {a.id}), 0);
  for (const char* table : {"avatars", "mail_outbox", "social_identities", "sessions", "account_roles", "api_tokens"}) {
    EXPECT_EQ(Count(std::string("SELECT COUNT(*) FROM ") + table + " WHERE account_id = $1", {a.id}), 0) << table;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE account_id = $1 AND used_at IS NULL", {a.id}), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purged_accounts WHERE account_id = $1", {a.id}), 1);
  EXPECT_EQ(PurgeLog(), std::to_string(a.id) + "\n");
  EXPECT_EQ(CodeOf(svc().RestoreAccount(link)), "gone");  // a late click: gone, not "invalid link"
  EXPECT_EQ(CodeOf(svc().Login("ann@example.org", kPassword, {"10.0.0.1", ""})), "unauthenticated");
  // Bob is untouched; a second run purges nothing.
  EXPECT_EQ(StatusOf(bob.id), "active");
  EXPECT_GT(Count("SELECT COUNT(*) FROM mail_outbox WHERE account_id = $1", {bob.id}), 0);
  EXPECT_EQ(*svc().PurgeDue(), 0);
  EXPECT_EQ(PurgeLog(), std::to_string(a.id) + "\n");
}

TEST_F(LifecycleTest, ReapplyPurgesErasesDataARestoredBackupBroughtBackUsingTheLog) {
  Account a = MustRegisterActive("ann@example.org");
  ASSERT_TRUE(svc().DeleteAccount(a.id).ok());
  clock_.Advance(std::chrono::seconds(Days(31)));
  ASSERT_EQ(*svc().PurgeDue(), 1);
  EXPECT_EQ(*svc().ReapplyPurges(), 0);  // nothing to erase again

  // What a backup from before the purge holds: the personal data, no purged_accounts row.
  auto bring_back = [&] {
    ASSERT_TRUE(Exec("UPDATE accounts SET email = 'ann@example.org', display_name = 'Ann', password_hash = 'h',"
                     " status = 'deleted' WHERE id = $1", {a.id}).ok());
    ASSERT_TRUE(Exec("INSERT INTO social_identities (provider, subject, account_id, email, created_at)"
                     " VALUES ('example', 'sub-ann', $1, 'ann@example.org', 0)", {a.id}).ok());
    ASSERT_TRUE(Exec("DELETE FROM purged_accounts WHERE account_id = $1", {a.id}).ok());
  };
  bring_back();
  {
    AccountOptions no_log = DefaultOptions();
    no_log.purge_log = "";
    AccountService blind(tmp_.db(), clock_, ids_, hasher_, no_log, nullptr, &outbox_);
    EXPECT_EQ(*blind.ReapplyPurges(), 0);  // without the log the id is forgotten
    EXPECT_EQ(Text("SELECT email FROM accounts WHERE id = $1", {a.id}), "ann@example.org");
  }
  EXPECT_EQ(*svc().ReapplyPurges(), 1);
  EXPECT_EQ(StatusOf(a.id), "purged");
  EXPECT_EQ(Text("SELECT email FROM accounts WHERE id = $1", {a.id}), "purged-" + std::to_string(a.id) + "@invalid");
  EXPECT_EQ(Text("SELECT display_name || password_hash FROM accounts WHERE id = $1", {a.id}), "");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM social_identities WHERE account_id = $1", {a.id}), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM purged_accounts WHERE account_id = $1", {a.id}), 1);
}

// A real restore: the database file copied before the purge is put back.
TEST_F(LifecycleTest, ReapplyPurgesAfterRestoringTheDatabaseFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("tribune-backup-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto live = dir / "live.db";
  const auto backup = dir / "backup.db";
  auto open = [&] {
    auto db = storage::OpenSqlite({.path = live.string(), .read_connections = 1});
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
    return db.ok() ? std::move(db).value() : nullptr;
  };
  auto erase_wal = [&] {
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(live.string() + suffix);
  };
  int64_t id = 0;
  {
    auto db = open();
    ASSERT_TRUE(db);
    AccountService s(*db, clock_, ids_, hasher_, DefaultOptions(), nullptr, &outbox_);
    auto a = s.Register({"ann@example.org", kPassword, "Ann", true, ""});
    ASSERT_TRUE(a.ok());
    id = a->id;
    ASSERT_TRUE(s.DeleteAccount(id).ok());
  }
  std::filesystem::copy_file(live, backup);  // closed: the WAL was checkpointed into the file
  clock_.Advance(std::chrono::seconds(Days(31)));
  {
    auto db = open();
    ASSERT_TRUE(db);
    AccountService s(*db, clock_, ids_, hasher_, DefaultOptions(), nullptr, &outbox_);
    ASSERT_EQ(*s.PurgeDue(), 1);
  }
  erase_wal();
  std::filesystem::copy_file(backup, live, std::filesystem::copy_options::overwrite_existing);
  {
    auto db = open();
    ASSERT_TRUE(db);
    auto before = db->Read("SELECT email FROM accounts WHERE id = $1", {id});
    ASSERT_TRUE(before.ok() && before->size() == 1u);
    EXPECT_EQ((*before)[0].Text(0), "ann@example.org");  // the backup brought the data back
    AccountService s(*db, clock_, ids_, hasher_, DefaultOptions(), nullptr, &outbox_);
    EXPECT_EQ(*s.ReapplyPurges(), 1);
    auto after = db->Read("SELECT email, display_name, password_hash, status FROM accounts WHERE id = $1", {id});
    ASSERT_TRUE(after.ok() && after->size() == 1u);
    EXPECT_EQ((*after)[0].Text(0), "purged-" + std::to_string(id) + "@invalid");
    EXPECT_EQ((*after)[0].Text(1), "");
    EXPECT_EQ((*after)[0].Text(2), "");
    EXPECT_EQ((*after)[0].Text(3), "purged");
    auto mails = db->Read("SELECT COUNT(*) FROM mail_outbox WHERE account_id = $1", {id});
    EXPECT_EQ((*mails)[0].Int(0), 0);
    EXPECT_EQ(*s.ReapplyPurges(), 0);
  }
  std::filesystem::remove_all(dir);
}

// --- privacy policy and consent ---

TEST_F(LifecycleTest, PolicyVersionsAndRecordedConsent) {
  EXPECT_EQ(svc().CurrentPolicyVersion(), 1);  // InitPolicy on the empty database published version 1
  EXPECT_EQ(Count("SELECT COUNT(*) FROM privacy_policies"), 1);
  EXPECT_EQ(svc().CurrentPolicy()->text, "Privacy policy, version 1.");
  Account a = MustRegisterActive("ann@example.org");
  EXPECT_EQ(CodeOf(svc().PublishPolicy("", 0)), "bad_request");
  auto v2 = svc().PublishPolicy("Privacy policy, version 2.", 0);
  ASSERT_EQ(CodeOf(v2), "ok");
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(svc().CurrentPolicyVersion(), 2);

  const int64_t consents = Count("SELECT COUNT(*) FROM consent_log");
  EXPECT_EQ(CodeOf(svc().RecordConsent(a.id, 1)), "conflict");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log"), consents);
  EXPECT_EQ(Count("SELECT consent_version FROM accounts WHERE id = $1", {a.id}), 1);

  EXPECT_EQ(CodeOf(svc().RecordConsent(a.id, 2)), "ok");
  EXPECT_EQ(Count("SELECT consent_version FROM accounts WHERE id = $1", {a.id}), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log WHERE account_id = $1 AND document = 'privacy_policy'"
                  " AND version = 2 AND method = 'prompt'", {a.id}), 1);
  EXPECT_EQ(CodeOf(svc().RecordConsent(a.id, 3)), "conflict");

  // Another server starting on this database loads version 2 and publishes nothing.
  AccountService other(tmp_.db(), clock_, ids_, hasher_, DefaultOptions());
  ASSERT_TRUE(other.InitPolicy("ignored").ok());
  EXPECT_EQ(other.CurrentPolicyVersion(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM privacy_policies"), 2);
}

TEST_F(LifecycleTest, ConsentLogIsAppendOnly) {
  Account a = MustRegister("ann@example.org");
  EXPECT_FALSE(Exec("UPDATE consent_log SET version = 99 WHERE account_id = $1", {a.id}).ok());
  EXPECT_FALSE(Exec("UPDATE consent_log SET method = 'forged'").ok());
  EXPECT_FALSE(Exec("DELETE FROM consent_log WHERE account_id = $1", {a.id}).ok());
  EXPECT_FALSE(Exec("DELETE FROM consent_log").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM consent_log WHERE account_id = $1 AND version <> 99"
                  " AND method = 'registration'", {a.id}), 2);
}

// --- export ---

TEST_F(LifecycleTest, ExportHoldsTheReadersDataAndNobodyElses) {
  Account a = MustRegisterActive("ann@example.org");
  Account b = MustRegisterActive("bob@example.org");
  ASSERT_TRUE(svc().Login("ann@example.org", kPassword, {"10.0.0.1", "AnnBrowser/1.0"}).ok());
  ASSERT_TRUE(Exec("INSERT INTO social_identities (provider, subject, account_id, email, created_at)"
                   " VALUES ('example', 'sub-ann', $1, 'ann@elsewhere.org', 0)", {a.id}).ok());
  ASSERT_TRUE(svc().PublishPolicy("v2", 0).ok());
  ASSERT_TRUE(svc().RecordConsent(a.id, 2).ok());
  ASSERT_TRUE(Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)").ok());
  ASSERT_TRUE(Exec("INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at,"
                   " created_at, updated_at) VALUES (10, 'en', 's', 'An article', 'en', 'sc', 0, 0, 0)").ok());
  ASSERT_TRUE(Exec("INSERT INTO comments (article_id, id, author_id, body, body_html, status, created_at)"
                   " VALUES (10, 100, $1, 'ann second text', 'x', 'published', 0),"
                   " (10, 101, $2, 'bob private words', 'x', 'published', 0)", {a.id, b.id}).ok());
  ASSERT_TRUE(Exec("INSERT INTO comment_revisions (comment_id, revision, body, edited_by, created_at)"
                   " VALUES (100, 1, 'ann first text', $1, 0), (101, 1, 'bob older words', $2, 0)", {a.id, b.id}).ok());

  auto exported = svc().ExportJson(a.id);
  ASSERT_EQ(CodeOf(exported), "ok");
  boost::system::error_code ec;
  json::value doc = json::parse(*exported, ec);
  ASSERT_FALSE(ec) << *exported;
  const auto& root = doc.as_object();
  EXPECT_EQ(root.at("account").at("email").as_string(), "ann@example.org");
  EXPECT_EQ(root.at("account").at("id").as_string(), std::to_string(a.id));
  const auto& consents = root.at("consents").as_array();
  ASSERT_EQ(consents.size(), 3u);
  EXPECT_EQ(consents[2].at("method").as_string(), "prompt");
  EXPECT_EQ(consents[2].at("version").as_int64(), 2);
  const auto& comments = root.at("comments").as_array();
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].at("body").as_string(), "ann second text");
  EXPECT_EQ(comments[0].at("article_title").as_string(), "An article");
  ASSERT_EQ(comments[0].at("revisions").as_array().size(), 1u);
  EXPECT_EQ(comments[0].at("revisions").as_array()[0].at("body").as_string(), "ann first text");
  const auto& sessions = root.at("sessions").as_array();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].at("user_agent").as_string(), "AnnBrowser/1.0");
  const auto& social = root.at("social_identities").as_array();
  ASSERT_EQ(social.size(), 1u);
  EXPECT_EQ(social[0].at("email").as_string(), "ann@elsewhere.org");

  const std::string hash = Text("SELECT password_hash FROM accounts WHERE id = $1", {a.id});
  EXPECT_EQ(exported->find(hash), std::string::npos);
  EXPECT_EQ(exported->find("argon2"), std::string::npos);
  EXPECT_EQ(exported->find("bob private words"), std::string::npos);
  EXPECT_EQ(exported->find("bob older words"), std::string::npos);
  EXPECT_EQ(exported->find("bob@example.org"), std::string::npos);
  EXPECT_EQ(CodeOf(svc().ExportJson(12345)), "not_found");
}

}  // namespace
}  // namespace tribune::accounts::testing
