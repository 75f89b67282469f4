// Feeds: Atom and RSS 2.0 of the newest 50 published articles of an edition, of a section or of a tag, and a
// JSON Feed 1.1 of the front page (news/feeds.hpp writes them).
//   /feeds/all.atom  /feeds/all.rss  /feeds/all.json
//   /feeds/section/{section}.atom|.rss   /feeds/tag/{tag}.atom|.rss
// The default edition's feeds are at /feeds/...; another edition's under its prefix: /fr/feeds/... .
// A section or tag without articles is an empty feed (200), as it may fill later; an unknown format, or a name
// over 200 bytes, is a 404. ETag (SHA-256 of the document) and If-None-Match → 304; cached 5 minutes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common/random.hpp"
#include "http/pages/pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "news/feeds.hpp"
#include "site/i18n.hpp"
#include "text/utf8.hpp"

namespace tribune::http {

namespace {

constexpr int kFeedItems = 50;
constexpr size_t kMaxName = 200;

std::string FeedPrefix(const SiteContext& ctx, site::Lang edition) {
  return edition == ctx.config.default_lang ? "/feeds" : "/" + std::string(site::LangCode(edition)) + "/feeds";
}

bool EtagMatches(std::string_view header, const std::string& etag) {
  if (header.empty()) return false;
  if (header == "*") return true;
  size_t i = 0;
  while (i < header.size()) {
    size_t j = header.find(',', i);
    if (j == std::string_view::npos) j = header.size();
    std::string_view one = header.substr(i, j - i);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one.starts_with("W/")) one.remove_prefix(2);
    if (one == etag) return true;
    i = j + 1;
  }
  return false;
}

struct CachedFeed {
  uint64_t fingerprint = 0;
  std::shared_ptr<const std::string> body;
  std::string etag;
};

constexpr size_t kMaxCachedFeeds = 1024;  // distinct feed addresses; the cache starts over beyond that
std::mutex cache_mu;
std::unordered_map<std::string, std::shared_ptr<const CachedFeed>> cache;

std::shared_ptr<const CachedFeed> Cached(const std::string& key, uint64_t fingerprint) {
  std::lock_guard lock(cache_mu);
  auto it = cache.find(key);
  return it != cache.end() && it->second->fingerprint == fingerprint ? it->second : nullptr;
}

void Remember(const std::string& key, std::shared_ptr<const CachedFeed> feed) {
  std::lock_guard lock(cache_mu);
  if (cache.size() >= kMaxCachedFeeds && !cache.count(key)) cache.clear();
  cache[key] = std::move(feed);
}

// Everything the document is made of (every field of every item, the feed's own addresses and title).
uint64_t Fingerprint(const news::FeedMeta& m, const std::vector<news::Article>& items) {
  uint64_t h = 1469598103934665603ull;
  const auto mix = [&h](std::string_view s) {
    h ^= std::hash<std::string_view>{}(s) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  };
  for (const std::string* s : {&m.title, &m.base_url, &m.self_path, &m.html_path, &m.language, &m.site_name}) mix(*s);
  mix(items.empty() ? std::to_string(m.now) : "");
  for (const auto& a : items) {
    mix(std::to_string(a.id) + "/" + std::to_string(a.published_at));
    for (const std::string* s : {&a.slug, &a.title, &a.lead, &a.body, &a.section, &a.byline, &a.language,
                                 &a.image.url, &a.image.caption, &a.image.credit}) {
      mix(*s);
    }
    for (const auto& t : a.tags) mix(t);
    mix("\x1e");
  }
  return h;
}

Response NotFound(const Request& req) {
  return ErrorResponse(MakeError(ErrorCode::kNotFound, "no such feed"), req.request_id);
}

// kind: "all", "section" or "tag"; file: the last path segment ("all.atom", "world.rss").
Response Feed(SiteContext& ctx, const Request& req, site::Lang edition, const std::string& kind, const std::string& file) {
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos) return NotFound(req);
  const std::string name = file.substr(0, dot), format = file.substr(dot + 1);
  if (format != "atom" && format != "rss" && !(format == "json" && kind == "all")) return NotFound(req);
  if (kind == "all" ? name != "all" : (name.empty() || name.size() > kMaxName || !text::IsValidUtf8(name))) {
    return NotFound(req);
  }
  const EditionFilter filter = FilterFor(ctx.config, edition);
  news::ArticleQuery q{.limit = kFeedItems};
  if (kind == "section") q.section = name;
  if (kind == "tag") q.tag = name;
  q.language = filter.language;
  q.not_languages = filter.not_languages;
  auto page = ctx.api.articles.List(q);
  if (!page.ok()) return ErrorResponse(page.error(), req.request_id);

