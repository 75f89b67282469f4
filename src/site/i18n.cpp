#include "site/i18n.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <cctype>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "site/assets.hpp"

namespace tribune::site {

namespace {

using Table = std::array<std::map<std::string, std::string, std::less<>>, kLangCount>;

Table Load() {
  Table t;
  for (const Asset& a : AllAssets()) {
    if (!a.path.starts_with("strings/") || !a.path.ends_with(".json")) continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(a.bytes, ec);
    if (ec || !v.is_object()) throw std::runtime_error("web/" + a.path + " is not a JSON object");
    for (const auto& [key, texts] : v.as_object()) {
      if (!texts.is_object()) continue;
      for (int l = 0; l < kLangCount; ++l) {
        const auto* s = texts.as_object().if_contains(LangCode(static_cast<Lang>(l)));
        if (s && s->is_string()) t[l].emplace(std::string(key), std::string(s->as_string()));
      }
    }
  }
  return t;
}

const Table& Strings() {
  static const Table t = Load();
  return t;
}

void Replace(std::string& s, std::string_view name, std::string_view value) {
  std::string token = "{";
  token += name;
  token += "}";
  for (size_t at = s.find(token); at != std::string::npos; at = s.find(token, at + value.size())) {
    s.replace(at, token.size(), value);
  }
}

int PluralIndex(Lang lang, int64_t n) {
  const int64_t a = n < 0 ? -n : n;
  switch (lang) {
    case Lang::kEn: return a == 1 ? 0 : 1;
    case Lang::kFr: return a <= 1 ? 0 : 1;  // French: 0 and 1 take the singular
    case Lang::kRu: {
      const int64_t d = a % 10, h = a % 100;
      if (d == 1 && h != 11) return 0;
      if (d >= 2 && d <= 4 && (h < 12 || h > 14)) return 1;
      return 2;
    }
  }
  return 1;
}

constexpr std::array<std::array<const char*, 12>, kLangCount> kMonths = {{
    {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December"},
    {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
     "décembre"},
    {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
     "декабря"},
}};
constexpr std::array<std::array<const char*, 12>, kLangCount> kShortMonths = {{
    {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
    {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
    {"янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек."},
}};

std::tm Utc(int64_t micros) {
  const std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::string_view LangCode(Lang lang) {
  switch (lang) {
    case Lang::kEn: return "en";
    case Lang::kFr: return "fr";
    case Lang::kRu: return "ru";
  }
  return "en";
}

std::optional<Lang> ParseLang(std::string_view code) {
  if (code.size() < 2 || (code.size() > 2 && code[2] != '-' && code[2] != '_')) return std::nullopt;
  const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(code[0])));
  const char b = static_cast<char>(std::tolower(static_cast<unsigned char>(code[1])));
  if (a == 'e' && b == 'n') return Lang::kEn;
  if (a == 'f' && b == 'r') return Lang::kFr;
  if (a == 'r' && b == 'u') return Lang::kRu;
  return std::nullopt;
}

std::optional<Lang> FromAcceptLanguage(std::string_view header) {
  std::optional<Lang> best;
  double best_q = 0;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    double q = 1;
    if (const size_t semi = item.find(';'); semi != std::string_view::npos) {
      const std::string_view params = item.substr(semi + 1);
      item = item.substr(0, semi);
      if (const size_t qa = params.find("q="); qa != std::string_view::npos) {
        q = std::strtod(std::string(params.substr(qa + 2)).c_str(), nullptr);
      }
    }
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (auto l = ParseLang(item); l && q > best_q) {
      best = l;
      best_q = q;
    }
  }
  return best;
}

std::string_view T(Lang lang, std::string_view key) {
  const auto& m = Strings()[static_cast<int>(lang)];
  auto it = m.find(key);
  return it == m.end() ? key : std::string_view(it->second);
}

std::string Format(Lang lang, std::string_view key,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string s(T(lang, key));
  for (const auto& [name, value] : values) Replace(s, name, value);
  return s;
}

std::string Plural(Lang lang, std::string_view key, int64_t n) {
  const std::string_view all = T(lang, key);
  std::vector<std::string_view> forms;
  size_t start = 0;
  for (size_t bar = all.find('|'); bar != std::string_view::npos; bar = all.find('|', start)) {
    forms.push_back(all.substr(start, bar - start));
    start = bar + 1;
  }
  forms.push_back(all.substr(start));
  const size_t i = std::min<size_t>(static_cast<size_t>(PluralIndex(lang, n)), forms.size() - 1);
  std::string s(forms[i]);
  Replace(s, "n", std::to_string(n));
  return s;
}

std::string FormatDate(Lang lang, int64_t unix_micros) {
  const std::tm tm = Utc(unix_micros);
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02d:%02d", tm.tm_hour, tm.tm_min);
  return std::to_string(tm.tm_mday) + " " + kMonths[static_cast<int>(lang)][tm.tm_mon] + " " +
         std::to_string(tm.tm_year + 1900) + ", " + hm;
}

std::string FormatDay(Lang lang, int64_t unix_micros) {
  const std::tm tm = Utc(unix_micros);
  return std::to_string(tm.tm_mday) + " " + kShortMonths[static_cast<int>(lang)][tm.tm_mon] + " " +
         std::to_string(tm.tm_year + 1900);
}

const std::map<std::string, std::string, std::less<>>& AllStrings(Lang lang) {
  return Strings()[static_cast<int>(lang)];
}

}  // namespace tribune::site
