// The words of push notifications in each language the site speaks (en, fr, ru; others fall back to en).
// The mail texts live with the mail templates (src/mail/templates_*.cpp).
#pragma once

#include <string>
#include <string_view>

namespace tribune::notify {

// "<name> replied to your comment"
std::string ReplyTitle(std::string_view language, std::string_view replier);
// "New comments: <article title>"
std::string FollowTitle(std::string_view language, std::string_view article_title);
// "Breaking news" (the title; the article's headline is the body)
std::string BreakingTitle(std::string_view language);

// The start of `text` (plain), at most `max` bytes, cut at a word or character boundary with "…".
std::string Excerpt(std::string_view text, size_t max);

}  // namespace tribune::notify
