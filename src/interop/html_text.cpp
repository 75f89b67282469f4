#include "interop/html_text.hpp"

#include <cstdint>

#include "text/utf8.hpp"

namespace tribune::interop {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The tag's name in lower case ("p", "/p", "br"), from just after '<'.
std::string TagName(std::string_view html, size_t i) {
  std::string name;
  if (i < html.size() && html[i] == '/') name.push_back('/'), ++i;
  while (i < html.size() && name.size() < 16) {
    const char c = html[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) break;
    name.push_back(Lower(c));
    ++i;
  }
  return name;
}

bool IsBreak(const std::string& tag) {
  static constexpr std::string_view kBlocks[] = {"br", "/p", "p", "/div", "div", "/li", "/blockquote", "blockquote",
                                                 "/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "/tr", "hr", "/pre", "/ul", "/ol"};
  for (std::string_view b : kBlocks) {
    if (tag == b) return true;
  }
  return false;
}

// A character reference at html[i] == '&': appends its character and returns the length consumed, or 0.
size_t DecodeReference(std::string_view html, size_t i, std::string& out) {
  const size_t semi = html.substr(i, 12).find(';');  // never further: "&&&…" must stay linear
  if (semi == std::string_view::npos || semi > 10) return 0;
  const size_t end = i + semi;
  const std::string_view ref = html.substr(i + 1, end - i - 1);
  static constexpr std::pair<std::string_view, uint32_t> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}, {"ndash", 0x2013},
      {"mdash", 0x2014}, {"hellip", 0x2026}, {"laquo", 0xAB}, {"raquo", 0xBB}, {"rsquo", 0x2019}, {"lsquo", 0x2018},
      {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"euro", 0x20AC}, {"copy", 0xA9}};
  for (const auto& [name, cp] : kNamed) {
    if (ref == name) {
      text::AppendUtf8(out, static_cast<char32_t>(cp));
      return end - i + 1;
    }
  }
  if (ref.size() < 2 || ref[0] != '#') return 0;
  uint32_t cp = 0;
  const bool hex = ref[1] == 'x' || ref[1] == 'X';
  const std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 7) return 0;
  for (char c : digits) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (hex && Lower(c) >= 'a' && Lower(c) <= 'f') {
      d = static_cast<uint32_t>(Lower(c) - 'a' + 10);
    } else {
      return 0;
    }
    cp = cp * (hex ? 16 : 10) + d;
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  text::AppendUtf8(out, static_cast<char32_t>(cp));
  return end - i + 1;
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string raw;
  raw.reserve(html.size());
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        const size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      const std::string tag = TagName(html, i + 1);
      if (tag.empty() || tag == "/") {  // not a tag: a lone '<'
        raw.push_back(c);
        ++i;
        continue;
      }
      const size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;  // an unfinished tag ends the text
      i = close + 1;
      if (tag == "script" || tag == "style") {
        const std::string end_tag = "</" + tag;
        size_t j = i;
        while (j < html.size()) {
          const size_t lt = html.find("</", j);
          if (lt == std::string_view::npos) { j = html.size(); break; }
          if (TagName(html, lt + 1) == "/" + tag) {
            const size_t gt = html.find('>', lt);
            j = gt == std::string_view::npos ? html.size() : gt + 1;
            break;
          }
          j = lt + 2;
        }
        i = j;
        continue;
      }
      if (IsBreak(tag)) raw.push_back('\n');
      continue;
    }
    if (c == '&') {
      if (const size_t used = DecodeReference(html, i, raw); used > 0) {
        i += used;
        continue;
      }
    }
    raw.push_back(c);
    ++i;
  }
  // Trim each line's trailing spaces, collapse blank-line runs, trim the whole.
  std::string out;
  out.reserve(raw.size());
  size_t newlines = 0;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find('\n', start);
    if (end == std::string::npos) end = raw.size();
    std::string_view line(raw.data() + start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) {
      ++newlines;
    } else {
      if (!out.empty()) out.append(newlines >= 2 ? "\n\n" : "\n");
      out.append(line);
      newlines = 1;
    }
    start = end + 1;
  }
  size_t lead = 0;
  while (lead < out.size() && (out[lead] == ' ' || out[lead] == '\t')) ++lead;
  return out.substr(lead);
}

}  // namespace tribune::interop
