// Signing out from a plain form: the session's CSRF token travels as a form field instead of a header.
#include "http/pages/pages.hpp"

namespace tribune::http {

namespace {

Response Logout(SiteContext& ctx, Request& req) {
  Response r = HtmlResponse(303, "", {.no_store = true});
  r.headers.emplace_back("Location", "/");
  const std::string csrf = FormField(req, "csrf");
  if (csrf.empty()) return r;
  req.headers.emplace_back("x-csrf-token", csrf);
  auto auth = ctx.api.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow);
  if (!auth.ok()) return r;  // not signed in (any more), or a forged form: nothing to end
  if (!auth->session_hash.empty()) (void)ctx.api.accounts.Logout(auth->session_hash);
  r.headers.emplace_back("Set-Cookie", SessionCookieHeader("", 0));
  return r;
}

}  // namespace

void RegisterSessionPages(Router& router, SiteContext& ctx) {
  router.Add("POST", "/logout", [&ctx](Request& req) { return Logout(ctx, req); });
}

}  // namespace tribune::http
