// The account pages a reader opens from the header: /register, /login and /recover (password recovery).
// They are forms that account.js sends to the JSON API (with the ALTCHA widget when a captcha is needed);
// the other account pages live in mail_link_pages, privacy_pages, profile_pages and blocked_pages.
#include "http/pages/account_pages.hpp"

#include <boost/json/serialize.hpp>

#include <cctype>

#include "site/assets.hpp"

namespace tribune::http {

namespace json = boost::json;
using site::Data;
using site::Lang;

namespace account_pages {

namespace {

std::string LangQuery(const SiteContext& ctx, Lang lang) {
  return lang == ctx.config.default_lang ? "" : "?lang=" + std::string(site::LangCode(lang));
}

}  // namespace

Response Show(const SiteContext& ctx, const PageVisit& visit, std::string_view title_key, std::string_view tpl,
              Data d, Shown shown) {
  const Lang lang = visit.lang;
  d.set("q", LangQuery(ctx, lang));
  Frame f;
  f.title = std::string(site::T(lang, title_key));
  f.content = site::Render(tpl, lang, d);
  f.styles = {"account.css"};
  if (shown.captcha && ctx.config.captcha_required) {
    f.styles.push_back("altcha/altcha.css");
    f.scripts.push_back("altcha/altcha.umd.js");
  }
  f.scripts.push_back("account.js");
  f.data = std::move(shown.data);
  f.body_class = "account";
  f.noindex = true;
  Response r = PageResponse(ctx, visit, std::move(f), shown.status, {.no_store = true});
  if (shown.no_referrer) {
    for (auto& [name, value] : r.headers) {
      if (name == "Referrer-Policy") value = "no-referrer";  // the token is in the URL of these pages
    }
  }
  return r;
}

std::optional<std::string> SafeReturn(std::string_view path) {
  if (path.empty() || path.size() > 512 || path[0] != '/') return std::nullopt;
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return std::nullopt;
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
  }
  return std::string(path);
}

void SetCaptcha(const SiteContext& ctx, Lang lang, Data& d) {
  if (!ctx.config.captcha_required) return;
  static const char* const kKeys[] = {"ariaLinkLabel", "error",   "expired",  "footer",
                                      "label",         "loading", "reload",   "verify",
                                      "verificationRequired",     "verified", "verifying", "waitAlert"};
  json::object strings;
  for (const char* k : kKeys) strings[k] = site::T(lang, std::string("acct.altcha.") + k);
  d.set("captcha", site::Object{{"challenge_url", "/api/v1/captcha"},
                                {"worker_url", site::StaticUrl("altcha/worker.js")},
                                {"strings", json::serialize(strings)}});
}

Result<accounts::AuthContext> FormWriter(SiteContext& ctx, Request& req) {
  const std::string csrf = FormField(req, "csrf");
  if (csrf.empty()) return MakeError(ErrorCode::kForbidden, "Missing CSRF token.");
  req.headers.emplace_back("x-csrf-token", csrf);
  return ctx.api.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow);
}

Response SeeOther(const std::string& location) {
  Response r = HtmlResponse(303, "", {.no_store = true});
  r.headers.emplace_back("Location", location);
  return r;
}

namespace {

json::object PasswordRules(const SiteContext& ctx) {
  const auto& o = ctx.api.accounts.options();
  return json::object{{"min", o.password_min_length}, {"max", o.password_max_length}};
}

void SetPasswordRules(const SiteContext& ctx, Lang lang, Data& d) {
  const auto& o = ctx.api.accounts.options();
  d.set("pw_min", site::Num(static_cast<int64_t>(o.password_min_length)));
  d.set("pw_max", site::Num(static_cast<int64_t>(o.password_max_length)));
  d.set("pw_rules", site::Format(lang, "acct.password_rules",
                                 {{"min", std::to_string(o.password_min_length)},
                                  {"max", std::to_string(o.password_max_length)}}));
  d.set("name_max", site::Num(static_cast<int64_t>(o.display_name_max_length)));
}

Response Register(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  if (visit.viewer) return SeeOther("/account");
  Data d;
  SetPasswordRules(ctx, visit.lang, d);
  SetCaptcha(ctx, visit.lang, d);
  return Show(ctx, visit, "acct.register.title", "register", std::move(d),
              {.captcha = true, .data = json::object{{"page", "register"}, {"password", PasswordRules(ctx)}}});
}

Response Login(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  const std::string back = SafeReturn(req.Query("return").value_or("")).value_or("/");
  if (visit.viewer) return SeeOther(back);
  Data d;
  SetCaptcha(ctx, visit.lang, d);
  site::List providers;
  if (ctx.api.social != nullptr) {
    for (const auto& p : ctx.api.social->providers()) {
      std::string encoded;
      for (unsigned char c : back) {  // percent-encode the path for the query string
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
          encoded += static_cast<char>(c);
        } else {
          static const char* hex = "0123456789ABCDEF";
          encoded += '%';
          encoded += hex[c >> 4];
          encoded += hex[c & 15];
        }
      }
      providers.push_back(site::Object{
          {"href", "/api/v1/social/" + p.id + "/start?return_to=" + encoded},
          {"label", site::Format(visit.lang, "acct.login.social", {{"provider", p.display_name}})}});
    }
  }
  if (!providers.empty()) d.set("social", site::Object{{"items", providers}});
  return Show(ctx, visit, "acct.login.title", "login", std::move(d),
              {.captcha = true, .data = json::object{{"page", "login"}, {"return_to", back}}});
}

Response Recover(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  Data d;
  SetCaptcha(ctx, visit.lang, d);
  return Show(ctx, visit, "acct.recover.title", "recover", std::move(d),
              {.captcha = true, .data = json::object{{"page", "recover"}}});
}

}  // namespace

}  // namespace account_pages

void RegisterAccountPages(Router& router, SiteContext& ctx) {
  using namespace account_pages;
  router.Add("GET", "/register", [&ctx](Request& req) { return Register(ctx, req); }, Dispatch::kInlineIfAnonymous);
  router.Add("GET", "/login", [&ctx](Request& req) { return Login(ctx, req); }, Dispatch::kInlineIfAnonymous);
  router.Add("GET", "/recover", [&ctx](Request& req) { return Recover(ctx, req); }, Dispatch::kInlineIfAnonymous);
  RegisterMailLinkPages(router, ctx);
  RegisterPrivacyPages(router, ctx);
  RegisterProfilePages(router, ctx);
  RegisterBlockedPages(router, ctx);
}

}  // namespace tribune::http
