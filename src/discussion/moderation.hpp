// Moderators' decisions on comments and on flash-mob clusters. Each decision is recorded (table
// moderation_decisions, kind "moderator"), moves the author's standing (the trolling prior), and is handed to
// the learning hook with its label ("ok" or the rule) so the engine follows the publisher's standards.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "discussion/discussion.hpp"
#include "mail/mail.hpp"
#include "moderation/behaviour/monitor.hpp"
#include "storage/database.hpp"

namespace tribune::discussion {

struct ModerationOptions {
  std::string edition = "en";
  moderation::behaviour::BehaviourState* monitor = nullptr;  // nullptr: no clusters, no standing
  // Called after each committed decision with the comment, its text and "ok" or the rule (learning).
  std::function<void(int64_t comment_id, const std::string& text, const std::string& label)> learn;
  size_t max_cluster_members = 5000;  // members listed and decided at once
  // The author of a rejected comment is mailed the rule (nullptr: no mails).
  mail::Outbox* outbox = nullptr;
  std::string base_url = "http://127.0.0.1:8080";
  // Several servers share the database: a moderator's effect on the behaviour monitor (standing, approved
  // clusters) is announced on kBehaviourChannel and applied by the other servers too (see Share).
  bool shared = false;
};

// "<slot>,standing,<account>,<approved|rejected>,<time>" and "<slot>,cluster,<cluster id>,<time>".
inline constexpr const char* kBehaviourChannel = "tribune_behaviour";

struct BulkDecisionResult {
  int64_t decided = 0;  // comments whose status changed
};

struct ClusterMember {
  int64_t event_id = 0;
  std::optional<int64_t> comment_id;  // none: the attempt was rejected and never stored
  int64_t article_id = 0;
  int64_t account_id = 0;
  std::string display_name;
  int64_t created_at = 0;
  std::string status;  // published | pending | rejected | deleted | refused (rejected on posting)
  std::string body;    // empty for refused attempts
};

struct ClusterDetail {
  int64_t id = 0;
  uint32_t accounts = 0;
  bool approved = false;
  bool truncated = false;
  std::vector<ClusterMember> members;  // oldest first
};

struct ClusterDecisionResult {
  int64_t cluster_id = 0;
  int64_t decided = 0;  // comments whose status changed
};

class ModerationService {
 public:
  ModerationService(storage::Database& db, const Clock& clock, IdGenerator& ids, CommentService& comments,
                    ModerationOptions options);

  // action "approve" (publish) or "reject" (with `rule`, a rule id; the comment is kept for review but hidden).
  // `expected_status`, when given, is the status the moderator saw (pending, published, rejected): if another
  // moderator changed it meanwhile, nothing is done and the answer is kConflict naming the status now.
  // Errors: kBadRequest (action, rule), kNotFound, kConflict (deleted comment, or not the expected status).
  Result<CommentView> Decide(const Actor& moderator, int64_t comment_id, const std::string& action,
                             const std::string& rule, const std::optional<std::string>& expected_status = std::nullopt);

  // Before serving only (not synchronised): the origin is known once the server listens.
  void SetBaseUrl(const std::string& url) { options_.base_url = url; }

  // A moderator's edit: the text changes (history kept, marked as edited by a moderator) and the edit is audited.
  // Errors: CommentService::Edit's.
  Result<CommentView> EditAsModerator(const Actor& moderator, int64_t comment_id, const std::string& body);

  // Decides every comment the account wrote in the last `since_seconds` (at most max_cluster_members): reject
  // (with a rule) or approve the held ones. Errors: kBadRequest, kNotFound (no such account).
  Result<BulkDecisionResult> DecideRecent(const Actor& moderator, int64_t account_id, const std::string& action,
                                          const std::string& rule, int64_t since_seconds);

  // The flash-mob cluster a comment belongs to, after reading the other servers' window events (shared; a caller
  // asking for many comments calls CatchUp once and passes catch_up = false). Errors: kNotFound.
  Result<int64_t> ClusterOfComment(int64_t comment_id, bool catch_up = true);
  // Errors: kNotFound (no member in the window).
  Result<ClusterDetail> Cluster(int64_t cluster_id);
  // Distinct accounts in the cluster, from the monitor's memory only (the queue shows it per item, after one
  // CatchUp for the page). Errors: kNotFound.
  Result<uint32_t> ClusterAccounts(int64_t cluster_id);
  // Rejects (with `rule`, default flash_mob) or approves every member comment in one decision; approving
  // also stops the cluster from being flagged again. Errors: kBadRequest, kNotFound.
  Result<ClusterDecisionResult> DecideCluster(const Actor& moderator, int64_t cluster_id, const std::string& action,
                                              const std::string& rule);

  // shared: applies the other servers' announcements to this server's monitor. Errors: kUnavailable.
  Status Share();
  // One announcement (kBehaviourChannel); this server's own and malformed ones are ignored.
  void Heard(const std::string& payload);
  // shared: the window events the other servers committed join this server's monitor (clusters are read from it).
  Status CatchUp();

 private:
  void Announce(const std::string& what);
  struct Change {
    int64_t comment_id = 0;
    int64_t article_id = 0;
    int64_t author_id = 0;
    std::string body;
    std::string old_status, new_status;  // for the live streams (CommentEvents)
  };
  // Inside a write: applies one decision to one comment; false when nothing changed (deleted or same state).
  Result<bool> Apply(storage::Session& s, const Actor& moderator, int64_t comment_id, bool approve,
                     const std::string& rule, Change& change, int64_t now);
  Status ValidateDecision(const std::string& action, std::string& rule) const;
  Status SaveStandings(storage::Session& s, const std::vector<int64_t>& accounts, bool approve, int64_t now);
  void AfterCommit(const std::vector<Change>& changes, bool approve, const std::string& rule, int64_t now);
  // Inside the decision's write: tells the author of a rejected comment which rule it broke.
  Status MailRejection(storage::Session& s, const Change& change, const std::string& rule);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  CommentService& comments_;
  ModerationOptions options_;
};

}  // namespace tribune::discussion
