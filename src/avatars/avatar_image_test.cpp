// ProcessUpload and DefaultAvatar: real images made with libvips, crafted headers, corrupt data.
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "avatars/avatars.hpp"

namespace tribune::avatars {
namespace {

struct Unref {
  void operator()(VipsImage* i) const { g_object_unref(i); }
};
using Img = std::unique_ptr<VipsImage, Unref>;

// A w×h sRGB image in three horizontal bands: red top third, green middle, blue bottom.
Img Tricolour(int w, int h) {
  InitVips();
  VipsImage* black = nullptr;
  EXPECT_EQ(vips_black(&black, w, h, "bands", 3, nullptr), 0);
  VipsImage* uc = nullptr;
  EXPECT_EQ(vips_cast_uchar(black, &uc, nullptr), 0);
  g_object_unref(black);
  VipsImage* srgb = nullptr;
  EXPECT_EQ(vips_copy(uc, &srgb, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr), 0);
  g_object_unref(uc);
  VipsImage* mem = vips_image_copy_memory(srgb);
  g_object_unref(srgb);
  EXPECT_NE(mem, nullptr);
  double red[] = {255, 0, 0}, green[] = {0, 255, 0}, blue[] = {0, 0, 255};
  EXPECT_EQ(vips_draw_rect(mem, red, 3, 0, 0, w, h / 3, "fill", TRUE, nullptr), 0);
  EXPECT_EQ(vips_draw_rect(mem, green, 3, 0, h / 3, w, h / 3, "fill", TRUE, nullptr), 0);
  EXPECT_EQ(vips_draw_rect(mem, blue, 3, 0, 2 * (h / 3), w, h - 2 * (h / 3), "fill", TRUE, nullptr), 0);
  return Img(mem);
}

std::string Take(void* buf, size_t len) {
  std::string s(static_cast<const char*>(buf), len);
  g_free(buf);
  return s;
}

std::string Encode(VipsImage* img, const std::string& format) {
  void* buf = nullptr;
  size_t len = 0;
  int rc = -1;
  if (format == "png") rc = vips_pngsave_buffer(img, &buf, &len, nullptr);
  if (format == "jpeg") rc = vips_jpegsave_buffer(img, &buf, &len, "Q", 85, nullptr);
  if (format == "gif") rc = vips_gifsave_buffer(img, &buf, &len, nullptr);
  if (format == "webp") rc = vips_webpsave_buffer(img, &buf, &len, nullptr);
  EXPECT_EQ(rc, 0) << vips_error_buffer();
  return Take(buf, len);
}

std::string Encoded(int w, int h, const std::string& format) { return Encode(Tricolour(w, h).get(), format); }

// Decodes an output for inspection.
Img Load(const std::string& bytes) {
  VipsImage* img = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  EXPECT_NE(img, nullptr) << vips_error_buffer();
  return Img(img);
}

std::vector<double> Pixel(VipsImage* img, int x, int y) {
  double* v = nullptr;
  int n = 0;
  EXPECT_EQ(vips_getpoint(img, &v, &n, x, y, nullptr), 0);
  std::vector<double> out(v, v + n);
  g_free(v);
  return out;
}

uint32_t Crc32(const std::string& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string Chunk(const std::string& type, const std::string& data) {
  return Be32(static_cast<uint32_t>(data.size())) + type + data + Be32(Crc32(type + data));
}

// A PNG whose header declares w×h 8-bit RGB, followed by a tiny (wrong-sized) IDAT.
std::string PngHeaderOnly(uint32_t w, uint32_t h) {
  std::string ihdr = Be32(w) + Be32(h) + std::string("\x08\x02\x00\x00\x00", 5);
  const std::string idat("\x78\x9c\x63\x00\x00\x00\x01\x00\x01", 9);  // zlib of one zero byte
  return std::string("\x89PNG\r\n\x1A\n", 8) + Chunk("IHDR", ihdr) + Chunk("IDAT", idat) + Chunk("IEND", "");
}

const AvatarOptions kOptions{};

void ExpectSquareWebp(const Result<Image>& r, int size = 256) {
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->content_type, "image/webp");
  EXPECT_EQ(r->bytes.substr(0, 4), "RIFF");
  EXPECT_EQ(r->bytes.substr(8, 4), "WEBP");
  ASSERT_GE(r->etag.size(), 3u);
  EXPECT_EQ(r->etag.front(), '"');
  EXPECT_EQ(r->etag.back(), '"');
  // The container holds the image and nothing else: no EXIF, XMP or ICC chunks.
  for (size_t at = 12; at + 8 <= r->bytes.size();) {
    const std::string fourcc = r->bytes.substr(at, 4);
    EXPECT_TRUE(fourcc == "VP8 " || fourcc == "VP8L" || fourcc == "VP8X" || fourcc == "ALPH") << fourcc;
    const uint32_t n = static_cast<unsigned char>(r->bytes[at + 4]) | static_cast<unsigned char>(r->bytes[at + 5]) << 8 |
                       static_cast<unsigned char>(r->bytes[at + 6]) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(r->bytes[at + 7])) << 24;
    at += 8 + n + (n & 1);
  }
  Img out = Load(r->bytes);
  ASSERT_TRUE(out);
  EXPECT_EQ(vips_image_get_width(out.get()), size);
  EXPECT_EQ(vips_image_get_height(out.get()), size);
  EXPECT_EQ(vips_image_get_typeof(out.get(), VIPS_META_EXIF_NAME), 0u);
  EXPECT_EQ(vips_image_get_typeof(out.get(), VIPS_META_XMP_NAME), 0u);
  EXPECT_EQ(vips_image_get_typeof(out.get(), VIPS_META_ICC_NAME), 0u);
}

TEST(Sniff, MagicBytes) {
  EXPECT_EQ(SniffImageType(std::string("\xFF\xD8\xFF\xE0", 4)), "image/jpeg");
  EXPECT_EQ(SniffImageType(std::string("\x89PNG\r\n\x1A\n", 8)), "image/png");
  EXPECT_EQ(SniffImageType("GIF87a...."), "image/gif");
  EXPECT_EQ(SniffImageType("GIF89a...."), "image/gif");
  EXPECT_EQ(SniffImageType(std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(SniffImageType(std::string("RIFF\x10\x00\x00\x00WAVEfmt ", 16)), "");
  EXPECT_EQ(SniffImageType("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "");
  EXPECT_EQ(SniffImageType("BM\x36\x00"), "");
  EXPECT_EQ(SniffImageType(std::string("\x00\x00\x00\x18" "ftypheic", 12)), "");
  EXPECT_EQ(SniffImageType("II*\0"), "");
  EXPECT_EQ(SniffImageType(std::string("\x89PNG", 4)), "");
  EXPECT_EQ(SniffImageType(""), "");
}

TEST(ProcessUpload, AcceptsAllFourFormats) {
  for (const std::string format : {"png", "jpeg", "gif", "webp"}) {
    SCOPED_TRACE(format);
    const std::string bytes = Encoded(640, 480, format);
    ExpectSquareWebp(ProcessUpload(bytes, "image/" + format, kOptions));
    ExpectSquareWebp(ProcessUpload(bytes, "", kOptions));
  }
}

TEST(ProcessUpload, CropsTheCentreOfATallImage) {
  auto r = ProcessUpload(Encoded(300, 900, "png"), "image/png", kOptions);
  ExpectSquareWebp(r);
  Img out = Load(r->bytes);
  for (auto [x, y] : {std::pair{0, 0}, {255, 0}, {128, 128}, {0, 255}, {255, 255}}) {
    const auto p = Pixel(out.get(), x, y);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_LT(p[0], 60) << x << "," << y;   // not red
    EXPECT_GT(p[1], 190) << x << "," << y;  // green
    EXPECT_LT(p[2], 60) << x << "," << y;   // not blue
  }
}

TEST(ProcessUpload, UpscalesSmallImagesAndHonoursSize) {
  ExpectSquareWebp(ProcessUpload(Encoded(40, 30, "png"), "image/png", kOptions));
  AvatarOptions small;
  small.size = 64;
  ExpectSquareWebp(ProcessUpload(Encoded(640, 480, "jpeg"), "image/jpeg", small), 64);
}

TEST(ProcessUpload, StripsExifAndOtherMetadata) {
  Img img = Tricolour(640, 480);
  vips_image_set_string(img.get(), "exif-ifd0-Artist", "Secret Person");
  vips_image_set_string(img.get(), "exif-ifd0-ImageDescription", "at home, 1 Secret Street");
  const std::string jpeg = Encode(img.get(), "jpeg");
  {
    Img in = Load(jpeg);  // the fixture really carries EXIF
    ASSERT_NE(vips_image_get_typeof(in.get(), VIPS_META_EXIF_NAME), 0u);
  }
  ASSERT_NE(jpeg.find("Secret Person"), std::string::npos);
  auto r = ProcessUpload(jpeg, "image/jpeg", kOptions);
  ExpectSquareWebp(r);
  EXPECT_EQ(r->bytes.find("Secret"), std::string::npos);
  EXPECT_EQ(r->bytes.find("EXIF"), std::string::npos);
  EXPECT_EQ(r->bytes.find("Exif"), std::string::npos);
}

TEST(ProcessUpload, AlphaGreyAndSixteenBitInputs) {
  InitVips();
  // Grey (1 band), grey+alpha, RGBA, 16-bit RGB.
  VipsImage* grey = nullptr;
  ASSERT_EQ(vips_black(&grey, 100, 80, nullptr), 0);
  Img g(grey);
  ExpectSquareWebp(ProcessUpload(Encode(g.get(), "png"), "image/png", kOptions));

  VipsImage* ga = nullptr;
  ASSERT_EQ(vips_bandjoin_const1(g.get(), &ga, 0, nullptr), 0);  // fully transparent
  Img gai(ga);
  VipsImage* gacast = nullptr;
  ASSERT_EQ(vips_cast_uchar(gai.get(), &gacast, nullptr), 0);
  Img gac(gacast);
  auto r = ProcessUpload(Encode(gac.get(), "png"), "image/png", kOptions);
  ExpectSquareWebp(r);
  const auto p = Pixel(Load(r->bytes).get(), 10, 10);
  ASSERT_EQ(p.size(), 3u);  // flattened
  EXPECT_GT(p[0], 240);     // onto white

  Img rgb = Tricolour(120, 90);
  VipsImage* rgba = nullptr;
  ASSERT_EQ(vips_bandjoin_const1(rgb.get(), &rgba, 128, nullptr), 0);
  Img rgbai(rgba);
  ExpectSquareWebp(ProcessUpload(Encode(rgbai.get(), "png"), "image/png", kOptions));
  ExpectSquareWebp(ProcessUpload(Encode(rgbai.get(), "webp"), "image/webp", kOptions));

  VipsImage* wide = nullptr;
  ASSERT_EQ(vips_cast_ushort(rgb.get(), &wide, nullptr), 0);
  Img widei(wide);
  VipsImage* rgb16 = nullptr;
  ASSERT_EQ(vips_copy(widei.get(), &rgb16, "interpretation", VIPS_INTERPRETATION_RGB16, nullptr), 0);
  Img rgb16i(rgb16);
  ExpectSquareWebp(ProcessUpload(Encode(rgb16i.get(), "png"), "image/png", kOptions));
}

TEST(ProcessUpload, DeclaredTypeMustMatch) {
  const std::string png = Encoded(64, 64, "png");
  const std::string jpeg = Encoded(64, 64, "jpeg");
  EXPECT_EQ(ProcessUpload(png, "image/jpeg", kOptions).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(ProcessUpload(png, "image/gif", kOptions).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(ProcessUpload(png, "application/octet-stream", kOptions).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(ProcessUpload(jpeg, "image/png", kOptions).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_TRUE(ProcessUpload(jpeg, "image/jpg", kOptions).ok());
  EXPECT_TRUE(ProcessUpload(jpeg, "Image/JPEG", kOptions).ok());
  EXPECT_TRUE(ProcessUpload(png, "image/png; charset=binary", kOptions).ok());
}

TEST(ProcessUpload, RefusesOtherFormats) {
  const std::vector<std::string> others = {
      "hello, this is not an image\n",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>",
      std::string("BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", 14),
      std::string("II*\x00\x08\x00\x00\x00", 8),
      std::string("\x00\x00\x00\x18" "ftypheic\x00\x00\x00\x00", 16),
      std::string("\x89PNG", 4),
  };
  for (const auto& bytes : others) {
    auto r = ProcessUpload(bytes, "", kOptions);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedMediaType);
    r = ProcessUpload(bytes, "image/png", kOptions);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedMediaType);
  }
  EXPECT_EQ(ProcessUpload("", "image/png", kOptions).error().code, ErrorCode::kBadRequest);
}

TEST(ProcessUpload, RefusesOversizeBodies) {
  AvatarOptions tiny;
  tiny.max_upload_bytes = 1000;
  const std::string png = Encoded(640, 480, "png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(ProcessUpload(png, "image/png", tiny).error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(ProcessUpload(std::string(3 << 20, 'x'), "image/png", kOptions).error().code, ErrorCode::kPayloadTooLarge);
}

TEST(ProcessUpload, RefusesDecompressionBombsByTheirHeader) {
  auto r = ProcessUpload(PngHeaderOnly(20000, 20000), "image/png", kOptions);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPayloadTooLarge) << r.error().message;
  // A GIF's logical screen of 30000×30000 with one 1×1 frame.
  std::string gif("GIF89a\x30\x75\x30\x75\x00\x00\x00"
                  "\x2C\x00\x00\x00\x00\x30\x75\x30\x75\x00\x02\x02\x44\x01\x00\x3B", 30);
  r = ProcessUpload(gif, "image/gif", kOptions);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().code == ErrorCode::kPayloadTooLarge || r.error().code == ErrorCode::kBadRequest);
  AvatarOptions few;
  few.max_pixels = 640 * 480 - 1;
  for (const std::string format : {"png", "jpeg", "gif", "webp"}) {
    EXPECT_EQ(ProcessUpload(Encoded(640, 480, format), "", few).error().code, ErrorCode::kPayloadTooLarge) << format;
  }
  few.max_pixels = 640 * 480;
  EXPECT_TRUE(ProcessUpload(Encoded(640, 480, "png"), "", few).ok());
  // Zero dimensions are not an image.
  r = ProcessUpload(PngHeaderOnly(0, 10), "image/png", kOptions);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
}

TEST(ProcessUpload, TruncatedFilesAreBadRequests) {
  for (const std::string format : {"png", "jpeg", "gif", "webp"}) {
    const std::string bytes = Encoded(640, 480, format);
    for (size_t len : {size_t{12}, size_t{30}, size_t{100}, bytes.size() / 2, bytes.size() - 20}) {
      SCOPED_TRACE(format + " cut at " + std::to_string(len));
      auto r = ProcessUpload(bytes.substr(0, len), "", kOptions);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << r.error().message;
      EXPECT_EQ(r.error().message, "The image could not be read.");
    }
  }
  // The error buffer does not grow from one failure to the next.
  EXPECT_STREQ(vips_error_buffer(), "");
}

TEST(ProcessUpload, CorruptDataNeverCrashes) {
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (const std::string format : {"png", "jpeg", "gif", "webp"}) {
    const std::string good = Encoded(200, 150, format);
    for (int round = 0; round < 40; ++round) {
      std::string bytes = good;
      const int flips = 1 + static_cast<int>(next() % 16);
      for (int f = 0; f < flips; ++f) {
        const size_t at = 12 + next() % (bytes.size() - 12);  // keep the magic bytes
        bytes[at] = static_cast<char>(next() & 0xFF);
      }
      if (round % 5 == 0) bytes.resize(12 + next() % (bytes.size() - 12));
      auto r = ProcessUpload(bytes, "", kOptions);
      if (r.ok()) {
        ExpectSquareWebp(r);
      } else {
        EXPECT_TRUE(r.error().code == ErrorCode::kBadRequest || r.error().code == ErrorCode::kPayloadTooLarge)
            << format << " round " << round << ": " << r.error().message;
      }
    }
    // Garbage after a valid magic.
    std::string garbage = good.substr(0, 12);
    for (int i = 0; i < 4000; ++i) garbage.push_back(static_cast<char>(next() & 0xFF));
    auto r = ProcessUpload(garbage, "", kOptions);
    if (!r.ok()) {
      EXPECT_NE(r.error().code, ErrorCode::kUnsupportedMediaType) << format;
    }
  }
  EXPECT_STREQ(vips_error_buffer(), "");
}

TEST(ProcessUpload, SameInputSameEtag) {
  const std::string png = Encoded(64, 64, "png");
  auto a = ProcessUpload(png, "", kOptions);
  auto b = ProcessUpload(png, "", kOptions);
  auto c = ProcessUpload(Encoded(64, 200, "png"), "", kOptions);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->etag, b->etag);
  EXPECT_NE(a->etag, c->etag);
}

// ---- DefaultAvatar

double Luminance(int r, int g, int b) {
  auto ch = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
  return 0.2126 * ch(r / 255.0) + 0.7152 * ch(g / 255.0) + 0.0722 * ch(b / 255.0);
}

std::string TextOf(const std::string& svg) {
  const size_t open = svg.find("<text");
  const size_t start = svg.find('>', open) + 1;
  return svg.substr(start, svg.find("</text>") - start);
}

TEST(DefaultAvatar, InitialOnAColour) {
  const Image a = DefaultAvatar(42, "alice");
  EXPECT_EQ(a.content_type, "image/svg+xml");
  EXPECT_EQ(a.bytes.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"256\" height=\"256\"", 0), 0u);
  EXPECT_EQ(TextOf(a.bytes), "A");
  EXPECT_EQ(a.bytes.find("<script"), std::string::npos);
  EXPECT_EQ(a.bytes.find("<style"), std::string::npos);
  EXPECT_EQ(a.etag.front(), '"');
  EXPECT_EQ(a.etag.back(), '"');
  EXPECT_EQ(DefaultAvatar(42, "alice").bytes, a.bytes);
  EXPECT_EQ(DefaultAvatar(42, "alice").etag, a.etag);
  EXPECT_NE(DefaultAvatar(42, "bob").etag, a.etag);
  EXPECT_NE(DefaultAvatar(43, "alice").etag, a.etag);
}

TEST(DefaultAvatar, Initials) {
  EXPECT_EQ(TextOf(DefaultAvatar(1, "  zoë").bytes), "Z");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "Élodie").bytes), "É");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "Юрий").bytes), "Ю");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "🦊 fox").bytes), "🦊");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "<script>").bytes), "&lt;");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "&amp").bytes), "&amp;");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "\"q").bytes), "&quot;");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "'q").bytes), "&#39;");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "").bytes), "?");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "   ").bytes), "?");
  EXPECT_EQ(TextOf(DefaultAvatar(1, "\xC3").bytes), "?");           // truncated sequence
  EXPECT_EQ(TextOf(DefaultAvatar(1, "\xC0\xBCx").bytes), "?");      // overlong '<'
  EXPECT_EQ(TextOf(DefaultAvatar(1, "\xED\xA0\x80x").bytes), "?");  // surrogate
  EXPECT_EQ(TextOf(DefaultAvatar(1, std::string("\x01x", 2)).bytes), "?");
}

TEST(DefaultAvatar, ColoursVaryAndKeepWhiteTextReadable) {
  std::set<std::string> colours;
  for (int64_t id = 1; id <= 400; ++id) {
    const std::string svg = DefaultAvatar(id * 7919 + 1'000'000'000'000, "x").bytes;
    const size_t at = svg.find("fill=\"#");
    ASSERT_NE(at, std::string::npos);
    const std::string hex = svg.substr(at + 7, 6);
    colours.insert(hex);
    const int r = std::stoi(hex.substr(0, 2), nullptr, 16), g = std::stoi(hex.substr(2, 2), nullptr, 16),
              b = std::stoi(hex.substr(4, 2), nullptr, 16);
    EXPECT_GE(1.05 / (Luminance(r, g, b) + 0.05), 4.5) << hex;
    EXPECT_GT(std::max({r, g, b}) - std::min({r, g, b}), 30) << hex << " is too grey";
  }
  EXPECT_GT(colours.size(), 100u);
}

}  // namespace
}  // namespace tribune::avatars
