// Registers the HTTP API of API.md on a Router. Handlers parse, call one service, serialise.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "accounts/accounts.hpp"
#include "accounts/captcha.hpp"
#include "accounts/sanctions.hpp"
#include "avatars/article_images.hpp"
#include "avatars/avatars.hpp"
#include "discussion/discussion.hpp"
#include "discussion/moderation.hpp"
#include "discussion/queue.hpp"
#include "discussion/reports.hpp"
#include "http/auth.hpp"
#include "http/handlers/page_cache.hpp"
#include "http/http.hpp"
#include "moderation/engine.hpp"
#include "news/news.hpp"
#include "news/search.hpp"
#include "oidc/oidc.hpp"

namespace tribune::http {

class LiveHub;  // http/live.hpp
}  // namespace tribune::http

namespace tribune::news {
class ReaderViews;   // news/reader_views.hpp
class PanelService;  // news/panels.hpp
}  // namespace tribune::news

namespace tribune::interop {
class InteropService;  // interop/service.hpp
}  // namespace tribune::interop

namespace tribune::notify {
class SubscriptionService;  // notify/push.hpp
class PreferenceService;    // notify/prefs.hpp
class BreakingNews;         // notify/breaking.hpp
class NewsletterService;    // notify/newsletter.hpp
}  // namespace tribune::notify

namespace tribune::http {

struct ApiContext {
  accounts::AccountService& accounts;
  news::ArticleService& articles;
  discussion::CommentService& comments;
  discussion::ModerationService& moderation;
  Auth& auth;
  const moderation::Engine& engine;
  std::string edition_language;  // the default language of checks
  std::string base_url;  // "http://127.0.0.1:8080", no trailing slash
  int comments_page_default = 50;
  int comments_page_max = 200;
  PageCache page_cache{};
  std::string privacy_contact;                    // shown with the privacy policy
  std::vector<std::string> trusted_proxies;       // peers whose X-Forwarded-For is believed
  const accounts::Altcha* captcha = nullptr;      // GET /api/v1/captcha
  avatars::AvatarService* avatars = nullptr;      // profile pictures
  oidc::Client* social = nullptr;                 // social login; nullptr when no provider is configured
  discussion::ReportService* reports = nullptr;   // reader reports
  accounts::SanctionService* sanctions = nullptr;  // blocks and appeals
  discussion::QueueService* queue = nullptr;      // the moderators' queue
  LiveHub* live = nullptr;                        // GET /api/v1/articles/{id}/live; nullptr: 404
  notify::SubscriptionService* push_subscriptions = nullptr;  // Web Push; nullptr: the push API answers 404
  notify::PreferenceService* notification_prefs = nullptr;    // e-mail notice choices, unsubscribe links
  notify::BreakingNews* breaking = nullptr;                    // POST /api/v1/push/breaking
  std::string vapid_public_key;                                // base64url, 65 bytes decoded
  // Moves the clock forward and runs due jobs (config testing.clock_control); nullptr otherwise.
  std::function<Status(int64_t advance_seconds)> advance_clock;
  avatars::ArticleImageService* images = nullptr;  // POST /api/v1/images, GET /images/...; nullptr: unavailable
  news::ReaderViews* reader_views = nullptr;  // views once per reader per day; nullptr: every page view counts
  news::PanelService* panels = nullptr;       // the header's data panels; nullptr: none
  notify::NewsletterService* newsletters = nullptr;  // e-mail subscriptions to the news; nullptr: 404
  news::SearchService* search = nullptr;  // GET /api/v1/search and /search; nullptr: 404
  interop::InteropService* interop = nullptr;  // Perspective-compatible and Coral endpoints; nullptr: none
};

void RegisterHealth(Router& router);
void RegisterAccountRoutes(Router& router, ApiContext& ctx);
void RegisterArticleRoutes(Router& router, ApiContext& ctx);
void RegisterCommentRoutes(Router& router, ApiContext& ctx);
void RegisterModerationRoutes(Router& router, ApiContext& ctx);
void RegisterLifecycleRoutes(Router& router, ApiContext& ctx);
void RegisterAvatarRoutes(Router& router, ApiContext& ctx);
void RegisterSocialRoutes(Router& router, ApiContext& ctx);
void RegisterReportRoutes(Router& router, ApiContext& ctx);
void RegisterSanctionRoutes(Router& router, ApiContext& ctx);
void RegisterQueueRoutes(Router& router, ApiContext& ctx);
void RegisterAuditRoutes(Router& router, ApiContext& ctx);
void RegisterLiveRoutes(Router& router, ApiContext& ctx);
void RegisterPushRoutes(Router& router, ApiContext& ctx);
void RegisterSubscriptionRoutes(Router& router, ApiContext& ctx);
void RegisterSearchRoutes(Router& router, ApiContext& ctx);
void RegisterInteropRoutes(Router& router, ApiContext& ctx);
// Engine-only mode (`serve --engine-only`): POST /api/v1/moderation/check alone of the moderation routes.
void RegisterModerationCheckRoute(Router& router, ApiContext& ctx);

inline void RegisterApi(Router& router, ApiContext& ctx) {
  RegisterHealth(router);
  RegisterAccountRoutes(router, ctx);
  RegisterArticleRoutes(router, ctx);
  RegisterCommentRoutes(router, ctx);
  RegisterModerationRoutes(router, ctx);
  RegisterLifecycleRoutes(router, ctx);
  RegisterAvatarRoutes(router, ctx);
  RegisterSocialRoutes(router, ctx);
  RegisterReportRoutes(router, ctx);
  RegisterSanctionRoutes(router, ctx);
  RegisterQueueRoutes(router, ctx);
  RegisterAuditRoutes(router, ctx);
  RegisterLiveRoutes(router, ctx);
  RegisterPushRoutes(router, ctx);
  RegisterSubscriptionRoutes(router, ctx);
  RegisterSearchRoutes(router, ctx);
  RegisterInteropRoutes(router, ctx);
}

// What `serve --engine-only` serves: health, the engine as a service, and the moderators' dry-run check.
inline void RegisterEngineOnlyApi(Router& router, ApiContext& ctx) {
  RegisterHealth(router);
  RegisterInteropRoutes(router, ctx);
  RegisterModerationCheckRoute(router, ctx);
}

// The client's address: the peer, or the last X-Forwarded-For hop when the peer is a trusted proxy.
std::string ClientAddress(const Request& req, const std::vector<std::string>& trusted_proxies);

// Runs `body`, turning an Error into the API.md error response.
template <class F>
Response Respond(const Request& req, F&& body) {
  Result<Response> r = body();
  if (!r.ok()) return ErrorResponse(r.error(), req.request_id);
  return std::move(r).value();
}

}  // namespace tribune::http
