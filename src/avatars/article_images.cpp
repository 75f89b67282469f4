// Article images: validation as for avatars (upload_checks.hpp), then one decode per width (shrink-on-load),
// metadata removed, WebP and JPEG encodings, stored as base64url variants.
#include <vips/vips.h>

#include <algorithm>
#include <cstring>

#include "avatars/article_images.hpp"
#include "avatars/avatars.hpp"
#include "avatars/upload_checks.hpp"
#include "common/random.hpp"

namespace tribune::avatars {

using namespace upload;

namespace {

std::string Etag(const std::string& bytes) { return "\"" + Sha256Hex(bytes).substr(0, 32) + "\""; }

}  // namespace

Result<std::vector<EncodedVariant>> EncodeArticleImage(const std::string& bytes, const std::string& declared_type,
                                                       const ArticleImageOptions& options) {
  if (bytes.size() > options.max_upload_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "The image is larger than " + std::to_string(options.max_upload_bytes / (1024 * 1024)) + " MB.");
  }
  if (bytes.empty()) return MakeError(ErrorCode::kBadRequest, "The request body is empty; send the image's bytes.");
  const std::string type = SniffImageType(bytes);
  if (type != "image/jpeg" && type != "image/png" && type != "image/webp") {
    return MakeError(ErrorCode::kUnsupportedMediaType, "Images must be JPEG, PNG or WebP.");
  }
  if (NormaliseType(declared_type) != type) {
    return MakeError(ErrorCode::kUnsupportedMediaType,
                     "The Content-Type does not match the image (it is " + type + ").");
  }
  if (type == "image/png" && !PngIsComplete(bytes)) return Unreadable();
  if (type == "image/jpeg" && !JpegIsComplete(bytes)) return Unreadable();

  InitVips();
  if (!LoaderMatches(vips_foreign_find_load_buffer(bytes.data(), bytes.size()), type)) return Unreadable();
  int64_t width = 0;
  {  // The header alone: refuse decompression bombs before any pixel is decoded.
    ImagePtr header(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL,
                                               "fail_on", VIPS_FAIL_ON_ERROR, nullptr));
    if (!header) return Unreadable();
    width = vips_image_get_width(header.get());
    const int64_t height = vips_image_get_height(header.get());
    if (width < 1 || height < 1) return Unreadable();
    if (width * height > options.max_pixels) {
      return MakeError(ErrorCode::kPayloadTooLarge, "The image has too many pixels (" + std::to_string(width) + "×" +
                                                        std::to_string(height) + ").");
    }
  }
  // The widths: every configured one below the original's, and the largest (capped) — never upscaled. An
  // EXIF orientation may swap the sides; the thumbnail below is autorotated and gives the real width.
  std::vector<int> widths = options.widths;
  std::sort(widths.begin(), widths.end());
  const int cap = widths.empty() ? 1600 : widths.back();
  std::vector<EncodedVariant> out;
  std::vector<int> todo{static_cast<int>(std::min<int64_t>(width, cap))};
  for (size_t i = 0; i < todo.size(); ++i) {
    const int w = todo[i];
    VipsImage* raw = nullptr;
    if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &raw, w, "height", VIPS_MAX_COORD,
                              "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR, nullptr) != 0) {
      if (raw != nullptr) g_object_unref(raw);
      return Unreadable();
    }
    TRIBUNE_ASSIGN(ImagePtr image, ToOpaqueSrgb(ImagePtr(raw)));
    TRIBUNE_ASSIGN(image, WithoutMetadata(std::move(image)));
    // Pixels are computed here (a corrupt file fails now), once: both encoders read the same memory image (a
    // sequential thumbnail cannot be read twice).
    {
      VipsImage* mem = vips_image_copy_memory(image.get());
      if (mem == nullptr) return Unreadable();
      image.reset(mem);
    }
    const int got_w = vips_image_get_width(image.get());
    const int got_h = vips_image_get_height(image.get());
    if (i == 0) {  // the largest: now the real (rotated) width is known; add the smaller configured ones
      for (int cw : widths) {
        if (cw < got_w) todo.push_back(cw);
      }
    }
    void* buf = nullptr;
    size_t len = 0;
    if (vips_webpsave_buffer(image.get(), &buf, &len, "Q", 80, "strip", TRUE, "effort", 4, nullptr) != 0 ||
        buf == nullptr) {
      if (buf != nullptr) g_free(buf);
      return Unreadable();
    }
    std::unique_ptr<void, GFree> webp_owned(buf);
    auto webp = StripWebpMetadata(std::string(static_cast<const char*>(buf), len));
    if (!webp) return MakeError(ErrorCode::kInternal, "The WebP encoder produced an unexpected file.");
    buf = nullptr;
    len = 0;
    if (vips_jpegsave_buffer(image.get(), &buf, &len, "Q", 82, "strip", TRUE, "optimize_coding", TRUE, "interlace",
                             TRUE, nullptr) != 0 ||
        buf == nullptr) {
      if (buf != nullptr) g_free(buf);
      return Unreadable();
    }
    std::unique_ptr<void, GFree> jpeg_owned(buf);
    std::string jpeg(static_cast<const char*>(buf), len);
    out.push_back({got_w, got_h, "webp", "image/webp", std::move(*webp), ""});
    out.push_back({got_w, got_h, "jpg", "image/jpeg", std::move(jpeg), ""});
  }
  for (auto& v : out) v.etag = Etag(v.bytes);
  return out;
}

