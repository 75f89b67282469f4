#include "text/markdown.hpp"

#include <md4c.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/utf8.hpp"

namespace tribune::text {
namespace {

constexpr unsigned kParserFlags =
    MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS | MD_FLAG_STRIKETHROUGH;
constexpr std::string_view kLinkRel = "nofollow ugc noopener";
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";  // U+FFFD.

struct NamedEntity {
  std::string_view name;
  char32_t code_point;
};

// HTML 4.01's named character references plus &apos;, sorted by name (byte order) for binary search.
constexpr std::array kNamedEntities = std::to_array<NamedEntity>({
    {"AElig", 0xC6}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Agrave", 0xC0}, {"Alpha", 0x391}, {"Aring", 0xC5},
    {"Atilde", 0xC3}, {"Auml", 0xC4}, {"Beta", 0x392}, {"Ccedil", 0xC7}, {"Chi", 0x3A7}, {"Dagger", 0x2021},
    {"Delta", 0x394}, {"ETH", 0xD0}, {"Eacute", 0xC9}, {"Ecirc", 0xCA}, {"Egrave", 0xC8}, {"Epsilon", 0x395},
    {"Eta", 0x397}, {"Euml", 0xCB}, {"Gamma", 0x393}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Igrave", 0xCC},
    {"Iota", 0x399}, {"Iuml", 0xCF}, {"Kappa", 0x39A}, {"Lambda", 0x39B}, {"Mu", 0x39C}, {"Ntilde", 0xD1},
    {"Nu", 0x39D}, {"OElig", 0x152}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Ograve", 0xD2}, {"Omega", 0x3A9},
    {"Omicron", 0x39F}, {"Oslash", 0xD8}, {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"Phi", 0x3A6}, {"Pi", 0x3A0},
    {"Prime", 0x2033}, {"Psi", 0x3A8}, {"Rho", 0x3A1}, {"Scaron", 0x160}, {"Sigma", 0x3A3}, {"THORN", 0xDE},
    {"Tau", 0x3A4}, {"Theta", 0x398}, {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Ugrave", 0xD9},
    {"Upsilon", 0x3A5}, {"Uuml", 0xDC}, {"Xi", 0x39E}, {"Yacute", 0xDD}, {"Yuml", 0x178}, {"Zeta", 0x396},
    {"aacute", 0xE1}, {"acirc", 0xE2}, {"acute", 0xB4}, {"aelig", 0xE6}, {"agrave", 0xE0},
    {"alefsym", 0x2135}, {"alpha", 0x3B1}, {"amp", 0x26}, {"and", 0x2227}, {"ang", 0x2220}, {"apos", 0x27},
    {"aring", 0xE5}, {"asymp", 0x2248}, {"atilde", 0xE3}, {"auml", 0xE4}, {"bdquo", 0x201E}, {"beta", 0x3B2},
    {"brvbar", 0xA6}, {"bull", 0x2022}, {"cap", 0x2229}, {"ccedil", 0xE7}, {"cedil", 0xB8}, {"cent", 0xA2},
    {"chi", 0x3C7}, {"circ", 0x2C6}, {"clubs", 0x2663}, {"cong", 0x2245}, {"copy", 0xA9}, {"crarr", 0x21B5},
    {"cup", 0x222A}, {"curren", 0xA4}, {"dArr", 0x21D3}, {"dagger", 0x2020}, {"darr", 0x2193}, {"deg", 0xB0},
    {"delta", 0x3B4}, {"diams", 0x2666}, {"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA},
    {"egrave", 0xE8}, {"empty", 0x2205}, {"emsp", 0x2003}, {"ensp", 0x2002}, {"epsilon", 0x3B5},
    {"equiv", 0x2261}, {"eta", 0x3B7}, {"eth", 0xF0}, {"euml", 0xEB}, {"euro", 0x20AC}, {"exist", 0x2203},
    {"fnof", 0x192}, {"forall", 0x2200}, {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE},
    {"frasl", 0x2044}, {"gamma", 0x3B3}, {"ge", 0x2265}, {"gt", 0x3E}, {"hArr", 0x21D4}, {"harr", 0x2194},
    {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0xED}, {"icirc", 0xEE}, {"iexcl", 0xA1},
    {"igrave", 0xEC}, {"image", 0x2111}, {"infin", 0x221E}, {"int", 0x222B}, {"iota", 0x3B9},
    {"iquest", 0xBF}, {"isin", 0x2208}, {"iuml", 0xEF}, {"kappa", 0x3BA}, {"lArr", 0x21D0},
    {"lambda", 0x3BB}, {"lang", 0x2329}, {"laquo", 0xAB}, {"larr", 0x2190}, {"lceil", 0x2308},
    {"ldquo", 0x201C}, {"le", 0x2264}, {"lfloor", 0x230A}, {"lowast", 0x2217}, {"loz", 0x25CA},
    {"lrm", 0x200E}, {"lsaquo", 0x2039}, {"lsquo", 0x2018}, {"lt", 0x3C}, {"macr", 0xAF}, {"mdash", 0x2014},
    {"micro", 0xB5}, {"middot", 0xB7}, {"minus", 0x2212}, {"mu", 0x3BC}, {"nabla", 0x2207}, {"nbsp", 0xA0},
    {"ndash", 0x2013}, {"ne", 0x2260}, {"ni", 0x220B}, {"not", 0xAC}, {"notin", 0x2209}, {"nsub", 0x2284},
    {"ntilde", 0xF1}, {"nu", 0x3BD}, {"oacute", 0xF3}, {"ocirc", 0xF4}, {"oelig", 0x153}, {"ograve", 0xF2},
    {"oline", 0x203E}, {"omega", 0x3C9}, {"omicron", 0x3BF}, {"oplus", 0x2295}, {"or", 0x2228},
    {"ordf", 0xAA}, {"ordm", 0xBA}, {"oslash", 0xF8}, {"otilde", 0xF5}, {"otimes", 0x2297}, {"ouml", 0xF6},
    {"para", 0xB6}, {"part", 0x2202}, {"permil", 0x2030}, {"perp", 0x22A5}, {"phi", 0x3C6}, {"pi", 0x3C0},
    {"piv", 0x3D6}, {"plusmn", 0xB1}, {"pound", 0xA3}, {"prime", 0x2032}, {"prod", 0x220F}, {"prop", 0x221D},
    {"psi", 0x3C8}, {"quot", 0x22}, {"rArr", 0x21D2}, {"radic", 0x221A}, {"rang", 0x232A}, {"raquo", 0xBB},
    {"rarr", 0x2192}, {"rceil", 0x2309}, {"rdquo", 0x201D}, {"real", 0x211C}, {"reg", 0xAE},
    {"rfloor", 0x230B}, {"rho", 0x3C1}, {"rlm", 0x200F}, {"rsaquo", 0x203A}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"scaron", 0x161}, {"sdot", 0x22C5}, {"sect", 0xA7}, {"shy", 0xAD}, {"sigma", 0x3C3},
    {"sigmaf", 0x3C2}, {"sim", 0x223C}, {"spades", 0x2660}, {"sub", 0x2282}, {"sube", 0x2286},
    {"sum", 0x2211}, {"sup", 0x2283}, {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3}, {"supe", 0x2287},
    {"szlig", 0xDF}, {"tau", 0x3C4}, {"there4", 0x2234}, {"theta", 0x3B8}, {"thetasym", 0x3D1},
    {"thinsp", 0x2009}, {"thorn", 0xFE}, {"tilde", 0x2DC}, {"times", 0xD7}, {"trade", 0x2122},
    {"uArr", 0x21D1}, {"uacute", 0xFA}, {"uarr", 0x2191}, {"ucirc", 0xFB}, {"ugrave", 0xF9}, {"uml", 0xA8},
    {"upsih", 0x3D2}, {"upsilon", 0x3C5}, {"uuml", 0xFC}, {"weierp", 0x2118}, {"xi", 0x3BE},
    {"yacute", 0xFD}, {"yen", 0xA5}, {"yuml", 0xFF}, {"zeta", 0x3B6}, {"zwj", 0x200D}, {"zwnj", 0x200C},
});
static_assert(std::is_sorted(kNamedEntities.begin(), kNamedEntities.end(),
                             [](const NamedEntity& a, const NamedEntity& b) { return a.name < b.name; }));

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// A code point a numeric entity may produce: a Unicode scalar value that is not a control we refuse.
bool IsAcceptableEntityCodePoint(uint32_t c) {
  if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
  return c < 0x7F || c > 0x9F;
}

// Decodes an entity as md4c reports it ("&name;", "&#123;", "&#x1F;"). nullopt when unknown or refused.
std::optional<char32_t> DecodeEntity(std::string_view entity) {
  if (entity.size() < 3 || entity.front() != '&' || entity.back() != ';') return std::nullopt;
  const std::string_view body = entity.substr(1, entity.size() - 2);
  if (body.front() != '#') {
    const auto by_name = [](const NamedEntity& e, std::string_view name) { return e.name < name; };
    const auto it = std::lower_bound(kNamedEntities.begin(), kNamedEntities.end(), body, by_name);
    if (it == kNamedEntities.end() || it->name != body) return std::nullopt;
    return it->code_point;
  }
  std::string_view digits = body.substr(1);
  int base = 10;
  if (!digits.empty() && (digits.front() == 'x' || digits.front() == 'X')) {
    base = 16;
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.size() > 8) return std::nullopt;  // md4c allows at most 7 digits anyway.
  uint32_t value = 0;
  for (const char c : digits) {
    uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = value * base + digit;
  }
  if (!IsAcceptableEntityCodePoint(value)) return std::nullopt;
  return static_cast<char32_t>(value);
}

// Appends the decoded (unescaped) form of an entity, or the entity itself when it is not decodable.
void AppendDecodedEntity(std::string& out, std::string_view entity) {
  if (const auto code_point = DecodeEntity(entity)) {
    AppendUtf8(out, *code_point);
  } else {
    out += entity;
  }
}

// The plain (unescaped) string an md4c attribute stands for.
std::string DecodeAttribute(const MD_ATTRIBUTE& attribute) {
  std::string out;
  if (attribute.size == 0) return out;
  for (size_t i = 0; attribute.substr_offsets[i] < attribute.size; ++i) {
    const std::string_view part(attribute.text + attribute.substr_offsets[i],
                                attribute.substr_offsets[i + 1] - attribute.substr_offsets[i]);
    switch (attribute.substr_types[i]) {
      case MD_TEXT_ENTITY: AppendDecodedEntity(out, part); break;
      case MD_TEXT_NULLCHAR: out += kReplacementUtf8; break;
      default: out += part;
    }
  }
  return out;
}

bool StartsWithIgnoringCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

// The href to emit for a link destination (not yet HTML-escaped), or nullopt when it must not be a link.
// Mirrors what browsers do before looking at the scheme: tab/CR/LF are removed anywhere, and leading or
// trailing C0 controls and spaces are trimmed.
std::optional<std::string> SafeHref(const MD_ATTRIBUTE& destination) {
  const std::string decoded = DecodeAttribute(destination);
  std::string url;
  url.reserve(decoded.size());
  for (const char c : decoded) {
    if (c != '\t' && c != '\n' && c != '\r') url += c;
  }
  const auto is_trimmed = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  const auto first = std::find_if_not(url.begin(), url.end(), is_trimmed);
  const auto last = std::find_if_not(url.rbegin(), url.rend(), is_trimmed).base();
  const std::string_view trimmed(first < last ? &*first : url.data(), first < last ? last - first : 0);
  if (!StartsWithIgnoringCase(trimmed, "http:") && !StartsWithIgnoringCase(trimmed, "https:") &&
      !StartsWithIgnoringCase(trimmed, "mailto:")) {
    return std::nullopt;
  }
  std::string href;
  href.reserve(trimmed.size());
  for (const char c : trimmed) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) {
      constexpr std::string_view kHex = "0123456789ABCDEF";
      href += '%';
      href += kHex[byte >> 4];
      href += kHex[byte & 0x0F];
    } else {
      href += c;
    }
  }
  return href;
}

// Streams md4c events into HTML. md4c 0.4.8 does not always pair span events (a permissive autolink can
// swallow an emphasis delimiter, giving a leave without an enter or an enter without a leave), so open
// spans are tracked here: a leave closes its span and any opened after it, a leave with no open span of
// its type is ignored, and every block boundary closes whatever spans are still open.
class Renderer {
 public:
  explicit Renderer(std::string& out) : out_(out) {}

