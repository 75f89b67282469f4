// EncodeArticleImage and ArticleImageService: real images made with libvips, widths never upscaled, metadata gone,
// refusals store nothing.
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <memory>
#include <set>
#include <string>

#include "avatars/article_images.hpp"
#include "avatars/avatars.hpp"
#include "support/temp_database.hpp"

namespace tribune::avatars {
namespace {

std::string Encoded(int w, int h, const std::string& format, bool with_exif = false) {
  InitVips();
  VipsImage* black = nullptr;
  EXPECT_EQ(vips_black(&black, w, h, "bands", 3, nullptr), 0);
  VipsImage* uc = nullptr;
  EXPECT_EQ(vips_cast_uchar(black, &uc, nullptr), 0);
  g_object_unref(black);
  VipsImage* img = nullptr;
  EXPECT_EQ(vips_copy(uc, &img, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr), 0);
  g_object_unref(uc);
  if (with_exif) vips_image_set_string(img, "exif-ifd0-Artist", "Secret Person (Secret Person, ASCII, 14 components, 14 bytes)");
  if (with_exif) vips_image_set_string(img, "png-comment-0-Author", "Secret Person");
  void* buf = nullptr;
  size_t len = 0;
  int rc = -1;
  if (format == "png") rc = vips_pngsave_buffer(img, &buf, &len, nullptr);
  if (format == "jpeg") rc = vips_jpegsave_buffer(img, &buf, &len, "Q", 85, nullptr);
  if (format == "webp") rc = vips_webpsave_buffer(img, &buf, &len, nullptr);
  if (format == "gif") rc = vips_gifsave_buffer(img, &buf, &len, nullptr);
  g_object_unref(img);
  EXPECT_EQ(rc, 0) << vips_error_buffer();
  std::string out(static_cast<const char*>(buf), len);
  g_free(buf);
  return out;
}

std::pair<int, int> SizeOf(const std::string& bytes) {
  VipsImage* img = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  EXPECT_NE(img, nullptr) << vips_error_buffer();
  if (img == nullptr) return {0, 0};
  std::pair<int, int> s{vips_image_get_width(img), vips_image_get_height(img)};
  g_object_unref(img);
  return s;
}

TEST(ArticleImagesTest, ALargeImageGetsEveryWidthInWebpAndJpeg) {
  for (const char* format : {"png", "jpeg", "webp"}) {
    auto out = EncodeArticleImage(Encoded(2000, 1000, format), std::string("image/") + format, {});
    ASSERT_TRUE(out.ok()) << format << ": " << out.error().message;
    std::set<std::pair<int, std::string>> got;
    for (const auto& v : *out) {
      got.insert({v.width, v.format});
      EXPECT_EQ(SizeOf(v.bytes), std::make_pair(v.width, v.width / 2)) << format << " " << v.width << v.format;
      EXPECT_EQ(v.content_type, v.format == "webp" ? "image/webp" : "image/jpeg");
      EXPECT_EQ(v.etag.front(), '"');
    }
    EXPECT_EQ(got, (std::set<std::pair<int, std::string>>{
                       {480, "webp"}, {480, "jpg"}, {960, "webp"}, {960, "jpg"}, {1600, "webp"}, {1600, "jpg"}}));
  }
}

TEST(ArticleImagesTest, ASmallImageIsNeverUpscaledAndLosesItsMetadata) {
  auto out = EncodeArticleImage(Encoded(700, 300, "jpeg", true), "image/jpeg", {});
  ASSERT_TRUE(out.ok()) << out.error().message;
  std::set<int> widths;
  for (const auto& v : *out) {
    widths.insert(v.width);
    EXPECT_EQ(v.bytes.find("Secret Person"), std::string::npos) << v.width << v.format;
  }
  EXPECT_EQ(widths, (std::set<int>{480, 700}));
}

TEST(ArticleImagesTest, RefusesWhatIsNotAnAcceptedImage) {
  const std::string png = Encoded(64, 64, "png");
  EXPECT_EQ(EncodeArticleImage("hello", "image/png", {}).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(EncodeArticleImage(png, "image/jpeg", {}).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(EncodeArticleImage(png, "", {}).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(EncodeArticleImage(Encoded(8, 8, "gif"), "image/gif", {}).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(EncodeArticleImage(png.substr(0, png.size() - 12), "image/png", {}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(EncodeArticleImage("", "image/png", {}).error().code, ErrorCode::kBadRequest);
  ArticleImageOptions small;
  small.max_upload_bytes = 100;
  EXPECT_EQ(EncodeArticleImage(png, "image/png", small).error().code, ErrorCode::kPayloadTooLarge);
  ArticleImageOptions few;
  few.max_pixels = 64 * 63;
  EXPECT_EQ(EncodeArticleImage(png, "image/png", few).error().code, ErrorCode::kPayloadTooLarge);
}

TEST(ArticleImagesTest, TheServiceStoresVariantsAndServesThem) {
  testing::TempDatabase tmp;
  FakeClock clock;
  IdGenerator ids(clock);
  ArticleImageService service(tmp.db(), clock, ids, {});
  auto img = service.Upload(Encoded(1000, 500, "png"), "image/png", 0);
  ASSERT_TRUE(img.ok()) << img.error().message;
  EXPECT_EQ(img->width, 1000);
  EXPECT_EQ(img->height, 500);
  EXPECT_EQ(img->sizes, (std::vector<std::pair<int, int>>{{480, 240}, {960, 480}, {1000, 500}}));
  auto info = service.Info(img->id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->sizes, img->sizes);
  auto v = service.Variant(img->id, 960, "webp");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(SizeOf(v->bytes), std::make_pair(960, 480));
  EXPECT_EQ(service.Variant(img->id, 961, "webp").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(service.Upload("nope", "image/png", 0).ok());
  EXPECT_EQ((*tmp.db().Read("SELECT COUNT(*) FROM images", {}))[0].Int(0), 1);
  EXPECT_EQ(UploadedImageId("/images/" + std::to_string(img->id)), img->id);
  EXPECT_FALSE(UploadedImageId("/images/12/480.jpg"));
  EXPECT_FALSE(UploadedImageId("https://example.com/images/12"));
}

}  // namespace
}  // namespace tribune::avatars
