// What readers hear when a comment becomes public (posted and published, or approved by a moderator):
//   - the author of the comment it answers: a push to their devices subscribed to "replies", and an e-mail at
//     once or in the next daily digest, as they chose (notify::PreferenceService; e-mail is opt-in);
//   - the readers following the article (push topic "article:<id>"): one notice per article and `follow_window`,
//     sent when the window ends, to every follower who did not write all of that window's comments.
// Everything is queued in the transaction that makes the comment public, through the durable outboxes, so a
// notice exists exactly when its reply does. Nobody hears about their own comment, and a deleted, purged or
// blocked reader hears nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "mail/mail.hpp"
#include "notify/prefs.hpp"
#include "notify/push.hpp"
#include "storage/database.hpp"

namespace tribune::discussion {

struct NoticeOptions {
  notify::PushOutbox* push = nullptr;            // nullptr: no pushes
  mail::Outbox* mail = nullptr;                  // nullptr: no e-mails
  notify::PreferenceService* prefs = nullptr;    // unsubscribe tokens; nullptr: no e-mails
  std::string base_url;                          // no trailing slash
  int64_t follow_window_us = 10LL * 60 * 1'000'000;
  int digest_hour = 7;                           // UTC hour after which the day's digests go out
  int digest_max_items = 20;                     // replies listed in one digest; the rest are counted
};

struct PublishedComment {
  int64_t comment_id = 0;
  int64_t article_id = 0;
  std::optional<int64_t> parent_id;
  int64_t author_id = 0;
  std::string_view body;
};

class Notices {
 public:
  explicit Notices(const Clock& clock, NoticeOptions options) : clock_(clock), options_(std::move(options)) {}

  // In the transaction that makes `comment` public.
  Status OnPublished(storage::Session& s, const PublishedComment& comment, int64_t now);

  // Sends the daily digests that are due at `now`: once per UTC day, after options.digest_hour, every reader
  // with waiting replies gets one mail (de-duplicated per reader and day). Returns how many were queued.
  Result<int> SendDigests(storage::Database& db, int64_t now);

  void SetBaseUrl(const std::string& url) { options_.base_url = url; }

 private:
  Status NotifyParentAuthor(storage::Session& s, const PublishedComment& comment, int64_t now);
  Status NotifyFollowers(storage::Session& s, const PublishedComment& comment, int64_t now);
  Result<bool> DigestFor(storage::Session& s, int64_t account_id, const std::string& day, int64_t now);

  const Clock& clock_;
  NoticeOptions options_;
};

}  // namespace tribune::discussion
