// Start here for discussions: comments under articles — post, reply, edit, delete, list.
//
// Every post and edit passes through the moderation::Engine; a rejected text is never stored as a
// comment, only as a decision record. Thread-safe; methods may block on a commit.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "discussion/events.hpp"
#include "moderation/behaviour/monitor.hpp"
#include "moderation/engine.hpp"
#include "storage/database.hpp"

namespace tribune::discussion {

class Notices;  // discussion/notices.hpp

struct CommentView {
  int64_t id = 0;
  int64_t article_id = 0;
  std::optional<int64_t> parent_id;
  int64_t author_id = 0;
  std::string author_name;
  std::string body;
  std::string body_html;
  std::string status;  // published | pending | deleted
  int64_t created_at = 0;
  std::optional<int64_t> edited_at;
  int64_t reply_count = 0;
  bool edited_by_moderator = false;  // the last edit was a moderator's, not the author's
};

// A SQL condition on moderation_decisions (no alias) that keeps the decisions about the text the comment holds: a
// refused edit leaves a 'reject' row for the comment, but the comment keeps its earlier text, so that row's
// findings (and spans) describe words the comment does not contain.
inline constexpr const char* kDecisionOnStoredText = "NOT (kind = 'edit' AND action = 'reject')";

// The columns every comment query selects first (comments as c, the author's account as the alias in
// `author`), in the order CommentViewFromRow reads them: 12 columns, 0..11.
std::string CommentColumns(const char* author);
CommentView CommentViewFromRow(const storage::Row& r);

struct PostResult {
  int64_t id = 0;
  std::string status;  // published | pending
  std::vector<moderation::Finding> findings;
  std::string body_html;  // as stored and listed (the safe Markdown rendering)
  int64_t created_at = 0;
};

enum class Sort { kOldest, kNewest, kTop };

struct ListQuery {
  int64_t article_id = 0;
  Sort sort = Sort::kOldest;
  std::string cursor;     // opaque, from a previous page of the same sort
  int limit = 50;
  int64_t viewer_id = 0;  // 0: anonymous; a signed-in viewer also sees their own pending comments
};

struct CommentPage {
  std::vector<CommentView> items;
  std::optional<std::string> next_cursor;
  int64_t total = 0;  // published comments of the article
};

// Who acts. Moderators may edit and delete any comment.
struct Actor {
  int64_t account_id = 0;
  bool moderator = false;
};

struct DiscussionOptions {
  std::string language = "en";
  std::string edition = "en";
  int page_max = 200;
  // The edition's behaviour monitor (flash_mob, flood, trolling), or nullptr. Every post is checked
  // against it and recorded in it (and in table moderation_window); the engine must hold the same one.
  moderation::behaviour::BehaviourState* monitor = nullptr;
  // Who hears about a comment that becomes public (reply notices, followers), or nullptr.
  Notices* notices = nullptr;
  // Several servers share the database (PostgreSQL): before each check, the window events the others logged
  // are read (moderation_window.seq) into this server's monitor, so flash_mob, flood and trolling see the
  // whole site's traffic. Call StartSharedWindow once the window was loaded.
  bool shared_window = false;
};

// The statement CommentService::List runs for one page of a thread in `sort` order ($1 article, $2 viewer, then the
// cursor's keys and the row count), the same on both backends. Exposed for the query-plan tests.
std::string ThreadPageSql(Sort sort);

class CommentService {
 public:
  CommentService(storage::Database& db, const Clock& clock, IdGenerator& ids, const moderation::Engine& engine,
                 DiscussionOptions options);

  // Errors: kNotFound (article), kBadRequest (parent unknown or in another article),
  // kRejected (the engine refused; extra_json carries "findings").
  Result<PostResult> Post(const Actor& actor, int64_t article_id, const std::string& body,
                          std::optional<int64_t> parent_id);

