// Server-rendered reader pages: the front page and the article page with its discussion.
// Small on purpose: the full site (templates, forms, live updates) is built on these routes later.
#include "http/pages/pages.hpp"

#include "common/clock.hpp"
#include "text/markdown.hpp"
#include "text/utf8.hpp"

namespace tribune::http {

namespace {

using text::HtmlEscape;

constexpr const char* kStyle = R"(
body{margin:0;font:17px/1.55 Georgia,'Times New Roman',serif;color:#1d1d1f;background:#fafaf7}
header{background:#14213d;color:#fff;padding:.7rem 1.2rem;display:flex;gap:1.2rem;align-items:baseline}
header a{color:#fff;text-decoration:none}header .brand{font:700 1.5rem system-ui,sans-serif;letter-spacing:.02em}
main{max-width:46rem;margin:0 auto;padding:1rem 1.2rem 3rem}
.section{font:600 .8rem system-ui,sans-serif;text-transform:uppercase;letter-spacing:.08em;color:#b5121b}
h1{font-size:2.1rem;line-height:1.2;margin:.3rem 0}h2{font-size:1.35rem;margin:.2rem 0}
h2 a{color:inherit;text-decoration:none}h2 a:hover{text-decoration:underline}
.lead{font-size:1.15rem;color:#333}.meta{font:.85rem system-ui,sans-serif;color:#666}
article.card{border-bottom:1px solid #ddd;padding:1rem 0}
figure{margin:1rem 0;background:#e9e9e4;padding:.5rem}figcaption{font:.85rem system-ui,sans-serif;color:#555}
.tags a{font:.8rem system-ui,sans-serif;background:#eee;border-radius:3px;padding:.1rem .4rem;margin-right:.3rem;color:#333;text-decoration:none}
.discussion{margin-top:2rem;border-top:3px solid #14213d;padding-top:.5rem}
.comment{border-left:3px solid #ddd;padding:.3rem .8rem;margin:.8rem 0;background:#fff}
.comment.reply{margin-left:2rem}.comment .who{font:600 .85rem system-ui,sans-serif}
.comment.deleted{color:#888;font-style:italic}.comment p{margin:.3rem 0}
)";

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

std::string Layout(const std::string& site_name, const std::string& title, const std::string& content) {
  std::string html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>";
  html += HtmlEscape(title);
  html += "</title><style>";
  html += kStyle;
  html += "</style></head><body><header><a class=\"brand\" href=\"/\">";
  html += HtmlEscape(site_name);
  html += "</a><a href=\"/\">All news</a></header><main>";
  html += content;
  html += "</main></body></html>";
  return html;
}

Response Html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; img-src * data:");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  return r;
}

Response FrontPage(const PageContext& ctx) {
  auto page = ctx.articles.List({.limit = 30});
  if (!page.ok()) return Html(500, Layout(ctx.site_name, "Error", "<p>The front page could not be loaded.</p>"));
  std::string content = "<h1>All news</h1>";
  for (const auto& a : page->items) content += Card(a);
  if (page->items.empty()) content += "<p>No articles yet.</p>";
  return Html(200, Layout(ctx.site_name, ctx.site_name, content));
}

Response ArticlePage(const PageContext& ctx, const std::string& slug) {
  auto article = ctx.articles.GetBySlug(slug);
  if (!article.ok()) {
    return Html(article.error().code == ErrorCode::kNotFound ? 404 : 500,
                Layout(ctx.site_name, "Not found", "<h1>Not found</h1><p>There is no article at this address.</p>"));
  }
  const news::Article& a = *article;
  std::string c = "<div class=\"section\">" + HtmlEscape(a.section) + "</div><h1>" + HtmlEscape(a.title) +
                  "</h1><p class=\"lead\">" + HtmlEscape(a.lead) + "</p><div class=\"meta\">" + Date(a.published_at) +
                  " UTC · <a href=\"/s/" + HtmlEscape(a.short_code) + "\">short link</a></div>";
  if (!a.image.caption.empty() || !a.image.url.empty()) {
    c += "<figure>";
    if (!a.image.url.empty()) c += "<img alt=\"\" style=\"max-width:100%\" src=\"" + HtmlEscape(a.image.url) + "\">";
    c += "<figcaption>" + HtmlEscape(a.image.caption) + " " + HtmlEscape(a.image.credit) + "</figcaption></figure>";
  }
  c += text::RenderMarkdown(a.body);
  c += "<p class=\"tags\">";
  for (const auto& t : a.tags) c += "<a>" + HtmlEscape(t) + "</a>";
  c += "</p><section class=\"discussion\"><h2>Discussion (" + std::to_string(a.comment_count) + ")</h2>";
  auto comments = ctx.comments.List({.article_id = a.id, .limit = 200});
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
  return Html(200, Layout(ctx.site_name, a.title, c));
}

void RegisterPages(Router& router, PageContext& ctx) {
  router.Add("GET", "/", [&ctx](Request&) { return FrontPage(ctx); }, Dispatch::kInline);
  router.Add("GET", "/articles/{slug}", [&ctx](Request& req) { return ArticlePage(ctx, req.path_params["slug"]); },
             Dispatch::kInline);
}

}  // namespace tribune::http