  void EnterBlock(MD_BLOCKTYPE type, const void* detail) {
    CloseAllSpans();
    switch (type) {
      case MD_BLOCK_QUOTE: out_ += "<blockquote>\n"; break;
      case MD_BLOCK_UL: out_ += "<ul>\n"; break;
      case MD_BLOCK_OL: {
        const unsigned start = static_cast<const MD_BLOCK_OL_DETAIL*>(detail)->start;
        out_ += start == 1 ? std::string("<ol>\n") : "<ol start=\"" + std::to_string(start) + "\">\n";
        break;
      }
      case MD_BLOCK_LI: out_ += "<li>"; break;
      case MD_BLOCK_H: out_ += "<p><strong>"; break;
      case MD_BLOCK_CODE: out_ += "<pre><code>"; break;
      case MD_BLOCK_P:
      case MD_BLOCK_HTML:  // Not produced under MD_FLAG_NOHTML; rendered as escaped text if it ever is.
        out_ += "<p>";
        break;
      default: break;  // MD_BLOCK_DOC, MD_BLOCK_HR (dropped), table blocks (not enabled).
    }
  }

  void LeaveBlock(MD_BLOCKTYPE type) {
    CloseAllSpans();
    switch (type) {
      case MD_BLOCK_QUOTE: out_ += "</blockquote>\n"; break;
      case MD_BLOCK_UL: out_ += "</ul>\n"; break;
      case MD_BLOCK_OL: out_ += "</ol>\n"; break;
      case MD_BLOCK_LI: out_ += "</li>\n"; break;
      case MD_BLOCK_H: out_ += "</strong></p>\n"; break;
      case MD_BLOCK_CODE: out_ += "</code></pre>\n"; break;
      case MD_BLOCK_P:
      case MD_BLOCK_HTML:
        out_ += "</p>\n";
        break;
      default: break;
    }
  }

