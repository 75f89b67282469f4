// Upload validation and re-encoding with libvips (C API): sniff, bound, decode with fail-on-error,
// centre-crop to a square, strip, WebP.
#include <vips/vips.h>
#include <vips/vector.h>  // vips_vector_set_enabled (not in vips.h)

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "avatars/avatars.hpp"
#include "avatars/upload_checks.hpp"
#include "common/random.hpp"

namespace tribune::avatars {

// Shared with article_images.cpp through upload_checks.hpp.
namespace upload {

// Any libvips failure: the message is vips's, which we do not show; the buffer is per-process, so clear it.
Error Unreadable() {
  vips_error_clear();
  return MakeError(ErrorCode::kBadRequest, "The image could not be read.");
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// "Image/JPEG; charset=x " → "image/jpeg"; image/jpg and image/pjpeg count as image/jpeg.
std::string NormaliseType(std::string_view declared) {
  if (auto semi = declared.find(';'); semi != std::string_view::npos) declared = declared.substr(0, semi);
  while (!declared.empty() && (declared.front() == ' ' || declared.front() == '\t')) declared.remove_prefix(1);
  while (!declared.empty() && (declared.back() == ' ' || declared.back() == '\t')) declared.remove_suffix(1);
  std::string t(declared);
  for (char& c : t) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (t == "image/jpg" || t == "image/pjpeg") return "image/jpeg";
  return t;
}

// The loader libvips would pick must be the one for the sniffed format (never magick, svg, ...).
bool LoaderMatches(const char* loader, const std::string& type) {
  if (loader == nullptr) return false;
  std::string l(loader);
  for (char& c : l) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (l.find("magick") != std::string::npos) return false;
  if (type == "image/jpeg") return l.find("jpeg") != std::string::npos;
  if (type == "image/png") return l.find("png") != std::string::npos;
  if (type == "image/gif") return l.find("gif") != std::string::npos;
  if (type == "image/webp") return l.find("webp") != std::string::npos;
  return false;
}

// Brings a thumbnail to 8-bit sRGB without alpha (flattened onto white).
Result<ImagePtr> ToOpaqueSrgb(ImagePtr image) {
  if (image->Type != VIPS_INTERPRETATION_sRGB) {
    VipsImage* out = nullptr;
    if (vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0) return Unreadable();
    image.reset(out);
  }
  if (vips_image_hasalpha(image.get())) {
    double white[3] = {255, 255, 255};
    VipsArrayDouble* background = vips_array_double_new(white, 3);
    VipsImage* out = nullptr;
    const int rc = vips_flatten(image.get(), &out, "background", background, nullptr);
    vips_area_unref(VIPS_AREA(background));
    if (rc != 0) return Unreadable();
    image.reset(out);
  }
  if (image->Bands > 3) {
    VipsImage* out = nullptr;
    if (vips_extract_band(image.get(), &out, 0, "n", 3, nullptr) != 0) return Unreadable();
    image.reset(out);
  }
  if (image->BandFmt != VIPS_FORMAT_UCHAR) {
    VipsImage* out = nullptr;
    if (vips_cast_uchar(image.get(), &out, nullptr) != 0) return Unreadable();
    image.reset(out);
  }
  return image;
}

uint32_t Be32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

// Whether a PNG's chunks are all there, up to IEND. The PNG loader pads a truncated image with black
// rather than failing, so truncation is caught here.
bool PngIsComplete(std::string_view b) {
  size_t at = 8;
  while (at + 12 <= b.size()) {
    const uint32_t length = Be32(b, at);
    if (length > 0x7FFFFFFFu || length > b.size() - at - 12) return false;
    if (b.substr(at + 4, 4) == "IEND") return true;
    at += size_t{12} + length;
  }
  return false;
}

// Whether a JPEG reaches its EOI marker. libjpeg only warns on a premature end (and pads the image),
// and warnings cannot be fatal without refusing many camera files, so truncation is caught here: the
// header segments are walked to the first scan, and from there on FF D9 can only be EOI (the entropy
// coder stuffs every FF data byte as FF 00).
bool JpegIsComplete(std::string_view b) {
  size_t at = 2;
  while (at + 2 <= b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) return false;
    const auto marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD9) return true;
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;
      continue;
    }
    if (at + 4 > b.size()) return false;
    const size_t length = static_cast<size_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
                          static_cast<unsigned char>(b[at + 3]);
    if (length < 2 || length > b.size() - at - 2) return false;
    at += 2 + length;
    if (marker == 0xDA) return b.find("\xFF\xD9", at) != std::string_view::npos;
  }
  return false;
}

