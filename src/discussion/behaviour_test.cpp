// The behaviour rules through CommentService and ModerationService on a real SQLite file: a campaign held
// retroactively, the window surviving a restart, a cluster rejected or approved in one decision, and
// decisions with garbage changing nothing.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "discussion/behaviour_log.hpp"
#include "discussion/discussion.hpp"
#include "discussion/moderation.hpp"
#include "moderation/rule_engine.hpp"
#include "support/temp_database.hpp"

namespace tribune::discussion {
namespace {

namespace behaviour = moderation::behaviour;

constexpr int64_t kArticle = 10;
constexpr int64_t kModerator = 99;

const std::vector<std::string> kCampaign = {
    "Vote for Maria Lopez on Sunday, she is the only candidate who will fix the roads and cut the taxes in our city!",
    "Friends, vote for Maria Lopez this Sunday: she is the only candidate who will fix our roads and cut taxes in the city",
    "vote for maria lopez on sunday!!! she is the only candidate that will fix the roads and cut the taxes in our city",
    "Please vote for Maria Lopez on Sunday, she is the one candidate who will fix the roads and cut the taxes in our city",
    "Vote for Maria Lopez on Sunday. She's the only candidate who will fix the roads and cut taxes in our town!",
    "Remember to vote for Maria Lopez on Sunday, she is the only candidate who will fix the roads & cut the taxes in our city",
    "VOTE for Maria Lopez on Sunday - she is the only candidate who will fix the roads and cut the taxes in our city.",
};

// Stands in for the text rules: "REJECTME" is personal data.
class RejectMeDetector final : public moderation::Detector {
 public:
  std::string_view Name() const override { return "rejectme"; }
  void Detect(const moderation::DetectorInput& in, std::vector<moderation::Signal>& out) const override {
    const size_t at = in.views.original.find("REJECTME");
    if (at != std::string_view::npos) out.push_back({"privacy_personal_data", 1.0, "test", {{at, at + 8}}});
  }
};

// The engine with one stand-in text detector; the behaviour rules speak under the shipped policy.
std::unique_ptr<moderation::RuleEngine> BehaviourOnlyEngine() {
  auto policy = moderation::Policy::Load("", "en");
  EXPECT_TRUE(policy.ok());
  std::vector<std::unique_ptr<moderation::Detector>> detectors;
  detectors.push_back(std::make_unique<RejectMeDetector>());
  return std::make_unique<moderation::RuleEngine>(std::move(policy).value(), std::move(detectors),
                                                  moderation::RuleEngineOptions{});
}

// One running "server": monitor, engine and services over the shared database.
// `shared`: one of several servers on the database (as services.cpp sets it up on PostgreSQL).
struct Node {
  Node(storage::Database& db, const Clock& clock, IdGenerator& ids, bool shared = false)
      : monitor(behaviour::BehaviourOptions{}), engine(BehaviourOnlyEngine()) {
    auto seq = WindowSeq(db, "en");
    EXPECT_TRUE(seq.ok());
    auto loaded = LoadBehaviour(db, monitor, "en", clock.NowMicros(), seq.ok() ? *seq : 0);
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
    if (loaded.ok()) replayed = loaded->events;
    engine->SetMonitor(&monitor);
    comments = std::make_unique<CommentService>(
        db, clock, ids, *engine,
        DiscussionOptions{.language = "en", .edition = "en", .monitor = &monitor, .shared_window = shared});
    if (shared) comments->StartSharedWindow(seq.ok() ? *seq : 0);
    moderation = std::make_unique<ModerationService>(
        db, clock, ids, *comments,
        ModerationOptions{.edition = "en", .monitor = &monitor, .learn = [this](int64_t, const std::string& t, const std::string& l) {
                            learned.emplace_back(t, l);
                          }, .shared = shared});
    EXPECT_TRUE(moderation->Share().ok());
  }
  behaviour::BehaviourMonitor monitor;
  std::unique_ptr<moderation::RuleEngine> engine;
  std::unique_ptr<CommentService> comments;
  std::unique_ptr<ModerationService> moderation;
  std::vector<std::pair<std::string, std::string>> learned;
  int64_t replayed = 0;
};

class BehaviourTest : public ::testing::Test {
 protected:
  BehaviourTest() : ids_(clock_) {
    EXPECT_TRUE(tmp_.db().Write([](storage::Session& s) -> Status {
      TRIBUNE_TRY(s.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)"));
      for (int64_t a = 1; a <= 12; ++a) {
        TRIBUNE_TRY(s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at)"
                           " VALUES ($1, $2, $3, 'x', 0)",
                           {a, "u" + std::to_string(a) + "@x.org", "User " + std::to_string(a)}));
      }
      TRIBUNE_TRY(s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at)"
                         " VALUES (99, 'mod@x.org', 'Moderator', 'x', 0)"));
      TRIBUNE_TRY(s.Exec("INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at,"
                         " created_at, updated_at) VALUES (10, 'en', 'a10', 'Roads', 'en', 'a10', 0, 0, 0)"));
      return Ok{};
    }).ok());
    node_ = std::make_unique<Node>(tmp_.db(), clock_, ids_);
  }

  PostResult MustPost(int64_t account, const std::string& body) {
    clock_.Advance(std::chrono::minutes(1));
    auto r = node_->comments->Post({account, false}, kArticle, body, std::nullopt);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : PostResult{};
  }
  std::string StatusOf(int64_t comment_id) {
    auto c = node_->comments->Get(comment_id);
    return c.ok() ? c->status : "missing";
  }
  int64_t Published() { return tmp_.Count("SELECT comment_count FROM articles WHERE id = 10"); }
  static bool HasRule(const PostResult& r, const std::string& rule) {
    for (const auto& f : r.findings) {
      if (f.rule == rule) return true;
    }
    return false;
  }
  // Four members published, the fifth account makes the cluster a flash mob.
  std::vector<int64_t> PostCampaign(int accounts) {
    std::vector<int64_t> ids;
    for (int a = 1; a <= accounts; ++a) ids.push_back(MustPost(a, kCampaign[static_cast<size_t>(a - 1)]).id);
    return ids;
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  std::unique_ptr<Node> node_;
};

