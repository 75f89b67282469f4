// NewsletterService: subscribe with double opt-in, confirm, one-click unsubscribe, a reader's own topics, limits.
// The daily digest is in newsletter_digest.cpp.
#include "notify/newsletter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "common/random.hpp"
#include "text/utf8.hpp"

namespace tribune::notify {

namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsSectionSlug(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool IsTagText(std::string_view s) {
  return !s.empty() && s.size() <= 256 && text::IsValidUtf8(s) && !text::HasForbiddenControls(s) && !text::IsBlank(s) &&
         s.find_first_of("\r\n\t") == std::string_view::npos && text::CountCodePoints(s) <= 64;
}

// An IPv6 address is counted by its /64 (one household usually holds a whole /64).
std::string LimitKey(const std::string& address) {
  in6_addr v6{};
  if (address.find(':') == std::string::npos || inet_pton(AF_INET6, address.c_str(), &v6) != 1) return address;
  std::memset(v6.s6_addr + 8, 0, 8);
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &v6, buf, sizeof buf);
  return std::string(buf) + "/64";
}

std::string Mac(const std::string& key, int64_t subscriber_id) {
  return HmacSha256B64(key, "newsletter:unsubscribe:" + std::to_string(subscriber_id));
}

Status CheckToken(std::string_view token) {
  if (token.size() < 16 || token.size() > 128 || !Base64UrlDecode(token)) {
    return Bad("This link is not valid. Subscribe again to get a new one.");
  }
  return Ok{};
}

}  // namespace

bool IsNewsletterTopicSyntax(std::string_view topic) {
  if (topic == "all") return true;
  if (topic.starts_with("section:")) return IsSectionSlug(topic.substr(8));
  if (topic.starts_with("tag:")) return IsTagText(topic.substr(4));
  return false;
}

Result<std::string> NormaliseNewsletterEmail(std::string_view raw) {
  const Error invalid = Bad("email must be a valid e-mail address.");
  if (raw.size() > 320) return invalid;
  const std::string_view email = TrimAscii(raw);
  if (email.empty() || email.size() > 254) return invalid;
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return invalid;
  const std::string_view domain = email.substr(at + 1);
  if (at > 64 || domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return invalid;
  }
  std::string out;
  out.reserve(email.size());
  for (char ch : email) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || std::strchr("<>\"(),;:\\[]", ch) != nullptr) return invalid;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

NewsletterService::NewsletterService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                     mail::Outbox& outbox, std::string key, NewsletterOptions options)
    : db_(db), clock_(clock), ids_(ids), outbox_(outbox), key_(std::move(key)), options_(std::move(options)) {
  if (key_.size() < 32) throw std::invalid_argument("newsletter: the unsubscribe key needs at least 32 bytes");
  if (options_.languages.empty()) options_.languages = {"en"};
}

Status NewsletterService::CheckTopic(storage::Session& s, const std::string& topic) const {
  if (!IsNewsletterTopicSyntax(topic)) {
    return Bad("topic must be \"all\", \"section:<name>\" or \"tag:<name>\".");
  }
  if (topic == "all") return Ok{};
  storage::Rows rows;
  if (topic.starts_with("section:")) {
    // Only what readers can see: a section or tag that exists only on drafts or scheduled articles is not named.
    TRIBUNE_ASSIGN(rows, s.Query("SELECT 1 FROM articles WHERE section = $1 AND published_at <= $2 LIMIT 1",
                                 {topic.substr(8), clock_.NowMicros()}));
  } else {
    TRIBUNE_ASSIGN(rows, s.Query("SELECT 1 FROM article_tags t JOIN articles a ON a.id = t.article_id"
                                 " WHERE t.tag = $1 AND a.published_at <= $2 LIMIT 1",
                                 {topic.substr(4), clock_.NowMicros()}));
  }
  if (rows.empty()) return Bad("topic: there is no such section or tag on this site.");
  return Ok{};
}

