// The site's words in English, French and Russian. Strings live in web/strings/*.json, one object per
// file: {"key": {"en": "...", "fr": "...", "ru": "..."}}; every key must have all three (a unit test checks).
// Plural strings hold the forms separated by '|': "one|other" for en/fr, "one|few|many" for ru.
// Placeholders are {name}. Loaded once from the embedded files; thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tribune::site {

enum class Lang { kEn = 0, kFr = 1, kRu = 2 };
inline constexpr int kLangCount = 3;

std::string_view LangCode(Lang lang);
// "en", "fr", "ru" (case-insensitive, region ignored: "fr-CA" is fr); nullopt for anything else.
std::optional<Lang> ParseLang(std::string_view code);
// The best of en/fr/ru for an Accept-Language header, or nullopt when it names none of them.
std::optional<Lang> FromAcceptLanguage(std::string_view header);

// The string for `key` in `lang`; the key itself when unknown (a unit test keeps that from shipping).
std::string_view T(Lang lang, std::string_view key);
// T with {name} placeholders filled (values are inserted as they are: escape them for HTML yourself).
std::string Format(Lang lang, std::string_view key,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> values);
// The plural form of `key` for n, with {n} filled: "1 comment", "5 комментариев".
std::string Plural(Lang lang, std::string_view key, int64_t n);

// "30 November 2026, 22:15" in UTC, in the language's own words ("30 ноября 2026, 22:15").
std::string FormatDate(Lang lang, int64_t unix_micros);
// "30 Nov 2026" (short form, for lists).
std::string FormatDay(Lang lang, int64_t unix_micros);

// Every key with its three texts (for the pages' script strings and the completeness test).
const std::map<std::string, std::string, std::less<>>& AllStrings(Lang lang);

}  // namespace tribune::site
