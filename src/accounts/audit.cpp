#include "accounts/audit.hpp"

#include <algorithm>

namespace tribune::accounts {

Status RecordAudit(storage::Session& s, IdGenerator& ids, int64_t now_micros, const AuditEntry& e) {
  TRIBUNE_TRY(s.Exec(
      "INSERT INTO moderation_audit (id, actor_id, action, target_type, target_id, before_json, after_json, note,"
      " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {ids.Next(), e.actor_id, e.action, e.target_type, e.target_id, e.before_json, e.after_json, e.note, now_micros}));
  return Ok{};
}

Result<std::vector<AuditRecord>> ListAudit(storage::Database& db, const AuditQuery& q) {
  const int64_t limit = std::clamp(q.limit, 1, 200);
  auto rows = db.Read(
      "SELECT id, actor_id, action, target_type, target_id, before_json, after_json, note, created_at"
      " FROM moderation_audit WHERE ($1 = '' OR target_type = $1) AND ($2 = 0 OR target_id = $2)"
      " AND ($3 = 0 OR actor_id = $3) AND id < $4 ORDER BY id DESC LIMIT $5",
      {q.target_type, q.target_id, q.actor_id, q.before_id.value_or(INT64_MAX), limit});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<AuditRecord> out;
  for (const auto& r : *rows) {
    out.push_back({r.Int(0), r.Int(8),
                   AuditEntry{r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5), r.Text(6), r.Text(7)}});
  }
  return out;
}

}  // namespace tribune::accounts