Result<bool> NewsletterService::Count(storage::Session& s, const std::string& bucket, int limit, int64_t window,
                                      int64_t now, int64_t* oldest) const {
  if (limit <= 0) return true;
  TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE bucket = $1 AND at <= $2", {bucket, now - window}));
  TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT COUNT(*), MIN(at) FROM rate_events WHERE bucket = $1", {bucket}));
  if (rows.at(0).Int(0) >= limit) {
    if (oldest != nullptr) *oldest = rows[0].Int(1);
    return false;
  }
  TRIBUNE_TRY(s.Exec("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)", {bucket, now}));
  return true;
}

Status NewsletterService::Subscribe(const NewsletterRequest& request) {
  TRIBUNE_ASSIGN(const std::string email, NormaliseNewsletterEmail(request.email));
  if (request.topic.size() > 300) return Bad("topic is too long.");
  const std::string& topic = request.topic;
  std::string language = options_.languages.front();
  if (!request.language.empty()) {
    if (std::find(options_.languages.begin(), options_.languages.end(), request.language) ==
        options_.languages.end()) {
      return Bad("language must name one of this site's editions.");
    }
    language = request.language;
  }
  const int64_t now = clock_.NowMicros();
  const int64_t fresh_subscriber = ids_.Next();
  const int64_t fresh_topic = ids_.Next();
  std::optional<int64_t> refused_oldest;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    refused_oldest.reset();
    TRIBUNE_TRY(CheckTopic(s, topic));  // only valid requests count
    if (!request.client_address.empty()) {
      int64_t oldest = now;
      // A key that is long (not an address) is counted as its SHA-256, so a bucket stays short.
      std::string key = LimitKey(request.client_address);
      if (key.size() > 64) key = "#" + Sha256Hex(key);
      TRIBUNE_ASSIGN(const bool admitted, Count(s, "newsletter:address:" + key,
                                                options_.per_address_hour, kHour, now, &oldest));
      if (!admitted) {
        refused_oldest = oldest;
        return Ok{};
      }
    }
    TRIBUNE_ASSIGN(storage::Rows sub, s.Query("SELECT id FROM newsletter_subscribers WHERE email = $1", {email}));
    std::optional<int64_t> subscriber;
    std::optional<int64_t> topic_id;
    if (!sub.empty()) {
      subscriber = sub[0].Int(0);
      TRIBUNE_ASSIGN(storage::Rows t, s.Query("SELECT id, confirmed_at FROM newsletter_topics WHERE subscriber_id = $1"
                                              " AND topic = $2",
                                              {*subscriber, topic}));
      if (!t.empty() && !t[0].IsNull(1)) return Ok{};  // confirmed already: nothing to do, the same answer
      if (!t.empty()) topic_id = t[0].Int(0);
      if (!topic_id) {
        TRIBUNE_ASSIGN(storage::Rows n,
                       s.Query("SELECT COUNT(*) FROM newsletter_topics WHERE subscriber_id = $1", {*subscriber}));
        if (n.at(0).Int(0) >= static_cast<int64_t>(options_.max_topics)) return Ok{};  // silently: no enumeration
      }
    }
    // At most per_email_day confirmation mails a day to one address, whoever asks (the address is counted by hash).
    TRIBUNE_ASSIGN(const bool mail_ok,
                   Count(s, "newsletter:email:" + Sha256Hex(email), options_.per_email_day, kDay, now, nullptr));
    if (!mail_ok) return Ok{};
    if (!subscriber) {
      subscriber = fresh_subscriber;
      TRIBUNE_TRY(s.Exec("INSERT INTO newsletter_subscribers (id, email, language, created_at, digest_since, digest_day)"
                         " VALUES ($1, $2, $3, $4, $4, '')",
                         {*subscriber, email, language, now}));
    }
    const std::string token = RandomToken(32);
    const int64_t expires = now + options_.confirm_ttl_seconds * kSecond;
    if (topic_id) {
      TRIBUNE_TRY(s.Exec("UPDATE newsletter_topics SET token_hash = $2, token_expires_at = $3, token_used_at = NULL,"
                         " language = $4 WHERE id = $1",
                         {*topic_id, Sha256Hex(token), expires, language}));
    } else {
      TRIBUNE_TRY(s.Exec("INSERT INTO newsletter_topics (id, subscriber_id, topic, language, created_at, token_hash,"
                         " token_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         {fresh_topic, *subscriber, topic, language, now, Sha256Hex(token), expires}));
    }
    mail::Mail m;
    m.to = email;
    m.kind = "newsletter_confirm";
    m.language = language;
    const size_t colon = topic.find(':');
    const std::string kind = colon == std::string::npos ? topic : topic.substr(0, colon);
    std::string name = colon == std::string::npos ? "" : topic.substr(colon + 1);
    if (kind == "section" && options_.section_name) name = options_.section_name(name, language);
    m.vars = {{"link", options_.base_url + "/subscriptions/confirm?token=" + token},
              {"topic_kind", kind},
              {"topic_name", name},
              {"hours", std::to_string(options_.confirm_ttl_seconds / 3600)}};
    return outbox_.Enqueue(s, m);
  }));
  if (refused_oldest) {
    Error e = MakeError(ErrorCode::kRateLimited, "Too many subscription requests from this address; try again later.");
    e.retry_after_seconds = std::max<int64_t>(1, (*refused_oldest + kHour - now + kSecond - 1) / kSecond);
    return e;
  }
  return Ok{};
}

