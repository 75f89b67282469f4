#include "notify/texts.hpp"

namespace tribune::notify {

namespace {

enum class L { kEn, kFr, kRu };

L Pick(std::string_view language) {
  if (language == "fr") return L::kFr;
  if (language == "ru") return L::kRu;
  return L::kEn;
}

}  // namespace

std::string ReplyTitle(std::string_view language, std::string_view replier) {
  const std::string name(replier);
  switch (Pick(language)) {
    case L::kFr: return name + " a répondu à votre commentaire";
    case L::kRu: return name + " ответил(а) на ваш комментарий";
    case L::kEn: break;
  }
  return name + " replied to your comment";
}

std::string FollowTitle(std::string_view language, std::string_view article_title) {
  const std::string title(article_title);
  switch (Pick(language)) {
    case L::kFr: return "Nouveaux commentaires : " + title;
    case L::kRu: return "Новые комментарии: " + title;
    case L::kEn: break;
  }
  return "New comments: " + title;
}

std::string BreakingTitle(std::string_view language) {
  switch (Pick(language)) {
    case L::kFr: return "Dernière minute";
    case L::kRu: return "Срочная новость";
    case L::kEn: break;
  }
  return "Breaking news";
}

std::string Excerpt(std::string_view text, size_t max) {
  std::string flat;
  flat.reserve(std::min(text.size(), max + 8));
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += c;
    if (flat.size() > max + 4) break;
  }
  if (flat.size() <= max) return flat;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(flat[end]) & 0xC0) == 0x80) --end;
  const size_t word = flat.rfind(' ', end);
  if (word != std::string::npos && word > max / 2) end = word;
  return flat.substr(0, end) + "\xE2\x80\xA6";
}

}  // namespace tribune::notify
