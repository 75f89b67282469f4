// The front page of an edition ("/" or "/fr/"): All news (newest first, paged), and beside it Recommended
// (editors' picks that have not expired), Trending (news/article_trending.cpp) and Multimedia (galleries, videos).
#include "http/pages/pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

Response FrontPage(SiteContext& ctx, const Request& req, site::Lang edition) {
  const PageVisit visit = Visit(ctx, req, edition);
  const EditionFilter filter = FilterFor(ctx.config, edition);
  news::ArticleQuery all{.cursor = req.Query("cursor").value_or(""), .limit = 20};
  all.language = filter.language;
  all.not_languages = filter.not_languages;
  auto page = ctx.api.articles.List(all);
  if (!page.ok()) return ErrorPage(ctx, visit, page.error().code == ErrorCode::kBadRequest ? 404 : 500);

  news::ArticleQuery side{.limit = 5};
  side.language = filter.language;
  side.not_languages = filter.not_languages;
  side.recommended = true;
  auto recommended = ctx.api.articles.List(side);
  side.recommended = false;
  side.multimedia = true;
  auto multimedia = ctx.api.articles.List(side);
  auto trending = ctx.api.articles.Trending({.language = filter.language, .not_languages = filter.not_languages});
  if (!recommended.ok() || !multimedia.ok() || !trending.ok()) return ErrorPage(ctx, visit, 500);

  const site::Lang lang = visit.lang;
  site::Data d;
  d.set("site_name", ctx.config.name);
  d.set("all", RenderCards(ctx, lang, page->items));
  d.set("has_all", site::Bool(!page->items.empty()));
  d.set("later_page", site::Bool(!all.cursor.empty()));
  d.set("home", EditionHome(ctx, edition));
  if (page->next_cursor) {
    d.set("more", EditionHome(ctx, edition) + "?cursor=" + PathSegment(*page->next_cursor) +
                      (edition == lang ? "" : "&lang=" + std::string(site::LangCode(lang))) + "#all-news");
  }
  d.set("recommended", RenderCards(ctx, lang, recommended->items, true));
  d.set("has_recommended", site::Bool(!recommended->items.empty()));
  d.set("multimedia", RenderCards(ctx, lang, multimedia->items, true));
  d.set("has_multimedia", site::Bool(!multimedia->items.empty()));
  d.set("trending", RenderCards(ctx, lang, *trending, true));
  d.set("has_trending", site::Bool(!trending->empty()));
  Frame f;
  f.content = site::Render("front", lang, d);
  f.styles = {"reader.css"};
  f.body_class = "front-page";
  f.canonical = EditionHome(ctx, edition);
  f.feeds = FeedLinks(ctx, edition, "all", "", ctx.config.name);
  return PageResponse(ctx, visit, std::move(f));
}

}  // namespace tribune::http