Result<std::string> NewsletterService::PeekConfirm(std::string_view token) {
  TRIBUNE_TRY(CheckToken(token));
  TRIBUNE_ASSIGN(storage::Rows rows, db_.Read("SELECT topic, token_expires_at, token_used_at FROM newsletter_topics"
                                              " WHERE token_hash = $1",
                                              {Sha256Hex(token)}));
  if (rows.empty()) return Bad("This link is not valid. Subscribe again to get a new one.");
  if (!rows[0].IsNull(2)) return MakeError(ErrorCode::kGone, "This link was already used.");
  if (clock_.NowMicros() >= rows[0].Int(1)) return MakeError(ErrorCode::kGone, "This link has expired.");
  return rows[0].Text(0);
}

Result<std::string> NewsletterService::Confirm(std::string_view token) {
  TRIBUNE_TRY(CheckToken(token));
  const std::string hash = Sha256Hex(token);
  const int64_t now = clock_.NowMicros();
  const std::string today = DigestDay(now);
  std::string topic;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT id, subscriber_id, topic, token_expires_at, token_used_at,"
                                               " language FROM newsletter_topics WHERE token_hash = $1",
                                               {hash}));
    if (rows.empty()) return Bad("This link is not valid. Subscribe again to get a new one.");
    const auto& r = rows[0];
    if (!r.IsNull(4)) return MakeError(ErrorCode::kGone, "This link was already used.");
    if (now >= r.Int(3)) return MakeError(ErrorCode::kGone, "This link has expired. Subscribe again to get a new one.");
    topic = r.Text(2);
    const int64_t subscriber = r.Int(1);
    TRIBUNE_ASSIGN(storage::Rows confirmed, s.Query("SELECT COUNT(*) FROM newsletter_topics WHERE subscriber_id = $1"
                                                    " AND confirmed_at IS NOT NULL",
                                                    {subscriber}));
    if (confirmed.at(0).Int(0) == 0) {
      // The first confirmed topic: digests list what is published from now on, starting with the next send time.
      TRIBUNE_TRY(s.Exec("UPDATE newsletter_subscribers SET digest_since = $2, digest_day = $3, language = $4"
                         " WHERE id = $1",
                         {subscriber, now, today, r.Text(5)}));
    } else {
      TRIBUNE_TRY(s.Exec("UPDATE newsletter_subscribers SET language = $2 WHERE id = $1", {subscriber, r.Text(5)}));
    }
    TRIBUNE_TRY(s.Exec("UPDATE newsletter_topics SET confirmed_at = $2, token_used_at = $2 WHERE id = $1",
                       {r.Int(0), now}));
    return Ok{};
  }));
  return topic;
}

std::string NewsletterService::DigestDay(int64_t now) const {
  // The day whose digest run is the latest one due at `now`: today from send_hour on, yesterday before it.
  const int64_t hour = (now / kHour) % 24;
  return UtcDay(hour >= options_.send_hour ? now : now - kDay);
}

