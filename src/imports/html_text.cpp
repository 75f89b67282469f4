#include "imports/html_text.hpp"

#include <cctype>
#include <cstring>

#include "text/utf8.hpp"

namespace tribune::imports {

namespace {

struct Entity {
  const char* name;
  char32_t cp;
};
constexpr Entity kEntities[] = {
    {"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},      {"apos", '\''},
    {"nbsp", ' '},      {"mdash", 0x2014},  {"ndash", 0x2013},  {"hellip", 0x2026}, {"lsquo", 0x2018},
    {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D},  {"laquo", 0xAB},    {"raquo", 0xBB},
    {"copy", 0xA9},     {"reg", 0xAE},      {"trade", 0x2122},  {"eacute", 0xE9},   {"egrave", 0xE8},
    {"agrave", 0xE0},   {"ccedil", 0xE7},   {"euro", 0x20AC},   {"bull", 0x2022},   {"middot", 0xB7},
    {"deg", 0xB0},      {"times", 0xD7},    {"uuml", 0xFC},     {"ouml", 0xF6},     {"auml", 0xE4},
};

bool Forbidden(char32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
         (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF;
}

bool IsBlockTag(std::string_view t) {
  static const char* kBlocks[] = {"p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                                  "pre", "table", "tr", "section", "article", "figure", "hr", "header", "footer"};
  for (const char* b : kBlocks) if (t == b) return true;
  return false;
}

bool IsSkippedTag(std::string_view t) {
  return t == "script" || t == "style" || t == "iframe" || t == "object" || t == "noscript" || t == "head" ||
         t == "template" || t == "svg" || t == "embed";
}

class Converter {
 public:
  Converter(bool markdown, bool text_newlines) : md_(markdown), text_newlines_(text_newlines) {}

  std::string Run(std::string_view h) {
    size_t i = 0;
    while (i < h.size()) {
      if (h[i] == '<') {
        i = Tag(h, i);
      } else if (h[i] == '&') {
        i = EntityAt(h, i);
      } else {
        size_t pos = i;
        const char32_t cp = text::DecodeCodePoint(h, pos);
        Char(cp);
        i = pos;
      }
    }
    return Finish();
  }

 private:
  void Char(char32_t cp) {
    if (Forbidden(cp)) return;
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0) {
      if ((pre_ || text_newlines_) && cp == '\n') {
        Newline(!out_.empty() && out_.back() == '\n' ? 2 : 1);
        return;
      }
      space_ = true;
      return;
    }
    if (space_ && !out_.empty() && out_.back() != '\n' && out_.back() != ' ') out_ += ' ';
    space_ = false;
    if (md_ && cp < 0x80 && std::strchr("\\`*_[]<>#|~", static_cast<int>(cp)) != nullptr) out_ += '\\';
    text::AppendUtf8(out_, cp);
  }

  void Newline(int n) {
    space_ = false;
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    if (out_.empty()) return;
    int have = 0;
    for (size_t k = out_.size(); k > 0 && out_[k - 1] == '\n'; --k) ++have;
    for (; have < n; ++have) out_ += '\n';
  }

  size_t EntityAt(std::string_view h, size_t i) {
    const size_t semi = h.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      Char('&');
      return i + 1;
    }
    const std::string_view name = h.substr(i + 1, semi - i - 1);
    char32_t cp = 0;
    if (!name.empty() && name[0] == '#') {
      const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      const std::string digits(name.substr(hex ? 2 : 1));
      if (!digits.empty() && digits.size() <= 8 &&
          digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") == std::string::npos) {
        cp = static_cast<char32_t>(std::stoul(digits, nullptr, hex ? 16 : 10));
      }
    } else {
      for (const auto& e : kEntities) if (name == e.name) cp = e.cp;
    }
    if (cp == 0 || Forbidden(cp)) {
      Char('&');
      return i + 1;
    }
    Char(cp);
    return semi + 1;
  }

  size_t Tag(std::string_view h, size_t i) {
    if (h.substr(i, 4) == "<!--") {
      const size_t end = h.find("-->", i + 4);
      return end == std::string_view::npos ? h.size() : end + 3;
    }
    size_t j = i + 1;
    const bool closing = j < h.size() && h[j] == '/';
    if (closing) ++j;
    std::string name;
    while (j < h.size() && (std::isalnum(static_cast<unsigned char>(h[j])))) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(h[j])));
      ++j;
    }
    if (name.empty()) {  // a lone '<' is text
      Char('<');
      return i + 1;
    }
    // The end of the tag, outside quoted attribute values.
    char quote = 0;
    size_t end = j;
    for (; end < h.size(); ++end) {
      if (quote) { if (h[end] == quote) quote = 0; }
      else if (h[end] == '"' || h[end] == '\'') quote = h[end];
      else if (h[end] == '>') break;
    }
    const std::string_view attrs = h.substr(j, end - j);
    const size_t next = end < h.size() ? end + 1 : h.size();
    if (IsSkippedTag(name) && !closing) {
      const std::string close = "</" + name;
      size_t k = next;
      for (;;) {  // case-insensitive search for the closing tag
        k = h.find("</", k);
        if (k == std::string_view::npos) return h.size();
        std::string cand;
        for (size_t m = k; m < h.size() && m < k + close.size(); ++m)
          cand += static_cast<char>(std::tolower(static_cast<unsigned char>(h[m])));
        if (cand == close) {
          const size_t gt = h.find('>', k);
          return gt == std::string_view::npos ? h.size() : gt + 1;
        }
        k += 2;
      }
    }
    if (name == "br") {
      Newline(1);
    } else if (name == "li" && !closing) {
      Newline(1);
      out_ += md_ ? "- " : "";
    } else if (name == "pre") {
      pre_ = !closing;
      Newline(2);
    } else if (IsBlockTag(name)) {
      Newline(2);
    } else if (name == "a" && md_) {
      if (!closing) {
        link_ = Href(attrs);
        if (!link_.empty()) {
          if (space_ && !out_.empty() && out_.back() != '\n' && out_.back() != ' ') out_ += ' ';
          space_ = false;
          out_ += '[';
          link_start_ = out_.size();
        }
      } else if (!link_.empty()) {
        if (out_.size() == link_start_) out_ += link_;  // [](url) would show nothing
        out_ += "](" + link_ + ")";
        link_.clear();
      }
    }
    return next;
  }