  void EnterSpan(MD_SPANTYPE type, const void* detail) {
    std::string_view close_tag;
    if (type == MD_SPAN_IMG) {
      ++image_depth_;
    } else if (type == MD_SPAN_A) {
      if (image_depth_ == 0) {
        if (const auto href = SafeHref(static_cast<const MD_SPAN_A_DETAIL*>(detail)->href)) {
          out_ += "<a href=\"";
          out_ += HtmlEscape(*href);
          out_ += "\" rel=\"";
          out_ += kLinkRel;
          out_ += "\">";
          close_tag = "</a>";
        }
      }
    } else if (image_depth_ == 0) {  // Inside an image only the alt text, as plain text, is kept.
      switch (type) {
        case MD_SPAN_EM: out_ += "<em>"; close_tag = "</em>"; break;
        case MD_SPAN_STRONG: out_ += "<strong>"; close_tag = "</strong>"; break;
        case MD_SPAN_CODE: out_ += "<code>"; close_tag = "</code>"; break;
        case MD_SPAN_DEL: out_ += "<del>"; close_tag = "</del>"; break;
        default: break;  // Underline, LaTeX and wiki links are not enabled.
      }
    }
    open_spans_.push_back(OpenSpan{type, close_tag});
  }

  void LeaveSpan(MD_SPANTYPE type) {
    const auto it = std::find_if(open_spans_.rbegin(), open_spans_.rend(),
                                 [type](const OpenSpan& span) { return span.type == type; });
    if (it == open_spans_.rend()) return;  // Unpaired leave from md4c.
    const size_t keep = open_spans_.size() - (it - open_spans_.rbegin()) - 1;
    while (open_spans_.size() > keep) CloseLastSpan();
  }

