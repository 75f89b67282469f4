// Blocks, their lifting, and appeals (sanctions.hpp). Every change is one write transaction holding the
// change, its audit entry and its mail, so none of the three exists without the others.
#include "accounts/sanctions.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "text/utf8.hpp"

namespace tribune::accounts {

namespace json = boost::json;

namespace {

constexpr size_t kRuleMax = 64;

// What a sanction needs to know of its target.
struct Target {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  std::string status;
  std::string language;
  bool confirmed = false;
  bool privileged = false;  // moderator or admin
};

Result<Target> LoadTarget(storage::Session& s, int64_t id) {
  auto rows = s.Query(
      "SELECT id, email, display_name, status, language, confirmed_at IS NOT NULL,"
      " EXISTS (SELECT 1 FROM account_roles r WHERE r.account_id = accounts.id AND r.role IN ('moderator', "
      "'admin'))"
      " FROM accounts WHERE id = $1",
      {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such account.");
  const auto& r = (*rows)[0];
  Target t{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5) != 0, r.Int(6) != 0};
  if (t.status == "deleted" || t.status == "purged")
    return MakeError(ErrorCode::kNotFound, "No such account.");
  return t;
}

// The status an account returns to when its block is lifted.
std::string UnblockedStatus(const Target& t) { return t.confirmed ? "active" : "unconfirmed"; }

constexpr const char* kBlockColumns =
    "id, account_id, number, rule, note, final, blocked_by, created_at, lifted_at";

Block BlockFromRow(const storage::Row& r) {
  Block b;
  b.id = r.Int(0);
  b.account_id = r.Int(1);
  b.number = static_cast<int>(r.Int(2));
  b.rule = r.Text(3);
  b.note = r.Text(4);
  b.final = r.Int(5) != 0;
  b.blocked_by = r.Int(6);
  b.created_at = r.Int(7);
  b.lifted_at = r.OptInt(8);
  return b;
}

Result<std::optional<Block>> ActiveBlockIn(storage::Session& s, int64_t account_id) {
  auto rows = s.Query(
      std::string("SELECT ") + kBlockColumns +
          " FROM account_blocks WHERE account_id = $1 AND lifted_at IS NULL ORDER BY number DESC LIMIT 1",
      {account_id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<Block>{};
  return std::optional<Block>(BlockFromRow((*rows)[0]));
}

constexpr const char* kAppealSelect =
    "SELECT a.id, a.account_id, COALESCE(acc.display_name, ''), a.block_id, COALESCE(b.rule, ''),"
    " COALESCE(b.number, 0), COALESCE(b.final, 0), a.subject, a.explanation, a.state, a.created_at, "
    "a.decided_at,"
    " COALESCE(a.decided_by, 0), a.note"
    " FROM appeals a LEFT JOIN accounts acc ON acc.id = a.account_id LEFT JOIN account_blocks b ON b.id = "
    "a.block_id";

Appeal AppealFromRow(const storage::Row& r) {
  Appeal a;
  a.id = r.Int(0);
  a.account_id = r.Int(1);
  a.display_name = r.Text(2);
  a.block_id = r.Int(3);
  a.block_rule = r.Text(4);
  a.block_number = static_cast<int>(r.Int(5));
  a.block_final = r.Int(6) != 0;
  a.subject = r.Text(7);
  a.explanation = r.Text(8);
  a.state = r.Text(9);
  a.created_at = r.Int(10);
  a.decided_at = r.OptInt(11);
  a.decided_by = r.Int(12);
  a.note = r.Text(13);
  return a;
}

Result<Appeal> LoadAppeal(storage::Session& s, int64_t id) {
  auto rows = s.Query(std::string(kAppealSelect) + " WHERE a.id = $1", {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such appeal.");
  return AppealFromRow((*rows)[0]);
}

// A moderator's note: valid UTF-8, at most `max` characters.
Status CheckNote(const std::string& note, size_t max) {
  if (!text::IsValidUtf8(note)) return MakeError(ErrorCode::kBadRequest, "note must be valid UTF-8.");
  if (text::CountCodePoints(note) > max) {
    return MakeError(ErrorCode::kBadRequest, "note must be at most " + std::to_string(max) + " characters.");
  }
  return Ok{};
}

std::string Trim(const std::string& s) {
  constexpr const char* kSpace = " \t\n\v\f\r";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string Serialize(json::object o) { return json::serialize(o); }

}  // namespace

SanctionService::SanctionService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                 mail::Outbox* outbox, SanctionOptions options)
    : db_(db), clock_(clock), ids_(ids), outbox_(outbox), options_(std::move(options)) {}

namespace {

Status SendMail(mail::Outbox* outbox, storage::Session& s, const Target& to, const char* kind,
                std::map<std::string, std::string> vars) {
  if (outbox == nullptr) return Ok{};
  vars.emplace("display_name", to.display_name);
  mail::Mail m;
  m.to = to.email;
  m.kind = kind;
  m.language = to.language.empty() ? "en" : to.language;
  m.vars = std::move(vars);
  m.account_id = to.id;
  return outbox->Enqueue(s, m);
}

// Lifts `block` of `target` inside the caller's transaction: the block gets its lift, the account its status
// back (a deleted account keeps its deletion), and an open appeal against the block is closed.
Status LiftBlock(storage::Session& s, int64_t now, int64_t moderator_id, const Target& target,
                 const Block& block, const std::string& note, const char* appeal_state) {
  TRIBUNE_TRY(s.Exec("UPDATE account_blocks SET lifted_at = $2, lifted_by = $3, lift_note = $4 WHERE id = $1",
                     {block.id, now, moderator_id, note}));
  TRIBUNE_TRY(s.Exec("UPDATE accounts SET status = $2 WHERE id = $1 AND status = 'blocked'",
                     {target.id, UnblockedStatus(target)}));
  TRIBUNE_TRY(
      s.Exec("UPDATE appeals SET state = $2, decided_at = $3, decided_by = $4, note = $5 WHERE block_id = $1 "
             "AND state = 'open'",
             {block.id, std::string(appeal_state), now, moderator_id, note}));
  return Ok{};
}

}  // namespace

Result<Block> SanctionService::BlockAccount(int64_t moderator_id, bool moderator_is_admin, int64_t account_id,
                                            const std::string& rule, const std::string& note) {
  if (rule.empty() || rule.size() > kRuleMax || (options_.is_rule && !options_.is_rule(rule))) {
    return MakeError(ErrorCode::kBadRequest, "rule must name a rule of the community standards.");
  }
  TRIBUNE_TRY(CheckNote(note, options_.note_max));
  const int64_t now = clock_.NowMicros();
  Block block;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto target, LoadTarget(s, account_id));
    if (target.id == moderator_id)
      return MakeError(ErrorCode::kForbidden, "You cannot block your own account.");
    if (target.privileged && !moderator_is_admin) {
      return MakeError(ErrorCode::kForbidden, "Only an admin may block a moderator or an admin.");
    }
    if (target.status == "blocked")
      return MakeError(ErrorCode::kConflict, "This account is already blocked.");
    auto count = s.Query("SELECT COUNT(*) FROM account_blocks WHERE account_id = $1", {account_id});
    if (!count.ok()) return std::move(count).error();
    block.id = ids_.Next();
    block.account_id = account_id;
    block.number = static_cast<int>((*count)[0].Int(0)) + 1;
    block.rule = rule;
    block.note = note;
    block.final = block.number >= 2;
    block.blocked_by = moderator_id;
    block.created_at = now;
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO account_blocks (id, account_id, number, rule, note, final, blocked_by, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {block.id, account_id, static_cast<int64_t>(block.number), rule, note,
         static_cast<int64_t>(block.final), moderator_id, now}));
    TRIBUNE_TRY(s.Exec("UPDATE accounts SET status = 'blocked' WHERE id = $1", {account_id}));
    TRIBUNE_TRY(RecordAudit(
        s, ids_, now,
        AuditEntry{
            moderator_id, "account.block", "account", account_id, Serialize({{"status", target.status}}),
            Serialize(
                {{"status", "blocked"}, {"block", block.number}, {"final", block.final}, {"rule", rule}}),
            note}));
    return SendMail(outbox_, s, target, "account_blocked",
                    {{"rule", rule},
                     {"note", note},
                     {"final", block.final ? "true" : "false"},
                     {"appeal_link", options_.base_url + "/appeal"}});
  }));
  return block;
}

Status SanctionService::Unblock(int64_t moderator_id, int64_t account_id, const std::string& note) {
  TRIBUNE_TRY(CheckNote(note, options_.note_max));
  const int64_t now = clock_.NowMicros();
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto target, LoadTarget(s, account_id));
    TRIBUNE_ASSIGN(auto active, ActiveBlockIn(s, account_id));
    if (!active) return MakeError(ErrorCode::kNotFound, "This account is not blocked.");
    if (active->final)
      return MakeError(ErrorCode::kForbidden, "A second block is final: it cannot be lifted.");
    TRIBUNE_TRY(LiftBlock(s, now, moderator_id, target, *active, note, "restored"));
    TRIBUNE_TRY(RecordAudit(s, ids_, now,
                            AuditEntry{moderator_id, "account.unblock", "account", account_id,
                                       Serialize({{"status", target.status}, {"block", active->number}}),
                                       Serialize({{"status", UnblockedStatus(target)}}), note}));
    return SendMail(outbox_, s, target, "account_unblocked", {});
  });
}

