// What deleting, restoring and purging an account does to its comments (accounts::AccountContent).
// Hidden comments keep their status in hidden_status and come back as they were; purged ones become
// placeholders without text or author, so the replies under them still read as a thread.
#pragma once

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
  CommentService& comments_;
  const Clock& clock_;
};

}  // namespace tribune::discussion
