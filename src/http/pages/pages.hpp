// Reader pages rendered on the server: "/" (all news) and "/articles/{slug}" (article + discussion).
// Everything user-supplied is HTML-escaped; comment HTML comes from the safe Markdown renderer.
#pragma once

#include <string>

#include "discussion/discussion.hpp"
#include "http/http.hpp"
#include "news/news.hpp"

namespace tribune::http {

struct PageContext {
  news::ArticleService& articles;
  discussion::CommentService& comments;
  std::string site_name;
};

// The page shell (header, styles) around `content`, which must already be escaped HTML.
std::string Layout(const std::string& site_name, const std::string& title, const std::string& content);
// An HTML response with the pages' security headers.
Response Html(int status, std::string body);

Response FrontPage(const PageContext& ctx);
Response ArticlePage(const PageContext& ctx, const std::string& slug);
void RegisterPages(Router& router, PageContext& ctx);

}  // namespace tribune::http
