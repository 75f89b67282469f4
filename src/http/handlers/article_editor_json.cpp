// Reading an article's fields from JSON, and the editors' JSON view of an article.
#include <boost/json.hpp>

#include "http/handlers/article_editor.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<std::optional<std::string>> Text(const json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<std::string>{};
  if (it->value().is_null()) return std::optional<std::string>{""};  // as GetString: null is empty
  if (!it->value().is_string()) return MakeError(ErrorCode::kBadRequest, std::string(key) + " must be a string.");
  return std::optional<std::string>{std::string(it->value().as_string())};
}


}  // namespace

Result<std::optional<std::optional<int64_t>>> OptionalTime(const json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<std::optional<int64_t>>{};
  if (it->value().is_null()) return std::optional<std::optional<int64_t>>{std::optional<int64_t>{}};
  if (it->value().is_string()) {
    if (auto t = ParseRfc3339(std::string(it->value().as_string()))) {
      return std::optional<std::optional<int64_t>>{std::optional<int64_t>{*t}};
    }
  }
  return MakeError(ErrorCode::kBadRequest, std::string(key) + " must be an RFC 3339 time or null.");
}

Result<news::ArticlePatch> ParseArticleFields(const json::object& body, std::initializer_list<std::string_view> extra) {
  for (const auto& kv : body) {
    static constexpr std::string_view kFields[] = {"slug",     "title",  "lead",     "body",   "section",
                                                   "tags",     "image",  "language", "kind",   "byline",
                                                   "related",  "published_at", "recommended_until"};
    const std::string_view key = kv.key();
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields) &&
        std::find(extra.begin(), extra.end(), key) == extra.end()) {
      return MakeError(ErrorCode::kBadRequest, "Unknown field: " + std::string(key) + ".");
    }
  }
  news::ArticlePatch p;
  TRIBUNE_ASSIGN(p.slug, Text(body, "slug"));
  TRIBUNE_ASSIGN(p.title, Text(body, "title"));
  TRIBUNE_ASSIGN(p.lead, Text(body, "lead"));
  TRIBUNE_ASSIGN(p.body, Text(body, "body"));
  TRIBUNE_ASSIGN(p.section, Text(body, "section"));
  TRIBUNE_ASSIGN(p.language, Text(body, "language"));
  TRIBUNE_ASSIGN(p.kind, Text(body, "kind"));
  TRIBUNE_ASSIGN(p.byline, Text(body, "byline"));
  if (body.contains("tags")) {
    TRIBUNE_ASSIGN(p.tags, GetStringArray(body, "tags"));
  }
  if (body.contains("image")) {
    news::Image img;
    TRIBUNE_ASSIGN(const json::object* image, GetObject(body, "image"));
    if (image != nullptr) {
      TRIBUNE_TRY(AllowOnly(*image, {"url", "caption", "credit"}));
      TRIBUNE_ASSIGN(img.url, GetString(*image, "url", false));
      TRIBUNE_ASSIGN(img.caption, GetString(*image, "caption", false));
      TRIBUNE_ASSIGN(img.credit, GetString(*image, "credit", false));
    }
    p.image = img;
  }
  TRIBUNE_ASSIGN(p.published_at, OptionalTime(body, "published_at"));
  TRIBUNE_ASSIGN(p.recommended_until, OptionalTime(body, "recommended_until"));
  if (auto it = body.find("related"); it != body.end() && it->value().is_null()) {
    p.related = std::vector<int64_t>{};
  } else if (it != body.end()) {
    if (!it->value().is_array()) return MakeError(ErrorCode::kBadRequest, "related must be an array of article ids.");
    std::vector<int64_t> ids;
    for (const auto& v : it->value().as_array()) {
      std::optional<int64_t> id;
      if (v.is_string()) id = ParseId(std::string(v.as_string()));
      if (v.is_int64() && v.as_int64() > 0) id = v.as_int64();
      if (!id) return MakeError(ErrorCode::kBadRequest, "related must be an array of article ids.");
      ids.push_back(*id);
    }
    p.related = std::move(ids);
  }
  return p;
}

news::NewArticle AsNewArticle(const news::ArticlePatch& p) {
  news::NewArticle a;
  a.slug = p.slug.value_or("");
  a.title = p.title.value_or("");
  a.lead = p.lead.value_or("");
  a.body = p.body.value_or("");
  a.section = p.section.value_or("");
  a.language = p.language.value_or("");
  a.kind = p.kind.value_or("");
  a.byline = p.byline.value_or("");
  a.tags = p.tags.value_or(std::vector<std::string>{});
  a.image = p.image.value_or(news::Image{});
  if (p.published_at) a.published_at = *p.published_at;
  if (p.recommended_until) a.recommended_until = *p.recommended_until;
  a.related = p.related.value_or(std::vector<int64_t>{});
  return a;
}

std::string DisplayStatus(const news::Article& a, int64_t now) {
  if (a.status == "published" && a.published_at > now) return "scheduled";
  return a.status;
}

json::object EditorArticleJson(const news::Article& a, const std::string& base_url, int64_t now) {
  json::object o = ArticleJson(a, base_url);
  const bool out = a.status == "published";
  o["status"] = DisplayStatus(a, now);
  if (!out) o["published_at"] = nullptr;
  if (a.short_code.empty()) o["short_url"] = nullptr;
  o["planned_at"] = a.planned_at ? json::value(FormatRfc3339(*a.planned_at)) : json::value(nullptr);
  o["updated_at"] = FormatRfc3339(a.updated_at);
  json::array related;
  for (int64_t id : a.related) related.emplace_back(IdString(id));
  o["related"] = std::move(related);
  return o;
}

}  // namespace tribune::http
