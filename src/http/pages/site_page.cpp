// The page frame, the security headers and the static files.
#include "http/pages/site_page.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <ctime>

#include "news/panels.hpp"
#include "site/assets.hpp"
#include "site/i18n.hpp"
#include "text/utf8.hpp"

namespace tribune::http {

namespace json = boost::json;
using site::Data;
using site::Lang;

namespace {

const char* LangLabel(Lang l) {
  switch (l) {
    case Lang::kEn: return "English";
    case Lang::kFr: return "Français";
    case Lang::kRu: return "Русский";
  }
  return "English";
}

json::object ScriptStrings(Lang lang) {
  json::object o;
  for (const auto& [key, text] : site::AllStrings(lang)) {
    if (key.starts_with("js.")) o[key.substr(3)] = text;
  }
  return o;
}

// "2023-03-09" as micros at midnight UTC; 0 when it is not such a date.
int64_t DateMicros(const std::string& ymd) {
  int y = 0, m = 0, d = 0;
  if (std::sscanf(ymd.c_str(), "%d-%d-%d", &y, &m, &d) != 3) return 0;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000;
}

// The header's data panels (news/panels.hpp), numbers grouped the language's way.
site::List PanelsFor(const SiteContext& ctx, Lang lang) {
  site::List out;
  if (ctx.api.panels == nullptr) return out;
  const std::string code(site::LangCode(lang));
  for (const auto& p : ctx.api.panels->Shown()) {
    const int64_t day = DateMicros(p.as_of);
    out.push_back(site::Object{{"title", std::string(site::T(lang, "panel." + p.kind + ".title"))},
                               {"confirmed", news::GroupDigits(p.confirmed, code)},
                               {"recovered", news::GroupDigits(p.recovered, code)},
                               {"deaths", news::GroupDigits(p.deaths, code)},
                               {"iso", p.as_of},
                               {"as_of", site::Format(lang, "panel.as_of",
                                                      {{"date", day ? site::FormatDay(lang, day) : p.as_of}})},
                               {"source", p.source},
                               {"source_url", p.source_url}});
  }
  return out;
}

}  // namespace

Result<std::string> MediaOrigin(std::string_view url) {
  const size_t scheme_end = url.find("://");
  const std::string_view scheme = scheme_end == std::string_view::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return MakeError(ErrorCode::kBadRequest, "must be an http:// or https:// URL");
  }
  const size_t host_start = scheme_end + 3;
  const size_t host_end = url.find_first_of("/?#", host_start);
  const std::string_view authority = url.substr(host_start, host_end == std::string_view::npos ? url.npos : host_end - host_start);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return MakeError(ErrorCode::kBadRequest, "must name a host (and no user name)");
  }
  for (unsigned char c : url) {
    // Nothing that could end a CSP source or an HTML attribute.
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' || c == ';' || c == ',' || c == '<' || c == '>' || c == '\\') {
      return MakeError(ErrorCode::kBadRequest, "must be a plain URL (no spaces, quotes, ';' or ',')");
    }
  }
  if (url.size() > 2000) return MakeError(ErrorCode::kBadRequest, "is longer than 2000 characters");
  return std::string(url.substr(0, host_start)) + std::string(authority);
}

