// Sanctions over a real database and outbox: blocks, the final second block, appeals and their decisions,
// the audit log and the mails; every refused input stores nothing.
#include "accounts/sanctions.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "accounts/lifecycle_fixture.hpp"

namespace tribune::accounts::testing {
namespace {

namespace json = boost::json;

const std::string kExplanation =
    "I was angry about the article and wrote things I regret; I will keep to the rules from now on.";

class SanctionsTest : public LifecycleTest {
 protected:
  SanctionsTest() {
    SanctionOptions o;
    o.base_url = kBaseUrl;
    o.is_rule = [](const std::string& r) {
      static const std::set<std::string> rules{"insult_threat", "spam_scheme", "profanity"};
      return rules.count(r) > 0;
    };
    sanctions_ = std::make_unique<SanctionService>(tmp_.db(), clock_, ids_, &outbox_, o);
    reader_ = MustRegisterActive("reader@example.org");
    moderator_ = MustRegisterActive("mod@example.org");
    admin_ = MustRegisterActive("admin@example.org");
    Grant(moderator_.id, "moderator");
    Grant(admin_.id, "admin");
  }
  void Grant(int64_t id, const std::string& role) {
    ASSERT_TRUE(Exec("INSERT INTO account_roles (account_id, role) VALUES ($1, $2)", {id, role}).ok());
  }
  SanctionService& sanctions() { return *sanctions_; }

  // Rows of the four tables a sanction writes, as one comparable string.
  std::string Footprint() {
    return std::to_string(Count("SELECT COUNT(*) FROM account_blocks")) + "/" +
           std::to_string(Count("SELECT COUNT(*) FROM appeals")) + "/" +
           std::to_string(Count("SELECT COUNT(*) FROM moderation_audit")) + "/" +
           std::to_string(Count("SELECT COUNT(*) FROM mail_outbox")) + "/" +
           Joined("SELECT status || ':' || CAST(id AS TEXT) FROM accounts ORDER BY id") + "/" +
           Joined("SELECT state || ':' || CAST(id AS TEXT) FROM appeals ORDER BY id") + "/" +
           Joined("SELECT CAST(COALESCE(lifted_at, 0) AS TEXT) FROM account_blocks ORDER BY id");
  }
  std::vector<AuditRecord> Audit(int64_t account_id) {
    auto r = ListAudit(tmp_.db(), AuditQuery{.target_type = "account", .target_id = account_id});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<AuditRecord>{};
  }

  std::unique_ptr<SanctionService> sanctions_;
  Account reader_, moderator_, admin_;
};

TEST_F(SanctionsTest, FirstBlockIsAppealedAndRestoredThenTheSecondIsFinal) {
  auto b1 =
      sanctions().BlockAccount(moderator_.id, false, reader_.id, "insult_threat", "You threatened a reader.");
  ASSERT_TRUE(b1.ok()) << b1.error().message;
  EXPECT_EQ(b1->number, 1);
  EXPECT_FALSE(b1->final);
  EXPECT_EQ(StatusOf(reader_.id), "blocked");
  auto active = sanctions().ActiveBlock(reader_.id);
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->id, b1->id);
  EXPECT_EQ((*active)->rule, "insult_threat");
  // Sessions are not ended: the reader keeps reading and learns why.
  auto blocked_mails = Mails("account_blocked");
  ASSERT_EQ(blocked_mails.size(), 1u);
  EXPECT_EQ(blocked_mails[0].account_id, reader_.id);
  EXPECT_NE(Unfold(blocked_mails[0].message).find(std::string(kBaseUrl) + "/appeal"), std::string::npos);
  EXPECT_EQ(Unfold(blocked_mails[0].message).find("This block is final"), std::string::npos);

