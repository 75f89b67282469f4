// Persistence of the per-edition online models (moderation/learned/online_model.hpp) in the database:
// table learned_models (migrations/sqlite/0002_learning.sql), one row per edition holding the model's
// Serialize() bytes in base64url. Here, not in moderation/, because moderation must not depend on storage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "moderation/learned/online_model.hpp"
#include "storage/database.hpp"

namespace tribune::app {

// The stored model of `edition`, or a new empty model when there is none. Errors: kUnavailable (database,
// or stored bytes that do not parse: the message names the edition and the problem).
Result<std::shared_ptr<moderation::learned::OnlineModel>> LoadModel(storage::Database& db, const std::string& edition,
                                                                    uint64_t min_examples = 50);

// Inserts or replaces the model of `edition`; `now_us` is stored as updated_at.
Status SaveModel(storage::Database& db, const std::string& edition, const moderation::learned::OnlineModel& model,
                 int64_t now_us);

}  // namespace tribune::app
