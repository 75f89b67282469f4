// The editors' pages: /editor (articles by status) and the article form (/editor/articles/new,
// /editor/articles/{id}). Forms post to the same ArticleService calls as the JSON API, with the session's CSRF
// token as a hidden field; the lead image is uploaded by web/static/editor.js (POST /api/v1/images), which fills
// the image URL field — without JavaScript an image URL can be typed in. Editors only; noindex, no-store.
#include <array>

#include "avatars/article_images.hpp"
#include "http/handlers/article_editor.hpp"
#include "http/json_body.hpp"
#include "http/pages/editor_pages.hpp"
#include "http/pages/pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

namespace {

// The sections of web/strings/sections.json; an article's own section is offered even when not listed.
constexpr std::array<const char*, 13> kSections = {"world",   "politics",  "city",   "business", "sport",
                                                   "culture", "science",   "travel", "education", "opinion",
                                                   "health",  "technology", "weather"};

std::variant<PageVisit, Response> Gate(SiteContext& ctx, const Request& req) {
  PageVisit visit = Visit(ctx, req);
  if (!visit.viewer) {
    Response r = HtmlResponse(303, "", {.no_store = true});
    r.headers.emplace_back("Location", "/login?return=" + PathSegment(req.target));
    return r;
  }
  if (!visit.viewer->account.CanEditArticles()) return ErrorPage(ctx, visit, 403);
  return visit;
}

Response Page(SiteContext& ctx, const PageVisit& visit, const std::string& title, std::string content,
              int status = 200, bool script = false) {
  Frame f;
  f.title = title;
  f.content = std::move(content);
  f.styles = {"editor.css"};
  if (script) f.scripts = {"editor.js"};
  f.body_class = "editor";
  f.noindex = true;
  return PageResponse(ctx, visit, std::move(f), status, {.no_store = true});
}

// "2026-12-01T10:30:00" (what <input type="datetime-local" step="1"> shows, UTC).
std::string LocalTime(std::optional<int64_t> micros) {
  if (!micros) return "";
  return FormatRfc3339(*micros).substr(0, 19);
}

std::optional<int64_t> ParseLocalTime(const std::string& s) {
  if (s.size() == 16) return ParseRfc3339(s + ":00Z");
  if (s.size() == 19) return ParseRfc3339(s + "Z");
  return ParseRfc3339(s);
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    while (!cur.empty() && cur.back() == ' ') cur.pop_back();
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (char c : s) {
    if (c == ',' || c == '\n' || c == '\r') {
      flush();
    } else if (!(c == ' ' && cur.empty())) {
      cur += c;
    }
  }
  flush();
  return out;
}

// What the form shows: the article's fields (or what was posted, after an error).
struct FormState {
  std::optional<int64_t> id;
  std::string slug, title, lead, body, section, tags, language, kind = "story", byline, image_url, caption, credit,
      related, published_at, recommended_until, updated_at, status = "draft", short_url;
};

FormState FromArticle(SiteContext& ctx, const news::Article& a) {
  FormState f;
  f.id = a.id;
  f.slug = a.slug;
  f.title = a.title;
  f.lead = a.lead;
  f.body = a.body;
  f.section = a.section;
  for (const auto& t : a.tags) f.tags += (f.tags.empty() ? "" : ", ") + t;
  f.language = a.language;
  f.kind = a.kind;
  f.byline = a.byline;
  f.image_url = a.image.url;
  f.caption = a.image.caption;
  f.credit = a.image.credit;
  for (int64_t r : a.related) f.related += (f.related.empty() ? "" : ", ") + std::to_string(r);
  f.published_at = LocalTime(a.status == "published" ? std::optional<int64_t>(a.published_at) : a.planned_at);
  f.recommended_until = LocalTime(a.recommended_until);
  f.updated_at = FormatRfc3339(a.updated_at);
  f.status = DisplayStatus(a, ctx.api.articles.NowMicros());
  if (!a.short_code.empty()) f.short_url = "/s/" + a.short_code;
  return f;
}

FormState FromPost(const Request& req) {
  FormState f;
  f.slug = FormField(req, "slug");
  f.title = FormField(req, "title");
  f.lead = FormField(req, "lead");
  f.body = FormField(req, "body");
  f.section = FormField(req, "section");
  f.tags = FormField(req, "tags");
  f.language = FormField(req, "language");
  f.kind = FormField(req, "kind");
  f.byline = FormField(req, "byline");
  f.image_url = FormField(req, "image_url");
  f.caption = FormField(req, "image_caption");
  f.credit = FormField(req, "image_credit");
  f.related = FormField(req, "related");
  f.published_at = FormField(req, "published_at");
  f.recommended_until = FormField(req, "recommended_until");
  f.updated_at = FormField(req, "updated_at");
  return f;
}

Response RenderForm(SiteContext& ctx, const PageVisit& visit, const FormState& f, const std::string& error,
                    bool saved, int status = 200) {
  const site::Lang lang = visit.lang;
  site::Data d;
  d.set("csrf", visit.viewer->csrf_token);
  d.set("action", f.id ? "/editor/articles/" + std::to_string(*f.id) : std::string("/editor/articles"));
  d.set("is_new", site::Bool(!f.id));
  if (f.id) d.set("id", std::to_string(*f.id));
  for (const auto& [k, v] : std::initializer_list<std::pair<const char*, const std::string*>>{
           {"slug", &f.slug}, {"title", &f.title}, {"lead", &f.lead}, {"body", &f.body}, {"tags", &f.tags},
           {"language", &f.language}, {"byline", &f.byline}, {"image_url", &f.image_url}, {"caption", &f.caption},
           {"credit", &f.credit}, {"related", &f.related}, {"published_at", &f.published_at},
           {"recommended_until", &f.recommended_until}, {"updated_at", &f.updated_at}, {"short_url", &f.short_url}}) {
    d.set(k, *v);
  }
  d.set("status", std::string(site::T(lang, "editor.status." + f.status)));
  d.set("can_unpublish", site::Bool(f.status == "published" || f.status == "scheduled"));
  d.set("slug_locked", site::Bool(f.id && f.status != "draft"));
  site::List sections{site::Object{{"value", ""}, {"name", "—"}, {"selected", site::Bool(f.section.empty())}}};
  bool listed = f.section.empty();
  for (const char* s : kSections) {
    listed = listed || f.section == s;
    sections.push_back(site::Object{{"value", s}, {"name", SectionName(lang, s)}, {"selected", site::Bool(f.section == s)}});
  }
  if (!listed) sections.push_back(site::Object{{"value", f.section}, {"name", f.section}, {"selected", site::Bool(true)}});
  d.set("sections", sections);
  site::List kinds;
  for (const char* k : {"story", "gallery", "video"}) {
    kinds.push_back(site::Object{{"value", k}, {"name", std::string(site::T(lang, std::string("editor.kind.") + k))},
                                 {"selected", site::Bool(f.kind == k)}});
  }
  d.set("kinds", kinds);
  if (!error.empty()) d.set("error", error);
  d.set("saved", site::Bool(saved));
  if (avatars::UploadedImageId(f.image_url)) d.set("preview", f.image_url);
  const std::string title(site::T(lang, f.id ? "editor.edit_title" : "editor.new_title"));
  return Page(ctx, visit, title, site::Render("editor_form", lang, d), status, true);
}

// The form's fields as a patch. Errors: kBadRequest (a time or a related item that cannot be read).
Result<news::ArticlePatch> PatchFromForm(SiteContext& ctx, const FormState& f, const news::Article* current) {
  news::ArticlePatch p;
  if (!current || current->status == "draft") p.slug = f.slug;
  p.title = f.title;
  p.lead = f.lead;
  p.body = f.body;
  p.section = f.section;
  p.tags = SplitList(f.tags);
  if (!f.language.empty()) p.language = f.language;  // empty: the edition's (new) or unchanged
  if (!f.kind.empty()) p.kind = f.kind;
  p.byline = f.byline;
  p.image = news::Image{f.image_url, f.caption, f.credit};
  std::vector<int64_t> related;
  for (const auto& item : SplitList(f.related)) {
    if (auto id = ParseId(item)) {
      related.push_back(*id);
    } else if (auto a = ctx.api.articles.GetBySlug(item); a.ok()) {
      related.push_back(a->id);
    } else {
      return MakeError(ErrorCode::kBadRequest, "related: there is no article " + item + ".");
    }
  }
  p.related = related;
  if (!f.published_at.empty()) {
    auto t = ParseLocalTime(f.published_at);
    if (!t) return MakeError(ErrorCode::kBadRequest, "The publish time is not a date and time.");
    const bool unchanged = current && current->status == "published" &&
                           LocalTime(current->published_at) == LocalTime(*t);
    if (!unchanged) p.published_at = std::optional<int64_t>(*t);
  } else if (current && current->status != "published") {
    p.published_at = std::optional<int64_t>();
  }
  if (!f.recommended_until.empty()) {
    auto t = ParseLocalTime(f.recommended_until);
    if (!t) return MakeError(ErrorCode::kBadRequest, "“Recommended until” is not a date and time.");
    p.recommended_until = std::optional<int64_t>(*t);
  } else {
    p.recommended_until = std::optional<int64_t>();
  }
  if (!f.updated_at.empty()) p.expected_updated_at = ParseRfc3339(f.updated_at);
  return p;
}

// The form post's session: the CSRF token travels as a field. Errors: Auth's, kForbidden (not an editor).
Result<accounts::AuthContext> FormAuth(SiteContext& ctx, Request& req) {
  // The form's token, never a header that came with the post.
  std::erase_if(req.headers, [](const auto& h) { return h.first == "x-csrf-token"; });
  req.headers.emplace_back("x-csrf-token", FormField(req, "csrf"));
  TRIBUNE_ASSIGN(auto auth, ctx.api.auth.RequireForWrite(req));
  if (!auth.account.CanEditArticles()) return MakeError(ErrorCode::kForbidden, "Only editors can edit articles.");
  return auth;
}

Response Redirect(const std::string& to) {
  Response r = HtmlResponse(303, "", {.no_store = true});
  r.headers.emplace_back("Location", to);
  return r;
}

Response Save(SiteContext& ctx, Request& req, std::optional<int64_t> id) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  auto auth = FormAuth(ctx, req);
  if (!auth.ok()) return ErrorPage(ctx, visit, StatusFor(auth.error().code));
  FormState f = FromPost(req);
  const std::string action = FormField(req, "action");
  std::optional<news::Article> current;
  if (id) {
    auto a = ctx.api.articles.GetForEditor(*id);
    if (!a.ok()) return ErrorPage(ctx, visit, StatusFor(a.error().code));
    current = *a;
    f.id = id;
    f.status = DisplayStatus(*current, ctx.api.articles.NowMicros());
    if (f.status != "draft") f.slug = current->slug;
  }
  auto fail = [&](const Error& e) {
    return RenderForm(ctx, visit, f, e.message, false, StatusFor(e.code));
  };
  auto patch = PatchFromForm(ctx, f, current ? &*current : nullptr);
  if (!patch.ok()) return fail(patch.error());
  Result<news::Article> saved = MakeError(ErrorCode::kInternal, "");
  if (!id) {
    news::NewArticle n = AsNewArticle(*patch);
    n.status = action == "publish" ? "published" : "draft";
    saved = ctx.api.articles.Create(n, auth->account.id);
  } else {
    saved = ctx.api.articles.Update(*id, *patch);
    if (saved.ok() && action == "publish" && saved->status != "published") {
      saved = ctx.api.articles.Publish(*id, std::nullopt);
    } else if (saved.ok() && action == "unpublish") {
      saved = ctx.api.articles.Unpublish(*id);
    }
  }
  if (!saved.ok()) return fail(saved.error());
  return Redirect("/editor/articles/" + std::to_string(saved->id) + "?saved=1");
}