  auto appeal = sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, "  " + kExplanation + "\n");
  ASSERT_TRUE(appeal.ok()) << appeal.error().message;
  EXPECT_EQ(appeal->state, "open");
  EXPECT_EQ(appeal->explanation, kExplanation);
  EXPECT_EQ(appeal->block_id, b1->id);
  EXPECT_EQ(appeal->block_number, 1);
  EXPECT_EQ(appeal->display_name, "Reader");
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, kExplanation)), "conflict");

  auto open = sanctions().ListAppeals("open", std::nullopt, 50);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, appeal->id);
  EXPECT_EQ((*open)[0].block_rule, "insult_threat");

  clock_.Advance(std::chrono::hours(2));
  auto decided = sanctions().DecideAppeal(moderator_.id, appeal->id, "restore", "Accepted; be civil.");
  ASSERT_TRUE(decided.ok()) << decided.error().message;
  EXPECT_EQ(decided->state, "restored");
  EXPECT_EQ(decided->note, "Accepted; be civil.");
  EXPECT_EQ(decided->decided_by, moderator_.id);
  EXPECT_TRUE(decided->decided_at.has_value());
  EXPECT_EQ(StatusOf(reader_.id), "active");
  EXPECT_FALSE(sanctions().ActiveBlock(reader_.id)->has_value());
  EXPECT_EQ(CodeOf(sanctions().DecideAppeal(moderator_.id, appeal->id, "deny", "")), "conflict");
  auto decided_mails = Mails("appeal_decided");
  ASSERT_EQ(decided_mails.size(), 1u);
  EXPECT_NE(decided_mails[0].message.find("restored"), std::string::npos);
  EXPECT_EQ(Mails("account_unblocked").size(), 0u)
      << "a restored appeal mails appeal_decided and nothing else";
  EXPECT_TRUE(sanctions().ListAppeals("open", std::nullopt, 50)->empty());

  auto b2 = sanctions().BlockAccount(moderator_.id, false, reader_.id, "spam_scheme", "");
  ASSERT_TRUE(b2.ok()) << b2.error().message;
  EXPECT_EQ(b2->number, 2);
  EXPECT_TRUE(b2->final);
  EXPECT_EQ(StatusOf(reader_.id), "blocked");
  ASSERT_EQ(Mails("account_blocked").size(), 2u);
  EXPECT_NE(Unfold(Mails("account_blocked")[1].message).find("This block is final"), std::string::npos);

  const std::string before = Footprint();
  EXPECT_EQ(CodeOf(sanctions().Unblock(moderator_.id, reader_.id, "")), "forbidden");
  EXPECT_EQ(CodeOf(sanctions().Unblock(admin_.id, reader_.id, "")), "forbidden");
  auto refused = sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, kExplanation);
  EXPECT_EQ(CodeOf(refused), "forbidden");
  EXPECT_NE(refused.error().message.find("final"), std::string::npos);
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, reader_.id, "spam_scheme", "")),
            "conflict");
  EXPECT_EQ(Footprint(), before);

  auto blocks = sanctions().Blocks(reader_.id);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_TRUE((*blocks)[0].lifted_at.has_value());
  EXPECT_FALSE((*blocks)[1].lifted_at.has_value());

  auto audit = Audit(reader_.id);  // newest first
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[2].entry.action, "account.block");
  EXPECT_EQ(audit[1].entry.action, "appeal.restore");
  EXPECT_EQ(audit[0].entry.action, "account.block");
  EXPECT_EQ(audit[2].entry.actor_id, moderator_.id);
  EXPECT_EQ(audit[2].entry.note, "You threatened a reader.");
  EXPECT_EQ(json::parse(audit[2].entry.before_json), json::parse(R"({"status":"active"})"));
  auto after = json::parse(audit[2].entry.after_json).as_object();
  EXPECT_EQ(after.at("status"), "blocked");
  EXPECT_EQ(after.at("block"), 1);
  EXPECT_EQ(after.at("final"), false);
  EXPECT_EQ(json::parse(audit[0].entry.after_json).as_object().at("final"), true);
  EXPECT_EQ(audit[1].entry.note, "Accepted; be civil.");
  EXPECT_EQ(json::parse(audit[1].entry.before_json).as_object().at("status"), "blocked");
  EXPECT_EQ(json::parse(audit[1].entry.after_json).as_object().at("status"), "active");
}

