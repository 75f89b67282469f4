// Everything a running Tribune holds, built from a Config in dependency order.
#pragma once

#include <memory>
#include <string>

#include "accounts/accounts.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/ids.hpp"
#include "discussion/discussion.hpp"
#include "moderation/engine.hpp"
#include "news/news.hpp"
#include "storage/database.hpp"

namespace tribune::app {

struct Services {
  Config config;
  SystemClock clock;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<accounts::PasswordHasher> hasher;
  std::unique_ptr<accounts::AccountService> accounts;
  std::unique_ptr<news::ArticleService> articles;
  std::unique_ptr<moderation::Engine> engine;
  std::unique_ptr<discussion::CommentService> comments;
};

// The moderation engine that config `moderation.engine` names. Errors: kBadRequest, kUnavailable.
Result<std::unique_ptr<moderation::Engine>> BuildEngine(const Config& config, const std::string& data_dir);

// Opens the database under `data_dir` (or storage.url) and builds the services.
// Errors: kUnavailable (database), kBadRequest (configuration).
Result<std::unique_ptr<Services>> BuildServices(Config config, const std::string& data_dir);

}  // namespace tribune::app
