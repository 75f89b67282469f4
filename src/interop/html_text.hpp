// Plain text from a comment's HTML, as Coral sends it (external phase format HTML, the default) and as
// Perspective clients may (comment.type HTML): tags dropped, block ends and <br> as line breaks, character
// references decoded. Not a sanitiser: the result is judged, never shown.
#pragma once

#include <string>
#include <string_view>

namespace tribune::interop {

// Linear in the input; invalid or unknown references are kept as written; comments and the contents of
// <script>/<style> are dropped; runs of blank lines collapse to one empty line; the result is trimmed.
std::string HtmlToText(std::string_view html);

}  // namespace tribune::interop
