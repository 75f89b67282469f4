// JSON as Perspective's clients send it (INTEROP.md §1.7): strict JSON (RFC 8259), plus the two liberties of
// Commento++'s hand-pasted body — unquoted object keys made of [A-Za-z0-9_$], and raw control characters
// (newline, tab, CR, any byte < 0x20) inside strings, kept as they are. Nothing else: no trailing commas, no
// comments, no single quotes, no NaN.
//
// Strings must be valid UTF-8 (overlong forms, UTF-8-encoded surrogates and code points above U+10FFFF are
// errors); \uXXXX escapes are decoded, surrogate pairs joined, a lone surrogate is an error. Numbers are typed
// as boost::json::parse types them (an integer is int64, else uint64, else double; a fraction or an exponent
// makes a double; 1e400 is infinity, 1e-400 zero), duplicate keys keep the last value, and nesting deeper than
// `max_depth` arrays/objects is an error: for every input boost::json::parse accepts (default options), the
// result equals boost's (fuzz/fuzz_lenient_json.cpp) — except that doubles are correctly rounded here
// (std::from_chars) where boost 1.81's default conversion may be off in the last place, and "0e400" is 0
// where boost makes NaN of it.
//
// Every body goes through this parser, strict ones too: on a 500-byte Coral body it takes 0.65 µs against
// boost::json::parse's 0.58 µs (bench/perspective_bench.cpp), too little to justify a strict attempt first and
// two number semantics.
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
