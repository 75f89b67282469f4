// The privacy policy (/privacy) and accepting a new version of it without JavaScript (POST /privacy/accept,
// the CSRF token as a form field). With JavaScript the consent modal (consent.js) posts to the API instead.
#include "http/pages/account_pages.hpp"

#include <charconv>
#include <string>

#include "text/markdown.hpp"

namespace tribune::http::account_pages {

namespace {

using site::Data;

Response Privacy(SiteContext& ctx, const Request& req) {
  PageVisit visit = Visit(ctx, req);
  auto policy = ctx.api.accounts.CurrentPolicy();
  if (!policy.ok()) return ErrorPage(ctx, visit, 500);
  Data d;
  d.set("policy_html", text::RenderMarkdown(policy->text));
  d.set("meta", site::Format(visit.lang, "acct.privacy.meta",
                             {{"version", std::to_string(policy->version)},
                              {"date", site::FormatDay(visit.lang, policy->published_at)}}));
  if (!ctx.config.privacy_contact.empty()) d.set("contact", ctx.config.privacy_contact);
  if (visit.viewer && visit.consent_needed) {
    d.set("accept", site::Object{{"csrf", visit.viewer->csrf_token}, {"version", site::Num(policy->version)}});
  }
  if (req.Query("accepted")) d.set("accepted", site::Bool(true));
  visit.consent_needed = false;  // the accept form is on this page: no modal over it
  return Show(ctx, visit, "acct.privacy.title", "privacy", std::move(d));
}

// The page the reader came from, when it is one of ours.
std::string BackFrom(const Request& req) {
  if (auto r = SafeReturn(FormField(req, "return"))) return *r;
  std::string_view referer = req.Header("referer");
  const std::string_view host = req.Header("host");
  for (std::string_view scheme : {"http://", "https://"}) {
    if (host.empty() || !referer.starts_with(scheme)) continue;
    std::string_view rest = referer.substr(scheme.size());
    if (!rest.starts_with(host)) continue;
    rest.remove_prefix(host.size());
    if (auto r = SafeReturn(rest)) return *r;
  }
  return "/";
}

Response Accept(SiteContext& ctx, Request& req) {
  auto auth = FormWriter(ctx, req);
  if (!auth.ok()) return SeeOther("/login?return=/privacy");
  const PageVisit visit = Visit(ctx, req);
  if (FormField(req, "accept") != "yes") {
    Data d;
    d.set("error", std::string(site::T(visit.lang, "acct.consent.tick")));
    PageVisit shown = visit;
    shown.consent_needed = false;
    return Show(ctx, shown, "acct.privacy.title", "privacy", std::move(d), {.status = 400});
  }
  int64_t version = 0;  // garbage stays 0, which no policy has: RecordConsent refuses it
  const std::string field = FormField(req, "policy_version");
  std::from_chars(field.data(), field.data() + field.size(), version);
  const Status st = ctx.api.accounts.RecordConsent(auth->account.id, version);
  if (!st.ok()) return ErrorPage(ctx, visit, st.error().code >= ErrorCode::kUnavailable ? 500 : 400);
  std::string back = BackFrom(req);
  if (back == "/privacy" || back.starts_with("/privacy?")) back = "/privacy?accepted=1";
  return SeeOther(back);
}

}  // namespace

void RegisterPrivacyPages(Router& router, SiteContext& ctx) {
  router.Add("GET", "/privacy", [&ctx](Request& req) { return Privacy(ctx, req); });
  router.Add("POST", "/privacy/accept", [&ctx](Request& req) { return Accept(ctx, req); });
}

}  // namespace tribune::http::account_pages
