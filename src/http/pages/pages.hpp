// Start here for the HTML site: server-rendered pages over the same services as the API.
//   site_page.hpp   the frame every page shares (language, header, scripts, security headers), static files
//   reader_pages    front page, section and tag pages, the article with its discussion, community standards
//   account_pages   register, log in, recovery, profile, delete/restore, consent, blocked + appeal, mail links
//   console_pages   the moderators' console: queue, decisions, clusters, history, appeals, audit, dashboard
//   embed_pages     the discussion in an iframe for other sites (embed.js)
//   notification_pages  a reader's notification settings, and the unsubscribe link of notice mails
// Reading works without JavaScript; writing uses the small scripts under web/static/ and the JSON API.
#pragma once

#include "http/http.hpp"
#include "http/pages/editor_pages.hpp"
#include "http/pages/site_page.hpp"

namespace tribune::http {

void RegisterReaderPages(Router& router, SiteContext& ctx);
void RegisterAccountPages(Router& router, SiteContext& ctx);
void RegisterConsolePages(Router& router, SiteContext& ctx);
void RegisterEmbedPages(Router& router, SiteContext& ctx);
// POST /logout (a form with the CSRF token, so signing out works without JavaScript).
void RegisterSessionPages(Router& router, SiteContext& ctx);
// /account/notifications (e-mail notices, push devices) and /unsubscribe (notice mails' one-click link).
void RegisterNotificationPages(Router& router, SiteContext& ctx);
// /feeds/... and /<edition>/feeds/...: Atom, RSS, JSON Feed (handlers/feed_handlers.cpp).
void RegisterFeeds(Router& router, SiteContext& ctx);
// The <link rel="alternate"> of a page's feeds; kind "all" (name ignored), "section" or "tag".
std::vector<FeedLink> FeedLinks(const SiteContext& ctx, site::Lang edition, const std::string& kind,
                                const std::string& name, const std::string& title);
// The "Subscribe" form's answer and /subscriptions/confirm, /subscriptions/unsubscribe (subscription_pages.hpp).
void RegisterSubscriptionPages(Router& router, SiteContext& ctx);
// /search?q= (the results page over news::SearchService).
void RegisterSearchPage(Router& router, SiteContext& ctx);

inline void RegisterSite(Router& router, SiteContext& ctx) {
  RegisterStatic(router);
  RegisterReaderPages(router, ctx);
  RegisterAccountPages(router, ctx);
  RegisterConsolePages(router, ctx);
  RegisterEmbedPages(router, ctx);
  RegisterSessionPages(router, ctx);
  RegisterNotificationPages(router, ctx);
  RegisterEditorPages(router, ctx);
  RegisterFeeds(router, ctx);
  RegisterSubscriptionPages(router, ctx);
  RegisterSearchPage(router, ctx);
  router.SetNotFoundPage([&ctx](Request& req) { return NotFoundPage(ctx, req); });
}

}  // namespace tribune::http
