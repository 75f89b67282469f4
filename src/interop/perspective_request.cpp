// Perspective requests: proto3 JSON read field by field into AnalyzeRequest / SuggestRequest, every error of
// INTEROP.md §1.5 as Google's envelope. Types are checked as proto3 would: a wrong type is a 400 naming the
// field ("Invalid value at 'comment.text' (TYPE_STRING)").
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "interop/html_text.hpp"
#include "interop/perspective_internal.hpp"
#include "interop/rule_map.hpp"
#include "moderation/rules/language.hpp"

namespace tribune::interop::perspective_internal {

namespace {

namespace json = boost::json;

// The member under its lowerCamelCase or its proto name; null counts as absent.
const json::value* Field(const json::object& o, std::string_view camel, std::string_view proto = {}) {
  if (const json::value* v = o.if_contains(camel); v != nullptr && !v->is_null()) return v;
  if (proto.empty()) return nullptr;
  if (const json::value* v = o.if_contains(proto); v != nullptr && !v->is_null()) return v;
  return nullptr;
}

Reply TypeError(std::string_view path, std::string_view type) {
  std::string m = "Invalid value at '";
  m += Clip(path, 200);
  m += "' (";
  m += type;
  m += ")";
  return BadRequest(std::move(m));
}

// An enum given by name or number: its number, or -1 for a name not in `names` (index = number), or -2 for
// another JSON type.
int Enum(const json::value& v, std::initializer_list<std::string_view> names) {
  if (v.is_string()) {
    int i = 0;
    for (std::string_view n : names) {
      if (v.get_string() == n) return i;
      ++i;
    }
    return -1;
  }
  if (v.is_int64()) return v.get_int64() >= 0 && v.get_int64() < static_cast<int64_t>(names.size()) ? static_cast<int>(v.get_int64()) : -1;
  if (v.is_uint64()) return v.get_uint64() < names.size() ? static_cast<int>(v.get_uint64()) : -1;
  return -2;
}

// A proto3 float/double: a number, or a string holding one.
std::optional<double> Number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_string() && !v.get_string().empty() && v.get_string().size() < 64) {
    const std::string s(v.get_string());
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size()) return d;
  }
  return std::nullopt;
}

std::string_view View(const json::value& v) { return {v.get_string().data(), v.get_string().size()}; }

// BCP-47-ish: 2-3 letters, then subtags of 1-8 letters or digits after '-' (or '_').
bool ValidLanguage(std::string_view code) {
  if (code.empty() || code.size() > kMaxLanguageBytes) return false;
  size_t i = 0;
  while (i < code.size() && std::isalpha(static_cast<unsigned char>(code[i]))) ++i;
  if (i < 2 || i > 3) return false;
  while (i < code.size()) {
    if (code[i] != '-' && code[i] != '_') return false;
    const size_t b = ++i;
    while (i < code.size() && std::isalnum(static_cast<unsigned char>(code[i]))) ++i;
    if (i == b || i - b > 8) return false;
  }
  return true;
}

std::optional<Reply> OptionalString(const json::object& o, std::string_view camel, std::string_view proto,
                                    std::string_view& out, bool* present = nullptr) {
  const json::value* v = Field(o, camel, proto);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return TypeError(proto.empty() ? camel : proto, "TYPE_STRING");
  if (v->get_string().size() > kMaxTokenBytes)
    return BadRequest(std::string(camel) + " longer than " + std::to_string(kMaxTokenBytes) + " bytes");
  out = View(*v);
  if (present != nullptr) *present = true;
  return std::nullopt;
}

// A TextEntry ({text, type}) of the context: only its types are checked (Google ignored context).
std::optional<Reply> CheckTextEntry(const json::value& v, const std::string& path) {
  if (!v.is_object()) return TypeError(path, "TYPE_MESSAGE");
  if (const json::value* t = Field(v.get_object(), "text"); t && !t->is_string())
    return TypeError(path + ".text", "TYPE_STRING");
  if (const json::value* t = Field(v.get_object(), "type"); t && Enum(*t, {"TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML"}) < 0)
    return TypeError(path + ".type", "TYPE_ENUM");
  return std::nullopt;
}

std::optional<Reply> ParseContext(const json::object& body) {
  const json::value* context = Field(body, "context");
  if (context == nullptr) return std::nullopt;
  if (!context->is_object()) return TypeError("context", "TYPE_MESSAGE");
  const json::object& c = context->get_object();
  const json::value* entries = Field(c, "entries");
  const json::value* article = Field(c, "articleAndParentComment", "article_and_parent_comment");
  if (entries != nullptr && article != nullptr)
    return BadRequest("Context may hold entries or articleAndParentComment, not both.");
  if (entries != nullptr) {
    if (!entries->is_array()) return TypeError("context.entries", "TYPE_MESSAGE");
    if (entries->get_array().size() > kMaxContextEntries)
      return BadRequest("At most " + std::to_string(kMaxContextEntries) + " context entries");
    for (size_t i = 0; i < entries->get_array().size(); ++i) {
      if (auto e = CheckTextEntry(entries->get_array()[i], "context.entries[" + std::to_string(i) + "]")) return e;
    }
  }
  if (article != nullptr) {
    if (!article->is_object()) return TypeError("context.article_and_parent_comment", "TYPE_MESSAGE");
    for (auto [camel, proto] : {std::pair<std::string_view, std::string_view>{"article", ""},
                                {"parentComment", "parent_comment"}}) {
      if (const json::value* e = Field(article->get_object(), camel, proto)) {
        if (auto r = CheckTextEntry(*e, "context.article_and_parent_comment." + std::string(camel))) return r;
      }
    }
  }
  return std::nullopt;
}

