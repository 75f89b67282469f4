#include <gtest/gtest.h>

#include "http/pages/site_page.hpp"

namespace tribune::http {
namespace {

TEST(MediaOrigin, PlainHttpAndHttpsUrlsGiveTheirOrigin) {
  EXPECT_EQ(*MediaOrigin("https://radio.example.org/live.mp3"), "https://radio.example.org");
  EXPECT_EQ(*MediaOrigin("http://127.0.0.1:8000/stream?x=1#y"), "http://127.0.0.1:8000");
  EXPECT_EQ(*MediaOrigin("https://radio.example.org"), "https://radio.example.org");
}

TEST(MediaOrigin, AnythingThatCouldBreakTheCspOrThePageIsRefused) {
  for (const char* bad : {"", "javascript:alert(1)", "data:audio/wav;base64,AAAA", "ftp://radio.example.org/x",
                          "radio.example.org/live", "https:///live", "https://user@radio.example.org/",
                          "https://radio.example.org/a;script-src *", "https://radio.example.org/a b",
                          "https://radio.example.org/\"onerror=", "https://radio.example.org/a,b",
                          "https://radio.example.org/\xC3\xA9"}) {
    auto r = MediaOrigin(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << bad;
    }
  }
}

}  // namespace
}  // namespace tribune::http
