#include "moderation/learned/online_table.hpp"

#include <algorithm>

#include "moderation/learned/online_model.hpp"
#include "moderation/learned/table_text.hpp"
#include "moderation/policy.hpp"
#include "text/utf8.hpp"

namespace tribune::moderation::learned {

namespace {

bool IsKnownRule(std::string_view id) {
  const auto& known = KnownRules();
  return std::find(known.begin(), known.end(), id) != known.end();
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> cols;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    cols.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return cols;
}

}  // namespace

Result<std::vector<LabelledText>> ParseTrainingTable(std::string_view data, std::string_view source_name) {
  std::vector<LabelledText> out;
  int line_no = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) nl = data.size();
    std::string_view line = data.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto bad = [&](const std::string& what) {
      return MakeError(ErrorCode::kBadRequest,
                       std::string(source_name) + ":" + std::to_string(line_no) + ": " + what);
    };
    if (line.find_first_not_of(" \t") == std::string_view::npos || line[0] == '#') continue;
    if (!text::IsValidUtf8(line)) return bad("invalid UTF-8");
    const auto cols = SplitTabs(line);
    if (cols.size() < 2) return bad("expected label<TAB>text or text<TAB>rules<TAB>action");
    LabelledText ex;
    ex.line = line_no;
    if (cols[0] == OnlineModel::kOk || IsKnownRule(cols[0])) {
      ex.label = std::string(cols[0]);
      ex.text = UnescapeTableText(line.substr(cols[0].size() + 1));
    } else {
      if (cols.size() < 3) {
        return bad("\"" + std::string(cols[0].substr(0, 40)) +
                   "\" is not ok or a known rule id, and the line has no rules<TAB>action columns");
      }
      ex.text = UnescapeTableText(cols[0]);
      const std::string_view rules = cols[1], action = cols[2];
      if (action != "publish" && action != "hold" && action != "reject" && action != "*") {
        return bad("action must be publish, hold, reject or *, not \"" + std::string(action.substr(0, 40)) + "\"");
      }
      if (rules == "-") {
        ex.label = OnlineModel::kOk;
      } else {
        size_t start = 0;
        while (true) {
          const size_t comma = rules.find(',', start);
          const std::string_view id = rules.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
          if (!IsKnownRule(id)) return bad("unknown rule id \"" + std::string(id.substr(0, 40)) + "\"");
          if (ex.label.empty()) ex.label = std::string(id);
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
      }
    }
    if (ex.text.find_first_not_of(" \t\n") == std::string::npos) return bad("empty text");
    out.push_back(std::move(ex));
  }
  return out;
}

Result<std::vector<LabelledText>> TrainFromTable(OnlineModel& model, std::string_view data, std::string_view source_name,
                                                 int64_t now_us) {
  auto parsed = ParseTrainingTable(data, source_name);
  if (!parsed.ok()) return std::move(parsed).error();
  for (const LabelledText& ex : *parsed) model.Update(ex.text, ex.label, now_us);
  return parsed;
}

}  // namespace tribune::moderation::learned