std::string NewsletterService::UnsubscribeToken(int64_t subscriber_id) const {
  return std::to_string(subscriber_id) + "." + Mac(key_, subscriber_id);
}

std::string NewsletterService::UnsubscribeUrl(int64_t subscriber_id) const {
  return options_.base_url + "/subscriptions/unsubscribe?token=" + UnsubscribeToken(subscriber_id);
}

Result<int64_t> NewsletterService::SubscriberOf(std::string_view token) const {
  const Error bad = Bad("This unsubscribe link is not valid.");
  if (token.size() > 128) return bad;
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 19) return bad;
  const std::string_view digits = token.substr(0, dot);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos || digits[0] == '0') return bad;
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size()) return bad;
  if (!ConstantTimeEquals(Mac(key_, id), token.substr(dot + 1))) return bad;
  return id;
}

Status NewsletterService::VerifyUnsubscribe(std::string_view token) const {
  TRIBUNE_ASSIGN(const int64_t id, SubscriberOf(token));
  (void)id;
  return Ok{};
}

Status NewsletterService::Unsubscribe(std::string_view token) {
  TRIBUNE_ASSIGN(const int64_t id, SubscriberOf(token));
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("DELETE FROM newsletter_topics WHERE subscriber_id = $1", {id}));
    TRIBUNE_TRY(s.Exec("DELETE FROM newsletter_subscribers WHERE id = $1", {id}));
    return Ok{};
  });
}

Result<std::vector<NewsletterTopic>> NewsletterService::TopicsOf(std::string_view email) {
  TRIBUNE_ASSIGN(const std::string address, NormaliseNewsletterEmail(email));
  TRIBUNE_ASSIGN(storage::Rows rows,
                 db_.Read("SELECT t.topic, t.confirmed_at FROM newsletter_topics t JOIN newsletter_subscribers s"
                          " ON s.id = t.subscriber_id WHERE s.email = $1 ORDER BY t.confirmed_at IS NULL, t.topic",
                          {address}));
  std::vector<NewsletterTopic> out;
  for (const auto& r : rows) out.push_back({r.Text(0), !r.IsNull(1)});
  return out;
}

Status NewsletterService::RemoveTopic(std::string_view email, std::string_view topic) {
  TRIBUNE_ASSIGN(const std::string address, NormaliseNewsletterEmail(email));
  if (!IsNewsletterTopicSyntax(topic)) return Bad("topic must be \"all\", \"section:<name>\" or \"tag:<name>\".");
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows sub, s.Query("SELECT id FROM newsletter_subscribers WHERE email = $1", {address}));
    if (sub.empty()) return MakeError(ErrorCode::kNotFound, "No such subscription.");
    const int64_t id = sub[0].Int(0);
    TRIBUNE_ASSIGN(storage::Rows gone, s.Query("DELETE FROM newsletter_topics WHERE subscriber_id = $1 AND topic = $2"
                                               " RETURNING id",
                                               {id, std::string(topic)}));
    if (gone.empty()) return MakeError(ErrorCode::kNotFound, "No such subscription.");
    TRIBUNE_TRY(s.Exec("DELETE FROM newsletter_subscribers WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM"
                       " newsletter_topics t WHERE t.subscriber_id = $1)",
                       {id}));
    return Ok{};
  });
}

Status NewsletterService::CleanUp(int64_t now) {
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("DELETE FROM newsletter_topics WHERE confirmed_at IS NULL AND token_expires_at < $1",
                       {now - kDay}));
    TRIBUNE_TRY(s.Exec("DELETE FROM newsletter_subscribers WHERE NOT EXISTS (SELECT 1 FROM newsletter_topics t"
                       " WHERE t.subscriber_id = newsletter_subscribers.id) AND created_at < $1",
                       {now - kDay}));
    TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE substr(bucket, 1, 11) = 'newsletter:' AND at < $1",
                       {now - kDay}));
    return Ok{};
  });
}

}  // namespace tribune::notify