TEST_F(SanctionsTest, UnblockLiftsTheFirstBlockRestoresTheStatusAndClosesAnOpenAppeal) {
  Account fresh = MustRegister("fresh@example.org");  // unconfirmed
  ASSERT_TRUE(sanctions().BlockAccount(moderator_.id, false, fresh.id, "profanity", "").ok());
  ASSERT_TRUE(sanctions().FileAppeal(fresh.id, kAppealSubject, fresh.id, kExplanation).ok());
  ASSERT_TRUE(sanctions().Unblock(moderator_.id, fresh.id, "Lifted early.").ok());
  EXPECT_EQ(StatusOf(fresh.id), "unconfirmed");
  EXPECT_EQ(Text("SELECT lift_note FROM account_blocks WHERE account_id = $1", {fresh.id}), "Lifted early.");
  EXPECT_EQ(Text("SELECT state FROM appeals WHERE account_id = $1", {fresh.id}), "restored");
  EXPECT_EQ(Mails("account_unblocked").size(), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'account_unblocked' AND account_id = $1",
                  {fresh.id}),
            1);
  auto audit = Audit(fresh.id);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].entry.action, "account.unblock");
  EXPECT_EQ(json::parse(audit[0].entry.after_json).as_object().at("status"), "unconfirmed");
  EXPECT_EQ(json::parse(audit[1].entry.before_json).as_object().at("status"), "unconfirmed");

  const std::string before = Footprint();
  EXPECT_EQ(CodeOf(sanctions().Unblock(moderator_.id, fresh.id, "")), "not_found");
  EXPECT_EQ(Footprint(), before);
}

TEST_F(SanctionsTest, DeniedAppealKeepsTheBlockAndAnotherAppealMayFollow) {
  ASSERT_TRUE(sanctions().BlockAccount(moderator_.id, false, reader_.id, "profanity", "").ok());
  auto appeal = sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, kExplanation);
  ASSERT_TRUE(appeal.ok());
  auto denied = sanctions().DecideAppeal(moderator_.id, appeal->id, "deny", "The comments were abusive.");
  ASSERT_TRUE(denied.ok()) << denied.error().message;
  EXPECT_EQ(denied->state, "denied");
  EXPECT_EQ(StatusOf(reader_.id), "blocked");
  ASSERT_EQ(Mails("appeal_decided").size(), 1u);
  EXPECT_NE(Mails("appeal_decided")[0].message.find("denied"), std::string::npos);
  EXPECT_EQ(Audit(reader_.id)[0].entry.action, "appeal.deny");
  EXPECT_EQ(Audit(reader_.id)[0].entry.note, "The comments were abusive.");
  EXPECT_TRUE(sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, kExplanation).ok());
  auto mine = sanctions().AppealsOf(reader_.id);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].state, "open");
  EXPECT_EQ((*mine)[1].state, "denied");
  EXPECT_EQ(sanctions().ListAppeals("", std::nullopt, 50)->size(), 2u);
  EXPECT_EQ(sanctions().ListAppeals("denied", std::nullopt, 50)->size(), 1u);
  auto page = sanctions().ListAppeals("", std::nullopt, 1);
  ASSERT_EQ(page->size(), 1u);
  auto next = sanctions().ListAppeals("", (*page)[0].id, 1);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_GT((*next)[0].id, (*page)[0].id);
  EXPECT_TRUE(sanctions().ListAppeals("", (*next)[0].id, 1)->empty());
  EXPECT_EQ(CodeOf(sanctions().ListAppeals("closed", std::nullopt, 50)), "bad_request");
}

TEST_F(SanctionsTest, OnlyAnAdminMayBlockModeratorsAndAdmins) {
  Account other_mod = MustRegisterActive("mod2@example.org");
  Grant(other_mod.id, "moderator");
  const std::string before = Footprint();
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, admin_.id, "profanity", "")), "forbidden");
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, other_mod.id, "profanity", "")),
            "forbidden");
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, moderator_.id, "profanity", "")),
            "forbidden");
  EXPECT_EQ(Footprint(), before);
  auto b = sanctions().BlockAccount(admin_.id, true, other_mod.id, "profanity", "");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(StatusOf(other_mod.id), "blocked");
  EXPECT_EQ(Audit(other_mod.id)[0].entry.actor_id, admin_.id);
}

