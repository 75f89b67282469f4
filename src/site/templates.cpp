#include "site/templates.hpp"

#include <array>
#include <map>
#include <memory>
#include <unordered_map>

#include "site/assets.hpp"
#include "text/utf8.hpp"

namespace tribune::site {

namespace {

using Mustache = kainjow::mustache::mustache;

std::string_view SourceOf(std::string_view name) {
  std::string path = "templates/";
  path += name;
  path += ".mustache";
  const Asset* a = FindAsset(path);
  return a ? a->bytes : std::string_view();
}

// Includes partials and fills [[keys]]; problems go to `errors` (when given).
std::string Localise(std::string_view name, Lang lang, std::vector<std::string>* errors, int depth = 0) {
  std::string out;
  const std::string_view src = SourceOf(name);
  if (src.empty() && errors) errors->push_back(std::string(name) + ": no such template");
  size_t i = 0;
  while (i < src.size()) {
    const size_t key_at = src.find("[[", i), part_at = src.find("{{>", i);
    const size_t at = std::min(key_at, part_at);
    if (at == std::string_view::npos) {
      out.append(src.substr(i));
      break;
    }
    out.append(src.substr(i, at - i));
    if (at == key_at) {
      const size_t end = src.find("]]", at + 2);
      if (end == std::string_view::npos) {
        out.append(src.substr(at));
        break;
      }
      const std::string_view key = src.substr(at + 2, end - at - 2);
      const std::string_view text = T(lang, key);
      if (errors && text == key) errors->push_back(std::string(name) + "/" + std::string(LangCode(lang)) + ": no string " + std::string(key));
      out += text::HtmlEscape(text);
      i = end + 2;
    } else {
      const size_t end = src.find("}}", at + 3);
      if (end == std::string_view::npos) {
        out.append(src.substr(at));
        break;
      }
      std::string_view partial = src.substr(at + 3, end - at - 3);
      while (!partial.empty() && partial.front() == ' ') partial.remove_prefix(1);
      while (!partial.empty() && partial.back() == ' ') partial.remove_suffix(1);
      if (depth < 8) out += Localise(partial, lang, errors, depth + 1);
      i = end + 2;
    }
  }
  return out;
}

Mustache* Parsed(std::string_view name, Lang lang) {
  thread_local std::array<std::unordered_map<std::string, std::unique_ptr<Mustache>>, kLangCount> cache;
  auto& m = cache[static_cast<int>(lang)];
  auto it = m.find(std::string(name));
  if (it == m.end()) {
    it = m.emplace(std::string(name), std::make_unique<Mustache>(Localise(name, lang, nullptr))).first;
  }
  return it->second.get();
}

}  // namespace

std::string Render(std::string_view name, Lang lang, const Data& data) {
  Mustache* m = Parsed(name, lang);
  if (!m->is_valid()) return {};
  std::string out;
  out.reserve(16384);
  m->render(data, [&out](const std::string& s) { out += s; });
  return out;
}

std::vector<std::string> CheckTemplates() {
  std::vector<std::string> errors;
  for (const Asset& a : AllAssets()) {
    if (!a.path.starts_with("templates/") || !a.path.ends_with(".mustache")) continue;
    const std::string name = a.path.substr(10, a.path.size() - 10 - 9);
    for (int l = 0; l < kLangCount; ++l) {
      const Lang lang = static_cast<Lang>(l);
      Mustache m(Localise(name, lang, &errors));
      if (!m.is_valid()) errors.push_back(name + "/" + std::string(LangCode(lang)) + ": " + m.error_message());
    }
  }
  return errors;
}

}  // namespace tribune::site