  void Text(MD_TEXTTYPE type, std::string_view text) {
    switch (type) {
      case MD_TEXT_NULLCHAR: out_ += kReplacementUtf8; break;
      case MD_TEXT_BR: out_ += image_depth_ > 0 ? " " : "<br>\n"; break;
      case MD_TEXT_SOFTBR: out_ += '\n'; break;
      case MD_TEXT_ENTITY: {
        std::string decoded;
        AppendDecodedEntity(decoded, text);
        out_ += HtmlEscape(decoded);
        break;
      }
      default: out_ += HtmlEscape(text); break;  // Normal, code, raw HTML (never trusted), LaTeX.
    }
  }

  void Finish() { CloseAllSpans(); }

 private:
  struct OpenSpan {
    MD_SPANTYPE type;
    std::string_view close_tag;  // Empty when the span emitted no tag (refused link, image, inside an image).
  };

  void CloseLastSpan() {
    const OpenSpan span = open_spans_.back();
    open_spans_.pop_back();
    out_ += span.close_tag;
    if (span.type == MD_SPAN_IMG) --image_depth_;
  }

  void CloseAllSpans() {
    while (!open_spans_.empty()) CloseLastSpan();
  }

  std::string& out_;
  int image_depth_ = 0;
  std::vector<OpenSpan> open_spans_;
};

// md4c is C: nothing may unwind through it, so every callback turns an exception into an abort code.
constexpr int kCallbackFailed = 1;

template <class F>
int Guarded(F&& f) noexcept {
  try {
    f();
    return 0;
  } catch (...) {
    return kCallbackFailed;
  }
}

// md4c 0.4.8 can report a bogus length: for the 4 bytes "[](a" the text callback receives ~720 MB
// (found by fuzz_markdown). No text md4c hands us can be longer than the input (its own strings, such
// as "\n" for breaks, are shorter), so a longer one aborts the parse and the caller escapes the input.
thread_local size_t tls_input_size = 0;

int EnterBlockCallback(MD_BLOCKTYPE type, void* detail, void* userdata) {
  return Guarded([&] { static_cast<Renderer*>(userdata)->EnterBlock(type, detail); });
}
int LeaveBlockCallback(MD_BLOCKTYPE type, void* /*detail*/, void* userdata) {
  return Guarded([&] { static_cast<Renderer*>(userdata)->LeaveBlock(type); });
}
// Link destinations may exceed the input by the scheme md4c prepends to autolinks ("mailto:", "http://").
bool AttributeInBounds(const MD_ATTRIBUTE& a, size_t input_size) {
  return a.size <= input_size + 16 && (a.size == 0 || a.text != nullptr);
}

int EnterSpanCallback(MD_SPANTYPE type, void* detail, void* userdata) {
  // The same guard for link and image attributes (see TextCallback).
  if (type == MD_SPAN_A && !AttributeInBounds(static_cast<const MD_SPAN_A_DETAIL*>(detail)->href, tls_input_size)) {
    return kCallbackFailed;
  }
  if (type == MD_SPAN_IMG && !AttributeInBounds(static_cast<const MD_SPAN_IMG_DETAIL*>(detail)->src, tls_input_size)) {
    return kCallbackFailed;
  }
  return Guarded([&] { static_cast<Renderer*>(userdata)->EnterSpan(type, detail); });
}
int LeaveSpanCallback(MD_SPANTYPE type, void* /*detail*/, void* userdata) {
  return Guarded([&] { static_cast<Renderer*>(userdata)->LeaveSpan(type); });
}
int TextCallback(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* userdata) {
  if (size > tls_input_size || (size > 0 && text == nullptr)) return kCallbackFailed;
  return Guarded([&] { static_cast<Renderer*>(userdata)->Text(type, std::string_view(text, size)); });
}

std::string EscapedParagraph(std::string_view markdown) {
  if (markdown.empty()) return {};
  return "<p>" + HtmlEscape(markdown) + "</p>\n";
}

}  // namespace

std::string RenderMarkdown(std::string_view markdown) {
  if (markdown.empty()) return {};
  if (markdown.size() > std::numeric_limits<MD_SIZE>::max()) return EscapedParagraph(markdown);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = kParserFlags;
  parser.enter_block = EnterBlockCallback;
  parser.leave_block = LeaveBlockCallback;
  parser.enter_span = EnterSpanCallback;
  parser.leave_span = LeaveSpanCallback;
  parser.text = TextCallback;
  std::string out;
  out.reserve(markdown.size() + markdown.size() / 4 + 16);
  Renderer renderer(out);
  // md4c 0.4.8 reads one byte past the end of an input that ends inside an unclosed link destination
  // (fuzz_markdown: "[](a" followed by ')' in memory crashes it). Parse our own copy, whose
  // terminating NUL is always there, whatever buffer the caller's view points into.
  const std::string input(markdown);
  tls_input_size = input.size();
  const int rc = md_parse(input.c_str(), static_cast<MD_SIZE>(input.size()), &parser, &renderer);
  if (rc != 0) return EscapedParagraph(markdown);
  renderer.Finish();
  return out;
}

}  // namespace tribune::text