std::string ScriptJson(const json::object& o) {
  std::string s = json::serialize(o);
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

PageVisit Visit(const SiteContext& ctx, const Request& req, std::optional<Lang> edition) {
  PageVisit v;
  v.viewer = ctx.api.auth.Optional(req);
  if (v.viewer && !v.viewer->via_cookie) v.viewer.reset();  // pages are for browsers
  std::optional<Lang> lang;
  if (auto q = req.Query("lang")) lang = site::ParseLang(*q);
  if (!lang) lang = edition;
  if (!lang && v.viewer) lang = site::ParseLang(v.viewer->account.language);
  if (!lang) lang = site::FromAcceptLanguage(req.Header("accept-language"));
  v.lang = lang.value_or(ctx.config.default_lang);
  if (v.viewer) v.consent_needed = v.viewer->account.consent_version < ctx.api.accounts.CurrentPolicyVersion();
  return v;
}

std::string RenderPage(const SiteContext& ctx, const PageVisit& visit, Frame frame) {
  const Lang lang = visit.lang;
  const bool default_lang = lang == ctx.config.default_lang;
  const std::string q = default_lang ? "" : "?lang=" + std::string(site::LangCode(lang));
  Data d;
  d.set("lang", std::string(site::LangCode(lang)));
  d.set("site_name", ctx.config.name);
  d.set("title", frame.title.empty() ? ctx.config.name : frame.title + " — " + ctx.config.name);
  d.set("q", q);
  d.set("home", default_lang ? std::string("/") : "/" + std::string(site::LangCode(lang)) + "/");
  d.set("css", site::StaticUrl("site.css"));
  d.set("favicon", site::StaticUrl("favicon.svg"));
  d.set("body_class", frame.body_class);
  d.set("content", frame.content);
  if (!frame.canonical.empty()) d.set("canonical", frame.canonical);
  d.set("noindex", site::Bool(frame.noindex));

  site::List styles, scripts, editions;
  for (const auto& s : frame.styles) styles.push_back(site::Object{{"url", site::StaticUrl(s)}});
  frame.scripts.insert(frame.scripts.begin(), "push.js");
  if (visit.consent_needed) frame.scripts.push_back("consent.js");  // the re-consent modal, on every page
  // Header additions: the search box, Listen Live (listen.js), the data panels, the page's feeds.
  if (auto it = ctx.config.listen_live.find(lang); it != ctx.config.listen_live.end() && !it->second.empty()) {
    d.set("listen", site::Object{{"url", it->second}});
    frame.scripts.push_back("listen.js");
  }
  if (!default_lang) d.set("search_lang", std::string(site::LangCode(lang)));
  const site::List panels = PanelsFor(ctx, lang);
  d.set("panels", panels);
  d.set("has_panels", site::Bool(!panels.empty()));
  site::List feeds;
  for (const auto& f : frame.feeds) feeds.push_back(site::Object{{"type", f.type}, {"title", f.title}, {"href", f.href}});
  d.set("feeds", feeds);
  for (const auto& s : frame.scripts) scripts.push_back(site::Object{{"url", site::StaticUrl(s)}});
  d.set("scripts", scripts);
  for (Lang e : ctx.config.editions) {
    const bool is_default = e == ctx.config.default_lang;
    editions.push_back(site::Object{{"code", std::string(site::LangCode(e))},
                                    {"label", LangLabel(e)},
                                    {"href", is_default ? std::string("/") : "/" + std::string(site::LangCode(e)) + "/"},
                                    {"current", site::Bool(e == lang)}});
  }
  d.set("styles", styles);
  d.set("editions", editions);
  d.set("many_editions", site::Bool(ctx.config.editions.size() > 1));

  json::object data = std::move(frame.data);
  data["lang"] = std::string(site::LangCode(lang));
  data["strings"] = ScriptStrings(lang);
  if (visit.viewer) {
    const auto& a = visit.viewer->account;
    json::array roles;
    for (const auto& r : a.roles) roles.emplace_back(r);
    data["viewer"] = json::object{{"id", std::to_string(a.id)}, {"display_name", a.display_name},
                                  {"roles", std::move(roles)}, {"status", a.status}};
    data["csrf"] = visit.viewer->csrf_token;
    const std::string name = text::HtmlEscape(a.display_name);
    d.set("viewer", site::Object{{"name", a.display_name},
                                 {"moderator", site::Bool(a.CanModerate())},
                                 {"editor", site::Bool(a.CanEditArticles())},
                                 {"blocked", site::Bool(a.status == "blocked")},
                                 {"unconfirmed", site::Bool(a.status == "unconfirmed")},
                                 {"csrf", visit.viewer->csrf_token}});
    d.set("hello", site::Format(lang, "hello", {{"name", "<a href=\"/account" + q + "\"><bdi>" + name + "</bdi></a>"}}));
  } else {
    data["viewer"] = nullptr;
  }
  if (visit.consent_needed) {
    const int64_t version = ctx.api.accounts.CurrentPolicyVersion();
    data["consent_version"] = version;
    d.set("consent_needed", site::Object{{"version", site::Num(version)}});
  }
  d.set("page_data", ScriptJson(data));
  d.set("privacy_contact", ctx.config.privacy_contact);
  return site::Render("layout", lang, d);
}

Response HtmlResponse(int status, std::string html, const HtmlOptions& options) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  std::string ancestors = "'none'";
  if (options.embeddable && options.embed_origins && !options.embed_origins->empty()) {
    ancestors.clear();
    for (const auto& o : *options.embed_origins) ancestors += (ancestors.empty() ? "" : " ") + o;
  }
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data: blob:; "
                         "media-src 'self' https:" + (options.media_origins.empty() ? "" : " " + options.media_origins) +
                         "; connect-src 'self'; worker-src 'self' blob:; font-src 'self'; "
                         "object-src 'none'; base-uri 'none'; form-action 'self'; manifest-src 'self'; "
                         "frame-ancestors " + ancestors);
  if (!options.embeddable) r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "strict-origin-when-cross-origin");
  r.headers.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
  if (options.no_store) r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

