#include "text/utf8.hpp"

#include <cstdint>

namespace tribune::text {
namespace {

constexpr char32_t kReplacementChar = 0xFFFD;

bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
    case 0x00A0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200B;
  }
}

}  // namespace

// Decodes the code point starting at `pos` and advances `pos` past it. Meant for valid UTF-8; on a
// malformed sequence it yields U+FFFD and advances one byte, so it never reads out of bounds.
char32_t DecodeCodePoint(std::string_view s, size_t& pos) {
  const auto lead = static_cast<uint8_t>(s[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  size_t length = 0;
  char32_t code_point = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    ++pos;
    return kReplacementChar;
  }
  if (s.size() - pos < length) {
    ++pos;
    return kReplacementChar;
  }
  for (size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<uint8_t>(s[pos + i]);
    if ((byte & 0xC0) != 0x80) {
      ++pos;
      return kReplacementChar;
    }
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  pos += length;
  return code_point;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}


bool IsValidUtf8(std::string_view s) {
  const size_t size = s.size();
  size_t pos = 0;
  while (pos < size) {
    const auto lead = static_cast<uint8_t>(s[pos]);
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    // Per Unicode Table 3-7 (well-formed byte sequences): the lead byte fixes the length and the
    // allowed range of the second byte, which is what excludes overlongs, surrogates and > U+10FFFF.
    size_t length = 0;
    uint8_t second_min = 0x80;
    uint8_t second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) second_min = 0xA0;  // Overlong below U+0800.
      if (lead == 0xED) second_max = 0x9F;  // Surrogates U+D800–U+DFFF.
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) second_min = 0x90;  // Overlong below U+10000.
      if (lead == 0xF4) second_max = 0x8F;  // Above U+10FFFF.
    } else {
      return false;  // Stray continuation byte, overlong lead C0/C1, or F5–FF.
    }
    if (size - pos < length) return false;
    const auto second = static_cast<uint8_t>(s[pos + 1]);
    if (second < second_min || second > second_max) return false;
    for (size_t i = 2; i < length; ++i) {
      if ((static_cast<uint8_t>(s[pos + i]) & 0xC0) != 0x80) return false;
    }
    pos += length;
  }
  return true;
}

size_t CountCodePoints(std::string_view valid_utf8) {
  size_t count = 0;
  for (const char c : valid_utf8) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool IsBlank(std::string_view valid_utf8) {
  size_t pos = 0;
  while (pos < valid_utf8.size()) {
    if (!IsUnicodeSpace(DecodeCodePoint(valid_utf8, pos))) return false;
  }
  return true;
}

bool HasForbiddenControls(std::string_view valid_utf8) {
  size_t pos = 0;
  while (pos < valid_utf8.size()) {
    const char32_t c = DecodeCodePoint(valid_utf8, pos);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
    if (c >= 0x7F && c <= 0x9F) return true;
  }
  return false;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace tribune::text
