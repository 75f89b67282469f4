// fuzz_markdown: text::RenderMarkdown on valid UTF-8 (other inputs are skipped: valid UTF-8 is its
// precondition).
//
// md4c is a system library without instrumentation, so its own reads past the end of the input go
// unnoticed by ASan. Each input is therefore rendered from a copy followed by 64 ASan-poisoned guard bytes,
// twice: once with ')' there and once with NUL (what follows a std::string). RenderMarkdown takes a
// string_view, so in general the byte after the input is whatever the caller's buffer holds; the output
// must not depend on it. (md4c 0.4.8 reads one byte past an input that ends inside an inline link
// destination, "[](a", and when that byte is ')' takes it as the closer: fuzz/crashes/fuzz_markdown-*.)
// TRIBUNE_FUZZ_MD_GUARD=nul makes both renderings use NUL, to fuzz past that finding.
//
// Invariants on the HTML:
//   - valid UTF-8; no "<script" in any case;
//   - every tag is one of the allowed set (p em strong del code pre blockquote ul ol li br a), with
//     attributes only on <a> (href, rel) and <ol> (start), and tags nest properly;
//   - every href, after undoing the HTML escaping a browser undoes, dropping tab/CR/LF and trimming leading
//     spaces and controls, starts with http:, https: or mailto: (so never javascript:, data:, ...);
//   - the same bytes with ')' or NUL after the input (deterministic, and no reads past the end that matter).
#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "text/markdown.hpp"
#include "text/utf8.hpp"

namespace {

using namespace tribune;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Undoes the escaping HtmlEscape applies (and any numeric reference) the way a browser reads an attribute.
std::string UnescapeAttribute(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      const size_t semi = s.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        const std::string name(s.substr(i + 1, semi - i - 1));
        const std::string lname = Lower(name);
        char c = 0;
        if (lname == "amp") c = '&';
        else if (lname == "lt") c = '<';
        else if (lname == "gt") c = '>';
        else if (lname == "quot") c = '"';
        else if (lname == "apos") c = '\'';
        else if (lname == "colon") c = ':';
        else if (name.size() > 1 && name[0] == '#') {
          const bool hex = name[1] == 'x' || name[1] == 'X';
          const unsigned long v = std::strtoul(name.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10);
          if (v > 0 && v < 0x80) c = static_cast<char>(v);
        }
        if (c != 0) {
          out += c;
          i = semi + 1;
          continue;
        }
      }
    }
    out += s[i++];
  }
  return out;
}

void CheckHref(std::string_view raw, std::string_view html) {
  std::string url;
  for (char c : UnescapeAttribute(raw)) {
    if (c != '\t' && c != '\n' && c != '\r') url += c;  // browsers drop these anywhere in a URL
  }
  const auto first = std::find_if(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) > 0x20; });
  const std::string lower = Lower(std::string_view(url).substr(first - url.begin()));
  FUZZ_CHECK(lower.rfind("javascript:", 0) != 0, "javascript: href \"%.*s\"", static_cast<int>(raw.size()), raw.data());
  FUZZ_CHECK(lower.rfind("http:", 0) == 0 || lower.rfind("https:", 0) == 0 || lower.rfind("mailto:", 0) == 0,
             "href with a scheme other than http/https/mailto: \"%.*s\" in %.200s", static_cast<int>(raw.size()),
             raw.data(), std::string(html).c_str());
}

bool AllowedTag(std::string_view name) {
  static constexpr std::string_view kTags[] = {"p",  "em", "strong", "del", "code", "pre",
                                               "blockquote", "ul", "ol", "li", "br", "a"};
  return std::find(std::begin(kTags), std::end(kTags), name) != std::end(kTags);
}

