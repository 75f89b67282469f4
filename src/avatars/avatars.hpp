// Start here for avatars: uploads validated and re-encoded with libvips, stored per account, and a
// generated default for everybody without one.
//
// An upload is sniffed by its magic bytes (JPEG, PNG, WebP, GIF — never by the Content-Type alone),
// bounded in bytes and pixels before decoding, decoded by libvips with fail-on-error, centre-cropped to
// a square, scaled to `size` pixels, stripped of metadata and re-encoded as WebP. Anything else — an
// image that lies about its type, a truncated file, a decompression bomb — is refused and nothing is
// stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::avatars {

struct AvatarOptions {
  size_t max_upload_bytes = 2 * 1024 * 1024;
  int64_t max_pixels = 40'000'000;  // width * height of the decoded upload
  int size = 256;                   // the stored square's side in pixels
};

struct Image {
  std::string content_type;  // "image/webp" or "image/svg+xml"
  std::string bytes;
  std::string etag;          // quoted, for If-None-Match
};

// Calls VIPS_INIT once (thread-safe); aborts if libvips cannot start.
void InitVips();

// The image type named by the magic bytes at the start of `bytes`: "image/jpeg", "image/png", "image/gif",
// "image/webp", or "" for anything else.
std::string SniffImageType(std::string_view bytes);

// Validates and re-encodes an upload. `declared_type` is the request's Content-Type (may be empty);
// when given it must agree with the sniffed type. Errors: kPayloadTooLarge (bytes or pixels),
// kUnsupportedMediaType (not one of the accepted formats, or a type that lies), kBadRequest (corrupt).
Result<Image> ProcessUpload(const std::string& bytes, const std::string& declared_type, const AvatarOptions& options);

// The generated default: an SVG square with the name's initial on a colour derived from the id.
Image DefaultAvatar(int64_t account_id, const std::string& display_name);

class AvatarService {
 public:
  AvatarService(storage::Database& db, const Clock& clock, AvatarOptions options);

  // Processes and stores the account's avatar (replacing any). Errors: ProcessUpload's.
  Status Put(int64_t account_id, const std::string& bytes, const std::string& declared_type);
  // Put, returning the stored image (its etag names the version for URLs).
  Result<Image> Upload(int64_t account_id, const std::string& bytes, const std::string& declared_type);
  // Removes the account's avatar; the default shows again. Idempotent.
  Status Remove(int64_t account_id);
  // The stored avatar, or the generated default. Errors: kNotFound (no such account, or one that is
  // deleted).
  Result<Image> Get(int64_t account_id);

  const AvatarOptions& options() const { return options_; }

 private:
  storage::Database& db_;
  const Clock& clock_;
  AvatarOptions options_;
};

// Erases the account's avatar inside the caller's transaction (the purge job).
Status EraseAvatar(storage::Session& session, int64_t account_id);

}  // namespace tribune::avatars
