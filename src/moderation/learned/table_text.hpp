// The one escape of the rule tables (tests/moderation/*.tsv) and of the training tables of
// `tribune model train` (online_table.hpp): in a text, "\n" and "\t" stand for a newline and a tab; nothing
// else is an escape. Header-only, so the test driver, the benchmarks and the product share it.
#pragma once

#include <string>
#include <string_view>

namespace tribune::moderation::learned {

inline std::string UnescapeTableText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
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

}  // namespace tribune::moderation::learned
