// `tribune apikey create|list|revoke`: the API keys of the Perspective-compatible endpoints (interop/api_keys.hpp).
//   apikey create --data DIR [--policy EDITION] [--label L] [--qps N]   the new key is the last line of stdout
//   apikey list --data DIR                                             one line per key, revoked ones included
//   apikey revoke ID|PREFIX --data DIR                                 refused from then on (other servers: ≤ 1 min)
// The database is storage.url (env TRIBUNE_STORAGE_URL), else DIR/tribune.db. Bad flags: exit 2, nothing stored.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "app/commands.hpp"
#include "common/clock.hpp"
#include "interop/api_keys.hpp"
#include "storage/database.hpp"

namespace tribune::app {

namespace {

constexpr const char* kApiKeyUsage =
    "usage: tribune apikey create --data DIR [--policy EDITION] [--label L] [--qps N]\n"
    "       tribune apikey list --data DIR\n"
    "       tribune apikey revoke ID|PREFIX --data DIR\n";

int Usage(const std::string& message) {
  std::fprintf(stderr, "tribune apikey: %s\n%s", message.c_str(), kApiKeyUsage);
  return 2;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "tribune apikey: %s\n", message.c_str());
  return 1;
}

Result<std::unique_ptr<storage::Database>> Open(const CommandContext& ctx) {
  std::error_code ec;
  std::filesystem::create_directories(ctx.data_dir, ec);
  return storage::OpenStorage({.url = ctx.config.GetString("storage.url"),
                               .default_sqlite_path = (std::filesystem::path(ctx.data_dir) / "tribune.db").string(),
                               .read_connections = 1,
                               .max_batch = static_cast<int>(ctx.config.GetInt("storage.max_batch"))});
}

// A whole, finite decimal number; nullopt for anything else ("", "5x", "nan", "inf", " 5").
std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' || text[0] == '.')) {
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::string FormatQps(double qps) {
  if (qps <= 0) return "unlimited";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g/s", qps);
  return buf;
}

int Create(CommandContext& ctx) {
  const std::string edition =
      ctx.flags.count("policy") ? ctx.flags.at("policy") : ctx.config.GetString("site.default_edition");
  const std::string label = ctx.flags.count("label") ? ctx.flags.at("label") : "";
  double qps = ctx.config.GetDouble("interop.apikey_default_qps");
  if (ctx.flags.count("qps")) {
    auto n = ParseNumber(ctx.flags.at("qps"));
    if (!n) return Usage("--qps must be a number (requests per second; 0: unlimited)");
    qps = *n;
  }
  // Checked before the database is opened (or created): a bad flag leaves no trace.
  if (Status valid = interop::ApiKeyStore::Validate(edition, label, qps); !valid.ok()) {
    return Usage(valid.error().message);
  }
  const auto& editions = ctx.config.GetList("site.editions");
  if (edition != ctx.config.GetString("site.default_edition") &&
      std::find(editions.begin(), editions.end(), edition) == editions.end()) {
    std::fprintf(stderr, "tribune apikey: note: %s is not one of this site's editions (site.editions); the policy's "
                 "overrides for %s apply, if it has any\n", edition.c_str(), edition.c_str());
  }
  auto db = Open(ctx);
  if (!db.ok()) return Fail(db.error().message);
  SystemClock clock;
  interop::ApiKeyStore store(**db, clock);
  auto created = store.Create(edition, label, qps);
  (*db)->Close();
  if (!created.ok()) {
    return created.error().code == ErrorCode::kBadRequest ? Usage(created.error().message) : Fail(created.error().message);
  }
  std::printf("API key %lld (%s) for the policy of edition %s, quota %s per server%s%s\n",
              static_cast<long long>(created->key.id), created->key.prefix.c_str(), created->key.edition.c_str(),
              FormatQps(created->key.qps).c_str(), label.empty() ? "" : ", label: ", label.c_str());
  std::printf("It is shown only now; keep it secret (X-Goog-Api-Key header or ?key=):\n");
  std::printf("%s\n", created->secret.c_str());
  return 0;
}

int List(CommandContext& ctx) {
  auto db = Open(ctx);
  if (!db.ok()) return Fail(db.error().message);
  SystemClock clock;
  interop::ApiKeyStore store(**db, clock);
  auto keys = store.List();
  (*db)->Close();
  if (!keys.ok()) return Fail(keys.error().message);
  std::printf("%-6s %-9s %-8s %-10s %-24s %-32s %s\n", "ID", "PREFIX", "EDITION", "QPS", "CREATED", "STATUS", "LABEL");
  for (const auto& k : *keys) {
    const std::string status = k.revoked_at ? "revoked " + FormatRfc3339(*k.revoked_at) : "active";
    std::printf("%-6lld %-9s %-8s %-10s %-24s %-32s %s\n", static_cast<long long>(k.id), k.prefix.c_str(),
                k.edition.c_str(), FormatQps(k.qps).c_str(), FormatRfc3339(k.created_at).c_str(), status.c_str(),
                k.label.c_str());
  }
  return 0;
}

int Revoke(CommandContext& ctx, const std::string& which) {
  auto db = Open(ctx);
  if (!db.ok()) return Fail(db.error().message);
  SystemClock clock;
  interop::ApiKeyStore store(**db, clock);
  Status st = store.Revoke(which);
  (*db)->Close();
  if (!st.ok()) return Fail(st.error().message);
  std::printf("revoked API key %s (other servers refuse it within a minute)\n", which.c_str());
  return 0;
}

}  // namespace

int ApiKeyCommand(CommandContext& ctx) {
  const auto& w = ctx.positional;
  const std::string verb = w.empty() ? "" : w[0];
  std::set<std::string> allowed = {"data", "config"};
  size_t words = 1;
  if (verb == "create") {
    allowed.insert({"policy", "label", "qps"});
  } else if (verb == "revoke") {
    words = 2;
  } else if (verb != "list") {
    return Usage(verb.empty() ? "create, list or revoke?" : "unknown subcommand \"" + verb + "\"");
  }
  if (w.size() != words) {
    return Usage(w.size() < words ? "revoke needs the key's id or prefix" : "unexpected argument: " + w[words]);
  }
  for (const auto& [name, value] : ctx.flags) {
    if (!allowed.count(name)) return Usage("unknown option --" + name);
  }
  if (verb == "create") return Create(ctx);
  if (verb == "list") return List(ctx);
  return Revoke(ctx, w[1]);
}

}  // namespace tribune::app