TEST_F(BehaviourTest, TheFifthAccountHoldsTheWholeCampaignRetroactively) {
  const std::vector<int64_t> first = PostCampaign(4);
  for (int64_t id : first) EXPECT_EQ(StatusOf(id), "published");
  EXPECT_EQ(Published(), 4);
  const PostResult fifth = MustPost(5, kCampaign[4]);
  EXPECT_EQ(fifth.status, "pending");
  EXPECT_TRUE(HasRule(fifth, "flash_mob"));
  for (int64_t id : first) EXPECT_EQ(StatusOf(id), "pending") << id;
  EXPECT_EQ(Published(), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_decisions WHERE kind = 'cluster' AND action = 'hold'"), 4);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_window"), 5);
  // The moderator sees every member, account and time.
  auto cluster_id = node_->moderation->ClusterOfComment(first[2]);
  ASSERT_TRUE(cluster_id.ok());
  EXPECT_EQ(*cluster_id, first[0]);
  auto cluster = node_->moderation->Cluster(*cluster_id);
  ASSERT_TRUE(cluster.ok());
  EXPECT_EQ(cluster->accounts, 5u);
  ASSERT_EQ(cluster->members.size(), 5u);
  EXPECT_EQ(cluster->members[1].display_name, "User 2");
  EXPECT_EQ(cluster->members[4].comment_id, fifth.id);
  EXPECT_EQ(cluster->members[4].body, kCampaign[4]);
  EXPECT_LT(cluster->members[0].created_at, cluster->members[4].created_at);
}

TEST_F(BehaviourTest, ACampaignSplitAcrossTwoServersIsOneFlashMob) {
  if (testing::TestPostgresUrl().empty()) GTEST_SKIP() << "needs PostgreSQL (TRIBUNE_TEST_POSTGRES): one SQLite file has one server";
  // Server A is the fixture's node on the shared window; server B has its own connection, slot and ids.
  auto other = storage::OpenPostgres({.url = tmp_.url(), .read_connections = 2});
  ASSERT_TRUE(other.ok()) << other.error().message;
  IdGenerator b_ids(clock_, 0, (*other)->NodeSlot());
  node_ = std::make_unique<Node>(tmp_.db(), clock_, ids_, /*shared=*/true);
  auto b = std::make_unique<Node>(**other, clock_, b_ids, /*shared=*/true);
  // Accounts 1, 3 on A and 2, 4 on B: each server alone has seen two accounts, far from the five of a flash mob.
  std::vector<int64_t> first;
  for (int a = 1; a <= 4; ++a) {
    clock_.Advance(std::chrono::minutes(1));
    Node& n = a % 2 ? *node_ : *b;
    auto r = n.comments->Post({a, false}, kArticle, kCampaign[static_cast<size_t>(a - 1)], std::nullopt);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, "published");
    first.push_back(r->id);
  }
  // The fifth account posts on B: B has read A's posts before checking, so the campaign is whole.
  clock_.Advance(std::chrono::minutes(1));
  auto fifth = b->comments->Post({5, false}, kArticle, kCampaign[4], std::nullopt);
  ASSERT_TRUE(fifth.ok()) << fifth.error().message;
  EXPECT_EQ(fifth->status, "pending");
  EXPECT_TRUE(HasRule(*fifth, "flash_mob"));
  for (int64_t id : first) EXPECT_EQ(StatusOf(id), "pending") << id;  // A's members too, held by B
  EXPECT_EQ(b->monitor.ClusterOf(first[0]), b->monitor.ClusterOf(first[1]));
  // A reads B's posts before its next check and sees the same cluster.
  clock_.Advance(std::chrono::minutes(1));
  auto sixth = node_->comments->Post({6, false}, kArticle, kCampaign[5], std::nullopt);
  ASSERT_TRUE(sixth.ok()) << sixth.error().message;
  EXPECT_EQ(sixth->status, "pending");
  EXPECT_EQ(node_->monitor.ClusterOf(fifth->id), b->monitor.ClusterOf(fifth->id));
  b.reset();
  (*other)->Close();
}

