#include "app/services.hpp"

#include <malloc.h>

#include <filesystem>

#include "discussion/behaviour_log.hpp"
#include "moderation/factory.hpp"

namespace tribune::app {

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

Result<std::unique_ptr<moderation::Engine>> BuildEngine(const Config& c, const std::string& data_dir,
                                                        const moderation::behaviour::BehaviourState* monitor,
                                                        std::shared_ptr<moderation::learned::OnlineModel> online_model) {
  const std::string kind = c.GetString("moderation.engine");
  const size_t max_length = static_cast<size_t>(c.GetInt("comments.max_length"));
  if (kind == "minimal") return std::unique_ptr<moderation::Engine>(new moderation::MinimalEngine(max_length));
  if (kind != "rules") return MakeError(ErrorCode::kBadRequest, "moderation.engine must be \"rules\" or \"minimal\"");
  moderation::EngineConfig ec;
  ec.edition = c.GetString("site.default_edition");
  ec.language = ec.edition;
  ec.ui_language = c.GetString("site.ui_language");
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

Result<std::unique_ptr<Services>> BuildServices(Config config, const std::string& data_dir) {
  auto s = std::make_unique<Services>();
  s->config = std::move(config);
  const Config& c = s->config;
  if (!c.GetString("storage.url").empty()) {
    return MakeError(ErrorCode::kBadRequest, "storage.url: only SQLite is available in this build (leave it empty)");
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "cannot create data directory " + data_dir + ": " + ec.message());
  auto db = storage::OpenSqlite({.path = (std::filesystem::path(data_dir) / "tribune.db").string(),
                                 .read_connections = static_cast<int>(c.GetInt("storage.read_connections")),
                                 .max_batch = static_cast<int>(c.GetInt("storage.max_batch"))});
  if (!db.ok()) return std::move(db).error();
  s->db = std::move(db).value();

  // Ids stay above everything already stored, whatever the clock says after a restart.
  int64_t floor = 0;
  for (const char* table : {"accounts", "articles", "comments", "moderation_decisions"}) {
    auto rows = s->db->Read(std::string("SELECT COALESCE(MAX(id), 0) FROM ") + table);
    if (!rows.ok()) return std::move(rows).error();
    floor = std::max(floor, (*rows)[0].Int(0));
  }
  s->ids = std::make_unique<IdGenerator>(s->clock, floor);

  s->hasher = std::make_unique<accounts::PasswordHasher>(static_cast<size_t>(c.GetInt("accounts.argon2_memory_kib")),
                                                         static_cast<unsigned long long>(c.GetInt("accounts.argon2_passes")),
                                                         static_cast<int>(c.GetInt("accounts.hash_concurrency")));
  accounts::AccountOptions ao;
  ao.captcha_required = c.GetBool("captcha.required");
  ao.session_idle_seconds = c.GetInt("accounts.session_idle_days") * 86400;
  ao.session_absolute_seconds = c.GetInt("accounts.session_absolute_days") * 86400;
  ao.password_min_length = static_cast<size_t>(c.GetInt("accounts.password_min_length"));
  ao.password_max_length = static_cast<size_t>(c.GetInt("accounts.password_max_length"));
  ao.display_name_max_length = static_cast<size_t>(c.GetInt("accounts.display_name_max_length"));
  s->accounts = std::make_unique<accounts::AccountService>(*s->db, s->clock, *s->ids, *s->hasher, ao);

  const std::string edition = c.GetString("site.default_edition");
  s->articles = std::make_unique<news::ArticleService>(*s->db, s->clock, *s->ids, edition);
  TRIBUNE_TRY(s->articles->EnsureEdition(c.GetString("site.name"), edition));

  // The behaviour window comes back from the event log before the first post is checked against it.
  auto behaviour = BehaviourOptionsFrom(c);
  if (!behaviour.ok()) return std::move(behaviour).error();
  s->monitor = std::make_unique<moderation::behaviour::BehaviourMonitor>(*behaviour);
  auto loaded = discussion::LoadBehaviour(*s->db, *s->monitor, edition, s->clock.NowMicros());
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
  // The minimal engine knows no behaviour rules: then nothing is recorded either.
  if (c.GetString("moderation.engine") == "rules") dopt.monitor = s->monitor.get();
  s->comments = std::make_unique<discussion::CommentService>(*s->db, s->clock, *s->ids, *s->engine, dopt);
  discussion::ModerationOptions mopt;
  mopt.edition = edition;
  mopt.monitor = dopt.monitor;
  mopt.learn = [keeper = s->model.get()](const std::string& text, const std::string& label) { keeper->Learn(text, label); };
  s->moderation = std::make_unique<discussion::ModerationService>(*s->db, s->clock, *s->ids, *s->comments, mopt);
  return s;
}

}  // namespace tribune::app
