#include <algorithm>

#include <boost/json.hpp>

#include "accounts/audit.hpp"
#include "common/random.hpp"
#include "discussion/behaviour_log.hpp"
#include "discussion/moderation.hpp"
#include "discussion/notices.hpp"
#include "discussion/reports.hpp"
#include "moderation/policy.hpp"

namespace tribune::discussion {

namespace behaviour = moderation::behaviour;

namespace {

// Behaviour rules judge conduct, not text: a text model must not learn them.
bool LearnableRule(const std::string& rule) { return rule != "flash_mob" && rule != "flood"; }

}  // namespace

ModerationService::ModerationService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                     CommentService& comments, ModerationOptions options)
    : db_(db), clock_(clock), ids_(ids), comments_(comments), options_(std::move(options)) {}

Status ModerationService::ValidateDecision(const std::string& action, std::string& rule) const {
  if (action != "approve" && action != "reject") {
    return MakeError(ErrorCode::kBadRequest, "action must be \"approve\" or \"reject\".");
  }
  if (action == "approve") {
    if (!rule.empty()) return MakeError(ErrorCode::kBadRequest, "rule is only for \"reject\".");
    return Ok{};
  }
  const auto& known = moderation::KnownRules();
  if (std::find(known.begin(), known.end(), rule) == known.end()) {
    return MakeError(ErrorCode::kBadRequest, "rule must be one of the rule ids of the community standards.");
  }
  return Ok{};
}

