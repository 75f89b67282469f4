// `tribune moderate [--data DIR] [--language en] --explain [TEXT|-] [--jsonl]`: the engine's decision and findings.
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/model_store.hpp"
#include "app/services.hpp"

namespace tribune::app {

namespace {

void PrintHuman(const std::string& text, const moderation::Decision& d) {
  std::printf("action: %s\n", moderation::ActionName(d.action));
  for (const auto& f : d.findings) {
    std::printf("  %-24s score %6.2f  %s\n", f.rule.c_str(), f.score, f.reason.c_str());
    for (auto [s, e] : f.spans) {
      std::printf("      [%zu, %zu) \"%s\"\n", s, e, text.substr(s, std::min<size_t>(e - s, 80)).c_str());
    }
    for (const auto& detail : f.details) std::printf("      %s\n", detail.c_str());
  }
}

std::string AsJson(const moderation::Decision& d) {
  return boost::json::serialize(boost::json::object{{"action", moderation::ActionName(d.action)},
                                                    {"findings", moderation::FindingsArray(d.findings)}});
}

}  // namespace

// Where compiled lexicons are cached between runs (a cold compile takes seconds): the site's data
// directory when --data is given, else the user's cache directory; moderation.cache_dir wins over both.
static std::string CacheHome(const CommandContext& ctx) {
  if (ctx.flags.count("data")) return ctx.flags.at("data");
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/tribune";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/tribune";
  return "";
}

// With --data naming a site that has a database, the edition's model learned from its moderators joins the
// engine (as on the server). Errors: the database or the stored model cannot be read.
static Result<std::shared_ptr<moderation::learned::OnlineModel>> SiteModel(const CommandContext& ctx) {
  if (!ctx.flags.count("data")) return std::shared_ptr<moderation::learned::OnlineModel>();
  const auto path = std::filesystem::path(ctx.data_dir) / "tribune.db";
  const std::string url = ctx.config.GetString("storage.url");
  if (url.empty() && !std::filesystem::exists(path)) return std::shared_ptr<moderation::learned::OnlineModel>();
  auto db = storage::OpenStorage({.url = url, .default_sqlite_path = path.string(), .read_connections = 1});
  if (!db.ok()) return std::move(db).error();
  auto model = LoadModel(**db, ctx.config.GetString("site.default_edition"));
  (*db)->Close();
  return model;
}

int Moderate(CommandContext& ctx) {
  auto model = SiteModel(ctx);
  if (!model.ok()) {
    std::fprintf(stderr, "tribune: %s\n", model.error().message.c_str());
    return 1;
  }
  auto engine = BuildEngine(ctx.config, CacheHome(ctx), nullptr, std::move(model).value());
  if (!engine.ok()) {
    std::fprintf(stderr, "tribune: %s\n", engine.error().message.c_str());
    return 1;
  }
  const std::string language =
      ctx.flags.count("language") ? ctx.flags.at("language") : ctx.config.GetString("site.default_edition");
  const bool jsonl = ctx.flags.count("jsonl") > 0;
  auto check = [&](const std::string& text) {
    return (*engine)->Check(moderation::CheckInput{.text = text, .language = language});
  };
  if (jsonl) {
    std::string line;
    while (std::getline(std::cin, line)) std::printf("%s\n", AsJson(check(line)).c_str());
    return 0;
  }
  std::string text = ctx.positional.empty() ? "-" : ctx.positional.front();
  if (text == "-") {
    std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    text = std::move(all);
  }
  PrintHuman(text, check(text));
  return 0;
}

}  // namespace tribune::app
