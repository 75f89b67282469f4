#include "common/cursor.hpp"

#include <charconv>

#include "common/random.hpp"

namespace tribune {

std::string EncodeCursor(const std::vector<int64_t>& keys) {
  std::string raw;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) raw.push_back(':');
    raw += std::to_string(keys[i]);
  }
  return Base64UrlEncode(raw);
}

std::optional<std::vector<int64_t>> DecodeCursor(const std::string& cursor, size_t count) {
  if (cursor.empty() || cursor.size() > 128) return std::nullopt;
  auto raw = Base64UrlDecode(cursor);
  if (!raw) return std::nullopt;
  std::vector<int64_t> keys;
  const char* p = raw->data();
  const char* end = p + raw->size();
  while (p < end) {
    int64_t v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || next == p) return std::nullopt;
    keys.push_back(v);
    p = next;
    if (p < end) {
      if (*p != ':') return std::nullopt;
      ++p;
      if (p == end) return std::nullopt;
    }
  }
  if (keys.size() != count) return std::nullopt;
  return keys;
}

}  // namespace tribune