  // The author (or a moderator) replaces the text; the old text goes to the revision history and the new
  // one is moderated again. Errors: kNotFound, kForbidden, kConflict (deleted), kRejected.
  // `in_transaction`, when given, runs inside the edit's write after the change, with the text and status as
  // they were (the moderator's audit entry).
  using EditHook = std::function<Status(storage::Session&, const std::string& old_body, const std::string& old_status,
                                        const std::string& new_status)>;
  Result<CommentView> Edit(const Actor& actor, int64_t comment_id, const std::string& body,
                           const EditHook& in_transaction = nullptr);

  // Leaves a tombstone (status deleted, no text, no history) so replies keep their place.
  // Deleting twice is not an error. Errors: kNotFound, kForbidden.
  Status Delete(const Actor& actor, int64_t comment_id);

  // Errors: kNotFound (article), kBadRequest (cursor).
  Result<CommentPage> List(const ListQuery& query);

  Result<CommentView> Get(int64_t comment_id);

  // A number that grows whenever a committed change may alter the article's listing (post, edit,
  // delete). Caches of rendered pages compare it; distinct articles may share a counter, which only
  // costs an extra miss. Lock-free.
  uint64_t ThreadVersion(int64_t article_id) const;
  // For other services that change a thread's comments (moderators' decisions).
  void BumpThreadVersion(int64_t article_id);
  // Every thread at once (changes may have been missed: another server's notifications were lost).
  void BumpAllThreadVersions();

  // shared_window: the events up to `seq` are in the monitor already (LoadBehaviour read them).
  void StartSharedWindow(int64_t seq);
  // shared_window: the events other servers committed since the last call join the monitor. Thread-safe.
  Status CatchUpWindow();

  // Who hears about comments whose public face changed (the live streams); nullptr: nobody. Set before serving.
  void SetEvents(CommentEvents* events) { events_.store(events, std::memory_order_release); }
  Notices* notices() const { return options_.notices; }
  bool HasEvents() const { return events_.load(std::memory_order_acquire) != nullptr; }
  // After a commit: tells the observer, if any. Other services that change comments call it too.
  void Notify(int64_t article_id, int64_t comment_id, CommentEvent::Kind kind);

 private:
  // What the engine needs besides the text: the article (title, tags, lead, body) and who posts where.
  struct PostContext {
    std::string article;
    moderation::behaviour::Attempt attempt;
  };
  // Errors: kNotFound (article). A parent that is not a comment of the article is left to the write.
  Result<PostContext> LoadContext(int64_t author_id, int64_t article_id, std::optional<int64_t> parent_id);
  moderation::Decision Check(const std::string& body, const PostContext& context);
  Status RecordRejection(const Actor& actor, int64_t article_id, std::optional<int64_t> comment_id,
                         const char* kind, const std::string& body, const moderation::Decision& decision);
  // Inside a write: the attempt's event in the behaviour log and its author's new standing.
  Status LogAttempt(storage::Session& s, int64_t event_id, std::optional<int64_t> comment_id,
                    const moderation::Decision& decision);
  // After the write: the attempt joins the monitor's window; a cluster that just became a campaign has
  // its earlier published members held.
  void Remember(int64_t event_id, const moderation::Decision& decision);
  void HoldClusterMembers(const std::vector<int64_t>& comment_ids, const moderation::Decision& decision);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  const moderation::Engine& engine_;
  DiscussionOptions options_;
  std::atomic<uint32_t> posts_since_prune_{0};
  std::atomic<CommentEvents*> events_{nullptr};
  // shared_window: the last seq read (one catch-up at a time), and this server's own events to skip (Remember
  // records them) — under its own mutex: the writer adds to it while holding the cluster-wide write lock and
  // must never wait for a catch-up's read.
  std::mutex window_mu_;
  int64_t window_seq_ = 0;
  std::mutex own_mu_;
  std::unordered_set<int64_t> own_events_;
  static constexpr size_t kVersionSlots = 4096;
  std::unique_ptr<std::atomic<uint64_t>[]> versions_{new std::atomic<uint64_t>[kVersionSlots]()};
};

// The 422 error for a rejected text: the first finding's reason, and all findings.
Error RejectedError(const moderation::Decision& decision);

}  // namespace tribune::discussion
