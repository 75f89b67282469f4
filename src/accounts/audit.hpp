// The moderation audit log: every moderator and admin action — who, when, what, the state before and after —
// appended in the same transaction as the action. Nobody edits it (table triggers refuse); admins read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::accounts {

struct AuditEntry {
  int64_t actor_id = 0;
  std::string action;       // "comment.approve", "comment.reject", "comment.edit", "account.block", "account.unblock",
                            // "account.delete", "appeal.restore", "appeal.deny", "cluster.reject", "reports.dismiss", ...
  std::string target_type;  // comment | account | appeal | cluster
  int64_t target_id = 0;
  std::string before_json = "{}";  // a JSON object: the fields the action changed, as they were
  std::string after_json = "{}";   // ... and as they are now
  std::string note;
};

struct AuditRecord {
  int64_t id = 0;
  int64_t created_at = 0;
  AuditEntry entry;
};

// Appends an entry inside the caller's write transaction.
Status RecordAudit(storage::Session& s, IdGenerator& ids, int64_t now_micros, const AuditEntry& entry);

struct AuditQuery {
  std::string target_type;      // "" = any
  int64_t target_id = 0;        // 0 = any
  int64_t actor_id = 0;         // 0 = any
  std::optional<int64_t> before_id;  // keyset cursor: entries older than this id
  int limit = 50;
};

// Newest first. Errors: storage errors.
Result<std::vector<AuditRecord>> ListAudit(storage::Database& db, const AuditQuery& query);

}  // namespace tribune::accounts