std::optional<int64_t> UploadedImageId(const std::string& url) {
  constexpr std::string_view kPrefix = "/images/";
  if (!url.starts_with(kPrefix) || url.size() == kPrefix.size() || url.size() > kPrefix.size() + 19) {
    return std::nullopt;
  }
  int64_t id = 0;
  for (size_t i = kPrefix.size(); i < url.size(); ++i) {
    if (url[i] < '0' || url[i] > '9') return std::nullopt;
    if (id > (INT64_MAX - 9) / 10) return std::nullopt;
    id = id * 10 + (url[i] - '0');
  }
  if (id <= 0) return std::nullopt;
  return id;
}

ArticleImageService::ArticleImageService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                         ArticleImageOptions options)
    : db_(db), clock_(clock), ids_(ids), options_(std::move(options)) {
  InitVips();
}

Result<StoredImage> ArticleImageService::Upload(const std::string& bytes, const std::string& declared_type,
                                                int64_t uploaded_by) {
  // Decoding happens before, never inside, the write transaction: the writer thread must not wait on it.
  TRIBUNE_ASSIGN(auto variants, EncodeArticleImage(bytes, declared_type, options_));
  StoredImage img;
  img.id = ids_.Next();
  for (const auto& v : variants) {
    if (v.format == "jpg") img.sizes.emplace_back(v.width, v.height);
  }
  std::sort(img.sizes.begin(), img.sizes.end());
  img.width = img.sizes.back().first;
  img.height = img.sizes.back().second;
  const int64_t now = clock_.NowMicros();
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO images (id, width, height, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                       {img.id, int64_t{img.width}, int64_t{img.height},
                        uploaded_by > 0 ? storage::Value(uploaded_by) : storage::Value(nullptr), now}));
    for (const auto& v : variants) {
      TRIBUNE_TRY(s.Exec("INSERT INTO image_variants (image_id, width, format, height, content_type, bytes_b64, etag)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         {img.id, int64_t{v.width}, v.format, int64_t{v.height}, v.content_type,
                          Base64UrlEncode(v.bytes), v.etag}));
    }
    return Ok{};
  }));
  return img;
}

Result<StoredImage> ArticleImageService::Info(int64_t id) {
  TRIBUNE_ASSIGN(auto rows, db_.Read("SELECT width, height FROM image_variants WHERE image_id = $1 AND format = 'jpg'"
                                     " ORDER BY width",
                                     {id}));
  if (rows.empty()) return MakeError(ErrorCode::kNotFound, "No such image.");
  StoredImage img;
  img.id = id;
  for (const auto& r : rows) img.sizes.emplace_back(static_cast<int>(r.Int(0)), static_cast<int>(r.Int(1)));
  img.width = img.sizes.back().first;
  img.height = img.sizes.back().second;
  return img;
}

Result<EncodedVariant> ArticleImageService::Variant(int64_t id, int width, const std::string& format) {
  TRIBUNE_ASSIGN(auto rows, db_.Read("SELECT height, content_type, bytes_b64, etag FROM image_variants"
                                     " WHERE image_id = $1 AND width = $2 AND format = $3",
                                     {id, int64_t{width}, format}));
  if (rows.empty()) return MakeError(ErrorCode::kNotFound, "No such image.");
  auto bytes = Base64UrlDecode(rows[0].Text(2));
  if (!bytes) return MakeError(ErrorCode::kInternal, "A stored image is damaged.");
  return EncodedVariant{width, static_cast<int>(rows[0].Int(0)), format, rows[0].Text(1), std::move(*bytes),
                        rows[0].Text(3)};
}

}  // namespace tribune::avatars
