// E-mail subscriptions to the news ("Subscribe", issue 10): an address subscribes to all news, a section or a tag,
// confirms with the link of a mail (double opt-in), and then gets at most one digest a day of the new articles of
// its confirmed topics, through the mail outbox. Every digest carries a one-click unsubscribe link (RFC 8058).
//
//   Subscribe    always answers the same (no enumeration): a new or pending topic gets a confirmation mail whose
//                link holds a random token, stored as its SHA-256, single use, expiring after confirm_ttl; a topic
//                already confirmed gets nothing. Limits: per client address (kRateLimited) and per e-mail address
//                (further requests are answered alike but mail nothing), counted in rate_events so that several
//                servers share them.
//   Confirm      uses a token: the topic is confirmed; the address's digests start from that moment.
//   Unsubscribe  a signed token ("<subscriber id>.<HMAC>") that every digest carries: deletes the address and all its
//                topics. Idempotent.
//   SendDigests  the daily run (app/maintenance): after send_hour UTC, each address not yet handled that day gets one
//                mail listing the articles published since its last digest (published_at <= now), grouped by topic,
//                newest first, capped; no new article, no mail. The mail and the address's "day handled" mark are
//                written in one transaction (and the mail's Message-ID is derived from address and day), so a day's
//                digest is queued exactly once, whatever the number of servers and however often a run restarts.
// Thread-safe; calls may block on a commit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "mail/mail.hpp"
#include "storage/database.hpp"

namespace tribune::notify {

struct NewsletterOptions {
  std::string base_url;                          // links in mails; no trailing slash
  std::vector<std::string> languages = {"en"};   // the site's editions; the first is the default
  int64_t confirm_ttl_seconds = 72 * 3600;       // how long a confirmation link works
  int per_address_hour = 20;                     // subscribe requests per client address and hour (0: no limit)
  int per_email_day = 5;                         // confirmation mails per e-mail address and day (0: no limit)
  size_t max_topics = 20;                        // topics one address may hold (pending or confirmed)
  bool digest_enabled = true;                    // false: SendDigests sends nothing
  int send_hour = 6;                             // UTC hour from which the day's digests go out (0-23)
  int max_items = 30;                            // articles listed in one digest; the rest are only mentioned
  int batch = 200;                               // addresses handled per transaction in a digest run
  // A section's name in a language for the mails ("world" -> "Monde"); nullptr: the slug as it is.
  std::function<std::string(const std::string& slug, const std::string& language)> section_name;
};

struct NewsletterRequest {
  std::string email;
  std::string topic;           // "all" | "section:<slug>" | "tag:<tag>"
  std::string language;        // en | fr | ru; empty or other: the site's default
  std::string client_address;  // for the per-address limit; empty: not counted
};

// One confirmed or pending topic of an address (a signed-in reader's page lists them).
struct NewsletterTopic {
  std::string topic;
  bool confirmed = false;
};

struct DigestRun {
  int addresses = 0;  // addresses handled this run (mail or not)
  int mails = 0;      // digests queued
};

class NewsletterService {
 public:
  // `key`: HMAC key of the unsubscribe tokens (at least 32 bytes; kept in the database, shared by servers).
  // `outbox` is not owned and outlives the service.
  NewsletterService(storage::Database& db, const Clock& clock, IdGenerator& ids, mail::Outbox& outbox, std::string key,
                    NewsletterOptions options);

  // Errors: kBadRequest (address, language, topic syntax, a section or tag without articles), kRateLimited
  // (per_address_hour; retry_after set). Otherwise the same success for every address, whatever its state.
  Status Subscribe(const NewsletterRequest& request);

  // Confirms the topic of a confirmation link. Errors: kBadRequest (not a token of this site), kGone (used or
  // expired). Returns the topic confirmed.
  Result<std::string> Confirm(std::string_view token);
  // What a confirmation token would confirm, without changing anything (the page behind a mailed link). Errors as
  // Confirm's.
  Result<std::string> PeekConfirm(std::string_view token);

  // The unsubscribe token of a subscriber (its id) and the link every digest carries.
  std::string UnsubscribeToken(int64_t subscriber_id) const;
  std::string UnsubscribeUrl(int64_t subscriber_id) const;
  // Whether a token is one of this site's (a GET of the link changes nothing). Errors: kBadRequest.
  Status VerifyUnsubscribe(std::string_view token) const;
  // Deletes the address of the token and all its topics; idempotent. Errors: kBadRequest (not a token of this site).
  Status Unsubscribe(std::string_view token);

  // The topics of an address (a signed-in reader's own address), confirmed first.
  Result<std::vector<NewsletterTopic>> TopicsOf(std::string_view email);
  // Removes one topic of an address (its owner, signed in); the address goes when its last topic does.
  Status RemoveTopic(std::string_view email, std::string_view topic);

  // Queues the digests due at `now` (see the top of this file); returns what it did.
  Result<DigestRun> SendDigests(int64_t now);
  // Drops pending topics whose link expired a day ago, and this service's expired rate_events rows.
  Status CleanUp(int64_t now);

  // Before serving only (not synchronised): the origin is known once the server listens.
  void SetBaseUrl(const std::string& url) { options_.base_url = url; }
  const NewsletterOptions& options() const { return options_; }

 private:
  struct ArticleRow {
    int64_t id = 0;
    std::string slug, title, lead;
    int64_t published_at = 0;
  };
  using ArticleCache = std::map<std::string, std::vector<ArticleRow>>;

  Status CheckTopic(storage::Session& s, const std::string& topic) const;
  // The UTC day (YYYY-MM-DD) of the latest digest run due at `now`.
  std::string DigestDay(int64_t now) const;
  // The subscriber a signed unsubscribe token names. Errors: kBadRequest.
  Result<int64_t> SubscriberOf(std::string_view token) const;
  // The new articles of one topic for a subscriber (cached per run: many subscribers share topic and cut-off).
  Result<const std::vector<ArticleRow>*> TopicArticles(storage::Session& s, ArticleCache& cache,
                                                       const std::string& topic, const std::string& language,
                                                       int64_t since, int64_t now);
  // Counts one request of `bucket` within `window`; false when `limit` was reached (nothing counted then).
  Result<bool> Count(storage::Session& s, const std::string& bucket, int limit, int64_t window, int64_t now,
                     int64_t* oldest) const;
  Result<bool> DigestFor(storage::Session& s, ArticleCache& cache, int64_t subscriber_id, const std::string& day,
                         int64_t now);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  mail::Outbox& outbox_;
  std::string key_;
  NewsletterOptions options_;
};

// "all", "section:<slug>" (1-64 of a-z, 0-9, '-') or "tag:<tag>" (1-64 characters of UTF-8 text without controls).
bool IsNewsletterTopicSyntax(std::string_view topic);

// "2026-12-01" for a time in microseconds since the epoch (UTC).
std::string UtcDay(int64_t micros);

// An e-mail address normalised as accounts do (trimmed, lower case), or kBadRequest.
Result<std::string> NormaliseNewsletterEmail(std::string_view raw);

}  // namespace tribune::notify
