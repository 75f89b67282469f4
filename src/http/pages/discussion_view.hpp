// The discussion under an article as HTML: the thread of comments (comment.mustache, one template for the server
// and — cloned from a <template> element — for discussion.js), the composer, the report dialog.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "discussion/discussion.hpp"
#include "http/pages/site_page.hpp"
#include "news/news.hpp"

namespace tribune::http {

// Comments as nested <li> elements: a reply goes under its parent when the parent is among `items` (replies
// deeper than kMaxDepth stay at that depth); otherwise it starts at the top level.
inline constexpr int kMaxDepth = 4;

// The community standards' rules in the order the standards page lists them (ids as in DESIGN.md).
inline constexpr const char* kRuleIds[] = {
    "off_topic", "hate", "minors", "extremism_illegal", "insult_threat", "insult_publisher", "privacy_personal_data",
    "violence_cruelty", "suicide", "commercial_political_ads", "unauthorised_promotion", "profanity", "spam_scheme",
    "drugs", "malware_links", "flash_mob", "flood", "trolling", "form", "language"};
std::string RenderThread(site::Lang lang, const std::vector<discussion::CommentView>& items);

struct DiscussionRender {
  std::string html;
  boost::json::object data;  // for discussion.js: article, next cursor, limits, rules
};

// The whole discussion section. `cursor`: the page of comments to show (links "Show more" without JavaScript).
// `embed`: the framed version for other sites (read-only, links open Tribune in a new tab).
Result<DiscussionRender> RenderDiscussion(SiteContext& ctx, const PageVisit& visit, const news::Article& article,
                                          const std::string& cursor, bool embed);

}  // namespace tribune::http
