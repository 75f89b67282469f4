// The article page (/articles/{slug}): headline, lead, lead photo with caption and credit, section, byline, time,
// body, tags, short link, views, subscribe, follow (push), send as breaking news (editors), and the discussion
// (discussion_view.cpp, discussion.js).
// The page speaks the article's language. ?comments=<cursor> shows a later page of comments without JavaScript.
#include "common/clock.hpp"
#include "http/pages/discussion_view.hpp"
#include "http/pages/reader_pages.hpp"
#include "news/reader_views.hpp"
#include "http/pages/subscription_pages.hpp"
#include "site/i18n.hpp"
#include "http/pages/article_body.hpp"
#include "text/markdown.hpp"

namespace tribune::http {

Response ArticlePage(SiteContext& ctx, const Request& req, const std::string& slug) {
  auto article = ctx.api.articles.GetBySlug(slug);
  const PageVisit visit = Visit(ctx, req, site::ParseLang(article.ok() ? article->language : ""));
  if (!article.ok()) {
    return ErrorPage(ctx, visit, article.error().code == ErrorCode::kNotFound ? 404 : 500);
  }
  const news::Article& a = *article;
  // A reader (address + browser) counts once per article per UTC day (news/reader_views.hpp); robots never.
  const bool counted = ctx.api.reader_views == nullptr ||
                       ctx.api.reader_views->FirstToday(ClientAddress(req, ctx.api.trusted_proxies),
                                                        req.Header("user-agent"), a.id);
  if (counted) ctx.api.articles.RecordView(a.id);
  const site::Lang lang = visit.lang;
  const std::string q = LangQuery(ctx, lang);

  auto discussion = RenderDiscussion(ctx, visit, a, req.Query("comments").value_or(""), false);
  if (!discussion.ok()) {
    return ErrorPage(ctx, visit, discussion.error().code == ErrorCode::kBadRequest ? 404 : 500);
  }

  site::Data d;
  d.set("title", a.title);
  d.set("lang", a.language);
  if (!a.lead.empty()) d.set("lead", a.lead);
  if (!a.section.empty()) {
    d.set("section", SectionName(lang, a.section));
    d.set("section_href", "/section/" + PathSegment(a.section) + q);
  }
  if (!a.byline.empty()) d.set("byline", a.byline);
  if (a.kind == "gallery" || a.kind == "video") d.set("media", std::string(site::T(lang, "kind." + a.kind)));
  d.set("iso", FormatRfc3339(a.published_at));
  d.set("date", site::FormatDate(lang, a.published_at));
  if (!a.image.url.empty() || !a.image.caption.empty()) {
    site::Object img{{"caption", a.image.caption}, {"credit", CreditLine(a.image.credit)}};
    if (!a.image.url.empty()) img["url"] = a.image.url;
    if (auto picture = PictureData(ctx, a.image.url)) img["picture"] = *picture;  // an uploaded image
    d.set("image", img);
  }
  d.set("body_html", BodyWithRelated(ctx, lang, a));
  site::List tags;
  for (const auto& t : a.tags) tags.push_back(site::Object{{"name", t}, {"href", "/tag/" + PathSegment(t) + q}});
  d.set("tags", tags);
  d.set("has_tags", site::Bool(!a.tags.empty()));
  d.set("short_href", "/s/" + a.short_code);
  d.set("views", site::Plural(lang, "article.views", a.views + (counted ? 1 : 0)));
  d.set("subscribe_href", "#subscribe");  // the form below the article
  d.set("discussion", discussion->html);
  d.set("subscribe", SubscribeFormData(ctx, lang, [&] {
          std::vector<std::string> topics;
          if (!a.section.empty()) topics.push_back("section:" + a.section);
          for (const auto& t : a.tags) topics.push_back("tag:" + t);
          return topics;
        }()));
  // Follow (follow.js shows it where the browser can receive pushes) and, for editors, "Send as breaking news".
  const bool push = ctx.api.push_subscriptions != nullptr && !ctx.api.vapid_public_key.empty();
  d.set("push", site::Bool(push));
  d.set("breaking", site::Bool(push && ctx.api.breaking != nullptr && visit.viewer &&
                               visit.viewer->account.CanEditArticles()));

  Frame f;
  f.title = a.title;
  f.content = site::Render("article", lang, d);
  f.styles = {"reader.css", "discussion.css"};
  f.scripts = {"discussion.js"};
  if (push) f.scripts.push_back("follow.js");
  if (push) f.scripts.push_back("subscribe.js");
  f.data = std::move(discussion->data);
  f.body_class = "article-page";
  f.canonical = "/articles/" + a.slug;
  return PageResponse(ctx, visit, std::move(f));
}

}  // namespace tribune::http
