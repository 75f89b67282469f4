// Server-rendered reader pages: the front page and the article page with its discussion.
// Small on purpose: the full site (templates, forms, live updates) is built on these routes later.
#include "http/pages/pages.hpp"

#include "site/i18n.hpp"

#include "common/clock.hpp"
#include "text/markdown.hpp"
#include "text/utf8.hpp"

namespace tribune::http {

namespace {

using text::HtmlEscape;

std::string Date(int64_t micros) { return FormatRfc3339(micros).substr(0, 16).replace(10, 1, " "); }

std::string CountComments(int64_t n) { return std::to_string(n) + (n == 1 ? " comment" : " comments"); }

std::string Card(const news::Article& a) {
  std::string h = "<article class=\"card\"><div class=\"section\">" + HtmlEscape(a.section) + "</div><h2><a href=\"/articles/" +
                  HtmlEscape(a.slug) + "\">" + HtmlEscape(a.title) + "</a></h2><p class=\"lead\">" +
                  HtmlEscape(a.lead) + "</p><div class=\"meta\">" + Date(a.published_at) + " UTC · " +
                  CountComments(a.comment_count) + "</div></article>";
  return h;
}


}  // namespace

Response FrontPage(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  auto page = ctx.api.articles.List({.limit = 30});
  if (!page.ok()) return ErrorPage(ctx, visit, 500);
  std::string content = "<h1>All news</h1>";
  for (const auto& a : page->items) content += Card(a);
  if (page->items.empty()) content += "<p>No articles yet.</p>";
  return HtmlResponse(200, RenderPage(ctx, visit, {.title = "", .content = content}));
}

Response ArticlePage(SiteContext& ctx, const Request& req, const std::string& slug) {
  auto article = ctx.api.articles.GetBySlug(slug);
  const PageVisit visit = Visit(ctx, req, site::ParseLang(article.ok() ? article->language : ""));
  if (!article.ok()) {
    return ErrorPage(ctx, visit, article.error().code == ErrorCode::kNotFound ? 404 : 500);
  }
  const news::Article& a = *article;
  std::string c = "<div class=\"section\">" + HtmlEscape(a.section) + "</div><h1>" + HtmlEscape(a.title) +
                  "</h1><p class=\"lead\">" + HtmlEscape(a.lead) + "</p><div class=\"meta\">" + Date(a.published_at) +
                  " UTC · <a href=\"/s/" + HtmlEscape(a.short_code) + "\">short link</a></div>";
  if (!a.image.caption.empty() || !a.image.url.empty()) {
    c += "<figure>";
    if (!a.image.url.empty()) c += "<img alt=\"\" src=\"" + HtmlEscape(a.image.url) + "\">";
    c += "<figcaption>" + HtmlEscape(a.image.caption) + " " + HtmlEscape(a.image.credit) + "</figcaption></figure>";
  }
  c += text::RenderMarkdown(a.body);
  c += "<p class=\"tags\">";
  for (const auto& t : a.tags) c += "<a>" + HtmlEscape(t) + "</a>";
  c += "</p><section class=\"discussion\"><h2>Discussion (" + std::to_string(a.comment_count) + ")</h2>";
  auto comments = ctx.api.comments.List({.article_id = a.id, .limit = 200});
  if (comments.ok()) {
    for (const auto& cm : comments->items) {
      if (cm.status == "deleted") {
        c += std::string("<div class=\"comment deleted") + (cm.parent_id ? " reply" : "") +
             "\">This comment was deleted.</div>";
        continue;
      }
      c += std::string("<div class=\"comment") + (cm.parent_id ? " reply" : "") + "\" id=\"c" + std::to_string(cm.id) +
           "\"><div class=\"who\">" + HtmlEscape(cm.author_name) + " <span class=\"meta\">" + Date(cm.created_at) +
           "</span></div>" + cm.body_html + "</div>";
    }
    if (comments->items.empty()) c += "<p class=\"meta\">No comments yet.</p>";
  }
  c += "</section>";
  return HtmlResponse(200, RenderPage(ctx, visit, {.title = a.title, .content = c}));
}

void RegisterReaderPages(Router& router, SiteContext& ctx) {
  router.Add("GET", "/", [&ctx](Request& req) { return FrontPage(ctx, req); }, Dispatch::kInlineIfAnonymous);
  router.Add("GET", "/articles/{slug}", [&ctx](Request& req) { return ArticlePage(ctx, req, req.path_params["slug"]); },
             Dispatch::kInlineIfAnonymous);
}

}  // namespace tribune::http