Result<std::optional<Block>> SanctionService::ActiveBlock(int64_t account_id) {
  Result<std::optional<Block>> out = std::optional<Block>{};
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    out = ActiveBlockIn(s, account_id);
    return Ok{};
  }));
  return out;
}

Result<std::vector<Block>> SanctionService::Blocks(int64_t account_id) {
  auto rows = db_.Read(
      std::string("SELECT ") + kBlockColumns + " FROM account_blocks WHERE account_id = $1 ORDER BY number",
      {account_id});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Block> out;
  for (const auto& r : *rows) out.push_back(BlockFromRow(r));
  return out;
}

Result<Appeal> SanctionService::FileAppeal(int64_t account_id, const std::string& subject, int64_t user_id,
                                           const std::string& raw_explanation) {
  if (subject != kAppealSubject) {
    return MakeError(ErrorCode::kBadRequest, std::string("subject must be \"") + kAppealSubject + "\".");
  }
  const std::string explanation = Trim(raw_explanation);
  if (!text::IsValidUtf8(explanation) || text::HasForbiddenControls(explanation)) {
    return MakeError(ErrorCode::kBadRequest, "explanation must be plain text.");
  }
  const size_t length = text::CountCodePoints(explanation);
  if (length < options_.explanation_min || length > options_.explanation_max) {
    return MakeError(ErrorCode::kBadRequest,
                     "explanation must be " + std::to_string(options_.explanation_min) + " to " +
                         std::to_string(options_.explanation_max) + " characters: tell us what happened.");
  }
  const int64_t now = clock_.NowMicros();
  int64_t id = 0;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto active, ActiveBlockIn(s, account_id));
    if (!active) return MakeError(ErrorCode::kForbidden, "Your account is not blocked.");
    if (active->final)
      return MakeError(ErrorCode::kForbidden, "A second block is final: it cannot be appealed.");
    if (user_id != account_id) return MakeError(ErrorCode::kForbidden, "user_id must be your own user ID.");
    auto open =
        s.Query("SELECT COUNT(*) FROM appeals WHERE account_id = $1 AND state = 'open'", {account_id});
    if (!open.ok()) return std::move(open).error();
    if ((*open)[0].Int(0) > 0)
      return MakeError(ErrorCode::kConflict, "Your appeal is already waiting for a moderator.");
    id = ids_.Next();
    TRIBUNE_TRY(
        s.Exec("INSERT INTO appeals (id, account_id, block_id, subject, explanation, state, created_at)"
               " VALUES ($1, $2, $3, $4, $5, 'open', $6)",
               {id, account_id, active->id, subject, explanation, now}));
    return Ok{};
  }));
  Result<Appeal> out = MakeError(ErrorCode::kInternal, "unset");
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    out = LoadAppeal(s, id);
    return Ok{};
  }));
  return out;
}

