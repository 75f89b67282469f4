// What article_service.cpp (create) and article_editing.cpp (edit, publish) share: validation, related items and
// short codes. Internal to src/news.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "news/news.hpp"
#include "storage/database.hpp"

namespace tribune::news {

inline constexpr size_t kMaxRelated = 12;

namespace detail {

// Every field of a new article (or of an article after a patch), as on create.
Status ValidateNewArticle(const NewArticle& a);
// The related ids name other articles of the edition (any status), without repeats. Errors: kBadRequest.
Status CheckRelated(storage::Session& s, const std::string& edition, int64_t article_id,
                    const std::vector<int64_t>& related);
// Fills a.related (single-article reads only: listings do without).
Status LoadRelated(storage::Session& s, Article& a);
// Replaces the article's related list.
Status SaveRelated(storage::Session& s, int64_t article_id, const std::vector<int64_t>& related);
// A new short code, recorded in short_codes for ever (never issued twice).
Result<std::string> IssueShortCode(storage::Session& s, int64_t article_id, int64_t now);
// What a draft holds in articles.short_code (unique, and never a code: '~' is not base64url).
std::string DraftCode(int64_t article_id);

}  // namespace detail
}  // namespace tribune::news
