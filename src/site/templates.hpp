// HTML templates: web/templates/<name>.mustache, rendered with kainjow mustache ({{var}} is HTML-escaped,
// {{{var}}} is not — only for HTML the server built and escaped itself). Before parsing, each template is
// localised: [[key]] becomes the HTML-escaped string of `key` in the page's language (site/i18n.hpp), and
// {{>other}} is replaced by the text of template `other` (included at load time, so partials cost nothing
// per render). Parsed templates are cached per thread (kainjow's render is not const); thread-safe.
#pragma once

#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "site/i18n.hpp"

namespace tribune::site {

using Data = kainjow::mustache::data;
using List = kainjow::mustache::list;
using Object = kainjow::mustache::object;

// Renders template `name` (without ".mustache") in `lang`. An unknown template renders as "" and logs nothing:
// CheckTemplates (run by a unit test and at start-up) keeps that from shipping.
std::string Render(std::string_view name, Lang lang, const Data& data);

// Every template localised and parsed in every language: the problems found ("name/lang: message"), empty when
// all are fine — unknown [[keys]], unknown {{>partials}}, mustache syntax errors.
std::vector<std::string> CheckTemplates();

// A Data string from a number.
inline Data Num(int64_t n) { return Data(std::to_string(n)); }
inline Data Bool(bool b) { return b ? Data(Data::type::bool_true) : Data(Data::type::bool_false); }

}  // namespace tribune::site
