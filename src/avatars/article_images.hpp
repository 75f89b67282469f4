// Start here for article images: an editor's upload (JPEG, PNG or WebP) validated and decoded with libvips like
// an avatar (sniffed by magic bytes, bounded in bytes and pixels before decoding, truncated files refused),
// stripped of metadata and re-encoded into responsive widths — never upscaled — as WebP and JPEG. The variants
// are stored in the database (base64url text), so every server behind one PostgreSQL serves them, at
// /images/{id}/{width}.{webp|jpg} with an ETag and immutable caching.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::avatars {

struct ArticleImageOptions {
  size_t max_upload_bytes = 10 * 1024 * 1024;
  int64_t max_pixels = 40'000'000;       // width * height of the decoded upload
  std::vector<int> widths{480, 960, 1600};  // the largest is also the cap
};

struct EncodedVariant {
  int width = 0, height = 0;
  std::string format;        // "webp" | "jpg"
  std::string content_type;  // image/webp | image/jpeg
  std::string bytes;
  std::string etag;          // quoted
};

// Validates and re-encodes an upload. Errors: kPayloadTooLarge (bytes, pixels), kUnsupportedMediaType (not JPEG,
// PNG or WebP, or a Content-Type that lies), kBadRequest (empty, truncated, corrupt).
Result<std::vector<EncodedVariant>> EncodeArticleImage(const std::string& bytes, const std::string& declared_type,
                                                       const ArticleImageOptions& options);

struct StoredImage {
  int64_t id = 0;
  int width = 0, height = 0;  // of the largest variant
  std::vector<std::pair<int, int>> sizes;  // (width, height) of each variant, smallest first
};

class ArticleImageService {
 public:
  ArticleImageService(storage::Database& db, const Clock& clock, IdGenerator& ids, ArticleImageOptions options);

  // Errors: EncodeArticleImage's. Decoding happens before the write; nothing is stored on an error.
  Result<StoredImage> Upload(const std::string& bytes, const std::string& declared_type, int64_t uploaded_by);
  // Errors: kNotFound.
  Result<StoredImage> Info(int64_t id);
  // Errors: kNotFound (no such image, width or format).
  Result<EncodedVariant> Variant(int64_t id, int width, const std::string& format);

  const ArticleImageOptions& options() const { return options_; }

 private:
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  ArticleImageOptions options_;
};

// "/images/{id}" (what an article's image.url holds for an uploaded image) → the id; nullopt otherwise.
std::optional<int64_t> UploadedImageId(const std::string& url);

}  // namespace tribune::avatars
