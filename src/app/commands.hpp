// The subcommands of the tribune executable. Each returns the process exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/config.hpp"

namespace tribune::app {

struct CommandContext {
  Config config;
  std::string data_dir;
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;  // words that are not --flags (e.g. the text of `moderate`)
};

int Serve(CommandContext& ctx);
int AdminCreate(CommandContext& ctx);
int TokenCreate(CommandContext& ctx);
int DemoSeed(CommandContext& ctx);
int Moderate(CommandContext& ctx);
int ModelCommand(CommandContext& ctx);
int Purge(CommandContext& ctx);          // `purge [--reapply]`
int Migrate(CommandContext& ctx);        // `migrate --from sqlite:PATH --to postgresql://…`
int PolicyPublish(CommandContext& ctx);  // `policy publish --file FILE`  // `model train|stats`: the subcommand is positional.front()
int PanelCommand(CommandContext& ctx);   // `panel import jhu-csse DIR | enable NAME | disable NAME | list`
int ImportCommand(CommandContext& ctx);  // `import rss|disqus|wxr FILE|URL`: positional = {kind, FILE|URL}
int ApiKeyCommand(CommandContext& ctx);  // `apikey create|list|revoke ID|PREFIX`: positional = {verb[, ID|PREFIX]}

}  // namespace tribune::app
