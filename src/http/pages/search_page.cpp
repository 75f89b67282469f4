// GET /search?q=: the results page (a form, the count, the results with their snippets, the next page), over the
// same SearchService as GET /api/v1/search. A query the search cannot take is a 400 page that says why.
#include "common/cursor.hpp"
#include "http/pages/pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "site/i18n.hpp"
#include "text/utf8.hpp"

namespace tribune::http {

namespace {

constexpr int kPerPage = 20;
constexpr int64_t kCountCap = 1000;

Response SearchPage(SiteContext& ctx, const Request& req) {
  const site::Lang edition = EditionOf(ctx, req);
  const PageVisit visit = Visit(ctx, req, edition);
  const site::Lang lang = visit.lang;
  std::string q = req.Query("q").value_or("");
  // What the form shows back: only text that is safe to put in it (the search itself judges the rest).
  const bool showable = q.size() <= 1024 && text::IsValidUtf8(q) && !text::HasForbiddenControls(q);
  site::Data d;
  d.set("q", showable ? q : std::string());
  d.set("action", "/search");
  if (edition != ctx.config.default_lang) d.set("lang", std::string(site::LangCode(edition)));
  d.set("home", EditionHome(ctx, edition));
  Frame f;
  f.title = std::string(site::T(lang, "search.title"));
  f.styles = {"reader.css", "search.css"};
  f.body_class = "search-page";
  f.noindex = true;
  int status = 200;
  if (!q.empty() && ctx.api.search != nullptr) {
    const EditionFilter filter = FilterFor(ctx.config, edition);
    news::SearchRequest r{.q = q, .cursor = req.Query("cursor").value_or(""), .limit = kPerPage};
    r.language = filter.language;
    r.not_languages = filter.not_languages;
    auto page = ctx.api.search->Search(r);
    if (!page.ok()) {
      if (page.error().code != ErrorCode::kBadRequest) return ErrorPage(ctx, visit, 500);
      status = 400;
      d.set("bad", site::Bool(true));
      d.set("reason", page.error().message);
    } else {
      auto count = ctx.api.search->Count(r, kCountCap);
      if (!count.ok()) return ErrorPage(ctx, visit, 500);
      d.set("searched", site::Bool(true));
      d.set("count", *count >= kCountCap ? site::Format(lang, "search.count_many", {{"n", std::to_string(kCountCap)}})
                                         : site::Plural(lang, "search.count", *count));
      if (page->items.empty()) d.set("none", site::Bool(true));
      site::List results;
      const std::string lq = LangQuery(ctx, edition);
      for (const auto& hit : page->items) {
        const news::Article& a = hit.article;
        site::Data item;
        item.set("href", "/articles/" + a.slug);
        item.set("title", a.title);
        if (!a.section.empty()) {
          item.set("section", SectionName(lang, a.section));
          item.set("section_href", "/section/" + PathSegment(a.section) + lq);
        }
        item.set("iso", FormatRfc3339(a.published_at));
        item.set("date", site::FormatDay(lang, a.published_at));
        item.set("snippet", hit.snippet);  // HTML built and escaped by news::Snippet
        results.push_back(item);
      }
      d.set("results", results);
      const std::string base = "/search?q=" + PathSegment(q) +
                               (edition == ctx.config.default_lang ? "" : "&lang=" + std::string(site::LangCode(edition)));
      if (page->next_cursor) d.set("more", base + "&cursor=" + PathSegment(*page->next_cursor));
      if (!r.cursor.empty()) d.set("first", base);
      f.title = q + " — " + f.title;
    }
  }
  f.content = site::Render("search", lang, d);
  return PageResponse(ctx, visit, std::move(f), status);
}

}  // namespace

void RegisterSearchPage(Router& router, SiteContext& ctx) {
  router.Add("GET", "/search", [&ctx](Request& req) { return SearchPage(ctx, req); });
}

}  // namespace tribune::http
