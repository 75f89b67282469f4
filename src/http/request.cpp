#include <boost/json.hpp>

#include "http/http.hpp"

namespace tribune::http {

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::optional<std::string> Request::Query(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq), true) == name) {
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string Request::Cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k != "cookie") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view item = rest.substr(0, semi);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      const size_t eq = item.find('=');
      if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return {};
}

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Json(int status, std::shared_ptr<const std::string> body) {
  Response r;
  r.status = status;
  r.shared_body = std::move(body);
  return r;
}

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return 400;
    case ErrorCode::kCaptchaFailed: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kConsentRequired: return 403;
    case ErrorCode::kAccountBlocked: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kGone: return 410;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kRejected: return 422;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(const Error& error, const std::string& request_id) {
  const int status = StatusFor(error.code);
  // Internal details stay in the log; the client gets a generic sentence.
  const std::string message = status >= 500 ? "Something went wrong on our side." : error.message;
  std::string body = "{\"error\":{\"code\":\"";
  body += ErrorCodeName(error.code);
  body += "\",\"message\":";
  body += boost::json::serialize(boost::json::string_view(message));
  body += ",\"request_id\":";
  body += boost::json::serialize(boost::json::string_view(request_id));
  if (!error.extra_json.empty()) {
    body += ',';
    body += error.extra_json;
  }
  body += "}}";
  Response resp = Json(status, std::move(body));
  if (error.code == ErrorCode::kRateLimited) {
    resp.headers.emplace_back("Retry-After",
                              std::to_string(error.retry_after_seconds > 0 ? error.retry_after_seconds : 60));
  }
  return resp;
}

}  // namespace tribune::http
