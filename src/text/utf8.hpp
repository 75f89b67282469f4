// UTF-8 validation and inspection for user-submitted text, plus HTML escaping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tribune::text {

// Decodes the code point starting at byte `pos` of `s` and advances `pos` past it. On a malformed or
// truncated sequence it yields U+FFFD and advances one byte, so it never reads out of bounds.
char32_t DecodeCodePoint(std::string_view s, size_t& pos);

// Appends the UTF-8 encoding of `cp` (a Unicode scalar value) to `out`.
void AppendUtf8(std::string& out, char32_t cp);

// True iff `s` is well-formed UTF-8: no overlong forms, no surrogates (U+D800–U+DFFF), nothing above
// U+10FFFF, no truncated or stray continuation bytes. NUL and controls are valid here.
bool IsValidUtf8(std::string_view s);

// Number of code points in `valid_utf8` (precondition: IsValidUtf8; otherwise counts non-continuation bytes).
size_t CountCodePoints(std::string_view valid_utf8);

// True when `valid_utf8` is empty or only ASCII whitespace (space \t \n \v \f \r) and Unicode spaces
// U+00A0, U+1680, U+2000–U+200B, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
bool IsBlank(std::string_view valid_utf8);

// True when `valid_utf8` holds NUL, a C0 control other than \t \n \r, DEL (U+007F) or a C1 control
// (U+0080–U+009F).
bool HasForbiddenControls(std::string_view valid_utf8);

// `s` with & < > " ' replaced by &amp; &lt; &gt; &quot; &#39;; safe for HTML text and quoted attributes.
std::string HtmlEscape(std::string_view s);

}  // namespace tribune::text
