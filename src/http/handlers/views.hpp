// JSON views of domain objects, as API.md names their fields. Ids are strings; times RFC 3339.
#pragma once

#include <boost/json/value.hpp>

#include "accounts/accounts.hpp"
#include "discussion/discussion.hpp"
#include "news/news.hpp"

namespace tribune::http {

boost::json::object AccountJson(const accounts::Account& a);
boost::json::object ArticleJson(const news::Article& a, const std::string& base_url);
boost::json::object CommentJson(const discussion::CommentView& c);
std::string IdString(int64_t id);

}  // namespace tribune::http
