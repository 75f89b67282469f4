// Sanctions (DESIGN.md D3): blocks with a rule and a note, appeals, and the final second block.
//
// A blocked reader can read and sign in, can file one appeal at a time, and nothing else: every other write
// answers 403 account_blocked with the block's rule and note (http/auth.cpp asks ActiveBlock). The first block
// can be lifted — by a moderator, or by restoring an appeal; the second block is final: it cannot be lifted and
// appeals against it answer 403. Every action is in the audit log (audit.hpp) and mailed to the reader through
// the outbox (account_blocked, account_unblocked, appeal_decided).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounts/audit.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "mail/mail.hpp"
#include "storage/database.hpp"

namespace tribune::accounts {

struct Block {
  int64_t id = 0;
  int64_t account_id = 0;
  int number = 0;  // 1, 2, ...
  std::string rule;
  std::string note;
  bool final = false;
  int64_t blocked_by = 0;
  int64_t created_at = 0;
  std::optional<int64_t> lifted_at;
};

struct Appeal {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string display_name;  // of the account, for the moderators' list
  int64_t block_id = 0;
  std::string block_rule;
  int block_number = 0;
  bool block_final = false;
  std::string subject;
  std::string explanation;
  std::string state;  // open | restored | denied
  int64_t created_at = 0;
  std::optional<int64_t> decided_at;
  int64_t decided_by = 0;
  std::string note;
};

// The fixed subject of an appeal (the specification's "restoration of account / unlock access").
inline constexpr const char* kAppealSubject = "restoration of account / unlock access";

struct SanctionOptions {
  size_t explanation_min = 50;   // characters (code points)
  size_t explanation_max = 5000;
  size_t note_max = 2000;
  std::string base_url = "http://127.0.0.1:8080";  // the appeal link in mails
  // Whether a rule id names a rule of the publisher's policy.
  std::function<bool(const std::string&)> is_rule;
};

class SanctionService {
 public:
  SanctionService(storage::Database& db, const Clock& clock, IdGenerator& ids, mail::Outbox* outbox,
                  SanctionOptions options);

  // Before serving only (not synchronised): the origin is known once the server listens.
  void SetBaseUrl(const std::string& url) { options_.base_url = url; }
  const SanctionOptions& options() const { return options_; }

  // Blocks an account: status 'blocked', the next block number, final from the second on; mails the reader;
  // audited. Errors: kBadRequest (unknown rule, note too long), kNotFound (no such live account), kConflict
  // (already blocked), kForbidden (a moderator may not block moderators or admins; only an admin may).
  Result<Block> BlockAccount(int64_t moderator_id, bool moderator_is_admin, int64_t account_id,
                             const std::string& rule, const std::string& note);
  // Lifts the account's active, non-final block; an open appeal against it is closed as restored; mails the
  // reader; audited. Errors: kBadRequest (note too long), kNotFound (no such live account, or not blocked),
  // kForbidden (the block is final).
  Status Unblock(int64_t moderator_id, int64_t account_id, const std::string& note);
  // The account's active block, if any.
  Result<std::optional<Block>> ActiveBlock(int64_t account_id);
  // Every block of the account, oldest first (the author's history in the queue, the export).
  Result<std::vector<Block>> Blocks(int64_t account_id);

  // A blocked reader's letter. `user_id` must be the reader's own id. Errors: kBadRequest (a field missing or
  // wrong: subject not the fixed one, explanation outside the bounds), kForbidden (not blocked, or the block is
  // final, or user_id is someone else's), kConflict (an appeal is already open).
  Result<Appeal> FileAppeal(int64_t account_id, const std::string& subject, int64_t user_id,
                            const std::string& explanation);
  // Oldest first; state "" = any. Keyset by id.
  // Errors: kBadRequest (state not "", open, restored or denied).
  Result<std::vector<Appeal>> ListAppeals(const std::string& state, std::optional<int64_t> after_id, int limit);
  // The account's own appeals, newest first (the blocked reader's page).
  Result<std::vector<Appeal>> AppealsOf(int64_t account_id);
  // Restore (lifts the block; the account is active again) or deny, with a note; mails the reader; audited.
  // Errors: kBadRequest (action), kNotFound, kConflict (already decided).
  Result<Appeal> DecideAppeal(int64_t moderator_id, int64_t appeal_id, const std::string& action,
                              const std::string& note);

 private:
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  mail::Outbox* outbox_;
  SanctionOptions options_;
};

}  // namespace tribune::accounts
