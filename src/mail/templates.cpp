// The template catalogue: kinds, lookup by language with the English fallback.
#include <string_view>
#include <vector>

#include "mail/mail.hpp"

namespace tribune::mail {

const std::vector<std::string>& KnownKinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> out;
    for (const auto& t : internal::TemplatesEn()) out.emplace_back(t.kind);
    return out;
  }();
  return kinds;
}

namespace internal {

const Template* FindTemplate(std::string_view kind, std::string_view language) {
  const std::vector<Template>* table = &TemplatesEn();
  if (language == "fr") table = &TemplatesFr();
  if (language == "ru") table = &TemplatesRu();
  for (const auto& t : *table) {
    if (t.kind == kind) return &t;
  }
  if (table != &TemplatesEn()) return FindTemplate(kind, "en");
  return nullptr;
}

}  // namespace internal
}  // namespace tribune::mail
