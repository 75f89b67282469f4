#include "discussion/behaviour_log.hpp"

#include <algorithm>

#include "common/random.hpp"

namespace tribune::discussion {

namespace behaviour = moderation::behaviour;

namespace {

moderation::Action ParseAction(const std::string& s) {
  if (s == "reject") return moderation::Action::kReject;
  if (s == "hold") return moderation::Action::kHold;
  return moderation::Action::kPublish;
}

std::vector<std::string> SplitRules(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> RulesOf(const moderation::Decision& decision) {
  std::vector<std::string> rules;
  for (const auto& f : decision.findings) {
    if (std::find(rules.begin(), rules.end(), f.rule) == rules.end()) rules.push_back(f.rule);
  }
  return rules;
}

Status AppendWindowEvent(storage::Session& s, const std::string& edition, int64_t event_id,
                         std::optional<int64_t> comment_id, const moderation::Decision& decision, int64_t now_us) {
  if (!decision.observation) return Ok{};
  std::string rules;
  for (const std::string& r : RulesOf(decision)) {
    if (!rules.empty()) rules += ',';
    rules += r;
  }
  const storage::Value cid = comment_id ? storage::Value(*comment_id) : storage::Value(nullptr);
  TRIBUNE_TRY(s.Exec(
      "INSERT INTO moderation_window (event_id, edition, comment_id, action, rules, observation, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {event_id, edition, cid, std::string(moderation::ActionName(decision.action)), rules,
       Base64UrlEncode(decision.observation->Serialize()), now_us}));
  return Ok{};
}

Status SaveStanding(storage::Session& s, const std::string& edition, int64_t account_id, double standing,
                    int64_t now_us) {
  TRIBUNE_TRY(s.Exec(
      "INSERT INTO account_standing (account_id, edition, standing, updated_at) VALUES ($1, $2, $3, $4)"
      " ON CONFLICT (account_id, edition) DO UPDATE SET standing = excluded.standing, updated_at = excluded.updated_at",
      {account_id, edition, standing, now_us}));
  return Ok{};
}

Status PruneWindow(storage::Session& s, const std::string& edition, int64_t before_us) {
  TRIBUNE_TRY(s.Exec("DELETE FROM moderation_window WHERE edition = $1 AND created_at < $2", {edition, before_us}));
  return Ok{};
}

bool ApplyWindowRow(behaviour::BehaviourState& monitor, int64_t event_id, const std::string& action,
                    const std::string& rules, const std::string& observation_b64, bool replay) {
  auto bytes = Base64UrlDecode(observation_b64);
  auto obs = bytes ? behaviour::Observation::Parse(*bytes) : std::nullopt;
  if (!obs) return false;
  monitor.Record(event_id, *obs, ParseAction(action), SplitRules(rules), replay);
  return true;
}

Result<int64_t> WindowSeq(storage::Database& db, const std::string& edition) {
  auto rows = db.Read("SELECT COALESCE(MAX(seq), 0) FROM moderation_window WHERE edition = $1", {edition});
  if (!rows.ok()) return std::move(rows).error();
  return (*rows)[0].Int(0);
}

Result<LoadStats> LoadBehaviour(storage::Database& db, behaviour::BehaviourState& monitor,
                                const std::string& edition, int64_t now_us, int64_t max_seq) {
  LoadStats stats;
  auto standings = db.Read("SELECT account_id, standing, updated_at FROM account_standing WHERE edition = $1",
                           {edition});
  if (!standings.ok()) return std::move(standings).error();
  for (const auto& r : *standings) {
    monitor.RestoreStanding(r.Int(0), r.Double(1), r.Int(2));
    ++stats.standings;
  }
  // In pages, so a window of millions of rows is never held as one result.
  const int64_t since = now_us - monitor.options().window_us;
  auto approved = db.Read(
      "SELECT cluster_id, decided_at FROM moderation_clusters WHERE edition = $1 AND action = 'approve' AND decided_at >= $2",
      {edition, since});
  if (!approved.ok()) return std::move(approved).error();
  // Room for the window that is coming back plus a day's growth like it, so replaying and the first hours
  // of posting pay no table rebuilds.
  auto count = db.Read("SELECT COUNT(*) FROM moderation_window WHERE edition = $1 AND created_at >= $2", {edition, since});
  if (!count.ok()) return std::move(count).error();
  if (const int64_t n = (*count)[0].Int(0); n > 0) monitor.Reserve(static_cast<size_t>(n) * 2);
  int64_t after = 0;
  for (;;) {
    auto rows = db.Read(
        "SELECT event_id, action, rules, observation FROM moderation_window"
        " WHERE edition = $1 AND created_at >= $2 AND event_id > $3 AND (seq IS NULL OR seq <= $4)"
        " ORDER BY event_id LIMIT 10000",
        {edition, since, after, max_seq});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) break;
    for (const auto& r : *rows) {
      after = r.Int(0);
      if (!ApplyWindowRow(monitor, after, r.Text(1), r.Text(2), r.Text(3), /*replay=*/true)) {
        ++stats.skipped;
        continue;
      }
      ++stats.events;
    }
  }
  for (const auto& r : *approved) monitor.ApproveCluster(r.Int(0), r.Int(1));
  return stats;
}

}  // namespace tribune::discussion