TEST_F(BehaviourTest, AnotherServersModeratorDecisionMovesThisServersStanding) {
  auto shared = std::make_unique<Node>(tmp_.db(), clock_, ids_, /*shared=*/true);
  const int64_t now = clock_.NowMicros();
  const double before = shared->monitor.Standing(3, now);
  const int own = tmp_.db().NodeSlot(), stranger = own == 63 ? 62 : own + 1;
  // Its own announcements (it applied them when deciding) and garbage change nothing.
  for (const std::string& p : {std::to_string(own) + ",standing,3,rejected," + std::to_string(now), std::string(""),
                               std::string("x,standing,3,rejected,1"), std::to_string(stranger) + ",standing,3,sideways,1",
                               std::to_string(stranger) + ",standing,3,rejected", std::to_string(stranger) + ",other,3,1"}) {
    shared->moderation->Heard(p);
  }
  EXPECT_EQ(shared->monitor.Standing(3, now), before);
  shared->moderation->Heard(std::to_string(stranger) + ",standing,3,rejected," + std::to_string(now));
  EXPECT_GT(shared->monitor.Standing(3, now), before);
}

TEST_F(BehaviourTest, ARestartLosesNoWindow) {
  const std::vector<int64_t> first = PostCampaign(4);
  node_.reset();  // the server stops
  node_ = std::make_unique<Node>(tmp_.db(), clock_, ids_);
  EXPECT_EQ(node_->replayed, 4);
  const PostResult fifth = MustPost(5, kCampaign[4]);
  EXPECT_EQ(fifth.status, "pending");
  EXPECT_TRUE(HasRule(fifth, "flash_mob"));
  EXPECT_EQ(StatusOf(first[0]), "pending");
  EXPECT_EQ(node_->monitor.ClusterOf(first[3]), first[0]);
}

TEST_F(BehaviourTest, RejectingAClusterRejectsEveryMemberInOneDecision) {
  const std::vector<int64_t> ids = PostCampaign(6);
  auto cluster = node_->moderation->ClusterOfComment(ids[0]);
  ASSERT_TRUE(cluster.ok());
  auto r = node_->moderation->DecideCluster({kModerator, true}, *cluster, "reject", "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->decided, 6);
  for (int64_t id : ids) EXPECT_EQ(StatusOf(id), "rejected");
  EXPECT_EQ(Published(), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_clusters WHERE action = 'reject' AND rule = 'flash_mob'"), 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_decisions WHERE kind = 'moderator' AND action = 'reject'"), 6);
  // Each account's standing moved once, in memory and on disk; flash_mob is conduct, not text: nothing learned.
  EXPECT_NEAR(node_->monitor.Standing(3, clock_.NowMicros()), 1.5, 1e-6);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM account_standing WHERE standing > 1.4"), 6);
  EXPECT_TRUE(node_->learned.empty());
}