Response PageResponse(const SiteContext& ctx, const PageVisit& visit, Frame frame, int status, HtmlOptions options) {
  options.no_store = options.no_store || visit.viewer.has_value();
  if (auto it = ctx.config.listen_live.find(visit.lang); it != ctx.config.listen_live.end() && !it->second.empty()) {
    if (auto origin = MediaOrigin(it->second); origin.ok() && origin->starts_with("http:")) options.media_origins = *origin;
  }
  return HtmlResponse(status, RenderPage(ctx, visit, std::move(frame)), options);
}

Response ErrorPage(const SiteContext& ctx, const PageVisit& visit, int status) {
  Data d;
  d.set("not_found", site::Bool(status == 404));
  d.set("gone", site::Bool(status == 410));
  d.set("failed", site::Bool(status >= 500));
  d.set("forbidden", site::Bool(status == 403));
  Frame f;
  f.title = std::string(site::T(visit.lang, status == 404 ? "error.not_found_title" : "error.title"));
  f.content = site::Render("error", visit.lang, d);
  f.noindex = true;
  return PageResponse(ctx, visit, std::move(f), status, {.no_store = true});
}

Response NotFoundPage(const SiteContext& ctx, const Request& req) {
  PageVisit visit;
  std::optional<Lang> lang;
  if (auto q = req.Query("lang")) lang = site::ParseLang(*q);
  if (!lang && req.path.size() >= 3 && req.path[0] == '/' && (req.path.size() == 3 || req.path[3] == '/')) {
    lang = site::ParseLang(req.path.substr(1, 2));  // under an edition's prefix: /fr/...
  }
  if (!lang) lang = site::FromAcceptLanguage(req.Header("accept-language"));
  visit.lang = lang.value_or(ctx.config.default_lang);
  return ErrorPage(ctx, visit, 404);
}

std::string FormField(const Request& req, const char* name) {
  Request form;
  form.query = req.body;
  return form.Query(name).value_or("");
}

namespace {

Response ServeAsset(const site::Asset& a, const Request& req) {
  Response r;
  const std::string etag = "\"" + a.version + "\"";
  r.content_type = a.content_type;
  r.headers.emplace_back("ETag", etag);
  const auto v = req.Query("v");
  r.headers.emplace_back("Cache-Control", v && *v == a.version ? "public, max-age=31536000, immutable" : "no-cache");
  if (!a.gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  if (!a.gzip.empty() && req.Header("accept-encoding").find("gzip") != std::string_view::npos) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.shared_body = a.shared_gzip;
  } else {
    r.shared_body = a.shared;
  }
  return r;
}

}  // namespace

void RegisterStatic(Router& router) {
  for (const site::Asset& a : site::AllAssets()) {
    if (!a.path.starts_with("static/")) continue;
    const site::Asset* asset = &a;
    auto handler = [asset](Request& req) {
      Response r = ServeAsset(*asset, req);
      if (asset->path == "static/sw.js") r.headers.emplace_back("Service-Worker-Allowed", "/");
      return r;
    };
    router.Add("GET", "/" + a.path, handler, Dispatch::kInline);
    // The service worker must sit at the root to control every page; embed.js has a short public address.
    if (a.path == "static/sw.js") router.Add("GET", "/sw.js", handler, Dispatch::kInline);
    if (a.path == "static/embed.js") router.Add("GET", "/embed.js", handler, Dispatch::kInline);
  }
}

}  // namespace tribune::http
