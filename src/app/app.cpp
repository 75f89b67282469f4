#include "app/app.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "common/random.hpp"

extern char** environ;

namespace tribune::app {

namespace {

constexpr const char* kUsage = R"(usage: tribune <command> [options]

commands:
  serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--engine-only]
        serve the site; prints "listening on http://HOST:PORT" once ready; --engine-only: just the
        Perspective-compatible and Coral endpoints, health and the moderation check (docs/INTEGRATIONS.md)
  admin create --data DIR --email E --role reader|moderator|editor|admin [--name NAME]
        create a confirmed account with the role (password from stdin), or add the role
  token create --data DIR --email E [--label L]
        print a new API token (Authorization: Bearer) for an existing account
  demo seed --data DIR
        add the demo edition, articles and admin account (idempotent)
  moderate [--config FILE] [--data DIR] [--language en] --explain [TEXT|-] [--jsonl]
        the engine's decision and findings for TEXT (or stdin); --jsonl: one {action, findings} per input line
  model train --from FILE.tsv [--data DIR] [--edition ID]
        train the edition's online model from labelled lines (label<TAB>text, or the rule-table format)
  model stats [--data DIR] [--edition ID] [--json]
        examples per class and size of the edition's online model
  purge [--data DIR] [--reapply]
        erase accounts deleted longer ago than accounts.restore_days (serve does this hourly); --reapply
        first erases again every account recorded as purged (run it after restoring a backup)
  policy publish --file FILE [--data DIR]
        publish a new privacy-policy version; readers must accept it before they write again
  migrate --from sqlite:PATH --to postgresql://USER@HOST/DB
        copy a site's SQLite database (also while its server runs) into an empty PostgreSQL database and
        verify every table by row counts and SHA-256 checksums; a password comes from the URL or PGPASSWORD
  panel import jhu-csse DIR [--name NAME] [--data DIR] | panel enable|disable NAME | panel list
        store the header's data panel from the JHU CSSE global time series in DIR; show or hide a panel
  import rss|disqus|wxr FILE|URL [--data DIR]
        import an existing site: an RSS/Atom feed (FILE or http(s) URL), a Disqus export, a WordPress WXR
        export; validates the whole file first, prints counts; re-running imports nothing twice
  apikey create --data DIR [--policy EDITION] [--label L] [--qps N] | apikey list | apikey revoke ID|PREFIX
        API keys of the Perspective-compatible endpoints (docs/INTEGRATIONS.md); create prints the key last
  version
)";

// Boolean flags that take no value.
bool IsSwitch(const std::string& name) {
  return name == "explain" || name == "jsonl" || name == "json" || name == "reapply" || name == "engine-only";
}

struct ParsedArgs {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
};

// --key value pairs (or --key=value, or a bare switch) and positional words after the subcommand.
Result<ParsedArgs> ParseFlags(int argc, char** argv, int first) {
  ParsedArgs out;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "-") {
      out.positional.push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      out.flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
    } else if (IsSwitch(arg.substr(2))) {
      out.flags[arg.substr(2)] = "true";
    } else if (i + 1 < argc) {
      out.flags[arg.substr(2)] = argv[++i];
    } else {
      return MakeError(ErrorCode::kBadRequest, "missing value for " + arg);
    }
  }
  return out;
}

Result<Config> LoadConfig(const std::map<std::string, std::string>& flags, const std::string& data_dir) {
  std::string file;
  if (auto it = flags.find("config"); it != flags.end()) {
    file = it->second;
  } else if (std::filesystem::exists(std::filesystem::path(data_dir) / "tribune.toml")) {
    file = (std::filesystem::path(data_dir) / "tribune.toml").string();
  }
  return Config::Load(file, environ);
}

}  // namespace

int Main(int argc, char** argv) {
  InitCrypto();
  std::vector<std::string> words;
  int i = 1;
  while (i < argc && std::strncmp(argv[i], "--", 2) != 0 && words.size() < 2) words.emplace_back(argv[i++]);
  if (words.empty() || words[0] == "help") {
    std::fputs(kUsage, words.empty() ? stderr : stdout);
    return words.empty() ? 2 : 0;
  }
  if (words[0] == "version") {
    std::puts("tribune 0.1.0");
    return 0;
  }
  // `serve` and `moderate` take no second word; give it back.
  if ((words[0] == "serve" || words[0] == "moderate") && words.size() == 2) {
    words.pop_back();
    --i;
  }
  auto args = ParseFlags(argc, argv, i);
  if (!args.ok()) {
    std::fprintf(stderr, "tribune: %s\n%s", args.error().message.c_str(), kUsage);
    return 2;
  }
  const auto& flags = args->flags;
  // `panel` takes its words (import SOURCE DIR, enable NAME, ...) as positional arguments.
  if (words[0] == "panel") {
    args->positional.insert(args->positional.begin(), words.begin() + 1, words.end());
    words.resize(1);
  }
  // `apikey revoke ID|PREFIX`: the key is a positional word (set aside from the check below).
  std::vector<std::string> apikey_words;
  if (words[0] == "apikey") {
    apikey_words.assign(words.begin() + 1, words.end());
    apikey_words.insert(apikey_words.end(), args->positional.begin(), args->positional.end());
    args->positional.clear();
  }
  if (words[0] != "moderate" && words[0] != "panel" && words[0] != "import" && !args->positional.empty()) {
    std::fprintf(stderr, "tribune: unexpected argument: %s\n%s", args->positional.front().c_str(), kUsage);
    return 2;
  }
  const std::string data_dir = flags.count("data") ? flags.at("data") : "var/data";
  auto config = LoadConfig(flags, data_dir);
  if (!config.ok()) {
    std::fprintf(stderr, "tribune: config: %s\n", config.error().message.c_str());
    return 2;
  }
  const std::string command = words[0] + (words.size() > 1 ? " " + words[1] : "");
  CommandContext ctx{std::move(config).value(), data_dir, flags, args->positional};
  if (command == "serve") return Serve(ctx);
  if (command == "admin create") return AdminCreate(ctx);
  if (command == "token create") return TokenCreate(ctx);
  if (command == "demo seed") return DemoSeed(ctx);
  if (command == "moderate") return Moderate(ctx);
  if (command == "purge") return Purge(ctx);
  if (command == "policy publish") return PolicyPublish(ctx);
  if (command == "migrate") return Migrate(ctx);
  if (command == "panel") return PanelCommand(ctx);
  if (words[0] == "import") {
    ctx.positional.insert(ctx.positional.begin(), words.size() > 1 ? words[1] : "");  // rss | disqus | wxr
    return ImportCommand(ctx);
  }
  if (words[0] == "apikey") {
    ctx.positional = std::move(apikey_words);  // create | list | revoke ID|PREFIX
    return ApiKeyCommand(ctx);
  }
  if (words[0] == "model") {
    ctx.positional.assign(words.begin() + 1, words.end());  // "train" | "stats"
    return ModelCommand(ctx);
  }
  std::fprintf(stderr, "tribune: unknown command \"%s\"\n%s", command.c_str(), kUsage);
  return 2;
}

}  // namespace tribune::app
