#include <gtest/gtest.h>

#include "http/http.hpp"

namespace tribune::http {
namespace {

Response Named(const char* name) { return Json(200, name); }

TEST(Router, MatchesPathParametersAndMethods) {
  Router r;
  r.Add("GET", "/api/v1/articles/{id}", [](Request&) { return Named("get"); });
  r.Add("GET", "/api/v1/articles/{id}/comments", [](Request&) { return Named("list"); });
  r.Add("POST", "/api/v1/articles/{id}/comments", [](Request&) { return Named("post"); });
  auto m = r.Find("GET", "/api/v1/articles/42/comments");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.at("id"), "42");
  Request req;
  EXPECT_EQ((*m.handler)(req).body, "list");
  EXPECT_EQ((*r.Find("POST", "/api/v1/articles/42/comments").handler)(req).body, "post");
  EXPECT_EQ(r.Find("GET", "/api/v1/articles/42/comments/x").handler, nullptr);
  auto wrong = r.Find("PUT", "/api/v1/articles/42");
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_TRUE(wrong.method_not_allowed);
  EXPECT_NE(r.Find("HEAD", "/api/v1/articles/1").handler, nullptr);
}

TEST(Request, ParsesQueryAndCookies) {
  Request req;
  req.query = "a=1&sort=newest&q=caf%C3%A9+bar&empty";
  req.headers = {{"cookie", "x=1; __Host-tribune_session=abc; y=2"}};
  EXPECT_EQ(req.Query("sort"), "newest");
  EXPECT_EQ(req.Query("q"), "caf\xC3\xA9 bar");
  EXPECT_EQ(req.Query("empty"), "");
  EXPECT_FALSE(req.Query("missing").has_value());
  EXPECT_EQ(req.Cookie("__Host-tribune_session"), "abc");
  EXPECT_EQ(req.Cookie("z"), "");
}

TEST(ErrorResponse, CarriesCodeMessageRequestIdAndExtras) {
  Error e = MakeError(ErrorCode::kRejected, "no \"quotes\"");
  e.extra_json = "\"findings\":[]";
  Response r = ErrorResponse(e, "req-1");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body,
            R"({"error":{"code":"rejected","message":"no \"quotes\"","request_id":"req-1","findings":[]}})");
  Response internal = ErrorResponse(MakeError(ErrorCode::kInternal, "secret path /x"), "r");
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace tribune::http
