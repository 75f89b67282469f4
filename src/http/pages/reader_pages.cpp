// The reader pages' routes and the pieces they share: editions, article cards.
//   front_page.cpp     "/" and "/fr/": All news, Recommended, Multimedia, Trending
//   listing_pages.cpp  /section/{name}, /tag/{name}
//   article_page.cpp   /articles/{slug}: the article and its discussion (discussion_view.cpp)
//   standards_page.cpp /standards: the community standards
#include "http/pages/reader_pages.hpp"

#include <algorithm>

#include "common/clock.hpp"
#include "http/pages/pages.hpp"
#include "site/assets.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

EditionFilter FilterFor(const SiteConfig& config, site::Lang edition) {
  EditionFilter f;
  if (edition != config.default_lang) {
    f.language = std::string(site::LangCode(edition));
    return f;
  }
  for (site::Lang e : config.editions) {
    if (e != config.default_lang) f.not_languages.emplace_back(site::LangCode(e));
  }
  return f;
}

site::Lang EditionOf(const SiteContext& ctx, const Request& req) {
  if (auto q = req.Query("lang")) {
    if (auto l = site::ParseLang(*q);
        l && std::find(ctx.config.editions.begin(), ctx.config.editions.end(), *l) != ctx.config.editions.end()) {
      return *l;
    }
  }
  return ctx.config.default_lang;
}

std::string LangQuery(const SiteContext& ctx, site::Lang lang) {
  return lang == ctx.config.default_lang ? "" : "?lang=" + std::string(site::LangCode(lang));
}

std::string EditionHome(const SiteContext& ctx, site::Lang lang) {
  return lang == ctx.config.default_lang ? std::string("/") : "/" + std::string(site::LangCode(lang)) + "/";
}

std::string PathSegment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string SectionName(site::Lang lang, const std::string& slug) {
  const std::string key = "section." + slug;
  const std::string_view named = site::T(lang, key);
  if (named != key) return std::string(named);
  std::string s = slug;
  for (char& c : s) if (c == '-') c = ' ';
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string CreditLine(const std::string& credit) {
  if (credit.empty() || credit.starts_with("\xC2\xA9")) return credit;
  return "\xC2\xA9 " + credit;
}

std::string RenderCards(const SiteContext& ctx, site::Lang lang, const std::vector<news::Article>& items,
                        bool compact) {
  const std::string q = LangQuery(ctx, lang);
  std::string out;
  for (const auto& a : items) {
    site::Data d;
    const std::string href = "/articles/" + a.slug;
    d.set("href", href);
    d.set("title", a.title);
    d.set("compact", site::Bool(compact));
    if (!a.lead.empty() && !compact) d.set("lead", a.lead);
    if (!a.section.empty()) {
      d.set("section", SectionName(lang, a.section));
      d.set("section_href", "/section/" + PathSegment(a.section) + q);
    }
    if (a.kind == "gallery" || a.kind == "video") d.set("media", std::string(site::T(lang, "kind." + a.kind)));
    if (!a.image.url.empty()) {
      d.set("thumb", a.image.url);
      d.set("alt", a.image.caption);
    }
    d.set("iso", FormatRfc3339(a.published_at));
    d.set("date", site::FormatDay(lang, a.published_at));
    d.set("comments", site::Plural(lang, "card.comments", a.comment_count));
    out += site::Render("listing_card", lang, d);
  }
  return out;
}

void RegisterReaderPages(Router& router, SiteContext& ctx) {
  router.Add("GET", "/", [&ctx](Request& req) { return FrontPage(ctx, req, ctx.config.default_lang); },
             Dispatch::kInlineIfAnonymous);
  for (site::Lang e : ctx.config.editions) {
    if (e == ctx.config.default_lang) continue;
    router.Add("GET", "/" + std::string(site::LangCode(e)) + "/",
               [&ctx, e](Request& req) { return FrontPage(ctx, req, e); }, Dispatch::kInlineIfAnonymous);
  }
  router.Add("GET", "/section/{name}",
             [&ctx](Request& req) { return ListingPage(ctx, req, false, req.path_params["name"]); },
             Dispatch::kInlineIfAnonymous);
  router.Add("GET", "/tag/{name}", [&ctx](Request& req) { return ListingPage(ctx, req, true, req.path_params["name"]); },
             Dispatch::kInlineIfAnonymous);
  router.Add("GET", "/articles/{slug}", [&ctx](Request& req) { return ArticlePage(ctx, req, req.path_params["slug"]); },
             Dispatch::kInlineIfAnonymous);
  router.Add("GET", "/standards", [&ctx](Request& req) { return StandardsPage(ctx, req); },
             Dispatch::kInlineIfAnonymous);
}

}  // namespace tribune::http
