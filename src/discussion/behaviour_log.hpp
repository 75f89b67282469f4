// The behaviour monitor's event log: every attempt to post (published, held or rejected) is written to
// table moderation_window in the same transaction as the comment or the rejection, and each account's
// standing to account_standing. At start-up LoadBehaviour restores the standings and replays the window
// into the monitor in event order, so a restart loses no window. Servers sharing a PostgreSQL database apply
// each other's rows the same way as they are committed (CommentService::CatchUpWindow): the log, not the
// memory, is the source of truth.
#pragma once

#include <limits>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "moderation/behaviour/monitor.hpp"
#include "moderation/engine.hpp"
#include "storage/database.hpp"

namespace tribune::discussion {

// The rules of a decision's findings, in order, without repeats.
std::vector<std::string> RulesOf(const moderation::Decision& decision);

// Appends one attempt to the log (no-op when the decision carries no observation).
Status AppendWindowEvent(storage::Session& s, const std::string& edition, int64_t event_id,
                         std::optional<int64_t> comment_id, const moderation::Decision& decision, int64_t now_us);

// Writes an account's standing as of now (after the change the caller is about to apply).
Status SaveStanding(storage::Session& s, const std::string& edition, int64_t account_id, double standing,
                    int64_t now_us);

// Deletes log rows that fell out of the window.
Status PruneWindow(storage::Session& s, const std::string& edition, int64_t before_us);

struct LoadStats {
  int64_t events = 0;
  int64_t skipped = 0;  // rows whose observation did not parse (written by an incompatible version)
  int64_t standings = 0;
};

// Restores standings and replays the window (rows newer than now - window) into `monitor`; with `max_seq`,
// only the rows committed up to that moderation_window.seq (and those without one).
Result<LoadStats> LoadBehaviour(storage::Database& db, moderation::behaviour::BehaviourState& monitor,
                                const std::string& edition, int64_t now_us,
                                int64_t max_seq = std::numeric_limits<int64_t>::max());
// The highest moderation_window.seq of the edition (0 when none: SQLite leaves it empty).
Result<int64_t> WindowSeq(storage::Database& db, const std::string& edition);
// One row of moderation_window into `monitor` (a replay or another server's event); false when unreadable.
bool ApplyWindowRow(moderation::behaviour::BehaviourState& monitor, int64_t event_id, const std::string& action,
                    const std::string& rules, const std::string& observation_b64, bool replay);

}  // namespace tribune::discussion
