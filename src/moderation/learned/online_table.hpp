// Training tables for the online model (online_model.hpp), as read by `tribune model train --from`.
//
// One example per line, in either of two forms (told apart by the first column):
//   label<TAB>text                  label is "ok" or a known rule id (policy.hpp KnownRules())
//   text<TAB>rules<TAB>action[...]  the rule tables of tests/moderation/*.tsv: `rules` is "-" (→ "ok")
//                                   or comma-separated rule ids (→ the first one); `action` is
//                                   publish, hold, reject or *; further columns are ignored
// In the text, "\n" and "\t" stand for a newline and a tab (as in the rule tables). Lines starting with
// '#' (comments and the tables' directives) and blank lines are skipped. Any other line that does not
// fit — too few columns, an unknown rule id or action, an empty text, invalid UTF-8 — is an error:
// kBadRequest naming the line number (and the source name), and the caller trains nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace tribune::moderation::learned {

struct LabelledText {
  std::string label;  // "ok" or a rule id
  std::string text;
  int line = 0;       // 1-based line in the source
};

// Parses the whole table first; nothing is returned unless every line is valid.
Result<std::vector<LabelledText>> ParseTrainingTable(std::string_view data, std::string_view source_name = "table");

class OnlineModel;
// Parses `data` and, only if it is valid, trains `model` on every example in order (Update with
// `now_us`). Returns the examples trained.
Result<std::vector<LabelledText>> TrainFromTable(OnlineModel& model, std::string_view data, std::string_view source_name,
                                                 int64_t now_us);

}  // namespace tribune::moderation::learned
