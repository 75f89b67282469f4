// Everything a running Tribune holds, built from a Config in dependency order.
#pragma once

#include <memory>
#include <string>

#include "accounts/accounts.hpp"
#include "accounts/captcha.hpp"
#include "avatars/article_images.hpp"
#include "avatars/avatars.hpp"
#include "discussion/author_content.hpp"
#include "mail/mail.hpp"
#include "oidc/oidc.hpp"
#include "app/model_keeper.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/ids.hpp"
#include "discussion/discussion.hpp"
#include "discussion/moderation.hpp"
#include "discussion/notices.hpp"
#include "discussion/queue.hpp"
#include "discussion/reports.hpp"
#include "http/live.hpp"
#include "accounts/sanctions.hpp"
#include "moderation/behaviour/monitor.hpp"
#include "moderation/engine.hpp"
#include "news/news.hpp"
#include "news/panels.hpp"
#include "news/reader_views.hpp"
#include "news/search.hpp"
#include "notify/breaking.hpp"
#include "notify/newsletter.hpp"
#include "notify/prefs.hpp"
#include "notify/push.hpp"
#include "app/cluster_relay.hpp"
#include "app/interop_engines.hpp"
#include "interop/service.hpp"
#include "storage/database.hpp"

namespace tribune::app {

struct Services {
  ~Services();
  Config config;
  std::string data_dir;
  AdjustableClock clock;  // the system clock; only testing.clock_control moves it
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<accounts::PasswordHasher> hasher;
  std::unique_ptr<mail::Transport> mail_transport;
  std::unique_ptr<mail::Outbox> outbox;
  std::unique_ptr<mail::OutboxWorker> mail_worker;  // started by serve
  std::unique_ptr<accounts::Altcha> captcha;
  // Notifications: Web Push (nullptr members when push.enabled = false) and e-mail notice choices.
  std::string vapid_public_key;  // base64url
  std::unique_ptr<notify::VapidSigner> vapid;
  std::unique_ptr<notify::PushOutbox> push_outbox;
  std::unique_ptr<notify::PushClient> push_client;
  std::unique_ptr<notify::PushWorker> push_worker;  // started by serve
  std::unique_ptr<notify::SubscriptionService> push_subscriptions;
  std::unique_ptr<notify::BreakingNews> breaking;
  std::unique_ptr<notify::PreferenceService> notification_prefs;
  std::unique_ptr<discussion::Notices> notices;  // reply notices and followers; before the comments that call it
  std::unique_ptr<news::ArticleService> articles;
  std::unique_ptr<moderation::behaviour::BehaviourMonitor> monitor;  // declared before the engine that reads it
  std::unique_ptr<ModelKeeper> model;  // the edition's online model, learning from moderators' decisions
  std::unique_ptr<moderation::Engine> engine;
  std::unique_ptr<http::LiveHub> live;  // the live streams of discussions; hears the comment services
  std::unique_ptr<discussion::CommentService> comments;
  std::unique_ptr<discussion::ModerationService> moderation;
  std::unique_ptr<discussion::AuthorContent> author_content;
  std::unique_ptr<accounts::AccountService> accounts;  // after the comments it hides and restores
  std::unique_ptr<avatars::AvatarService> avatars;
  std::unique_ptr<discussion::ReportService> reports;
  std::unique_ptr<accounts::SanctionService> sanctions;
  std::unique_ptr<discussion::QueueService> queue;
  std::unique_ptr<oidc::Client> social;  // nullptr when no provider is configured
  std::unique_ptr<ClusterRelay> relay;   // comment events and policy versions between servers (and to live)
  std::unique_ptr<avatars::ArticleImageService> article_images;  // editors' uploads (POST /api/v1/images)
  std::unique_ptr<news::ReaderViews> reader_views;  // views once per reader per UTC day (memory only)
  std::unique_ptr<news::PanelService> panels;       // the header's data panels
  std::unique_ptr<notify::NewsletterService> newsletters;  // e-mail subscriptions to the news and their digests
  std::unique_ptr<news::SearchIndex> search_index;  // hears the articles' writes (a listener of `articles`)
  std::unique_ptr<news::SearchService> search;
  // The engine as a service (interop/service.hpp): per-edition engines, API keys, Perspective, Coral, feedback.
  std::unique_ptr<InteropEngines> interop_engines;
  std::unique_ptr<interop::ApiKeyStore> api_keys;
  std::unique_ptr<interop::PerspectiveApi> perspective;
  std::unique_ptr<interop::FeedbackStore> feedback;
  std::unique_ptr<interop::CoralPhase> coral;  // after the store and engines its pending decisions use
  std::unique_ptr<interop::InteropService> interop;

  // The public origin once known (serve learns the port after listening): links in mails use it.
  void SetBaseUrl(const std::string& url);
};

// Section [interop]: the services above from interop_engines on (interop_services.cpp). Errors: kBadRequest.
Status BuildInterop(Services& s);

// The behaviour rules' settings from config section [behaviour] (and limits.enabled). Errors: kBadRequest
// naming the key whose value makes no sense (a window under an hour, a similarity outside (0, 1], ...).
Result<moderation::behaviour::BehaviourOptions> BehaviourOptionsFrom(const Config& config);

// The moderation engine that config `moderation.engine` names. Errors: kBadRequest, kUnavailable.
// `monitor` (may be nullptr) is consulted by the rules engine for flash_mob, flood and trolling;
// `online_model` (may be nullptr) is the edition's model learned from its moderators.
Result<std::unique_ptr<moderation::Engine>> BuildEngine(
    const Config& config, const std::string& data_dir, const moderation::behaviour::BehaviourState* monitor = nullptr,
    std::shared_ptr<moderation::learned::OnlineModel> online_model = nullptr);

// BuildEngine's engine with another edition's policy overrides (`edition`, "" for site.default_edition) and,
// with languages_from_input, the language rule judging each comment against CheckInput::language instead of
// site.languages (the interop endpoints: app/interop_engines.hpp). Errors: as BuildEngine.
// `ui_language` ("" for site.ui_language) picks the language of the reasons; `max_length` (0 for
// comments.max_length) the longest text in code points before the form rule rejects it.
struct EngineVariant {
  std::string edition;
  bool languages_from_input = false;
  std::string ui_language;
  size_t max_length = 0;
};
Result<std::unique_ptr<moderation::Engine>> BuildEngine(
    const Config& config, const std::string& data_dir, const EngineVariant& variant,
    const moderation::behaviour::BehaviourState* monitor = nullptr,
    std::shared_ptr<moderation::learned::OnlineModel> online_model = nullptr);

// The live streams' settings from config section [live] (and limits.enabled for the per-address cap).
// Errors: kBadRequest naming the key.
Result<http::LiveOptions> LiveOptionsFrom(const Config& config);

// Opens the database under `data_dir` (or storage.url) and builds the services.
// Errors: kUnavailable (database), kBadRequest (configuration).
Result<std::unique_ptr<Services>> BuildServices(Config config, const std::string& data_dir);

}  // namespace tribune::app
