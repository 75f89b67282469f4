// Internal to perspective*.cpp: the parsed requests (perspective_request.cpp), the JSON writers and error
// replies (perspective_reply.cpp).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interop/perspective.hpp"

namespace tribune::interop::perspective_internal {

inline constexpr size_t kMaxLanguages = 8;
inline constexpr size_t kMaxLanguageBytes = 35;
inline constexpr size_t kMaxAttributes = 64;
inline constexpr size_t kMaxSpanScores = 256;
inline constexpr size_t kMaxTokenBytes = 1024;
inline constexpr size_t kMaxContextEntries = 64;

// What AnalyzeComment and SuggestCommentScore share (§1.2, §1.6).
struct CommonRequest {
  std::string_view raw;         // comment.text as sent (a view into the parsed body)
  std::string plain;            // the text of an HTML comment
  bool html = false;
  std::string_view Text() const { return html ? std::string_view(plain) : raw; }
  std::vector<std::string_view> languages;   // as sent
  std::vector<std::string> normalized;       // per language: "en-GB" → "en"
  std::optional<std::string_view> client_token;
  std::string_view session_id, community_id;
};

struct RequestedAttribute {
  std::string_view name;   // as requested
  std::string canonical;   // rule_map CanonicalAttribute
  std::optional<double> threshold;
};

struct AnalyzeRequest {
  CommonRequest common;
  std::vector<RequestedAttribute> attributes;
  bool span_annotations = false;
};

struct SuggestRequest {
  CommonRequest common;
  std::vector<std::pair<std::string, double>> labels;  // canonical attribute → summaryScore.value
};

// Each returns the error reply for a body it refuses, nothing when `out` is filled. `body` must outlive `out`.
std::optional<Reply> ParseAnalyze(const boost::json::object& body, const PerspectiveOptions& options,
                                  AnalyzeRequest& out);
std::optional<Reply> ParseSuggest(const boost::json::object& body, const PerspectiveOptions& options,
                                  SuggestRequest& out);

// --- perspective_reply.cpp ---------------------------------------------------------------------------------

inline constexpr std::string_view kInvalidArgument = "INVALID_ARGUMENT";
// 400 INVALID_ARGUMENT with errorType INVALID_REQUEST (or the given type).
Reply BadRequest(std::string message, std::string_view error_type = "INVALID_REQUEST");
// 400 LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE with languageNotSupportedByAttributeError{attribute, detectedLanguages,
// requestedLanguages}.
Reply LanguageNotSupported(std::string_view attribute, const std::vector<std::string_view>& requested,
                           const std::vector<std::string>& detected);

// JSON pieces appended to `out`.
void AppendString(std::string& out, std::string_view s);
void AppendStrings(std::string& out, const std::vector<std::string_view>& list);
void AppendStrings(std::string& out, const std::vector<std::string>& list);
// A score in [0, 1] with at most six decimals and no exponent: 0.85, 0.0, 1.0.
void AppendScore(std::string& out, double value);
// At most `max` bytes of `s`, cut on a UTF-8 boundary, for error messages.
std::string_view Clip(std::string_view s, size_t max = 100);

}  // namespace tribune::interop::perspective_internal
