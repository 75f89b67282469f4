// Perspective replies: Google's error envelope and the JSON pieces the success replies are written with
// (by hand, in a fixed key order: §4.1's vectors are compared byte for byte).
#include <cmath>
#include <cstdio>

#include "interop/perspective.hpp"
#include "interop/perspective_internal.hpp"

namespace tribune::interop {

namespace perspective_internal {

void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the current run of bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

template <class List>
void AppendList(std::string& out, const List& list) {
  out.push_back('[');
  bool first = true;
  for (const auto& s : list) {
    if (!first) out.push_back(',');
    first = false;
    AppendString(out, s);
  }
  out.push_back(']');
}

void AppendStrings(std::string& out, const std::vector<std::string_view>& list) { AppendList(out, list); }
void AppendStrings(std::string& out, const std::vector<std::string>& list) { AppendList(out, list); }

void AppendScore(std::string& out, double value) {
  if (!std::isfinite(value) || value < 0) value = 0;
  if (value > 1) value = 1;
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.6f", value);
  while (n > 3 && buf[n - 1] == '0' && buf[n - 2] != '.') --n;  // "0.850000" → "0.85", "1.000000" → "1.0"
  out.append(buf, static_cast<size_t>(n));
}

std::string_view Clip(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

Reply BadRequest(std::string message, std::string_view error_type) {
  return PerspectiveError(400, kInvalidArgument, std::move(message), error_type);
}

namespace {

constexpr std::string_view kErrorType = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error";

void OpenEnvelope(std::string& out, int code, std::string_view status, std::string_view message) {
  out += R"({"error":{"code":)";
  out += std::to_string(code);
  out += R"(,"message":)";
  AppendString(out, message);
  out += R"(,"status":)";
  AppendString(out, status);
}

}  // namespace

Reply LanguageNotSupported(std::string_view attribute, const std::vector<std::string_view>& requested,
                           const std::vector<std::string>& detected) {
  std::string message = "Attribute ";
  message += attribute;
  message += " does not support request languages: ";
  for (size_t i = 0; i < requested.size(); ++i) {
    if (i > 0) message += ", ";
    message += requested[i];
  }
  Reply r;
  r.status = 400;
  OpenEnvelope(r.body, 400, kInvalidArgument, message);
  r.body += R"(,"details":[{"@type":)";
  AppendString(r.body, kErrorType);
  r.body += R"(,"errorType":"LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE","languageNotSupportedByAttributeError":{"attribute":)";
  AppendString(r.body, attribute);
  r.body += R"(,"detectedLanguages":)";
  AppendStrings(r.body, detected);
  r.body += R"(,"requestedLanguages":)";
  AppendStrings(r.body, requested);
  r.body += "}}]}}";
  return r;
}

}  // namespace perspective_internal

Reply PerspectiveError(int code, std::string_view status, std::string message, std::string_view error_type) {
  using perspective_internal::AppendString;
  Reply r;
  r.status = code;
  r.body.reserve(160 + message.size());
  perspective_internal::OpenEnvelope(r.body, code, status, message);
  if (!error_type.empty()) {
    r.body += R"(,"details":[{"@type":)";
    AppendString(r.body, perspective_internal::kErrorType);
    r.body += R"(,"errorType":)";
    AppendString(r.body, error_type);
    r.body += "}]";
  }
  r.body += "}}";
  return r;
}

}  // namespace tribune::interop