  news::FeedMeta m;
  m.site_name = ctx.config.name;
  m.base_url = ctx.api.base_url;
  m.language = std::string(site::LangCode(edition));
  // An empty feed's <updated>: this hour, so its ETag stays the same for an hour.
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  m.now = now - now % 3'600'000'000;
  const std::string home = EditionHome(ctx, edition);
  const std::string lang_query = LangQuery(ctx, edition);
  if (kind == "all") {
    m.title = ctx.config.name;
    m.html_path = home;
    m.self_path = FeedPrefix(ctx, edition) + "/all." + format;
  } else {
    m.title = ctx.config.name + " — " + (kind == "tag" ? "#" + name : SectionName(edition, name));
    m.html_path = "/" + kind + "/" + PathSegment(name) + lang_query;
    m.self_path = FeedPrefix(ctx, edition) + "/" + kind + "/" + PathSegment(name) + "." + format;
  }
  // The document is re-rendered only when what it shows changed: a fingerprint of the items (cheap next to
  // rendering fifty bodies from Markdown and hashing the result) picks a cached body and ETag.
  const uint64_t fingerprint = Fingerprint(m, page->items);
  const std::string key = std::to_string(reinterpret_cast<uintptr_t>(&ctx)) + " " + m.self_path;
  std::shared_ptr<const CachedFeed> feed = Cached(key, fingerprint);
  if (!feed) {
    auto fresh = std::make_shared<CachedFeed>();
    fresh->fingerprint = fingerprint;
    fresh->body = std::make_shared<const std::string>(format == "atom"  ? news::AtomFeed(m, page->items)
                                                      : format == "rss" ? news::RssFeed(m, page->items)
                                                                        : news::JsonFeed(m, page->items));
    fresh->etag = "\"" + Sha256Hex(*fresh->body).substr(0, 32) + "\"";
    feed = fresh;
    // An empty feed is cheap to make again; not keeping it means requests for made-up names cannot fill the
    // cache and make it start over (which would leave the real feeds to be rendered afresh).
    if (!page->items.empty()) Remember(key, feed);
  }
  Response r;
  r.content_type = format == "atom"  ? "application/atom+xml; charset=utf-8"
                   : format == "rss" ? "application/rss+xml; charset=utf-8"
                                     : "application/feed+json; charset=utf-8";
  r.headers.emplace_back("ETag", feed->etag);
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  if (EtagMatches(req.Header("if-none-match"), feed->etag)) {
    r.status = 304;
  } else {
    r.shared_body = feed->body;
  }
  return r;
}

void AddEdition(Router& router, SiteContext& ctx, site::Lang e) {
  const std::string prefix = FeedPrefix(ctx, e);
  router.Add("GET", prefix + "/{file}",
             [&ctx, e](Request& req) { return Feed(ctx, req, e, "all", req.path_params["file"]); }, Dispatch::kInline);
  router.Add("GET", prefix + "/section/{file}",
             [&ctx, e](Request& req) { return Feed(ctx, req, e, "section", req.path_params["file"]); },
             Dispatch::kInline);
  router.Add("GET", prefix + "/tag/{file}",
             [&ctx, e](Request& req) { return Feed(ctx, req, e, "tag", req.path_params["file"]); }, Dispatch::kInline);
}

}  // namespace

std::vector<FeedLink> FeedLinks(const SiteContext& ctx, site::Lang edition, const std::string& kind,
                                const std::string& name, const std::string& title) {
  const std::string base = FeedPrefix(ctx, edition) + (kind == "all" ? "/all" : "/" + kind + "/" + PathSegment(name));
  std::vector<FeedLink> out{{"application/atom+xml", title + " (Atom)", base + ".atom"},
                            {"application/rss+xml", title + " (RSS)", base + ".rss"}};
  if (kind == "all") out.push_back({"application/feed+json", title + " (JSON Feed)", base + ".json"});
  return out;
}

void RegisterFeeds(Router& router, SiteContext& ctx) {
  for (site::Lang e : ctx.config.editions) AddEdition(router, ctx, e);
}

}  // namespace tribune::http
