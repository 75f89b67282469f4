// HTML from an export (a Disqus message, a WordPress post, an RSS description) → the Markdown subset Tribune
// stores: tags dropped (scripts, styles and their content entirely), paragraphs and line breaks kept as blank
// lines / newlines, list items as "- ", http(s) links as [text](url), entities decoded, Markdown punctuation in
// the text escaped so it stays literal, controls that comments forbid removed. Always valid UTF-8 out for
// valid UTF-8 in; at most `max_bytes` bytes (cut at a character boundary).
#pragma once

#include <string>
#include <string_view>

namespace tribune::imports {

// `text_newlines`: newlines in the text are line breaks (WordPress comments: a blank line is a paragraph).
std::string HtmlToMarkdown(std::string_view html, size_t max_bytes = 200'000, bool text_newlines = false);

// Plain text (no Markdown escapes or links), whitespace collapsed: titles, tags, names.
std::string HtmlToPlain(std::string_view html, size_t max_bytes = 2'000);

}  // namespace tribune::imports