uint32_t Le32(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

void PutLe32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// libvips 8.14's webpsave writes an EXIF chunk (resolution, and whatever EXIF the image carried) even
// with strip set. Rebuild the RIFF container without EXIF, XMP and ICCP chunks; without alpha or
// animation the VP8X header goes too (the simple format). nullopt if the container is malformed.
std::optional<std::string> StripWebpMetadata(const std::string& in) {
  if (in.size() < 20 || in.compare(0, 4, "RIFF") != 0 || in.compare(8, 4, "WEBP") != 0) return std::nullopt;
  struct Chunk {
    std::string fourcc;
    size_t offset;  // of the chunk header
    size_t total;   // header + payload + padding
  };
  std::vector<Chunk> chunks;
  size_t at = 12;
  const size_t end = std::min<size_t>(in.size(), size_t{8} + Le32(in, 4));
  while (at + 8 <= end) {
    const uint32_t size = Le32(in, at + 4);
    const size_t total = size_t{8} + size + (size & 1);
    if (total > end - at) return std::nullopt;
    chunks.push_back({in.substr(at, 4), at, total});
    at += total;
  }
  if (at != end || chunks.empty()) return std::nullopt;
  bool needs_extended = false;
  for (const auto& c : chunks) {
    if (c.fourcc == "ALPH" || c.fourcc == "ANIM" || c.fourcc == "ANMF") needs_extended = true;
  }
  std::string out = in.substr(0, 12);
  bool have_image = false;
  for (const auto& c : chunks) {
    if (c.fourcc == "EXIF" || c.fourcc == "XMP " || c.fourcc == "ICCP") continue;
    if (c.fourcc == "VP8X") {
      if (!needs_extended) continue;
      std::string vp8x = in.substr(c.offset, c.total);
      if (vp8x.size() < 9) return std::nullopt;
      vp8x[8] = static_cast<char>(static_cast<unsigned char>(vp8x[8]) & ~(0x20 | 0x08 | 0x04));  // ICC, EXIF, XMP
      out += vp8x;
      continue;
    }
    if (c.fourcc == "VP8 " || c.fourcc == "VP8L") have_image = true;
    out += in.substr(c.offset, c.total);
  }
  if (!have_image && !needs_extended) return std::nullopt;
  PutLe32(out, 4, static_cast<uint32_t>(out.size() - 8));
  return out;
}

Result<ImagePtr> WithoutMetadata(ImagePtr image) {
  VipsImage* copy = nullptr;
  if (vips_copy(image.get(), &copy, nullptr) != 0) return Unreadable();
  image.reset(copy);
  gchar** fields = vips_image_get_fields(image.get());
  for (gchar** f = fields; f != nullptr && *f != nullptr; ++f) {
    const std::string_view name(*f);
    if (name == VIPS_META_EXIF_NAME || name == VIPS_META_XMP_NAME || name == VIPS_META_IPTC_NAME ||
        name == VIPS_META_ICC_NAME || name == VIPS_META_PHOTOSHOP_NAME || name == VIPS_META_IMAGEDESCRIPTION ||
        name.starts_with("exif-") || name.starts_with("png-comment-") || name.starts_with("gif-")) {
      vips_image_remove(image.get(), *f);
    }
  }
  g_strfreev(fields);
  return image;
}

}  // namespace upload

using namespace upload;

void InitVips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("tribune") != 0) {
      std::fprintf(stderr, "tribune: libvips failed to start: %s\n", vips_error_buffer());
      std::abort();
    }
    // The server's worker threads provide the concurrency; each request decodes on its own thread.
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    // libvips 8.14 runs some operations through liborc's run-time compiled SIMD code, whose programs are freed
    // while other threads still use them: concurrent uploads crashed in orc_code_free (seen under ASan in CI).
    // The plain C paths are fast enough for avatars.
    vips_vector_set_enabled(FALSE);
    // Only the loaders we sniff for are ever wanted; keep the fuzzier ones out altogether.
    vips_block_untrusted_set(TRUE);
    // Every corrupt upload makes libvips warn on stderr; the caller's error response says enough.
    g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
                      [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
  });
}

