// The frame every HTML page shares: language, the signed-in reader, the header and footer, the page's
// scripts and data, and the security headers. Page files build their content from a template
// (site/templates.hpp) and hand it to RenderPage.
#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accounts/accounts.hpp"
#include "http/handlers/api.hpp"
#include "http/http.hpp"
#include "site/templates.hpp"

namespace tribune::http {

struct SiteConfig {
  std::string name = "Tribune";
  site::Lang default_lang = site::Lang::kEn;
  // Languages with an edition: the default one's front page is "/", the others' "/fr/", "/ru/".
  std::vector<site::Lang> editions{site::Lang::kEn};
  std::string privacy_contact;
  // Origins that may frame the embeddable discussion (/embed/...): CSP frame-ancestors. Empty: none.
  std::vector<std::string> embed_origins;
  bool captcha_required = true;
  int comment_max_length = 5000;
  // The Listen Live stream per edition ([listen_live]); absent or empty: no button.
  std::map<site::Lang, std::string> listen_live;
};

// What the pages use: the API's services (pages call the same services as handlers) and the site config.
struct SiteContext {
  ApiContext& api;
  SiteConfig config;
};

// Who asks for a page, and in which language it is shown.
struct PageVisit {
  site::Lang lang = site::Lang::kEn;
  std::optional<accounts::AuthContext> viewer;  // signed in (cookie) or nullopt
  bool consent_needed = false;                  // the viewer has not accepted the current privacy policy
  bool Moderator() const { return viewer && viewer->account.CanModerate(); }
};

// The visit: language from ?lang=, else `edition` (the content's own language), else the signed-in reader's,
// else Accept-Language, else the default edition.
PageVisit Visit(const SiteContext& ctx, const Request& req, std::optional<site::Lang> edition = std::nullopt);

// A <link rel="alternate"> in the head (feeds).
struct FeedLink {
  std::string type, title, href;
};

struct Frame {
  std::string title;
  std::string content;               // HTML rendered by the page's template
  std::vector<std::string> scripts;  // names under web/static/, loaded as deferred scripts
  std::vector<std::string> styles;   // extra stylesheets under web/static/
  boost::json::object data;          // handed to the scripts (JSON in a non-executable script element)
  std::string body_class;
  std::string canonical;             // absolute or root-relative URL, optional
  bool noindex = false;              // account and console pages
  std::vector<FeedLink> feeds;       // <link rel="alternate"> to the page's feeds
};

// The whole HTML document: header (editions, sign-in or "Hello, <name>!"), the consent modal when needed,
// the push prompt, the content, the footer.
std::string RenderPage(const SiteContext& ctx, const PageVisit& visit, Frame frame);

struct HtmlOptions {
  bool no_store = false;                  // pages with a reader's data or tokens
  bool embeddable = false;                // frame-ancestors from SiteConfig::embed_origins instead of 'none'
  const std::vector<std::string>* embed_origins = nullptr;
  std::string media_origins;              // added to CSP media-src (the Listen Live stream's origin)
};
// An HTML response with the security headers: CSP without 'unsafe-inline', Referrer-Policy,
// X-Content-Type-Options, and frame-ancestors (none, or the embedding origins).
Response HtmlResponse(int status, std::string html, const HtmlOptions& options = {});

// RenderPage wrapped in HtmlResponse. A signed-in visitor's page carries their CSRF token and name, so it is
// never cached (Cache-Control: private, no-store) whatever `options` says.
Response PageResponse(const SiteContext& ctx, const PageVisit& visit, Frame frame, int status = 200,
                      HtmlOptions options = {});

// A full error page ("not found", "something went wrong") in the visit's language.
Response ErrorPage(const SiteContext& ctx, const PageVisit& visit, int status);

// The 404 page for a path nobody serves, in the browser's language. It does not look up the session (it runs on
// the I/O thread and must not wait), so its header shows the signed-out links.
Response NotFoundPage(const SiteContext& ctx, const Request& req);

// The origin ("https://radio.example.org:8443") of a Listen Live URL, for CSP media-src. Errors: kBadRequest when
// it is not a plain http(s) URL with a host (the message completes "listen_live.en ...").
Result<std::string> MediaOrigin(std::string_view url);

// JSON for a <script type="application/json"> element: "<", ">" and "&" escaped, so no "</script>" or "<!--" in
// a value can end the element early.
std::string ScriptJson(const boost::json::object& o);

// The value of a field of an application/x-www-form-urlencoded body.
std::string FormField(const Request& req, const char* name);

// Serves web/static/* at /static/<name> (and sw.js, embed.js at the root), with ETag, gzip and
// immutable caching for versioned URLs.
void RegisterStatic(Router& router);

}  // namespace tribune::http
