// NewsletterService::SendDigests: the daily digest of new articles, one mail per address and UTC day.
//
// Exactly once: an address's mail and its digest_day mark are written in the same transaction, and the run picks
// only addresses whose digest_day is before the day (re-checked inside the transaction). A run stopped half-way
// (crash, restart) leaves the addresses it handled marked and the others not; the next run carries on. The mail's
// Message-ID is derived from the address's id and the day, so even a replayed transaction stores one mail. Runs of
// several servers are already serialised by Maintenance (RunExclusive) and, on PostgreSQL, by the write lock.
#include <algorithm>
#include <ctime>
#include <set>

#include "common/log.hpp"
#include "notify/newsletter.hpp"

namespace tribune::notify {

namespace {

constexpr int64_t kHour = 3600LL * 1'000'000;

// Sections first, then tags, then "all" (which would otherwise swallow every article); by name within a kind.
int Rank(const std::string& topic) { return topic.starts_with("section:") ? 0 : topic.starts_with("tag:") ? 1 : 2; }

std::string KindOf(const std::string& topic) {
  const size_t colon = topic.find(':');
  return colon == std::string::npos ? topic : topic.substr(0, colon);
}

std::string NameOf(const std::string& topic) {
  const size_t colon = topic.find(':');
  return colon == std::string::npos ? "" : topic.substr(colon + 1);
}

// A lead cut to about `max` bytes at a word boundary (UTF-8 safe: never inside a sequence).
std::string Excerpt(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const size_t space = text.rfind(' ', cut);
  if (space != std::string::npos && space > max / 2) cut = space;
  return text.substr(0, cut) + "…";
}

}  // namespace

std::string UtcDay(int64_t micros) {
  const std::time_t t = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Result<const std::vector<NewsletterService::ArticleRow>*> NewsletterService::TopicArticles(
    storage::Session& s, ArticleCache& cache, const std::string& topic, const std::string& language, int64_t since,
    int64_t now) {
  const std::string key = topic + '\n' + language + '\n' + std::to_string(since);
  if (auto it = cache.find(key); it != cache.end()) return &it->second;
  storage::Params params{since, now};
  std::string sql = "SELECT id, slug, title, lead, published_at FROM articles WHERE published_at > $1 AND published_at <= $2";
  if (topic.starts_with("section:")) {
    params.push_back(topic.substr(8));
    sql += " AND section = $" + std::to_string(params.size());
  } else if (topic.starts_with("tag:")) {
    params.push_back(topic.substr(4));
    sql += " AND id IN (SELECT article_id FROM article_tags WHERE tag = $" + std::to_string(params.size()) + ")";
  }
  // The articles the reader's edition shows: its own language; the default edition also every language that has no
  // edition of its own (as the site's pages do).
  auto match = [&](const std::string& l, bool keep) {
    params.push_back(l);
    const std::string a = std::to_string(params.size());
    params.push_back(l + "-%");
    const std::string b = std::to_string(params.size());
    sql += keep ? " AND (language = $" + a + " OR language LIKE $" + b + ")"
                : " AND language <> $" + a + " AND language NOT LIKE $" + b;
  };
  if (language != options_.languages.front()) {
    match(language, true);
  } else {
    for (size_t i = 1; i < options_.languages.size(); ++i) match(options_.languages[i], false);
  }
  params.push_back(static_cast<int64_t>(std::max(1, options_.max_items) + 1));
  sql += " ORDER BY published_at DESC, id DESC LIMIT $" + std::to_string(params.size());
  TRIBUNE_ASSIGN(storage::Rows rows, s.Query(sql, params));
  std::vector<ArticleRow> out;
  for (const auto& r : rows) out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)});
  return &cache.emplace(key, std::move(out)).first->second;
}

