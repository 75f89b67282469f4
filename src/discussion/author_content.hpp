// What deleting, restoring and purging an account does to its comments (accounts::AccountContent).
// Hidden comments keep their status in hidden_status and come back as they were; purged ones become
// placeholders without text or author, so the replies under them still read as a thread.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "accounts/accounts.hpp"
#include "discussion/discussion.hpp"

namespace tribune::discussion {

class AuthorContent final : public accounts::AccountContent {
 public:
  AuthorContent(CommentService& comments, const Clock& clock) : comments_(comments), clock_(clock) {}

  Result<std::vector<int64_t>> Hide(storage::Session& s, int64_t account_id) override;
  Result<std::vector<int64_t>> Restore(storage::Session& s, int64_t account_id) override;
  Result<std::vector<int64_t>> Erase(storage::Session& s, int64_t account_id) override;
  void Changed(const std::vector<int64_t>& article_ids) override;

 private:
  // The comments whose public face a Hide, Restore or Erase changes, told to the live streams
  // (CommentService::Notify) once their transaction committed: Changed() gets only article ids, and
  // another account's transaction may still be open, so each waits until the comment reads as expected.
  struct Pending {
    int64_t article_id = 0;
    int64_t comment_id = 0;
    const char* expect = "";  // the status the transaction set
    CommentEvent::Kind kind = CommentEvent::kVisible;
    std::chrono::steady_clock::time_point since;
  };
  Status Remember(storage::Session& s, const char* sql, int64_t account_id, const char* expect,
                  CommentEvent::Kind kind);

  CommentService& comments_;
  const Clock& clock_;
  std::mutex pending_mu_;
  std::vector<Pending> pending_;
};

}  // namespace tribune::discussion
