// Outbox::Enqueue: render now, store in the caller's transaction, de-duplicate by Message-ID.
#include <string>

#include "common/random.hpp"
#include "mail/mail.hpp"

namespace tribune::mail {

Outbox::Outbox(const Clock& clock, IdGenerator& ids, Identity identity)
    : clock_(clock), ids_(ids), identity_(std::move(identity)) {}

Status Outbox::Enqueue(storage::Session& session, const Mail& mail) {
  const std::string& domain = identity_.message_id_domain;
  if (domain.empty() || domain.find_first_of(std::string_view("\r\n\0<>@ ", 7)) != std::string::npos) {
    return MakeError(ErrorCode::kBadRequest, "mail: invalid message_id_domain");
  }
  std::string message_id =
      mail.dedup_key.empty() ? "<" + std::to_string(ids_.Next()) + "." + RandomToken(12) + "@" + domain + ">"
                             : internal::DerivedMessageId(mail.kind, mail.dedup_key, domain);
  int64_t now = clock_.NowMicros();
  TRIBUNE_ASSIGN(Rendered rendered, Render(mail, identity_, message_id, now));
  storage::Value account = mail.account_id == 0 ? storage::Value(nullptr) : storage::Value(mail.account_id);
  TRIBUNE_TRY(session.Exec(
      "INSERT INTO mail_outbox (message_id, account_id, kind, recipient, message, state, attempts, "
      "next_attempt_at, last_error, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, '', $6) "
      "ON CONFLICT (message_id) DO NOTHING",
      {rendered.message_id, account, mail.kind, mail.to, rendered.message, now}));
  return {};
}

}  // namespace tribune::mail