Response Home(SiteContext& ctx, const Request& req) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  const site::Lang lang = visit.lang;
  site::Data d;
  site::List groups;
  const int64_t now = ctx.api.articles.NowMicros();
  for (const char* status : {"draft", "scheduled", "published", "unpublished"}) {
    auto page = ctx.api.articles.ListForEditor({.status = status, .limit = 50});
    if (!page.ok()) return ErrorPage(ctx, visit, 500);
    site::List items;
    for (const auto& a : page->items) {
      const int64_t when = a.status == "published" ? a.published_at : a.updated_at;
      items.push_back(site::Object{{"title", a.title},
                                   {"edit", "/editor/articles/" + std::to_string(a.id)},
                                   {"view", a.VisibleAt(now) ? "/articles/" + a.slug : std::string()},
                                   {"iso", FormatRfc3339(when)},
                                   {"date", site::FormatDate(lang, when)}});
    }
    groups.push_back(site::Object{{"id", status},
                                  {"name", std::string(site::T(lang, std::string("editor.group.") + status))},
                                  {"items", items},
                                  {"empty", site::Bool(page->items.empty())}});
  }
  d.set("groups", groups);
  return Page(ctx, visit, std::string(site::T(lang, "editor.title")), site::Render("editor_home", lang, d));
}