// comment, context, languages, clientToken, sessionId, communityId, doNotStore.
std::optional<Reply> ParseCommon(const json::object& body, const PerspectiveOptions& options, CommonRequest& out) {
  const json::value* comment = Field(body, "comment");
  if (comment != nullptr && !comment->is_object()) return TypeError("comment", "TYPE_MESSAGE");
  const json::value* text = comment ? Field(comment->get_object(), "text") : nullptr;
  if (text != nullptr && !text->is_string()) return TypeError("comment.text", "TYPE_STRING");
  if (const json::value* type = comment ? Field(comment->get_object(), "type") : nullptr) {
    const int t = Enum(*type, {"TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML"});
    if (t == -2) return TypeError("comment.type", "TYPE_ENUM");
    if (t < 0) return BadRequest("Currently, only 'PLAIN_TEXT' and 'HTML' comments are supported");
    out.html = t == 2;
  }
  out.raw = text ? View(*text) : std::string_view();
  if (out.raw.empty()) return BadRequest("Comment must be non-empty.", "COMMENT_EMPTY");
  if (out.raw.size() > options.max_text_bytes) return BadRequest("Comment text too long.", "COMMENT_TOO_LONG");
  if (out.html) {
    out.plain = HtmlToText(out.raw);
    if (out.plain.empty()) return BadRequest("Comment must be non-empty.", "COMMENT_EMPTY");
  }
  if (auto e = ParseContext(body)) return e;

  if (const json::value* languages = Field(body, "languages")) {
    if (!languages->is_array()) return TypeError("languages", "TYPE_STRING");
    const json::array& list = languages->get_array();
    if (list.size() > kMaxLanguages) return BadRequest("At most " + std::to_string(kMaxLanguages) + " languages");
    for (const json::value& l : list) {
      if (!l.is_string()) return TypeError("languages", "TYPE_STRING");
      const std::string_view code = View(l);
      std::string normalized = ValidLanguage(code) ? moderation::language::NormalizeLanguage(code) : std::string();
      if (normalized.empty()) return BadRequest("Invalid language code: " + std::string(Clip(code, 40)));
      out.languages.push_back(code);
      out.normalized.push_back(std::move(normalized));
    }
  }
  bool has_token = false;
  std::string_view token;
  if (auto e = OptionalString(body, "clientToken", "client_token", token, &has_token)) return e;
  if (has_token) out.client_token = token;
  if (auto e = OptionalString(body, "sessionId", "session_id", out.session_id)) return e;
  if (auto e = OptionalString(body, "communityId", "community_id", out.community_id)) return e;
  if (const json::value* v = Field(body, "doNotStore", "do_not_store"); v && !v->is_bool())
    return TypeError("do_not_store", "TYPE_BOOL");
  return std::nullopt;
}

// A Score ({value, type}) of SuggestCommentScore: value in [0, 1], type PROBABILITY or unspecified.
std::optional<Reply> ReadScore(const json::value& v, const std::string& path, std::string_view attribute,
                               double& value) {
  if (!v.is_object()) return TypeError(path, "TYPE_MESSAGE");
  const json::value* raw = Field(v.get_object(), "value");
  if (raw == nullptr) return BadRequest("Missing " + path + ".value");
  const std::optional<double> d = Number(*raw);
  if (!d) return TypeError(path + ".value", "TYPE_FLOAT");
  if (!std::isfinite(*d) || *d < 0 || *d > 1) return BadRequest("Score value must be between 0 and 1 at " + path);
  if (const json::value* type = Field(v.get_object(), "type")) {
    const int t = Enum(*type, {"SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW"});
    if (t == -2) return TypeError(path + ".type", "TYPE_ENUM");
    if (t != 0 && t != 1) {
      return BadRequest("Requested score type " + std::string(type->is_string() ? Clip(View(*type), 40) : "?") +
                        " is not supported by attribute " + std::string(attribute));
    }
  }
  value = *d;
  return std::nullopt;
}

}  // namespace