std::string SniffImageType(std::string_view b) {
  if (StartsWith(b, "\xFF\xD8\xFF")) return "image/jpeg";
  if (StartsWith(b, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return "image/gif";
  if (b.size() >= 12 && StartsWith(b, "RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
  return "";
}

Result<Image> ProcessUpload(const std::string& bytes, const std::string& declared_type, const AvatarOptions& options) {
  if (bytes.size() > options.max_upload_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "The image is larger than " + std::to_string(options.max_upload_bytes / 1024) + " KiB.");
  }
  if (bytes.empty()) return MakeError(ErrorCode::kBadRequest, "The request body is empty; send the image's bytes.");
  const std::string type = SniffImageType(bytes);
  if (type.empty()) {
    return MakeError(ErrorCode::kUnsupportedMediaType, "Avatars must be JPEG, PNG, WebP or GIF images.");
  }
  if (!declared_type.empty() && NormaliseType(declared_type) != type) {
    return MakeError(ErrorCode::kUnsupportedMediaType, "The Content-Type does not match the image (it is " + type + ").");
  }

  if (type == "image/png" && !PngIsComplete(bytes)) return Unreadable();
  if (type == "image/jpeg" && !JpegIsComplete(bytes)) return Unreadable();

  InitVips();
  if (!LoaderMatches(vips_foreign_find_load_buffer(bytes.data(), bytes.size()), type)) return Unreadable();

  // The header alone: refuse decompression bombs before any pixel is decoded. GIF and WebP give the
  // first frame's size (n defaults to 1).
  {
    ImagePtr header(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL,
                                               "fail_on", VIPS_FAIL_ON_ERROR, nullptr));
    if (!header) return Unreadable();
    const int64_t width = vips_image_get_width(header.get());
    const int64_t height = vips_image_get_height(header.get());
    if (width < 1 || height < 1) return Unreadable();
    if (width * height > options.max_pixels) {
      return MakeError(ErrorCode::kPayloadTooLarge, "The image has too many pixels (" + std::to_string(width) + "×" +
                                                        std::to_string(height) + ").");
    }
  }

  // Decode (shrinking on load where the format allows), autorotate, crop the centre square.
  VipsImage* thumb_raw = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &thumb_raw, options.size, "height",
                            options.size, "size", VIPS_SIZE_BOTH, "crop", VIPS_INTERESTING_CENTRE, "fail_on",
                            VIPS_FAIL_ON_ERROR, nullptr) != 0) {
    if (thumb_raw != nullptr) g_object_unref(thumb_raw);
    return Unreadable();
  }
  TRIBUNE_ASSIGN(ImagePtr image, ToOpaqueSrgb(ImagePtr(thumb_raw)));
  // Drop the upload's metadata from (a private copy of) the header too, so nothing of it can reach the file.
  TRIBUNE_ASSIGN(image, WithoutMetadata(std::move(image)));

  // Pixels are computed here (lazily, sequentially): a truncated or corrupt file fails now.
  void* out_buf = nullptr;
  size_t out_len = 0;
  const int rc = vips_webpsave_buffer(image.get(), &out_buf, &out_len, "Q", 82, "strip", TRUE, "effort", 4, nullptr);
  std::unique_ptr<void, GFree> owned(out_buf);
  if (rc != 0 || out_buf == nullptr || out_len == 0) return Unreadable();
  if (vips_image_get_width(image.get()) != options.size || vips_image_get_height(image.get()) != options.size) {
    return Unreadable();
  }

  auto stripped = StripWebpMetadata(std::string(static_cast<const char*>(out_buf), out_len));
  if (!stripped) return MakeError(ErrorCode::kInternal, "The WebP encoder produced an unexpected file.");

  Image result;
  result.content_type = "image/webp";
  result.bytes = std::move(*stripped);
  result.etag = "\"" + Sha256Hex(result.bytes).substr(0, 32) + "\"";
  return result;
}

}  // namespace tribune::avatars