Result<DigestRun> NewsletterService::SendDigests(int64_t now) {
  DigestRun run;
  if (!options_.digest_enabled) return run;
  if ((now / kHour) % 24 < options_.send_hour) return run;
  const std::string day = UtcDay(now);
  ArticleCache cache;
  while (true) {
    TRIBUNE_ASSIGN(storage::Rows due,
                   db_.Read("SELECT id FROM newsletter_subscribers s WHERE digest_day < $1 AND EXISTS (SELECT 1 FROM"
                            " newsletter_topics t WHERE t.subscriber_id = s.id AND t.confirmed_at IS NOT NULL)"
                            " ORDER BY id LIMIT $2",
                            {day, static_cast<int64_t>(std::max(1, options_.batch))}));
    if (due.empty()) break;
    DigestRun chunk;
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      chunk = {};
      for (const auto& r : due) {
        auto queued = DigestFor(s, cache, r.Int(0), day, now);
        if (!queued.ok()) {
          if (queued.error().code >= ErrorCode::kUnavailable) return std::move(queued).error();
          // A mail the renderer refuses must not hold back everyone else's: the address is marked and skipped.
          log::Error("newsletter digest failed", "\"subscriber\":" + std::to_string(r.Int(0)) + ",\"error\":\"" +
                                                     log::JsonEscape(queued.error().message) + "\"");
          TRIBUNE_TRY(s.Exec("UPDATE newsletter_subscribers SET digest_day = $2 WHERE id = $1", {r.Int(0), day}));
        }
        ++chunk.addresses;
        chunk.mails += queued.ok() && *queued ? 1 : 0;
      }
      return Ok{};
    }));
    run.addresses += chunk.addresses;
    run.mails += chunk.mails;
  }
  return run;
}

Result<bool> NewsletterService::DigestFor(storage::Session& s, ArticleCache& cache, int64_t subscriber_id,
                                          const std::string& day, int64_t now) {
  TRIBUNE_ASSIGN(storage::Rows sub, s.Query("SELECT email, language, digest_since, digest_day FROM"
                                            " newsletter_subscribers WHERE id = $1",
                                            {subscriber_id}));
  if (sub.empty() || sub[0].Text(3) >= day) return false;  // unsubscribed meanwhile, or handled already
  const std::string email = sub[0].Text(0);
  const std::string language = sub[0].Text(1);
  const int64_t since = sub[0].Int(2);
  TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT topic FROM newsletter_topics WHERE subscriber_id = $1 AND"
                                             " confirmed_at IS NOT NULL",
                                             {subscriber_id}));
  std::vector<std::string> topics;
  for (const auto& r : rows) topics.push_back(r.Text(0));
  std::sort(topics.begin(), topics.end(), [](const std::string& a, const std::string& b) {
    return std::pair(Rank(a), a) < std::pair(Rank(b), b);
  });

  // Each article once, under the first of the reader's topics it belongs to; then the newest max_items overall.
  struct Entry {
    const ArticleRow* article;
    size_t topic;
  };
  std::vector<Entry> entries;
  std::set<int64_t> seen;
  for (size_t i = 0; i < topics.size(); ++i) {
    TRIBUNE_ASSIGN(const auto* articles, TopicArticles(s, cache, topics[i], language, since, now));
    for (const auto& a : *articles) {
      if (seen.insert(a.id).second) entries.push_back({&a, i});
    }
  }
  TRIBUNE_TRY(s.Exec("UPDATE newsletter_subscribers SET digest_day = $2 WHERE id = $1", {subscriber_id, day}));
  if (entries.empty()) return false;  // nothing new: no mail, and the next digest still starts from `since`
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::pair(a.article->published_at, a.article->id) > std::pair(b.article->published_at, b.article->id);
  });
  const size_t cap = static_cast<size_t>(std::max(1, options_.max_items));
  const bool more = entries.size() > cap;
  if (more) entries.resize(cap);
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.topic < b.topic; });

  mail::Mail m;
  m.to = email;
  m.kind = "newsletter_digest";
  m.language = language;
  m.dedup_key = "newsletter:" + std::to_string(subscriber_id) + ":" + day;
  m.unsubscribe_url = UnsubscribeUrl(subscriber_id);
  m.vars = {{"count", std::to_string(entries.size())}, {"more", more ? "true" : ""}};
  size_t last_topic = topics.size();
  for (const Entry& e : entries) {
    const std::string& topic = topics[e.topic];
    std::string name = NameOf(topic);
    if (topic.starts_with("section:") && options_.section_name) name = options_.section_name(name, language);
    m.items.push_back({{"group", e.topic != last_topic ? "true" : ""},
                       {"group_kind", KindOf(topic)},
                       {"group_name", name},
                       {"title", e.article->title},
                       {"lead", Excerpt(e.article->lead, 300)},
                       {"link", options_.base_url + "/articles/" + e.article->slug}});
    last_topic = e.topic;
  }
  TRIBUNE_TRY(outbox_.Enqueue(s, m));
  TRIBUNE_TRY(s.Exec("UPDATE newsletter_subscribers SET digest_since = $2 WHERE id = $1", {subscriber_id, now}));
  return true;
}

}  // namespace tribune::notify
