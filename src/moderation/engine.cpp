#include "moderation/engine.hpp"

#include <boost/json.hpp>

#include "text/utf8.hpp"

namespace tribune::moderation {

const char* ActionName(Action action) {
  switch (action) {
    case Action::kPublish: return "publish";
    case Action::kHold: return "hold";
    case Action::kReject: return "reject";
  }
  return "reject";
}

namespace {

Decision RejectForm(std::string reason, std::vector<std::pair<size_t, size_t>> spans) {
  Decision d;
  d.action = Action::kReject;
  d.findings.push_back(Finding{"form", 1.0, std::move(reason), std::move(spans)});
  d.findings.back().confidence = 1.0;
  return d;
}

// Byte offset where the code point with index `n` starts (or text.size()).
size_t OffsetOfCodePoint(std::string_view text, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (count == n) return i;
      ++count;
    }
  }
  return text.size();
}

std::vector<std::pair<size_t, size_t>> ControlSpans(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> spans;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      spans.emplace_back(i, i + 1);
    } else if (c == 0xC2 && i + 1 < text.size()) {
      const auto c2 = static_cast<unsigned char>(text[i + 1]);
      if (c2 >= 0x80 && c2 <= 0x9F) spans.emplace_back(i, i + 2);
    }
  }
  return spans;
}

}  // namespace

Decision MinimalEngine::Check(const CheckInput& input) const {
  const std::string_view text = input.text;
  if (!text::IsValidUtf8(text)) return RejectForm("The text is not valid UTF-8.", {});
  if (text::IsBlank(text)) return RejectForm("The comment is empty.", {});
  const size_t length = text::CountCodePoints(text);
  if (length > max_length_) {
    return RejectForm("The comment is " + std::to_string(length) + " characters long; the limit is " +
                          std::to_string(max_length_) + ".",
                      {{OffsetOfCodePoint(text, max_length_), text.size()}});
  }
  if (text::HasForbiddenControls(text)) {
    return RejectForm("The comment contains control characters.", ControlSpans(text));
  }
  return Decision{};
}

boost::json::array FindingsArray(const std::vector<Finding>& findings) {
  boost::json::array arr;
  for (const Finding& f : findings) {
    boost::json::array spans;
    for (auto [s, e] : f.spans) spans.push_back(boost::json::array{s, e});
    boost::json::object o{{"rule", f.rule}, {"score", f.score}, {"reason", f.reason}, {"spans", spans}};
    if (!f.details.empty()) {
      boost::json::array details;
      for (const auto& d : f.details) details.emplace_back(d);
      o["details"] = std::move(details);
    }
    arr.push_back(std::move(o));
  }
  return arr;
}

std::string FindingsToJson(const std::vector<Finding>& findings) { return boost::json::serialize(FindingsArray(findings)); }

std::string ArticleContext(std::string_view title, std::string_view tags, std::string_view lead,
                           std::string_view body) {
  std::string out;
  out.reserve(3 * (title.size() + tags.size() + 2) + lead.size() + body.size() + 2);
  for (int i = 0; i < 3; ++i) out.append(title).append("\n").append(tags).append("\n");
  out.append(lead).append("\n").append(body);
  return out;
}

}  // namespace tribune::moderation
