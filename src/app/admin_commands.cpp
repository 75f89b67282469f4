#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "app/commands.hpp"
#include "app/services.hpp"

namespace tribune::app {

namespace {

std::string ReadPasswordFromStdin() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool Require(const CommandContext& ctx, const char* flag) {
  if (ctx.flags.count(flag)) return true;
  std::fprintf(stderr, "tribune: --%s is required\n", flag);
  return false;
}

}  // namespace

int AdminCreate(CommandContext& ctx) {
  if (!Require(ctx, "email") || !Require(ctx, "role")) return 2;
  if (isatty(STDIN_FILENO)) std::fprintf(stderr, "password: ");
  const std::string password = ReadPasswordFromStdin();
  auto services = BuildServices(ctx.config, ctx.data_dir);
  if (!services.ok()) {
    std::fprintf(stderr, "tribune: %s\n", services.error().message.c_str());
    return 1;
  }
  const std::string email = ctx.flags.at("email");
  const std::string name = ctx.flags.count("name") ? ctx.flags.at("name") : email.substr(0, email.find('@'));
  auto account = (*services)->accounts->EnsureAccountWithRole(email, password, name, ctx.flags.at("role"));
  (*services)->db->Close();
  if (!account.ok()) {
    std::fprintf(stderr, "tribune: %s\n", account.error().message.c_str());
    return 1;
  }
  std::string roles;
  for (const auto& r : account->roles) roles += (roles.empty() ? "" : ",") + r;
  std::printf("account %lld %s roles=%s\n", static_cast<long long>(account->id), account->email.c_str(), roles.c_str());
  return 0;
}

int TokenCreate(CommandContext& ctx) {
  if (!Require(ctx, "email")) return 2;
  auto services = BuildServices(ctx.config, ctx.data_dir);
  if (!services.ok()) {
    std::fprintf(stderr, "tribune: %s\n", services.error().message.c_str());
    return 1;
  }
  auto& s = **services;
  auto normalised = accounts::NormaliseEmail(ctx.flags.at("email"));
  auto account = normalised.ok() ? s.accounts->FindByEmail(*normalised) : Result<std::optional<accounts::Account>>(normalised.error());
  if (!account.ok() || !account->has_value()) {
    std::fprintf(stderr, "tribune: no account with that e-mail address\n");
    return 1;
  }
  auto token = s.accounts->CreateApiToken((*account)->id, ctx.flags.count("label") ? ctx.flags.at("label") : "");
  s.db->Close();
  if (!token.ok()) {
    std::fprintf(stderr, "tribune: %s\n", token.error().message.c_str());
    return 1;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}

}  // namespace tribune::app
