// fuzz_lenient_json: interop::ParseLenientJson (src/interop/lenient_json.hpp), the parser of every Perspective
// request body, on arbitrary bytes.
// Invariants:
//   - no crash, no sanitizer report, whatever the input;
//   - when boost::json::parse (strict, default options) accepts the input, ParseLenientJson accepts it and gives
//     an equal value (same kinds: int64 stays int64, uint64 uint64, double double; doubles within one part in
//     1e15 or both below 1e-300, since ParseLenientJson rounds correctly and boost 1.81 by default does not;
//     boost's NaN for "0E400" must be 0 here);
//   - an error is kBadRequest and names the byte offset;
//   - the depth limit holds: with max_depth d (cycling 0..7 with the input size) a result nests at most d
//     containers, and when the input nests at most d, the small limit gives the default's value (the input, not
//     the value: a duplicate key may drop the deepest part);
//   - serialising a result and parsing it strictly gives an equal value (doubles within one part in 1e15: boost's
//     default double parsing is not correctly rounded; infinities from 1e400 serialise as "Infinity", and
//     boost 1.81 makes NaN of "0E400": values holding either are skipped; NaN equals NaN in the comparisons).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "interop/lenient_json.hpp"

namespace {

namespace json = boost::json;

size_t Depth(const json::value& v) {
  size_t d = 0;
  if (v.is_array()) {
    for (const auto& e : v.get_array()) d = std::max(d, Depth(e));
    return d + 1;
  }
  if (v.is_object()) {
    for (const auto& m : v.get_object()) d = std::max(d, Depth(m.value()));
    return d + 1;
  }
  return 0;
}

// The deepest nesting of brackets outside strings in a text ParseLenientJson accepted (duplicate keys may drop
// the deepest part from the value).
size_t TextDepth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

bool HasNonFinite(const json::value& v) {
  if (v.is_double()) return !std::isfinite(v.get_double());
  if (v.is_array()) {
    for (const auto& e : v.get_array())
      if (HasNonFinite(e)) return true;
  }
  if (v.is_object()) {
    for (const auto& m : v.get_object())
      if (HasNonFinite(m.value())) return true;
  }
  return false;
}

bool HasNaN(const json::value& v) {
  if (v.is_double()) return std::isnan(v.get_double());
  if (v.is_array()) {
    for (const auto& e : v.get_array())
      if (HasNaN(e)) return true;
  }
  if (v.is_object()) {
    for (const auto& m : v.get_object())
      if (HasNaN(m.value())) return true;
  }
  return false;
}

// Equal values of equal kinds; doubles within `tolerance` relative.
bool Same(const json::value& a, const json::value& b, double tolerance) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::double_: {
      const double x = a.get_double(), y = b.get_double();
      if (std::isnan(y)) return x == 0 && tolerance > 0;  // boost 1.81: "0E400" is NaN
      if (x == y) return std::signbit(x) == std::signbit(y) || tolerance > 0;
      if (tolerance > 0 && std::fabs(x) < 1e-300 && std::fabs(y) < 1e-300) return true;  // subnormals
      return std::fabs(x - y) <= tolerance * std::max(std::fabs(x), std::fabs(y));
    }
    case json::kind::array: {
      const auto &p = a.get_array(), &q = b.get_array();
      if (p.size() != q.size()) return false;
      for (size_t i = 0; i < p.size(); ++i)
        if (!Same(p[i], q[i], tolerance)) return false;
      return true;
    }
    case json::kind::object: {
      const auto &p = a.get_object(), &q = b.get_object();
      if (p.size() != q.size()) return false;
      for (const auto& m : p) {
        const json::value* other = q.if_contains(m.key());
        if (other == nullptr || !Same(m.value(), *other, tolerance)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tribune;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto lenient = interop::ParseLenientJson(text);
  if (!lenient.ok()) {
    FUZZ_CHECK(lenient.error().code == ErrorCode::kBadRequest, "error code %d", static_cast<int>(lenient.error().code));
    FUZZ_CHECK(lenient.error().message.find(" at byte ") != std::string::npos, "message without offset: %s",
               lenient.error().message.c_str());
  }

  boost::system::error_code ec;
  const json::value strict = json::parse(text, ec);
  if (!ec) {
    FUZZ_CHECK(lenient.ok(), "strict JSON refused: %s", lenient.error().message.c_str());
    FUZZ_CHECK(Same(*lenient, strict, 1e-15), "values differ: lenient %s, strict %s", json::serialize(*lenient).c_str(),
               json::serialize(strict).c_str());
  }

  const size_t small = size % 8;
  auto limited = interop::ParseLenientJson(text, small);
  if (limited.ok()) {
    FUZZ_CHECK(Depth(*limited) <= small, "depth %zu over the limit %zu", Depth(*limited), small);
    FUZZ_CHECK(lenient.ok() && Same(*limited, *lenient, 0), "limit %zu accepts what 32 refuses", small);
  } else if (lenient.ok()) {
    FUZZ_CHECK(TextDepth(text) > small, "limit %zu refused an input of depth %zu: %s", small, TextDepth(text),
               limited.error().message.c_str());
  }

  if (lenient.ok()) FUZZ_CHECK(!HasNaN(*lenient), "NaN in the result");
  if (lenient.ok() && !HasNonFinite(*lenient)) {
    const std::string out = json::serialize(*lenient);
    const json::value again = json::parse(out, ec);
    FUZZ_CHECK(!ec, "serialised value does not parse strictly: %s", out.c_str());
    FUZZ_CHECK(Same(again, *lenient, 1e-15), "round trip changed the value: %s", out.c_str());
  }
  return 0;
}
