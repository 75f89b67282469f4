// Avatars stored per account (base64url WebP in `avatars`, `accounts.has_avatar` kept in step), and the
// generated default for everybody without one.
#include <utility>

#include "avatars/avatars.hpp"
#include "common/random.hpp"

namespace tribune::avatars {

namespace {

Error NoSuchAccount() { return MakeError(ErrorCode::kNotFound, "No such account."); }

}  // namespace

AvatarService::AvatarService(storage::Database& db, const Clock& clock, AvatarOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {
  InitVips();
}

Result<Image> AvatarService::Upload(int64_t account_id, const std::string& bytes, const std::string& declared_type) {
  // Decoding happens before, never inside, the write transaction: the writer thread must not wait on it.
  TRIBUNE_ASSIGN(Image image, ProcessUpload(bytes, declared_type, options_));
  const std::string b64 = Base64UrlEncode(image.bytes);
  const int64_t now = clock_.NowMicros();
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto rows, s.Query("SELECT status FROM accounts WHERE id = $1", {account_id}));
    if (rows.empty() || rows[0].Text(0) == "deleted" || rows[0].Text(0) == "purged") return NoSuchAccount();
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO avatars (account_id, content_type, image_b64, etag, updated_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (account_id) DO UPDATE SET content_type = excluded.content_type, image_b64 = excluded.image_b64, "
        "etag = excluded.etag, updated_at = excluded.updated_at",
        {account_id, image.content_type, b64, image.etag, now}));
    TRIBUNE_TRY(s.Exec("UPDATE accounts SET has_avatar = 1 WHERE id = $1", {account_id}));
    return Ok{};
  }));
  return image;
}

Status AvatarService::Put(int64_t account_id, const std::string& bytes, const std::string& declared_type) {
  TRIBUNE_TRY(Upload(account_id, bytes, declared_type));
  return Ok{};
}

Status AvatarService::Remove(int64_t account_id) {
  return db_.Write([&](storage::Session& s) -> Status { return EraseAvatar(s, account_id); });
}

Result<Image> AvatarService::Get(int64_t account_id) {
  TRIBUNE_ASSIGN(auto rows, db_.Read("SELECT a.status, a.display_name, v.content_type, v.image_b64, v.etag "
                                     "FROM accounts a LEFT JOIN avatars v ON v.account_id = a.id WHERE a.id = $1",
                                     {account_id}));
  if (rows.empty() || rows[0].Text(0) == "deleted" || rows[0].Text(0) == "purged") return NoSuchAccount();
  const storage::Row& row = rows[0];
  if (!row.IsNull(2)) {
    auto bytes = Base64UrlDecode(row.Text(3));
    if (!bytes) return MakeError(ErrorCode::kInternal, "A stored avatar is damaged.");
    return Image{row.Text(2), std::move(*bytes), row.Text(4)};
  }
  return DefaultAvatar(account_id, row.Text(1));
}

Status EraseAvatar(storage::Session& session, int64_t account_id) {
  TRIBUNE_TRY(session.Exec("DELETE FROM avatars WHERE account_id = $1", {account_id}));
  TRIBUNE_TRY(session.Exec("UPDATE accounts SET has_avatar = 0 WHERE id = $1 AND has_avatar <> 0", {account_id}));
  return Ok{};
}

}  // namespace tribune::avatars
