// `tribune purge [--reapply]` and `tribune policy publish --file FILE`: the account lifecycle's jobs from
// the command line (cron, and after a backup was restored).
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/commands.hpp"
#include "app/maintenance.hpp"
#include "app/services.hpp"

namespace tribune::app {

int Purge(CommandContext& ctx) {
  auto services = BuildServices(ctx.config, ctx.data_dir);
  if (!services.ok()) {
    std::fprintf(stderr, "tribune: %s\n", services.error().message.c_str());
    return 1;
  }
  Services& s = **services;
  int code = 0;
  if (ctx.flags.count("reapply")) {
    auto again = s.accounts->ReapplyPurges();
    if (!again.ok()) {
      std::fprintf(stderr, "tribune: %s\n", again.error().message.c_str());
      code = 1;
    } else {
      std::printf("re-erased %d account(s) recorded as purged\n", *again);
    }
  }
  if (code == 0) {
    auto purged = s.accounts->PurgeDue();
    if (!purged.ok()) {
      std::fprintf(stderr, "tribune: %s\n", purged.error().message.c_str());
      code = 1;
    } else {
      std::printf("purged %d account(s) deleted more than %lld days ago\n", *purged,
                  static_cast<long long>(s.accounts->options().restore_seconds / 86400));
    }
  }
  s.db->Close();
  return code;
}

int PolicyPublish(CommandContext& ctx) {
  if (!ctx.flags.count("file")) {
    std::fprintf(stderr, "tribune: --file is required\n");
    return 2;
  }
  std::ifstream in(ctx.flags.at("file"), std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "tribune: cannot read %s\n", ctx.flags.at("file").c_str());
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto services = BuildServices(ctx.config, ctx.data_dir);
  if (!services.ok()) {
    std::fprintf(stderr, "tribune: %s\n", services.error().message.c_str());
    return 1;
  }
  auto policy = (*services)->accounts->PublishPolicy(text.str(), 0);
  (*services)->db->Close();
  if (!policy.ok()) {
    std::fprintf(stderr, "tribune: %s\n", policy.error().message.c_str());
    return 1;
  }
  std::printf("published privacy policy version %lld\n", static_cast<long long>(policy->version));
  return 0;
}

}  // namespace tribune::app