Response Form(SiteContext& ctx, const Request& req, std::optional<int64_t> id) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  if (!id) return RenderForm(ctx, visit, FormState{}, "", false);
  auto a = ctx.api.articles.GetForEditor(*id);
  if (!a.ok()) return ErrorPage(ctx, visit, StatusFor(a.error().code));
  return RenderForm(ctx, visit, FromArticle(ctx, *a), "", req.Query("saved").has_value());
}

}  // namespace

void RegisterEditorPages(Router& router, SiteContext& ctx) {
  router.Add("GET", "/editor", [&ctx](Request& req) { return Home(ctx, req); });
  router.Add("GET", "/editor/articles/new", [&ctx](Request& req) { return Form(ctx, req, std::nullopt); });
  router.Add("GET", "/editor/articles/{id}", [&ctx](Request& req) {
    auto id = ParseId(req.path_params["id"]);
    if (!id) return NotFoundPage(ctx, req);
    return Form(ctx, req, *id);
  });
  router.Add("POST", "/editor/articles", [&ctx](Request& req) { return Save(ctx, req, std::nullopt); });
  router.Add("POST", "/editor/articles/{id}", [&ctx](Request& req) {
    auto id = ParseId(req.path_params["id"]);
    if (!id) return NotFoundPage(ctx, req);
    return Save(ctx, req, *id);
  });
}

}  // namespace tribune::http
