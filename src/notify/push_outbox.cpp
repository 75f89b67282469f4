// PushOutbox::Enqueue: one message row, one delivery row per matching subscription, in the caller's transaction.
#include <boost/json.hpp>

#include "notify/push.hpp"

namespace tribune::notify {

namespace {

constexpr size_t kMaxBodyBytes = 600;   // what a notification shows is a few lines anyway
constexpr size_t kMaxTitleBytes = 200;
constexpr int64_t kMaxTtl = 28LL * 86'400;

// The longest prefix of `text` of at most `max` bytes that ends on a UTF-8 character boundary, with "…" when cut.
// Control characters become spaces first: a notification shows one line of text anyway, and JSON would spell each
// as six bytes ("\u0001"), so that the clipped text could outgrow the record.
std::string Clip(std::string_view text, size_t max) {
  std::string flat(text.substr(0, std::min(text.size(), max + 4)));
  for (char& c : flat) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (text.size() <= max) return flat;
  size_t end = max - 3;
  while (end > 0 && (static_cast<unsigned char>(flat[end]) & 0xC0) == 0x80) --end;
  return flat.substr(0, end) + "\xE2\x80\xA6";
}

bool ValidTopic(std::string_view topic) {
  if (topic.size() > 32) return false;
  for (char c : topic) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string PayloadJson(const PushMessage& message) {
  boost::json::object o{{"title", Clip(message.title, kMaxTitleBytes)},
                        {"body", Clip(message.body, kMaxBodyBytes)},
                        {"url", message.url},
                        {"tag", message.tag.empty() ? message.key : message.tag}};
  return boost::json::serialize(o);
}

namespace {

// "FROM push_topics t … WHERE …": the subscriptions `audience` names, its values appended to `params` (numbered after
// what is there already). One place for the fan-out and the probe before it.
std::string AudienceFrom(const Audience& audience, storage::Params& params) {
  std::string sql = "FROM push_topics t";
  if (audience.account_id || audience.except_account) sql += " JOIN push_subscriptions s ON s.id = t.subscription_id";
  params.push_back(audience.topic);
  sql += " WHERE t.topic = $" + std::to_string(params.size());
  if (audience.account_id) {
    params.push_back(*audience.account_id);
    sql += " AND s.account_id = $" + std::to_string(params.size());
  }
  if (audience.except_account) {
    params.push_back(*audience.except_account);
    sql += " AND (s.account_id IS NULL OR s.account_id <> $" + std::to_string(params.size()) + ")";
  }
  return sql;
}

}  // namespace

Result<Enqueued> PushOutbox::Enqueue(storage::Session& session, const PushMessage& message, const Audience& audience) {
  if (message.key.empty() || message.key.size() > 200) {
    return MakeError(ErrorCode::kBadRequest, "push: a message needs a key of at most 200 bytes.");
  }
  if (message.urgency != "very-low" && message.urgency != "low" && message.urgency != "normal" &&
      message.urgency != "high") {
    return MakeError(ErrorCode::kBadRequest, "push: urgency must be very-low, low, normal or high.");
  }
  if (!ValidTopic(message.topic)) {
    return MakeError(ErrorCode::kBadRequest, "push: a topic is at most 32 characters of the base64url alphabet.");
  }
  if (message.ttl_seconds < 0 || message.ttl_seconds > kMaxTtl) {
    return MakeError(ErrorCode::kBadRequest, "push: ttl must be from 0 to 28 days.");
  }
  if (audience.topic.empty()) return MakeError(ErrorCode::kBadRequest, "push: an audience needs a topic.");
  const std::string payload = PayloadJson(message);
  if (payload.size() > kMaxPushPlaintext) {
    return MakeError(ErrorCode::kBadRequest, "push: the message does not fit one encrypted record (" +
                                                 std::to_string(payload.size()) + " bytes).");
  }
  const int64_t now = clock_.NowMicros();
  const int64_t due = std::max(now, message.deliver_at);
  if (!audience.keep_when_empty) {
    // Most replies and comments reach nobody's device: one read then, not an insert, a fan-out and a delete
    // on the writer (on PostgreSQL each is a round trip under the cluster-wide write lock).
    storage::Params probe_params;
    const std::string from = AudienceFrom(audience, probe_params);
    TRIBUNE_ASSIGN(storage::Rows anyone, session.Query("SELECT 1 " + from + " LIMIT 1", probe_params));
    if (anyone.empty()) return Enqueued{};
  }
  int64_t id = ids_.Next();
  TRIBUNE_ASSIGN(int64_t stored,
                 session.Exec("INSERT INTO push_messages (id, message_key, payload, ttl_seconds, urgency, topic,"
                              " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_key) DO NOTHING",
                              {id, message.key, payload, message.ttl_seconds, message.urgency, message.topic, now}));
  if (stored == 0) {
    // Queued before. Nothing of it can have gone out while its deliveries are not due: it may still grow.
    if (!audience.add_to_existing || due <= now) return Enqueued{};
    TRIBUNE_ASSIGN(storage::Rows rows, session.Query("SELECT id FROM push_messages WHERE message_key = $1", {message.key}));
    if (rows.empty()) return Enqueued{};
    id = rows[0].Int(0);
  }

  storage::Params params{id, due};
  std::string sql =
      "INSERT INTO push_deliveries (message_id, subscription_id, state, attempts, next_attempt_at)"
      " SELECT $1, t.subscription_id, 'pending', 0, $2 " + AudienceFrom(audience, params);
  sql += " ON CONFLICT (message_id, subscription_id) DO NOTHING";
  TRIBUNE_ASSIGN(int64_t recipients, session.Exec(sql, params));
  if (stored == 0) {
    if (recipients > 0) {
      TRIBUNE_TRY(session.Exec("UPDATE push_messages SET recipients = recipients + $2 WHERE id = $1", {id, recipients}));
    }
    return Enqueued{id, recipients};
  }
  if (recipients == 0) {
    if (audience.keep_when_empty) return Enqueued{id, 0};
    TRIBUNE_TRY(session.Exec("DELETE FROM push_messages WHERE id = $1", {id}));
    return Enqueued{};
  }
  TRIBUNE_TRY(session.Exec("UPDATE push_messages SET recipients = $2 WHERE id = $1", {id, recipients}));
  return Enqueued{id, recipients};
}

}  // namespace tribune::notify
