// Reader comments: a Markdown subset rendered to HTML that is safe to embed in a page.
#pragma once

#include <string>
#include <string_view>

namespace tribune::text {

// Renders `markdown` (precondition: valid UTF-8) to safe HTML, deterministically (same input, same bytes).
//  - Parsed by md4c (CommonMark + strikethrough + permissive URL/www autolinks); raw HTML is never passed
//    through: tags, comments and HTML blocks come out as escaped text. No tables.
//  - Emits only <p> <em> <strong> <del> <code> <pre> <blockquote> <ul> <ol> <li> <br> <a>. Headings become
//    <p><strong>…</strong></p>, horizontal rules are dropped, images become their alt text (no <img>),
//    code-block info strings are dropped. Soft breaks are "\n", hard breaks "<br>\n".
//  - Links: only http:, https: and mailto: (case-insensitive, after decoding entities, dropping tab/CR/LF
//    and trimming controls and spaces) become <a href="…" rel="nofollow ugc noopener">; the href has
//    spaces/controls percent-encoded and is HTML-escaped. Any other destination (javascript:, data:,
//    relative, //host) renders the link text only. Link titles are dropped. www.* autolinks get http://.
//  - All text is HTML-escaped (& < > " '). Entities are decoded then re-escaped: numeric ones, and the
//    named ones of HTML 4.01 plus &apos;. Unknown names and numeric entities for NUL, surrogates,
//    > U+10FFFF or forbidden controls (see HasForbiddenControls) stay as escaped literal text.
//    A NUL in the input becomes U+FFFD.
//  - If md4c fails, returns the whole input HTML-escaped inside one <p>.
std::string RenderMarkdown(std::string_view markdown);

}  // namespace tribune::text
