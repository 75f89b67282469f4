// The pages that links in mails open, working without JavaScript: /confirm, /restore,
// /password-reset/confirm and the social sign-up (/signup/social).
// A GET only shows a form; the token is used by the POST it submits, so mail scanners that fetch links
// cannot confirm, restore or reset anything. The token travels in the form body, never in a log line.
#include "http/pages/account_pages.hpp"

#include "http/auth.hpp"

namespace tribune::http::account_pages {

namespace {

using site::Data;
using site::Lang;

bool IsForm(const Request& req) {
  return req.Header("content-type").rfind("application/x-www-form-urlencoded", 0) == 0;
}

int StatusOf(const Error& e) {
  return e.code == ErrorCode::kGone ? 410 : e.code >= ErrorCode::kUnavailable ? 500 : 400;
}

// The reader-facing reason a link did not work: expired, not valid, or our failure.
std::string LinkProblem(Lang lang, const Error& e) {
  const int status = StatusOf(e);
  return std::string(site::T(lang, status == 410   ? "acct.link.expired"
                                   : status == 500 ? "error.failed"
                                                   : "acct.link.invalid"));
}

Response MailPage(const SiteContext& ctx, const PageVisit& visit, std::string_view title_key, std::string_view tpl,
                  Data d, int status = 200) {
  return Show(ctx, visit, title_key, tpl, std::move(d), {.status = status, .no_referrer = true});
}

Response NotAForm(const SiteContext& ctx, const PageVisit& visit, std::string_view title_key, std::string_view tpl) {
  Data d;
  d.set("error", std::string(site::T(visit.lang, "acct.link.send_form")));
  return MailPage(ctx, visit, title_key, tpl, std::move(d), 415);
}

Response ConfirmForm(SiteContext& ctx, const Request& req) {
  Data d;
  d.set("form", site::Object{{"token", req.Query("token").value_or("")}});
  return MailPage(ctx, Visit(ctx, req), "acct.confirm.title", "confirm", std::move(d));
}

Response Confirm(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  if (!IsForm(req)) return NotAForm(ctx, visit, "acct.confirm.title", "confirm");
  const Status st = ctx.api.accounts.ConfirmEmail(FormField(req, "token"));
  Data d;
  if (st.ok()) {
    d.set("done", site::Bool(true));
    return MailPage(ctx, visit, "acct.confirm.title", "confirm", std::move(d));
  }
  d.set("error", LinkProblem(visit.lang, st.error()));
  return MailPage(ctx, visit, "acct.confirm.title", "confirm", std::move(d), StatusOf(st.error()));
}

Response RestoreForm(SiteContext& ctx, const Request& req) {
  Data d;
  d.set("form", site::Object{{"token", req.Query("token").value_or("")}});
  return MailPage(ctx, Visit(ctx, req), "acct.restore.title", "restore", std::move(d));
}

Response Restore(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  if (!IsForm(req)) return NotAForm(ctx, visit, "acct.restore.title", "restore");
  auto restored = ctx.api.accounts.RestoreAccount(FormField(req, "token"));
  Data d;
  if (restored.ok()) {
    d.set("done", site::Object{{"name", restored->display_name}});
    return MailPage(ctx, visit, "acct.restore.title", "restore", std::move(d));
  }
  d.set("error", LinkProblem(visit.lang, restored.error()));
  return MailPage(ctx, visit, "acct.restore.title", "restore", std::move(d), StatusOf(restored.error()));
}

Data ResetData(const SiteContext& ctx, Lang lang, const std::string& token) {
  const auto& o = ctx.api.accounts.options();
  Data d;
  d.set("form", site::Object{{"token", token},
                             {"pw_min", site::Num(static_cast<int64_t>(o.password_min_length))},
                             {"pw_max", site::Num(static_cast<int64_t>(o.password_max_length))}});
  d.set("pw_rules", site::Format(lang, "acct.password_rules",
                                 {{"min", std::to_string(o.password_min_length)},
                                  {"max", std::to_string(o.password_max_length)}}));
  return d;
}

Response ResetForm(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  return MailPage(ctx, visit, "acct.reset.title", "reset", ResetData(ctx, visit.lang, req.Query("token").value_or("")));
}

Response Reset(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  if (!IsForm(req)) return NotAForm(ctx, visit, "acct.reset.title", "reset");
  const std::string token = FormField(req, "token");
  const std::string password = FormField(req, "password");
  if (password != FormField(req, "again")) {
    Data d = ResetData(ctx, visit.lang, token);
    d.set("error", std::string(site::T(visit.lang, "acct.reset.differ")));
    return MailPage(ctx, visit, "acct.reset.title", "reset", std::move(d), 400);
  }
  const Status st = ctx.api.accounts.ResetPassword(token, password);
  if (st.ok()) {
    Data d;
    d.set("done", site::Bool(true));
    return MailPage(ctx, visit, "acct.reset.title", "reset", std::move(d));
  }
  const int status = StatusOf(st.error());
  // A refused password keeps the form (the link still works); a dead link does not.
  Data d = status == 400 ? ResetData(ctx, visit.lang, token) : Data();
  d.set("error", status == 400 ? st.error().message : LinkProblem(visit.lang, st.error()));
  return MailPage(ctx, visit, "acct.reset.title", "reset", std::move(d), status);
}

Response SignupForm(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  const std::string ticket = req.Query("ticket").value_or("");
  auto identity = ctx.api.accounts.PeekSocialSignup(ticket);
  Data d;
  if (!identity.ok()) {
    d.set("error", LinkProblem(visit.lang, identity.error()));
    return MailPage(ctx, visit, "acct.signup.title", "signup_social", std::move(d), StatusOf(identity.error()));
  }
  d.set("form", site::Object{{"ticket", ticket},
                             {"name", identity->name},
                             {"name_max", site::Num(static_cast<int64_t>(ctx.api.accounts.options().display_name_max_length))},
                             {"as", site::Format(visit.lang, "acct.signup.as",
                                                 {{"email", identity->email}, {"provider", identity->provider}})}});
  return MailPage(ctx, visit, "acct.signup.title", "signup_social", std::move(d));
}

Response Signup(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  if (!IsForm(req)) return NotAForm(ctx, visit, "acct.signup.title", "signup_social");
  const std::string ticket = FormField(req, "ticket");
  auto identity = ctx.api.accounts.PeekSocialSignup(ticket);
  Data d;
  if (!identity.ok()) {
    d.set("error", LinkProblem(visit.lang, identity.error()));
    return MailPage(ctx, visit, "acct.signup.title", "signup_social", std::move(d), StatusOf(identity.error()));
  }
  auto login = ctx.api.accounts.CompleteSocialSignup(ticket, FormField(req, "accept_terms") == "true",
                                                     FormField(req, "display_name"),
                                                     std::string(req.Header("user-agent")));
  if (!login.ok()) {
    d.set("error", StatusOf(login.error()) == 400 ? login.error().message : LinkProblem(visit.lang, login.error()));
    return MailPage(ctx, visit, "acct.signup.title", "signup_social", std::move(d), StatusOf(login.error()));
  }
  Response r = HtmlResponse(303, "");
  r.headers.emplace_back("Location", SafeReturn(identity->return_to).value_or("/"));
  r.headers.emplace_back("Set-Cookie", SessionCookieHeader(login->session_token, login->max_age_seconds));
  return r;
}

}  // namespace

void RegisterMailLinkPages(Router& router, SiteContext& ctx) {
  auto add = [&](const char* method, const char* path, Response (*fn)(SiteContext&, const Request&)) {
    router.Add(method, path, [&ctx, fn](Request& req) { return fn(ctx, req); });
  };
  add("GET", "/confirm", ConfirmForm);
  add("POST", "/confirm", Confirm);
  add("GET", "/restore", RestoreForm);
  add("POST", "/restore", Restore);
  add("GET", "/password-reset/confirm", ResetForm);
  add("POST", "/password-reset/confirm", Reset);
  add("GET", "/signup/social", SignupForm);
  add("POST", "/signup/social", Signup);
}

}  // namespace tribune::http::account_pages
