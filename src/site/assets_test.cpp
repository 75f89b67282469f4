#include "site/assets.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace tribune::site {
namespace {

std::string Gunzip(const std::string& in) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(Assets, TheStylesheetIsEmbeddedWithItsTypeAndAGzipCopyOfTheSameBytes) {
  const Asset* css = FindAsset("static/site.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_NE(css->bytes.find("--brand"), std::string_view::npos);
  ASSERT_FALSE(css->gzip.empty());
  EXPECT_LT(css->gzip.size(), css->bytes.size());
  EXPECT_EQ(Gunzip(css->gzip), std::string(css->bytes));
  EXPECT_EQ(*css->shared, std::string(css->bytes));
}

TEST(Assets, StaticUrlsCarryTheContentVersion) {
  const Asset* css = FindAsset("static/site.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(StaticUrl("site.css"), "/static/site.css?v=" + css->version);
  EXPECT_EQ(css->version.size(), 16u);
  EXPECT_EQ(StaticUrl("no-such-file.js"), "/static/no-such-file.js");
}

TEST(Assets, UnknownPathsAreNotFound) {
  EXPECT_EQ(FindAsset("static/../templates/layout.mustache"), nullptr);
  EXPECT_EQ(FindAsset(""), nullptr);
  EXPECT_NE(FindAsset("templates/layout.mustache"), nullptr);
}

}  // namespace
}  // namespace tribune::site
