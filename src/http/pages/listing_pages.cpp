// Section and tag pages: the edition's articles of one section (/section/{name}) or with one tag (/tag/{name}),
// newest first, with a link to the next page. The edition comes from ?lang=, else the default one.
#include "http/pages/pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "http/pages/subscription_pages.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

Response ListingPage(SiteContext& ctx, const Request& req, bool by_tag, const std::string& name) {
  const site::Lang edition = EditionOf(ctx, req);
  const PageVisit visit = Visit(ctx, req, edition);
  const EditionFilter filter = FilterFor(ctx.config, edition);
  news::ArticleQuery q{.cursor = req.Query("cursor").value_or(""), .limit = 20};
  (by_tag ? q.tag : q.section) = name;
  q.language = filter.language;
  q.not_languages = filter.not_languages;
  auto page = ctx.api.articles.List(q);
  if (!page.ok()) return ErrorPage(ctx, visit, page.error().code == ErrorCode::kBadRequest ? 404 : 500);
  if (page->items.empty() && q.cursor.empty()) return ErrorPage(ctx, visit, 404);

  const site::Lang lang = visit.lang;
  const std::string base = std::string(by_tag ? "/tag/" : "/section/") + PathSegment(name);
  site::Data d;
  d.set("kind", std::string(site::T(lang, by_tag ? "listing.tag" : "listing.section")));
  const std::string shown = by_tag ? name : SectionName(lang, name);
  d.set("name", shown);
  d.set("cards", RenderCards(ctx, lang, page->items));
  d.set("home", EditionHome(ctx, edition));
  d.set("subscribe", SubscribeFormData(ctx, lang, {(by_tag ? "tag:" : "section:") + name}));
  if (page->next_cursor) {
    d.set("more", base + "?cursor=" + PathSegment(*page->next_cursor) +
                      (edition == ctx.config.default_lang ? "" : "&lang=" + std::string(site::LangCode(edition))));
  }
  Frame f;
  f.title = shown;
  f.content = site::Render("listing", lang, d);
  f.styles = {"reader.css"};
  if (ctx.api.push_subscriptions != nullptr && !ctx.api.vapid_public_key.empty()) f.scripts.push_back("subscribe.js");
  f.body_class = "listing-page";
  f.canonical = base + LangQuery(ctx, edition);
  f.feeds = FeedLinks(ctx, edition, by_tag ? "tag" : "section", name, ctx.config.name + " — " + shown);
  return PageResponse(ctx, visit, std::move(f));
}

}  // namespace tribune::http
