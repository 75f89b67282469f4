// Byte-level encodings for mail: quoted-printable bodies, RFC 2047 header words, RFC 5322 dates.
#include <ctime>
#include <string>
#include <string_view>

#include "common/random.hpp"
#include "mail/mail.hpp"

namespace tribune::mail::internal {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool IsPlainAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EncodeHeaderText(std::string_view value, size_t used) {
  // Plain ASCII without "=?" that fits the line stays as it is.
  if (IsPlainAscii(value) && value.find("=?") == std::string_view::npos && used + value.size() <= 78) {
    return std::string(value);
  }
  // Encoded words of at most 39 bytes (52 base64 characters, 64 with the wrapping), split on UTF-8
  // character boundaries, one per folded line.
  constexpr size_t kChunk = 39;
  std::string out;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t end = std::min(value.size(), pos + kChunk);
    while (end < value.size() && end > pos + 1 && (uint8_t(value[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(value.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t line_len = 0;
  auto emit = [&](std::string_view piece) {
    if (line_len + piece.size() > 75) {  // leave room for the soft break '='
      out += "=\r\n";
      line_len = 0;
    }
    out += piece;
    line_len += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF comes as LF below
    if (c == '\n') {
      out += "\r\n";
      line_len = 0;
      continue;
    }
    bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    // A dot at a line start is encoded so no SMTP stack can take it for the end of data.
    if (c == '.' && line_len == 0) literal = false;
    if (literal) {
      char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      char enc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(enc, 3));
    }
  }
  return out;
}

std::string FormatRfc5322Date(int64_t micros) {
  return tribune::FormatRfc5322Date(micros);
}

std::string DerivedMessageId(std::string_view kind, std::string_view dedup_key, std::string_view domain) {
  std::string material = "tribune-mail\n";
  material += kind;
  material += '\n';
  material += dedup_key;
  return "<" + Sha256Hex(material).substr(0, 40) + "@" + std::string(domain) + ">";
}

bool IsPlainAddress(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  for (unsigned char c : address) {
    if (c <= 0x20 || c == 0x7f) return false;
    if (std::string_view("<>()[],;:\\\"").find(static_cast<char>(c)) != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace tribune::mail::internal
