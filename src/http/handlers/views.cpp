#include "http/handlers/views.hpp"

#include <boost/json.hpp>

#include "common/clock.hpp"

namespace tribune::http {

namespace json = boost::json;

std::string IdString(int64_t id) { return std::to_string(id); }

json::object AccountJson(const accounts::Account& a) {
  json::array roles;
  for (const auto& r : a.roles) roles.emplace_back(r);
  return json::object{{"id", IdString(a.id)},
                      {"email", a.email},
                      {"display_name", a.display_name},
                      {"roles", std::move(roles)},
                      {"status", a.status},
                      {"language", a.language},
                      {"avatar_url", "/api/v1/accounts/" + IdString(a.id) + "/avatar"},
                      {"created_at", FormatRfc3339(a.created_at)}};
}

json::object ArticleJson(const news::Article& a, const std::string& base_url) {
  json::array tags;
  for (const auto& t : a.tags) tags.emplace_back(t);
  const std::string path = "/articles/" + a.slug;
  return json::object{
      {"id", IdString(a.id)},
      {"slug", a.slug},
      {"title", a.title},
      {"lead", a.lead},
      {"body", a.body},
      {"section", a.section},
      {"tags", std::move(tags)},
      {"image", json::object{{"url", a.image.url}, {"caption", a.image.caption}, {"credit", a.image.credit}}},
      {"language", a.language},
      {"edition", a.edition},
      {"published_at", FormatRfc3339(a.published_at)},
      {"url", base_url + path},
      {"short_url", base_url + "/s/" + a.short_code},
      {"views", a.views},
      {"comment_count", a.comment_count},
      {"kind", a.kind},
      {"byline", a.byline},
      {"recommended_until",
       a.recommended_until ? json::value(FormatRfc3339(*a.recommended_until)) : json::value(nullptr)},
  };
}

json::object CommentJson(const discussion::CommentView& c) {
  const bool deleted = c.status == "deleted";
  json::object author;
  author["id"] = deleted ? json::value(nullptr) : json::value(IdString(c.author_id));
  author["display_name"] = deleted ? "" : c.author_name;
  return json::object{
      {"id", IdString(c.id)},
      {"article_id", IdString(c.article_id)},
      {"parent_id", c.parent_id ? json::value(IdString(*c.parent_id)) : json::value(nullptr)},
      {"author", std::move(author)},
      {"body", c.body},
      {"body_html", c.body_html},
      {"created_at", FormatRfc3339(c.created_at)},
      {"edited_at", c.edited_at ? json::value(FormatRfc3339(*c.edited_at)) : json::value(nullptr)},
      {"status", c.status},
      {"reply_count", c.reply_count},
      {"edited_by_moderator", c.edited_by_moderator},
  };
}

}  // namespace tribune::http
