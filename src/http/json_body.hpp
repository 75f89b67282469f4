// Strict reading of JSON request bodies: the content type, the syntax, UTF-8, NUL characters,
// unknown fields and field types are all checked here, so services receive only well-formed values.
#pragma once

#include <boost/json/object.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "http/http.hpp"

namespace tribune::http {

// The body as a JSON object. Errors: kUnsupportedMediaType (not application/json), kBadRequest
// (malformed JSON, invalid UTF-8, a NUL character in any string or key, not an object).
Result<boost::json::object> ParseJsonObject(const Request& req);

// kBadRequest naming the first field not in `allowed`.
Status AllowOnly(const boost::json::object& obj, std::initializer_list<std::string_view> allowed);

// A string field; "" when absent and not required. Errors: kBadRequest (missing, not a string).
Result<std::string> GetString(const boost::json::object& obj, std::string_view key, bool required);
// A boolean field; `fallback` when absent. Errors: kBadRequest (not a boolean).
Result<bool> GetBool(const boost::json::object& obj, std::string_view key, bool fallback);
// An id given as a string of digits (or a JSON integer); nullopt when absent or null.
Result<std::optional<int64_t>> GetOptionalId(const boost::json::object& obj, std::string_view key);
// An array of strings; empty when absent.
Result<std::vector<std::string>> GetStringArray(const boost::json::object& obj, std::string_view key);
// A nested object; nullptr when absent or null. Errors: kBadRequest (not an object).
Result<const boost::json::object*> GetObject(const boost::json::object& obj, std::string_view key);

// A positive decimal id of at most 19 digits.
std::optional<int64_t> ParseId(std::string_view s);
// The {id} path parameter as an id. Errors: kNotFound "No such <what>." (anything but an id names nothing).
Result<int64_t> PathId(const Request& req, const char* what);

// Reads ?limit= : `fallback` when absent; kBadRequest unless 1..max (larger values are clamped to max).
Result<int> ParseLimit(const Request& req, int fallback, int max);

}  // namespace tribune::http
