// The signed-in reader's own pages: the profile (/account: name, avatar, password, sessions, data export),
// deleting the account with a plain confirmation step (/account/delete, a form with the CSRF token, so it
// works without JavaScript and from the consent modal), and the page after it (/account/deleted).
#include "http/pages/account_pages.hpp"

namespace tribune::http::account_pages {

namespace {

using site::Data;

Response ToLogin(const std::string& back) { return SeeOther("/login?return=" + back); }

// "Chrome on Linux"-style labels are guesswork; the user agent is shown shortened as it is.
std::string Device(const std::string& ua, site::Lang lang) {
  if (ua.empty()) return std::string(site::T(lang, "acct.sessions.unknown"));
  return ua.size() > 90 ? ua.substr(0, 87) + "…" : ua;
}

Response Profile(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  if (!visit.viewer) return ToLogin("/account");
  const accounts::Account& a = visit.viewer->account;
  if (a.status == "blocked") return SeeOther("/blocked");
  const std::string id = std::to_string(a.id);
  Data d;
  d.set("hello", site::Format(visit.lang, "hello", {{"name", a.display_name}}));
  d.set("name", a.display_name);
  d.set("email", a.email);
  d.set("id", id);
  d.set("avatar", "/api/v1/accounts/" + id + "/avatar");
  d.set("has_avatar", site::Bool(a.has_avatar));
  d.set("since", site::FormatDay(visit.lang, a.created_at));
  const auto& o = ctx.api.accounts.options();
  d.set("pw_min", site::Num(static_cast<int64_t>(o.password_min_length)));
  d.set("pw_max", site::Num(static_cast<int64_t>(o.password_max_length)));
  d.set("pw_rules", site::Format(visit.lang, "acct.password_rules",
                                 {{"min", std::to_string(o.password_min_length)},
                                  {"max", std::to_string(o.password_max_length)}}));
  site::List sessions;
  if (auto list = ctx.api.accounts.ListSessions(a.id, visit.viewer->session_hash); list.ok()) {
    for (const auto& s : *list) {
      sessions.push_back(site::Object{{"id", s.id},
                                      {"device", Device(s.user_agent, visit.lang)},
                                      {"since", site::FormatDate(visit.lang, s.created_at)},
                                      {"seen", site::FormatDate(visit.lang, s.last_seen_at)},
                                      {"current", site::Bool(s.current)}});
    }
  }
  d.set("sessions", sessions);
  d.set("csrf", visit.viewer->csrf_token);
  return Show(ctx, visit, "acct.profile.title", "account", std::move(d),
              {.data = boost::json::object{{"page", "account"}, {"account_id", id}}});
}

Response DeleteConfirm(SiteContext& ctx, const Request& req) {
  PageVisit visit = Visit(ctx, req);
  if (!visit.viewer) return ToLogin("/account/delete");
  visit.consent_needed = false;  // reached from the consent modal: no modal over the confirmation
  Data d;
  d.set("csrf", visit.viewer->csrf_token);
  d.set("days", site::Num(ctx.api.accounts.options().restore_seconds / 86400));
  d.set("email", visit.viewer->account.email);
  d.set("what", site::Format(visit.lang, "acct.delete.what",
                             {{"days", std::to_string(ctx.api.accounts.options().restore_seconds / 86400)}}));
  return Show(ctx, visit, "acct.delete.title", "account_delete", std::move(d),
              {.data = boost::json::object{{"page", "delete"}}});
}

Response Delete(SiteContext& ctx, Request& req) {
  auto auth = FormWriter(ctx, req);
  if (!auth.ok()) return ToLogin("/account/delete");
  const Status st = ctx.api.accounts.DeleteAccount(auth->account.id);
  if (!st.ok()) return ErrorPage(ctx, Visit(ctx, req), st.error().code >= ErrorCode::kUnavailable ? 500 : 400);
  Response r = SeeOther("/account/deleted");
  r.headers.emplace_back("Set-Cookie", SessionCookieHeader("", 0));
  return r;
}

Response Deleted(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  Data d;
  d.set("restore", site::Format(visit.lang, "acct.deleted.body",
                                {{"days", std::to_string(ctx.api.accounts.options().restore_seconds / 86400)}}));
  return Show(ctx, visit, "acct.deleted.title", "account_deleted", std::move(d));
}

}  // namespace

void RegisterProfilePages(Router& router, SiteContext& ctx) {
  router.Add("GET", "/account", [&ctx](Request& req) { return Profile(ctx, req); });
  router.Add("GET", "/account/delete", [&ctx](Request& req) { return DeleteConfirm(ctx, req); });
  router.Add("POST", "/account/delete", [&ctx](Request& req) { return Delete(ctx, req); });
  router.Add("GET", "/account/deleted", [&ctx](Request& req) { return Deleted(ctx, req); },
             Dispatch::kInlineIfAnonymous);
}

}  // namespace tribune::http::account_pages
