// Privacy-policy versions (A5) and the append-only consent log.
#include "accounts/accounts.hpp"
#include "common/log.hpp"
#include "text/utf8.hpp"

namespace tribune::accounts {

namespace {
constexpr size_t kMaxPolicyBytes = 200 * 1024;
}  // namespace

Status AccountService::InitPolicy(const std::string& initial_text) {
  auto rows = db_.Read("SELECT MAX(version) FROM privacy_policies");
  if (!rows.ok()) return std::move(rows).error();
  if (!(*rows)[0].IsNull(0)) {
    policy_version_ = (*rows)[0].Int(0);
    return Ok{};
  }
  auto published = PublishPolicy(initial_text, 0);
  if (!published.ok()) return std::move(published).error();
  return Ok{};
}

Result<PrivacyPolicy> AccountService::CurrentPolicy() {
  auto rows = db_.Read("SELECT version, published_at, text FROM privacy_policies ORDER BY version DESC LIMIT 1");
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No privacy policy has been published.");
  const auto& r = (*rows)[0];
  return PrivacyPolicy{r.Int(0), r.Int(1), r.Text(2)};
}

Result<PrivacyPolicy> AccountService::PublishPolicy(const std::string& text, int64_t admin_id) {
  if (text.empty() || text.size() > kMaxPolicyBytes || !text::IsValidUtf8(text) ||
      text.find('\0') != std::string::npos) {
    return MakeError(ErrorCode::kBadRequest, "The policy text must be 1 byte to 200 KB of UTF-8.");
  }
  PrivacyPolicy policy{0, clock_.NowMicros(), text};
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    auto rows = s.Query("SELECT COALESCE(MAX(version), 0) FROM privacy_policies");
    if (!rows.ok()) return std::move(rows).error();
    policy.version = (*rows)[0].Int(0) + 1;
    storage::Value by = admin_id > 0 ? storage::Value(admin_id) : storage::Value(nullptr);
    TRIBUNE_TRY(s.Exec("INSERT INTO privacy_policies (version, text, published_at, published_by) VALUES ($1, $2, $3, $4)",
                       {policy.version, text, policy.published_at, by}));
    return Ok{};
  }));
  NotePolicyVersion(policy.version);
  // The other servers (and, for `tribune policy publish`, the running ones) ask readers to consent again.
  if (Status st = db_.Notify(kPolicyChannel, std::to_string(policy.version)); !st.ok()) {
    log::Warn("policy: notify failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
  }
  return policy;
}

void AccountService::NotePolicyVersion(int64_t version) {
  // Versions only grow; a concurrent publisher may have raised it further already.
  int64_t seen = policy_version_.load();
  while (seen < version && !policy_version_.compare_exchange_weak(seen, version)) {
  }
}

Status AccountService::RecordConsent(int64_t account_id, int64_t version) {
  // Another server may have published since this one cached the version: ask the database.
  auto current = CurrentPolicy();
  if (!current.ok()) return std::move(current).error();
  if (version != current->version) {
    return MakeError(ErrorCode::kConflict, "The privacy policy has changed again: read version " +
                                               std::to_string(current->version) + " and accept that one.");
  }
  NotePolicyVersion(current->version);
  const int64_t now = clock_.NowMicros();
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO consent_log (id, account_id, document, version, method, created_at)"
                       " VALUES ($1, $2, 'privacy_policy', $3, 'prompt', $4)",
                       {ids_.Next(), account_id, version, now}));
    TRIBUNE_TRY(s.Exec("UPDATE accounts SET consent_version = $2 WHERE id = $1 AND consent_version < $2",
                       {account_id, version}));
    return Ok{};
  });
}

}  // namespace tribune::accounts
