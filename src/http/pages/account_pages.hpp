// What the account page files share (account_pages.cpp, mail_link_pages.cpp, privacy_pages.cpp,
// profile_pages.cpp, blocked_pages.cpp): one way to show an account page, the same-site return path check,
// the captcha widget's settings, and reading a form's CSRF token.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/pages/pages.hpp"
#include "site/templates.hpp"

namespace tribune::http::account_pages {

struct Shown {
  int status = 200;
  bool captcha = false;                  // load the ALTCHA widget (when SiteConfig::captcha_required)
  bool no_referrer = false;              // pages whose URL holds a token from a mail
  boost::json::object data;              // for account.js
};

// Renders web/templates/<tpl>.mustache inside the site frame with account.css and account.js.
Response Show(const SiteContext& ctx, const PageVisit& visit, std::string_view title_key, std::string_view tpl,
              site::Data d, Shown shown = {});

// A path on this site to come back to: starts with one "/" (not "//" or "/\"), no control characters or
// backslashes, at most 512 bytes. Anything else is nullopt: an open redirect is a bug.
std::optional<std::string> SafeReturn(std::string_view path);

// Sets "captcha" in `d` (the widget's settings) when the site requires a captcha.
void SetCaptcha(const SiteContext& ctx, site::Lang lang, site::Data& d);

// The signed-in reader of a plain-form POST whose CSRF token travels as the "csrf" field.
Result<accounts::AuthContext> FormWriter(SiteContext& ctx, Request& req);

// 303 to `location`.
Response SeeOther(const std::string& location);

void RegisterMailLinkPages(Router& router, SiteContext& ctx);
void RegisterPrivacyPages(Router& router, SiteContext& ctx);
void RegisterProfilePages(Router& router, SiteContext& ctx);
void RegisterBlockedPages(Router& router, SiteContext& ctx);

}  // namespace tribune::http::account_pages
