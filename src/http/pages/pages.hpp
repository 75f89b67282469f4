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

Response FrontPage(const PageContext& ctx);
Response ArticlePage(const PageContext& ctx, const std::string& slug);
void RegisterPages(Router& router, PageContext& ctx);

}  // namespace tribune::http
