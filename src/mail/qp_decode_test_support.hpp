// For the mail tests: reads a quoted-printable body back (soft line breaks joined, =XX decoded, CR dropped), so that
// assertions can look at the text a reader sees.
#pragma once

#include <string>
#include <string_view>

namespace tribune::mail::test_support {

inline std::string DecodeQp(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      i += 2;
    } else if (in[i] == '=' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (in[i] != '\r') {
      out += in[i];
    }
  }
  return out;
}

}  // namespace tribune::mail::test_support
