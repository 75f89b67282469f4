#include "app/services.hpp"

#include <malloc.h>

#include <filesystem>

#include "common/log.hpp"
#include "common/random.hpp"
#include "discussion/behaviour_log.hpp"
#include "moderation/factory.hpp"
#include "moderation/policy.hpp"
#include "site/i18n.hpp"

namespace tribune {
extern const char kPrivacyPolicyMd[];
}

namespace tribune::app {

namespace {

// A secret kept in the database's meta table, made at first start by `make`; shared by every server on the database.
Result<std::string> StoredSecret(storage::Database& db, const std::string& key,
                                 const std::function<Result<std::string>()>& make = [] {
                                   return Result<std::string>(RandomToken(32));
                                 }) {
  auto rows = db.Read("SELECT value FROM meta WHERE key = $1", {key});
  if (!rows.ok()) return std::move(rows).error();
  if (!rows->empty()) return (*rows)[0].Text(0);
  TRIBUNE_ASSIGN(const std::string fresh, make());
  TRIBUNE_TRY(db.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", {key, fresh}));
    return Ok{};
  }));
  auto again = db.Read("SELECT value FROM meta WHERE key = $1", {key});
  if (!again.ok()) return std::move(again).error();
  return (*again)[0].Text(0);
}

Status BuildMail(Services& s) {
  const Config& c = s.config;
  mail::Identity identity;
  identity.from_address = c.GetString("mail.from_address");
  identity.from_name = c.GetString("mail.from_name");
  identity.site_name = c.GetString("site.name");
  identity.base_url = c.GetString("site.base_url");
  const size_t at = identity.from_address.find('@');
  identity.message_id_domain = at == std::string::npos ? "localhost" : identity.from_address.substr(at + 1);
  s.outbox = std::make_unique<mail::Outbox>(s.clock, *s.ids, identity);
  const std::string url = c.GetString("mail.smtp_url");
  if (url.empty()) {
    std::string spool = c.GetString("mail.spool_dir");
    if (spool.empty()) spool = (std::filesystem::path(s.data_dir) / "mail").string();
    s.mail_transport = mail::MakeFileTransport(spool);
  } else {
    if (url.rfind("smtp://", 0) != 0 && url.rfind("smtps://", 0) != 0) {
      return MakeError(ErrorCode::kBadRequest, "mail.smtp_url must start with smtp:// or smtps://");
    }
    mail::SmtpOptions o;
    o.url = url;
    o.starttls = c.GetBool("mail.starttls");
    o.verify_tls = c.GetBool("mail.verify_tls");
    o.username = c.GetString("mail.username");
    o.password = c.GetString("mail.password");
    o.timeout_ms = c.GetInt("mail.timeout_ms");
    s.mail_transport = mail::MakeSmtpTransport(o);
  }
  mail::RetryOptions retry;
  retry.max_attempts = static_cast<int>(std::max<int64_t>(1, c.GetInt("mail.max_attempts")));
  retry.base_delay = std::chrono::seconds(std::max<int64_t>(1, c.GetInt("mail.retry_base_seconds")));
  retry.max_delay = std::chrono::seconds(std::max<int64_t>(1, c.GetInt("mail.retry_max_seconds")));
  s.mail_worker = std::make_unique<mail::OutboxWorker>(*s.db, s.clock, *s.mail_transport, identity.from_address, retry);
  return Ok{};
}

