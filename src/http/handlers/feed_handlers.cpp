// Feeds: Atom and RSS 2.0 of the newest 50 published articles of an edition, of a section or of a tag, and a
// JSON Feed 1.1 of the front page (news/feeds.hpp writes them).
//   /feeds/all.atom  /feeds/all.rss  /feeds/all.json
//   /feeds/section/{section}.atom|.rss   /feeds/tag/{tag}.atom|.rss
// The default edition's feeds are at /feeds/...; another edition's under its prefix: /fr/feeds/... .
// A section or tag without articles is an empty feed (200), as it may fill later; an unknown format, or a name
// over 200 bytes, is a 404. ETag (SHA-256 of the document) and If-None-Match → 304; cached 5 minutes.
#include <chrono>

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
  Response r;
  if (format == "atom") {
    r.content_type = "application/atom+xml; charset=utf-8";
    r.body = news::AtomFeed(m, page->items);
  } else if (format == "rss") {
    r.content_type = "application/rss+xml; charset=utf-8";
    r.body = news::RssFeed(m, page->items);
  } else {
    r.content_type = "application/feed+json; charset=utf-8";
    r.body = news::JsonFeed(m, page->items);
  }
  const std::string etag = "\"" + Sha256Hex(r.body).substr(0, 32) + "\"";
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  if (EtagMatches(req.Header("if-none-match"), etag)) {
    r.status = 304;
    r.body.clear();
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
