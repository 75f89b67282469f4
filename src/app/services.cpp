#include "app/services.hpp"

#include <malloc.h>

#include <filesystem>

#include "moderation/factory.hpp"

namespace tribune::app {

Result<std::unique_ptr<moderation::Engine>> BuildEngine(const Config& c, const std::string& data_dir) {
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
  auto engine = moderation::BuildRuleEngine(ec);
  if (!engine.ok()) return std::move(engine).error();
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

  auto engine = BuildEngine(c, data_dir);
  if (!engine.ok()) return std::move(engine).error();
  s->engine = std::move(engine).value();
  // Compiling the lexicons peaks at ~80 MiB of heap that glibc keeps; give it back before serving.
  ::malloc_trim(0);
  discussion::DiscussionOptions dopt;
  dopt.language = edition;
  dopt.page_max = static_cast<int>(c.GetInt("comments.page_max"));
  s->comments = std::make_unique<discussion::CommentService>(*s->db, s->clock, *s->ids, *s->engine, dopt);
  return s;
}

}  // namespace tribune::app
