// The format of tests/moderation/<rule>.tsv, shared by the test driver and the engine benchmark:
// `text<TAB>expected rules<TAB>expected action`, where "\n" and "\t" in the text stand for newline and tab.
#pragma once

#include <string>
#include <string_view>

namespace tribune::testing {

inline std::string UnescapeTableText(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == 't')) {
      out.push_back(s[i + 1] == 'n' ? '\n' : '\t');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace tribune::testing