  // The http(s) URL of an href attribute, with what would end a Markdown link destination percent-encoded.
  static std::string Href(std::string_view attrs) {
    size_t p = 0;
    for (;;) {
      p = attrs.find("href", p);
      if (p == std::string_view::npos) return "";
      size_t q = p + 4;
      while (q < attrs.size() && attrs[q] == ' ') ++q;
      if (q < attrs.size() && attrs[q] == '=') break;
      p = q;
    }
    size_t q = attrs.find('=', p) + 1;
    while (q < attrs.size() && attrs[q] == ' ') ++q;
    std::string value;
    if (q < attrs.size() && (attrs[q] == '"' || attrs[q] == '\'')) {
      const char quote = attrs[q];
      const size_t e = attrs.find(quote, q + 1);
      value = std::string(attrs.substr(q + 1, e == std::string_view::npos ? std::string_view::npos : e - q - 1));
    } else {
      while (q < attrs.size() && attrs[q] != ' ') value += attrs[q++];
    }
    // &amp; in the attribute is the only entity that matters in practice.
    for (size_t a; (a = value.find("&amp;")) != std::string::npos;) value.replace(a, 5, "&");
    std::string lower;
    for (char c : value.substr(0, 8)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) return "";
    std::string out;
    for (unsigned char c : value) {
      if (c <= 0x20 || c == '(' || c == ')' || c == '<' || c == '>' || c == '"' || c == 0x7F) {
        static const char* kHex = "0123456789ABCDEF";
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
    return out.size() > 2000 ? "" : out;
  }

  std::string Finish() {
    if (!link_.empty()) out_ += "](" + link_ + ")";
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
    if (!md_) {
      for (char& c : out_) if (c == '\n') c = ' ';
      std::string squeezed;
      for (char c : out_) if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
      out_ = std::move(squeezed);
    }
    return out_;
  }

  bool md_;
  bool text_newlines_;
  bool space_ = false;
  bool pre_ = false;
  std::string out_;
  std::string link_;
  size_t link_start_ = 0;
};

std::string Cut(std::string s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  while (!s.empty() && s.back() == '\\') s.pop_back();  // a dangling escape
  return s;
}

}  // namespace

std::string HtmlToMarkdown(std::string_view html, size_t max_bytes, bool text_newlines) {
  return Cut(Converter(true, text_newlines).Run(html), max_bytes);
}

std::string HtmlToPlain(std::string_view html, size_t max_bytes) {
  return Cut(Converter(false, false).Run(html), max_bytes);
}

}  // namespace tribune::imports
