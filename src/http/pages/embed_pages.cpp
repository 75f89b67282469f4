// The discussion in an iframe for other sites: /embed/{article id or slug}, loaded by web/static/embed.js.
// A compact, read-only document (no site header): comments, "show more", live updates; signing in and writing
// happen on Tribune's own article page, which every link opens in a new tab. CSP frame-ancestors lists the
// configured origins (embed.allowed_origins); with none configured, nobody may frame it.
#include <boost/json.hpp>

#include "http/json_body.hpp"
#include "http/pages/discussion_view.hpp"
#include "http/pages/pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "site/assets.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

namespace {

Response EmbedPage(SiteContext& ctx, const Request& req, const std::string& key) {
  const HtmlOptions frame{.embeddable = true, .embed_origins = &ctx.config.embed_origins};
  auto article = ParseId(key) ? ctx.api.articles.Get(*ParseId(key)) : ctx.api.articles.GetBySlug(key);
  if (!article.ok() && ParseId(key)) article = ctx.api.articles.GetBySlug(key);
  PageVisit visit = Visit(ctx, req, site::ParseLang(article.ok() ? article->language : ""));
  visit.viewer.reset();  // read-only in a frame: writing happens on Tribune's own pages
  if (!article.ok()) {
    Response r = ErrorPage(ctx, visit, article.error().code == ErrorCode::kNotFound ? 404 : 500);
    return r;
  }
  auto discussion = RenderDiscussion(ctx, visit, *article, req.Query("comments").value_or(""), true);
  if (!discussion.ok()) {  // a cursor it did not issue is a page that does not exist, as on the article page
    return ErrorPage(ctx, visit, discussion.error().code == ErrorCode::kBadRequest ? 404 : 500);
  }
  const site::Lang lang = visit.lang;

  boost::json::object data = std::move(discussion->data);
  data["lang"] = std::string(site::LangCode(lang));
  boost::json::object strings;
  for (const auto& [k, v] : site::AllStrings(lang)) {
    if (k.starts_with("js.")) strings[k.substr(3)] = v;
  }
  data["strings"] = std::move(strings);
  data["viewer"] = nullptr;

  site::Data d;
  d.set("lang", std::string(site::LangCode(lang)));
  d.set("title", article->title + " — " + std::string(site::T(lang, "embed.title")));
  d.set("css", site::StaticUrl("site.css"));
  d.set("reader_css", site::StaticUrl("discussion.css"));
  d.set("script", site::StaticUrl("discussion.js"));
  d.set("page_data", ScriptJson(data));
  d.set("article_title", article->title);
  d.set("article_href", "/articles/" + article->slug + LangQuery(ctx, lang));
  d.set("discussion", discussion->html);
  return HtmlResponse(200, site::Render("embed", lang, d), frame);
}

}  // namespace

void RegisterEmbedPages(Router& router, SiteContext& ctx) {
  router.Add("GET", "/embed/{key}", [&ctx](Request& req) { return EmbedPage(ctx, req, req.path_params["key"]); },
             Dispatch::kInlineIfAnonymous);
}

}  // namespace tribune::http
