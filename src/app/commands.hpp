// The subcommands of the tribune executable. Each returns the process exit code.
#pragma once

#include <map>
#include <string>

#include "common/config.hpp"

namespace tribune::app {

struct CommandContext {
  Config config;
  std::string data_dir;
  std::map<std::string, std::string> flags;
};

int Serve(CommandContext& ctx);
int AdminCreate(CommandContext& ctx);
int TokenCreate(CommandContext& ctx);
int DemoSeed(CommandContext& ctx);

}  // namespace tribune::app