TEST_F(SanctionsTest, BadBlocksStoreNothing) {
  Account gone = MustRegisterActive("gone@example.org");
  ASSERT_TRUE(svc().DeleteAccount(gone.id).ok());
  const std::string before = Footprint();
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, reader_.id, "not_a_rule", "")),
            "bad_request");
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, reader_.id, "", "")), "bad_request");
  EXPECT_EQ(
      CodeOf(sanctions().BlockAccount(moderator_.id, false, reader_.id, "profanity", std::string(2001, 'x'))),
      "bad_request");
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, reader_.id, "profanity", "\xff\xfe")),
            "bad_request");
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, 987654321, "profanity", "")), "not_found");
  EXPECT_EQ(CodeOf(sanctions().BlockAccount(moderator_.id, false, gone.id, "profanity", "")), "not_found");
  EXPECT_EQ(CodeOf(sanctions().Unblock(moderator_.id, reader_.id, "")), "not_found");
  EXPECT_EQ(CodeOf(sanctions().Unblock(moderator_.id, gone.id, "")), "not_found");
  EXPECT_EQ(Footprint(), before);
  // A note of exactly note_max characters (multi-byte) is fine.
  std::string note;
  for (int i = 0; i < 2000; ++i) note += "é";
  EXPECT_TRUE(sanctions().BlockAccount(moderator_.id, false, reader_.id, "profanity", note).ok());
}

TEST_F(SanctionsTest, BadAppealsStoreNothing) {
  Account free_reader = MustRegisterActive("free@example.org");
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(free_reader.id, kAppealSubject, free_reader.id, kExplanation)),
            "forbidden");
  ASSERT_TRUE(sanctions().BlockAccount(moderator_.id, false, reader_.id, "profanity", "").ok());
  const std::string before = Footprint();
  auto wrong_subject = sanctions().FileAppeal(reader_.id, "please unblock me", reader_.id, kExplanation);
  EXPECT_EQ(CodeOf(wrong_subject), "bad_request");
  EXPECT_NE(wrong_subject.error().message.find(kAppealSubject), std::string::npos);
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(reader_.id, "", reader_.id, kExplanation)), "bad_request");
  EXPECT_EQ(
      CodeOf(sanctions().FileAppeal(reader_.id, std::string(kAppealSubject) + " ", reader_.id, kExplanation)),
      "bad_request");
  const std::string e49(49, 'a');
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, e49)), "bad_request");
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, "   " + e49 + "   ")),
            "bad_request");
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, std::string(5001, 'a'))),
            "bad_request");
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, kExplanation + "\xc3")),
            "bad_request");
  EXPECT_EQ(CodeOf(sanctions().FileAppeal(reader_.id, kAppealSubject, moderator_.id, kExplanation)),
            "forbidden");
  EXPECT_EQ(Footprint(), before);
  // 50 code points of two bytes each are enough.
  std::string e50;
  for (int i = 0; i < 50; ++i) e50 += "ж";
  EXPECT_TRUE(sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, e50).ok());
}

TEST_F(SanctionsTest, BadDecisionsStoreNothing) {
  ASSERT_TRUE(sanctions().BlockAccount(moderator_.id, false, reader_.id, "profanity", "").ok());
  auto appeal = sanctions().FileAppeal(reader_.id, kAppealSubject, reader_.id, kExplanation);
  ASSERT_TRUE(appeal.ok());
  const std::string before = Footprint();
  EXPECT_EQ(CodeOf(sanctions().DecideAppeal(moderator_.id, appeal->id, "forgive", "")), "bad_request");
  EXPECT_EQ(CodeOf(sanctions().DecideAppeal(moderator_.id, appeal->id, "", "")), "bad_request");
  EXPECT_EQ(CodeOf(sanctions().DecideAppeal(moderator_.id, appeal->id, "restore", std::string(2001, 'n'))),
            "bad_request");
  EXPECT_EQ(CodeOf(sanctions().DecideAppeal(moderator_.id, 123456789, "restore", "")), "not_found");
  EXPECT_EQ(Footprint(), before);
}

}  // namespace
}  // namespace tribune::accounts::testing