Result<bool> ModerationService::Apply(storage::Session& s, const Actor& moderator, int64_t comment_id, bool approve,
                                      const std::string& rule, Change& change, int64_t now) {
  auto rows = s.Query("SELECT article_id, author_id, status, body, parent_id FROM comments WHERE id = $1", {comment_id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such comment.");
  const auto& r = (*rows)[0];
  const std::string old_status = r.Text(2);
  if (old_status == "deleted") return MakeError(ErrorCode::kConflict, "The comment was deleted.");
  const std::string new_status = approve ? "published" : "rejected";
  change = {comment_id, r.Int(0), r.Int(1), r.Text(3), old_status, new_status};
  if (old_status != new_status) {
    TRIBUNE_TRY(s.Exec("UPDATE comments SET status = $3 WHERE article_id = $1 AND id = $2",
                       {change.article_id, comment_id, new_status}));
    const int64_t delta = (new_status == "published" ? 1 : 0) - (old_status == "published" ? 1 : 0);
    if (delta != 0) {
      TRIBUNE_TRY(s.Exec("UPDATE articles SET comment_count = comment_count + $2 WHERE id = $1",
                         {change.article_id, delta}));
    }
    // A held reply that a moderator lets through is news to the reader it answers, as if posted now.
    if (new_status == "published" && comments_.notices() != nullptr) {
      TRIBUNE_TRY(comments_.notices()->OnPublished(
          s, {comment_id, change.article_id, r.OptInt(4), change.author_id, change.body}, now));
    }
  }
  // A decision settles what readers reported about the comment.
  TRIBUNE_TRY(ReportService::Resolve(s, comment_id, now));
  boost::json::object before{{"status", old_status}};
  boost::json::object after{{"status", new_status}};
  if (!approve) after["rule"] = rule;
  TRIBUNE_TRY(accounts::RecordAudit(
      s, ids_, now,
      {moderator.account_id, approve ? "comment.approve" : "comment.reject", "comment", comment_id,
       boost::json::serialize(before), boost::json::serialize(after), ""}));
  if (!approve && old_status != new_status) TRIBUNE_TRY(MailRejection(s, change, rule));
  std::vector<moderation::Finding> findings;
  if (!approve) findings.push_back({rule, 0, "", {}, {"moderator"}});
  TRIBUNE_TRY(s.Exec(
      "INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action, engine,"
      " findings_json, text_sha256, created_at) VALUES ($1, $2, $3, $4, 'moderator', $5, $6, $7, $8, $9)",
      {ids_.Next(), comment_id, change.article_id, change.author_id, std::string(approve ? "approve" : "reject"),
       "moderator:" + std::to_string(moderator.account_id), moderation::FindingsToJson(findings),
       Sha256Hex(change.body), now}));
  return old_status != new_status;
}

Status ModerationService::MailRejection(storage::Session& s, const Change& change, const std::string& rule) {
  if (options_.outbox == nullptr) return Ok{};
  auto rows = s.Query(
      "SELECT a.email, a.display_name, a.language, a.status, r.title, r.slug FROM accounts a, articles r"
      " WHERE a.id = $1 AND r.id = $2",
      {change.author_id, change.article_id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty() || (*rows)[0].Text(3) == "deleted" || (*rows)[0].Text(3) == "purged") return Ok{};
  const auto& r = (*rows)[0];
  // The reason the engine gave for this rule when it flagged the comment, or the rule's plain statement.
  std::string reason = "The comment breaks this rule of the community standards: " + rule + ".";
  auto found = s.Query(std::string("SELECT findings_json FROM moderation_decisions WHERE comment_id = $1 AND kind <> "
                                   "'moderator' AND ") + kDecisionOnStoredText + " ORDER BY id DESC LIMIT 1",
                       {change.comment_id});
  if (!found.ok()) return std::move(found).error();
  if (!found->empty()) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse((*found)[0].Text(0), ec);
    if (!ec && parsed.is_array()) {
      for (const auto& f : parsed.as_array()) {
        const auto* obj = f.if_object();
        if (obj == nullptr || !obj->contains("rule") || !obj->contains("reason")) continue;
        const auto* found_rule = obj->at("rule").if_string();
        if (found_rule != nullptr && *found_rule == rule && obj->at("reason").is_string() &&
            !obj->at("reason").as_string().empty()) {
          reason = std::string(obj->at("reason").as_string());
          break;
        }
      }
    }
  }
  mail::Mail m;
  m.to = r.Text(0);
  m.kind = "comment_rejected";
  m.language = r.Text(2);
  m.account_id = change.author_id;
  m.vars = {{"display_name", r.Text(1)},
            {"rule", rule},
            {"reason", reason},
            {"article_title", r.Text(4)},
            {"link", options_.base_url + "/articles/" + r.Text(5)}};
  m.dedup_key = "rejected:" + std::to_string(change.comment_id) + ":" + rule;
  return options_.outbox->Enqueue(s, m);
}

Status ModerationService::SaveStandings(storage::Session& s, const std::vector<int64_t>& accounts, bool approve,
                                        int64_t now) {
  if (options_.monitor == nullptr) return Ok{};
  const double delta = behaviour::StandingChange(approve ? behaviour::StandingEvent::kModeratorApproved
                                                         : behaviour::StandingEvent::kModeratorRejected);
  for (int64_t account : accounts) {
    const double standing = std::max(0.0, options_.monitor->Standing(account, now) + delta);
    TRIBUNE_TRY(SaveStanding(s, options_.edition, account, standing, now));
  }
  return Ok{};
}

void ModerationService::AfterCommit(const std::vector<Change>& changes, bool approve, const std::string& rule,
                                    int64_t now) {
  std::vector<int64_t> accounts;
  for (const Change& c : changes) {
    comments_.BumpThreadVersion(c.article_id);
    // Approved: it appears; rejected: a public one leaves (a held one was never shown).
    if (c.old_status != c.new_status && c.new_status == "published") {
      comments_.Notify(c.article_id, c.comment_id, CommentEvent::kVisible);
    } else if (c.old_status != c.new_status && c.old_status == "published") {
      comments_.Notify(c.article_id, c.comment_id, CommentEvent::kRemoved);
    }
    accounts.push_back(c.author_id);
    if (options_.learn && (approve || LearnableRule(rule))) options_.learn(c.comment_id, c.body, approve ? "ok" : rule);
  }
  if (options_.monitor == nullptr) return;
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  const auto event = approve ? behaviour::StandingEvent::kModeratorApproved : behaviour::StandingEvent::kModeratorRejected;
  for (int64_t account : accounts) {
    options_.monitor->NoteStanding(account, event, now);
    Announce("standing," + std::to_string(account) + (approve ? ",approved," : ",rejected,") + std::to_string(now));
  }
}

Result<CommentView> ModerationService::Decide(const Actor& moderator, int64_t comment_id, const std::string& action,
                                              const std::string& rule_in,
                                              const std::optional<std::string>& expected_status) {
  std::string rule = rule_in;
  TRIBUNE_TRY(ValidateDecision(action, rule));
  const bool approve = action == "approve";
  const int64_t now = clock_.NowMicros();
  Change change;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    if (expected_status) {
      // Two moderators on one item: the second decision, made on a stale page, must not silently undo the first.
      auto rows = s.Query("SELECT status FROM comments WHERE id = $1", {comment_id});
      if (!rows.ok()) return std::move(rows).error();
      if (!rows->empty() && (*rows)[0].Text(0) != *expected_status) {
        return MakeError(ErrorCode::kConflict, "Another moderator has already decided this comment (it is now " +
                                                   (*rows)[0].Text(0) + ").");
      }
    }
    TRIBUNE_TRY(Apply(s, moderator, comment_id, approve, rule, change, now));
    return SaveStandings(s, {change.author_id}, approve, now);
  }));
  AfterCommit({change}, approve, rule, now);
  return comments_.Get(comment_id);
}

