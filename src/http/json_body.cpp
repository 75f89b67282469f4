#include "http/json_body.hpp"

#include <boost/json.hpp>

namespace tribune::http {

namespace json = boost::json;

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

bool HasNul(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return v.get_string().find('\0') != json::string::npos;
    case json::kind::array:
      for (const auto& e : v.get_array())
        if (HasNul(e)) return true;
      return false;
    case json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (kv.key().find('\0') != json::string_view::npos || HasNul(kv.value())) return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace

Result<json::object> ParseJsonObject(const Request& req) {
  std::string_view type = req.Header("content-type");
  const size_t semi = type.find(';');
  std::string_view media = type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != "application/json") {
    return MakeError(ErrorCode::kUnsupportedMediaType, "Send the body as application/json.");
  }
  json::parse_options opts;
  opts.max_depth = 16;  // request bodies are shallow; deep nesting is an attack, not data
  json::error_code ec;
  json::value v = json::parse(req.body, ec, {}, opts);  // rejects invalid UTF-8 by default
  if (ec) return Bad("The body is not valid JSON: " + ec.message() + ".");
  if (!v.is_object()) return Bad("The body must be a JSON object.");
  if (HasNul(v)) return Bad("The body contains a NUL character.");
  return std::move(v.as_object());
}

Status AllowOnly(const json::object& obj, std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : obj) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) return Bad("Unknown field \"" + std::string(kv.key()) + "\".");
  }
  return Ok{};
}

Result<std::string> GetString(const json::object& obj, std::string_view key, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || (!required && it->value().is_null())) {
    if (required) return Bad("Field \"" + std::string(key) + "\" is required.");
    return std::string();
  }
  if (!it->value().is_string()) return Bad("Field \"" + std::string(key) + "\" must be a string.");
  return std::string(it->value().get_string());
}

Result<bool> GetBool(const json::object& obj, std::string_view key, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->value().is_bool()) return Bad("Field \"" + std::string(key) + "\" must be true or false.");
  return it->value().get_bool();
}

std::optional<int64_t> ParseId(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return v;
}

Result<int64_t> PathId(const Request& req, const char* what) {
  const auto it = req.path_params.find("id");
  auto id = it == req.path_params.end() ? std::nullopt : ParseId(it->second);
  if (!id) return MakeError(ErrorCode::kNotFound, std::string("No such ") + what + ".");
  return *id;
}

Result<std::optional<int64_t>> GetOptionalId(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return std::optional<int64_t>{};
  const json::value& v = it->value();
  std::optional<int64_t> id;
  if (v.is_string()) id = ParseId(std::string_view(v.get_string()));
  if (v.is_int64() && v.get_int64() > 0) id = v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) id = static_cast<int64_t>(v.get_uint64());
  if (!id) return Bad("Field \"" + std::string(key) + "\" must be an id.");
  return id;
}

Result<std::vector<std::string>> GetStringArray(const json::object& obj, std::string_view key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return out;
  if (!it->value().is_array()) return Bad("Field \"" + std::string(key) + "\" must be an array of strings.");
  for (const auto& e : it->value().get_array()) {
    if (!e.is_string()) return Bad("Field \"" + std::string(key) + "\" must be an array of strings.");
    out.emplace_back(e.get_string());
  }
  return out;
}

Result<const json::object*> GetObject(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return static_cast<const json::object*>(nullptr);
  if (!it->value().is_object()) return Bad("Field \"" + std::string(key) + "\" must be an object.");
  return &it->value().get_object();
}

Result<int> ParseLimit(const Request& req, int fallback, int max) {
  auto raw = req.Query("limit");
  if (!raw) return fallback;
  auto v = ParseId(*raw);
  if (!v) return Bad("limit must be a whole number from 1 to " + std::to_string(max) + ".");
  return static_cast<int>(std::min<int64_t>(*v, max));
}

}  // namespace tribune::http