TEST_F(BehaviourTest, ApprovingAClusterPublishesItAndStopsFlaggingIt) {
  const std::vector<int64_t> ids = PostCampaign(5);
  auto r = node_->moderation->DecideCluster({kModerator, true}, ids[0], "approve", "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->decided, 5);
  EXPECT_EQ(Published(), 5);
  const PostResult sixth = MustPost(6, kCampaign[5]);
  EXPECT_EQ(sixth.status, "published");
  EXPECT_FALSE(HasRule(sixth, "flash_mob"));
  // Every approved text is handed to learning as "ok".
  ASSERT_EQ(node_->learned.size(), 5u);
  EXPECT_EQ(node_->learned[0].second, "ok");
  // The approval survives a restart.
  node_.reset();
  node_ = std::make_unique<Node>(tmp_.db(), clock_, ids_);
  EXPECT_EQ(MustPost(7, kCampaign[6]).status, "published");
}

TEST_F(BehaviourTest, AMemberAModeratorApprovedIsNotHeldAgain) {
  const std::vector<int64_t> ids = PostCampaign(3);
  ASSERT_TRUE(node_->moderation->Decide({kModerator, true}, ids[1], "approve", "").ok());
  MustPost(4, kCampaign[3]);
  MustPost(5, kCampaign[4]);
  EXPECT_EQ(StatusOf(ids[0]), "pending");
  EXPECT_EQ(StatusOf(ids[1]), "published");
}

TEST_F(BehaviourTest, ADecisionRecordsTheRuleAndTeachesTheModel) {
  const PostResult p = MustPost(8, "Some ordinary comment about the roads that a moderator will judge.");
  auto rejected = node_->moderation->Decide({kModerator, true}, p.id, "reject", "off_topic");
  ASSERT_TRUE(rejected.ok()) << rejected.error().message;
  EXPECT_EQ(rejected->status, "rejected");
  EXPECT_EQ(Published(), 0);
  ASSERT_EQ(node_->learned.size(), 1u);
  EXPECT_EQ(node_->learned[0].second, "off_topic");
  auto approved = node_->moderation->Decide({kModerator, true}, p.id, "approve", "");
  ASSERT_TRUE(approved.ok());
  EXPECT_EQ(approved->status, "published");
  EXPECT_EQ(Published(), 1);
  EXPECT_EQ(node_->learned.back().second, "ok");
}

TEST_F(BehaviourTest, GarbageDecisionsChangeNothing) {
  const PostResult p = MustPost(8, "Some ordinary comment about the roads that a moderator will judge.");
  const int64_t decisions = tmp_.Count("SELECT COUNT(*) FROM moderation_decisions");
  struct Case {
    std::string action, rule;
    ErrorCode code;
  };
  for (const Case& c : std::vector<Case>{{"maybe", "", ErrorCode::kBadRequest},
                                         {"", "", ErrorCode::kBadRequest},
                                         {"reject", "", ErrorCode::kBadRequest},
                                         {"reject", "not_a_rule", ErrorCode::kBadRequest},
                                         {"approve", "profanity", ErrorCode::kBadRequest}}) {
    auto r = node_->moderation->Decide({kModerator, true}, p.id, c.action, c.rule);
    ASSERT_FALSE(r.ok()) << c.action << "/" << c.rule;
    EXPECT_EQ(r.error().code, c.code) << c.action << "/" << c.rule;
  }
  EXPECT_EQ(node_->moderation->Decide({kModerator, true}, 123456, "approve", "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(node_->moderation->DecideCluster({kModerator, true}, 123456, "reject", "").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(node_->moderation->DecideCluster({kModerator, true}, p.id, "explode", "").error().code,
            ErrorCode::kBadRequest);
  EXPECT_EQ(StatusOf(p.id), "published");
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_decisions"), decisions);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_clusters"), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM account_standing"), 0);
  EXPECT_TRUE(node_->learned.empty());
}

TEST_F(BehaviourTest, RejectedAttemptsJoinTheWindowToo) {
  // A refused attempt stores no comment, but it is part of the campaign (and of the account's rate).
  const std::vector<int64_t> first = PostCampaign(4);
  auto r = node_->comments->Post({5, false}, kArticle, kCampaign[4] + " REJECTME", std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM comments"), 4);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_window WHERE comment_id IS NULL AND action = 'reject'"), 1);
  for (int64_t id : first) EXPECT_EQ(StatusOf(id), "pending") << "the refused fifth account still made it a campaign";
  auto cluster = node_->moderation->Cluster(first[0]);
  ASSERT_TRUE(cluster.ok());
  ASSERT_EQ(cluster->members.size(), 5u);
  EXPECT_EQ(cluster->members[4].status, "refused");
  EXPECT_FALSE(cluster->members[4].comment_id.has_value());
  EXPECT_EQ(cluster->members[4].article_id, kArticle);
  // The precheck (control characters) runs before any rule: such an attempt is not in the window.
  ASSERT_FALSE(node_->comments->Post({6, false}, kArticle, std::string("\x01") + kCampaign[5], std::nullopt).ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM moderation_window"), 5);
}

}  // namespace
}  // namespace tribune::discussion