Result<int64_t> ModerationService::ClusterOfComment(int64_t comment_id, bool catch_up) {
  if (catch_up) TRIBUNE_TRY(CatchUp());
  if (options_.monitor != nullptr) {
    if (auto id = options_.monitor->ClusterOf(comment_id)) return *id;
  }
  return MakeError(ErrorCode::kNotFound, "The comment is not part of a cluster in the current window.");
}

Result<uint32_t> ModerationService::ClusterAccounts(int64_t cluster_id) {
  if (options_.monitor == nullptr) return MakeError(ErrorCode::kNotFound, "No such cluster.");
  const behaviour::ClusterView view = options_.monitor->Cluster(cluster_id, clock_.NowMicros());
  if (view.members.empty()) return MakeError(ErrorCode::kNotFound, "No such cluster in the current window.");
  return view.accounts;
}

Result<ClusterDetail> ModerationService::Cluster(int64_t cluster_id) {
  if (options_.monitor == nullptr) return MakeError(ErrorCode::kNotFound, "No such cluster.");
  TRIBUNE_TRY(CatchUp());
  const behaviour::ClusterView view = options_.monitor->Cluster(cluster_id, clock_.NowMicros());
  if (view.members.empty()) return MakeError(ErrorCode::kNotFound, "No such cluster in the current window.");
  ClusterDetail d;
  d.id = cluster_id;
  d.accounts = view.accounts;
  d.approved = options_.monitor->ClusterApproved(cluster_id);
  d.truncated = view.members.size() > options_.max_cluster_members;
  const size_t n = std::min(view.members.size(), options_.max_cluster_members);
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    for (size_t i = 0; i < n; ++i) {
      const behaviour::Member& m = view.members[i];
      ClusterMember cm{m.event_id, std::nullopt, 0, m.account_id, "", m.time_us, "refused", ""};
      auto c = s.Query("SELECT article_id, status, body FROM comments WHERE id = $1", {m.event_id});
      if (!c.ok()) return std::move(c).error();
      if (!c->empty()) {
        cm.comment_id = m.event_id;
        cm.article_id = (*c)[0].Int(0);
        cm.status = (*c)[0].Text(1);
        cm.body = (*c)[0].Text(2);
      } else {
        auto attempt = s.Query("SELECT article_id FROM moderation_decisions WHERE id = $1", {m.event_id});
        if (!attempt.ok()) return std::move(attempt).error();
        if (!attempt->empty()) cm.article_id = (*attempt)[0].Int(0);
      }
      auto a = s.Query("SELECT display_name FROM accounts WHERE id = $1", {m.account_id});
      if (!a.ok()) return std::move(a).error();
      if (!a->empty()) cm.display_name = (*a)[0].Text(0);
      d.members.push_back(std::move(cm));
    }
    return Ok{};
  }));
  return d;
}

