#include <algorithm>
#include <cctype>

#include "accounts/accounts.hpp"
#include "text/utf8.hpp"

namespace tribune::accounts {

namespace {
std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
}  // namespace

Result<std::string> NormaliseEmail(std::string_view raw) {
  const std::string_view email = TrimAscii(raw);
  auto invalid = [] { return MakeError(ErrorCode::kBadRequest, "Enter a valid e-mail address."); };
  if (email.empty() || email.size() > 254) return invalid();
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return invalid();
  const std::string_view domain = email.substr(at + 1);
  if (at > 64 || domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return invalid();
  }
  std::string out;
  out.reserve(email.size());
  for (char ch : email) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F || c >= 0x80 || ch == '<' || ch == '>' || ch == '"' || ch == ',' || ch == ';' ||
        ch == '\\') {
      return invalid();  // internationalised addresses are not accepted yet
    }
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

Result<std::string> NormaliseDisplayName(std::string_view raw, size_t max_length) {
  const std::string_view name = TrimAscii(raw);
  if (!text::IsValidUtf8(name) || text::HasForbiddenControls(name) || name.find('\n') != std::string_view::npos ||
      name.find('\r') != std::string_view::npos || name.find('\t') != std::string_view::npos) {
    return MakeError(ErrorCode::kBadRequest, "The display name holds characters that are not allowed.");
  }
  if (text::IsBlank(name) || text::CountCodePoints(name) > max_length) {
    return MakeError(ErrorCode::kBadRequest,
                     "The display name must be 1 to " + std::to_string(max_length) + " characters long.");
  }
  return std::string(name);
}

}  // namespace tribune::accounts