std::optional<Reply> ParseAnalyze(const json::object& body, const PerspectiveOptions& options, AnalyzeRequest& out) {
  if (auto e = ParseCommon(body, options, out.common)) return e;
  const json::value* requested = Field(body, "requestedAttributes", "requested_attributes");
  if (requested != nullptr && !requested->is_object()) return TypeError("requested_attributes", "TYPE_MESSAGE");
  if (requested == nullptr || requested->get_object().empty())
    return BadRequest("Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES");
  const json::object& attributes = requested->get_object();
  if (attributes.size() > kMaxAttributes)
    return BadRequest("At most " + std::to_string(kMaxAttributes) + " requested attributes");
  out.attributes.reserve(attributes.size());
  for (const auto& member : attributes) {
    const std::string_view name(member.key().data(), member.key().size());
    std::optional<std::string> canonical = CanonicalAttribute(name);
    if (!canonical) return BadRequest("Unknown requested attribute: " + std::string(Clip(name)));
    RequestedAttribute a{name, std::move(*canonical), std::nullopt};
    const json::value& config = member.value();
    const std::string path = "requested_attributes[" + std::string(Clip(name)) + "]";
    if (!config.is_null() && !config.is_object()) return TypeError(path, "TYPE_MESSAGE");
    if (config.is_object()) {
      if (const json::value* type = Field(config.get_object(), "scoreType", "score_type")) {
        const int t = Enum(*type, {"SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW"});
        if (t == -2) return TypeError(path + ".score_type", "TYPE_ENUM");
        if (t != 0 && t != 1) {
          return BadRequest("Requested score type " +
                            std::string(type->is_string() ? Clip(View(*type), 40) : std::to_string(t)) +
                            " is not supported by attribute " + std::string(Clip(name)));
        }
      }
      if (const json::value* threshold = Field(config.get_object(), "scoreThreshold", "score_threshold")) {
        a.threshold = Number(*threshold);
        if (!a.threshold) return TypeError(path + ".score_threshold", "TYPE_FLOAT");
      }
    }
    out.attributes.push_back(std::move(a));
  }
  if (const json::value* v = Field(body, "spanAnnotations", "span_annotations")) {
    if (!v->is_bool()) return TypeError("span_annotations", "TYPE_BOOL");
    out.span_annotations = v->get_bool();
  }
  return std::nullopt;
}

std::optional<Reply> ParseSuggest(const json::object& body, const PerspectiveOptions& options, SuggestRequest& out) {
  if (auto e = ParseCommon(body, options, out.common)) return e;
  const json::value* scores = Field(body, "attributeScores", "attribute_scores");
  if (scores != nullptr && !scores->is_object()) return TypeError("attribute_scores", "TYPE_MESSAGE");
  if (scores == nullptr || scores->get_object().empty()) return BadRequest("Missing attribute_scores");
  if (scores->get_object().size() > kMaxAttributes)
    return BadRequest("At most " + std::to_string(kMaxAttributes) + " attribute scores");
  size_t spans = 0;
  for (const auto& member : scores->get_object()) {
    const std::string_view name(member.key().data(), member.key().size());
    std::optional<std::string> canonical = CanonicalAttribute(name);
    if (!canonical) return BadRequest("Unknown attribute: " + std::string(Clip(name)));
    const std::string path = "attribute_scores[" + std::string(Clip(name)) + "]";
    if (!member.value().is_object()) return TypeError(path, "TYPE_MESSAGE");
    const json::object& a = member.value().get_object();
    const json::value* summary = Field(a, "summaryScore", "summary_score");
    if (summary == nullptr) return BadRequest("Missing " + path + ".summary_score");
    double value = 0;
    if (auto e = ReadScore(*summary, path + ".summary_score", name, value)) return e;
    if (const json::value* list = Field(a, "spanScores", "span_scores")) {
      if (!list->is_array()) return TypeError(path + ".span_scores", "TYPE_MESSAGE");
      for (const json::value& span : list->get_array()) {
        const std::string at = path + ".span_scores[" + std::to_string(spans) + "]";
        if (++spans > kMaxSpanScores) return BadRequest("At most " + std::to_string(kMaxSpanScores) + " span scores");
        if (!span.is_object()) return TypeError(at, "TYPE_MESSAGE");
        const json::value* begin = Field(span.get_object(), "begin");
        const json::value* end = Field(span.get_object(), "end");
        if (begin == nullptr || end == nullptr) return BadRequest("Span scores need begin and end: " + at);
        const std::optional<double> b = Number(*begin), e = Number(*end);
        if (!b || !e || *b != std::floor(*b) || *e != std::floor(*e)) return TypeError(at, "TYPE_INT32");
        if (*b < 0 || *e <= *b || *e > 2147483647.0) return BadRequest("Invalid span at " + at);
        const json::value* score = Field(span.get_object(), "score");
        if (score == nullptr) return BadRequest("Missing " + at + ".score");
        double ignored = 0;
        if (auto r = ReadScore(*score, at + ".score", name, ignored)) return r;
      }
    }
    out.labels.emplace_back(std::move(*canonical), value);
  }
  return std::nullopt;
}

}  // namespace tribune::interop::perspective_internal
