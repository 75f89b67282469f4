// The pages that links in mails open, working without JavaScript: /confirm, /restore,
// /password-reset/confirm, the social sign-up (/signup/social) and the privacy policy (/privacy).
// A GET only shows a form; the token is used by the POST it submits, so mail scanners that fetch links
// cannot confirm, restore or reset anything. The token travels in the form body, never in a log line.
#include "http/pages/pages.hpp"

#include "http/auth.hpp"
#include "http/pages/pages.hpp"
#include "text/markdown.hpp"
#include "text/utf8.hpp"

namespace tribune::http {

namespace {

using text::HtmlEscape;

bool IsForm(const Request& req) {
  return req.Header("content-type").rfind("application/x-www-form-urlencoded", 0) == 0;
}

Response Page(SiteContext& ctx, int status, const std::string& title, const std::string& content) {
  Request none;
  const PageVisit visit = Visit(ctx, none);
  Response r = HtmlResponse(status, RenderPage(ctx, visit, {.title = title, .content = content, .noindex = true}),
                            {.no_store = true});
  for (auto& [name, value] : r.headers) {
    if (name == "Referrer-Policy") value = "no-referrer";  // the token is in the URL of these pages
  }
  return r;
}

Response Outcome(SiteContext& ctx, const Status& st, const std::string& title, const std::string& done) {
  if (st.ok()) return Page(ctx, 200, title, "<h1>" + title + "</h1><p class=\"ok\">" + done + "</p>");
  const int code = st.error().code == ErrorCode::kGone ? 410 : st.error().code >= ErrorCode::kUnavailable ? 500 : 400;
  const std::string message = code == 500 ? "Something went wrong on our side. Try again later." : st.error().message;
  return Page(ctx, code, title, "<h1>" + title + "</h1><p class=\"bad\">" + HtmlEscape(message) + "</p>");
}

std::string TokenForm(const std::string& action, const std::string& token, const std::string& fields,
                      const std::string& button) {
  return "<form class=\"box\" method=\"post\" action=\"" + action + "\"><input type=\"hidden\" name=\"token\" value=\"" +
         HtmlEscape(token) + "\">" + fields + "<button type=\"submit\">" + button + "</button></form>";
}

Response ConfirmForm(SiteContext& ctx, const Request& req) {
  return Page(ctx, 200, "Confirm your address",
              "<h1>Confirm your address</h1><p>One click and your account can take part in the discussions.</p>" +
                  TokenForm("/confirm", req.Query("token").value_or(""), "", "Confirm my address"));
}

Response Confirm(SiteContext& ctx, const Request& req) {
  if (!IsForm(req)) return Page(ctx, 415, "Confirm your address", "<p class=\"bad\">Send the form.</p>");
  return Outcome(ctx, ctx.api.accounts.ConfirmEmail(FormField(req, "token")), "Confirm your address",
                 "Thank you: your address is confirmed. <a href=\"/\">Back to the news</a>.");
}

Response RestoreForm(SiteContext& ctx, const Request& req) {
  return Page(ctx, 200, "Restore your account",
              "<h1>Restore your account</h1><p>Your account and your comments come back exactly as they were.</p>" +
                  TokenForm("/restore", req.Query("token").value_or(""), "", "Restore my account"));
}

Response Restore(SiteContext& ctx, const Request& req) {
  if (!IsForm(req)) return Page(ctx, 415, "Restore your account", "<p class=\"bad\">Send the form.</p>");
  auto restored = ctx.api.accounts.RestoreAccount(FormField(req, "token"));
  const Status st = restored.ok() ? Status(Ok{}) : Status(restored.error());
  return Outcome(ctx, st, "Restore your account", "Welcome back: your account is restored. You can sign in again.");
}

Response ResetForm(SiteContext& ctx, const Request& req) {
  const std::string fields =
      "<label for=\"pw\">New password</label><input id=\"pw\" name=\"password\" type=\"password\" required "
      "minlength=\"" + std::to_string(ctx.api.accounts.options().password_min_length) +
      "\" autocomplete=\"new-password\"><label for=\"pw2\">The same again</label><input id=\"pw2\" name=\"again\" "
      "type=\"password\" required autocomplete=\"new-password\">";
  return Page(ctx, 200, "Choose a new password",
              "<h1>Choose a new password</h1><p>At least " + std::to_string(ctx.api.accounts.options().password_min_length) +
                  " characters; a few unrelated words make a strong one. Every device signed in to your account will "
                  "be signed out.</p>" +
                  TokenForm("/password-reset/confirm", req.Query("token").value_or(""), fields, "Set the password"));
}

Response Reset(SiteContext& ctx, const Request& req) {
  if (!IsForm(req)) return Page(ctx, 415, "Choose a new password", "<p class=\"bad\">Send the form.</p>");
  const std::string password = FormField(req, "password");
  if (password != FormField(req, "again")) {
    return Outcome(ctx, MakeError(ErrorCode::kBadRequest, "The two passwords differ. Go back and type them again."),
                   "Choose a new password", "");
  }
  return Outcome(ctx, ctx.api.accounts.ResetPassword(FormField(req, "token"), password), "Choose a new password",
                 "Your password is changed. <a href=\"/\">Sign in</a> with the new one.");
}

Response SignupForm(SiteContext& ctx, const Request& req) {
  const std::string ticket = req.Query("ticket").value_or("");
  auto identity = ctx.api.accounts.PeekSocialSignup(ticket);
  if (!identity.ok()) return Outcome(ctx, identity.error(), "Create your account", "");
  const std::string fields =
      "<p>Signing in as <strong>" + HtmlEscape(identity->email) + "</strong> (" + HtmlEscape(identity->provider) +
      ").</p><label for=\"name\">Name shown with your comments</label><input id=\"name\" name=\"display_name\" "
      "type=\"text\" required maxlength=\"64\" value=\"" + HtmlEscape(identity->name) +
      "\"><label><input type=\"checkbox\" name=\"accept_terms\" value=\"true\" required> I accept the community "
      "standards and the <a href=\"/privacy\">privacy policy</a>.</label>";
  return Page(ctx, 200, "Create your account",
              "<h1>Create your account</h1><form class=\"box\" method=\"post\" action=\"/signup/social\">"
              "<input type=\"hidden\" name=\"ticket\" value=\"" + HtmlEscape(ticket) + "\">" + fields +
                  "<button type=\"submit\">Create my account</button></form>");
}

Response Signup(SiteContext& ctx, const Request& req) {
  if (!IsForm(req)) return Page(ctx, 415, "Create your account", "<p class=\"bad\">Send the form.</p>");
  const std::string ticket = FormField(req, "ticket");
  auto identity = ctx.api.accounts.PeekSocialSignup(ticket);
  if (!identity.ok()) return Outcome(ctx, identity.error(), "Create your account", "");
  auto login = ctx.api.accounts.CompleteSocialSignup(ticket, FormField(req, "accept_terms") == "true",
                                                 FormField(req, "display_name"), std::string(req.Header("user-agent")));
  if (!login.ok()) return Outcome(ctx, login.error(), "Create your account", "");
  Response r = HtmlResponse(303, "");
  r.headers.emplace_back("Location", identity->return_to.empty() ? "/" : identity->return_to);
  r.headers.emplace_back("Set-Cookie", SessionCookieHeader(login->session_token, login->max_age_seconds));
  return r;
}

Response Privacy(SiteContext& ctx, const Request&) {
  auto policy = ctx.api.accounts.CurrentPolicy();
  if (!policy.ok()) return Outcome(ctx, policy.error(), "Privacy policy", "");
  const std::string html = text::RenderMarkdown(policy->text);
  return Page(ctx, 200, "Privacy policy",
              html + "<p class=\"meta\">Version " + std::to_string(policy->version) + ", published " +
                  FormatRfc3339(policy->published_at).substr(0, 10) + ". Privacy contact: " +
                  HtmlEscape(ctx.config.privacy_contact) + "</p>");
}

}  // namespace

void RegisterAccountPages(Router& router, SiteContext& ctx) {
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
  router.Add("GET", "/privacy", [&ctx](Request& req) { return Privacy(ctx, req); });
}

}  // namespace tribune::http
