// What the article API and the editor pages share: reading an article's fields from JSON or a form, and the
// editors' JSON view of an article (any status).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "common/result.hpp"
#include "http/http.hpp"
#include "news/news.hpp"

namespace tribune::http {

// "2026-11-30T22:15:00Z", with optional fractional seconds and a "+01:00" offset (article_handlers.cpp).
std::optional<int64_t> ParseRfc3339(const std::string& s);

// The field `key` of a JSON body as a time: absent → nullopt; null → a present but empty time; an RFC 3339 string
// → that time. Errors: kBadRequest naming the field for anything else.
Result<std::optional<std::optional<int64_t>>> OptionalTime(const boost::json::object& body, std::string_view key);

// The fields of an article in a JSON body: slug, title, lead, body, section, tags, image {url, caption, credit},
// language, kind, byline, recommended_until, published_at (RFC 3339 or null), related ([ids]); `extra` names
// the other fields the endpoint accepts (read by the caller). Errors: kBadRequest (unknown field, wrong type).
Result<news::ArticlePatch> ParseArticleFields(const boost::json::object& body,
                                              std::initializer_list<std::string_view> extra);
// A patch of every field as a new article (absent fields empty).
news::NewArticle AsNewArticle(const news::ArticlePatch& p);

// "draft" | "scheduled" | "published" | "unpublished".
std::string DisplayStatus(const news::Article& a, int64_t now);

// ArticleJson plus what editors see: status, planned_at, updated_at, related; published_at and short_url are null
// while there are none.
boost::json::object EditorArticleJson(const news::Article& a, const std::string& base_url, int64_t now);

struct ApiContext;
// PATCH, publish, unpublish, the editors' list, image upload and serving (article_editor_handlers.cpp).
void RegisterArticleEditorRoutes(Router& router, ApiContext& ctx);
// GET /api/v1/articles?status= (editors).
Result<Response> EditorList(ApiContext& ctx, Request& req);

}  // namespace tribune::http