// Walks the tags of `html`: only allowed tags and attributes, properly nested.
void CheckTags(const std::string& html) {
  std::vector<std::string> open;
  for (size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    const size_t close = html.find('>', i);
    FUZZ_CHECK(close != std::string::npos, "unterminated tag at byte %zu", i);
    const std::string_view tag(html.data() + i + 1, close - i - 1);
    const bool closing = !tag.empty() && tag[0] == '/';
    const std::string_view body = closing ? tag.substr(1) : tag;
    const size_t name_end = std::min(body.find(' '), body.size());
    const std::string name(body.substr(0, name_end));
    const std::string_view attrs = body.substr(name_end);
    FUZZ_CHECK(AllowedTag(name), "tag <%.*s> not allowed", static_cast<int>(tag.size()), tag.data());
    if (closing) {
      FUZZ_CHECK(attrs.empty(), "closing tag with attributes: <%.*s>", static_cast<int>(tag.size()), tag.data());
      FUZZ_CHECK(!open.empty() && open.back() == name, "</%s> closes <%s> in %.300s", name.c_str(),
                 open.empty() ? "(nothing)" : open.back().c_str(), html.c_str());
      open.pop_back();
      continue;
    }
    if (name == "a") {
      constexpr std::string_view kHref = " href=\"";
      FUZZ_CHECK(attrs.substr(0, kHref.size()) == kHref, "<a> without href first: <%.*s>",
                 static_cast<int>(tag.size()), tag.data());
      const size_t href_end = attrs.find('"', kHref.size());
      FUZZ_CHECK(href_end != std::string_view::npos, "unterminated href");
      CheckHref(attrs.substr(kHref.size(), href_end - kHref.size()), html);
      FUZZ_CHECK(attrs.substr(href_end + 1) == " rel=\"nofollow ugc noopener\"", "<a> attributes: %.*s",
                 static_cast<int>(attrs.size()), attrs.data());
    } else if (name == "ol") {
      if (!attrs.empty()) {
        const std::string_view kStart = " start=\"";
        FUZZ_CHECK(attrs.substr(0, kStart.size()) == kStart && attrs.back() == '"' &&
                       std::all_of(attrs.begin() + kStart.size(), attrs.end() - 1,
                                   [](char c) { return c >= '0' && c <= '9'; }),
                   "<ol> attributes: %.*s", static_cast<int>(attrs.size()), attrs.data());
      }
    } else {
      FUZZ_CHECK(attrs.empty(), "attributes on <%s>: %.*s", name.c_str(), static_cast<int>(attrs.size()),
                 attrs.data());
    }
    if (name != "br") open.push_back(name);
  }
  FUZZ_CHECK(open.empty(), "<%s> left open in %.300s", open.empty() ? "" : open.back().c_str(), html.c_str());
}

constexpr size_t kGuard = 64;

char GuardByte() {
  static const char byte = [] {
    const char* env = std::getenv("TRIBUNE_FUZZ_MD_GUARD");
    return env != nullptr && std::strcmp(env, "nul") == 0 ? '\0' : ')';
  }();
  return byte;
}

// Renders `data` from a copy followed by kGuard poisoned bytes of value `guard`.
std::string RenderGuarded(const uint8_t* data, size_t size, char guard) {
  const std::unique_ptr<char[]> buffer(new char[size + kGuard]);
  if (size > 0) std::memcpy(buffer.get(), data, size);
  std::memset(buffer.get() + size, guard, kGuard);
  ASAN_POISON_MEMORY_REGION(buffer.get() + size, kGuard);
  std::string html = text::RenderMarkdown(std::string_view(buffer.get(), size));
  ASAN_UNPOISON_MEMORY_REGION(buffer.get() + size, kGuard);
  return html;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!text::IsValidUtf8(std::string_view(reinterpret_cast<const char*>(data), size))) return -1;  // not kept

  const std::string html = RenderGuarded(data, size, GuardByte());
  FUZZ_CHECK(text::IsValidUtf8(html), "output is not valid UTF-8");
  FUZZ_CHECK(Lower(html).find("<script") == std::string::npos, "<script in output");
  CheckTags(html);
  // Deterministic, and independent of what lies after the input (a NUL, as after a std::string).
  const std::string again = RenderGuarded(data, size, '\0');
  FUZZ_CHECK(again == html,
             "the rendering depends on the bytes after the input (md4c read past the end):\n"
             "  with '%c' after it: %.300s\n  with NUL after it: %.300s",
             GuardByte() == '\0' ? '0' : GuardByte(), html.c_str(), again.c_str());
  return 0;
}