// Web Push: the VAPID key pair (made at first start, kept in the database), the outbox, the worker, subscriptions.
Status BuildPush(Services& s) {
  const Config& c = s.config;
  if (!c.GetBool("push.enabled")) return Ok{};
  TRIBUNE_ASSIGN(const std::string stored, StoredSecret(*s.db, "vapid_private_key", []() -> Result<std::string> {
                   TRIBUNE_ASSIGN(auto pair, notify::GenerateKeyPair());
                   return Base64UrlEncode(pair.private_key);
                 }));
  const auto raw = Base64UrlDecode(stored);
  if (!raw) return MakeError(ErrorCode::kUnavailable, "meta.vapid_private_key is not base64url");
  TRIBUNE_ASSIGN(auto pair, notify::KeyPairFromPrivate(*raw));
  s.vapid_public_key = Base64UrlEncode(pair.public_key);
  std::string subject = c.GetString("push.subject");
  if (subject.empty()) subject = "mailto:" + c.GetString("mail.from_address");
  if (subject.rfind("mailto:", 0) != 0 && subject.rfind("https://", 0) != 0) {
    return MakeError(ErrorCode::kBadRequest, "push.subject must start with mailto: or https://");
  }
  s.vapid = std::make_unique<notify::VapidSigner>(std::move(pair), subject);
  s.push_outbox = std::make_unique<notify::PushOutbox>(s.clock, *s.ids);
  notify::PushClientOptions po;
  po.allow_localhost = c.GetBool("push.allow_localhost");
  po.connect_timeout_ms = std::max<int64_t>(100, c.GetInt("push.connect_timeout_ms"));
  po.timeout_ms = std::max<int64_t>(po.connect_timeout_ms, c.GetInt("push.timeout_ms"));
  po.user_agent = "Tribune (" + c.GetString("site.name") + ")";
  s.push_client = notify::MakeCurlPushClient(po);
  notify::PushWorkerOptions wo;
  wo.concurrency = static_cast<size_t>(std::clamp<int64_t>(c.GetInt("push.concurrency"), 1, 10'000));
  wo.per_origin = static_cast<size_t>(std::clamp<int64_t>(c.GetInt("push.per_service"), 1, 10'000));
  wo.max_attempts = static_cast<int>(std::clamp<int64_t>(c.GetInt("push.max_attempts"), 1, 100));
  wo.base_delay = std::chrono::seconds(std::max<int64_t>(1, c.GetInt("push.retry_base_seconds")));
  wo.max_delay = std::chrono::seconds(std::max<int64_t>(1, c.GetInt("push.retry_max_seconds")));
  wo.lease = std::chrono::seconds(std::max<int64_t>(120, 5 * po.timeout_ms / 1000 + 1));
  s.push_worker = std::make_unique<notify::PushWorker>(*s.db, s.clock, *s.vapid, *s.push_client, wo);
  notify::SubscriptionOptions so;
  so.endpoints.allow_localhost = po.allow_localhost;
  so.endpoints.hosts = c.GetList("push.endpoint_hosts");
  so.max_per_account = static_cast<size_t>(std::clamp<int64_t>(c.GetInt("push.max_devices"), 1, 1000));
  so.per_address_hour = c.GetBool("limits.enabled") ? static_cast<int>(std::max<int64_t>(0, c.GetInt("push.subscriptions_per_address_hour"))) : 0;
  so.shared_limit = s.db->Dialect() == "postgresql";  // several servers may share it: count in the database
  so.languages.clear();
  so.languages.push_back(c.GetString("site.default_edition"));
  for (const auto& e : c.GetList("site.editions")) {
    if (std::find(so.languages.begin(), so.languages.end(), e) == so.languages.end()) so.languages.push_back(e);
  }
  so.article_exists = [articles = s.articles.get()](int64_t id) { return articles->Get(id).ok(); };
  s.push_subscriptions = std::make_unique<notify::SubscriptionService>(*s.db, s.clock, *s.ids, std::move(so));
  s.breaking = std::make_unique<notify::BreakingNews>(*s.db, s.clock, *s.push_outbox);
  return Ok{};
}

// E-mail subscriptions to the news: [digest] and limits.enabled; the unsubscribe key is kept in the database.
Status BuildNewsletters(Services& s) {
  const Config& c = s.config;
  notify::NewsletterOptions o;
  o.base_url = c.GetString("site.base_url");
  o.languages = {c.GetString("site.default_edition")};
  for (const auto& e : c.GetList("site.editions")) {
    if (std::find(o.languages.begin(), o.languages.end(), e) == o.languages.end()) o.languages.push_back(e);
  }
  const bool limits = c.GetBool("limits.enabled");
  o.confirm_ttl_seconds = std::clamp<int64_t>(c.GetInt("digest.confirm_link_hours"), 1, 24 * 30) * 3600;
  o.per_address_hour = limits ? static_cast<int>(std::max<int64_t>(0, c.GetInt("digest.subscribe_per_address_hour"))) : 0;
  o.per_email_day = limits ? static_cast<int>(std::max<int64_t>(0, c.GetInt("digest.confirm_mails_per_day"))) : 0;
  o.max_topics = static_cast<size_t>(std::clamp<int64_t>(c.GetInt("digest.max_topics"), 1, 200));
  o.digest_enabled = c.GetBool("digest.enabled");
  o.send_hour = static_cast<int>(std::clamp<int64_t>(c.GetInt("digest.send_hour"), 0, 23));
  o.max_items = static_cast<int>(std::clamp<int64_t>(c.GetInt("digest.max_items"), 1, 200));
  o.section_name = [](const std::string& slug, const std::string& language) {
    const site::Lang lang = site::ParseLang(language).value_or(site::Lang::kEn);
    const auto& strings = site::AllStrings(lang);
    auto it = strings.find("section." + slug);
    return it == strings.end() ? slug : it->second;
  };
  TRIBUNE_ASSIGN(auto key, StoredSecret(*s.db, "newsletter_hmac_key"));
  s.newsletters = std::make_unique<notify::NewsletterService>(*s.db, s.clock, *s.ids, *s.outbox, key, std::move(o));
  return Ok{};
}

// "id|Display name|issuer|client id" entries, secrets as "id=secret".
Result<std::vector<oidc::ProviderConfig>> SocialProviders(const Config& c) {
  std::vector<oidc::ProviderConfig> out;
  for (const std::string& entry : c.GetList("social.providers")) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      const size_t bar = entry.find('|', start);
      parts.push_back(entry.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (parts.size() != 4 || parts[0].empty() || parts[2].empty() || parts[3].empty() ||
        parts[0].find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
      return MakeError(ErrorCode::kBadRequest,
                       "social.providers: each entry is \"id|Display name|issuer URL|client id\" with a lower-case id");
    }
    oidc::ProviderConfig p;
    p.id = parts[0];
    p.display_name = parts[1].empty() ? parts[0] : parts[1];
    p.issuer = parts[2];
    p.client_id = parts[3];
    p.allow_http = c.GetBool("social.allow_http");
    for (const std::string& secret : c.GetList("social.client_secrets")) {
      if (secret.rfind(p.id + "=", 0) == 0) p.client_secret = secret.substr(p.id.size() + 1);
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

void Services::SetBaseUrl(const std::string& url) {
  if (outbox) outbox->SetBaseUrl(url);
  if (accounts) accounts->SetBaseUrl(url);
  if (social) social->SetRedirectBase(url);
  if (moderation) moderation->SetBaseUrl(url);
  if (notices) notices->SetBaseUrl(url);
  if (sanctions) sanctions->SetBaseUrl(url);
  if (newsletters) newsletters->SetBaseUrl(url);
}

Result<moderation::behaviour::BehaviourOptions> BehaviourOptionsFrom(const Config& c) {
  constexpr int64_t kMinute = 60LL * 1000000;
  moderation::behaviour::BehaviourOptions o;
  o.window_us = c.GetInt("behaviour.window_hours") * 60 * kMinute;
  o.cluster_accounts = static_cast<uint32_t>(std::max<int64_t>(2, c.GetInt("behaviour.cluster_accounts")));
  o.min_similarity = c.GetDouble("behaviour.similarity");
  o.new_account_us = c.GetInt("behaviour.new_account_days") * 24 * 60 * kMinute;
  o.max_window_entries = static_cast<size_t>(std::max<int64_t>(1000, c.GetInt("behaviour.max_window")));
  o.limits_enabled = c.GetBool("limits.enabled");
  o.account_burst = static_cast<double>(c.GetInt("behaviour.account_burst"));
  o.account_per_minute = c.GetDouble("behaviour.account_per_minute");
  o.thread_burst = static_cast<double>(c.GetInt("behaviour.thread_burst"));
  o.thread_per_minute = c.GetDouble("behaviour.thread_per_minute");
  o.short_run = static_cast<uint32_t>(std::max<int64_t>(2, c.GetInt("behaviour.short_run")));
  o.self_repeats = static_cast<uint32_t>(std::max<int64_t>(2, c.GetInt("behaviour.self_repeats")));
  o.chain_replies = static_cast<uint32_t>(std::max<int64_t>(2, c.GetInt("behaviour.reply_chain")));
  o.chain_us = c.GetInt("behaviour.reply_chain_minutes") * kMinute;
  o.standing_half_life_days = c.GetDouble("behaviour.standing_half_life_days");
  o.standing_hold = c.GetDouble("behaviour.standing_hold");
  auto bad = [](const char* what) { return MakeError(ErrorCode::kBadRequest, std::string("behaviour.") + what); };
  if (o.window_us < 60 * kMinute) return bad("window_hours must be at least 1");
  if (!(o.min_similarity > 0 && o.min_similarity <= 1)) return bad("similarity must be in (0, 1]");
  if (o.new_account_us < 0) return bad("new_account_days must not be negative");
  if (o.account_burst < 1 || o.thread_burst < 1) return bad("account_burst and thread_burst must be at least 1");
  if (!(o.account_per_minute > 0 && o.thread_per_minute > 0)) return bad("account_per_minute and thread_per_minute must be positive");
  if (o.chain_us < kMinute) return bad("reply_chain_minutes must be at least 1");
  if (!(o.standing_half_life_days > 0 && o.standing_hold > 0)) return bad("standing_half_life_days and standing_hold must be positive");
  return o;
}

Result<http::LiveOptions> LiveOptionsFrom(const Config& c) {
  http::LiveOptions o;
  const int64_t max_streams = c.GetInt("live.max_streams");
  const int64_t per_address = c.GetInt("live.max_streams_per_address");
  const int64_t heartbeat = c.GetInt("live.heartbeat_seconds");
  const int64_t replay_events = c.GetInt("live.replay_events");
  const int64_t replay_minutes = c.GetInt("live.replay_minutes");
  auto bad = [](const char* what) { return MakeError(ErrorCode::kBadRequest, std::string("live.") + what); };
  if (max_streams < 0) return bad("max_streams must not be negative");
  if (per_address < 0) return bad("max_streams_per_address must not be negative (0: no limit)");
  if (heartbeat < 1 || heartbeat > 3600) return bad("heartbeat_seconds must be from 1 to 3600");
  if (replay_events < 1 || replay_events > 100000) return bad("replay_events must be from 1 to 100000");
  if (replay_minutes < 1) return bad("replay_minutes must be at least 1");
  o.max_streams = static_cast<size_t>(max_streams);
  o.max_streams_per_address = c.GetBool("limits.enabled") ? static_cast<size_t>(per_address) : 0;
  o.heartbeat_ms = static_cast<int>(heartbeat * 1000);
  o.ring_events = static_cast<size_t>(replay_events);
  o.ring_age = std::chrono::minutes(replay_minutes);
  return o;
}

Result<std::unique_ptr<moderation::Engine>> BuildEngine(const Config& c, const std::string& data_dir,
                                                        const moderation::behaviour::BehaviourState* monitor,
                                                        std::shared_ptr<moderation::learned::OnlineModel> online_model) {
  return BuildEngine(c, data_dir, EngineVariant{}, monitor, std::move(online_model));
}

Result<std::unique_ptr<moderation::Engine>> BuildEngine(const Config& c, const std::string& data_dir,
                                                        const EngineVariant& variant,
                                                        const moderation::behaviour::BehaviourState* monitor,
                                                        std::shared_ptr<moderation::learned::OnlineModel> online_model) {
  const std::string kind = c.GetString("moderation.engine");
  const size_t max_length =
      variant.max_length ? variant.max_length : static_cast<size_t>(c.GetInt("comments.max_length"));
  if (kind == "minimal") return std::unique_ptr<moderation::Engine>(new moderation::MinimalEngine(max_length));
  if (kind != "rules") return MakeError(ErrorCode::kBadRequest, "moderation.engine must be \"rules\" or \"minimal\"");
  moderation::EngineConfig ec;
  ec.edition = variant.edition.empty() ? c.GetString("site.default_edition") : variant.edition;
  ec.language = ec.edition;
  ec.languages_from_input = variant.languages_from_input;
  ec.ui_language = variant.ui_language.empty() ? c.GetString("site.ui_language") : variant.ui_language;
  ec.policy_file = c.GetString("moderation.policy_file");
  ec.lexicon_dir = c.GetString("moderation.lexicon_dir");
  ec.cache_dir = c.GetString("moderation.cache_dir");
  ec.learned_model = c.GetString("moderation.learned_model");
  ec.languages = c.GetList("site.languages");  // empty: the factory uses {ec.language}
  ec.language_model = c.GetString("moderation.language_model");
  ec.blocklist_dir = c.GetString("moderation.blocklist_dir");
  ec.blocklists = c.GetList("moderation.blocklists");
  ec.public_suffix_list = c.GetString("moderation.public_suffix_list");
  if (ec.cache_dir.empty() && !data_dir.empty()) ec.cache_dir = (std::filesystem::path(data_dir) / "cache").string();
  ec.max_length = max_length;
  ec.publisher_names = c.GetList("site.publisher_names");
  ec.online_model = std::move(online_model);
  auto engine = moderation::BuildRuleEngine(ec);
  if (!engine.ok()) return std::move(engine).error();
  (*engine)->SetMonitor(monitor);
  return std::unique_ptr<moderation::Engine>(std::move(engine).value());
}

Services::~Services() {
  // No notification handler may run into a service being destroyed.
  if (db) db->StopListening();
}

Result<std::unique_ptr<Services>> BuildServices(Config config, const std::string& data_dir) {
  auto s = std::make_unique<Services>();
  s->config = std::move(config);
  s->data_dir = data_dir;
  const Config& c = s->config;
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "cannot create data directory " + data_dir + ": " + ec.message());
  auto db = storage::OpenStorage({.url = c.GetString("storage.url"),
                                  .default_sqlite_path = (std::filesystem::path(data_dir) / "tribune.db").string(),
                                  .read_connections = static_cast<int>(c.GetInt("storage.read_connections")),
                                  .max_batch = static_cast<int>(c.GetInt("storage.max_batch"))});
  if (!db.ok()) return std::move(db).error();
  s->db = std::move(db).value();

  // Ids stay above everything already stored, whatever the clock says after a restart; the node slot keeps
  // the ids of servers sharing a PostgreSQL database apart.
  int64_t floor = 0;
  for (const char* table : {"accounts", "articles", "comments", "moderation_decisions", "consent_log", "moderation_audit",
                            "comment_reports", "account_blocks", "appeals", "push_subscriptions", "push_messages"}) {
    auto rows = s->db->Read(std::string("SELECT COALESCE(MAX(id), 0) FROM ") + table);
    if (!rows.ok()) return std::move(rows).error();
    floor = std::max(floor, (*rows)[0].Int(0));
  }
  s->ids = std::make_unique<IdGenerator>(s->clock, floor, s->db->NodeSlot());

  s->hasher = std::make_unique<accounts::PasswordHasher>(static_cast<size_t>(c.GetInt("accounts.argon2_memory_kib")),
                                                         static_cast<unsigned long long>(c.GetInt("accounts.argon2_passes")),
                                                         static_cast<int>(c.GetInt("accounts.hash_concurrency")));
  TRIBUNE_TRY(BuildMail(*s));
  if (c.GetBool("captcha.required")) {
    TRIBUNE_ASSIGN(auto key, StoredSecret(*s->db, "captcha_hmac_key"));
    accounts::AltchaOptions co;
    co.maxnumber = std::max<int64_t>(1000, c.GetInt("captcha.max_number"));
    co.ttl_seconds = std::max<int64_t>(60, c.GetInt("captcha.ttl_minutes") * 60);
    s->captcha = std::make_unique<accounts::Altcha>(s->clock, key, co);
  }

  const std::string edition = c.GetString("site.default_edition");
  s->articles = std::make_unique<news::ArticleService>(*s->db, s->clock, *s->ids, edition);
  TRIBUNE_TRY(s->articles->EnsureEdition(c.GetString("site.name"), edition));
  s->reader_views = std::make_unique<news::ReaderViews>(s->clock);
  s->panels = std::make_unique<news::PanelService>(*s->db, s->clock);
  // Search: the index hears every article write; at start it catches up on the articles it is behind on
  // (written before the search migration, by an older tokenizer, or straight into the database).
  s->search_index = std::make_unique<news::SearchIndex>(s->db->Dialect());
  s->articles->AddListener(s->search_index.get());
  TRIBUNE_ASSIGN(const int64_t indexed, s->search_index->CatchUp(*s->db));
  if (indexed > 0) log::Info("search index caught up", "\"articles\":" + std::to_string(indexed));
  news::SearchOptions search_options{.edition = edition, .languages = {edition}};
  for (const auto& e : c.GetList("site.editions")) search_options.languages.push_back(e);
  s->search = std::make_unique<news::SearchService>(*s->db, s->clock, *s->articles, std::move(search_options));

  TRIBUNE_TRY(BuildPush(*s));
  TRIBUNE_ASSIGN(auto unsubscribe_key, StoredSecret(*s->db, "unsubscribe_hmac_key"));
  s->notification_prefs = std::make_unique<notify::PreferenceService>(*s->db, s->clock, unsubscribe_key);
  discussion::NoticeOptions nopt;
  nopt.push = s->push_outbox.get();
  nopt.mail = s->outbox.get();
  nopt.prefs = s->notification_prefs.get();
  nopt.base_url = c.GetString("site.base_url");
  nopt.follow_window_us = std::max<int64_t>(1, c.GetInt("notifications.follow_window_minutes")) * 60 * 1'000'000;
  nopt.digest_hour = static_cast<int>(std::clamp<int64_t>(c.GetInt("notifications.digest_hour"), 0, 23));
  nopt.digest_max_items = static_cast<int>(std::clamp<int64_t>(c.GetInt("notifications.digest_max_items"), 1, 200));
  s->notices = std::make_unique<discussion::Notices>(s->clock, std::move(nopt));

  // The behaviour window comes back from the event log before the first post is checked against it.
  auto behaviour = BehaviourOptionsFrom(c);
  if (!behaviour.ok()) return std::move(behaviour).error();
  s->monitor = std::make_unique<moderation::behaviour::BehaviourMonitor>(*behaviour);
  // Servers sharing a PostgreSQL database: the window is replayed up to a committed point, and the events
  // committed after it are read before each check (CommentService::CatchUpWindow).
  const bool shared = s->db->Dialect() == "postgresql";
  TRIBUNE_ASSIGN(const int64_t window_seq, discussion::WindowSeq(*s->db, edition));
  auto loaded = discussion::LoadBehaviour(*s->db, *s->monitor, edition, s->clock.NowMicros(), window_seq);
  if (!loaded.ok()) return std::move(loaded).error();
  auto keeper = ModelKeeper::Open(*s->db, s->clock, edition);
  if (!keeper.ok()) return std::move(keeper).error();
  s->model = std::move(keeper).value();
  auto engine = BuildEngine(c, data_dir, s->monitor.get(), s->model->model());
  if (!engine.ok()) return std::move(engine).error();
  s->engine = std::move(engine).value();
  // Compiling the lexicons peaks at ~80 MiB of heap that glibc keeps; give it back before serving.
  ::malloc_trim(0);
  discussion::DiscussionOptions dopt;
  dopt.language = edition;
  dopt.edition = edition;
  dopt.page_max = static_cast<int>(c.GetInt("comments.page_max"));
  dopt.notices = s->notices.get();
  dopt.shared_window = shared;
  // The minimal engine knows no behaviour rules: then nothing is recorded either.
  if (c.GetString("moderation.engine") == "rules") dopt.monitor = s->monitor.get();
  s->comments = std::make_unique<discussion::CommentService>(*s->db, s->clock, *s->ids, *s->engine, dopt);
  if (shared) s->comments->StartSharedWindow(window_seq);
  TRIBUNE_ASSIGN(auto live_options, LiveOptionsFrom(c));
  if (shared) live_options.node = s->db->NodeSlot();
  s->live = std::make_unique<http::LiveHub>(std::move(live_options),
                                            [comments = s->comments.get()](int64_t id) { return comments->Get(id); });
  discussion::ModerationOptions mopt;
  mopt.edition = edition;
  mopt.monitor = dopt.monitor;
  if (shared) TRIBUNE_TRY(s->model->Share());
  mopt.learn = [keeper = s->model.get()](int64_t comment_id, const std::string& text, const std::string& label) {
    keeper->Learn(comment_id, text, label);
  };
  mopt.outbox = s->outbox.get();
  mopt.base_url = c.GetString("site.base_url");
  mopt.shared = shared;
  s->moderation = std::make_unique<discussion::ModerationService>(*s->db, s->clock, *s->ids, *s->comments, mopt);
  TRIBUNE_TRY(s->moderation->Share());

  s->author_content = std::make_unique<discussion::AuthorContent>(*s->comments, s->clock);
  accounts::AccountOptions ao;
  ao.captcha_required = c.GetBool("captcha.required");
  ao.limits_enabled = c.GetBool("limits.enabled");
  ao.session_idle_seconds = c.GetInt("accounts.session_idle_days") * 86400;
  ao.session_absolute_seconds = c.GetInt("accounts.session_absolute_days") * 86400;
  ao.password_min_length = static_cast<size_t>(c.GetInt("accounts.password_min_length"));
  ao.password_max_length = static_cast<size_t>(c.GetInt("accounts.password_max_length"));
  ao.display_name_max_length = static_cast<size_t>(c.GetInt("accounts.display_name_max_length"));
  ao.allow_unconfirmed_comments = c.GetBool("accounts.allow_unconfirmed_comments");
  ao.confirm_link_seconds = std::max<int64_t>(1, c.GetInt("accounts.confirm_link_hours")) * 3600;
  ao.reset_link_seconds = std::max<int64_t>(1, c.GetInt("accounts.reset_link_minutes")) * 60;
  ao.restore_seconds = std::max<int64_t>(1, c.GetInt("accounts.restore_days")) * 86400;
  ao.base_url = c.GetString("site.base_url");
  ao.language = c.GetString("site.ui_language");
  ao.purge_log = (std::filesystem::path(data_dir) / "purged-accounts.log").string();
  ao.throttle.window_seconds = std::max<int64_t>(1, c.GetInt("accounts.login_window_minutes")) * 60;
  ao.throttle.captcha_after = static_cast<int>(c.GetInt("accounts.login_captcha_after"));
  ao.throttle.account_failures = static_cast<int>(c.GetInt("accounts.login_account_failures"));
  ao.throttle.address_failures = static_cast<int>(c.GetInt("accounts.login_address_failures"));
  ao.shared_throttle = s->db->Dialect() == "postgresql";  // several servers may share it: count in the database
  s->accounts = std::make_unique<accounts::AccountService>(*s->db, s->clock, *s->ids, *s->hasher, ao, s->captcha.get(),
                                                           s->outbox.get(), s->author_content.get());
  TRIBUNE_TRY(s->accounts->InitPolicy(kPrivacyPolicyMd));
  // Comment events and policy versions reach every server on the database (and this one).
  s->relay = std::make_unique<ClusterRelay>(*s->db, *s->comments, s->live.get(), s->accounts.get());
  s->relay->SetArticles(s->articles.get());
  TRIBUNE_TRY(s->relay->Start());
  s->articles->SetChangeHook([relay = s->relay.get()](int64_t id) { relay->ArticleChanged(id); });
  s->comments->SetEvents(s->relay.get());

  avatars::InitVips();
  avatars::AvatarOptions avo;
  avo.max_upload_bytes = static_cast<size_t>(std::max<int64_t>(1, c.GetInt("avatars.max_upload_kib"))) * 1024;
  avo.max_pixels = std::max<int64_t>(1, c.GetInt("avatars.max_pixels"));
  avo.size = static_cast<int>(std::clamp<int64_t>(c.GetInt("avatars.size"), 32, 1024));
  s->avatars = std::make_unique<avatars::AvatarService>(*s->db, s->clock, avo);
  avatars::ArticleImageOptions aio;
  aio.max_upload_bytes = static_cast<size_t>(std::max<int64_t>(1, c.GetInt("images.max_upload_mib"))) * 1024 * 1024;
  aio.max_pixels = std::max<int64_t>(1, c.GetInt("images.max_pixels"));
  s->article_images = std::make_unique<avatars::ArticleImageService>(*s->db, s->clock, *s->ids, aio);

  const auto is_rule = [](const std::string& rule) {
    const auto& known = moderation::KnownRules();
    return std::find(known.begin(), known.end(), rule) != known.end();
  };
  discussion::ReportOptions ro;
  ro.threshold = static_cast<int>(std::max<int64_t>(1, c.GetInt("reports.threshold")));
  ro.per_hour = static_cast<int>(std::max<int64_t>(1, c.GetInt("reports.per_hour")));
  ro.limits_enabled = c.GetBool("limits.enabled");
  ro.is_rule = is_rule;
  s->reports = std::make_unique<discussion::ReportService>(*s->db, s->clock, *s->ids, ro);
  accounts::SanctionOptions so;
  so.explanation_min = static_cast<size_t>(std::max<int64_t>(1, c.GetInt("appeals.min_length")));
  so.explanation_max = static_cast<size_t>(std::max<int64_t>(1, c.GetInt("appeals.max_length")));
  so.base_url = c.GetString("site.base_url");
  so.is_rule = is_rule;
  s->sanctions = std::make_unique<accounts::SanctionService>(*s->db, s->clock, *s->ids, s->outbox.get(), so);
  s->queue = std::make_unique<discussion::QueueService>(*s->db, s->clock, *s->reports, s->moderation.get());

  TRIBUNE_ASSIGN(auto providers, SocialProviders(c));
  if (!providers.empty()) {
    oidc::ClientOptions oo;
    oo.redirect_base = c.GetString("site.base_url");
    s->social = std::make_unique<oidc::Client>(*s->db, s->clock, std::move(providers), oo);
  }
  TRIBUNE_TRY(BuildNewsletters(*s));
  TRIBUNE_TRY(BuildInterop(*s));
  return s;
}

}  // namespace tribune::app
