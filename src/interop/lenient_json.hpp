// JSON as Perspective's clients send it (INTEROP.md §1.7): strict JSON (RFC 8259), plus the two liberties of
// Commento++'s hand-pasted body — unquoted object keys made of [A-Za-z0-9_$], and raw control characters
// (newline, tab, CR, any byte < 0x20) inside strings, kept as they are. Nothing else: no trailing commas, no
// comments, no single quotes, no NaN.
//
// Strings must be valid UTF-8 (overlong forms, UTF-8-encoded surrogates and code points above U+10FFFF are
// errors); \uXXXX escapes are decoded, surrogate pairs joined, a lone surrogate is an error. Numbers become
// what boost::json::parse makes of them (int64, then uint64, then double; 1e400 is infinity), duplicate keys
// keep the last value, and nesting deeper than `max_depth` arrays/objects is an error: for every input
// boost::json::parse accepts (default options), the result equals boost's (fuzz/fuzz_lenient_json.cpp).
//
// Iterative (no recursion, whatever max_depth), linear in the input, one pass. The input size limit is the
// caller's. Errors: ErrorCode::kBadRequest, "<what> at byte <offset>".
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <string_view>

#include "common/result.hpp"

namespace tribune::interop {

Result<boost::json::value> ParseLenientJson(std::string_view text, size_t max_depth = 32);

}  // namespace tribune::interop