Result<std::vector<Appeal>> SanctionService::ListAppeals(const std::string& state,
                                                         std::optional<int64_t> after_id, int limit) {
  if (!state.empty() && state != "open" && state != "restored" && state != "denied") {
    return MakeError(ErrorCode::kBadRequest, "state must be open, restored or denied.");
  }
  const int64_t n = std::clamp(limit, 1, 200);
  auto rows = db_.Read(
      std::string(kAppealSelect) + " WHERE ($1 = '' OR a.state = $1) AND a.id > $2 ORDER BY a.id LIMIT $3",
      {state, after_id.value_or(0), n});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Appeal> out;
  for (const auto& r : *rows) out.push_back(AppealFromRow(r));
  return out;
}

Result<std::vector<Appeal>> SanctionService::AppealsOf(int64_t account_id) {
  auto rows = db_.Read(std::string(kAppealSelect) + " WHERE a.account_id = $1 ORDER BY a.id DESC LIMIT 200",
                       {account_id});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Appeal> out;
  for (const auto& r : *rows) out.push_back(AppealFromRow(r));
  return out;
}

Result<Appeal> SanctionService::DecideAppeal(int64_t moderator_id, int64_t appeal_id,
                                             const std::string& action, const std::string& note) {
  if (action != "restore" && action != "deny") {
    return MakeError(ErrorCode::kBadRequest, "action must be \"restore\" or \"deny\".");
  }
  TRIBUNE_TRY(CheckNote(note, options_.note_max));
  const int64_t now = clock_.NowMicros();
  const bool restore = action == "restore";
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto appeal, LoadAppeal(s, appeal_id));
    if (appeal.state != "open") return MakeError(ErrorCode::kConflict, "This appeal was already decided.");
    TRIBUNE_ASSIGN(auto target, LoadTarget(s, appeal.account_id));
    const std::string appeal_id_text = std::to_string(appeal_id);
    json::object before{{"appeal_id", appeal_id_text}, {"appeal", "open"}};
    json::object after{{"appeal_id", appeal_id_text}, {"appeal", restore ? "restored" : "denied"}};
    if (restore) {
      auto rows = s.Query(std::string("SELECT ") + kBlockColumns + " FROM account_blocks WHERE id = $1",
                          {appeal.block_id});
      if (!rows.ok()) return std::move(rows).error();
      if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such block.");
      const Block block = BlockFromRow((*rows)[0]);
      if (block.final)
        return MakeError(ErrorCode::kForbidden, "A second block is final: it cannot be lifted.");
      if (block.lifted_at) return MakeError(ErrorCode::kConflict, "This block was already lifted.");
      TRIBUNE_TRY(LiftBlock(s, now, moderator_id, target, block, note, "restored"));
      before["status"] = target.status;
      after["status"] = UnblockedStatus(target);
    } else {
      TRIBUNE_TRY(s.Exec(
          "UPDATE appeals SET state = 'denied', decided_at = $2, decided_by = $3, note = $4 WHERE id = $1",
          {appeal_id, now, moderator_id, note}));
    }
    TRIBUNE_TRY(RecordAudit(
        s, ids_, now,
        AuditEntry{moderator_id, restore ? "appeal.restore" : "appeal.deny", "account", appeal.account_id,
                   Serialize(std::move(before)), Serialize(std::move(after)), note}));
    return SendMail(outbox_, s, target, "appeal_decided",
                    {{"outcome", restore ? "restored" : "denied"}, {"note", note}});
  }));
  Result<Appeal> out = MakeError(ErrorCode::kInternal, "unset");
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    out = LoadAppeal(s, appeal_id);
    return Ok{};
  }));
  return out;
}

}  // namespace tribune::accounts