Result<ClusterDecisionResult> ModerationService::DecideCluster(const Actor& moderator, int64_t cluster_id,
                                                               const std::string& action, const std::string& rule_in) {
  std::string rule = rule_in.empty() && action == "reject" ? std::string("flash_mob") : rule_in;
  TRIBUNE_TRY(ValidateDecision(action, rule));
  TRIBUNE_ASSIGN(const ClusterDetail cluster, Cluster(cluster_id));
  const bool approve = action == "approve";
  const int64_t now = clock_.NowMicros();
  std::vector<Change> changes;
  ClusterDecisionResult result{cluster_id, 0};
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    changes.clear();
    result.decided = 0;
    std::vector<int64_t> accounts;
    for (const ClusterMember& m : cluster.members) {
      if (!m.comment_id || m.status == "deleted" || m.status == "hidden") continue;
      // Approving publishes the held members; members already published stay as they are.
      if (approve && m.status == "published") continue;
      Change change;
      auto changed = Apply(s, moderator, *m.comment_id, approve, rule, change, now);
      if (!changed.ok()) {
        if (changed.error().code == ErrorCode::kNotFound || changed.error().code == ErrorCode::kConflict) continue;
        return std::move(changed).error();
      }
      if (*changed) ++result.decided;
      changes.push_back(std::move(change));
      accounts.push_back(changes.back().author_id);
    }
    std::sort(accounts.begin(), accounts.end());
    accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
    TRIBUNE_TRY(SaveStandings(s, accounts, approve, now));
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO moderation_clusters (cluster_id, edition, action, rule, decided_by, members, decided_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {cluster_id, options_.edition, action, rule, moderator.account_id, result.decided, now}));
    return Ok{};
  }));
  if (approve) {
    options_.monitor->ApproveCluster(cluster_id, now);
    Announce("cluster," + std::to_string(cluster_id) + "," + std::to_string(now));
  }
  AfterCommit(changes, approve, rule, now);
  return result;
}

Result<CommentView> ModerationService::EditAsModerator(const Actor& moderator, int64_t comment_id,
                                                      const std::string& body) {
  // The audit entry is written in the edit's own transaction: no edit without its record.
  return comments_.Edit(moderator, comment_id, body,
                        [&](storage::Session& s, const std::string& old_body, const std::string& old_status,
                            const std::string& new_status) {
                          return accounts::RecordAudit(
                              s, ids_, clock_.NowMicros(),
                              {moderator.account_id, "comment.edit", "comment", comment_id,
                               boost::json::serialize(boost::json::object{{"body", old_body}, {"status", old_status}}),
                               boost::json::serialize(boost::json::object{{"body", body}, {"status", new_status}}),
                               ""});
                        });
}

Result<BulkDecisionResult> ModerationService::DecideRecent(const Actor& moderator, int64_t account_id,
                                                           const std::string& action, const std::string& rule_in,
                                                           int64_t since_seconds) {
  std::string rule = rule_in;
  TRIBUNE_TRY(ValidateDecision(action, rule));
  if (since_seconds < 1 || since_seconds > 366LL * 86400) {
    return MakeError(ErrorCode::kBadRequest, "since_hours must be from 1 hour to a year.");
  }
  const bool approve = action == "approve";
  const int64_t now = clock_.NowMicros();
  auto account = db_.Read("SELECT COUNT(*) FROM accounts WHERE id = $1", {account_id});
  if (!account.ok()) return std::move(account).error();
  if ((*account)[0].Int(0) == 0) return MakeError(ErrorCode::kNotFound, "No such account.");
  std::vector<Change> changes;
  BulkDecisionResult result;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    changes.clear();
    result.decided = 0;
    // Approving publishes what is held; rejecting takes down what is published or held.
    auto rows = s.Query(approve ? "SELECT id FROM comments WHERE author_id = $1 AND created_at >= $2 AND status = 'pending'"
                                  " ORDER BY id LIMIT $3"
                                : "SELECT id FROM comments WHERE author_id = $1 AND created_at >= $2"
                                  " AND status IN ('published', 'pending') ORDER BY id LIMIT $3",
                        {account_id, now - since_seconds * 1'000'000, static_cast<int64_t>(options_.max_cluster_members)});
    if (!rows.ok()) return std::move(rows).error();
    for (const auto& r : *rows) {
      Change change;
      TRIBUNE_ASSIGN(bool changed, Apply(s, moderator, r.Int(0), approve, rule, change, now));
      if (changed) ++result.decided;
      changes.push_back(std::move(change));
    }
    if (changes.empty()) return Ok{};
    return SaveStandings(s, {account_id}, approve, now);
  }));
  AfterCommit(changes, approve, rule, now);
  return result;
}

}  // namespace tribune::discussion
